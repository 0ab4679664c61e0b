"""model.evaluate evaluates every phase at once (the phases stacked on an axis in front of the batch axes); the
reference is each phase evaluated alone with its own inputs, as the registry defines it."""

from __future__ import annotations

import numpy as np
import pytest

import finmodel
from finmodel.model import evaluate, run_together
from finmodel.registry import evaluate_phase, evaluate_time


def phase_by_phase(inputs):
    time = evaluate_time(inputs.plan_view(), inputs.periods)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {p: evaluate_phase(inputs.phase_view(p), time) for p in inputs.phases}


def draws(n: int = 4) -> dict:
    """Per-draw values (n, 1) of a plan input, a phase input and a GPU generation's input, as the Monte Carlo sets them."""
    base = finmodel.load_inputs()
    phase, generation = base.phases[0], base.generations[-1]
    return {"utilisation": np.linspace(0.6, 0.95, n)[:, None],
            f"{phase}.it_mw": base.values[f"{phase}.it_mw"] * np.linspace(0.5, 1.5, n)[:, None],
            f"{generation}.gpu_price_usd": base.values[f"{generation}.gpu_price_usd"] * np.linspace(0.8, 1.2, n)[:, None]}


@pytest.mark.parametrize("overrides", [None, draws()], ids=["one run", "draws"])
def test_phases_together_equal_each_phase_alone(overrides):
    inputs = finmodel.load_inputs(overrides=overrides)
    _, together = evaluate(inputs)
    alone = phase_by_phase(inputs)
    assert len(inputs.phases) > 1
    for p in inputs.phases:
        assert set(together[p]) == set(alone[p])
        for name, expected in alone[p].items():
            got = together[p][name]
            if overrides is None:  # a run's values keep their shapes: (periods,) and (1,)
                assert got.shape == expected.shape, (p, name)
            np.testing.assert_array_equal(*np.broadcast_arrays(got, expected), err_msg=f"{p}.{name}")
    first = inputs.phases[0]
    if overrides is not None:  # the draws reach each phase: the first phase's MW differ by draw, the others' do not
        assert np.ptp(together[first]["it_mw_full"]) > 0
        assert all(np.ptp(together[p]["it_mw_full"]) == 0 for p in inputs.phases[1:])


def test_cases_together_equal_each_case_run_alone():
    """model.run_together: cases of one structure side by side on the batch axis; each value (and its shape)
    as finmodel.run gives it. The cases differ in a plan input and one phase's input: the other phases' rows
    are the same in every case."""
    cases = [("nov_2025", None), ("feb_2025", None), ("nov_2025", {"discount_rate": 0.08})]
    together = run_together([finmodel.load_inputs(s, overrides=o) for s, o in cases])
    for (scenario, overrides), res in zip(cases, together):
        alone = finmodel.run(scenario, overrides=overrides)
        assert res.inputs.scenario == scenario
        for name, expected in alone.time.items():
            np.testing.assert_array_equal(res.time[name], expected, err_msg=name)
        for entity, items in alone.values.items():
            for name, expected in items.items():
                got = res.values[entity][name]
                assert got.shape == expected.shape, (scenario, entity, name)
                np.testing.assert_array_equal(got, expected, err_msg=f"{scenario} {entity}.{name}")

"""Cost per PFLOP-hour: the levelized cost per GPU-hour spread over the dense PFLOP/s each GPU delivers."""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_GENERATION, HAND_PHASE, HAND_PLAN, write_inputs


def test_cost_per_pflop_hour_times_pflops_is_cost_per_gpu_hour(hand_inputs):
    """One generation: PV(costs) / PV(GPU-h x p) x p = PV(costs) / PV(GPU-h)."""
    for pflops in (0.5, 5.0, 37.0):
        res = finmodel.run(inputs_dir=hand_inputs, overrides={"g1.pflops_per_gpu": pflops})
        s = res.summary.loc["p"]
        assert s.lcoc_eur_per_pflop_hour * pflops == pytest.approx(s.lcoc_eur_per_gpu_hour, rel=1e-12)


def test_total_weights_each_phase_by_its_compute(tmp_path):
    """Two phases buying generations of different PFLOP/s per GPU: the total is PV(all costs) / PV(all PFLOP-hours), by hand."""
    late = {**HAND_PHASE, "gpus": 300, "stage1_online": "2025-06", "full_online": "2025-07"}
    gens = {"g1": {**HAND_GENERATION, "pflops_per_gpu": 2.0},
            "g2": {**HAND_GENERATION, "available": "2025-05", "pflops_per_gpu": 10.0}}
    inputs = write_inputs(tmp_path / "inputs", HAND_PLAN, {"a": HAND_PHASE, "b": late}, generations=gens)
    res = finmodel.run(inputs_dir=inputs)
    df = res.time["discount_factor"].ravel()
    pv = {p: (np.sum(res.values[p]["lcoc_costs"].ravel() * df), np.sum(res.values[p]["gpu_hours_sold"].ravel() * df))
          for p in ("a", "b")}
    expected = (pv["a"][0] + pv["b"][0]) / (pv["a"][1] * 2.0 + pv["b"][1] * 10.0)
    assert res.summary.loc["total", "lcoc_eur_per_pflop_hour"] == pytest.approx(expected, rel=1e-12)
    assert res.summary.loc["a", "lcoc_eur_per_pflop_hour"] == pytest.approx(pv["a"][0] / (2.0 * pv["a"][1]), rel=1e-12)


def test_bad_pflops_gets_one_clear_error(hand_inputs):
    with pytest.raises(finmodel.InputError) as info:
        finmodel.run(inputs_dir=hand_inputs, overrides={"g1.pflops_per_gpu": 0})
    [p] = info.value.problems
    assert p.field == "g1.pflops_per_gpu" and "0 is out of range" in p.message and "> 0" in p.message

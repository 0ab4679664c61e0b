"""Run the model: inputs -> Time rows -> every phase -> consolidated -> Results."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Collection, Mapping, Sequence

import numpy as np

import finmodel.items  # noqa: F401  (registers the phase line items)
import finmodel.timeline  # noqa: F401  (registers the Time rows)
from finmodel.inputs import InputError, Inputs, Problem, load_inputs
from finmodel.registry import evaluate_consolidated, evaluate_phase, evaluate_time, phase_items_for
from finmodel.results import Results

TOTAL = "total"


def evaluate(inputs: Inputs, only: Collection[str] | None = None) -> tuple[dict, dict[str, dict]]:
    """Numpy values: (Time rows, {phase or 'total': {item: array}}).

    ``only``: item names; then each entity holds only these items, and only
    they and the items they read are evaluated (see
    :func:`finmodel.registry.evaluate_phase`).
    """
    plan = inputs.plan_view()
    time = evaluate_time(plan, inputs.periods)
    phase_only = None if only is None else phase_items_for(only)
    # every phase at once, on an axis in front of the batch axes: one corkscrew loop for all of them
    ndim = max([1, *(np.ndim(v) for v in inputs.values.values())]) + 1
    views = [inputs.phase_view(p) for p in inputs.phases]
    with np.errstate(divide="ignore", invalid="ignore"):
        phases = evaluate_phase({name: _side_by_side([v[name] for v in views], ndim) for name in views[0]}, time, phase_only)
        values = {p: _case(phases, j, ndim) for j, p in enumerate(inputs.phases)}
        values[TOTAL] = evaluate_consolidated(plan, time, values, only)
    if only is not None:
        values = {e: {name: v[name] for name in only} for e, v in values.items()}
    return time, values


def run(
    scenario: str | None = None,
    *,
    inputs_dir: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    inputs: Inputs | None = None,
) -> Results:
    """Run one scenario and return its Results.

    ``overrides`` maps input names (``"discount_rate"``, ``"alixan.gpus"``)
    to values (one value each, or one per month); nothing on disk changes. ``inputs`` (already loaded, e.g.
    read back from an edited workbook) replaces the three other arguments.
    """
    if inputs is None:
        inputs = load_inputs(scenario, inputs_dir=inputs_dir, overrides=overrides)
    draws = [k for k, v in inputs.values.items() if np.ndim(v) == 2 and np.shape(v)[0] > 1]
    if draws:
        raise InputError([Problem("overrides", k, f"{np.shape(inputs.values[k])[0]} draws; allowed in run(): one value "
                                  "(Results hold one run; evaluate draws with finmodel.model.evaluate or the Monte Carlo)")
                          for k in draws])
    time, values = evaluate(inputs)
    return Results(inputs, time, values)


def run_together(cases: Sequence[Inputs]) -> list[Results]:
    """Each case's Results, as :func:`run` gives them: cases of one structure (phases, months, start, GPU
    generations, curves and input names) are evaluated together on the batch axis, each input that differs
    between them as one column per case (shape (cases, 1) or (cases, periods)); a case of its own
    structure is evaluated alone.
    """
    groups: dict[tuple, list[int]] = {}
    for k, inputs in enumerate(cases):
        key = (inputs.phases, inputs.periods, inputs.model_start, inputs.generations, repr(inputs.curves),
               tuple((name, np.shape(v)) for name, v in inputs.values.items()))
        groups.setdefault(key, []).append(k)
    out: list[Results] = [None] * len(cases)  # type: ignore[list-item]
    for members in groups.values():
        together = [cases[k] for k in members]
        values = {name: _side_by_side([c.values[name] for c in together], 2) for name in together[0].values}
        time, evaluated = evaluate(dataclasses.replace(together[0], values=values))
        for j, k in enumerate(members):
            out[k] = Results(cases[k], _case(time, j, 2), {e: _case(v, j, 2) for e, v in evaluated.items()})
    return out


def _side_by_side(values: list, ndim: int) -> Any:
    """One input's values in several cases: the value if they are all equal, else the values stacked on a new
    first axis, as an array of ``ndim`` dimensions (a number is (cases, 1, ..., 1), a row (cases, 1, ..., periods))."""
    if all(np.array_equal(v, values[0]) for v in values[1:]):
        return values[0]
    stacked = np.stack(np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in values)))
    if stacked.ndim == 1:  # numbers: (cases, 1)
        stacked = stacked[:, None]
    return stacked.reshape(stacked.shape[:1] + (1,) * (ndim - stacked.ndim) + stacked.shape[1:])


def _case(values: Mapping[str, np.ndarray], j: int, ndim: int) -> dict[str, np.ndarray]:
    """Case ``j``'s values of an evaluation of cases side by side (:func:`_side_by_side`): its slice of the
    values that have the cases' axis (``ndim`` dimensions; of length 1 where they are the same in every case),
    the others as they are."""
    return {name: v[j if len(v) > 1 else 0] if np.ndim(v) == ndim else v for name, v in values.items()}

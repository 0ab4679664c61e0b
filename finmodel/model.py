"""Run the model: inputs -> Time rows -> every phase -> consolidated -> Results."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Collection, Mapping

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
    with np.errstate(divide="ignore", invalid="ignore"):
        values = {p: evaluate_phase(inputs.phase_view(p), time, phase_only) for p in inputs.phases}
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

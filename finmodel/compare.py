"""Compare scenarios side by side: headline figures per phase and their differences.

::

    from finmodel.compare import compare
    df = compare(["nov_2025", "feb_2025",
                  {"name": "cheap_money", "base": "nov_2025", "overrides": {"discount_rate": 0.08}}])
    df.loc[("feb_2025", "alixan"), "delta_it_mw"]      # -40.0: MW versus the first scenario

Each item of ``scenarios`` is a scenario name of ``inputs/scenarios.toml`` or a
user-made case ``{"name": ..., "base": <scenario name, default: the default
scenario>, "overrides": {input name: value}}``. Nothing on disk changes.
The first item is the reference: ``delta_<col>`` = value - the first
scenario's value for the same phase.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from finmodel.inputs import InputError, Problem, load_inputs
from finmodel.model import run_together
from finmodel.results import SUMMARY_COLUMNS

#: numeric summary columns compared (each gets a delta_<col>)
NUMERIC_COLUMNS = tuple(SUMMARY_COLUMNS)
#: text columns carried along without a delta
TEXT_COLUMNS = ("first_service", "full_service")
CASE_KEYS = ("name", "base", "overrides")
WHERE = "compare"


def _case(item: Any, k: int) -> tuple[str, str | None, Mapping[str, Any] | None]:
    """(name, base scenario, overrides) of one item of ``scenarios``."""
    if isinstance(item, str):
        return item, item, None
    if isinstance(item, Mapping):
        problems = [Problem(WHERE, f"scenarios[{k}].{key}", f"unknown key; allowed: {', '.join(CASE_KEYS)}")
                    for key in item if key not in CASE_KEYS]
        name, base, overrides = item.get("name"), item.get("base"), item.get("overrides")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(WHERE, f"scenarios[{k}].name", f"{name!r}; allowed: a non-empty text naming the case"))
        if base is not None and not isinstance(base, str):
            problems.append(Problem(WHERE, f"scenarios[{k}].base", f"{base!r}; allowed: a scenario name of scenarios.toml"))
        if overrides is not None and not isinstance(overrides, Mapping):
            problems.append(Problem(WHERE, f"scenarios[{k}].overrides", f"{overrides!r}; allowed: a mapping of input names to values"))
        if problems:
            raise InputError(problems)
        return name, base, overrides
    raise InputError([Problem(WHERE, f"scenarios[{k}]", f"{item!r}; allowed: a scenario name or "
                              "{'name': ..., 'base': <scenario>, 'overrides': {input: value}}")])


def compare(scenarios: Sequence[str | Mapping[str, Any]], *, inputs_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per (scenario, phase incl. 'total'): summary columns and deltas versus the first scenario.

    Index: (scenario, phase). Columns: the numeric summary columns (gpus,
    it_mw, capex_eur, npv_eur, irr, payback_years, lcoc_eur_per_gpu_hour,
    breakeven_eur_per_gpu_hour, jobs_permanent_2030), first_service and full_service,
    then ``delta_<col>`` for each numeric column (NaN where either value is,
    e.g. no payback). Units in ``df.attrs['units']``; each case's scenario
    label (or base and overrides) in ``df.attrs['labels']``.

    Raises InputError for an unknown scenario or input name, a bad value,
    a malformed case or two cases with the same name.
    """
    if isinstance(scenarios, (str, Mapping)) or not isinstance(scenarios, Sequence) or not scenarios:
        raise InputError([Problem(WHERE, "scenarios", f"{scenarios!r}; allowed: a non-empty list of scenario names or cases")])
    cases = [_case(item, k) for k, item in enumerate(scenarios)]
    seen: set[str] = set()
    for k, (name, _, _) in enumerate(cases):
        if name in seen:
            raise InputError([Problem(WHERE, f"scenarios[{k}]", f"{name!r} appears twice; allowed: distinct names")])
        seen.add(name)

    frames, labels = {}, {}
    runs = run_together([load_inputs(base, inputs_dir=inputs_dir, overrides=overrides) for _, base, overrides in cases])
    for (name, _, overrides), res in zip(cases, runs):
        frames[name] = res.headlines[[*NUMERIC_COLUMNS, *TEXT_COLUMNS]]  # no searched break-evens: not compared
        label = res.inputs.scenario_label
        labels[name] = label if overrides is None else f"{res.inputs.scenario} ({label}) with {dict(overrides)}"

    reference = frames[cases[0][0]][list(NUMERIC_COLUMNS)]
    out = []
    for name, frame in frames.items():
        delta = frame[list(NUMERIC_COLUMNS)].astype(float) - reference.astype(float).reindex(frame.index)
        out.append(pd.concat([frame, delta.add_prefix("delta_")], axis=1).assign(scenario=name))
    df = pd.concat(out).reset_index().set_index(["scenario", "phase"])
    units = {col: unit for col, (_, unit) in SUMMARY_COLUMNS.items()}
    df.attrs["units"] = units | {f"delta_{c}": u for c, u in units.items()} | {c: "month" for c in TEXT_COLUMNS}
    df.attrs["labels"] = labels
    df.attrs["reference"] = cases[0][0]
    return df


__all__ = ["compare", "NUMERIC_COLUMNS"]

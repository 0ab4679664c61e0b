"""Scenario comparison, tornado, break-evens and Monte Carlo around one run (the workbook's risk sheets).

::

    from finmodel.risk import risk_tables
    tables = risk_tables(finmodel.run(), draws=2000, seed=0)     # what write_report(..., risk=True) writes

Used by :func:`finmodel.excel.writer.write_report` and ``finmodel report``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from finmodel.excel.risk_sheets import RiskTables
from finmodel.errors import InputError, Problem
from finmodel.inputs import CUSTOM, Inputs, load_inputs
from finmodel.progress import Step, no_step


def rerun_arguments(inputs: Inputs) -> dict[str, Any]:
    """``scenario``, ``inputs_dir`` and ``overrides`` that load these inputs again.

    The overrides are only what differs from the named scenario (from
    ``--set``, ``overrides=`` or an edited workbook), so a Monte Carlo keeps
    an overridden driver fixed and samples the others. InputError if a
    curve differs from the inputs folder's (edited in a workbook).
    """
    base = inputs.scenario if inputs.scenario in inputs.scenarios else None
    defaults = load_inputs(base, inputs_dir=inputs.inputs_dir)
    changed = {k: v for k, v in inputs.values.items() if k not in defaults.values or not np.array_equal(v, defaults.values[k])}
    curves = [name for name, curve in inputs.curves.items() if defaults.curves.get(name) != curve]
    if curves:  # overrides cannot carry a curve: refuse rather than silently use the folder's
        raise InputError([Problem(inputs.scenario_label, f"curve {name}", "differs from the inputs folder's; allowed "
                                  "here: the inputs folder's curve (edit its CSV file; summary and report take an "
                                  "edited curve)") for name in curves])
    return dict(scenario=base, inputs_dir=inputs.inputs_dir, overrides=changed)


def risk_tables(results, draws: int = 2000, seed: int = 0, *, progress: bool = False,
                warn: Callable[[str], None] | None = None, step: Step | None = None) -> RiskTables:
    """The Scenarios, Sensitivity and Monte Carlo tables around one run's inputs.

    ``draws`` [-] and ``seed``: the Monte Carlo's. A table the inputs cannot
    give (no low/high ranges, no distributions file) is left out and
    ``warn`` (default: :func:`warnings.warn`) is told why. ``progress``: the
    Monte Carlo's bar; ``step``: a :mod:`finmodel.progress` step reporter.
    """
    from finmodel.compare import compare
    from finmodel.montecarlo import monte_carlo
    from finmodel.sensitivity import breakevens, tornado

    warn = warn or (lambda message: warnings.warn(message, stacklevel=3))
    inputs = results.inputs
    try:
        kw = rerun_arguments(inputs)
    except InputError as exc:  # an edited curve: no table could use it
        warn(f"Scenarios, Sensitivity and Monte Carlo sheets left out: {exc}")
        return RiskTables()
    cases: list = [*inputs.scenarios]
    if kw["overrides"]:
        cases.append({"name": CUSTOM, "base": kw["scenario"], "overrides": kw["overrides"]})
    tables = {  # name: (step title, how)
        "scenarios": ("comparing the scenarios", lambda: compare(cases, inputs_dir=inputs.inputs_dir)),
        "tornado": ("tornado", lambda: tornado(**kw)),
        "breakevens": ("break-even values", lambda: breakevens(**kw)),
        "montecarlo": (f"Monte Carlo, {draws:,} draws", lambda: monte_carlo(draws, seed, progress=progress, **kw)),
    }
    step = step or no_step
    out = {}
    for name, (title, make) in tables.items():
        try:
            with step(title), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # no-root break-evens say so in their message
                out[name] = make()
        except InputError as exc:  # e.g. inputs without low/high ranges or distributions
            warn(f"{name} sheet left out: {exc}")
    return RiskTables(**out)

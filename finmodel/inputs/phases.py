"""The phases: their names, and each phase's table of phases.toml (GPUs, IT power [MW], dates [Excel serial], ...)."""

from __future__ import annotations

import re

from finmodel.errors import Problem
from finmodel.inputs.fields import Found, labelled_figures, missing_figure, read_figure
from finmodel.inputs.files import brief, check_keys
from finmodel.spec import PHASE_FIELDS, REQUIRED_PHASE_FIELDS, SPEC_BY_NAME

PHASE_NAME = re.compile(r"[a-z][a-z0-9_]{0,20}")  # lower case (Excel ignores case) and short: "Calc <name>" <= 31 characters
TOTAL = "total"  # reserved: the consolidated figures


def read_phase_tables(phase_tables: dict, phases: tuple[str, ...], listed: bool, phf: str, found: Found) -> dict[str, str]:
    """Every phase's fields into ``found`` (``alixan.gpus``); the phases' labels.

    ``listed``: ``phases`` is plan.toml's model.phases, and a table of a phase
    not in it is reported.
    """
    problems = found.problems
    labels: dict[str, str] = {}
    for phase in phase_tables:
        if listed and phase not in phases:
            problems.append(Problem(phf, phase, f"phase not listed in plan.toml model.phases ({', '.join(phases) or 'none'})"))
    for phase in phases:
        table = phase_tables.get(phase)
        if not isinstance(table, dict):
            problems.append(Problem(phf, phase, f"missing phase table [{phase}]" if table is None
                                    else f"expected a table [{phase}] of fields, got {brief(table)}"))
            continue
        labels[phase], fields = labelled_figures(table, phase, phf, problems)
        typos = check_keys(fields, PHASE_FIELDS, phf, f"{phase}.", problems, list_known=False, typos=True)
        for fld, figure in fields.items():
            if fld in PHASE_FIELDS:
                key = f"{phase}.{fld}"
                found.put(key, *read_figure(figure, SPEC_BY_NAME[fld], phf, key, problems), phf)
        for fld in REQUIRED_PHASE_FIELDS:
            if fld not in table and fld not in typos:
                missing_figure(phf, phase, fld, problems)
    return labels

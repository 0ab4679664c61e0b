"""GPU generations: generations.toml's tables (available from [Excel serial], GPU price [USD/GPU], IT power [kW/GPU],
compute [PFLOP/s/GPU], merchant and contract prices [USD/GPU-h]), their order, and each field's values side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np

from finmodel.errors import Problem
from finmodel.inputs.dates import month_text
from finmodel.inputs.fields import Found, labelled_figures, missing_figure, read_figure
from finmodel.inputs.files import brief, check_keys, read_toml
from finmodel.inputs.phases import PHASE_NAME, TOTAL
from finmodel.spec import GENERATION_FIELDS, SPEC_BY_NAME

GENERATION_ALLOWED = ("a table [<generation>] for each GPU generation (a lower-case letter, then up to 20 lower-case letters, "
                      "digits or '_'; not a phase's name), with label, note and the fields " + ", ".join(GENERATION_FIELDS))


def read_generations(path: Path, phases: tuple[str, ...], found: Found) -> dict[str, str]:
    """generations.toml: every generation's fields into ``found`` (``gb300.gpu_price_usd``); their labels, in file order."""
    problems, file = found.problems, str(path)
    raw = read_toml(path, problems)
    if not raw and not any(p.file == file for p in problems):
        problems.append(Problem(file, "(file)", f"no GPU generation; expected {GENERATION_ALLOWED}"))
    labels: dict[str, str] = {}
    for gen, table in raw.items():
        if not PHASE_NAME.fullmatch(gen) or gen in phases or gen in (TOTAL, "generation"):
            why = "is a phase's name" if gen in phases else "is reserved" if gen in (TOTAL, "generation") else "is not a generation name"
            problems.append(Problem(file, f"[{gen}]", f"{gen!r} {why}; allowed: {GENERATION_ALLOWED}"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, gen, f"expected a table [{gen}] of fields, got {brief(table)}"))
            continue
        labels[gen], fields = labelled_figures(table, gen, file, problems)
        typos = check_keys(fields, GENERATION_FIELDS, file, f"{gen}.", problems, list_known=False, typos=True)
        for fld in GENERATION_FIELDS:
            if fld in fields:
                found.put(f"{gen}.{fld}", *read_figure(fields[fld], SPEC_BY_NAME[fld], file, f"{gen}.{fld}", problems), file)
            elif fld not in typos:
                missing_figure(file, gen, fld, problems)
    return labels


def check_generations(values, origin, phases, generations, problems) -> None:
    """Generations in order of availability (each a later month), and one available for every phase's first purchase."""
    avail = [values.get(f"{g}.available") for g in generations]
    if any(a is None for a in avail) or not generations:
        return
    for before, after, a0, a1 in zip(generations, generations[1:], avail, avail[1:]):
        if np.any(np.asarray(a1) <= np.asarray(a0)):
            key = f"{after}.available"
            problems.append(Problem(origin[key], key, f"{month_text(a1)} is not after {before}'s {month_text(a0)}; allowed: a month after "
                                    f"{before}.available (generations are listed in order of availability; a purchase buys the latest available)"))
    for g in generations:
        for fld in GENERATION_FIELDS:
            key = f"{g}.{fld}"
            if np.ndim(values.get(key)) > 0 and np.shape(values[key])[-1] != 1:
                problems.append(Problem(origin[key], key, f"an array of shape {np.shape(values[key])}; allowed: one number or N draws "
                                        "as shape (N, 1) (a generation's figures do not change month by month)"))
    first = generations[0]
    for phase in phases:
        key = f"{phase}.stage1_online"
        s1 = values.get(key)
        if s1 is not None and np.any(np.asarray(s1) < np.min(avail[0])):
            problems.append(Problem(origin[key], key, f"{month_text(s1)}: no GPU generation is available for this purchase (the first, "
                                    f"{first}, from {month_text(avail[0])}); allowed: {month_text(avail[0])} or later, or a generation available "
                                    f"by {month_text(s1)} in generations.toml"))


def generation_table(values: Mapping[str, Any], generations: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``{generation_<field>: array (..., generations)}``: every generation's value of each field side by side."""
    out = {}
    for fld in GENERATION_FIELDS if generations else ():
        cols = [np.asarray(values[f"{g}.{fld}"], dtype=float) for g in generations]
        batch = np.broadcast_shapes(*(c.shape for c in cols), (1,))[:-1]
        out[f"generation_{fld}"] = np.concatenate([np.broadcast_to(c.reshape(c.shape[:-1] + (1,) if c.ndim else (1,)), batch + (1,))
                                                   for c in cols], axis=-1)
    return out

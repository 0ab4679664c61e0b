"""Overrides: a scenario's ``overrides``, ``--set`` and ``overrides=`` values by input name, put over the files' values.

Names: a plan input (``discount_rate``), a phase's field (``alixan.gpus`` or
``alixan_gpus``), every phase's at once (``*.site_area_ha``), or a GPU
generation's field (``gb300.gpu_price_usd``). Values as in the files, or
(``overrides=`` only) arrays: N draws as shape (N, 1), or one value a month.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

from finmodel.errors import Problem
from finmodel.inputs.fields import Found, check_value
from finmodel.inputs.files import unknown_name
from finmodel.spec import GENERATION_FIELDS, PHASE_FIELDS, PLAN_FIELDS, SPEC_BY_NAME, InputSpec


def _resolve_name(name: str, phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> tuple[str, InputSpec] | None:
    """('alixan.gpus' or 'alixan_gpus', 'gb300.gpu_price_usd' or 'discount_rate') -> (canonical key, spec)."""
    if name in SPEC_BY_NAME and SPEC_BY_NAME[name].scope not in ("phase", "generation"):
        return name, SPEC_BY_NAME[name]
    for gen in generations:
        for sep in (".", "_"):
            if name.startswith(gen + sep) and SPEC_BY_NAME.get(name[len(gen) + 1:]) is not None \
                    and SPEC_BY_NAME[name[len(gen) + 1:]].scope == "generation":
                return f"{gen}.{name[len(gen) + 1:]}", SPEC_BY_NAME[name[len(gen) + 1:]]
    for phase in phases:
        for sep in (".", "_"):
            if name.startswith(phase + sep):
                fld = name[len(phase) + 1:]
                spec = SPEC_BY_NAME.get(fld)
                if spec is not None and spec.scope in ("phase", "phase_optional"):
                    return f"{phase}.{fld}", spec
    return None


def _unknown_override(name: str, phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> str:
    """Why an override name is not an input; a per-phase (per-generation) field given without its phase
    (generation) gets every phase's (generation's) name."""
    spec = SPEC_BY_NAME.get(name.removeprefix("*."))
    if spec is not None and spec.scope == "generation" and generations:
        base = name.removeprefix("*.")
        one = ", ".join(f"{g}.{base}" for g in generations)
        return f"{base!r} is set per GPU generation (generations.toml); allowed: one generation's, {one}"
    if spec is not None and spec.scope == "phase" and phases:
        one = ", ".join(f"{p}.{name}" for p in phases)
        return f"{name!r} is set per phase; allowed: one phase's, {one}, or every phase's at once, *.{name}"
    return unknown_name(name, input_names(phases, generations))


def input_names(phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> list[str]:
    """Every name an override may use."""
    names = [n for n in PLAN_FIELDS if SPEC_BY_NAME[n].scope != "constant"]
    return names + [f"{p}.{f}" for p in phases for f in PHASE_FIELDS] + [f"{g}.{f}" for g in generations for f in GENERATION_FIELDS]


def apply_overrides(where: str, label: str, layer: Mapping, phases: tuple[str, ...], found: Found, allow_array: bool,
                    generations: tuple[str, ...] = ()) -> None:
    """Values of ``layer`` over what ``found`` holds; ``where`` names them in errors, ``label`` in their sources."""
    for name, value in layer.items():
        name = str(name)
        every = name.startswith("*.")  # '*.site_area_ha': every phase's
        targets = ([_resolve_name(f"{p}.{name[2:]}", phases) for p in phases] if every
                   else [_resolve_name(name, phases, generations)])
        if not targets or None in targets:
            found.problems.append(Problem(where, name, _unknown_override(name, phases, generations)))
            continue
        for key, spec in targets:
            checked = check_value(spec, value, where, key, found.problems, allow_array=allow_array)
            found.put(key, checked, f"{label}: overrides {found.sources.get(key, 'the default')}", where)


def check_shapes(values: dict, origin: dict, periods: int, problems: list[Problem]) -> bool:
    """Array values (overrides only) must combine: N draws as shape (N, 1), or one value per month."""
    allowed = f"one number, N draws as shape (N, 1) shared by every array input, or one value per month (shape ({periods},))"
    arrays = {k: np.shape(v) for k, v in values.items() if v is not None and np.ndim(v) > 0}
    ok = True
    for key, shape in list(arrays.items()):
        try:
            np.broadcast_shapes(shape, (periods,))
        except ValueError:
            problems.append(Problem(origin.get(key, "overrides"), key, f"an array of shape {shape}; allowed: {allowed}"))
            del arrays[key]
            ok = False
    if len(arrays) > 1:
        try:
            np.broadcast_shapes(*arrays.values(), (periods,))
        except ValueError:
            shapes = ", ".join(f"{k} {s}" for k, s in arrays.items())
            problems.append(Problem(origin.get(next(iter(arrays)), "overrides"), ", ".join(arrays),
                                    f"arrays of shapes that do not combine ({shapes}); allowed: {allowed}"))
            ok = False
    return ok

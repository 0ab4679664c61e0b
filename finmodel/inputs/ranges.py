"""Benchmark ranges: the ``low`` and ``high`` a figure of plan.toml or phases.toml gives (in the input's unit)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from finmodel.errors import InputError, Problem
from finmodel.inputs.files import inputs_folder, read_toml


def input_ranges(inputs_dir: Path | str | None = None) -> dict[str, tuple[float | None, float | None]]:
    """Benchmark ranges ``{name: (low, high)}`` of the inputs that give ``low`` or ``high``.

    Plan inputs by name (``"discount_rate"``), phase fields as ``"alixan.gpu_price_usd"``;
    a bound not given is None. Raises InputError if a file does not parse; the
    values themselves are validated by :func:`load_inputs`.
    """
    inputs_dir = inputs_folder(inputs_dir)
    problems: list[Problem] = []
    plan = read_toml(inputs_dir / "plan.toml", problems)
    phase_tables = read_toml(inputs_dir / "phases.toml", problems)
    if problems:
        raise InputError(problems)

    def bounds(figure: Any) -> tuple[float | None, float | None] | None:
        if not isinstance(figure, dict) or ("low" not in figure and "high" not in figure):
            return None
        return figure.get("low"), figure.get("high")

    out: dict[str, tuple[float | None, float | None]] = {}
    plan_inputs = plan.get("inputs", {})
    for name, figure in (plan_inputs.items() if isinstance(plan_inputs, dict) else ()):
        if (b := bounds(figure)) is not None:
            out[name] = b
    for phase, table in phase_tables.items():
        for fld, figure in (table.items() if isinstance(table, dict) else ()):
            if (b := bounds(figure)) is not None:
                out[f"{phase}.{fld}"] = b
    return out

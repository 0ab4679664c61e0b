"""One input's value checked against its spec (`finmodel.spec`), and the figure table it is given in.

A figure is a TOML table ``{ value, unit, source }`` (optionally ``low``,
``high``, ``note``). Checked values are floats in the input's unit (whole
numbers as int-valued floats), dates as Excel serials [day], choices as their
code (0, 1, ...); arrays only in the ``overrides`` of the Python API.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from finmodel.errors import Problem
from finmodel.inputs.dates import DATE_ALLOWED, not_a_month, parse_date
from finmodel.inputs.files import brief, check_keys, check_texts
from finmodel.spec import SPEC_BY_NAME, InputSpec

FIGURE_KEYS = ("value", "unit", "source", "low", "high", "note")


@dataclass
class Found:
    """What loading has found so far: values by key, their sources and where each came from, and the problems."""

    problems: list[Problem]
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # key -> file (or --set, overrides) for error messages

    def put(self, key: str, value: Any, source: str, origin: str) -> None:
        self.values[key], self.sources[key], self.origin[key] = value, source, origin


def check_value(spec: InputSpec, value: Any, file: str, field_name: str, problems: list[Problem],
                allow_array: bool = True) -> Any:
    """The validated value (a float, an int-valued float, a date serial or an array), or None.

    Arrays (draws of shape (N, 1), or one value per month) only where
    ``allow_array``: in the ``overrides`` of the Python API, not in files.
    """
    if spec.kind == "date":
        serial = parse_date(value)
        if serial is None:
            problems.append(not_a_month(file, field_name, value))
        return serial
    checked, why = _choice(spec, value) if spec.kind == "choice" else _number(spec, value, allow_array)
    if why:
        problems.append(Problem(file, field_name, f"{why}; allowed: {spec.allowed()}"))
    return checked


def _choice(spec: InputSpec, value: Any) -> tuple[float | None, str]:
    """(the code of a choice given by its word or its code, ''), or (None, what is wrong)."""
    if isinstance(value, str) and value.strip() in spec.words:
        return float(spec.words.index(value.strip())), ""
    codes = range(len(spec.words))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in codes:  # a code (workbook, overrides)
        return float(value), ""
    return None, f"unknown {spec.name} {brief(value)}"


def _number(spec: InputSpec, value: Any, allow_array: bool) -> tuple[Any, str]:
    """(a number or an array of numbers in the range of ``spec``, ''), or (None, what is wrong)."""
    if isinstance(value, (bool, str, dict, dt.date, dt.time)) or value is None:
        return None, f"{brief(value)} is not a number"
    if not allow_array and isinstance(value, (list, tuple, np.ndarray)):
        return None, f"{brief(value)} is a list, not a single number"
    try:
        with np.errstate(over="ignore"):
            arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None, f"{brief(value)} is not a number"
    if arr.size == 0:
        return None, f"{brief(value)} is empty"
    if not np.all(np.isfinite(arr)):
        return None, f"{brief(value)} is not a finite number"
    if spec.kind == "int" and not np.all(arr == np.round(arr)):
        return None, f"{brief(value)} is not a whole number"
    low_ok = spec.lo is None or (np.all(arr > spec.lo) if spec.lo_strict else np.all(arr >= spec.lo))
    if not low_ok or (spec.hi is not None and not np.all(arr <= spec.hi)):
        return None, f"{show(value)} is out of range"
    if spec.choices and not np.all(np.isin(arr, spec.choices)):
        return None, f"{show(value)} is not an allowed value"
    return (float(arr) if arr.ndim == 0 else arr), ""


def show(value: Any) -> str:
    """A value as error messages give it: a number as written, an array by its size and range."""
    arr = np.asarray(value)
    if arr.ndim == 0 and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        x = float(value)
        return str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e15 else repr(x)
    if arr.ndim == 0 or arr.size == 0:
        return brief(value)
    return f"array of {arr.size} values from {arr.min():g} to {arr.max():g}"


def _allowed_value(spec: InputSpec) -> str:
    return DATE_ALLOWED if spec.kind == "date" else spec.allowed()


def _figure_template(spec: InputSpec) -> str:
    return f"{{ value = ..., unit = \"{spec.unit}\", source = \"...\" }}"


def read_figure(table: Any, spec: InputSpec, file: str, where: str, problems: list[Problem]) -> tuple[Any, str]:
    """Value and source of one `{ value, unit, source }` table."""
    if not isinstance(table, dict):
        problems.append(Problem(file, where, f"expected a table {_figure_template(spec)}, got {brief(table)}"))
        return None, ""
    for key, what in (("value", _allowed_value(spec)), ("unit", repr(spec.unit)), ("source", "a text")):
        if key not in table:
            problems.append(Problem(file, f"{where}.{key}", f"missing; expected {what}"))
    check_keys(table, FIGURE_KEYS, file, f"{where}.", problems)
    check_texts(table, ("note",), file, f"{where}.", problems)
    if "unit" in table and table["unit"] != spec.unit:
        problems.append(Problem(file, f"{where}.unit", f"{brief(table['unit'])} but this input is in {spec.unit!r}; allowed: {spec.unit!r}"))
    if "source" in table and (not isinstance(table["source"], str) or not table["source"].strip()):
        problems.append(Problem(file, f"{where}.source", f"{brief(table['source'])}: every figure needs a source text or 'ASSUMPTION: why'"))
    value = check_value(spec, table["value"], file, where, problems, allow_array=False) if "value" in table else None
    bounds = {}
    for key in ("low", "high"):
        if key in table:
            if spec.kind == "date":
                problems.append(Problem(file, f"{where}.{key}", "a date input has no low/high range"))
            else:
                bounds[key] = check_value(spec, table[key], file, f"{where}.{key}", problems, allow_array=False)
    if bounds.get("low") is not None and bounds.get("high") is not None and bounds["low"] > bounds["high"]:
        problems.append(Problem(file, f"{where}.low", f"{bounds['low']:g} is above high {bounds['high']:g}; allowed: low <= high"))
    return value, str(table.get("source", ""))


def labelled_figures(table: dict, owner: str, file: str, problems: list[Problem]) -> tuple[str, dict]:
    """A phase's or a GPU generation's table: its label (its name if none) and its figures (the keys but label and note)."""
    check_texts(table, ("label", "note"), file, f"{owner}.", problems)
    return str(table.get("label", owner)), {k: v for k, v in table.items() if k not in ("label", "note")}


def missing_figure(file: str, owner: str, name: str, problems: list[Problem]) -> None:
    """The problem for field ``name`` missing from the table ``owner`` (a phase or a GPU generation)."""
    spec = SPEC_BY_NAME[name]
    problems.append(Problem(file, f"{owner}.{name}", f"missing; expected {name} = {_figure_template(spec)} "
                            f"with a value {_allowed_value(spec)}"))

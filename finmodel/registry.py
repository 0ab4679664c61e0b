"""The registry of line items: each defined once, evaluated in numpy or as Excel.

A line item is a function of a context ``m``: ``m.i.<input>`` gives an input,
``m.t.<row>`` a row of the Time sheet and ``m.<item>`` an item defined
earlier. Registration order is the Calc sheet's row order; label, unit and
section live with the definition.

``consolidate`` says what the Consolidated sheet does with an item:
``"sum"`` adds the phases' values; ``"recompute"`` evaluates the same
function on consolidated rows (NPV, IRR, levelized cost); ``None`` leaves it
out (flags and prices that do not add up across phases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np


@dataclass(frozen=True)
class LineItem:
    """One row (value per period) or scalar (one value) of a calc sheet."""

    name: str
    label: str
    unit: str
    fn: Callable[[Any], Any]
    kind: str  # "row" or "scalar"
    section: str
    consolidate: str | None = "sum"
    show_total: bool = False  # rows: show the sum over periods in the total column
    numpy: Callable[[Any], Any] | None = None  # numpy form where it differs (Time rows)

    @property
    def doc(self) -> str:
        return (self.fn.__doc__ or "").strip()


TIME_ITEMS: list[LineItem] = []
PHASE_ITEMS: list[LineItem] = []


def _register(target: list[LineItem], kind: str, label: str, unit: str, **kw):
    def deco(fn):
        if any(it.name == fn.__name__ for it in target):
            raise ValueError(f"line item {fn.__name__!r} defined twice")
        target.append(LineItem(fn.__name__, label, unit, fn, kind, **kw))
        return fn

    return deco


def row(label: str, unit: str, section: str, *, consolidate: str | None = "sum", total: bool = False):
    """Register a calc-sheet row (one value per period)."""
    return _register(PHASE_ITEMS, "row", label, unit, section=section, consolidate=consolidate, show_total=total)


def scalar(label: str, unit: str, section: str, *, consolidate: str | None = "recompute"):
    """Register a calc-sheet scalar (one value in the constant column)."""
    return _register(PHASE_ITEMS, "scalar", label, unit, section=section, consolidate=consolidate)


def time_row(label: str, unit: str, *, numpy: Callable | None = None):
    """Register a Time-sheet row; ``numpy`` gives its values where Excel uses a date function."""
    return _register(TIME_ITEMS, "row", label, unit, section="Time", numpy=numpy)


class Namespace:
    """Attribute access to a mapping, with an error that names what is missing."""

    def __init__(self, values: Mapping[str, Any], what: str):
        self._values = values
        self._what = what

    def __getattr__(self, name: str):
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"no {self._what} named {name!r} here") from None


class Context:
    """What a line item sees: inputs ``i``, Time rows ``t`` and earlier items."""

    def __init__(self, inputs: Mapping[str, Any], time: Mapping[str, Any], items: dict[str, Any]):
        self.i = Namespace(inputs, "input")
        self.t = Namespace(time, "Time row")
        self._items = items

    def __getattr__(self, name: str):
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(
                f"line item {name!r} is not available: define it earlier, or it is not on this sheet"
            ) from None


def _shape(item: LineItem, value, periods: int) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if item.kind == "row":
        return v + np.zeros(periods) if v.shape[-1:] != (periods,) else v
    return v if v.shape[-1:] == (1,) else v[..., None]


def evaluate_time(inputs: Mapping[str, Any], periods: int) -> dict[str, np.ndarray]:
    """Numpy values of every Time row, shape (..., periods)."""
    rows: dict[str, np.ndarray] = {}
    ctx = Context(inputs, {}, rows)
    for item in TIME_ITEMS:
        fn = item.numpy or item.fn
        rows[item.name] = _shape(item, fn(ctx), periods)
    return rows


def evaluate_phase(inputs: Mapping[str, Any], time: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Numpy values of every phase line item (rows (..., periods), scalars (..., 1))."""
    periods = next(iter(time.values())).shape[-1]
    items: dict[str, np.ndarray] = {}
    ctx = Context(inputs, time, items)
    for item in PHASE_ITEMS:
        items[item.name] = _shape(item, item.fn(ctx), periods)
    return items


def evaluate_consolidated(
    inputs: Mapping[str, Any], time: Mapping[str, np.ndarray], phases: Mapping[str, Mapping[str, np.ndarray]]
) -> dict[str, np.ndarray]:
    """Consolidated values: phase sums, or the same function on consolidated rows."""
    periods = next(iter(time.values())).shape[-1]
    items: dict[str, np.ndarray] = {}
    ctx = Context(inputs, time, items)
    for item in consolidated_items():
        if item.consolidate == "sum":
            items[item.name] = sum(p[item.name] for p in phases.values())
        else:
            items[item.name] = _shape(item, item.fn(ctx), periods)
    return items


def consolidated_items() -> list[LineItem]:
    """The phase items that appear on the Consolidated sheet, in order."""
    return [it for it in PHASE_ITEMS if it.consolidate is not None]

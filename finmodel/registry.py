"""The registry of line items: each defined once, evaluated in numpy or as Excel.

A line item is a function of a context ``m``: ``m.i.<input>`` gives an input,
``m.t.<row>`` a row of the Time sheet and ``m.<item>`` an item defined
earlier. Registration order is the Calc sheet's row order; label, unit and
section live with the definition.

``consolidate`` says what the Consolidated sheet does with an item:
``"sum"`` adds the phases' values, ``"min"`` takes the smallest (a ratio
each phase's lenders test on their own); ``"recompute"`` evaluates the same
function on consolidated rows (NPV, IRR, levelized cost); ``None`` leaves it
out (flags and prices that do not add up across phases).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Callable, Collection, Iterable, Mapping

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


#: consolidations taken from the phases' values rather than this sheet's rows
FROM_PHASES = ("sum", "min")

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
        self._once: dict[Callable, Any] = {}

    def __getattr__(self, name: str):
        try:
            return self._items[name]
        except KeyError:
            raise AttributeError(
                f"line item {name!r} is not available: define it earlier, or it is not on this sheet"
            ) from None

    def once(self, fn: Callable[[Context], Any]) -> Any:
        """``fn(self)``, worked out once in this context: what several rows take their values from (a
        :func:`~finmodel.expr.carry_together` of rows that depend on each other)."""
        if fn not in self._once:
            self._once[fn] = fn(self)
        return self._once[fn]


def first_value(a) -> float:
    """A number, or the first draw of a per-draw array, as a float."""
    return float(np.asarray(a).reshape(-1)[0])


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


def evaluate_phase(
    inputs: Mapping[str, Any], time: Mapping[str, np.ndarray], only: Collection[str] | None = None
) -> dict[str, np.ndarray]:
    """Numpy values of every phase line item (rows (..., periods), scalars (..., 1)).

    ``only``: item names; then only these items and the items they read are
    evaluated, each row freed once no later item reads it, and only these
    items are returned.
    """
    return _evaluate(PHASE_ITEMS, "phase", inputs, time, only, lambda item: None)


def evaluate_consolidated(
    inputs: Mapping[str, Any],
    time: Mapping[str, np.ndarray],
    phases: Mapping[str, Mapping[str, np.ndarray]],
    only: Collection[str] | None = None,
) -> dict[str, np.ndarray]:
    """Consolidated values: phase sums, or the same function on consolidated rows.

    ``only`` as in :func:`evaluate_phase`; the phases need to hold
    :func:`phase_items_for` ``(only)``.
    """
    def summed(item):
        if item.consolidate == "sum":
            return sum(p[item.name] for p in phases.values())
        if item.consolidate == "min":
            return functools.reduce(np.minimum, (p[item.name] for p in phases.values()))
        return None

    return _evaluate(consolidated_items(), "total", inputs, time, only, summed)


def consolidated_items() -> list[LineItem]:
    """The phase items that appear on the Consolidated sheet, in order."""
    return [it for it in PHASE_ITEMS if it.consolidate is not None]


def phase_items_for(only: Collection[str]) -> set[str]:
    """The phase items that :func:`evaluate_consolidated` ``(only=only)`` needs: ``only`` and the sums it reads."""
    need = _closure(only, item_reads("total"))
    return set(only) | {it.name for it in consolidated_items() if it.consolidate in FROM_PHASES and it.name in need}


# --- evaluating only some items ---------------------------------------------------------

class _Refs(dict):
    """A mapping that has every name: a formula fragment made by ``make(name)``."""

    def __init__(self, make: Callable[[str], Any]):
        super().__init__()
        self._make = make

    def __missing__(self, name: str):
        return self._make(name)


class _Tracer(Context):
    """A Context on formula fragments that records which earlier items an item reads."""

    def __init__(self, items: Mapping[str, Any], log: set[str]):
        from finmodel.expr import F, RowRef

        super().__init__(_Refs(F), _Refs(lambda name: RowRef("Time", 1, ("A", "A"))), items)
        self._log = log

    def __getattr__(self, name: str):
        if not name.startswith("_"):
            self._log.add(name)
        return Context.__getattr__(self, name)


@functools.cache
def item_reads(sheet: str) -> dict[str, frozenset[str]]:
    """For each item of a sheet ("phase" or "total"), the earlier items its function reads.

    Found once by evaluating every function on formula fragments (as for the
    workbook), so it needs no input values and no memory for rows.
    """
    from finmodel.expr import F, RowRef

    order = PHASE_ITEMS if sheet == "phase" else consolidated_items()
    refs = {it.name: RowRef(None, 1, ("A", "A")) if it.kind == "row" else F("$C$1") for it in order}
    reads: dict[str, frozenset[str]] = {}
    for item in order:
        log: set[str] = set()
        if not (sheet == "total" and item.consolidate in FROM_PHASES):  # read from the phases, not this sheet
            item.fn(_Tracer(refs, log))
        reads[item.name] = frozenset(log)
    return reads


def _closure(targets: Iterable[str], reads: Mapping[str, Collection[str]]) -> set[str]:
    """The targets and every item they read, directly or not."""
    need: set[str] = set()
    stack = list(targets)
    while stack:
        x = stack.pop()
        if x not in need:
            need.add(x)
            stack.extend(reads.get(x, ()))
    return need


def _evaluate(order: list[LineItem], sheet: str, inputs, time, only, given) -> dict[str, np.ndarray]:
    """Evaluate ``order`` in turn (``given(item)`` first: a value or None); see :func:`evaluate_phase` for ``only``."""
    periods = next(iter(time.values())).shape[-1]
    items: dict[str, np.ndarray] = {}
    ctx = Context(inputs, time, items)
    if only is None:
        for item in order:
            value = given(item)
            items[item.name] = _shape(item, item.fn(ctx), periods) if value is None else value
        return items
    reads = item_reads(sheet)
    need = _closure(only, reads)
    plan = [it for it in order if it.name in need]
    last = {it.name: k for k, it in enumerate(plan)}  # after which item a row can go
    for k, it in enumerate(plan):
        for d in reads[it.name]:
            if d in last:  # Time rows and inputs are not items
                last[d] = max(last[d], k)
    free: list[list[str]] = [[] for _ in plan]
    for name, k in last.items():
        if name not in only:
            free[k].append(name)
    for item, gone in zip(plan, free):
        value = given(item)
        items[item.name] = _shape(item, item.fn(ctx), periods) if value is None else value
        for name in gone:
            del items[name]
    return items

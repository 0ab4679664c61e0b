"""The catalogue of line items: name, label, unit, section, description and Excel formula template.

::

    import finmodel
    finmodel.line_items()                      # one row per line item, in calc-sheet order

The formula template is the workbook formula of the item with names in place
of cell addresses, from the same function that computes it: an input reads
as its defined name (a phase's own ``gpus`` is ``<phase>_gpus`` in the
workbook), a row as its name (this month's cell), ``name[-1]`` the previous
month's cell, ``name[:]`` the row's whole range of months, ``Time!name`` a
row of the Time sheet and ``self[-1]`` this row's own previous cell (a
running total or a corkscrew).
"""

from __future__ import annotations

import functools
import re

import pandas as pd

import finmodel.items  # noqa: F401  (registers the phase line items)
import finmodel.timeline  # noqa: F401  (registers the Time rows)
from finmodel.expr import F, RowRef
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS, Context, LineItem

COLUMNS = ["name", "label", "unit", "section", "kind", "sheet", "consolidate", "description", "formula"]
_MARK = re.compile(r"(?:(Time)!)?\{([cp])\}«(\w+)»")


class _Named(RowRef):
    """A row as a name in formula text: ``{c}«name»`` now, ``{p}«name»`` after lag(), ``name[:]`` as a range."""

    __slots__ = ()

    def __init__(self, name: str, sheet: str | None = None):
        F.__init__(self, f"{'' if sheet is None else sheet + '!'}{{c}}«{name}»")
        self.sheet, self.row, self.cols = sheet, name, ("", "")

    def range(self) -> str:
        return f"{'' if self.sheet is None else self.sheet + '!'}{self.row}[:]"


class _Names(dict):
    """Every name maps to a fragment of itself (inputs: their defined names)."""

    def __missing__(self, name: str) -> F:
        return F(name)


def _readable(text: str) -> str:
    def one(m: re.Match) -> str:
        sheet, when, name = m.groups()
        return f"{sheet + '!' if sheet else ''}{name}{'[-1]' if when == 'p' else ''}"

    return "=" + _MARK.sub(one, text).replace("{p}{r}", "self[-1]")


def formula_template(item: LineItem) -> str:
    """The item's workbook formula with names instead of cell addresses (see the module docstring)."""
    return _templates()[item.name]


@functools.cache
def _templates() -> dict[str, str]:
    out = {}
    time_rows = {it.name: _Named(it.name, "Time") for it in TIME_ITEMS}
    for order, own_time in ((TIME_ITEMS, True), (PHASE_ITEMS, False)):
        own = {it.name: _Named(it.name) if it.kind == "row" else F(it.name) for it in order}
        ctx = Context(_Names(), {} if own_time else time_rows, own)
        for it in order:
            out[it.name] = _readable(it.fn(ctx).text)
    return out


def line_items() -> pd.DataFrame:
    """Every line item, in calc-sheet order: Time rows first, then the phase items.

    Columns: name, label, unit, section, kind (``row``: one value per month;
    ``scalar``: one value), sheet (``Time`` or ``phase``: each phase's calc
    sheet), consolidate (what the Consolidated sheet does: ``sum``, ``min``,
    ``recompute`` or empty when it leaves the item out), description (the
    function's docstring) and formula (the Excel formula template).
    """
    rows = []
    for sheet, order in (("Time", TIME_ITEMS), ("phase", PHASE_ITEMS)):
        for it in order:
            rows.append(dict(name=it.name, label=it.label, unit=it.unit, section=it.section, kind=it.kind, sheet=sheet,
                             consolidate=(it.consolidate or "") if sheet == "phase" else "",
                             description=" ".join(it.doc.split()), formula=formula_template(it)))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs["units"] = {}
    return df

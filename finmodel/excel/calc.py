"""Calc-sheet layout and formulas: the Time sheet, one sheet per phase, Consolidated.

Fixed columns: A label, B unit, C constant (scalars), D total, E a blank
spacer (read as 0 by the first period's "previous column"), then one column
per month from F. Each row holds one formula copied across; it comes from
the line item's own function evaluated with formula fragments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from finmodel.expr import F, RowRef, quote_sheet
from finmodel.listing import excel_name
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS, Context, LineItem, consolidated_items
from finmodel.spec import GENERATION_FIELDS

FIRST_PERIOD_COL = 6  # column F
HEADER_ROWS = 5  # title, period start, year, column headers, blank
COL_LABEL, COL_UNIT, COL_CONST, COL_TOTAL = "A", "B", "C", "D"
TIME_SHEET = "Time"
CONSOLIDATED_SHEET = "Consolidated"
CONSOLIDATED_LABEL = "Consolidated (whole plan)"  # the whole plan's block on the yearly sheets


def calc_sheet_name(phase: str) -> str:
    """Sheet name of a phase's calc sheet."""
    return f"Calc {phase}"[:31]


@dataclass
class SheetLayout:
    """Where each line item sits on one calc sheet."""

    sheet: str
    entity: str  # phase name, 'total' or 'time'
    rows: dict[str, int] = field(default_factory=dict)  # item name -> row
    sections: dict[int, str] = field(default_factory=dict)  # row -> section title
    items: list[LineItem] = field(default_factory=list)


def period_columns(periods: int) -> list[str]:
    """Column letters of the monthly periods."""
    return [get_column_letter(FIRST_PERIOD_COL + k) for k in range(periods)]


def layout_rows(sheet: str, entity: str, items: list[LineItem]) -> SheetLayout:
    """Assign rows in registry order, with a title row before each new section."""
    lay = SheetLayout(sheet, entity, items=list(items))
    r = HEADER_ROWS + 1
    section = None
    for it in items:
        if it.section != section:
            section = it.section
            lay.sections[r] = section
            r += 1
        lay.rows[it.name] = r
        r += 1
    return lay


def build_layouts(phases: tuple[str, ...]) -> dict[str, SheetLayout]:
    """Layouts of the Time sheet, every phase sheet and Consolidated, keyed by entity."""
    out = {"time": layout_rows(TIME_SHEET, "time", TIME_ITEMS)}
    for p in phases:
        out[p] = layout_rows(calc_sheet_name(p), p, PHASE_ITEMS)
    out["total"] = layout_rows(CONSOLIDATED_SHEET, "total", consolidated_items())
    return out


def _refs(lay: SheetLayout, cols: tuple[str, str], own_sheet: bool) -> dict[str, F]:
    sheet = None if own_sheet else lay.sheet
    prefix = "" if own_sheet else f"{quote_sheet(lay.sheet)}!"
    return {
        it.name: RowRef(sheet, lay.rows[it.name], cols) if it.kind == "row" else F(f"{prefix}$C${lay.rows[it.name]}")
        for it in lay.items
    }


def input_refs(input_keys: list[str], phase: str | None) -> dict[str, F]:
    """Defined-name fragments of the inputs a sheet sees (a phase's own over plan-wide)."""
    refs = {k: F(excel_name(k)) for k in input_keys if "." not in k}
    refs.update({f"generation_{f}": F(f"generation_{f}") for f in GENERATION_FIELDS})  # the generations table's columns
    refs["model_start"] = F("model_start")
    refs["model_periods"] = F("model_periods")
    if phase is not None:
        prefix = phase + "."
        refs.update({k[len(prefix):]: F(excel_name(k)) for k in input_keys if k.startswith(prefix)})
    return refs


def formulas(layouts: dict[str, SheetLayout], entity: str, input_keys: list[str], periods: int,
             phases: tuple[str, ...]) -> dict[str, str]:
    """Formula text of every item on one sheet, with {c}, {p} and {r} placeholders."""
    cols = period_columns(periods)
    span = (cols[0], cols[-1])
    lay = layouts[entity]
    own = _refs(lay, span, own_sheet=True)
    if entity == "time":
        ctx = Context(input_refs(input_keys, None), {}, own)
        return {it.name: it.fn(ctx).text for it in lay.items}
    time = _refs(layouts["time"], span, own_sheet=False)
    ctx = Context(input_refs(input_keys, None if entity == "total" else entity), time, own)
    out = {}
    phase_refs = [_refs(layouts[p], span, own_sheet=False) for p in phases] if entity == "total" else []
    for it in lay.items:
        if entity == "total" and it.consolidate in ("sum", "min"):
            parts = [refs[it.name].text for refs in phase_refs]
            out[it.name] = "+".join(parts) if it.consolidate == "sum" else f"MIN({', '.join(parts)})"
        else:
            out[it.name] = it.fn(ctx).text
    return out


def fill(text: str, col: str, prev: str, row: int) -> str:
    """A formula for one cell: placeholders replaced, '=' in front."""
    return "=" + text.replace("{c}", col).replace("{p}", prev).replace("{r}", str(row))

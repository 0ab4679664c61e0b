"""Calc sheets (Time, phases, Consolidated) and the Annual roll-up sheet."""

from __future__ import annotations

from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from finmodel.excel.bulk import BulkRow, ReportWorkbook, finite_row
from finmodel.excel.calc import (
    COL_CONST, COL_TOTAL, FIRST_PERIOD_COL, TIME_SHEET, SheetLayout, fill, period_columns,
)
from finmodel.excel.style import (
    FIRST_YEAR_COL, SECTION, SECTION_FILL, TIME_YEARS, header_row, number_format, put_text, title, year_col, year_header,
)
from finmodel.expr import quote_sheet
from finmodel.results import annual_items

ANNUAL_SHEET = "Annual"
ANNUAL_HEADER_ROW = 4  # the year headers; a block per phase below


def write_calc_sheet(wb, lay: SheetLayout, texts: dict[str, str], periods: int, time_lay: SheetLayout,
                     heading: str, note: str, values: dict | None = None) -> None:
    """One calc sheet: header rows, section titles, one formula per row copied across.

    ``values`` (item -> its numpy values), with a :class:`~finmodel.excel.bulk.ReportWorkbook`: a row's
    months after the first are left to the save (:mod:`finmodel.excel.bulk`) when its values are all finite.
    """
    bulk = wb.bulk.setdefault(lay.sheet, []) if values is not None and isinstance(wb, ReportWorkbook) else None
    ws = wb.create_sheet(lay.sheet)
    cols = period_columns(periods)
    title(ws, heading, note + " Printed: this title only (one column per month); the Annual, Debt and Statements "
                             "sheets print the yearly figures.")
    t = quote_sheet(TIME_SHEET) + "!"
    for r, label, item, fmt in ((2, "Period start", "period_start", "mmm-yy"), (3, "Year", "year", "0")):
        put_text(ws.cell(row=r, column=2), label)
        src = time_lay.rows[item]
        for k, col in enumerate(cols):
            c = ws.cell(row=r, column=FIRST_PERIOD_COL + k)
            c.value = f"={col}{src}" if lay.sheet == TIME_SHEET else f"={t}{col}{src}"
            c.number_format = fmt
    header_row(ws, 4, ["Line item", "Unit", "Constant", "Total"])
    for r, section in lay.sections.items():
        c = ws.cell(row=r, column=1)
        put_text(c, section)
        c.font, c.fill = SECTION, SECTION_FILL
    for it in lay.items:
        r = lay.rows[it.name]
        put_text(ws.cell(row=r, column=1), it.label)
        put_text(ws.cell(row=r, column=2), it.unit)
        fmt = number_format(it.unit)
        text = texts[it.name]
        if it.kind == "scalar":
            c = ws[f"{COL_CONST}{r}"]
            c.value = fill(text, "", "", r)
            c.number_format = fmt
            continue
        prev = get_column_letter(FIRST_PERIOD_COL - 1)
        row_values = None if bulk is None else finite_row(values[it.name], len(cols))
        for col in cols if row_values is None else cols[:1]:
            c = ws[f"{col}{r}"]
            c.value = fill(text, col, prev, r)
            c.number_format = fmt
            prev = col
        if row_values is not None:
            bulk.append(BulkRow(r, text, cols, row_values))
        if it.show_total:
            c = ws[f"{COL_TOTAL}{r}"]
            c.value = f"=SUM({cols[0]}{r}:{cols[-1]}{r})"
            c.number_format = fmt
    _format(ws, cols)


def _format(ws, cols: list[str]) -> None:
    ws.column_dimensions["A"].width = 46
    ws.column_dimensions["B"].width = 11
    ws.column_dimensions["C"].width = 17
    ws.column_dimensions["D"].width = 19
    ws.column_dimensions["E"].width = 2
    for col in cols:
        ws.column_dimensions[col].width = 13
    ws.freeze_panes = f"{get_column_letter(FIRST_PERIOD_COL)}5"
    ws.sheet_view.zoomScale = 85


def define_time_years(wb, time_lay: SheetLayout, periods: int) -> None:
    """The defined name ``Time_Years``: the Time sheet's calendar-year row, which every annual sheet's year headers
    start from."""
    cols = period_columns(periods)
    r = time_lay.rows["year"]
    wb.defined_names[TIME_YEARS] = DefinedName(TIME_YEARS, attr_text=f"{quote_sheet(TIME_SHEET)}!${cols[0]}${r}:${cols[-1]}${r}")


def write_annual_sheet(wb, layouts: dict[str, SheetLayout], entities: list[str], labels: dict[str, str],
                       years: list[int], periods: int) -> dict[tuple[str, str], int]:
    """Yearly roll-ups of the monthly rows (SUMIF on the Time sheet's year row), a block per phase and the
    consolidated one; years from column C as on every annual sheet. Returns (entity, item) -> row."""
    ws = wb.create_sheet(ANNUAL_SHEET)
    title(ws, "Annual roll-ups", "Flows summed by calendar year, FTE averaged over the year's months, from the monthly calc rows.")
    cols = period_columns(periods)
    time_lay = layouts["time"]
    year_range = f"{TIME_SHEET}!${cols[0]}${time_lay.rows['year']}:${cols[-1]}${time_lay.rows['year']}"
    header_row(ws, ANNUAL_HEADER_ROW, ["Line item", "Unit"])
    year_header(ws, ANNUAL_HEADER_ROW, len(years))
    rows: dict[tuple[str, str], int] = {}
    wanted = set(annual_items())
    r = ANNUAL_HEADER_ROW + 1
    for entity in entities:
        lay = layouts[entity]
        sheet = quote_sheet(lay.sheet)
        for c in range(1, FIRST_YEAR_COL + len(years)):
            ws.cell(row=r, column=c).fill = SECTION_FILL
        put_text(ws.cell(row=r, column=1), labels.get(entity, entity))
        ws.cell(row=r, column=1).font = SECTION
        r += 1
        for it in lay.items:
            if it.name not in wanted:
                continue
            put_text(ws.cell(row=r, column=1), it.label)
            put_text(ws.cell(row=r, column=2), it.unit)
            src = f"{sheet}!${cols[0]}{lay.rows[it.name]}:${cols[-1]}{lay.rows[it.name]}"
            for k in range(len(years)):
                ycell = f"{year_col(k)}${ANNUAL_HEADER_ROW}"
                formula = f"SUMIF({year_range}, {ycell}, {src})"
                if it.unit == "FTE":
                    formula = f"{formula}/COUNTIF({year_range}, {ycell})"
                c = ws.cell(row=r, column=FIRST_YEAR_COL + k)
                c.value = "=" + formula
                c.number_format = number_format(it.unit)
            rows[(entity, it.name)] = r
            r += 1
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 10
    for k in range(len(years)):
        ws.column_dimensions[year_col(k)].width = 15
    ws.freeze_panes = f"{year_col(0)}{ANNUAL_HEADER_ROW + 1}"
    return rows

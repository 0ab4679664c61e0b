"""Cell styles, number formats and safe text for the workbook."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

TITLE = Font(bold=True, size=14, color="1F3864")
HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
SECTION = Font(bold=True, color="1F3864")
SECTION_FILL = PatternFill("solid", fgColor="D9E1F2")
CHECK_FILL = PatternFill("solid", fgColor="E2EFDA")
NOTE = Font(italic=True, color="595959")
WRAP = Alignment(wrap_text=True, vertical="top")
#: text right of a right-aligned number: indented, so the two do not touch
AFTER_NUMBER = Alignment(indent=1)

#: number format by unit
FORMATS = {
    "EUR": '#,##0;[Red]-#,##0;"-"',
    "EUR/GPU-h": "0.000;[Red]-0.000",
    "EUR/GPU": "#,##0",
    "EUR/MW": "#,##0",
    "USD/GPU": "#,##0",
    "USD/GPU-h": "0.00",
    "EUR/MWh": "0.00",
    "EUR/MW/yr": "#,##0",
    "EUR/FTE/yr": "#,##0",
    "EUR/ha": "#,##0",
    "GPU": "#,##0",
    "GPU-h": "#,##0",
    "MW": "#,##0.0",
    "MWh": "#,##0",
    "TWh/yr": "0.00",
    "t CO2": "#,##0",
    "kWh/GPU-h": "0.00",
    "g CO2/GPU-h": "0.0",
    "PFLOP/s-h": "#,##0",
    "EUR/PFLOP/s-h": "0.000",
    "FTE": "#,##0.0",
    "FTE/MW": "0.00",
    "kW/GPU": "0.00",
    "flag": "0",
    "#": "0",
    "month": "0",
    "date": "mmm-yy",
    "yr": "0.00",
    "1/yr": "0.00%",
    "1/month": "0.0000%",
    "1/month/yr": "0",
    "-": "0.0000",
}


def number_format(unit: str) -> str:
    """Excel number format for a unit (General if unknown)."""
    return FORMATS.get(unit, "General")


def safe_text(text) -> str:
    """``text`` as a string without the control characters a workbook cannot hold."""
    return "" if text is None else ILLEGAL_CHARACTERS_RE.sub("", str(text))


def put_text(cell, text) -> None:
    """Write text that is never read as a formula (labels, sources, notes, names from inputs).

    Control characters, which a workbook cannot hold, are dropped. Set the
    cell's named style before, not after: a named style clears the quote prefix.
    """
    cell.value = safe_text(text)
    cell.data_type = "s"
    if cell.value[:1] in ("=", "+", "-", "@"):
        cell.quotePrefix = True


def header_row(ws, row: int, titles: list[str], first_col: int = 1) -> None:
    """Write a dark header row."""
    for k, title in enumerate(titles):
        c = ws.cell(row=row, column=first_col + k)
        put_text(c, title)
        c.font = HEADER
        c.fill = HEADER_FILL


#: column of the first year on every annual sheet (Annual, Dashboard, Debt, Statements, Jobs): column C
FIRST_YEAR_COL = 3
#: defined name of the Time sheet's calendar-year row (one cell per month) [yr]
TIME_YEARS = "Time_Years"


def year_col(k: int) -> str:
    """Letter of the column of the ``k``-th model year (0 = the first) on every annual sheet."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(FIRST_YEAR_COL + k)


def year_header(ws, row: int, n_years: int) -> None:
    """Year headers from column C, as numbers linked to the Time sheet: its first calendar year plus the
    column's offset [yr] (one formula copied across)."""
    from openpyxl.styles import Alignment

    first = year_col(0)
    for k in range(n_years):
        c = ws.cell(row=row, column=FIRST_YEAR_COL + k)
        c.value = f"=MIN({TIME_YEARS})+COLUMNS(${first}{row}:{year_col(k)}{row})-1"
        c.number_format = "0"
        c.font, c.fill = HEADER, HEADER_FILL
        c.alignment = Alignment(horizontal="right")


def title(ws, text: str, subtitle: str = "") -> None:
    """Sheet title in A1 and an optional note in A2."""
    put_text(ws["A1"], text)
    ws["A1"].font = TITLE
    if subtitle:
        put_text(ws["A2"], subtitle)
        ws["A2"].font = NOTE


def landscape(ws) -> None:
    """Print on landscape pages, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

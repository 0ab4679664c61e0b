"""Print setup: the committee pack on A4 landscape, fitted to width, with headers and footers.

Every sheet prints on A4 landscape, one page wide, with a header naming the
sheet and a footer with the page number, model version and inputs digest.
The monthly calc sheets (Time, one per phase, Consolidated) print only their
title block, which says where the annual view is: 180 monthly columns are not
a document. Annual prints the whole plan's rows. ``PACK`` lists the sheets
of the committee pack; :func:`pack_only` hides the others in a copy for the
PDF export.
"""

from __future__ import annotations

import re

from openpyxl.utils import get_column_letter

from finmodel.excel.finance_sheets import DEBT_SHEET, SOURCES_USES_SHEET, STATEMENTS_SHEET

PACK = ("Cover", "Dashboard", "Inputs", SOURCES_USES_SHEET, DEBT_SHEET, STATEMENTS_SHEET, "Cost per GPU-hour", "Jobs",
        "Announcements", "Checks")
#: rows repeated at the top of each printed page, for sheets whose writer sets none
TITLE_ROWS = {"Inputs": "1:5", "Checks": "1:5", "Annual": "1:4", "Sources": "1:4"}


def setup_print(wb, version: str, digest: str, calc_sheets: list[str], annual_print_rows: tuple[int, int] | None) -> None:
    """Page setup of every sheet (see the module docstring).

    ``annual_print_rows``: first and last row of the whole plan's block on
    the Annual sheet (printed below its header rows).
    """
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.scale = None
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.gridLines = False
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.6
        ws.page_margins.header = ws.page_margins.footer = 0.25
        ws.oddHeader.left.text = "&A"  # sheet name
        ws.oddHeader.left.size = 9
        ws.oddHeader.right.text = _escape("finmodel: Sesterce AI compute build-out")
        ws.oddHeader.right.size = 9
        ws.oddFooter.left.text = _escape(f"model {version}")
        ws.oddFooter.left.size = 8
        ws.oddFooter.center.text = "Page &P of &N"
        ws.oddFooter.center.size = 8
        ws.oddFooter.right.text = _escape(f"inputs {digest[:16]}")
        ws.oddFooter.right.size = 8
        if ws.title in TITLE_ROWS and not ws.print_title_rows:
            ws.print_title_rows = TITLE_ROWS[ws.title]
        ws.print_title_cols = None  # Gnumeric ignores two-part print titles; rows only
    for name in calc_sheets:
        ws = wb[name]
        ws.print_area = "A1:D2"
        ws.print_title_rows = None
    if "Inputs" in wb.sheetnames:  # sources print on the Sources sheet; the curves' years run far to the right
        ws = wb["Inputs"]
        last_col = max((c.column for c in ws[5] if c.value == "Source"), default=ws.max_column + 1) - 1
        ws.print_area = f"A1:{get_column_letter(last_col)}{ws.max_row}"
    if "Sensitivity" in wb.sheetnames:  # without the long source column
        ws = wb["Sensitivity"]
        ws.print_area = f"A1:K{ws.max_row + 30}"  # the tornado chart sits below the tables
    if annual_print_rows is not None and "Annual" in wb.sheetnames:
        ws = wb["Annual"]
        first, last = annual_print_rows
        end = get_column_letter(ws.max_column)
        ws.print_area = [f"A1:{end}4", f"A{first}:{end}{last}"]


def _escape(text: str) -> str:
    """Header/footer text: '&' starts a code there, so a literal one is doubled."""
    return re.sub("&", "&&", text)

"""Print setup: the committee pack on A4 landscape, fitted to width, with headers and footers.

Every sheet prints on A4 landscape, one page wide, with a header naming the
sheet and a footer with the page number, model version and inputs digest.
The monthly calc sheets (Time, one per phase, Consolidated) print only their
title block, which says where the annual view is: 180 monthly columns are not
a document. Annual prints the whole plan's rows below its repeated header.
``PACK`` lists the sheets of the committee pack (``finmodel report --pdf``
prints only them, see :func:`finmodel.recalc.export_pdf`). On the pack's
sheets :func:`fit_text` widens a column whose text would run into the next
filled cell, and wraps what is too long for any column.
"""

from __future__ import annotations

import math
import re

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter, range_boundaries

from finmodel.excel.finance_sheets import DEBT_SHEET, SOURCES_USES_SHEET, STATEMENTS_SHEET

PACK = ("Cover", "Dashboard", "Inputs", SOURCES_USES_SHEET, DEBT_SHEET, STATEMENTS_SHEET, "Cost per GPU-hour", "Jobs",
        "Announcements", "Checks")
#: rows repeated at the top of each printed page, for sheets whose writer sets none
TITLE_ROWS = {"Inputs": "1:5", "Checks": "1:5", "Annual": "1:4", "Sources": "1:4"}
#: widest a column is made to fit its text [character widths]; longer text wraps
FIT_CAP = 68
#: default column width [character widths] and height of one line of 11 pt text [pt]
DEFAULT_WIDTH, LINE_HEIGHT = 8.43, 15.0
_NARROW, _WIDE = frozenset("iljI.,:;'|! ()[]-/ftr"), frozenset("mwMW%@")


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
        # one range below the header rows, which print as the titles of every page (two ranges print the
        # header alone on a page of its own, and Gnumeric keeps a two-range print area as an error name)
        ws = wb["Annual"]
        first, last = annual_print_rows
        ws.print_area = f"A{first}:{get_column_letter(ws.max_column)}{last}"
    for name in PACK:  # once the print areas are known
        if name in wb.sheetnames:
            fit_text(wb[name])


def text_width(text: str, bold: bool = False, margin: float = 1.1) -> float:
    """Estimated printed width of one line of 11 pt text [column-width units, the width of a digit] times
    ``margin``: narrow letters and punctuation count about half a digit, m and w about one and a half."""
    width = sum(0.55 if ch in _NARROW else 1.4 if ch in _WIDE else 1.1 if ch.isupper() else 1.0 if ch.isdigit()
                else 0.9 for ch in text)
    return margin * width * (1.08 if bold else 1.0)


def _cell_text_width(cell) -> float:
    indent = cell.alignment.indent if cell.alignment is not None else 0
    return max(text_width(line, bool(cell.font and cell.font.b)) for line in cell.value.split("\n")) + 2 * indent


def _lines(cell, width: float) -> int:
    """Lines a wrapped text cell takes in a column ``width`` wide: its words laid out greedily (a word wider
    than the column takes the lines it needs), 5 % wider than estimated."""
    bold, room = bool(cell.font and cell.font.b), max(width - 1, 1)
    lines = 0
    for paragraph in cell.value.split("\n"):
        lines, used = lines + 1, 0.0
        for word in paragraph.split(" "):
            w = text_width(word, bold, 1.05)
            if used and used + text_width(" " + word, bold, 1.05) > room:
                lines, used = lines + 1, 0.0
            if not used and w > room:
                lines += math.ceil(w / room) - 1
                w %= room
            used += w if not used else text_width(" " + word, bold, 1.05)
    return lines


def fit_text(ws, cap: float = FIT_CAP) -> None:
    """Within the print area: a column whose text would run into a filled cell on its right is widened to fit
    the longest such text that fits in ``cap`` (or in its own width if wider); longer text is wrapped, and every row with wrapped
    text is made tall enough for it (the height is set: no spreadsheet has to fit it on opening), its cells
    aligned at the top so that a label and its figures stay on one line."""
    area = ws.print_area.split(",")[0].split("!")[-1].replace("$", "") if ws.print_area else ws.dimensions
    first_col, first_row, last_col, last_row = range_boundaries(area)
    width = {c: ws.column_dimensions[get_column_letter(c)].width or DEFAULT_WIDTH if get_column_letter(c) in
             ws.column_dimensions else DEFAULT_WIDTH for c in range(first_col, last_col + 1)}
    cramped, wrapped = [], []
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for c in row:
            if not isinstance(c.value, str) or c.data_type != "s":
                continue
            if c.alignment is not None and c.alignment.wrap_text:
                wrapped.append(c)
            elif ws.cell(row=c.row, column=c.column + 1).value not in (None, ""):
                cramped.append((c, _cell_text_width(c)))
    need = {}
    for c, w in cramped:
        if w <= max(width[c.column], cap):
            need[c.column] = max(need.get(c.column, 0), w)
    for col, w in need.items():
        if w > width[col]:
            width[col] = w
            ws.column_dimensions[get_column_letter(col)].width = round(w, 1)
    for c, w in cramped:
        if w > width[c.column]:
            a = c.alignment
            c.alignment = Alignment(horizontal=a.horizontal, vertical="top", wrap_text=True, indent=a.indent)
            wrapped.append(c)
    heights = {}
    for c in wrapped:
        heights[c.row] = max(heights.get(c.row, 0), _lines(c, width.get(c.column, DEFAULT_WIDTH)) * LINE_HEIGHT)
    for r, h in heights.items():
        if h > (ws.row_dimensions[r].height or LINE_HEIGHT):
            ws.row_dimensions[r].height = h
            for c in ws[r][first_col - 1:last_col]:
                if c.value is not None and c.alignment.vertical != "top":
                    a = c.alignment
                    c.alignment = Alignment(horizontal=a.horizontal, vertical="top", wrap_text=a.wrap_text, indent=a.indent)


def _escape(text: str) -> str:
    """Header/footer text: '&' starts a code there, so a literal one is doubled."""
    return re.sub("&", "&&", text)

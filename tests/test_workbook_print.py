"""The workbook prints as a committee pack: A4 landscape, one page wide, headers and footers, at most 40 pages.

The page setup is read back with openpyxl; the page counts come from
LibreOffice's PDF export (one call for the default print areas of the whole
workbook, one for `finmodel report --pdf`).
"""

from __future__ import annotations

import math
import os

import openpyxl
import pytest
from openpyxl.utils import get_column_letter, range_boundaries

import finmodel
from finmodel.cli import main
from finmodel.excel.calc import CONSOLIDATED_SHEET, TIME_SHEET
from finmodel.excel.printing import PACK, fit_text
from finmodel.recalc import export_pdf, find_soffice, pdf_pages

MAX_PAGES = 40


@pytest.fixture(scope="module")
def report(default_results, default_report):
    path, layout = default_report
    return default_results, path, layout, openpyxl.load_workbook(path)


def test_every_sheet_prints_a4_landscape_one_page_wide_with_header_and_footer(report):
    res, _, _, wb = report
    for ws in wb.worksheets:
        ps = ws.page_setup
        assert (ps.orientation, int(ps.paperSize)) == ("landscape", 9), ws.title  # 9: A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage and int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0
        assert "&A" in ws.oddHeader.left.text, ws.title  # the sheet's name
        assert ws.oddFooter.center.text == "Page &P of &N"
        assert finmodel.__version__ in ws.oddFooter.left.text
        assert res.inputs.digest()[:16] in ws.oddFooter.right.text


def test_pack_sheets_repeat_their_titles_and_calc_sheets_print_their_title_only(report):
    _, _, layout, wb = report
    for name in ("Inputs", "Checks", "Statements", "Annual"):
        assert wb[name].print_title_rows, name
    # the whole plan's rows in one range: the header rows print as titles, not as a page of their own
    assert wb["Annual"].print_title_rows == "$1:$4" and "," not in wb["Annual"].print_area
    calc = [lay.sheet for lay in layout.calc.values()]
    assert TIME_SHEET in calc and CONSOLIDATED_SHEET in calc
    for name in calc:
        assert wb[name].print_area == f"'{name}'!$A$1:$D$2" or wb[name].print_area == f"{name}!$A$1:$D$2", name
    assert set(PACK) <= set(wb.sheetnames)


def test_libreoffice_prints_the_workbook_and_the_pack_within_40_pages(report, tmp_path):
    if find_soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: run scripts/setup.sh")
        pytest.skip("LibreOffice not installed (run scripts/setup.sh)")
    _, path, _, _ = report
    whole = pdf_pages(export_pdf(path, tmp_path / "whole.pdf"))
    assert 15 <= whole <= MAX_PAGES, whole
    out = tmp_path / "cli" / "pack.xlsx"
    assert main(["report", "--no-risk", "--pdf", "--out", str(out)]) == 0
    pack = pdf_pages(out.with_suffix(".pdf"))
    assert 10 <= pack < whole, (pack, whole)  # the pack leaves out the calc sheets' title pages and Annual


#: no printed text is narrower than this many column-width units (digit widths) a character on average
MIN_CHAR_WIDTH = 0.8


def _width(ws, col: int) -> float:
    letter = get_column_letter(col)
    return (ws.column_dimensions[letter].width or 8.43) if letter in ws.column_dimensions else 8.43


def test_pack_text_fits_its_column_or_wraps_in_a_tall_enough_row(report):
    """Within each pack sheet's print area, a label beside a filled cell is not cut off: its column is at least
    0.8 digit widths a character wide, or it wraps in a row of at least 15 pt a line (0.8 a character)."""
    _, _, _, wb = report
    faults = []
    for name in PACK:
        ws = wb[name]
        area = ws.print_area.split(",")[0].split("!")[-1].replace("$", "") if ws.print_area else ws.dimensions
        first_col, first_row, last_col, last_row = range_boundaries(area)
        for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
            for c in row:
                if not isinstance(c.value, str) or c.data_type != "s":
                    continue
                width = _width(ws, c.column)
                if c.alignment.wrap_text:
                    lines = math.ceil(MIN_CHAR_WIDTH * len(c.value) / width)
                    if (ws.row_dimensions[c.row].height or 15) < 15 * lines:
                        faults.append((name, c.coordinate, "row too short", c.value[:40]))
                elif ws.cell(row=c.row, column=c.column + 1).value not in (None, "") and \
                        MIN_CHAR_WIDTH * len(c.value) > width:
                    faults.append((name, c.coordinate, "cut off", c.value[:40]))
    assert not faults, faults[:10]


def test_inputs_columns_hold_their_longest_texts(report):
    """The Inputs sheet's name, unit and allowed-range columns are as wide as their longest entries (at 0.8 a
    character), the scenario columns as their names; the allowed range is indented off the live value."""
    _, _, layout, wb = report
    ws = wb["Inputs"]
    rows = sorted(layout.inputs.rows.values())
    for col in (1, 3, 5):
        longest = max(len(str(ws.cell(row=r, column=col).value or "")) for r in rows)
        assert _width(ws, col) >= MIN_CHAR_WIDTH * longest, (col, longest, _width(ws, col))
    assert max(len(str(ws.cell(row=r, column=5).value)) for r in rows) > 40  # wider than the column was
    assert all(ws.cell(row=r, column=5).alignment.indent >= 1 for r in rows)
    for name, col in layout.inputs.scenario_cols.items():
        assert _width(ws, col) >= MIN_CHAR_WIDTH * len(name), name


def test_announcement_flags_print_as_1_or_0(report):
    _, _, _, wb = report
    ws = wb["Announcements"]
    flags = [ws.cell(row=r, column=11) for r in range(5, ws.max_row + 1) if ws.cell(row=r, column=11).value]
    assert flags and all(c.number_format == "0" for c in flags)  # LibreOffice shows TRUE/FALSE otherwise


def test_fit_text_widens_wraps_and_leaves_alone_by_hand():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"], ws["B1"] = "x" * 30, "next"  # runs into B1: A widened to at least 30 x's
    ws["C2"] = "y" * 30  # nothing on its right: C keeps its width
    ws["A3"], ws["B3"] = "z" * 20, 1
    ws["D1"], ws["E1"] = "long words " * 20, "next"  # 220 characters: more than the cap, so it wraps
    ws.column_dimensions["A"].width = 10
    c_width = ws.column_dimensions["C"].width
    fit_text(ws, cap=40)
    assert 30 * 0.9 <= ws.column_dimensions["A"].width <= 40
    assert ws.column_dimensions["C"].width == c_width
    d = ws.column_dimensions["D"].width or 8.43
    assert d < 40 and ws["D1"].alignment.wrap_text and ws["D1"].alignment.vertical == "top"
    lines = math.ceil(220 * 0.8 / d)  # at least this many lines at 0.8 a character
    assert ws.row_dimensions[1].height >= 15 * lines
    assert ws["B1"].alignment.vertical == "top"  # the row's other cells start at its top, beside the label
    assert ws.row_dimensions[3].height is None  # a row without wrapped text keeps its height

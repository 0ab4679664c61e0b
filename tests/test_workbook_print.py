"""The workbook prints as a committee pack: A4 landscape, one page wide, headers and footers, at most 40 pages.

The page setup is read back with openpyxl; the page counts come from
LibreOffice's PDF export (one call for the default print areas of the whole
workbook, one for `finmodel report --pdf`).
"""

from __future__ import annotations

import os

import openpyxl
import pytest

import finmodel
from finmodel.cli import main
from finmodel.excel.calc import CONSOLIDATED_SHEET, TIME_SHEET
from finmodel.excel.printing import PACK
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

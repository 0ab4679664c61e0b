"""The report's Scenarios, Sensitivity and Monte Carlo sheets carry the Python figures."""

import openpyxl
import pytest

import finmodel
from finmodel.cli import main
from finmodel.montecarlo import monte_carlo
from finmodel.sensitivity import tornado


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    out = tmp_path_factory.mktemp("risk") / "report.xlsx"
    assert main(["report", "--out", str(out), "--draws", "300", "--seed", "7"]) == 0
    return openpyxl.load_workbook(out)


def test_sheet_order_and_charts(book):
    names = book.sheetnames
    assert names.index("Announcements") < names.index("Scenarios") < names.index("Sensitivity") \
        < names.index("Monte Carlo") < names.index("Checks")
    assert book["Sensitivity"]._charts and book["Monte Carlo"]._charts


def test_monte_carlo_sheet_matches_a_rerun_with_the_same_seed(book):
    mc = monte_carlo(300, seed=7)
    p = mc.percentiles().loc[("total", "npv")]
    ws = book["Monte Carlo"]
    row = next(r for r in range(5, ws.max_row + 1)
               if ws.cell(row=r, column=1).value == "total" and ws.cell(row=r, column=2).value == "npv")
    assert [ws.cell(row=row, column=c).value for c in (4, 5, 6)] == pytest.approx([p.p10, p.p50, p.p90], rel=1e-12)


def test_sensitivity_sheet_matches_tornado(book):
    t = tornado()
    ws = book["Sensitivity"]
    first = t.iloc[0]
    assert ws["A6"].value == first["label"]
    assert ws["E6"].value == pytest.approx(first["npv_low"], rel=1e-12)
    assert ws["F6"].value == pytest.approx(first["npv_high"], rel=1e-12)


def test_scenarios_sheet_has_every_scenario(book):
    ws = book["Scenarios"]
    seen = {ws.cell(row=r, column=1).value for r in range(6, ws.max_row + 1)}
    assert set(finmodel.list_scenarios().name) <= seen

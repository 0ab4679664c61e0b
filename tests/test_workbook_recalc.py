"""The exported workbook, recalculated by headless LibreOffice Calc, gives Python's numbers.

One LibreOffice call recalculates five workbooks: the default report and four
copies edited the way a user would (discount rate, GPU price, power price,
scenario drop-down). In CI this must run: a missing LibreOffice fails.
Comparison rule (DESIGN.md): |lo - py| <= 1e-9 x max(|py|, largest |value| in the row),
because LibreOffice keeps 15 significant digits and snaps near-cancelling sums to 0.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import numpy as np
import openpyxl
import pytest

import finmodel
import finmodel.cli
from finmodel.excel.calc import period_columns
from finmodel.excel.inputs_sheet import SHEET as INPUTS_SHEET
from finmodel.excel.readback import read_inputs_from_workbook
from finmodel.excel.report_sheets import HEADLINE_NAMES
from finmodel.excel.writer import write_report
from finmodel.recalc import find_soffice, recalculate
from finmodel.results import SUMMARY_COLUMNS

REL = 1e-9
EXCEL_EPOCH = dt.datetime(1899, 12, 30)

#: the user's edits: workbook input name -> new value, and the same as Python overrides
EDITS = {
    "discount": ({"discount_rate": 0.08}, {"discount_rate": 0.08}),
    "gpu_price": ({f"{p}_gpu_price_usd": 52_000.0 for p in ("alixan", "grand_est_a", "grand_est_b", "south")},
                  {f"{p}.gpu_price_usd": 52_000.0 for p in ("alixan", "grand_est_a", "grand_est_b", "south")}),
    "power": ({"power_price_eur_per_mwh": 95.0}, {"power_price_eur_per_mwh": 95.0}),
}


def _need_soffice():
    if find_soffice() is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing in CI: run scripts/setup.sh")
        pytest.skip("LibreOffice not installed (run scripts/setup.sh)")


def _number(v):
    if isinstance(v, dt.datetime):
        return float((v - EXCEL_EPOCH).days)
    return v


def _close(lo, py: float, scale: float) -> bool:
    if not np.isfinite(py):
        return isinstance(lo, str) or lo is None  # an error cell (e.g. #DIV/0!, #N/A) where Python has NaN
    lo = _number(lo)
    return isinstance(lo, (int, float)) and abs(lo - py) <= REL * max(abs(py), scale)


def _edit(src, dst, *, values=None, scenario=None):
    wb = openpyxl.load_workbook(src)
    ws = wb[INPUTS_SHEET]
    if scenario is not None:
        ws["C3"].value = scenario
    selected = ws["C3"].value
    col = next(c for c in range(6, ws.max_column + 1) if ws.cell(row=5, column=c).value == selected)
    rows = {ws.cell(row=r, column=1).value: r for r in range(6, ws.max_row + 1)}
    for name, value in (values or {}).items():
        ws.cell(row=rows[name], column=col).value = value
    wb.save(dst)


@pytest.fixture(scope="module")
def books(tmp_path_factory):
    """Python results and recalculated workbooks: {case: (Results, openpyxl values workbook, layout, path)}."""
    _need_soffice()
    tmp = tmp_path_factory.mktemp("recalc")
    base = finmodel.run()
    path, layout = write_report(base, tmp / "in" / "default.xlsx", finmodel.__version__)
    cases = {"default": (base, path)}
    for name, (values, overrides) in EDITS.items():
        dst = tmp / "in" / f"{name}.xlsx"
        _edit(path, dst, values=values)
        cases[name] = (finmodel.run(overrides=overrides), dst)
    dst = tmp / "in" / "scenario_feb.xlsx"
    _edit(path, dst, scenario="feb_2025")
    cases["scenario_feb"] = (finmodel.run("feb_2025"), dst)
    outs = recalculate([p for _, p in cases.values()], tmp / "out")
    return {name: (res, openpyxl.load_workbook(out, data_only=True), layout, src)
            for (name, (res, src)), out in zip(cases.items(), outs)}


def _compare_calc_sheets(res, wb, layout) -> tuple[int, list[str]]:
    cols = period_columns(res.inputs.periods)
    compared, bad = 0, []
    for entity, lay in layout.calc.items():
        ws = wb[lay.sheet]
        values = res.time if entity == "time" else res.values[entity]
        for it in lay.items:
            r = lay.rows[it.name]
            py = np.asarray(values[it.name], dtype=float).reshape(-1)
            cells = [ws[f"C{r}"].value] if it.kind == "scalar" else [ws[f"{c}{r}"].value for c in cols]
            finite = py[np.isfinite(py)]
            scale = float(np.max(np.abs(finite))) if finite.size else 0.0
            for k, (lo, p) in enumerate(zip(cells, py)):
                compared += 1
                if not _close(lo, p, scale):
                    bad.append(f"{lay.sheet} {it.name} [{k}]: LibreOffice {lo!r} vs Python {p!r}")
    return compared, bad


def test_every_calc_cell_matches_python(books):
    res, wb, layout, _ = books["default"]
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert compared > 70_000  # every monthly row of Time, each phase and Consolidated, and every scalar
    assert not bad, f"{len(bad)} of {compared} cells differ, e.g. {bad[:5]}"


def test_annual_rows_match_python(books):
    res, wb, layout, _ = books["default"]
    ws = wb["Annual"]
    annual = res.annual.set_index(["phase", "line_item", "year"]).value
    n = 0
    for (entity, item), r in layout.annual_rows.items():
        row = [annual[(entity, item, y)] for y in layout.years]
        scale = max(abs(v) for v in row)
        for k, y in enumerate(layout.years):
            lo = ws.cell(row=r, column=4 + k).value
            assert _close(lo, annual[(entity, item, y)], scale), (entity, item, y, lo, annual[(entity, item, y)])
            n += 1
    assert n > 1000


def _named(wb, name):
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return wb[sheet.strip("'")][ref.replace("$", "")].value


def test_headline_names_dashboard_and_checks(books):
    res, wb, layout, _ = books["default"]
    for name, item in HEADLINE_NAMES.items():
        assert _close(_named(wb, name), res.scalar("total", item), 0.0), name
    assert _named(wb, "Check_Master") == 1
    checks = wb["Checks"]
    values = [checks.cell(row=r, column=3).value for r in range(6, checks.max_row + 1)
              if checks.cell(row=r, column=3).value is not None]
    assert len(values) >= 10 and all(v == 1 for v in values)
    dash = wb["Dashboard"]
    for k, entity in enumerate(res.entities, start=7):
        assert dash.cell(row=k, column=2).value == entity
        for j, col in enumerate(SUMMARY_COLUMNS, start=3):
            assert _close(dash.cell(row=k, column=j).value, res.summary.loc[entity, col], 0.0), (entity, col)


@pytest.mark.parametrize("case", [*EDITS, "scenario_feb"])
def test_workbook_edits_recalculate_like_python_overrides(books, case):
    res, wb, layout, _ = books[case]
    default_npv = books["default"][0].scalar("total", "npv")
    assert res.scalar("total", "npv") != pytest.approx(default_npv, rel=1e-6)  # the edit matters
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert not bad, f"{case}: {len(bad)} of {compared} cells differ, e.g. {bad[:5]}"
    assert _named(wb, "Check_Master") == 1


def test_edited_workbook_reads_back_into_python(books, tmp_path):
    """`--inputs-from` and the API reproduce the recalculated outputs of a user's edited workbook."""
    _, wb, layout, src = books["gpu_price"]
    inputs = read_inputs_from_workbook(src)
    res = finmodel.run(inputs=inputs)
    for name, item in HEADLINE_NAMES.items():
        assert _close(_named(wb, name), res.scalar("total", item), 0.0), name
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert not bad, bad[:5]
    # the same through the command line: a report written from the edited workbook
    out = tmp_path / "from_edited.xlsx"
    assert finmodel.cli.main(["report", "--inputs-from", str(src), "--out", str(out)]) == 0
    again = read_inputs_from_workbook(out)
    assert finmodel.run(inputs=again).scalar("total", "npv") == pytest.approx(res.scalar("total", "npv"), rel=1e-12)


def test_feb_scenario_from_the_drop_down_has_alixan_at_40_mw(books):
    res, wb, layout, _ = books["scenario_feb"]
    r = layout.calc["alixan"].rows["it_mw_full"]
    assert wb[layout.calc["alixan"].sheet][f"C{r}"].value == 40

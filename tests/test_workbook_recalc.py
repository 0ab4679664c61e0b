"""The exported workbook stores Python's numbers, and recalculated by headless LibreOffice Calc and by
Gnumeric it gives them again.

One LibreOffice call recalculates eight workbooks: the default report and seven
copies edited the way a user would (discount rate, GPU price, power price,
scenario drop-down to feb_2025, no_debt, merchant and contracted). In CI this must run: a missing
LibreOffice fails.
Comparison rule (DESIGN.md): |lo - py| <= 1e-9 x max(|py|, largest |value| in the row),
because LibreOffice keeps 15 significant digits and snaps near-cancelling sums to 0.
Identity rows that are 0 up to rounding (balance check, cash check) are
compared relative to the entity's largest total assets instead: their own
largest value is rounding noise.

The financing sheets (Sources & Uses, Debt, Statements) are compared with
Results.sources_uses, Results.debt (and its ``dscr_by_year``) and
Results.statements. The workbook's annual DSCR follows the model's convention:
``dscr_cap`` in years without debt service and at most ``dscr_cap``; Python's
table has NaN and the uncapped ratio, so it is compared as min(dscr_cap, dscr),
dscr_cap where NaN.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest

import finmodel
import finmodel.cli
from finmodel.excel.calc import period_columns
from finmodel.excel.finance_sheets import DEBT_SHEET, SOURCES_USES_SHEET, STATEMENTS_SHEET
from finmodel.excel.inputs_sheet import SHEET as INPUTS_SHEET
from finmodel.excel.readback import read_inputs_from_workbook
from finmodel.excel.report_sheets import HEADLINE_NAMES, SUMMARY_FLAGGED
from finmodel.excel.style import FIRST_YEAR_COL
from finmodel.excel.writer import write_report
from finmodel.recalc import find_soffice, find_ssconvert, recalculate, recalculate_gnumeric
from finmodel.registry import PHASE_ITEMS
from finmodel.items.debt import TRANCHES
from finmodel.results import SUMMARY_COLUMNS, TOTAL
from finmodel.timeline import from_serial

REL = 1e-9
EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: rows that are 0 up to rounding, or can be (sums of near-cancelling flows): compared relative to the largest
#: value of these rows of the same entity as well
IDENTITY_SCALE = {"balance_check": ("total_assets",), "cash_check": ("total_assets",),
                  "cf_net": ("cf_operations", "cf_investing", "cf_financing"),
                  # cash held is max(0, previous + the month's flows): 0 up to rounding when the reserve and
                  # debt service cancel, so it is compared at the scale of the operating cash flow
                  "cash": ("cf_operations",),
                  # whole-horizon lines that net to 0 (the reserve and working capital are released at the end)
                  "horizon_use_reserves": ("horizon_uses",), "horizon_gap": ("horizon_uses",)}

#: the user's edits: workbook input name -> new value, and the same as Python overrides
EDITS = {
    "discount": ({"discount_rate": 0.08}, {"discount_rate": 0.08}),
    "gpu_price": ({"gb300_gpu_price_usd": 56_000.0, "rubin_kw_per_gpu": 3.3},
                  {"gb300.gpu_price_usd": 56_000.0, "rubin.kw_per_gpu": 3.3}),
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


def _edit(src, edits: dict) -> None:
    """Save edited copies of the workbook ``src`` as a user would make them: {dst: (values, scenario)}, where
    ``values`` maps Inputs names to new values in the selected scenario's column and ``scenario`` (or None)
    is the drop-down's new choice. ``src`` is read once; each copy holds only its own edit."""
    wb = openpyxl.load_workbook(src)
    ws = wb[INPUTS_SHEET]
    rows = {ws.cell(row=r, column=1).value: r for r in range(6, ws.max_row + 1)}
    for dst, (values, scenario) in edits.items():
        cells = [ws["C3"]]
        if scenario is not None:
            ws["C3"].value = scenario
        col = next(c for c in range(6, ws.max_column + 1) if ws.cell(row=5, column=c).value == ws["C3"].value)
        cells += [ws.cell(row=rows[name], column=col) for name in values or {}]
        before = [c.value for c in cells]
        for name, value in (values or {}).items():
            ws.cell(row=rows[name], column=col).value = value
        wb.save(dst)
        for c, v in zip(cells, before):
            c.value = v


#: a small plan started mid-year (its horizon ends in June: the last month closes the year), with every
#: tranche, grants, tax, reserve and working capital: the financing sheets' year-end and drawdown logic by hand scale
MIDYEAR_PLAN = dict(senior_share=0.5, senior_profile=1, senior_fee=0.01, gpu_debt_share=0.4, gpu_debt_profile=2,
                    vendor_share=0.2, vendor_profile=1, base_rate=0.03, dsra_months=3, working_capital_months=1,
                    corporate_tax_rate=0.25, grant_share=0.1)


@pytest.fixture(scope="module")
def books(default_results, default_report, tmp_path_factory):
    """Python results and recalculated workbooks: {case: (Results, openpyxl values workbook, layout, path)}."""
    from conftest import HAND_PHASE, HAND_PLAN, write_inputs

    _need_soffice()
    tmp = tmp_path_factory.mktemp("recalc")
    base = default_results
    (tmp / "in").mkdir()
    path, layout = Path(shutil.copyfile(default_report[0], tmp / "in" / "default.xlsx")), default_report[1]
    cases = {"default": (base, path, layout)}
    edits = {}
    for name, (values, overrides) in EDITS.items():
        edits[tmp / "in" / f"{name}.xlsx"] = (values, None)
        cases[name] = (finmodel.run(overrides=overrides), tmp / "in" / f"{name}.xlsx", layout)
    for case, scenario in (("scenario_feb", "feb_2025"), ("scenario_no_debt", "no_debt"),
                           ("scenario_merchant", "merchant"), ("scenario_contracted", "contracted"),
                           ("scenario_colocation", "colocation")):
        edits[tmp / "in" / f"{case}.xlsx"] = (None, scenario)
        cases[case] = (finmodel.run(scenario), tmp / "in" / f"{case}.xlsx", layout)
    # inputs Python refuses, typed into the workbook: utilisation above 1, no month of construction for Alixan
    construction = dt.datetime.combine(from_serial(float(base.inputs.values["alixan.construction_start"])), dt.time())
    edits[tmp / "in" / "edge.xlsx"] = ({"utilisation": 1.5, "alixan_stage1_online": construction}, None)
    cases["edge"] = (base, tmp / "in" / "edge.xlsx", layout)  # no Python run: its inputs are invalid
    _edit(path, edits)
    # risk sheets (a scenario table is enough) computed for nov_2025, then the drop-down switched to feb_2025
    from finmodel.compare import compare
    from finmodel.excel.risk_sheets import RiskTables

    risky, _ = write_report(base, tmp / "risky" / "risky.xlsx", finmodel.__version__,
                            RiskTables(scenarios=compare(["nov_2025", "feb_2025"])))
    _edit(risky, {tmp / "in" / "risk_stale.xlsx": (None, "feb_2025")})
    cases["risk_fresh"] = (base, risky, layout)
    cases["risk_stale"] = (finmodel.run("feb_2025"), tmp / "in" / "risk_stale.xlsx", layout)
    inputs = write_inputs(tmp / "midyear_inputs", HAND_PLAN | MIDYEAR_PLAN, {"p": HAND_PHASE}, start="2024-07",
                          horizon_years=2)
    small = finmodel.run(inputs_dir=inputs)
    cases["midyear"] = (small, *write_report(small, tmp / "in" / "midyear.xlsx", finmodel.__version__))
    outs = _recalculate_in_parallel([p for _, p, _ in cases.values()], tmp / "out")
    return {name: (res, openpyxl.load_workbook(out, data_only=True), lay, src)
            for (name, (res, src, lay)), out in zip(cases.items(), outs)}


def _recalculate_in_parallel(paths: list[Path], outdir: Path, calls: int = 2) -> list[Path]:
    """recalculate(paths, outdir) split into ``calls`` LibreOffice calls running at once (each has its own
    profile), every workbook recalculated once: the suite's slowest fixture can use more than one core."""
    from concurrent.futures import ThreadPoolExecutor

    shares = [paths[k::calls] for k in range(calls)]
    with ThreadPoolExecutor(calls) as pool:
        done = list(pool.map(lambda k: recalculate(shares[k], outdir / str(k)), range(calls)))
    outs = [None] * len(paths)
    for k, share_outs in enumerate(done):
        outs[k::calls] = share_outs
    return outs


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
            if "irr" in it.name:  # both root-finders stop at a tolerance on the rate: a rate near 0 is compared absolutely
                scale = max(scale, 1.0)
            if it.name in IDENTITY_SCALE and entity != "time":
                scale = max([scale, *(float(np.max(np.abs(np.asarray(values[o])))) for o in IDENTITY_SCALE[it.name])])
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
    units = {it.name: it.unit for it in PHASE_ITEMS}
    n = 0
    for (entity, item), r in layout.annual_rows.items():
        row = [annual[(entity, item, y)] for y in layout.years]
        # EUR rows to a thousandth of a euro at least: a row that is zero by identity (the net cash flow)
        # holds float noise of about 1e-7 EUR left from flows of EUR 1e10
        scale = max(1e6 if units[item] == "EUR" else 0.0, *(abs(v) for v in row))
        for k, y in enumerate(layout.years):
            lo = ws.cell(row=r, column=FIRST_YEAR_COL + k).value
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
    values = [v for _, v in _checks(wb)]
    assert len(values) >= 10 and all(v == 1 for v in values)
    dash = wb["Dashboard"]
    for k, entity in enumerate(res.entities, start=7):
        assert dash.cell(row=k, column=2).value == entity
        for j, col in enumerate(SUMMARY_COLUMNS, start=3):
            py = res.summary.loc[entity, col]
            if col in SUMMARY_FLAGGED and not np.isfinite(py):  # does not apply: 0, which the format shows as text
                flag, fmt = SUMMARY_FLAGGED[col]
                assert dash.cell(row=k, column=j).value == 0 and fmt.endswith('"'), (entity, col)
                assert res.scalar(entity, flag) == 0
                continue
            assert _close(dash.cell(row=k, column=j).value, py, 0.0), (entity, col)
    # discount rate (input) beside the WACC the financing structure implies
    assert _close(dash["G3"].value, float(res.inputs.values["discount_rate"]), 0.0)
    assert _close(dash["I3"].value, res.summary.loc["total", "wacc"], 0.0)


@pytest.mark.parametrize("case", [*EDITS, "scenario_feb", "scenario_merchant", "scenario_contracted", "scenario_colocation"])
def test_workbook_edits_recalculate_like_python_overrides(books, case):
    res, wb, layout, _ = books[case]
    default_npv = books["default"][0].scalar("total", "npv")
    assert res.scalar("total", "npv") != pytest.approx(default_npv, rel=1e-6)  # the edit matters
    compared, bad = _compare_calc_sheets(res, wb, layout)
    fin_compared, fin_bad = _compare_finance_sheets(res, wb, layout)
    assert not bad + fin_bad, (f"{case}: {len(bad)} of {compared} calc cells and {len(fin_bad)} of {fin_compared} "
                               f"financing cells differ, e.g. {(bad[:3] + fin_bad[:3])}")
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
    assert finmodel.cli.main(["report", "--no-risk", "--inputs-from", str(src), "--out", str(out)]) == 0
    again = read_inputs_from_workbook(out)
    assert finmodel.run(inputs=again).scalar("total", "npv") == pytest.approx(res.scalar("total", "npv"), rel=1e-12)


def _error_cells(wb) -> list[str]:
    return [f"{ws.title}!{c.coordinate}: {c.value}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str) and c.value.startswith("#") and c.value[1:2].isupper()]


def test_colocation_from_the_drop_down_has_no_gpus_and_no_error_values(books):
    res, wb, layout, _ = books["scenario_colocation"]
    for e, lay in layout.calc.items():
        if e == "time":
            continue
        ws = wb[lay.sheet]
        for item in ("gpus_full", "lcoc", "lcoc_pflop", "has_gpu_hours", "gpu_debt_commitment"):
            assert ws[f"C{lay.rows[item]}"].value == 0, (e, item)
        assert ws[f"D{lay.rows['revenue_colocation']}"].value > 0
    dash = wb["Dashboard"]
    col = 3 + list(SUMMARY_COLUMNS).index("lcoc_eur_per_gpu_hour")
    cells = [dash.cell(row=k, column=col) for k in range(7, 7 + len(res.entities))]
    assert all(c.value == 0 for c in cells)  # 0 shown as "n/a" by the number format
    errors = _error_cells(wb)
    assert not errors, f"error values in the colocation scenario: {errors[:5]}"


def test_feb_scenario_from_the_drop_down_has_alixan_at_40_mw(books):
    res, wb, layout, _ = books["scenario_feb"]
    r = layout.calc["alixan"].rows["it_mw_full"]
    assert wb[layout.calc["alixan"].sheet][f"C{r}"].value == 40


# --- financing sheets: Sources & Uses, Debt, Statements --------------------------------------

def _checks(wb) -> list[tuple[str, object]]:
    """(label, value) of every check above the master check on the Checks sheet."""
    sheet, ref = wb.defined_names["Check_Master"].attr_text.split("!")
    ws = wb[sheet.strip("'")]
    master = int(ref.replace("$", "").lstrip("C"))
    return [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value) for r in range(6, master)
            if ws.cell(row=r, column=3).value is not None]


def _dscr_cap(res) -> float:
    return float(np.asarray(res.inputs.values["dscr_cap"]).reshape(-1)[0])


def _compare_finance_sheets(res, wb, layout) -> tuple[int, list[str]]:
    """Every Sources & Uses, Debt and Statements cell against Results; (cells compared, differences)."""
    fin = layout.finance
    compared, bad = 0, []

    def check(where, lo, py, scale):
        nonlocal compared
        compared += 1
        if not _close(lo, py, scale):
            bad.append(f"{where}: LibreOffice {lo!r} vs Python {py!r}")

    ws = wb[SOURCES_USES_SHEET]
    su = res.sources_uses
    assert set(fin.su_rows) == set(su.index), "Sources & Uses lines differ from Results.sources_uses"
    assert list(fin.su_cols) == list(su.columns)
    for key, r in fin.su_rows.items():
        scale = float(su.loc[key].abs().max())
        for e, c in fin.su_cols.items():
            check(f"{ws.title} {key} {e}", ws.cell(row=r, column=c).value, su.loc[key, e], scale)
    horizon = res.sources_uses_horizon
    assert set(fin.suh_rows) == set(horizon.index), "whole-horizon lines differ from Results.sources_uses_horizon"
    for key, r in fin.suh_rows.items():
        for e, c in fin.suh_cols.items():  # lines that net to 0 (reserves released at the end): at the uses' scale
            check(f"{ws.title} horizon {key} {e}", ws.cell(row=r, column=c).value, horizon.loc[key, e],
                  max(float(horizon.loc[key].abs().max()), abs(horizon.loc[("Uses", "Total uses"), e])))
    for e, c in fin.suh_cols.items():
        check(f"{ws.title} horizon difference {e}", ws.cell(row=fin.suh_diff_row, column=c).value, 0.0,
              abs(horizon.loc[("Uses", "Total uses"), e]))
    for e, c in fin.su_cols.items():
        check(f"{ws.title} difference {e}", ws.cell(row=fin.su_diff_row, column=c).value, 0.0,
              abs(su.loc[("Uses", "Total uses"), e]))
        check(f"{ws.title} peak funding {e}", ws.cell(row=fin.su_peak_row, column=c).value,
              res.scalar(e, "peak_funding"), 0.0)
        month = ws.cell(row=fin.su_peak_month_row, column=c).value
        want = from_serial(res.scalar(e, "peak_funding_month"))
        if not (isinstance(month, dt.datetime) and month.date() == want):
            bad.append(f"{ws.title} peak funding month {e}: {month!r} vs {want}")

    ws = wb[DEBT_SHEET]
    debt = res.debt.set_index(["phase", "tranche", "line", "year"]).value
    for (e, n, fld), r in fin.debt_rows.items():
        row = [debt[(e, n, fld, y)] for y in fin.years]
        scale = max(abs(v) for v in row)
        for k, py in enumerate(row):
            check(f"{ws.title} {e} {n} {fld} {fin.years[k]}", ws.cell(row=r, column=3 + k).value, py, scale)
    cover = res.debt.attrs["dscr_by_year"].set_index(["phase", "year"])
    cap = _dscr_cap(res)
    for (e, key), r in fin.cover_rows.items():
        if key == "debt_outstanding":  # the tranches' scheduled balances less what the cash sweep prepaid
            swept = res.values[e]["senior_balance"] - res.values[e]["senior_balance_swept"]
            year, year_end = (np.asarray(res.time[k]).reshape(-1) for k in ("year", "year_end"))
            row = [sum(debt[(e, n, "balance", y)] for n, _, _ in TRANCHES)
                   - float(np.sum(np.asarray(swept).reshape(-1) * (year == y) * year_end)) for y in fin.years]
        elif key == "sweep_prepayment":
            year = np.asarray(res.time["year"]).reshape(-1)
            row = [float(np.sum(np.asarray(res.values[e]["senior_prepayment"]).reshape(-1) * (year == y))) for y in fin.years]
        elif key in ("cfads", "debt_service", "it_secured_debt", "it_book_value"):
            row = [cover.loc[(e, y), key] for y in fin.years]
        else:
            ratio = [cover.loc[(e, y), "dscr"] for y in fin.years]
            row = [min(cap, x) if np.isfinite(x) else cap for x in ratio]
        finite = [abs(v) for v in row if np.isfinite(v)]
        scale = max(finite) if key != "dscr" and finite else 0.0
        for k, py in enumerate(row):
            check(f"{ws.title} {e} {key} {fin.years[k]}", ws.cell(row=r, column=3 + k).value, py, scale)

    ws = wb[STATEMENTS_SHEET]
    st = res.statements.set_index(["phase", "line", "year"]).value
    for (e, item), r in fin.statement_rows.items():
        row = [st[(e, item, y)] for y in fin.years]
        scale = max(abs(v) for v in row)
        if item in IDENTITY_SCALE:
            scale = max([scale, *(abs(st[(e, o, y)]) for o in IDENTITY_SCALE[item] for y in fin.years)])
        for k, py in enumerate(row):
            check(f"{ws.title} {e} {item} {fin.years[k]}", ws.cell(row=r, column=3 + k).value, py, scale)
    return compared, bad


def test_financing_sheets_match_python(books):
    res, wb, layout, _ = books["default"]
    compared, bad = _compare_finance_sheets(res, wb, layout)
    fin = layout.finance
    n_years = len(fin.years)
    assert compared >= len(fin.su_rows) * len(fin.su_cols) + (len(fin.debt_rows) + len(fin.statement_rows)) * n_years
    assert not bad, f"{len(bad)} of {compared} financing cells differ, e.g. {bad[:5]}"


def test_sources_equal_uses_and_the_announced_plan(books):
    res, wb, layout, _ = books["default"]
    fin = layout.finance
    ws = wb[SOURCES_USES_SHEET]
    total = fin.su_cols[TOTAL]
    uses, sources = fin.su_rows[("Uses", "Total uses")], fin.su_rows[("Sources", "Total sources")]
    for e, c in fin.su_cols.items():
        u, s = ws.cell(row=uses, column=c).value, ws.cell(row=sources, column=c).value
        assert u > 0 and abs(s - u) <= REL * u, (e, s, u)
    # the announcement's EUR 52 bn (seed 000), linked from the Announcements sheet's input
    assert ws.cell(row=fin.announced_row, column=total).value == _named(wb, "Announced_Plan_EUR") == 52e9
    gap = ws.cell(row=fin.announced_row + 2, column=total).value
    assert gap == pytest.approx(res.sources_uses.loc[("Uses", "Total uses"), TOTAL] / 52e9 - 1, rel=1e-9)


def test_balance_check_cells_are_zero_relative_to_total_assets(books):
    res, wb, layout, _ = books["default"]
    fin = layout.finance
    ws = wb[STATEMENTS_SHEET]
    n = 0
    for e in res.entities:
        assets = [ws.cell(row=fin.statement_rows[(e, "total_assets")], column=3 + k).value for k in range(len(fin.years))]
        scale = max(abs(a) for a in assets)
        assert scale > 1e9, (e, scale)  # the plan holds billions of assets
        for k in range(len(fin.years)):
            v = ws.cell(row=fin.statement_rows[(e, "balance_check")], column=3 + k).value
            assert isinstance(v, (int, float)) and abs(v) <= REL * scale, (e, fin.years[k], v)
            n += 1
    assert n == len(res.entities) * len(fin.years)


def test_debt_key_figures_are_the_calc_sheets_scalars(books):
    """The Debt sheet's key figures show the recalculated calc-sheet cells (DSCR figures times the has_debt flag)."""
    res, wb, layout, _ = books["default"]
    fin = layout.finance
    ws = wb[DEBT_SHEET]
    for e, r in fin.key_rows.items():
        lay = layout.calc[e]
        for item, c in fin.key_cols.items():
            shown = ws.cell(row=r, column=c).value
            if item not in lay.rows:
                assert shown == "phases only", (e, item, shown)
                continue
            calc = wb[lay.sheet][f"C{lay.rows[item]}"].value
            flag = wb[lay.sheet][f"C{lay.rows['has_debt']}"].value if item in ("min_dscr", "avg_dscr", "llcr") else 1
            assert shown == calc * flag, (e, item, shown, calc)


def test_financing_checks_feed_the_master_check(books):
    """Sources = uses, balance sheet, cash and DSCR checks are 1 and above the master; breach months are only a warning."""
    res, wb, layout, _ = books["default"]
    checks = dict(_checks(wb))
    for e in res.entities:
        assert checks[f"{e}: balance sheet balances in every month (|assets - liabilities - equity| vs total assets)"] == 1
        assert checks[f"{e}: cash-flow statement explains the change in cash in every month"] == 1
        assert checks[f"{e}: annual DSCR has a number in every year (no error values)"] == 1
        assert checks[f"{e}: sources = uses during construction (Sources & Uses)"] == 1
    assert _named(wb, "Check_Master") == 1
    # merchant only, covenant tests fail: shown as a warning, yet the master check stays 1
    res, wb, _, _ = books["scenario_merchant"]
    ws = wb["Checks"]
    breach = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=3).value for r in range(1, ws.max_row + 1)
              if "covenant tests failed" in str(ws.cell(row=r, column=1).value)}
    assert len(breach) == len(res.inputs.phases)
    assert not set(breach) & set(checks), "covenant breaches must not feed the master check"
    for p in res.inputs.phases:
        label = next(k for k in breach if k.startswith(f"{p}:"))
        assert breach[label] == res.scalar(p, "breach_months")
    assert any(v > 0 for v in breach.values()), "the merchant scenario fails covenant tests"
    assert _named(wb, "Check_Master") == 1


def test_no_debt_scenario_has_clean_financing_sheets(books):
    """Without debt: no division by zero in the annual DSCR, sources = uses, master check 1, tables as in Python."""
    res, wb, layout, _ = books["scenario_no_debt"]
    assert res.scalar(TOTAL, "debt_commitment") == 0
    compared, bad = _compare_finance_sheets(res, wb, layout)
    assert not bad, f"{len(bad)} of {compared} financing cells differ, e.g. {bad[:5]}"
    fin = layout.finance
    ws = wb[DEBT_SHEET]
    for e in res.entities:
        row = [ws.cell(row=fin.cover_rows[(e, "dscr")], column=3 + k).value for k in range(len(fin.years))]
        assert row == [_dscr_cap(res)] * len(fin.years), (e, row)
        cell = ws.cell(row=fin.key_rows[e], column=fin.key_cols["min_dscr"])
        assert cell.value == 0 and cell.number_format.endswith(';"no debt"')  # a number, shown as "no debt"
    assert all(v == 1 for _, v in _checks(wb))
    assert _named(wb, "Check_Master") == 1
    errors = _error_cells(wb)
    assert not errors, f"error values without debt: {errors[:5]}"


def test_no_debt_scenario_calc_cells_match_python(books):
    res, wb, layout, _ = books["scenario_no_debt"]
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert not bad, f"{len(bad)} of {compared} cells differ, e.g. {bad[:5]}"


def test_midyear_plan_with_every_tranche(books):
    """A horizon ending in June: the last month is the year end of the balances; every sheet as in Python."""
    res, wb, layout, _ = books["midyear"]
    assert res.periods[-1].month == 6 and layout.finance.years == [2024, 2025, 2026]
    assert all(res.scalar("p", f"{n}_commitment") > 0 for n, _, _ in TRANCHES)
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert not bad, f"{len(bad)} of {compared} cells differ, e.g. {bad[:5]}"
    compared, bad = _compare_finance_sheets(res, wb, layout)
    assert not bad, f"{len(bad)} of {compared} financing cells differ, e.g. {bad[:5]}"
    assert all(v == 1 for _, v in _checks(wb))
    assert _named(wb, "Check_Master") == 1


# --- stored values: the numbers are in the file before any recalculation ------------------------

@pytest.fixture(scope="module")
def saved(books):
    """The saved reports as written (before any recalculation), each opened once for the module:
    {case: (stored values workbook, formulas workbook)}, opened when first asked for."""
    opened = {}

    def get(case="default"):
        if case not in opened:
            src = books[case][3]
            opened[case] = (openpyxl.load_workbook(src, data_only=True), openpyxl.load_workbook(src))
        return opened[case]
    return get


def test_every_formula_cell_stores_a_value(books):
    """No formula cell of the saved report has an empty cached value (Protected View and previewers show it)."""
    import zipfile

    with zipfile.ZipFile(books["default"][3]) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        formulas = empty = 0
        for name in sheets:
            xml = z.read(name).decode()
            formulas += xml.count("<f>")
            empty += len(re.findall(r"</f><v\s*/>|</f><v></v>|</f></c>", xml))
    assert formulas > 150_000 and empty == 0, (formulas, empty)


def test_pandas_reads_the_dashboard_headlines(books):
    """pandas.read_excel, which never recalculates, finds NPV, IRR and levelized cost equal to Python."""
    import pandas as pd

    res = books["default"][0]
    dash = pd.read_excel(books["default"][3], sheet_name="Dashboard", header=None)
    header = next(k for k in range(len(dash)) if dash.iloc[k, 0] == "Phase")
    cols = {str(v): j for j, v in enumerate(dash.iloc[header])}
    for k, entity in enumerate(res.entities, start=header + 2):
        assert dash.iloc[k, 1] == entity
        for label, item in (("NPV", "npv"), ("IRR", "irr_annual"), ("Levelized cost", "lcoc")):
            assert dash.iloc[k, cols[label]] == pytest.approx(res.scalar(entity, item), rel=1e-12), (entity, label)


@pytest.mark.parametrize("case", ["default", "midyear"])
def test_stored_values_are_pythons_numbers(books, saved, case):
    """Without any recalculation, the file's calc and financing cells hold Python's values."""
    res, _, layout, _ = books[case]
    wb = saved(case)[0]
    compared, bad = _compare_calc_sheets(res, wb, layout)
    fin_compared, fin_bad = _compare_finance_sheets(res, wb, layout)
    assert not bad + fin_bad, (bad + fin_bad)[:5]
    for name, item in HEADLINE_NAMES.items():
        assert _close(_named(wb, name), res.scalar("total", item), 0.0), name
    assert _named(wb, "Check_Master") == 1


def _scalar(v):
    if isinstance(v, dt.datetime):
        return (v - EXCEL_EPOCH).total_seconds() / 86400
    return float(v) if isinstance(v, bool) else v


def _precedent_scale(stored, formulas, sheet: str, formula: str, depth: int = 3) -> float:
    """Largest |stored number| among the cells a formula reads (ranges, cells, defined names), and, ``depth``
    levels down, among the cells those read: an identity row (assets - liabilities - equity) is rounding
    noise, and so is a sum of it; its scale is that of the figures it subtracts."""
    from openpyxl.formula.tokenizer import Token, Tokenizer
    from openpyxl.utils import range_boundaries

    scale = 0.0
    for tok in Tokenizer(formula).items:
        if tok.type != Token.OPERAND or tok.subtype != Token.RANGE:
            continue
        ref = stored.defined_names[tok.value].attr_text if tok.value in stored.defined_names else tok.value
        where, _, cells = ref.rpartition("!")
        title = where.strip("'").replace("''", "'") if where else sheet
        c1, r1, c2, r2 = range_boundaries(cells.replace("$", ""))
        for row in stored[title].iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2, values_only=True):
            scale = max([scale, *(abs(_scalar(v)) for v in row if isinstance(_scalar(v), (int, float)))])
        if depth > 1:
            for row in formulas[title].iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
                for c in row:
                    if c.data_type == "f":
                        scale = max(scale, _precedent_scale(stored, formulas, title, c.value, depth - 1))
    return scale


def compare_with_stored(stored, recalculated, formulas, sheets) -> tuple[int, list[str]]:
    """Every formula cell of ``sheets``: stored value vs an engine's recalculation (errors by type; numbers
    to 1e-9 of the largest number in the row or read by the formula, as engines round near-cancelling sums)."""
    compared, bad = 0, []
    for title in sheets:
        ws, mine, theirs = formulas[title], stored[title], recalculated[title]
        for row in ws.iter_rows():
            cells = [c.coordinate for c in row if c.data_type == "f"]
            if not cells:
                continue
            numbers = [abs(x) for x in (_scalar(mine[c].value) for c in cells) if isinstance(x, (int, float))]
            scale = max(numbers, default=0.0)
            for c in cells:
                a, b = _scalar(mine[c].value), _scalar(theirs[c].value)
                compared += 1
                if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                    ok = abs(a - b) <= REL * max(abs(a), scale) or \
                        abs(a - b) <= REL * _precedent_scale(stored, formulas, title, ws[c].value)
                elif isinstance(a, str) and a.startswith("#"):
                    ok = isinstance(b, str) and b.startswith("#") or b is None
                else:
                    ok = a == b
                if not ok:
                    bad.append(f"{title}!{c}: stored {a!r}, recalculated {b!r} ({ws[c].value[:80]})")
    return compared, bad


def test_stored_values_match_libreoffice_on_every_summary_sheet(books, saved):
    """Every formula cell outside the calc sheets (evaluated in Python from its formula) equals LibreOffice's value."""
    _, lo, layout, _ = books["default"]
    calc = {lay.sheet for lay in layout.calc.values()}
    stored, formulas = saved()
    sheets = [s for s in formulas.sheetnames if s not in calc]
    compared, bad = compare_with_stored(stored, lo, formulas, sheets)
    assert compared > 10_000
    assert not bad, f"{len(bad)} of {compared} cells differ, e.g. {bad[:5]}"


# --- a second engine: Gnumeric ----------------------------------------------------------------

@pytest.fixture(scope="module")
def gnumeric(books, tmp_path_factory):
    """The default report and the feb_2025 drop-down edit (saved without values) recalculated by Gnumeric."""
    if find_ssconvert() is None:
        if os.environ.get("CI"):
            pytest.fail("Gnumeric (ssconvert) is missing in CI: run scripts/setup.sh")
        pytest.skip("Gnumeric not installed (run scripts/setup.sh)")
    cases = ("default", "scenario_feb")
    outs = recalculate_gnumeric([books[c][3] for c in cases], tmp_path_factory.mktemp("gnumeric"))
    return {c: openpyxl.load_workbook(out, data_only=True) for c, out in zip(cases, outs)}


@pytest.mark.parametrize("case", ["default", "scenario_feb"])
def test_gnumeric_matches_python_in_every_calc_cell_and_headline(books, gnumeric, case):
    res, _, layout, _ = books[case]
    wb = gnumeric[case]
    compared, bad = _compare_calc_sheets(res, wb, layout)
    assert compared > 70_000
    assert not bad, f"{len(bad)} of {compared} cells differ in Gnumeric, e.g. {bad[:5]}"
    for name, item in HEADLINE_NAMES.items():
        assert _close(_named(wb, name), res.scalar("total", item), 0.0), name
    assert _named(wb, "Check_Master") == 1


def test_gnumeric_agrees_with_the_stored_values_on_every_summary_sheet(books, gnumeric, saved):
    _, _, layout, _ = books["default"]
    calc = {lay.sheet for lay in layout.calc.values()}
    stored, formulas = saved()
    sheets = [s for s in formulas.sheetnames if s not in calc]
    compared, bad = compare_with_stored(stored, gnumeric["default"], formulas, sheets)
    assert compared > 10_000
    assert not bad, f"{len(bad)} of {compared} cells differ, e.g. {bad[:5]}"



def test_gnumeric_keeps_the_annual_print_area_as_a_range(books, gnumeric):
    """One print range below the repeated header rows: Gnumeric wrote the two-range form back as an error name
    (openpyxl then reads no print area)."""
    _, _, layout, _ = books["default"]
    total_rows = [r for (e, _), r in layout.annual_rows.items() if e == TOTAL]
    area = gnumeric["default"]["Annual"].print_area
    assert area.replace("'", "").startswith(f"Annual!$A${min(total_rows) - 1}:$"), area
    assert area.endswith(f"${max(total_rows)}") and "," not in area

# --- inputs checked in the workbook --------------------------------------------------------------

def test_out_of_range_inputs_fail_the_master_check_without_error_values(books):
    """Edge inputs typed into the workbook (bypassing validation): numbers everywhere, failed checks, master fails."""
    _, wb, _, _ = books["edge"]
    assert _named(wb, "Check_Master") == 0
    failed = {label for label, v in _checks(wb) if v == 0}
    assert "input utilisation is a number >= 0 and <= 1 [-]" in failed
    assert any(label.startswith("input alixan_stage1_online is after") for label in failed)
    assert not any(label.startswith("input discount_rate") for label in failed)
    errors = [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
              if c.value == "#DIV/0!"]
    assert not errors, f"{len(errors)} #DIV/0! cells, e.g. {errors[:5]}"


# --- risk sheets say what they were computed for ---------------------------------------------------

def test_risk_sheets_are_flagged_stale_when_the_live_scenario_changes(books):
    """Computed for nov_2025; with the drop-down on feb_2025 the Checks warning and the Dashboard banner say so."""
    fresh, stale = books["risk_fresh"][1], books["risk_stale"][1]
    digest = books["risk_fresh"][0].inputs.digest()
    assert "nov_2025" in fresh["Scenarios"]["A3"].value and digest in fresh["Scenarios"]["A3"].value
    assert _named(fresh, "Risk_Stale") == 0 and fresh["Dashboard"]["A4"].value == 0
    assert _named(stale, "Risk_Stale") >= 1 and stale["Dashboard"]["A4"].value == _named(stale, "Risk_Stale")
    assert _named(stale, "Check_Master") == 1  # a warning, not a failed check
    warnings = {stale["Checks"].cell(row=r, column=1).value: stale["Checks"].cell(row=r, column=3).value
                for r in range(1, stale["Checks"].max_row + 1)}
    assert any("Monte Carlo sheets were computed" in str(k) and v >= 1 for k, v in warnings.items())

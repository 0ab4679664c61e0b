"""The notebook API: short reprs, one unit convention, phases apart from totals, wide monthly/yearly
frames, the line-item catalogue, plots whose data are the Results values, write_report from the API
and tornado drivers of one's own."""

from __future__ import annotations

import re
import types

import numpy as np
import pandas as pd

import pytest

import finmodel
from finmodel.excel.calc import build_layouts, formulas
from finmodel.listing import excel_name
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS
from finmodel.sensitivity import FACTOR, Driver, tornado

mpl = pytest.importorskip("matplotlib")


@pytest.fixture(scope="module")
def res():
    return finmodel.run()


def flat(a) -> np.ndarray:
    return np.asarray(a, dtype=float).reshape(-1)


# --- reprs ---------------------------------------------------------------------------------

def test_results_repr_is_short_and_shows_the_headline(res):
    text = repr(res)
    assert len(text.splitlines()) < 40
    assert res.inputs.scenario in text and "res.warnings" in text
    total_line = next(line for line in text.splitlines() if line.startswith("total "))
    assert f"{res.summary.loc['total', 'npv_eur'] / 1e9:,.2f}" in total_line
    assert f"{res.summary.loc['total', 'capex_eur'] / 1e9:,.2f}" in total_line


def test_inputs_repr_is_short(res):
    text = repr(res.inputs)
    assert len(text) < 1000 and len(text.splitlines()) <= 4
    assert res.inputs.scenario in text and "list_inputs" in text


# --- tables: units, entities ------------------------------------------------------------

def test_every_table_states_its_units(res):
    long_tables = {"cashflows": res.cashflows, "annual": res.annual, "debt": res.debt, "statements": res.statements}
    for name, df in long_tables.items():
        assert df.attrs["units"] == {"value": "see column unit"}, name
        assert df["unit"].notna().all() and (df["unit"] != "").all(), name
    wide = {"summary": res.summary, "jobs": res.jobs, "cost_stack": res.cost_stack, "sources_uses": res.sources_uses,
            "time_rows": res.time_rows, "dscr_by_year": res.debt.attrs["dscr_by_year"],
            "monthly": res.monthly("fcf"), "yearly": res.yearly("fcf")}
    for name, df in wide.items():
        numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c]) and c != "year"]
        assert set(numeric) <= set(df.attrs["units"]), (name, set(numeric) - set(df.attrs["units"]))
    assert res.summary.attrs["units"]["npv_eur"] == "EUR" and res.jobs.attrs["units"]["jobs_total"] == "FTE"


def test_phase_rows_sum_to_the_total_without_counting_it_twice(res):
    for df, key in ((res.cashflows, "line_item"), (res.annual, "line_item"), (res.statements, "line")):
        assert set(df.entity_kind) == {"phase", "total"}
        assert (df.entity_kind == "total").eq(df.phase == "total").all()
    cf = res.cashflows[res.cashflows.line_item == "capex_total"]
    phases = cf[cf.entity_kind == "phase"].value.sum()
    expected = sum(flat(res.values[p]["capex_total"]).sum() for p in res.inputs.phases)
    assert phases == pytest.approx(expected, rel=1e-12)
    assert cf.value.sum() == pytest.approx(2 * expected, rel=1e-12)  # the naive sum over every row doubles


# --- monthly / yearly ---------------------------------------------------------------------

def test_monthly_is_a_wide_datetime_frame_per_entity(res):
    df = res.monthly("fcf")
    assert isinstance(df.index, pd.DatetimeIndex) and len(df) == res.inputs.periods
    assert df.index[0] == pd.Timestamp(finmodel.timeline.from_serial(res.inputs.model_start))
    assert (df.index.day == 1).all()
    assert list(df.columns) == [*res.inputs.phases, "total"]
    for e in df.columns:
        np.testing.assert_array_equal(df[e].to_numpy(), flat(res.values[e]["fcf"]))
    np.testing.assert_allclose(df[list(res.inputs.phases)].sum(axis=1), df["total"], rtol=1e-12, atol=1e-3)
    one = res.monthly("revenue", "alixan")
    assert list(one.columns) == ["alixan"] and one.attrs["units"] == {"alixan": "EUR"}


def test_yearly_sums_flows_averages_fte_and_takes_balances_at_year_end(res):
    months = res.periods
    for item, how in (("fcf", "sum"), ("jobs_total", "mean"), ("senior_balance", "last")):
        df = res.yearly(item)
        assert isinstance(df.index, pd.DatetimeIndex) and df.attrs["how"] == how
        for e in ("alixan", "total"):
            x = flat(res.values[e][item])
            for year_end, got in df[e].items():
                picked = [v for d, v in zip(months, x) if d.year == year_end.year]  # a plain loop
                want = sum(picked) if how == "sum" else sum(picked) / len(picked) if how == "mean" else picked[-1]
                assert got == pytest.approx(want, rel=1e-12, abs=1e-6), (item, e, year_end)
        assert (df.index.month == 12).all() and (df.index.day == 31).all()


def test_monthly_refuses_scalars_and_unknown_names_helpfully(res):
    with pytest.raises(KeyError, match="scalar"):
        res.monthly("npv")
    with pytest.raises(KeyError, match="did you mean"):
        res.monthly("revenu")


# --- the catalogue ------------------------------------------------------------------------

def test_line_items_lists_every_registry_item_with_its_formula():
    cat = finmodel.line_items()
    assert list(cat.name) == [it.name for it in TIME_ITEMS] + [it.name for it in PHASE_ITEMS]
    for col in ("label", "unit", "section", "description", "formula"):
        assert cat[col].notna().all(), col
    assert cat.formula.str.startswith("=").all()
    row = cat.set_index("name").loc["revenue"]
    assert (row.label, row.unit, row.section) == next((it.label, it.unit, it.section) for it in PHASE_ITEMS
                                                       if it.name == "revenue")


def test_formula_templates_are_the_workbook_formulas_with_names(res):
    """Rename the cells of the workbook's own formulas (a different path) and compare with the templates."""
    phase = res.inputs.phases[0]
    inputs = res.inputs
    layouts = build_layouts(inputs.phases)
    real = formulas(layouts, phase, list(inputs.values), inputs.periods, inputs.phases)
    row_name = {r: n for n, r in layouts[phase].rows.items()}
    time_name = {r: n for n, r in layouts["time"].rows.items()}
    own_inputs = {excel_name(k): k.split(".", 1)[1] for k in inputs.values if k.startswith(phase + ".")}

    def rename(text: str, item: str) -> str:
        text = re.sub(r"Time!\$[A-Z]+(\d+):\$[A-Z]+\1", lambda m: f"Time!{time_name[int(m[1])]}[:]", text)
        text = re.sub(r"Time!\{c\}(\d+)", lambda m: f"Time!{time_name[int(m[1])]}", text)
        text = re.sub(r"\$[A-Z]+(\d+):\$[A-Z]+\1", lambda m: f"{row_name[int(m[1])]}[:]", text)
        text = re.sub(r"\{([cp])\}(\d+)", lambda m: row_name[int(m[2])] + ("[-1]" if m[1] == "p" else ""), text)
        text = re.sub(r"\$C\$(\d+)", lambda m: row_name[int(m[1])], text)
        text = text.replace("{p}{r}", "self[-1]")
        return "=" + re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: own_inputs.get(m[0], m[0]), text)

    templates = finmodel.line_items().set_index("name").formula
    checked = 0
    for it in PHASE_ITEMS:
        assert rename(real[it.name], it.name) == templates[it.name], it.name
        checked += 1
    assert checked == len(PHASE_ITEMS)


# --- plots --------------------------------------------------------------------------------

def test_cash_flow_plot_holds_the_yearly_free_cash_flow(res):
    fig = res.plot.cash_flow()
    ax = fig.axes[0]
    want = res.yearly("fcf")["total"]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_array_equal(heights, want.to_numpy())
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), np.cumsum(want.to_numpy()), rtol=1e-12)
    np.testing.assert_array_equal(line.get_xdata(), want.index.year)


def test_capex_plot_stacks_every_category(res):
    fig = res.plot.capex_by_category("alixan")
    ax = fig.axes[0]
    from finmodel.plots import CAPEX_ROWS

    containers = ax.containers
    assert len(containers) == len(CAPEX_ROWS)
    for item, bars in zip(CAPEX_ROWS, containers):
        np.testing.assert_allclose([b.get_height() for b in bars], res.yearly(item, "alixan")["alixan"].to_numpy(),
                                   rtol=1e-12, atol=1e-6)  # a stacked bar stores bottom and top: rounding [EUR]
    tops = np.array([b.get_y() + b.get_height() for b in containers[-1]])
    np.testing.assert_allclose(tops, res.yearly("capex_total", "alixan")["alixan"].to_numpy(), rtol=1e-9, atol=1e-3)


def test_cost_stack_plot_holds_the_stack_and_its_sum(res):
    fig = res.plot.cost_stack()
    ax = fig.axes[0]
    stack = res.cost_stack
    for (name, _, _, _), bars in zip(finmodel.items.levelized.STACK, ax.containers):
        np.testing.assert_allclose([b.get_height() for b in bars], stack[name].to_numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(ax.get_lines()[0].get_ydata(), stack["lcoc"].to_numpy())
    # positive parts stacked upwards reach the sum of the positive components
    positive = stack.drop(columns="lcoc").clip(lower=0).sum(axis=1).to_numpy()
    tops = np.max([[b.get_y() + b.get_height() for b in bars] for bars in ax.containers], axis=0)
    np.testing.assert_allclose(tops, positive, rtol=1e-12)


def test_tornado_plot_bars_reach_the_low_and_high_npv(res):
    table = tornado(drivers=["discount_rate", "utilisation"])
    fig = res.plot.tornado(table)
    low, high = fig.axes[0].containers
    for bars, end in ((low, "npv_low"), (high, "npv_high")):
        np.testing.assert_allclose([b.get_x() + b.get_width() for b in bars], table[end].to_numpy(), rtol=1e-12)
        np.testing.assert_array_equal([b.get_x() for b in bars], table["npv_base"].to_numpy())


def test_montecarlo_histogram_counts_every_draw():
    from finmodel.montecarlo import monte_carlo

    mc = monte_carlo(200, seed=1)
    fig = finmodel.run().plot.montecarlo_histogram(mc, bins=10)
    counts = [p.get_height() for p in fig.axes[0].patches]
    x = mc.metrics["total"]["npv"]
    assert sum(counts) == np.isfinite(x).sum() == 200
    np.testing.assert_array_equal(counts, np.histogram(x, bins=10)[0])


# --- write_report and tornado drivers --------------------------------------------------------

def test_write_report_defaults_to_the_package_version_and_computes_risk_sheets(res, tmp_path, monkeypatch):
    import finmodel.excel.writer as writer
    import finmodel.risk

    seen, layout = {}, types.SimpleNamespace(calc="calc layouts")
    monkeypatch.setattr(finmodel.risk, "risk_tables", lambda r, draws, seed, progress, step: seen.update(
        results=r, draws=draws, seed=seed) or "tables")
    monkeypatch.setattr(writer, "build_workbook", lambda r, version, risk: seen.update(version=version, risk=risk)
                        or (None, layout))
    monkeypatch.setattr(writer, "stored_values", lambda wb, calc, r: {})
    monkeypatch.setattr(writer, "save_atomic", lambda wb, path, values: path)
    assert finmodel.write_report(res, tmp_path / "r.xlsx", risk=True, draws=123, seed=9) == (tmp_path / "r.xlsx", layout)
    assert seen == dict(results=res, draws=123, seed=9, version=finmodel.__version__, risk="tables")
    finmodel.write_report(res, tmp_path / "r.xlsx")
    assert seen["risk"] is None and seen["version"] == finmodel.__version__


def test_tornado_takes_drivers_of_ones_own():
    mine = Driver("gpu_price_x", "GPU price, my range", FACTOR, ("gpu_price_usd",), 0.5, 1.5, "my own range")
    table = tornado(drivers=[mine, "senior_margin"])
    assert set(table.index) == {"gpu_price_x", "senior_margin"}
    inputs = finmodel.load_inputs()
    cheap = {f"{g}.gpu_price_usd": 0.5 * inputs.values[f"{g}.gpu_price_usd"] for g in inputs.generations}
    assert table.loc["gpu_price_x", "npv_low"] == pytest.approx(finmodel.run(overrides=cheap).summary.loc["total", "npv_eur"],
                                                                rel=1e-9)
    lo, hi = finmodel.inputs.input_ranges()["senior_margin"]
    assert table.loc["senior_margin", "npv_high"] == pytest.approx(
        finmodel.run(overrides={"senior_margin": hi}).summary.loc["total", "npv_eur"], rel=1e-9)
    with pytest.raises(ValueError, match="Driver"):
        tornado(drivers=["no_such_driver"])

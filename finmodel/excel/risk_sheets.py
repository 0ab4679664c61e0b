"""Scenarios, Sensitivity and Monte Carlo sheets.

These hold the results of many Python runs (one per scenario, per tornado
end, per draw), so they are values, not live formulas: each sheet says so and
names the command that reproduces it. The live model is the rest of the
workbook.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.series import SeriesLabel
from openpyxl.utils import get_column_letter

from finmodel.excel.style import header_row, landscape, number_format, put_text, title

EUR_M = "#,##0,,;[Red]-#,##0,,"


@dataclass
class RiskTables:
    """What the risk sheets show: scenario comparison, tornado, break-evens, Monte Carlo (any may be None)."""

    scenarios: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    breakevens: pd.DataFrame | None = None
    montecarlo: object | None = None  # finmodel.montecarlo.MonteCarloResult


def _cell(ws, row: int, col: int, value, fmt: str | None = None) -> None:
    c = ws.cell(row=row, column=col)
    if isinstance(value, str):
        put_text(c, value)
        return
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        put_text(c, "n/a")
        return
    c.value = float(value) if isinstance(value, (np.floating, np.integer)) else value
    if fmt:
        c.number_format = fmt


def _widths(ws, first: int, widths: list[int]) -> None:
    for k, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(first + k)].width = w
    landscape(ws)


def write_scenarios_sheet(ws, table: pd.DataFrame) -> None:
    """Summary figures per scenario and phase, and differences from the first scenario."""
    title(ws, "Scenarios", "Values from Python runs of each scenario (finmodel compare ...); differences are "
                           "against the first scenario.")
    cols = ["gpus", "it_mw", "capex_eur", "npv_eur", "irr", "payback_years", "lcoc_eur_per_gpu_hour",
            "breakeven_eur_per_gpu_hour", "jobs_permanent_2030", "delta_capex_eur", "delta_npv_eur", "delta_lcoc_eur_per_gpu_hour"]
    units = table.attrs.get("units", {})
    header_row(ws, 4, ["Scenario", "Phase"] + cols)
    header_row(ws, 5, ["", "unit"] + ["EUR m" if units.get(c.removeprefix("delta_")) == "EUR" else
                                      units.get(c.removeprefix("delta_"), "") for c in cols])
    for r, ((scenario, phase), rec) in enumerate(table.iterrows(), start=6):
        _cell(ws, r, 1, scenario)
        _cell(ws, r, 2, phase)
        for j, col in enumerate(cols, start=3):
            unit = units.get(col.removeprefix("delta_"), "")
            _cell(ws, r, j, rec[col], EUR_M if unit == "EUR" else number_format(unit))
    _widths(ws, 1, [18, 14] + [15] * len(cols))
    ws.freeze_panes = "C6"


def write_sensitivity_sheet(ws, tornado: pd.DataFrame, breakevens: pd.DataFrame | None) -> None:
    """Tornado table and chart (NPV change from base at each driver's low and high), and break-even values."""
    title(ws, "Sensitivity", "One driver at a time between its low and high (sources in the last column); "
                             "values from Python runs (finmodel sensitivity).")
    header_row(ws, 4, ["Driver", "Unit", "Low", "High", "NPV at low", "NPV at high", "NPV swing",
                       "Change at low", "Change at high", "LCOC at low", "LCOC at high", "Source"])
    header_row(ws, 5, ["", "", "", "", "EUR m", "EUR m", "EUR m", "EUR m", "EUR m", "EUR/GPU-h", "EUR/GPU-h", ""])
    rows = list(tornado.iterrows())
    for r, (driver, rec) in enumerate(rows, start=6):
        for j, (value, fmt) in enumerate((
                (rec["label"], None), (rec["unit"], None), (rec["low"], "0.000"), (rec["high"], "0.000"),
                (rec["npv_low"], EUR_M), (rec["npv_high"], EUR_M), (rec["npv_swing"], EUR_M),
                (rec["npv_low"] - rec["npv_base"], EUR_M), (rec["npv_high"] - rec["npv_base"], EUR_M),
                (rec["lcoc_low"], "0.000"), (rec["lcoc_high"], "0.000"), (rec["source"], None)), start=1):
            _cell(ws, r, j, value, fmt)
    last = 5 + len(rows)
    chart = BarChart()
    chart.type, chart.grouping, chart.overlap = "bar", "clustered", 100
    chart.title = "Tornado: change in NPV from base (whole plan)"
    chart.x_axis.title = None
    chart.y_axis.title = "EUR bn"
    chart.y_axis.number_format = "#,##0,,,"
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # the table's first (largest swing) driver at the top
    chart.y_axis.crosses = "max"  # the value axis stays at the bottom
    for col, label in ((8, "Driver at low"), (9, "Driver at high")):
        chart.add_data(Reference(ws, min_col=col, max_col=col, min_row=6, max_row=last), titles_from_data=False)
        chart.series[-1].tx = SeriesLabel(v=label)
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=6, max_row=last))
    chart.width, chart.height = 24, 12
    r = last + 2
    if breakevens is not None:
        put_text(ws.cell(row=r, column=1), "Break-even values (total NPV after tax = 0)")
        for k, (driver, rec) in enumerate(breakevens.iterrows(), start=r + 1):
            _cell(ws, k, 1, str(driver))
            _cell(ws, k, 3, rec.get("value"), "0.0000")
            _cell(ws, k, 5, rec.get("message", ""))
        r += len(breakevens) + 2
    ws.add_chart(chart, f"A{r + 1}")
    _widths(ws, 1, [44, 10, 10, 10, 14, 14, 14, 14, 14, 12, 12, 90])
    ws.freeze_panes = "B6"


def write_montecarlo_sheet(ws, mc, bins: int = 30) -> None:
    """Percentile table, probability of a negative NPV, and a histogram of the total NPV."""
    title(ws, "Monte Carlo", f"{mc.n:,} draws, seed {mc.seed}, distributions and correlations from "
                             "inputs/distributions.toml; values from Python (finmodel montecarlo).")
    table = mc.percentiles()
    header_row(ws, 4, ["Phase", "Metric", "Unit", "P10", "P50", "P90", "Mean"])
    r = 5
    for (entity, metric), rec in table.iterrows():
        fmt = EUR_M if rec["unit"] == "EUR" else number_format(rec["unit"])
        _cell(ws, r, 1, entity)
        _cell(ws, r, 2, metric)
        _cell(ws, r, 3, "EUR m" if rec["unit"] == "EUR" else rec["unit"])
        for j, col in enumerate(("p10", "p50", "p90", "mean"), start=4):
            _cell(ws, r, j, rec[col], fmt)
        r += 1
    r += 1
    header_row(ws, r, ["Phase", "P(NPV < 0)", "P(min DSCR < covenant)"])
    breach = mc.prob_covenant_breach()
    for k, (entity, p) in enumerate(mc.prob_negative_npv().items(), start=r + 1):
        _cell(ws, k, 1, entity)
        _cell(ws, k, 2, p, "0.0%")
        _cell(ws, k, 3, breach[entity], "0.0%")
    r += len(mc.entities) + 2
    npv = np.asarray(mc.metrics["total"]["npv"], dtype=float).reshape(-1)
    counts, edges = np.histogram(npv[np.isfinite(npv)], bins=bins)
    header_row(ws, r, ["NPV bin from", "NPV bin to", "Draws"])
    for k, (lo, hi, n) in enumerate(zip(edges[:-1], edges[1:], counts), start=r + 1):
        _cell(ws, k, 1, lo, EUR_M)
        _cell(ws, k, 2, hi, EUR_M)
        _cell(ws, k, 3, int(n), "0")
    chart = BarChart()
    chart.type, chart.gapWidth = "col", 10
    chart.title = "Histogram of the whole plan's NPV (EUR m, bin start)"
    chart.add_data(Reference(ws, min_col=3, max_col=3, min_row=r + 1, max_row=r + bins), titles_from_data=False)
    chart.series[-1].tx = SeriesLabel(v="Draws")
    chart.set_categories(Reference(ws, min_col=1, max_col=1, min_row=r + 1, max_row=r + bins))
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.y_axis.title = "draws"
    chart.legend = None
    chart.width, chart.height = 24, 11
    ws.add_chart(chart, "I4")
    _widths(ws, 1, [16, 18, 12, 16, 16, 16, 16])
    ws.freeze_panes = "A5"

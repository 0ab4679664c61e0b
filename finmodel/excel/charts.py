"""Native Excel charts: capex by year and category, cash flow, energy, cost stack, jobs."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.series import SeriesLabel

from finmodel.excel.sheets import ANNUAL_HEADER_ROW as HEADER_ROW
from finmodel.results import TOTAL

CAPEX_ROWS = ("capex_gpu_initial", "capex_gpu_refresh", "capex_network_storage", "capex_shell", "capex_electrical",
              "capex_cooling", "capex_heat_reuse", "capex_grid", "capex_remediation")


def _row_series(chart, ws, row: int, first_col: int, last_col: int, label: str) -> None:
    ref = Reference(ws, min_col=first_col, max_col=last_col, min_row=row, max_row=row)
    chart.add_data(ref, from_rows=True, titles_from_data=False)
    chart.series[-1].tx = SeriesLabel(v=label)


def _sized(chart, title: str, y_title: str, width: float = 24, height: float = 11):
    chart.title = title
    chart.y_axis.title = y_title
    if y_title == "EUR":
        chart.y_axis.title = "EUR bn"
        chart.y_axis.number_format = '#,##0,,,'
        chart.y_axis.numFmt.sourceLinked = False
    chart.width, chart.height = width, height
    chart.legend.position = "b"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.x_axis.tickLblPos = "low"  # category labels below negative bars
    return chart


def capex_chart(annual_ws, annual_rows, labels: dict[str, str], n_years: int) -> BarChart:
    """Stacked columns: consolidated capex by year and category [EUR]."""
    chart = _sized(BarChart(), "Capex by year and category (whole plan)", "EUR")
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    for item in CAPEX_ROWS:
        _row_series(chart, annual_ws, annual_rows[(TOTAL, item)], 3, 2 + n_years, labels[item])
    chart.set_categories(Reference(annual_ws, min_col=3, max_col=2 + n_years, min_row=HEADER_ROW, max_row=HEADER_ROW))
    return chart


def cash_flow_chart(ws, fcf_row: int, cum_row: int, n_years: int) -> BarChart:
    """Columns of yearly free cash flow with a line of its running total [EUR]."""
    bars = _sized(BarChart(), "Free cash flow and cumulative (whole plan)", "EUR")
    _row_series(bars, ws, fcf_row, 3, 2 + n_years, "Free cash flow")
    line = LineChart()
    _row_series(line, ws, cum_row, 3, 2 + n_years, "Cumulative free cash flow")
    cats = Reference(ws, min_col=3, max_col=2 + n_years, min_row=fcf_row - 1, max_row=fcf_row - 1)
    bars.set_categories(cats)
    line.set_categories(cats)
    bars += line
    return bars


def energy_chart(ws, header_row: int, energy_row: int, heat_row: int, n_years: int) -> BarChart:
    """Columns of the whole plan's facility energy and heat delivered by year [MWh, shown in GWh]."""
    chart = _sized(BarChart(), "Facility energy and heat delivered by year (whole plan)", "GWh")
    chart.y_axis.number_format = "#,##0,"
    chart.y_axis.numFmt.sourceLinked = False
    _row_series(chart, ws, energy_row, 3, 2 + n_years, "Facility energy")
    _row_series(chart, ws, heat_row, 3, 2 + n_years, "Heat delivered")
    chart.set_categories(Reference(ws, min_col=3, max_col=2 + n_years, min_row=header_row, max_row=header_row))
    return chart


def stack_chart(ws, first_row: int, last_row: int, n_entities: int) -> BarChart:
    """Stacked bars: levelized cost per GPU-hour by category, one bar per phase and total [EUR/GPU-h]."""
    chart = _sized(BarChart(), "Levelized cost per GPU-hour by category", "EUR/GPU-h")
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    for r in range(first_row, last_row + 1):
        _row_series(chart, ws, r, 3, 2 + n_entities, ws.cell(row=r, column=1).value)
    chart.set_categories(Reference(ws, min_col=3, max_col=2 + n_entities, min_row=4, max_row=4))
    return chart


def jobs_chart(ws, first_row: int, end_row: int, n_years: int) -> BarChart:
    """Stacked columns: jobs by year and category, rows first_row to end_row - 1 (categories that add up) [FTE]."""
    chart = _sized(BarChart(), "Jobs by year (whole plan, average FTE)", "FTE")
    chart.type, chart.grouping, chart.overlap = "col", "stacked", 100
    for r in range(first_row, end_row):
        _row_series(chart, ws, r, 3, 2 + n_years, ws.cell(row=r, column=1).value)
    chart.set_categories(Reference(ws, min_col=3, max_col=2 + n_years, min_row=4, max_row=4))
    return chart

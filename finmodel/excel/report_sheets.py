"""Presentation sheets: Cover, Dashboard, Cost per GPU-hour, Jobs, Announcements, Checks, Sources.

(The financing sheets, Sources & Uses, Debt and Statements, are in :mod:`finmodel.excel.finance_sheets`.)

Every figure is a formula on the calc sheets' cells; only labels, announced
figures (with their sources) and the Cover's metadata are values.
"""

from __future__ import annotations

import numpy as np
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from finmodel.excel.calc import SheetLayout
from finmodel.excel.style import (
    AFTER_NUMBER, CHECK_FILL, FIRST_YEAR_COL, NOTE, SECTION, SECTION_FILL, WRAP, header_row, landscape, number_format, put_text, title,
    year_col, year_header,
)
from finmodel.expr import quote_sheet
from finmodel.listing import excel_name
from finmodel.items.jobs import CATEGORIES
from finmodel.items.levelized import STACK
from finmodel.results import SUMMARY_COLUMNS, TOTAL

GREEN = PatternFill("solid", fgColor="C6EFCE")
EUR_M = "#,##0,,;[Red]-#,##0,,"  # euros shown in millions
RED = PatternFill("solid", fgColor="FFC7CE")
AMBER = PatternFill("solid", fgColor="FFEB9C")
SUMMARY_LABELS = {
    "gpus": "GPUs", "it_mw": "IT MW", "capex_eur": "Initial capex", "npv_eur": "NPV", "irr": "IRR",
    "payback_years": "Payback", "lcoc_eur_per_gpu_hour": "Levelized cost", "lcoc_eur_per_pflop_hour": "Cost per PFLOP-hour",
    "breakeven_eur_per_gpu_hour": "Break-even price, pre-tax project",
    "jobs_permanent_2030": "Permanent jobs (report year)",
    "jobs_construction_peak": "Construction jobs, peak month", "jobs_construction_peak_year": "Construction peak year",
    "energy_twh_per_yr": "Energy, first full year", "co2_g_per_gpu_hour": "CO2 per GPU-hour", "equity_irr": "Equity IRR",
    "equity_npv_eur": "Equity NPV", "min_dscr": "Minimum DSCR (covenant basis)",
    "equity_cure_months": "Months with an equity cure",
    "peak_funding_eur": "Peak funding need", "wacc": "WACC (implied)",
}
#: Dashboard figures that may not apply: summary column -> (flag item, number format showing 0 as text); the
#: cell shows the figure times its flag
SUMMARY_FLAGGED = {"payback_years": ("payback_found", '0.0;-0.0;"none in horizon"'),
                   "min_dscr": ("has_debt", '0.00;-0.00;"no debt service"')} | {
    col: ("has_gpu_hours", f'{fmt};-{fmt};"n/a"') for col, fmt in (
        ("lcoc_eur_per_gpu_hour", "0.000"), ("lcoc_eur_per_pflop_hour", "0.000"), ("breakeven_eur_per_gpu_hour", "0.000"),
        ("co2_g_per_gpu_hour", "0.0"))}
#: headline outputs with a workbook name: name -> line item on the Consolidated sheet
HEADLINE_NAMES = {"NPV_Total": "npv", "IRR_Total": "irr_annual", "LCOC_Total": "lcoc", "Capex_Total": "capex_initial",
                  "Jobs_Permanent_2030_Total": "jobs_permanent_2030", "Breakeven_Total": "breakeven_price", "Payback_Total": "payback_years"}


def scalar_ref(lay: SheetLayout, item: str) -> str:
    """Absolute reference to a scalar line item, e.g. 'Calc alixan'!$C$40."""
    return f"{quote_sheet(lay.sheet)}!$C${lay.rows[item]}"


def define_headlines(wb, layouts) -> None:
    """Defined names for the consolidated headline outputs."""
    for name, item in HEADLINE_NAMES.items():
        wb.defined_names[name] = DefinedName(name, attr_text=scalar_ref(layouts[TOTAL], item))


COVER_LINE = 110  # characters in one line of the Cover's column B


def write_cover(ws, inputs, version: str, digest: str, generated: str, sheet_map: list[tuple[str, str]]) -> None:
    title(ws, "finmodel: Sesterce's announced AI compute build-out in France",
          "Techno-economic model: capex, opex, NPV, IRR, levelized cost per GPU-hour and jobs, per phase and consolidated.")
    rows = [
        ("Scenario (live)", "=Scenario"),
        ("Scenario exported", inputs.scenario),
        ("Scenario label", inputs.scenario_label),
        ("Reading of the announcements", inputs.reading),
        ("Model version", version),
        ("Inputs hash (SHA-256 of the exported scenario's inputs)", digest),
        ("Generated", generated),
        ("Master check", "=Check_Master"),
    ]
    for k, (label, value) in enumerate(rows, start=4):
        put_text(ws.cell(row=k, column=1), label)
        ws.cell(row=k, column=1).font = SECTION
        c = ws.cell(row=k, column=2)
        if isinstance(value, str) and value.startswith("=") and label in ("Scenario (live)", "Master check"):
            c.value = value
            c.number_format = "0" if label == "Master check" else "General"
        else:
            put_text(c, value)
        c.alignment = WRAP
        lines = -(-len(str(value)) // COVER_LINE)  # wrapped lines: the row grows to show them
        if lines > 1:
            ws.row_dimensions[k].height = 15 * lines
    r = 4 + len(rows) + 1
    put_text(ws.cell(row=r, column=1), "Sheet map")
    ws.cell(row=r, column=1).font = SECTION
    for k, (sheet, what) in enumerate(sheet_map, start=r + 1):
        c = ws.cell(row=k, column=1)
        put_text(c, sheet)
        c.hyperlink = f"#{quote_sheet(sheet)}!A1"
        c.style = "Hyperlink"
        put_text(ws.cell(row=k, column=2), what)
    r = r + len(sheet_map) + 2
    put_text(ws.cell(row=r, column=1), "Colour legend")
    ws.cell(row=r, column=1).font = SECTION
    legend = [("Input", "Input: an assumption you may change (Inputs sheet, selected scenario's column)"),
              ("Calculation", "Formula: computed, do not overwrite"),
              ("Check Cell", "Check: 1 when it holds"),
              ("Hyperlink", "Link to a sheet")]
    for k, (style, text) in enumerate(legend, start=r + 1):
        c = ws.cell(row=k, column=1)
        put_text(c, style)
        c.style = style
        put_text(ws.cell(row=k, column=2), text)
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = COVER_LINE


#: width of the Dashboard's figure and year columns [characters]: the page prints one wide, so every extra
#: character shrinks its type
DASHBOARD_WIDTH = 13


def write_dashboard(ws, layouts, entities, phase_labels, plan_rows: dict[str, str], breakevens=None) -> dict[str, int]:
    """Headline table per phase and total, the three break-evens, the master check, announced vs modelled.

    ``breakevens``: :attr:`finmodel.results.Results.breakevens` of the
    exported scenario (the after-tax and equity ones are found by search, so
    they are values, labelled as such). Returns anchor rows.
    """
    title(ws, "Dashboard", "Headline figures per phase and for the whole plan; every number is a live formula.")
    put_text(ws["A3"], "Master check (1 = every check holds)")
    ws["A3"].font = SECTION
    ws["C3"].value = "=Check_Master"
    ws["C3"].number_format = "0"
    ws.conditional_formatting.add("C3", CellIsRule(operator="equal", formula=["1"], fill=GREEN))
    ws.conditional_formatting.add("C3", CellIsRule(operator="notEqual", formula=["1"], fill=RED))
    ws["D3"].value = "=Scenario"
    # the discount rate used for NPVs beside the WACC the financing structure implies
    put_text(ws["E3"], "Discount rate (input)")
    ws.merge_cells("E3:F3")  # the label's room, beside its value
    ws["G3"].value = f"={excel_name('discount_rate')}"
    put_text(ws["H3"], "WACC implied")  # the whole plan's (the table's last column has each phase's)
    ws["I3"].value = f"={scalar_ref(layouts[TOTAL], 'wacc')}"
    for cell in ("E3", "H3"):
        ws[cell].alignment = Alignment(horizontal="right", indent=1)
    for cell in ("G3", "I3"):
        ws[cell].number_format = "0.0%"
    cols = list(SUMMARY_COLUMNS)
    header_row(ws, 5, ["Phase", "Name"] + [SUMMARY_LABELS[c] for c in cols])
    header_row(ws, 6, ["", "unit"] + [_shown_unit(SUMMARY_COLUMNS[c][1]) for c in cols])
    for j in range(3, 3 + len(cols)):  # long labels wrap instead of running into the next column
        ws.cell(row=5, column=j).alignment = WRAP
    ws.row_dimensions[5].height = 30
    for k, e in enumerate(entities, start=7):
        put_text(ws.cell(row=k, column=1), phase_labels.get(e, "Whole plan (consolidated)"))
        put_text(ws.cell(row=k, column=2), e)
        for j, col in enumerate(cols, start=3):
            item, unit = SUMMARY_COLUMNS[col]
            c = ws.cell(row=k, column=j)
            ref = scalar_ref(layouts[e], item)
            c.value = f"={ref}"
            c.number_format = _format(unit)
            if col in SUMMARY_FLAGGED:
                flag, c.number_format = SUMMARY_FLAGGED[col]
                c.value = f"={ref}*{scalar_ref(layouts[e], flag)}"
    r = 7 + len(entities) + 1
    if breakevens is not None:
        r = _write_breakevens(ws, r, layouts, entities, phase_labels, breakevens) + 1
    put_text(ws.cell(row=r, column=1), "Announced beside modelled (jobs: permanent only; construction on its own row)")
    ws.cell(row=r, column=1).font = SECTION
    header_row(ws, r + 1, ["Figure", "Unit", "Announced", "Modelled", "Gap"])
    for k, (label, (unit, announced, modelled)) in enumerate(plan_rows.items(), start=r + 2):
        put_text(ws.cell(row=k, column=1), label)
        put_text(ws.cell(row=k, column=2), unit)
        ws.cell(row=k, column=4).value = f"={modelled}"
        if announced is None:
            put_text(ws.cell(row=k, column=3), "-")
        else:
            ws.cell(row=k, column=3).value = f"={announced}"
            ws.cell(row=k, column=5).value = f"=D{k}/C{k}-1"
        put_text(ws.cell(row=k, column=2), _shown_unit(unit))
        for j in (3, 4):
            ws.cell(row=k, column=j).number_format = _format(unit)
        ws.cell(row=k, column=5).number_format = "0%"
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 13
    for j in range(3, 3 + len(cols)):
        ws.column_dimensions[get_column_letter(j)].width = DASHBOARD_WIDTH
    ws.freeze_panes = "C7"
    landscape(ws)
    return {"charts": r + 3 + len(plan_rows)}


def _format(unit: str) -> str:
    """Dashboard number format: euros in millions, years without decimals."""
    return EUR_M if unit == "EUR" else "0" if unit == "year" else number_format(unit)


def _write_breakevens(ws, r: int, layouts, entities, phase_labels, breakevens) -> int:
    """The three break-even prices per entity from row r; returns the next free row."""
    put_text(ws.cell(row=r, column=1), "Break-even price of a new GPU-hour (contract and merchant alike, every GPU generation at the same price)")
    ws.cell(row=r, column=1).font = SECTION
    labels = breakevens.attrs["labels"]
    header_row(ws, r + 1, ["Phase", "unit", *labels.values()])
    for j in range(3, 3 + len(labels)):
        ws.cell(row=r + 1, column=j).alignment = WRAP
    ws.row_dimensions[r + 1].height = 45
    for k, e in enumerate(entities, start=r + 2):
        put_text(ws.cell(row=k, column=1), phase_labels.get(e, "Whole plan (consolidated)"))
        put_text(ws.cell(row=k, column=2), "EUR/GPU-h")
        for j, col in enumerate(labels, start=3):
            c = ws.cell(row=k, column=j)
            value = float(breakevens.loc[e, col])
            c.number_format = number_format("EUR/GPU-h")
            if col == "breakeven_eur_per_gpu_hour":  # closed form: a live formula, 0 shown "n/a" without GPU-hours
                c.value = f"={scalar_ref(layouts[e], 'breakeven_price')}"
                c.number_format += ';"n/a"'
            elif np.isfinite(value):
                c.value = value
            else:
                put_text(c, "none found")
    note = r + 2 + len(entities)
    put_text(ws.cell(row=note, column=1), "Pre-tax: a live formula. After-tax and equity: values for the exported "
                                          "scenario, found by search in Python (the model re-run at that price gives "
                                          "|NPV| <= 1 EUR); they do not follow the scenario drop-down or edited inputs.")
    ws.cell(row=note, column=1).font = NOTE
    return note + 1


def _shown_unit(unit: str) -> str:
    return "EUR m" if unit == "EUR" else unit


def risk_banner(ws, stale: str) -> None:
    """Dashboard row 4: whether the risk sheets were computed for the live scenario and inputs (``stale``: the
    defined name counting the differences), shown in words and red when they were not."""
    c = ws["A4"]
    c.value = f"={stale}"
    c.number_format = ('"Scenarios, Sensitivity and Monte Carlo are STALE: computed for other inputs or another scenario '
                       '(see Checks)";;"Scenarios, Sensitivity and Monte Carlo: computed for these inputs"')
    c.font = SECTION
    c.alignment = Alignment(horizontal="left")
    ws.merge_cells("A4:J4")  # a number's text does not overflow into the next cells
    ws.conditional_formatting.add("A4", CellIsRule(operator="notEqual", formula=["0"], fill=RED))


def write_cash_flow_table(ws, anchor: int, annual_rows, years: list[int]) -> tuple[int, int]:
    """Consolidated free cash flow by year and its running total (data for the chart); returns (fcf row, cum row)."""
    put_text(ws.cell(row=anchor, column=1), "Consolidated free cash flow by year")
    ws.cell(row=anchor, column=1).font = SECTION
    header_row(ws, anchor + 1, ["", "Unit"])
    year_header(ws, anchor + 1, len(years))
    fcf_row, cum_row = anchor + 2, anchor + 3
    put_text(ws.cell(row=fcf_row, column=1), "Free cash flow")
    put_text(ws.cell(row=cum_row, column=1), "Cumulative free cash flow")
    src = annual_rows[(TOTAL, "fcf")]
    for k in range(len(years)):
        col, prev = year_col(k), year_col(k - 1)
        ws[f"{col}{fcf_row}"].value = f"=Annual!{col}{src}"
        ws[f"{col}{cum_row}"].value = f"={col}{fcf_row}" if k == 0 else f"={prev}{cum_row}+{col}{fcf_row}"
        for r in (fcf_row, cum_row):
            ws[f"{col}{r}"].number_format = EUR_M
        ws.column_dimensions[col].width = DASHBOARD_WIDTH
    for r in (fcf_row, cum_row):
        put_text(ws.cell(row=r, column=2), "EUR m")
    return fcf_row, cum_row


#: Dashboard energy block: (label, unit shown, number format, formula per year from {a} = the Annual column)
GWH = "#,##0,"  # MWh shown in GWh


def write_energy_table(ws, anchor: int, annual_rows, years: list[int]) -> dict[str, int]:
    """Energy, heat and carbon of the whole plan by year (Annual sheet rows); returns item -> row."""
    put_text(ws.cell(row=anchor, column=1), "Energy, heat and carbon by year (whole plan)")
    ws.cell(row=anchor, column=1).font = SECTION
    header_row(ws, anchor + 1, ["", "Unit"])
    year_header(ws, anchor + 1, len(years))

    def annual(item: str) -> str:
        return f"Annual!{{a}}{annual_rows[(TOTAL, item)]}"

    def per_hour(numerator: str) -> str:  # 0, shown "-", in a year without GPU-hours: no error value
        hours = annual("gpu_hours_sold")
        return f"={numerator}*--({hours}>0)/({hours}+--({hours}=0))"

    lines = [
        ("it_energy_mwh", "IT energy", "GWh", GWH, "=" + annual("it_energy_mwh")),
        ("facility_energy_mwh", "Facility energy (IT x PUE)", "GWh", GWH, "=" + annual("facility_energy_mwh")),
        ("share_fr_consumption", "Share of France's annual consumption", "-", "0.0%", "=" + annual("share_fr_consumption")),
        ("share_rte_dc_forecast", "Share of RTE's 2030 data-centre forecast", "-", "0%", "=" + annual("share_rte_dc_forecast")),
        ("heat_sold_mwh", "Heat delivered to district heating", "GWh", GWH, "=" + annual("heat_sold_mwh")),
        ("emissions_t", "CO2 emissions of grid power", "t CO2", "#,##0", "=" + annual("emissions_t")),
        ("kwh_per_gpu_hour", "Facility energy per GPU-hour sold", "kWh/GPU-h", '0.00;-0.00;"-"',
         per_hour(f'{annual("facility_energy_mwh")}*kwh_per_mwh')),
        ("co2_g_per_gpu_hour", "CO2 per GPU-hour sold", "g CO2/GPU-h", '0.0;-0.0;"-"',
         per_hour(f'{annual("emissions_t")}*g_per_tonne')),
    ]
    rows = {}
    for r, (item, label, unit, fmt, formula) in enumerate(lines, start=anchor + 2):
        put_text(ws.cell(row=r, column=1), label)
        put_text(ws.cell(row=r, column=2), unit)
        for k in range(len(years)):
            c = ws.cell(row=r, column=FIRST_YEAR_COL + k)
            c.value = formula.replace("{a}", year_col(k))
            c.number_format = fmt
        rows[item] = r
    return rows


def write_lcoc_sheet(ws, layouts, entities) -> int:
    """Levelized cost and its stack per phase; returns the last stack row."""
    title(ws, "Cost per GPU-hour", "Levelized cost of compute = PV(capex + opex - residual value) / PV(GPU-hours sold), "
                                   "pre-tax at discount_rate; the stack adds up to it.")
    header_row(ws, 4, ["Category", "Unit"] + entities)
    rows = [(label, name, False) for name, label, _, _ in STACK] + [
        ("Levelized cost of compute", "lcoc", True), ("Break-even new-generation price", "breakeven_price", True)]
    for r, (label, item, bold) in enumerate(rows, start=5):
        put_text(ws.cell(row=r, column=1), label)
        if bold:
            ws.cell(row=r, column=1).font = SECTION
        put_text(ws.cell(row=r, column=2), "EUR/GPU-h")
        for j, e in enumerate(entities, start=3):
            c = ws.cell(row=r, column=j)
            c.value = f"={scalar_ref(layouts[e], item)}"
            c.number_format = number_format("EUR/GPU-h") + (';"n/a"' if bold else "")  # 0: no GPU-hours sold
    last_stack = 4 + len(STACK)
    ws.column_dimensions["A"].width = 48
    for j in range(2, 3 + len(entities)):
        ws.column_dimensions[get_column_letter(j)].width = 15
    landscape(ws)
    return last_stack


def write_jobs_sheet(ws, annual_rows, years: list[int], layouts, entities) -> tuple[int, int]:
    """Jobs by year and category for the whole plan, and by phase in the report year.

    Returns (first row, permanent-jobs row): the rows from the first up to the permanent one add up to the total.
    """
    title(ws, "Jobs", "Average FTE over each year: construction on site (job-years per MW built), direct operations by "
                      "category, indirect and induced (multiplier). Announced: 5,000 jobs by 2030 for the plan, about 800 "
                      "direct and indirect for Alixan: compare them with permanent jobs.")
    header_row(ws, 4, ["Category", "Unit"])
    year_header(ws, 4, len(years))
    items = [("jobs_construction", "Construction")] + [(f"jobs_{c}", f"Direct: {c}") for c in CATEGORIES] + \
            [("jobs_indirect", "Indirect and induced"), ("jobs_permanent", "Permanent (direct + indirect)"),
             ("jobs_total", "Total")]
    first = 5
    for k, (item, label) in enumerate(items, start=first):
        put_text(ws.cell(row=k, column=1), label)
        put_text(ws.cell(row=k, column=2), "FTE")
        src = annual_rows[(TOTAL, item)]
        for j in range(len(years)):
            c = ws.cell(row=k, column=FIRST_YEAR_COL + j)
            c.value = f"=Annual!{year_col(j)}{src}"
            c.number_format = number_format("FTE")
    r = first + len(items) + 1
    put_text(ws.cell(row=r, column=1), "By phase, average over the report year")
    ws.cell(row=r, column=1).font = SECTION
    columns = (("jobs_permanent_2030", "Permanent jobs", "FTE"), ("jobs_direct_2030", "Direct operating jobs", "FTE"),
               ("jobs_per_mw", "Permanent jobs per MW", "FTE/MW"),
               ("jobs_construction_peak", "Construction on site, peak month", "FTE"),
               ("jobs_construction_peak_year", "Construction peak year", "year"))
    header_row(ws, r + 1, ["Phase", "Unit"] + [label for _, label, _ in columns])
    for j in range(3, 3 + len(columns)):  # long headers over narrow year columns
        ws.cell(row=r + 1, column=j).alignment = WRAP
    ws.row_dimensions[r + 1].height = 45
    for k, e in enumerate(entities, start=r + 2):
        put_text(ws.cell(row=k, column=1), e)
        put_text(ws.cell(row=k, column=2), "FTE")
        for j, (item, _, unit) in enumerate(columns, start=3):
            c = ws.cell(row=k, column=j)
            c.value = f"={scalar_ref(layouts[e], item)}"
            c.number_format = _format(unit)
    ws.column_dimensions["A"].width = 30
    for j in range(2, 3 + len(years)):
        ws.column_dimensions[get_column_letter(j)].width = 12
    landscape(ws)
    return first, first + len(items) - 2


#: first row of the Announcements table; its column of announced figures (inputs)
FIRST_ANNOUNCEMENT_ROW, ANNOUNCED_COL = 5, "H"


def announcement_rows(table) -> dict[tuple[str, str], int]:
    """(announcement id, metric) -> its row on the Announcements sheet, for the table of :func:`write_announcements_sheet`."""
    return {(rec.id, rec.metric): r for r, rec in enumerate(table.itertuples(index=False), start=FIRST_ANNOUNCEMENT_ROW)}


def announced_cell(rows: dict[tuple[str, str], int], announcement: str, metric: str) -> str | None:
    """Absolute reference of one announced figure (an input) on the Announcements sheet; None if ``rows`` has none."""
    r = rows.get((announcement, metric))
    return None if r is None else f"Announcements!${ANNOUNCED_COL}${r}"


def write_announcements_sheet(ws, table, layouts) -> dict[tuple[str, str], int]:
    """Announced figures (values with sources) beside bottom-up formulas; returns (id, metric) -> row."""
    from finmodel.announcements import FROM_ITEMS, RATIOS

    title(ws, "Announcements check", "Each dated announcement beside the model's bottom-up figure for the same phases. "
                                     "Ratios do not depend on scale; flag = 1 when the gap exceeds announcement_tolerance.")
    header_row(ws, 4, ["Announcement", "Date", "What", "Phases", "By year", "Metric", "Unit", "Announced",
                       "Bottom-up", "Gap", "Flag", "Source"])
    rows = announcement_rows(table)
    for r, rec in enumerate(table.itertuples(index=False), start=FIRST_ANNOUNCEMENT_ROW):
        for j, v in enumerate((rec.id, rec.date, rec.what, rec.scope, rec.by_year, rec.metric, rec.unit), start=1):
            if isinstance(v, (int, float)) and not isinstance(v, bool):  # a year: a number, blank when none
                ws.cell(row=r, column=j).value = int(v) if float(v).is_integer() else (None if v != v else float(v))
            else:
                put_text(ws.cell(row=r, column=j), "" if v is None else v)
        put_text(ws.cell(row=r, column=12), rec.source)
        ws.cell(row=r, column=12).alignment = AFTER_NUMBER  # right of the flag
        announced, bottom = ws.cell(row=r, column=8), ws.cell(row=r, column=9)
        gap, fmt = f"=I{r}/H{r}-1", number_format(rec.unit)
        if rec.metric in FROM_ITEMS:
            announced.value = rec.announced
            announced.style = "Input"
            phases = rec.scope.split("+")
            bottom.value = "=" + "+".join(scalar_ref(layouts[p], FROM_ITEMS[rec.metric]) for p in phases)
            announced.number_format = bottom.number_format = fmt
        else:
            num, den, conversion, _ = RATIOS[rec.metric]
            factor = f"*{conversion}" if conversion else ""
            n, d = rows[(rec.id, num)], rows[(rec.id, den)]
            announced.value = f"=H{n}{factor}/H{d}"
            # 0, shown "n/a", and no gap when the model has none of the denominator (no GPUs owned: colocation)
            bottom.value = f"=--(I{d}<>0)*I{n}{factor}/(I{d}+--(I{d}=0))"
            gap = f"=--(I{d}<>0)*(I{r}/H{r}-1)"
            announced.number_format, bottom.number_format = fmt, f'{fmt};-{fmt};"n/a"'
        ws.cell(row=r, column=10).value = gap
        ws.cell(row=r, column=10).number_format = "0%"
        ws.cell(row=r, column=11).value = f"=--(ABS(J{r})>announcement_tolerance)"
        ws.cell(row=r, column=11).number_format = "0"  # 1/0: LibreOffice shows TRUE/FALSE otherwise
        ws.cell(row=r, column=6).alignment = AFTER_NUMBER  # the metric, right of the year
    if len(table):
        ws.conditional_formatting.add(f"K5:K{4 + len(table)}", CellIsRule(operator="equal", formula=["1"], fill=RED))
    for col, w in zip("ABCDEFGHIJKL", (34, 11, 60, 30, 8, 12, 9, 16, 16, 9, 6, 80)):  # 'What' wraps
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "B5"
    landscape(ws)
    return rows


def peer_warnings(layouts, entities) -> list[tuple[str, str, str]]:
    """Live-warning rows (label, formula, unit): 1 where a figure is outside the range of listed AI clouds."""
    from finmodel.announcements import PEER_CHECKS

    return [(f"{e}: {what} outside the range of listed AI clouds ({rng}_low/_high)", f"={scalar_ref(layouts[e], flag)}", "flag")
            for e in entities for flag, _, rng, what, *_ in PEER_CHECKS]


def write_checks_sheet(wb, ws, layouts, entities, phases, annual_rows, n_years: int, warnings: list[str],
                       extra_checks: list[tuple[str, str]] = (), live_warnings: list[tuple[str, str, str]] = (),
                       input_rows: list[tuple[str, str, float | None, float | None, str]] = ()) -> None:
    """Each check a row that is 1 when it holds; Check_Master = 1 when all do.

    ``extra_checks``: more (label, formula) rows for the master check;
    ``input_rows``: (label, input name, low, high, formula) rows for the
    master check, the bounds written in columns D and E and read by the
    formula as ``{lo}`` and ``{hi}``;
    ``live_warnings``: (label, formula, unit) rows shown below it, highlighted
    when not 0, that do not feed it.
    """
    title(ws, "Checks", "Identity checks (1 = holds) feed the master check; warnings below are plausibility notes and do not.")
    put_text(ws["A3"], "Relative tolerance of the identity checks")
    ws["C3"].value = 1e-9
    ws["C3"].style = "Input"
    put_text(ws["D3"], "-  (LibreOffice and Excel keep 15 significant digits)")
    wb.defined_names["Check_Tolerance"] = DefinedName("Check_Tolerance", attr_text="Checks!$C$3")
    header_row(ws, 5, ["Check", "", "Value", "Low", "High"])

    def close(a: str, b: str) -> str:
        return f"=--(ABS(({a})-({b}))<=Check_Tolerance*MAX(1,ABS({a})))"

    checks = []
    total = layouts[TOTAL]
    for item, label in (("npv", "NPV"), ("capex_initial", "Initial capex"), ("jobs_permanent_2030", "Jobs in the report year"),
                        ("pv_gpu_hours", "PV of GPU-hours")):
        checks.append((f"{label}: consolidated = sum of phases",
                       close(scalar_ref(total, item), "+".join(scalar_ref(layouts[p], item) for p in phases))))
    for e in entities:
        lay = layouts[e]
        stack = "+".join(scalar_ref(lay, name) for name, *_ in STACK)
        checks.append((f"{e}: cost stack adds up to the levelized cost", close(scalar_ref(lay, "lcoc"), stack)))
        d = f"{quote_sheet(lay.sheet)}!$D$"
        checks.append((f"{e}: capex total = IT + building works",
                       close(f"{d}{lay.rows['capex_total']}", f"{d}{lay.rows['capex_it']}+{d}{lay.rows['capex_works']}")))
        a = annual_rows[(e, "fcf")]
        checks.append((f"{e}: annual free cash flow adds up to the monthly total",
                       close(f"{d}{lay.rows['fcf']}", f"SUM(Annual!${year_col(0)}${a}:${year_col(n_years - 1)}${a})")))
    checks += list(extra_checks)
    first = 6
    for k, (label, formula) in enumerate(checks, start=first):
        put_text(ws.cell(row=k, column=1), label)
        c = ws.cell(row=k, column=3)
        c.value = formula
        c.style = "Check Cell"
        c.number_format = "0"  # 1/0: LibreOffice shows TRUE/FALSE otherwise
    for k, (label, name, lo, hi, formula) in enumerate(input_rows, start=first + len(checks)):
        put_text(ws.cell(row=k, column=1), label)
        for col, bound in ((4, lo), (5, hi)):
            if bound is not None:
                ws.cell(row=k, column=col).value = bound
        c = ws.cell(row=k, column=3)
        c.value = formula.replace("{lo}", f"$D${k}").replace("{hi}", f"$E${k}")
        c.style = "Check Cell"
        c.number_format = "0"
    last = first + len(checks) + len(input_rows) - 1
    r = last + 2
    put_text(ws.cell(row=r, column=1), "Master check (1 = every check above holds)")
    ws.cell(row=r, column=1).font = SECTION
    ws.cell(row=r, column=3).value = f"=--(SUM(C{first}:C{last})=COUNT(C{first}:C{last}))"
    ws.cell(row=r, column=3).fill = CHECK_FILL
    ws.cell(row=r, column=3).number_format = "0"
    wb.defined_names["Check_Master"] = DefinedName("Check_Master", attr_text=f"Checks!$C${r}")
    ws.conditional_formatting.add(f"C{first}:C{last} C{r}", CellIsRule(operator="notEqual", formula=["1"], fill=RED))
    r += 2
    if live_warnings:
        put_text(ws.cell(row=r, column=1), "Live warnings (not part of the master check; highlighted when not 0)")
        ws.cell(row=r, column=1).font, ws.cell(row=r, column=1).fill = SECTION, SECTION_FILL
        header_row(ws, r + 1, ["Warning", "Unit", "Value"])
        for k, (label, formula, unit) in enumerate(live_warnings, start=r + 2):
            put_text(ws.cell(row=k, column=1), label)
            put_text(ws.cell(row=k, column=2), unit)
            ws.cell(row=k, column=3).value = formula
            ws.cell(row=k, column=3).number_format = number_format(unit)
        end = r + 1 + len(live_warnings)
        ws.conditional_formatting.add(f"C{r + 2}:C{end}", CellIsRule(operator="notEqual", formula=["0"], fill=AMBER))
        r = end + 2
    put_text(ws.cell(row=r, column=1), "Warnings (plausible but suspicious results, from the Python run of the exported scenario)")
    ws.cell(row=r, column=1).font, ws.cell(row=r, column=1).fill = SECTION, SECTION_FILL
    for k, text in enumerate(warnings or ["none"], start=r + 1):
        put_text(ws.cell(row=k, column=1), text)
        ws.cell(row=k, column=1).font = NOTE
    ws.column_dimensions["A"].width = 100
    ws.column_dimensions["C"].width = 10
    for col in "DE":  # the bounds, up to 1e+15
        ws.column_dimensions[col].width = 12
    ws.freeze_panes = "A6"
    landscape(ws)


def write_sources_sheet(ws, inputs, seeds: list[tuple[str, str]]) -> None:
    """Every input's source, the curves' sources and the seed articles."""
    title(ws, "Sources", "Where every default assumption comes from. ESTIMATE / DERIVED / ASSUMPTION mark judgements, "
                         "not published figures.")
    header_row(ws, 4, ["Input", "Source"])
    r = 5
    for key, source in inputs.sources.items():
        put_text(ws.cell(row=r, column=1), key)
        put_text(ws.cell(row=r, column=2), source)
        r += 1
    for name, source in inputs.curve_sources.items():
        put_text(ws.cell(row=r, column=1), f"curve {name}")
        put_text(ws.cell(row=r, column=2), source)
        r += 1
    r += 1
    put_text(ws.cell(row=r, column=1), "Seed articles")
    ws.cell(row=r, column=1).font = SECTION
    for k, (name, what) in enumerate(seeds, start=r + 1):
        put_text(ws.cell(row=k, column=1), name)
        put_text(ws.cell(row=k, column=2), what)
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 140

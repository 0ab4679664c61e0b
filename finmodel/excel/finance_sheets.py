"""Financing sheets: Sources & Uses, Debt, Statements; their checks for the Checks sheet.

The tables are the ones :mod:`finmodel.financing` declares (the same that
:class:`finmodel.results.Results` builds as DataFrames), written as live
formulas on the calc sheets' rows:

- Sources & Uses: a column per phase and a Total (the sum of the phases);
  each line is ``SUMPRODUCT(calc row, Drawdown flag row)`` on the phase's
  calc sheet, or ``SUMPRODUCT(calc row, Completion marker row)`` for a
  balance (cash held at completion);
- Debt and Statements: years as columns; flows ``SUMIF`` by the Time
  sheet's year row, balances ``SUMIFS`` on the year row and the fiscal
  year-end flag (the year's last month, as in Results).

Only the literals 0 and 1 appear in formulas: the announced plan total is
the Announcements sheet's input cell (named ``Announced_Plan_EUR``), the
DSCR cap is the input ``dscr_cap``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import SeriesLabel
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from finmodel.excel.calc import CONSOLIDATED_LABEL, TIME_SHEET, SheetLayout, period_columns
from finmodel.excel.report_sheets import EUR_M, scalar_ref
from finmodel.excel.style import (
    FIRST_YEAR_COL, HEADER, HEADER_FILL, NOTE, SECTION, SECTION_FILL, header_row, landscape, put_text, title, year_header,
)
from finmodel.expr import quote_sheet
from finmodel.financing import BALANCE_ROWS, DEBT_FIELDS, SOURCES, STATEMENTS, USES
from finmodel.items.debt import TRANCHES
from finmodel.items.sources_uses import SIDES as HORIZON_SIDES
from finmodel.listing import excel_name
from finmodel.registry import PHASE_ITEMS
from finmodel.results import TOTAL

SOURCES_USES_SHEET = "Sources & Uses"
DEBT_SHEET = "Debt"
STATEMENTS_SHEET = "Statements"
ANNOUNCED_NAME = "Announced_Plan_EUR"

DSCR = '0.00"x"'
PERCENT = "0.0%"
MONTH = "mmm-yy"
BOLD = Font(bold=True)
TOP_LINE = Border(top=Side(style="thin", color="1F3864"))
AMBER = PatternFill("solid", fgColor="FFEB9C")
INDENT = Alignment(indent=1)

DEBT_LABELS = {
    "draws": "Draws", "idc": "Interest during construction (capitalised)", "interest": "Interest paid",
    "principal": "Principal repaid", "fee": "Upfront fee", "debt_service": "Debt service (interest + principal)",
    "balance": "Closing balance (year end)",
}
#: the all-tranche lines of each Debt block: (key, label, calc row, kind)
DEBT_COVER = (
    ("debt_outstanding", "Debt outstanding after the cash sweep (year end)", "debt_balance", "balance"),
    ("sweep_prepayment", "Senior debt prepaid by the cash sweep", "senior_prepayment", "flow"),
    ("cfads", "Cash flow available for debt service (CFADS), months with debt service", "cfads_serviced", "flow"),
    ("debt_service", "Debt service, all tranches, months with debt service", "debt_service_serviced", "flow"),
    ("it_secured_debt", "GPU loans and vendor financing (year end)", "it_secured_debt", "balance"),
    ("it_book_value", "Book value of the IT securing them (year end)", "it_book_value", "balance"),
)
#: Statements lines shown in bold (subtotals)
STATEMENT_TOTALS = {"ebitda", "ebit", "net_income", "total_assets", "total_liabilities_equity", "cf_net"}
#: Debt key figures: (header, item, number format, phases only)
KEY_FIGURES = (
    ("Minimum DSCR (covenant: trailing 12 months at test dates)", "min_dscr", DSCR, False),
    ("Average DSCR (covenant basis)", "avg_dscr", DSCR, False),
    ("LLCR at completion", "llcr", DSCR, True),
    ("Covenant tests failed", "breach_months", "0", False),
    ("Months with an equity cure", "equity_cure_months", "0", False),
    ("Months of IT debt above IT value", "collateral_breach_months", "0", False),
    ("Equity IRR", "equity_irr", PERCENT, False),
    ("Equity NPV (EUR m)", "equity_npv", EUR_M, False),
    ("WACC implied by the structure", "wacc", PERCENT, False),
    ("Debt committed (EUR m)", "debt_commitment", EUR_M, False),
)
#: key figures that do not apply without debt: shown times the has_debt flag, 0 formatted as "no debt"
NO_DEBT = {"min_dscr", "avg_dscr", "llcr"}
NO_DEBT_FORMAT = '0.00"x";-0.00"x";"no debt"'


@dataclass
class FinanceLayout:
    """Where the financing figures are, for the Checks sheet and the tests."""

    su_cols: dict[str, int] = field(default_factory=dict)  # phase or 'total' -> column
    su_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (side, line) -> row, incl. totals
    su_diff_row: int = 0
    su_peak_row: int = 0
    suh_cols: dict[str, int] = field(default_factory=dict)  # whole horizon: phase or 'total' -> column
    suh_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # whole horizon: (side, line) -> row
    suh_diff_row: int = 0
    su_peak_month_row: int = 0
    announced_row: int = 0
    debt_rows: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (entity, tranche, field) -> row
    cover_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (entity, cfads|debt_service|dscr|...) -> row
    key_rows: dict[str, int] = field(default_factory=dict)  # entity -> row of the Debt key figures
    key_cols: dict[str, int] = field(default_factory=dict)  # key figure item -> column
    debt_first_annual_row: int = 0
    statement_rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (entity, item) -> row
    years: list[int] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (label, formula: 1 when it holds)
    warnings: list[tuple[str, str, str]] = field(default_factory=list)  # (label, formula, unit): shown, not checked


def write_finance_sheets(wb, layouts: dict[str, SheetLayout], phases, phase_labels: dict[str, str],
                         years: list[int], periods: int, announced: str | None = None) -> FinanceLayout:
    """Sources & Uses, Debt and Statements sheets (created in this order) and their checks.

    ``announced``: the cell holding the whole plan's announced investment (on the Announcements sheet), which
    the defined name ``Announced_Plan_EUR`` points to and Sources & Uses compares with; None: no such block.
    """
    out = FinanceLayout(years=list(years))
    ctx = _Ctx(layouts, list(phases), phase_labels, years, periods)
    _write_sources_uses(wb.create_sheet(SOURCES_USES_SHEET), wb, ctx, out, announced)
    _write_debt(wb.create_sheet(DEBT_SHEET), ctx, out)
    _write_statements(wb.create_sheet(STATEMENTS_SHEET), ctx, out)
    _collect_checks(ctx, out)
    return out


class _Ctx:
    """Ranges on the calc sheets and the Time sheet."""

    def __init__(self, layouts, phases, phase_labels, years, periods):
        self.layouts = layouts
        self.phases = phases
        self.entities = [TOTAL, *phases]  # consolidated first
        self.labels = {p: phase_labels.get(p, p) for p in phases} | {TOTAL: CONSOLIDATED_LABEL}
        self.years = years
        cols = period_columns(periods)
        self.first, self.last = cols[0], cols[-1]
        time = layouts["time"]
        self.year_range = self._range(TIME_SHEET, time.rows["year"])
        self.year_end_range = self._range(TIME_SHEET, time.rows["year_end"])
        self.item_labels = {it.name: it.label for it in PHASE_ITEMS}

    def _range(self, sheet: str, r: int) -> str:
        return f"{quote_sheet(sheet)}!${self.first}${r}:${self.last}${r}"

    def row(self, entity: str, item: str) -> str:
        """Absolute range of a calc row of one entity."""
        lay = self.layouts[entity]
        return self._range(lay.sheet, lay.rows[item])

    def annual(self, entity: str, item: str, kind: str, year_cell: str) -> str:
        """Formula of a flow (summed over the year) or a balance (at the year's last month)."""
        if kind == "flow":
            return f"=SUMIF({self.year_range},{year_cell},{self.row(entity, item)})"
        return f"=SUMIFS({self.row(entity, item)},{self.year_range},{year_cell},{self.year_end_range},1)"


# --- Sources & Uses -------------------------------------------------------------------------

def _write_sources_uses(ws, wb, ctx: _Ctx, out: FinanceLayout, announced: str | None) -> None:
    title(ws, "Sources and uses of funds during construction",
          "Each phase's flows summed over its drawdown months (first capex to full service: the Drawdown flag row of "
          "its calc sheet); cash held taken at completion. EUR m. Total = sum of the phases.")
    cols = {p: 3 + k for k, p in enumerate(ctx.phases)} | {TOTAL: 3 + len(ctx.phases)}
    out.su_cols = cols
    last_col = cols[TOTAL]
    header_row(ws, 4, ["Line", "Unit", *(ctx.labels[p] for p in ctx.phases), "Total"])
    header_row(ws, 5, ["", "", *ctx.phases, TOTAL])
    for c in range(1, last_col + 1):
        right = "right" if c >= 3 else None
        ws.cell(row=4, column=c).alignment = Alignment(wrap_text=True, vertical="top", horizontal=right)
        ws.cell(row=5, column=c).alignment = Alignment(horizontal=right)
        ws.cell(row=5, column=c).font = Font(italic=True, color="FFFFFF", size=9)
    ws.row_dimensions[4].height = 45
    r = 6
    totals = {}
    for side, lines in (("Uses", USES), ("Sources", SOURCES)):
        _section(ws, r, side, last_col)
        r += 1
        first = r
        for label, rows in lines:
            put_text(ws.cell(row=r, column=1), label)
            ws.cell(row=r, column=1).alignment = INDENT
            for p in ctx.phases:
                flag = {name: ctx.row(p, "completion_marker" if name in BALANCE_ROWS else "draw_flag") for name in rows}
                parts = [f"SUMPRODUCT({ctx.row(p, name)},{flag[name]})" for name in rows]
                ws.cell(row=r, column=cols[p]).value = "=" + "+".join(parts)
            _su_total(ws, r, cols, ctx.phases)
            out.su_rows[(side, label)] = r
            r += 1
        put_text(ws.cell(row=r, column=1), f"Total {side.lower()}")
        for p in ctx.phases:
            col = get_column_letter(cols[p])
            ws.cell(row=r, column=cols[p]).value = f"=SUM({col}{first}:{col}{r - 1})"
        _su_total(ws, r, cols, ctx.phases)
        _bold_line(ws, r, last_col)
        out.su_rows[(side, f"Total {side.lower()}")] = totals[side] = r
        r += 2
    put_text(ws.cell(row=r - 1, column=1), "Sources - uses (0 when balanced)")
    ws.cell(row=r - 1, column=1).font = NOTE
    for c in range(3, last_col + 1):
        col = get_column_letter(c)
        ws.cell(row=r - 1, column=c).value = f"={col}{totals['Sources']}-{col}{totals['Uses']}"
    out.su_diff_row = r - 1
    for rr in (*out.su_rows.values(), out.su_diff_row):
        put_text(ws.cell(row=rr, column=2), "EUR m")
        for c in range(3, last_col + 1):
            ws.cell(row=rr, column=c).number_format = EUR_M
    r += 1
    _section(ws, r, "Funding need", last_col)
    out.su_peak_row, out.su_peak_month_row = r + 1, r + 2
    for rr, label, unit, item, fmt in (
            (r + 1, "Peak funding need (debt, equity and grants outstanding)", "EUR m", "peak_funding", EUR_M),
            (r + 2, "Month of the peak", "month", "peak_funding_month", MONTH)):
        put_text(ws.cell(row=rr, column=1), label)
        ws.cell(row=rr, column=1).alignment = INDENT
        put_text(ws.cell(row=rr, column=2), unit)
        for e, c in cols.items():
            ws.cell(row=rr, column=c).value = f"={scalar_ref(ctx.layouts[e], item)}"
            ws.cell(row=rr, column=c).number_format = fmt
    put_text(ws.cell(row=r + 3, column=1), "Total column: the consolidated peak (phases peak in different months, "
                                           "so it is not the sum of the phases' peaks).")
    ws.cell(row=r + 3, column=1).font = NOTE
    r += 5
    if announced is not None:
        _announced_block(ws, wb, r, last_col, totals["Uses"], announced, out)
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 8
    for c in range(3, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 17
    ws.column_dimensions[get_column_letter(last_col + 1)].width = 40
    _write_horizon_sources_uses(ws, ctx, out, last_col + 2)
    ws.freeze_panes = "C6"
    ws.print_title_rows = "1:5"
    landscape(ws)


def _announced_block(ws, wb, r: int, last_col: int, uses_row: int, announced: str, out: FinanceLayout) -> None:
    """The whole plan's announced investment (a link to the Announcements sheet, named Announced_Plan_EUR) beside
    the modelled total uses, from row ``r``."""
    _section(ws, r, "Announced plan beside the modelled uses", last_col)
    tot = get_column_letter(last_col)
    rows = {"announced": r + 1, "modelled": r + 2, "gap": r + 3}
    out.announced_row = rows["announced"]
    put_text(ws.cell(row=rows["announced"], column=1), "Announced investment, whole plan (by 2030)")
    put_text(ws.cell(row=rows["modelled"], column=1), "Modelled total uses during construction")
    put_text(ws.cell(row=rows["gap"], column=1), "Modelled / announced - 1")
    for key, unit in (("announced", "EUR m"), ("modelled", "EUR m"), ("gap", "%")):
        ws.cell(row=rows[key], column=1).alignment = INDENT
        put_text(ws.cell(row=rows[key], column=2), unit)
    wb.defined_names[ANNOUNCED_NAME] = DefinedName(ANNOUNCED_NAME, attr_text=announced)
    a = ws.cell(row=rows["announced"], column=last_col)
    a.value = f"={ANNOUNCED_NAME}"
    a.number_format = EUR_M
    src = ws.cell(row=rows["announced"], column=last_col + 1)
    put_text(src, f"From the Announcements sheet ({announced.split('!')[-1].replace('$', '')}), with its source")
    src.font = NOTE
    m = ws.cell(row=rows["modelled"], column=last_col)
    m.value = f"={tot}{uses_row}"
    m.number_format = EUR_M
    g = ws.cell(row=rows["gap"], column=last_col)
    g.value = f"={tot}{rows['modelled']}/{ANNOUNCED_NAME}-1"
    g.number_format = PERCENT
    note = ws.cell(row=rows["gap"] + 1, column=1)
    put_text(note, "Uses include financing costs, reserves and GPU refreshes during construction; the Dashboard "
                   "compares the announcement with the initial capex alone.")
    note.font = NOTE


def _write_horizon_sources_uses(ws, ctx: _Ctx, out: FinanceLayout, first_col: int) -> None:
    """The whole horizon beside the construction table: each cell the calc sheet's line item (phases, Consolidated)."""
    cols = {e: first_col + 1 + k for k, e in enumerate([*ctx.phases, TOTAL])}
    out.suh_cols = cols
    last_col = cols[TOTAL]
    head = ws.cell(row=3, column=first_col)
    put_text(head, "Whole horizon (construction, operation, GPU refreshes and wind-up), EUR m: the calc sheets' "
                   "'Sources and uses over the horizon' line items")
    head.font = SECTION
    header_row(ws, 4, ["Line (whole horizon)", *(ctx.labels[p] for p in ctx.phases), "Total"], first_col=first_col)
    header_row(ws, 5, ["", *ctx.phases, TOTAL], first_col=first_col)
    for c in range(first_col, last_col + 1):
        right = "right" if c > first_col else None
        ws.cell(row=4, column=c).alignment = Alignment(wrap_text=True, vertical="top", horizontal=right)
        ws.cell(row=5, column=c).alignment = Alignment(horizontal=right)
        ws.cell(row=5, column=c).font = Font(italic=True, color="FFFFFF", size=9)
    r = 6
    for side, prefix, lines in HORIZON_SIDES:
        _section(ws, r, side, last_col, first_col=first_col)
        r += 1
        names = [(prefix + key, label) for key, label, _ in lines] + [(f"horizon_{side.lower()}", f"Total {side.lower()}")]
        for name, label in names:
            put_text(ws.cell(row=r, column=first_col), label)
            ws.cell(row=r, column=first_col).alignment = INDENT
            for e, c in cols.items():
                ws.cell(row=r, column=c).value = f"={scalar_ref(ctx.layouts[e], name)}"
                ws.cell(row=r, column=c).number_format = EUR_M
            out.suh_rows[(side, label)] = r
            r += 1
        _bold_line(ws, r - 1, last_col, first_col=first_col)
        r += 1
    put_text(ws.cell(row=r - 1, column=first_col), "Sources - uses (0 when balanced)")
    ws.cell(row=r - 1, column=first_col).font = NOTE
    for e, c in cols.items():
        ws.cell(row=r - 1, column=c).value = f"={scalar_ref(ctx.layouts[e], 'horizon_gap')}"
        ws.cell(row=r - 1, column=c).number_format = EUR_M
    out.suh_diff_row = r - 1
    ws.column_dimensions[get_column_letter(first_col)].width = 52
    for c in range(first_col + 1, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 17


def _su_total(ws, r: int, cols: dict[str, int], phases) -> None:
    first, last = get_column_letter(cols[phases[0]]), get_column_letter(cols[phases[-1]])
    ws.cell(row=r, column=cols[TOTAL]).value = f"=SUM({first}{r}:{last}{r})"


# --- Debt ----------------------------------------------------------------------------------------

def _write_debt(ws, ctx: _Ctx, out: FinanceLayout) -> None:
    title(ws, "Debt", "Debt schedule by tranche and year: flows summed over the calendar year, balances at its last month; "
                      "DSCR = CFADS / debt service by year, the December covenant test on the trailing 12 months "
                      "(the input dscr_cap in years without debt service). EUR m.")
    n_years = len(ctx.years)
    last_col = FIRST_YEAR_COL + n_years - 1
    # key figures
    put_text(ws["A4"], "Key figures (calc sheets' scalars)")
    ws["A4"].font = SECTION
    heads = ["Entity", ""] + [h for h, *_ in KEY_FIGURES]
    header_row(ws, 5, heads)
    for c in range(1, len(heads) + 1):
        ws.cell(row=5, column=c).alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if c >= 3 else None)
    ws.row_dimensions[5].height = 45
    out.key_cols = {item: 3 + k for k, (_, item, _, _) in enumerate(KEY_FIGURES)}
    for k, e in enumerate(ctx.entities, start=6):
        out.key_rows[e] = k
        put_text(ws.cell(row=k, column=1), ctx.labels[e])
        put_text(ws.cell(row=k, column=2), e)
        ws.cell(row=k, column=2).font = NOTE
        for j, (_, item, fmt, phase_only) in enumerate(KEY_FIGURES, start=3):
            c = ws.cell(row=k, column=j)
            if phase_only and e == TOTAL:
                put_text(c, "phases only")
                c.font = NOTE
                c.alignment = Alignment(horizontal="right")
                continue
            ref = scalar_ref(ctx.layouts[e], item)
            c.value = f"={ref}*{scalar_ref(ctx.layouts[e], 'has_debt')}" if item in NO_DEBT else f"={ref}"
            c.number_format = NO_DEBT_FORMAT if item in NO_DEBT else fmt
    breach_col = get_column_letter(out.key_cols["breach_months"])
    ws.conditional_formatting.add(f"{breach_col}6:{breach_col}{5 + len(ctx.entities)}",
                                  CellIsRule(operator="greaterThan", formula=["0"], fill=AMBER))
    note = 6 + len(ctx.entities)
    put_text(ws.cell(row=note, column=1), "Failed covenant tests are a warning (Checks sheet), not a failed check: on "
                                          "benchmark prices the plan may not cover its debt service.")
    ws.cell(row=note, column=1).font = NOTE
    chart_row = note + 2
    r = chart_row + 22  # room for the chart
    out.debt_first_annual_row = r
    for e in ctx.entities:
        hdr = r
        _year_header(ws, hdr, ctx.labels[e], ctx.years)
        r += 1
        for n, label, _ in TRANCHES:
            put_text(ws.cell(row=r, column=1), label)
            ws.cell(row=r, column=1).font = SECTION
            r += 1
            for fld, kind in DEBT_FIELDS:
                _annual_row(ws, r, ctx, e, f"{n}_{fld}", kind, DEBT_LABELS[fld], hdr, n_years)
                if fld == "balance":
                    ws.cell(row=r, column=1).font = BOLD
                out.debt_rows[(e, n, fld)] = r
                r += 1
        put_text(ws.cell(row=r, column=1), "All tranches and debt cover")
        ws.cell(row=r, column=1).font = SECTION
        r += 1
        for key, label, item, kind in DEBT_COVER:
            _annual_row(ws, r, ctx, e, item, kind, label, hdr, n_years)
            out.cover_rows[(e, key)] = r
            r += 1
        cf, ds = out.cover_rows[(e, "cfads")], out.cover_rows[(e, "debt_service")]
        cap = excel_name("dscr_cap")
        put_text(ws.cell(row=r, column=1), "DSCR = CFADS / debt service (dscr_cap if none)")
        ws.cell(row=r, column=1).alignment = INDENT
        ws.cell(row=r, column=1).font = BOLD
        put_text(ws.cell(row=r, column=2), "x")
        for k in range(n_years):
            col = get_column_letter(FIRST_YEAR_COL + k)
            has = f"({col}{ds}>0)"
            c = ws.cell(row=r, column=FIRST_YEAR_COL + k)
            c.value = f"={has}*MIN({cap},{col}{cf}/({col}{ds}+1-{has}))+(1-{has})*{cap}"
            c.number_format = DSCR
        out.cover_rows[(e, "dscr")] = r
        r += 1
        r += 1
    ws.add_chart(_debt_chart(ws, ctx, out, n_years), f"A{chart_row}")
    ws.column_dimensions["A"].width = 58
    ws.column_dimensions["B"].width = 11
    for c in range(FIRST_YEAR_COL, max(last_col, 2 + len(KEY_FIGURES)) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.freeze_panes = "C1"
    landscape(ws)


def _debt_chart(ws, ctx: _Ctx, out: FinanceLayout, n_years: int) -> BarChart:
    """Consolidated closing balance by tranche (stacked columns) and DSCR (line, right axis)."""
    first, last = FIRST_YEAR_COL, FIRST_YEAR_COL + n_years - 1
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = "Debt outstanding at year end and DSCR (whole plan)"
    for n, label, _ in TRANCHES:
        r = out.debt_rows[(TOTAL, n, "balance")]
        bars.add_data(Reference(ws, min_col=first, max_col=last, min_row=r, max_row=r), from_rows=True, titles_from_data=False)
        bars.series[-1].tx = SeriesLabel(v=label)
    hdr = out.debt_rows[(TOTAL, TRANCHES[0][0], "draws")] - 2
    cats = Reference(ws, min_col=first, max_col=last, min_row=hdr, max_row=hdr)
    bars.set_categories(cats)
    bars.y_axis.title = "EUR bn"
    bars.y_axis.number_format = "#,##0,,,"
    bars.y_axis.numFmt.sourceLinked = False
    bars.y_axis.majorGridlines = None
    line = LineChart()
    r = out.cover_rows[(TOTAL, "dscr")]
    line.add_data(Reference(ws, min_col=first, max_col=last, min_row=r, max_row=r), from_rows=True, titles_from_data=False)
    line.series[-1].tx = SeriesLabel(v="DSCR (right axis)")
    line.series[-1].marker = Marker(symbol="circle", size=6)
    line.series[-1].smooth = False
    line.set_categories(cats)
    line.y_axis.axId = 200
    line.y_axis.title = "DSCR (x)"
    line.y_axis.crosses = "max"
    line.y_axis.number_format = "0.0"
    line.y_axis.majorGridlines = None
    for axis in (bars.x_axis, bars.y_axis, line.y_axis):
        axis.delete = False
    bars.x_axis.tickLblPos = "low"
    bars += line
    bars.legend.position = "b"
    bars.width, bars.height = 26, 10.5
    return bars


# --- Statements ------------------------------------------------------------------------------------

def _write_statements(ws, ctx: _Ctx, out: FinanceLayout) -> None:
    title(ws, "Financial statements", "Income statement and cash-flow statement summed over each calendar year; balance "
                                      "sheet at the year's last month. Consolidated first, then each phase's project "
                                      "company. EUR m. Simplifications: see the Statements section of the calc sheets.")
    n_years = len(ctx.years)
    last_col = FIRST_YEAR_COL + n_years - 1
    _year_header(ws, 4, "Line", ctx.years)
    kinds = {item: kind for _, item, kind in STATEMENTS}
    r = 5
    for e in ctx.entities:
        _section(ws, r, ctx.labels[e] + ("" if e == TOTAL else f"  ({e})"), last_col)
        r += 1
        statement = None
        for st, item, kind in STATEMENTS:
            if st != statement:
                statement = st
                put_text(ws.cell(row=r, column=1), st + (" (year end)" if kind == "balance" else ""))
                ws.cell(row=r, column=1).font = SECTION
                r += 1
            _annual_row(ws, r, ctx, e, item, kinds[item], ctx.item_labels[item], 4, n_years)
            if item in STATEMENT_TOTALS:
                _bold_line(ws, r, last_col)
            if item == "balance_check":
                for c in range(1, last_col + 1):
                    ws.cell(row=r, column=c).font = NOTE
            out.statement_rows[(e, item)] = r
            r += 1
        r += 1
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 8
    for c in range(FIRST_YEAR_COL, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 12
    ws.freeze_panes = f"{get_column_letter(FIRST_YEAR_COL)}5"
    ws.print_title_rows = "1:4"
    landscape(ws)


# --- shared pieces -----------------------------------------------------------------------------------

def _year_header(ws, r: int, first: str, years: list[int]) -> None:
    """A dark header row: label, unit, then the years as numbers (the SUMIF criteria of the rows below)."""
    header_row(ws, r, [first, "Unit"])
    year_header(ws, r, len(years))


def _annual_row(ws, r: int, ctx: _Ctx, entity: str, item: str, kind: str, label: str, hdr: int, n_years: int) -> None:
    """One formula copied across the years: a calc row summed by year or taken at year end [EUR m]."""
    put_text(ws.cell(row=r, column=1), label)
    ws.cell(row=r, column=1).alignment = INDENT
    put_text(ws.cell(row=r, column=2), "EUR m")
    for k in range(n_years):
        col = get_column_letter(FIRST_YEAR_COL + k)
        c = ws.cell(row=r, column=FIRST_YEAR_COL + k)
        c.value = ctx.annual(entity, item, kind, f"{col}${hdr}")
        c.number_format = EUR_M


def _section(ws, r: int, text: str, last_col: int, first_col: int = 1) -> None:
    put_text(ws.cell(row=r, column=first_col), text)
    for c in range(first_col, last_col + 1):
        ws.cell(row=r, column=c).font, ws.cell(row=r, column=c).fill = SECTION, SECTION_FILL


def _bold_line(ws, r: int, last_col: int, first_col: int = 1) -> None:
    for c in range(first_col, last_col + 1):
        ws.cell(row=r, column=c).font = BOLD
        ws.cell(row=r, column=c).border = TOP_LINE


# --- checks ------------------------------------------------------------------------------------------

def _max_abs(rng: str) -> str:
    """Largest absolute value of a range without an array formula."""
    return f"MAX(MAX({rng}),-MIN({rng}))"


def _collect_checks(ctx: _Ctx, out: FinanceLayout) -> None:
    """Checks for the master check, and warnings shown beside it."""
    su = quote_sheet(SOURCES_USES_SHEET)
    for period, cols, rows, diff_row in (("during construction", out.su_cols, out.su_rows, out.su_diff_row),
                                          ("over the whole horizon", out.suh_cols, out.suh_rows, out.suh_diff_row)):
        uses = rows[("Uses", "Total uses")]
        for e, c in cols.items():
            col = get_column_letter(c)
            diff, tot = f"{su}!${col}${diff_row}", f"{su}!${col}${uses}"
            out.checks.append((f"{e}: sources = uses {period} (Sources & Uses)",
                               f"=--(ABS({diff})<=Check_Tolerance*MAX(1,ABS({tot})))"))
    debt = quote_sheet(DEBT_SHEET)
    first, last = get_column_letter(FIRST_YEAR_COL), get_column_letter(FIRST_YEAR_COL + len(ctx.years) - 1)
    for e in ctx.entities:
        assets = ctx.row(e, "total_assets")
        scale = f"Check_Tolerance*MAX(1,{_max_abs(assets)})"
        out.checks.append((f"{e}: balance sheet balances in every month (|assets - liabilities - equity| vs total assets)",
                           f"=--({_max_abs(ctx.row(e, 'balance_check'))}<={scale})"))
        out.checks.append((f"{e}: cash-flow statement explains the change in cash in every month",
                           f"=--({_max_abs(ctx.row(e, 'cash_check'))}<={scale})"))
        r = out.cover_rows[(e, "debt_service")]
        lay = ctx.layouts[e]
        monthly = f"{quote_sheet(lay.sheet)}!$D${lay.rows['debt_service_serviced']}"
        annual = f"SUM({debt}!${first}${r}:${last}${r})"
        out.checks.append((f"{e}: annual debt service (Debt sheet) adds up to the monthly total (months with debt service)",
                           f"=--(ABS(({monthly})-({annual}))<=Check_Tolerance*MAX(1,ABS({monthly})))"))
        d = out.cover_rows[(e, "dscr")]
        rng = f"{debt}!${first}${d}:${last}${d}"
        out.checks.append((f"{e}: annual DSCR has a number in every year (no error values)",
                           f"=--(COUNT({rng})=COLUMNS({rng}))"))
    for p in ctx.phases:
        out.warnings.append((f"{p}: covenant tests failed (trailing-12-month DSCR below dscr_covenant; distributions locked up)",
                             f"={scalar_ref(ctx.layouts[p], 'breach_months')}", "#"))
        out.warnings.append((f"{p}: months with GPU loans and vendor financing above the book value of the IT securing them",
                             f"={scalar_ref(ctx.layouts[p], 'collateral_breach_months')}", "#"))

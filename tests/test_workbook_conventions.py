"""The workbook follows the conventions of DESIGN.md "Excel workbook conventions".

Checked on the saved default report, reloaded with openpyxl (no LibreOffice needed):
no numbers inside formulas, one formula per row copied across, every input a
named cell in the "Input" style, the scenario drop-down, sheet order, charts,
freeze panes, safe defined names and the document properties.
"""

from __future__ import annotations

import re
import warnings

import openpyxl
import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.formula.translate import Translator
from openpyxl.utils import FORMULAE, get_column_letter, range_boundaries

import finmodel
from finmodel.excel.calc import CONSOLIDATED_SHEET, FIRST_PERIOD_COL, TIME_SHEET, calc_sheet_name
from finmodel.excel.finance_sheets import ANNOUNCED_NAME, DEBT_SHEET, SOURCES_USES_SHEET, STATEMENTS_SHEET
from finmodel.excel.formula_eval import tokens as evaluator_tokens
from finmodel.excel.inputs_sheet import FIRST_SCENARIO_COL, HEADER, LIVE_COL, NAME_COL
from finmodel.excel.sheets import ANNUAL_HEADER_ROW, ANNUAL_SHEET
from finmodel.excel.style import FIRST_YEAR_COL, TIME_YEARS
from finmodel.excel.writer import write_report

YEAR_HEADER = f"=MIN({TIME_YEARS})"
REQUIRED_NAMES = ("NPV_Total", "IRR_Total", "LCOC_Total", "Capex_Total", "Jobs_Permanent_2030_Total", "Check_Master",
                  "Scenario", "ScenarioNames", ANNOUNCED_NAME)
FINANCE_SHEETS = (SOURCES_USES_SHEET, DEBT_SHEET, STATEMENTS_SHEET)
BANNED_FUNCTIONS = {"OFFSET", "INDIRECT", "XLOOKUP"}
CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$")  # 'AB12': Excel reads it as a cell address
R1C1_LIKE = re.compile(r"^[RrCc]([0-9]*)$|^[Rr][0-9]*[Cc][0-9]*$")  # 'R', 'C2', 'R1C1': R1C1 references
VALID_NAME = re.compile(r"^[A-Za-z_\\][A-Za-z0-9_.]*$")


@pytest.fixture(scope="module")
def report(default_results, default_report):
    """The default scenario's Results and its saved report, reloaded with openpyxl."""
    path, layout = default_report
    return default_results, openpyxl.load_workbook(path), layout


@pytest.fixture(scope="module")
def wb(report):
    return report[1]


@pytest.fixture(scope="module")
def res(report):
    return report[0]


@pytest.fixture(scope="module")
def layout(report):
    return report[2]


@pytest.fixture(scope="module")
def tokens(wb):
    """(sheet, coordinate, formula, tokens) of every formula cell, tokenized once."""
    return [(s, c, f, Tokenizer(f).items) for s, c, f in all_formulas(wb)]


def calc_sheets(wb) -> list[str]:
    """Time, every 'Calc ...' sheet and Consolidated."""
    return [n for n in wb.sheetnames if n in (TIME_SHEET, CONSOLIDATED_SHEET) or n.startswith("Calc ")]


def formula_of(cell) -> str | None:
    """The formula text of a cell ('=...'), or None for a value."""
    if cell.data_type != "f":
        return None
    v = cell.value
    return v if isinstance(v, str) else getattr(v, "text", None)


def all_formulas(wb, sheets=None):
    """(sheet, coordinate, formula) of every formula cell of ``sheets`` (default: every sheet)."""
    for name in sheets or wb.sheetnames:
        for row in wb[name].iter_rows():
            for cell in row:
                f = formula_of(cell)
                if f is not None:
                    yield name, cell.coordinate, f


def function_name(tok) -> str:
    """Upper-case name of a function-open token, without _xlfn./_xlws. prefixes."""
    name = tok.value[:-1].upper()
    for prefix in ("_XLFN.", "_XLWS."):
        name = name.removeprefix(prefix)
    return name


def functions_in(formula_or_tokens) -> list[str]:
    """Function names called in a formula (text or its tokens)."""
    items = Tokenizer(formula_or_tokens).items if isinstance(formula_or_tokens, str) else formula_or_tokens
    return [function_name(t) for t in items if t.type == Token.FUNC and t.subtype == Token.OPEN]


def destinations(wb, name: str) -> list[tuple[str, str]]:
    """(sheet, cell or range) a defined name points at."""
    return list(wb.defined_names[name].destinations)


# --- no hard-coded numbers, one formula per row ------------------------------------------

def test_formulas_found(wb):
    """The checks below look at something: every calc sheet has period formulas."""
    for name in calc_sheets(wb):
        assert any(True for _ in all_formulas(wb, [name])), f"{name} has no formula"
    assert len(calc_sheets(wb)) >= 3


def test_no_number_literals_in_calc_formulas(wb, tokens):
    """Only 0 and 1 may appear as numbers inside formulas on the calc sheets, Annual, the financing sheets and Checks."""
    found = []
    sheets = set(calc_sheets(wb) + [ANNUAL_SHEET, *FINANCE_SHEETS, "Checks"])
    assert sheets <= set(wb.sheetnames)
    for sheet, coord, f, items in tokens:
        if sheet not in sheets:
            continue
        for tok in items:
            if tok.type == Token.OPERAND and tok.subtype == Token.NUMBER and float(tok.value) not in (0.0, 1.0):
                found.append(f"{sheet}!{coord}: {tok.value} in {f[:120]}")
    assert not found, f"{len(found)} number literal(s) in formulas, e.g.:\n" + "\n".join(found[:10])


def _check_copied_across(ws, first_col: int, first_row: int = 1) -> tuple[int, list[str]]:
    """Rows (from ``first_row``) whose formula in ``first_col`` translates to every other period column's formula."""
    rows, bad = 0, []
    origin_col = get_column_letter(first_col)
    for r in range(first_row, ws.max_row + 1):
        f0 = formula_of(ws.cell(row=r, column=first_col))
        if f0 is None:
            continue
        rows += 1
        tr = Translator(f0, origin=f"{origin_col}{r}")
        for c in range(first_col + 1, ws.max_column + 1):
            col = get_column_letter(c)
            got = ws.cell(row=r, column=c).value
            want = tr.translate_formula(f"{col}{r}")
            if got != want:
                bad.append(f"{ws.title}!{col}{r}: {got!r} is not {origin_col}{r} copied across ({want!r})")
                break
    return rows, bad


def test_one_formula_per_row_copied_across(wb, res):
    """Every calc row with period formulas holds the column-F formula copied to every period column."""
    periods = res.inputs.periods
    for name in calc_sheets(wb):
        ws = wb[name]
        assert ws.max_column == FIRST_PERIOD_COL + periods - 1, f"{name}: {ws.max_column} columns for {periods} periods"
        rows, bad = _check_copied_across(ws, FIRST_PERIOD_COL)
        assert rows >= 3, f"{name}: only {rows} rows with period formulas"
        assert not bad, "\n".join(bad[:10])


def test_annual_rows_copied_across(wb):
    """The Annual roll-up rows are also one formula copied across the years (from column C)."""
    rows, bad = _check_copied_across(wb[ANNUAL_SHEET], FIRST_YEAR_COL)
    assert rows > 10
    assert not bad, "\n".join(bad[:10])


def test_debt_and_statements_rows_copied_across(wb, layout):
    """The yearly rows of Debt (below the key figures) and Statements: one formula copied across the years."""
    fin = layout.finance
    for sheet, first_row, want in ((DEBT_SHEET, fin.debt_first_annual_row, len(fin.debt_rows) + len(fin.cover_rows)),
                                   (STATEMENTS_SHEET, 1, len(fin.statement_rows))):
        ws = wb[sheet]
        assert ws.max_column == FIRST_YEAR_COL + len(fin.years) - 1, f"{sheet}: {ws.max_column} columns"
        rows, bad = _check_copied_across(ws, FIRST_YEAR_COL, first_row)
        headers = sum(1 for r in range(first_row, ws.max_row + 1)  # year headers: Time's first year + column offset
                      if str(ws.cell(row=r, column=FIRST_YEAR_COL).value).startswith(YEAR_HEADER))
        assert headers >= 1 and rows == want + headers, f"{sheet}: {rows} rows with yearly formulas, expected {want}"
        assert not bad, "\n".join(bad[:10])


def test_financing_sheets_roll_up_calc_rows(wb, layout, res):
    """Sources & Uses lines are SUMPRODUCTs with the drawdown flag (or completion marker); Debt and Statements
    flows are SUMIF by year, balances SUMIFS at the year end; Total = sum of the phase columns."""
    from finmodel.financing import BALANCE_ROWS, SOURCES, STATEMENTS, USES

    fin = layout.finance
    phases = res.inputs.phases
    ws = wb[SOURCES_USES_SHEET]
    for (side, line), r in fin.su_rows.items():
        for p in phases:
            f = ws.cell(row=r, column=fin.su_cols[p]).value
            lay = layout.calc[p]
            if line.startswith("Total"):
                col = get_column_letter(fin.su_cols[p])
                assert f == f"=SUM({col}{r - len(USES if side == 'Uses' else SOURCES)}:{col}{r - 1})", f
                continue
            flag = lay.rows["draw_flag"]
            assert functions_in(f) and set(functions_in(f)) == {"SUMPRODUCT"}, f
            assert f"${flag}:" in f or any(name in BALANCE_ROWS for name in dict(USES).get(line, ())), f
            assert f"'{lay.sheet}'!" in f or f"{lay.sheet}!" in f, f
        first, last = (get_column_letter(fin.su_cols[p]) for p in (phases[0], phases[-1]))
        assert ws.cell(row=r, column=fin.su_cols["total"]).value == f"=SUM({first}{r}:{last}{r})"
    marker = layout.calc[phases[0]].rows["completion_marker"]
    cash_line = next(label for label, rows in USES if set(rows) & set(BALANCE_ROWS))
    assert f"${marker}:" in ws.cell(row=fin.su_rows[("Uses", cash_line)], column=fin.su_cols[phases[0]]).value
    kinds = {item: kind for _, item, kind in STATEMENTS}
    ws = wb[STATEMENTS_SHEET]
    for (e, item), r in fin.statement_rows.items():
        f = ws.cell(row=r, column=FIRST_YEAR_COL).value
        assert functions_in(f) == (["SUMIF"] if kinds[item] == "flow" else ["SUMIFS"]), (e, item, f)
    ws = wb[DEBT_SHEET]
    for (e, n, fld), r in fin.debt_rows.items():
        f = ws.cell(row=r, column=FIRST_YEAR_COL).value
        assert functions_in(f) == (["SUMIFS"] if fld == "balance" else ["SUMIF"]), (e, n, fld, f)


def test_announced_plan_is_typed_once_and_linked(wb, tokens, layout):
    """EUR 52 bn is typed once, as the whole plan's input on the Announcements sheet (with its source there);
    the name Announced_Plan_EUR points to it and Sources & Uses shows it through the name."""
    (sheet, ref), = destinations(wb, ANNOUNCED_NAME)
    cell = wb[sheet][ref.replace("$", "")]
    assert sheet == "Announcements" and cell.value == 52e9 and cell.data_type == "n" and cell.style == "Input"
    row = [c.value for c in wb[sheet][cell.row]]
    assert row[0] == "plan_feb_2025" and "capex_eur" in row and any("seed 000" in str(v) for v in row)
    typed = [f"{ws.title}!{c.coordinate}" for ws in wb for line in ws.iter_rows() for c in line
             if c.data_type == "n" and c.value == 52e9]
    assert typed == [f"Announcements!{cell.coordinate}"]
    fin = layout.finance
    shown = wb[SOURCES_USES_SHEET].cell(row=fin.announced_row, column=fin.su_cols["total"]).value
    assert shown == f"={ANNOUNCED_NAME}"
    assert any(ANNOUNCED_NAME.upper() in f.upper() for s, _, f, _ in tokens if s == SOURCES_USES_SHEET)


def test_every_annual_sheet_puts_a_year_in_the_same_column(wb, layout):
    """Annual, Debt, Statements, Jobs and the Dashboard's yearly tables: year headers from column C, each the
    Time sheet's first year plus the column's offset (a formula, never a typed year)."""
    n = len(layout.years)
    headers = {}
    for name in (ANNUAL_SHEET, DEBT_SHEET, STATEMENTS_SHEET, "Jobs", "Dashboard"):
        ws = wb[name]
        rows = [r for r in range(1, ws.max_row + 1) if str(ws.cell(row=r, column=FIRST_YEAR_COL).value).startswith(YEAR_HEADER)]
        assert rows, f"{name}: no year header row"
        headers[name] = rows
        for r in rows:
            for k in range(n):
                f = ws.cell(row=r, column=FIRST_YEAR_COL + k).value
                want = f"={YEAR_HEADER[1:]}+COLUMNS($C{r}:{get_column_letter(FIRST_YEAR_COL + k)}{r})-1"
                assert f == want, (name, r, k, f)
            assert ws.cell(row=r, column=FIRST_YEAR_COL + n).value is None, (name, r)
        typed = [c.coordinate for line in ws.iter_rows() for c in line  # a year typed as a number or as text
                 if c.data_type == "n" and isinstance(c.value, (int, float)) and 2000 <= c.value <= 2100
                 or isinstance(c.value, str) and c.value.strip().isdigit() and 2000 <= int(c.value) <= 2100]
        assert not typed, (name, typed)
    assert headers[ANNUAL_SHEET] == [ANNUAL_HEADER_ROW]
    assert len(headers["Dashboard"]) == 2 and len(headers[DEBT_SHEET]) >= 2
    sheet, ref = wb.defined_names[TIME_YEARS].attr_text.split("!")
    assert sheet == TIME_SHEET and ref.startswith("$F$")


# --- functions ----------------------------------------------------------------------------

def test_no_volatile_or_lookup_functions(wb, tokens):
    """No OFFSET, INDIRECT or XLOOKUP anywhere: cells, defined names, validations, conditional formats."""
    found = [f"{s}!{c}: {f[:100]}" for s, c, f, items in tokens if BANNED_FUNCTIONS & set(functions_in(items))]
    for name, dn in wb.defined_names.items():
        if BANNED_FUNCTIONS & set(functions_in("=" + dn.attr_text)):
            found.append(f"defined name {name}: {dn.attr_text}")
    for ws in wb:
        for dv in ws.data_validations.dataValidation:
            for f in (dv.formula1, dv.formula2):
                if f and BANNED_FUNCTIONS & set(functions_in("=" + f.lstrip("="))):
                    found.append(f"{ws.title} validation {dv.sqref}: {f}")
        for rng, rules in ws.conditional_formatting._cf_rules.items():
            for rule in rules:
                for f in rule.formula or []:
                    if BANNED_FUNCTIONS & set(functions_in("=" + f)):
                        found.append(f"{ws.title} conditional format {rng.sqref}: {f}")
    assert not found, "\n".join(found[:10])


def test_no_nested_if(tokens):
    """Flags (0/1 rows) instead of nested IFs: no IF inside an IF."""
    found = []
    for sheet, coord, f, items in tokens:
        stack = []
        for tok in items:
            if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
                name = function_name(tok)
                if name in ("IF", "IFS") and any(s in ("IF", "IFS") for s in stack):
                    found.append(f"{sheet}!{coord}: {f[:120]}")
                    break
                stack.append(name)
            elif tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                stack.pop()
    assert not found, "\n".join(found[:10])


def test_functions_known_to_openpyxl(tokens):
    """Every function is one openpyxl writes without an _xlfn. prefix (else Excel shows #NAME?)."""
    found = sorted({f"{name} ({s}!{c})" for s, c, f, items in tokens for name in functions_in(items)
                    if name not in FORMULAE})
    assert not found, found[:10]


def test_index_names_row_and_column(tokens):
    """INDEX(range, 1, MATCH(...)) everywhere: Gnumeric gives #REF! for INDEX(row range, MATCH(...))."""
    found = []
    for sheet, coord, f, items in tokens:
        stack = []  # [function name, separators seen] of each open call
        for tok in items:
            if tok.type == Token.FUNC and tok.subtype == Token.OPEN:
                stack.append([function_name(tok), 0])
            elif tok.type == Token.SEP and tok.subtype == Token.ARG and stack:
                stack[-1][1] += 1
            elif tok.type == Token.FUNC and tok.subtype == Token.CLOSE:
                name, seps = stack.pop()
                if name == "INDEX" and seps != 2:
                    found.append(f"{sheet}!{coord}: {f[:120]}")
    assert not found, "\n".join(found[:10])
    assert any("INDEX" in functions_in(items) for _, _, _, items in tokens)


def test_no_error_masks(tokens):
    """Figures that may not apply are a number and a flag, never an error value hidden by IFERROR or NA()."""
    found = [f"{s}!{c}: {f[:120]}" for s, c, f, items in tokens if {"IFERROR", "ISERROR", "NA", "IFNA"} & set(functions_in(items))]
    assert not found, "\n".join(found[:10])


def test_no_if_at_all(tokens):
    """The model uses flags and MIN/MAX, not IF (DESIGN: flags instead of IFs)."""
    found = [f"{s}!{c}: {f[:120]}" for s, c, f, items in tokens if {"IF", "IFS"} & set(functions_in(items))]
    assert not found, "\n".join(found[:10])


# --- inputs, names ------------------------------------------------------------------------

def scenario_header(ws) -> list[str]:
    """Names of the scenario columns: header cells from F up to 'Source'."""
    out = []
    for c in range(FIRST_SCENARIO_COL, ws.max_column + 1):
        v = ws.cell(row=HEADER, column=c).value
        if v in (None, "Source"):
            break
        out.append(v)
    return out


def _input_rows(ws):
    for r in range(HEADER + 1, ws.max_row + 1):
        live = ws.cell(row=r, column=LIVE_COL).value
        if isinstance(live, str) and live.startswith("=INDEX("):
            yield r


def test_every_input_row_is_named_and_styled(wb):
    """Each live-value row of Inputs: a defined name = its column-A name -> its D cell; scenario cells "Input"."""
    ws = wb["Inputs"]
    n_scen = len(scenario_header(ws))
    assert n_scen >= 1
    rows = list(_input_rows(ws))
    assert len(rows) >= 50, f"only {len(rows)} input rows found"
    for r in rows:
        name = ws.cell(row=r, column=NAME_COL).value
        assert isinstance(name, str) and name, f"Inputs row {r} has no name in column A"
        assert name in wb.defined_names, f"input {name} (Inputs row {r}) has no defined name"
        want = f"Inputs!${get_column_letter(LIVE_COL)}${r}"
        assert wb.defined_names[name].attr_text.replace("'", "") == want, \
            f"{name} -> {wb.defined_names[name].attr_text}, expected {want}"
        for c in range(FIRST_SCENARIO_COL, FIRST_SCENARIO_COL + n_scen):
            cell = ws.cell(row=r, column=c)
            assert cell.style == "Input", f"Inputs!{cell.coordinate} ({name}) has style {cell.style!r}, not 'Input'"
            assert cell.data_type == "n" or cell.is_date, f"Inputs!{cell.coordinate} ({name}) is not a value: {cell.value!r}"


def test_every_listed_input_has_a_defined_name(wb):
    """finmodel.list_inputs()'s excel_name column: each is a defined name pointing at an Inputs cell."""
    listed = finmodel.list_inputs()
    assert len(listed) > 50
    missing = [n for n in listed.excel_name if n not in wb.defined_names]
    assert not missing, f"inputs without a defined name: {missing}"
    for n in listed.excel_name:
        (sheet, ref), = destinations(wb, n)
        assert sheet == "Inputs", f"{n} points at {sheet}!{ref}"
        assert wb[sheet][ref.replace("$", "")].value is not None


def test_every_input_cell_is_validated_from_the_spec(wb):
    """Data validation on every scenario cell of every input row, its error message naming the input and range."""
    ws = wb["Inputs"]
    cover = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            for row in ws.iter_rows(min_row=rng.min_row, max_row=rng.max_row, min_col=rng.min_col, max_col=rng.max_col):
                for c in row:
                    cover[c.coordinate] = dv
    n = 0
    for r in _input_rows(ws):
        name = ws.cell(row=r, column=NAME_COL).value
        for c in range(FIRST_SCENARIO_COL, FIRST_SCENARIO_COL + len(scenario_header(ws))):
            dv = cover.get(f"{get_column_letter(c)}{r}")
            assert dv is not None and dv.showErrorMessage and name in dv.error, (name, get_column_letter(c))
            n += 1
    assert n > 300
    util = next(dv for dv in ws.data_validations.dataValidation if dv.error.startswith("utilisation:"))
    assert (util.type, util.operator, float(util.formula1), float(util.formula2)) == ("decimal", "between", 0, 1)


def test_every_input_has_a_range_check_in_the_master_check(wb):
    ws = wb["Checks"]
    labels = {ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)}
    for r in _input_rows(wb["Inputs"]):
        name = wb["Inputs"].cell(row=r, column=NAME_COL).value
        if wb["Inputs"].cell(row=r, column=3).value != "date":
            assert any(str(label).startswith(f"input {name} is ") for label in labels), name


def test_scenario_columns_are_the_scenarios(wb, res):
    """One scenario column per scenario of inputs/ (no 'custom' column when nothing is overridden)."""
    assert scenario_header(wb["Inputs"]) == list(res.inputs.scenarios)


@pytest.mark.parametrize("name", REQUIRED_NAMES)
def test_required_names_point_at_existing_cells(wb, name):
    assert name in wb.defined_names, f"defined name {name} is missing"
    dests = destinations(wb, name)
    assert dests, f"{name} = {wb.defined_names[name].attr_text} points nowhere"
    for sheet, ref in dests:
        assert sheet in wb.sheetnames, f"{name} points at missing sheet {sheet!r}"
        ws = wb[sheet]
        min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
        for r in range(min_row, max_row + 1):
            for c in range(min_col, max_col + 1):
                assert ws.cell(row=r, column=c).value not in (None, ""), \
                    f"{name} -> {sheet}!{get_column_letter(c)}{r} is empty"


def test_every_defined_name_points_into_the_workbook(wb):
    for name in wb.defined_names:
        dests = destinations(wb, name)
        assert dests, f"{name} = {wb.defined_names[name].attr_text} is not a reference"
        for sheet, ref in dests:
            assert sheet in wb.sheetnames, f"{name} -> missing sheet {sheet!r}"


def test_no_defined_name_looks_like_a_cell(wb):
    """A name like 'AB12' or 'R1C1' is a cell address to Excel and breaks the workbook."""
    names = list(wb.defined_names)
    assert len(names) > 50
    assert not [n for n in names if CELL_LIKE.match(n)], "defined names that look like cell addresses"
    assert not [n for n in names if R1C1_LIKE.match(n)], "defined names that look like R1C1 references"
    assert not [n for n in names if not VALID_NAME.match(n) or len(n) > 255], "invalid defined names"
    lowered = [n.lower() for n in names]
    assert len(set(lowered)) == len(lowered), "defined names differing only in case (Excel ignores case)"


# --- structure ------------------------------------------------------------------------------

def test_sheet_order(wb, res):
    phases = res.inputs.phases
    assert wb.sheetnames == ["Cover", "Dashboard", "Inputs", TIME_SHEET, *[calc_sheet_name(p) for p in phases],
                             CONSOLIDATED_SHEET, ANNUAL_SHEET, *FINANCE_SHEETS, "Cost per GPU-hour", "Jobs",
                             "Announcements", "Checks", "Sources"]


def test_cover_lists_every_sheet(wb):
    cover = wb["Cover"]
    linked = {c.value for row in cover.iter_rows(max_col=1) for c in row if c.hyperlink is not None}
    assert set(wb.sheetnames) - {"Cover"} <= linked, set(wb.sheetnames) - {"Cover"} - linked


def test_scenario_drop_down(wb):
    ws = wb["Inputs"]
    dvs = [dv for dv in ws.data_validations.dataValidation if "C3" in dv.sqref]
    assert len(dvs) == 1, "Inputs!C3 needs exactly one data validation"
    dv = dvs[0]
    assert dv.type == "list"
    assert dv.formula1 in ("=ScenarioNames", "ScenarioNames")
    (sheet, ref), = destinations(wb, "ScenarioNames")
    min_col, min_row, max_col, max_row = range_boundaries(ref.replace("$", ""))
    allowed = [wb[sheet].cell(row=r, column=c).value for r in range(min_row, max_row + 1)
               for c in range(min_col, max_col + 1)]
    assert ws["C3"].value in allowed
    assert destinations(wb, "Scenario") == [("Inputs", "$C$3")]
    assert ws["C3"].style == "Input"


def test_scenario_drop_down_rejects_unknown_names(wb):
    dv, = [dv for dv in wb["Inputs"].data_validations.dataValidation if "C3" in dv.sqref]
    assert dv.showErrorMessage, "Excel shows the error (and blocks the entry) only when showErrorMessage is set"


def test_drop_down_arrow_is_shown(wb):
    dv, = [dv for dv in wb["Inputs"].data_validations.dataValidation if "C3" in dv.sqref]
    assert not dv.showDropDown, "showDropDown=1 HIDES the in-cell arrow in OOXML"


def test_charts(wb):
    counts = {ws.title: len(ws._charts) for ws in wb}
    assert sum(counts.values()) >= 4, counts
    for sheet in ("Dashboard", "Cost per GPU-hour", "Jobs", DEBT_SHEET):
        assert counts[sheet] >= 1, f"no chart on {sheet}: {counts}"


def test_freeze_panes_on_calc_sheets(wb):
    for name in calc_sheets(wb):
        assert wb[name].freeze_panes == "F5", f"{name} freezes at {wb[name].freeze_panes}"


def test_financing_sheets_freeze_labels_and_print_landscape(wb):
    for name in FINANCE_SHEETS:
        ws = wb[name]
        assert ws.freeze_panes and ws.freeze_panes.startswith("C"), f"{name} freezes at {ws.freeze_panes}"
        assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.column_dimensions["A"].width >= 40


def test_master_check_on_dashboard(wb):
    assert any(f.replace(" ", "").upper() == "=CHECK_MASTER" for _, _, f in all_formulas(wb, ["Dashboard"]))


# --- document properties ----------------------------------------------------------------------

def test_document_properties_carry_version_and_inputs_hash(wb, res):
    digest = res.inputs.digest()
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props.get("finmodel_version") == finmodel.__version__
    assert props.get("inputs_sha256") == digest
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert finmodel.__version__ in wb.properties.keywords
    assert digest in wb.properties.keywords
    cover = wb["Cover"]
    shown = {cover.cell(row=r, column=1).value: cover.cell(row=r, column=2).value for r in range(1, cover.max_row + 1)}
    assert digest in shown.values(), "the Cover shows the inputs hash"
    assert finmodel.__version__ in shown.values(), "the Cover shows the model version"


# --- phase names that Excel cannot tell apart ----------------------------------------------------

ONE_ANNOUNCEMENT = ('[[announcement]]\nid = "a"\ndate = "2025-01-01"\nsource = "test"\nwhat = "test"\n'
                    'scope = {scope}\ngpus = 100\n')


@pytest.mark.parametrize("phases", [["site_with_a_very_long_name_1", "site_with_a_very_long_name_2"], ["Site", "site"]],
                         ids=["cut-to-31", "case-only"])
def test_phases_get_distinct_sheets_and_names(tmp_path, phases):
    from conftest import HAND_PHASE, HAND_PLAN, write_inputs

    scope = "[" + ", ".join(f'"{p}"' for p in phases) + "]"
    inputs = write_inputs(tmp_path / "inputs", HAND_PLAN, {p: HAND_PHASE for p in phases},
                          announcements=ONE_ANNOUNCEMENT.format(scope=scope))
    try:
        res = finmodel.run(inputs_dir=inputs)
    except finmodel.InputError:
        return  # refusing the phase names is a fix too
    with warnings.catch_warnings():  # openpyxl warns about the >31-character title it makes up itself
        warnings.simplefilter("ignore", UserWarning)
        path, layout = write_report(res, tmp_path / "report.xlsx", finmodel.__version__)
        wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    assert all(len(n) <= 31 for n in names), names
    assert len({n.lower() for n in names}) == len(names), names
    sheets = [layout.calc[p].sheet for p in phases]
    assert len({s.lower() for s in sheets}) == len(sheets), f"phases share a calc sheet: {sheets}"
    assert all(s in names for s in sheets), f"formulas point at {sheets}, workbook has {names}"
    lowered = [n.lower() for n in wb.defined_names]
    assert len(set(lowered)) == len(lowered), "defined names differing only in case"


def test_numbers_are_never_written_as_text(wb):
    """Years, counts and missing values are numbers or blanks, never text such as '2030', '2030.0' or 'nan'."""
    found = [f"{ws.title}!{c.coordinate}: {c.value!r}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.data_type == "s" and isinstance(c.value, str)
             and re.fullmatch(r"-?\d+(\.\d+)?(e[+-]?\d+)?|nan|NaN|inf|None", c.value.strip())]
    assert not found, found[:10]


def test_checks_show_one_or_zero(wb):
    ws = wb["Checks"]
    cells = [ws.cell(row=r, column=3) for r in range(6, ws.max_row + 1)
             if str(ws.cell(row=r, column=3).value).startswith("=--(")]
    assert len(cells) > 50 and all(c.number_format == "0" for c in cells)


def test_the_evaluators_tokens_are_openpyxls(tokens):
    """The formula evaluator's own tokenizer (a regular expression, for the stored values) reads every formula of
    the report as openpyxl's Tokenizer does: each distinct formula off the calc sheets and each calc row's first
    month (the other months are the same formula copied across)."""
    first_month = get_column_letter(FIRST_PERIOD_COL)
    seen, checked = set(), 0
    for sheet, coord, f, items in tokens:
        calc = sheet in (TIME_SHEET, CONSOLIDATED_SHEET) or sheet.startswith("Calc ")
        if f in seen or (calc and not re.fullmatch(first_month + r"\d+", coord)):
            continue
        seen.add(f)
        want = [(t.value, t.type, t.subtype) for t in items if t.type != Token.WSPACE]
        assert [(t.value, t.type, t.subtype) for t in evaluator_tokens(f)] == want, (sheet, coord, f)
        checked += 1
    assert checked > 5000

"""The formula evaluator behind the stored values gives Excel's results, worked out by hand.

(Its agreement with LibreOffice on every cell of the default report is in
tests/test_workbook_recalc.py.)
"""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.workbook.defined_name import DefinedName

from finmodel.excel.formula_eval import XLError, evaluate_formulas, tokens


def _book(cells: dict[str, object], known: dict | None = None, names: dict[str, str] | None = None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    other = wb.create_sheet("Other sheet")
    for ref, v in cells.items():
        sheet, _, coord = ref.rpartition("!")
        (other if sheet else ws)[coord] = v
    for name, target in (names or {}).items():
        wb.defined_names[name] = DefinedName(name, attr_text=target)
    values = evaluate_formulas(wb, known or {})
    return lambda coord, sheet="S": values[sheet].get((ws[coord].row, ws[coord].column))


def test_arithmetic_precedence_and_comparisons():
    v = _book({"A1": 2, "A2": "=-A1^2", "A3": "=1+2*3-4/2", "A4": "=--(A1>=2)", "A5": "=A1<1", "A6": "=(1+A1)^2%"})
    assert v("A2") == 4  # Excel: unary minus binds tighter than ^
    assert v("A3") == 5
    assert v("A4") == 1
    assert v("A5") is False
    assert v("A6") == pytest.approx(3 ** 0.02)


def test_sumif_sumifs_countif_on_a_year_row():
    cells = {f"{c}1": y for c, y in zip("ABCDEF", (2025, 2025, 2025, 2026, 2026, 2027))}
    cells |= {f"{c}2": x for c, x in zip("ABCDEF", (1, 2, 3, 4, 5, 6))}
    cells |= {f"{c}3": f for c, f in zip("ABCDEF", (1, 0, 1, 1, 0, 1))}
    cells |= {"H1": 2026, "H2": "=SUMIF($A$1:$F$1, H1, $A$2:$F$2)", "H3": "=SUMIFS($A$2:$F$2, $A$1:$F$1, 2025, $A$3:$F$3, 1)",
              "H4": "=SUMIF($A$1:$F$1, H1, $A$2:$F$2)/COUNTIF($A$1:$F$1, H1)", "H5": '=SUMIF(A2:F2, ">3")'}
    v = _book(cells)
    assert v("H2") == 9 and v("H3") == 4 and v("H4") == 4.5 and v("H5") == 15


def test_sumif_adds_numbers_only_in_cell_order_and_raises_a_picked_error():
    # row 1: criteria; row 2 mixes text, a boolean, a blank and an error with numbers; the other sheet's row is
    # given values (floats only, as the calc rows are)
    cells = {f"{c}1": k for c, k in zip("ABCDEF", (1, 1, 1, 1, 2, 1))}
    cells |= {"A2": 2.5, "B2": "text", "C2": True, "E2": "=1/0", "F2": 4}
    row = [1e16, 1.0, 1.0, -1e16, 7.0, 3.0]
    known = {"Other sheet": {(1, k + 1): x for k, x in enumerate(row)}}
    cells |= {"H1": "=SUMIF(A1:F1, 1, A2:F2)", "H2": "=SUMIF(A1:F1, 2, A2:F2)", "H3": "=SUMIF(A1:F1, 1, 'Other sheet'!A1:F1)",
              "H4": "=SUMIFS('Other sheet'!A1:F1, A1:F1, \"<2\", A1:F1, \">0\")"}
    v = _book(cells, known)
    assert v("H1") == 6.5  # text, TRUE and the blank add nothing
    assert v("H2") == XLError("#DIV/0!")
    in_order = 0.0
    for x in (1e16, 1.0, 1.0, -1e16, 3.0):  # each 1.0 is lost beside 1e16; a compensated sum would give 5
        in_order += x
    assert in_order == 3.0 and v("H3") == in_order and v("H4") == in_order


def test_index_match_three_and_one_argument_forms_and_names():
    v = _book({"A1": "low", "B1": "base", "C1": "high", "A2": 1, "B2": 2, "C2": 3, "D1": "base",
               "E1": "=INDEX($A$2:$C$2, 1, MATCH(Pick, Names, 0))", "E2": "=INDEX($A$2:$C$2, MATCH(D1, $A$1:$C$1, 0))",
               "E3": '=MATCH("HIGH", $A$1:$C$1, 0)', "E4": '=MATCH("none", $A$1:$C$1, 0)'},
              names={"Pick": "S!$D$1", "Names": "S!$A$1:$C$1"})
    assert v("E1") == 2 and v("E2") == 2 and v("E3") == 3  # MATCH ignores case, as in Excel
    assert v("E4") == XLError("#N/A")


def test_errors_propagate_and_iferror_catches_them():
    v = _book({"A1": 0, "A2": "=1/A1", "A3": "=A2+1", "A4": '=IFERROR(A2, "none")', "A5": "=SUM(A1:A3)",
               "A6": "=COUNT(A1:A3)", "A7": "=IFERROR(5/(A1>0), NA())", "A8": "=1/(A1<1)"})
    assert v("A2") == XLError("#DIV/0!") and v("A3") == XLError("#DIV/0!") and v("A5") == XLError("#DIV/0!")
    assert v("A4") == "none"
    assert v("A6") == 1  # COUNT skips errors: the checks use it to find error values
    assert v("A7") == XLError("#N/A") and v("A8") == 1


def test_known_values_are_read_not_evaluated_and_other_sheets_are_quoted():
    known = {"Other sheet": {(1, 1): 10.0, (1, 2): 20.0}}
    v = _book({"Other sheet!A1": "=999", "Other sheet!B1": "=999",
               "A1": "='Other sheet'!A1*2", "A2": "=SUMPRODUCT('Other sheet'!$A$1:$B$1, 'Other sheet'!$A$1:$B$1)",
               "A3": "=MAX('Other sheet'!A1:B1)-MIN(0, -1)"}, known=known)
    assert v("A1") == 20 and v("A2") == 500 and v("A3") == 21


def test_dates_and_irr():
    # serial 45658 = 2025-01-01
    v = _book({"A1": 45658, "A2": "=EDATE(A1, 13)", "A3": "=EOMONTH(A1, 1)", "A4": "=YEAR(A2)*100+MONTH(A2)",
               "B1": -100, "C1": 60, "D1": 60, "A5": "=IRR(B1:D1, 0)", "A6": "=IRR(C1:D1, 0)"})
    assert v("A2") == 45658 + 365 + 31 and v("A3") == 45658 + 31 + 28 - 1 and v("A4") == 202602
    assert v("A5") == pytest.approx(0.130662, abs=1e-6)  # -100 + 60/(1+r) + 60/(1+r)^2 = 0
    assert v("A6") == XLError("#NUM!")  # no sign change: no root


def test_an_unknown_function_leaves_the_cell_and_its_dependants_without_a_value():
    v = _book({"A1": "=FANCY(1)", "A2": "=A1+1", "A3": "=2"})
    assert v("A1") is None and v("A2") is None and v("A3") == 2


@pytest.mark.parametrize("formula", [
    "=--(A1>=B$2)*'It''s'!$C$3:D4+SUM(x_y, -1)%-\"a\"\"b\"&#N/A+1E+20-.5",
    "=IF(TRUE,_xlfn.IFS(Inputs!$D$9<>0,1),FALSE)/(model_start - 2)^-Time!$F$9:$GO$9",
    "={1,2;3,4}",  # an array constant: openpyxl's Tokenizer reads it
])
def test_tokens_are_openpyxls(formula):
    want = [(t.value, t.type, t.subtype) for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    assert [(t.value, t.type, t.subtype) for t in tokens(formula)] == want

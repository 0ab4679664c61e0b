"""The calc sheets' monthly cells written straight into the saved XML (finmodel.excel.bulk), on a small sheet."""

from __future__ import annotations

import re
import numpy as np
import openpyxl
import pandas as pd

from finmodel.excel.bulk import BulkRow, ReportWorkbook, add_rows, finite_row
from finmodel.excel.calc import fill
from finmodel.excel.writer import save_atomic


def test_bulk_rows_are_the_formula_copied_across_with_its_values(tmp_path):
    wb = ReportWorkbook()
    ws = wb.active
    ws.title = "Calc x"
    cols = ["F", "G", "H", "I"]
    template = '{p}{r}+IF(B{r}<>"a&b",1,0)'  # characters XML escapes, and the previous column
    for r in (6, 8):
        ws[f"A{r}"] = f"row {r}"
        ws[f"F{r}"] = fill(template, "F", "E", r)
        ws[f"F{r}"].number_format = "0.00"
    ws["A7"] = "no bulk here"
    wb.bulk["Calc x"] = [BulkRow(6, template, cols, np.array([1.0, 2.0, 3.0, 4.5])),
                         BulkRow(8, template, cols, np.array([0.0, -1e-300, 12345678.25, 1e20]))]
    path = save_atomic(wb, tmp_path / "b.xlsx", {"Calc x": {(6, 6): 1.0, (8, 6): 0.0}})

    formulas = openpyxl.load_workbook(path)["Calc x"]
    values = openpyxl.load_workbook(path, data_only=True)["Calc x"]
    for r, want in ((6, [1.0, 2.0, 3.0, 4.5]), (8, [0.0, -1e-300, 12345678.25, 1e20])):
        prev = "E"
        for col, v in zip(cols, want):
            assert formulas[f"{col}{r}"].value == fill(template, col, prev, r)
            assert formulas[f"{col}{r}"].number_format == "0.00"
            assert values[f"{col}{r}"].value == v
            prev = col
    assert formulas["B7"].value is None and (formulas.max_row, formulas.max_column) == (8, 9)
    # a reader that trusts the sheet's dimension sees every month
    df = pd.read_excel(path, sheet_name="Calc x", header=None)
    assert df.shape == (8, 9) and df.iloc[7, 8] == 1e20


def test_a_row_with_a_value_that_is_not_a_finite_number_stays_in_openpyxl():
    assert finite_row([1.0, 2.0], 2).tolist() == [1.0, 2.0]
    assert finite_row([1.0, np.nan], 2) is None
    assert finite_row([1.0, np.inf], 2) is None
    assert finite_row([1.0], 2) is None  # not one value per month


def test_repeated_values_keep_their_own_text_negative_zero_included():
    # the rows share values; 0.0 and -0.0 are equal floats (one dictionary key) but Excel reads "-0" as -0
    xml = b'<dimension ref="A1:F2"/><row r="1"><c r="F1"><f>1</f><v>0</v></c></row><row r="2"><c r="F2"><f>1</f><v>0</v></c></row>'
    rows = [BulkRow(1, "{p}{r}", ["F", "G", "H", "I"], np.array([0.0, 0.0, -0.0, 2.5])),
            BulkRow(2, "{p}{r}", ["F", "G", "H", "I"], np.array([0.0, -0.0, 0.0, 3.0]))]
    out = add_rows(xml, rows, 9).decode()
    got = dict(re.findall(r'<c r="([G-I]\d)"><f>[^<]*</f><v>([^<]*)</v></c>', out))
    assert got == {"G1": "0", "H1": "-0", "I1": "2.5", "G2": "-0", "H2": "0", "I2": "3"}
    assert '<dimension ref="A1:I2"/>' in out

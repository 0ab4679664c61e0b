"""Stored (cached) values beside the formulas, so a reader sees the numbers before any recalculation.

openpyxl writes every formula cell as ``<c r="F10"><f>...</f><v/></c>``:
without a value, Excel's Protected View, file previewers and
``pandas.read_excel`` see blanks. After openpyxl has saved the workbook,
:func:`add_values` fills each ``<v/>`` with the cell's Python value. Calc-sheet
cells take the registry's numpy values (:func:`calc_values`); every other
formula cell is evaluated from its own formula text
(:mod:`finmodel.excel.formula_eval`), so a cell or sheet added later gets its
value with no code of its own. The formulas stay live: the workbook still
asks Excel to recalculate on load (``fullCalcOnLoad``).
"""

from __future__ import annotations

import math
import re
from xml.sax.saxutils import escape

import numpy as np
from openpyxl.utils import column_index_from_string

from finmodel.excel.bulk import xml_number
from finmodel.excel.calc import FIRST_PERIOD_COL, COL_CONST
from finmodel.excel.collector import collector_paused
from finmodel.excel.formula_eval import XLError, evaluate_formulas

_CONST_COL = column_index_from_string(COL_CONST)
_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*)><f>([^<]*)</f><v\s*/></c>')
_SHEET = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|<Relationship [^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')

Values = dict[str, dict[tuple[int, int], object]]


def calc_values(layouts: dict, results) -> Values:
    """Numpy values of every registry cell of the Time, phase and Consolidated sheets: sheet -> {(row, col): value}.

    Non-finite values (a payback that never happens) are left to the
    formula evaluator, which gives the error value Excel shows.
    """
    out: Values = {}
    for entity, lay in layouts.items():
        source = results.time if entity == "time" else results.values[entity]
        cells = out.setdefault(lay.sheet, {})
        for it in lay.items:
            r = lay.rows[it.name]
            v = np.asarray(source[it.name], dtype=float).reshape(-1)
            if it.kind == "scalar":
                if math.isfinite(v[0]):
                    cells[(r, _CONST_COL)] = float(v[0])
                continue
            for k, x in enumerate(v.tolist()):
                if math.isfinite(x):
                    cells[(r, FIRST_PERIOD_COL + k)] = x
    return out


@collector_paused()
def stored_values(wb, layouts: dict, results) -> Values:
    """The value of every formula cell of ``wb``: calc sheets from numpy, the rest evaluated."""
    known = calc_values(layouts, results)
    values = evaluate_formulas(wb, known)
    for sheet, cells in known.items():
        values.setdefault(sheet, {}).update(cells)
    return values


def _xml_value(v) -> tuple[bytes, bytes]:
    """(type attribute, <v> text) of a value."""
    if isinstance(v, XLError):
        return b' t="e"', v.code.encode()
    if isinstance(v, (bool, np.bool_)):
        return b' t="b"', b"1" if v else b"0"
    if isinstance(v, str):
        return b' t="str"', escape(v).encode("utf-8")
    x = float(v)
    if not math.isfinite(x):
        return b' t="e"', b"#NUM!"
    return b"", xml_number(x).encode()


def add_values(xml: bytes, values: dict[tuple[int, int], object]) -> bytes:
    """A worksheet's XML with each empty formula value filled from ``values`` ({(row, col): value})."""
    columns: dict[bytes, int] = {}

    def fill(m):
        letters, row = m.group(1), int(m.group(2))
        col = columns.get(letters)
        if col is None:
            col = columns[letters] = column_index_from_string(letters.decode())
        v = values.get((row, col))
        if v is None:
            return m.group(0)
        kind, text = _xml_value(v)
        return b'<c r="%s%d"%s%s><f>%s</f><v>%s</v></c>' % (letters, row, m.group(3), kind, m.group(4), text)

    return _CELL.sub(fill, xml)


def sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """Sheet title -> zip entry of its XML, from ``xl/workbook.xml`` and its relationships."""
    targets = {}
    for m in _REL.finditer(rels_xml):
        rid, target = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        target = target.decode()
        targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for m in _SHEET.finditer(workbook_xml):
        title = m.group(1).decode("utf-8").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">") \
            .replace("&quot;", '"').replace("&apos;", "'")
        out[title] = targets[m.group(2)]
    return out

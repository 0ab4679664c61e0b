"""The monthly formula cells of the calc sheets, written straight into the saved sheet XML with their values.

A calc sheet holds one formula per row copied across 180-odd monthly
columns: about 240,000 cells in the default report. Made as openpyxl cells,
written by openpyxl and then given their values (:mod:`finmodel.excel.stored`),
they took most of the time of ``finmodel report``. Instead openpyxl writes
each row's labels and its first monthly cell (which carries the row's
style), and :func:`add_rows` appends the other months to that row of the
saved XML as ``<c r="G10" s="7"><f>...</f><v>...</v></c>``: the same formula
copied across (:func:`finmodel.excel.calc.fill`) with the registry's numpy
value stored beside it. A row holding a value that is not a finite number
stays whole in openpyxl, so the formula evaluator gives its error value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

import numpy as np
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

_ROW = re.compile(rb'(<row r="(\d+)"[^>]*>)(.*?)</row>', re.S)
_STYLE = re.compile(rb'<c r="[A-Z]+\d+"(?: s="(\d+)")?')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


@dataclass
class BulkRow:
    """One calc row's monthly cells after the first: ``template`` (:func:`~finmodel.excel.calc.formulas`'
    text with {c}, {p}, {r}), ``columns`` (letters, the first monthly column included) and their ``values``."""

    row: int
    template: str
    columns: list[str]
    values: np.ndarray


class ReportWorkbook(Workbook):
    """An openpyxl Workbook with the calc sheets' bulk rows: sheet title -> [BulkRow], added when saved."""

    def __init__(self):
        super().__init__()
        self.bulk: dict[str, list[BulkRow]] = {}


def finite_row(values, n: int) -> np.ndarray | None:
    """``values`` as a float vector if they are ``n`` finite numbers, else None (the row stays in openpyxl)."""
    v = np.asarray(values, dtype=float).reshape(-1)
    return v if v.size == n and np.isfinite(v).all() else None


def xml_number(x: float) -> str:
    """A finite float as a cell's <v> text: the shortest round-trip digits, without a trailing '.0'."""
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _cells(bulk: BulkRow, style: str, texts: dict[int, str]) -> bytes:
    """The XML of one bulk row's cells after its first monthly column; ``texts``: the <v> text of each value
    met before, by its bits (0.0 and -0.0 are one float key but two texts): a sheet's rows share most values."""
    r = str(bulk.row)
    parts = []
    columns = bulk.columns
    template = escape(bulk.template).replace("{r}", r)
    values = bulk.values[1:len(columns)]
    for col, prev, bits, x in zip(columns[1:], columns, values.view(np.int64).tolist(), values.tolist()):
        text = texts.get(bits)
        if text is None:
            text = texts[bits] = xml_number(x)
        formula = template.replace("{c}", col).replace("{p}", prev)
        parts.append(f'<c r="{col}{r}"{style}><f>{formula}</f><v>{text}</v></c>')
    return "".join(parts).encode()


def add_rows(xml: bytes, rows: list[BulkRow], last_col: int) -> bytes:
    """A worksheet's XML with each bulk row's remaining monthly cells appended to its row (styled as the row's
    last cell written by openpyxl, its first monthly one); the sheet's dimension widened to ``last_col``."""
    by_row = {b.row: b for b in rows}
    texts: dict[int, str] = {}

    def fill(m):
        bulk = by_row.get(int(m.group(2)))
        if bulk is None:
            return m.group(0)
        cells = m.group(3)
        styles = _STYLE.findall(cells)
        style = f' s="{styles[-1].decode()}"' if styles and styles[-1] else ""
        return m.group(1) + cells + _cells(bulk, style, texts) + b"</row>"

    xml = _ROW.sub(fill, xml)
    last_row = max((int(r) for r in re.findall(rb'<row r="(\d+)"', xml)), default=1)
    return _DIMENSION.sub(f'<dimension ref="A1:{get_column_letter(last_col)}{last_row}"/>'.encode(), xml, count=1)



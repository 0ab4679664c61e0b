"""Evaluate the workbook's own formulas in Python, for the values stored beside them.

The calc sheets' values come from the registry (numpy); every other formula
cell (Inputs, Annual, Dashboard, financing sheets, Checks, headers and total
columns) is evaluated here from its formula text, with Excel's semantics,
reading the calc sheets' numpy values. So any cell a writer adds gets its
stored value without code of its own; a LibreOffice recalculation checks
the result (tests/test_workbook_values.py).

Only the functions the workbook uses are implemented (``FUNCTIONS``); a cell
with any other function is left without a stored value, and a test fails.
Error values follow Excel: ``XLError("#DIV/0!")`` and so on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Mapping

import numpy as np
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import column_index_from_string

from finmodel.irr import irr_monthly

EXCEL_EPOCH = dt.date(1899, 12, 30)
_REF = re.compile(r"^(?:(?P<sheet>'(?:[^']|'')+'|[^!']+)!)?\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)"
                  r"(?::\$?(?P<c2>[A-Z]{1,3})\$?(?P<r2>\d+))?$")


_SHEET = r"(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!"
_CELL = r"\$?[A-Za-z]{1,3}\$?\d+"
_LEXEME = re.compile(rf"""
    (?P<ws>\s+)
  | (?P<text>"(?:[^"]|"")*")
  | (?P<error>\#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A))
  | (?P<func>(?:_xlfn\.)?[A-Za-z_][A-Za-z0-9_.]*\()
  | (?P<range>(?:{_SHEET})?(?:{_CELL}(?::{_CELL})?(?![A-Za-z0-9_.(])|[A-Za-z_\\][A-Za-z0-9_.]*(?![(!])))
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.]))
  | (?P<op><>|<=|>=|[-+*/^&=<>])
  | (?P<post>%)
  | (?P<open>\()
  | (?P<close>\))
  | (?P<sep>,)
  | (?P<other>.)
""", re.X | re.S)
#: lexeme kind -> (type, subtype) of its token, for the kinds whose token depends on nothing else
_TOKEN_KINDS = {"text": (Token.OPERAND, Token.TEXT), "error": (Token.OPERAND, Token.ERROR),
                "range": (Token.OPERAND, Token.RANGE), "number": (Token.OPERAND, Token.NUMBER),
                "sep": (Token.SEP, Token.ARG), "post": (Token.OP_POST, "")}


def tokens(formula: str) -> list[Token]:
    """The tokens of ``formula`` (with its '='), blanks left out, as openpyxl's Tokenizer gives them.

    A regular expression covers what the workbook's formulas are made of (references, names, numbers, text,
    error values, functions, operators); any other formula goes to openpyxl's Tokenizer, four times slower.
    """
    out: list[Token] = []
    parens: list[str] = []  # FUNC or PAREN, for each open bracket
    lexemes = _LEXEME.scanner(formula, 1 if formula.startswith("=") else 0)
    for m in iter(lexemes.match, None):
        kind, value = m.lastgroup, m.group()
        known = _TOKEN_KINDS.get(kind)
        if known is not None:
            if kind == "range" and value.upper() in ("TRUE", "FALSE"):
                known = Token.OPERAND, Token.LOGICAL
            out.append(Token(value, *known))
        elif kind == "ws":
            continue
        elif kind == "func":
            parens.append(Token.FUNC)
            out.append(Token(value, Token.FUNC, Token.OPEN))
        elif kind == "open":
            parens.append(Token.PAREN)
            out.append(Token(value, Token.PAREN, Token.OPEN))
        elif kind == "close" and parens:
            out.append(Token(value, parens.pop(), Token.CLOSE))
        elif kind == "op":  # prefix at the start, after an operator, an opening bracket or a separator
            prev = out[-1] if out else None
            prefix = value in "+-" and (prev is None or prev.type in (Token.OP_PRE, Token.OP_IN, Token.SEP)
                                         or prev.subtype == Token.OPEN)
            out.append(Token(value, Token.OP_PRE if prefix else Token.OP_IN))
        else:  # a character no lexeme covers, or an unmatched ')'
            return [t for t in Tokenizer(formula).items if t.type != Token.WSPACE]
    return out


class XLError(Exception):
    """An Excel error value (``#DIV/0!``, ``#N/A``, ``#NUM!``, ``#VALUE!``, ``#REF!``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    def __eq__(self, other):
        return isinstance(other, XLError) and other.code == self.code

    def __hash__(self):
        return hash(self.code)


class Unsupported(Exception):
    """A formula uses something this evaluator does not implement."""


_UNSUPPORTED = object()


class Range:
    """A rectangular block of cells on one sheet (1-based rows and columns, inclusive)."""

    __slots__ = ("book", "sheet", "r1", "c1", "r2", "c2", "_cells", "_plain", "_floats", "_addends")

    def __init__(self, book: Book, sheet: str, r1: int, c1: int, r2: int, c2: int):
        self.book, self.sheet, self.r1, self.c1, self.r2, self.c2 = book, sheet, r1, c1, r2, c2
        self._cells = None
        self._plain = None
        self._floats = None
        self._addends = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def cells(self) -> list:
        """Values in row-major order (None for blank cells, XLError for errors)."""
        if self._cells is None:
            sheet, value = self.sheet, self.book.value
            known = self.book.known.get(sheet, {})  # most cells: looked up here, without a call for each
            self._cells = [known[(r, c)] if (r, c) in known else value(sheet, r, c) for r in range(self.r1, self.r2 + 1)
                           for c in range(self.c1, self.c2 + 1)]
        return self._cells

    def plain(self) -> bool:
        """Whether every cell holds a float (most ranges: calc rows), so the methods below take it whole."""
        if self._plain is None:
            self._plain = set(map(type, self.cells())) <= {float}
        return self._plain

    def floats(self) -> np.ndarray:
        """Numbers as floats, NaN for text and blanks (booleans count as numbers here)."""
        if self._floats is None:
            self._floats = np.array(self.cells(), dtype=float) if self.plain() else \
                np.array([float(v) if _is_num(v) else np.nan for v in self.cells()])
        return self._floats

    def addends(self) -> np.ndarray:
        """What SUM adds of each cell: numbers as floats, 0 for text, blanks and booleans, NaN for errors."""
        if self._addends is None:
            self._addends = self.floats() if self.plain() else np.array([np.nan if isinstance(v, XLError) else float(v) if _is_num(v)
                                      and not isinstance(v, bool) else 0.0 for v in self.cells()])
        return self._addends

    def numbers(self) -> list[float]:
        """The numeric cells; an error in the range is raised (as SUM, MIN, MAX do)."""
        if self.plain():
            return list(self.cells())
        out = []
        for v in self.cells():
            if isinstance(v, XLError):
                raise v
            if _is_num(v) and not isinstance(v, bool):
                out.append(float(v))
        return out

    def scalar(self):
        """The single cell's value (implicit intersection is not modelled)."""
        if self.shape != (1, 1):
            raise XLError("#VALUE!")
        return self.cells()[0]


def _is_num(v) -> bool:
    return isinstance(v, (int, float, np.floating, np.integer, bool))


def _value(x):
    """A scalar operand: a range's single value, errors raised."""
    if isinstance(x, Range):
        x = x.scalar()
    if isinstance(x, XLError):
        raise x
    return x


def _num(x) -> float:
    x = _value(x)
    if x is None:
        return 0.0
    if isinstance(x, str):
        try:
            return float(x)
        except ValueError:
            raise XLError("#VALUE!") from None
    return float(x)


def _args_numbers(args) -> list[float]:
    out = []
    for a in args:
        if isinstance(a, Range):
            out.extend(a.numbers())
        else:
            out.append(_num(a))
    return out


def _criterion(crit) -> Callable[[np.ndarray], np.ndarray]:
    crit = _value(crit)
    if isinstance(crit, str):
        m = re.match(r"^(<=|>=|<>|<|>|=)?(.*)$", crit)
        op, rest = m.group(1) or "=", m.group(2)
        try:
            target = float(rest)
        except ValueError:
            raise Unsupported(f"text criterion {crit!r}") from None
    else:
        op, target = "=", _num(crit)
    return {"=": lambda a: a == target, "<>": lambda a: a != target, "<": lambda a: a < target,
            ">": lambda a: a > target, "<=": lambda a: a <= target, ">=": lambda a: a >= target}[op]


def _sum_masked(values: Range, mask: np.ndarray) -> float:
    """The sum of the cells of ``values`` where ``mask`` is true, added in order as Excel does; the first error
    among them raised."""
    picked = values.addends()[mask]
    total = 0.0
    if not np.isnan(picked).any():
        for x in picked.tolist():  # in order: numpy's pairwise sum can differ in the last bit
            total += x
        return total
    cells = values.cells()
    for k in np.flatnonzero(mask):
        v = cells[k]
        if isinstance(v, XLError):
            raise v
        if _is_num(v) and not isinstance(v, bool):
            total += float(v)
    return total


def _sumif(rng, crit, values=None):
    values = rng if values is None else values
    return _sum_masked(values, _criterion(crit)(rng.floats()))


def _sumifs(values, *pairs):
    mask = np.ones(values.shape[0] * values.shape[1], dtype=bool)
    for rng, crit in zip(pairs[::2], pairs[1::2]):
        mask &= _criterion(crit)(rng.floats())
    return _sum_masked(values, mask)


def _countif(rng, crit):
    return float(np.count_nonzero(_criterion(crit)(rng.floats())))


def _count(*args):
    n = 0
    for a in args:
        cells = a.cells() if isinstance(a, Range) else [a]
        n += sum(1 for v in cells if _is_num(v) and not isinstance(v, bool))
    return float(n)


def _sumproduct(*ranges):
    arrays = []
    for r in ranges:
        cells = r.cells()
        for v in cells:
            if isinstance(v, XLError):
                raise v
        arrays.append(np.array([float(v) if _is_num(v) and not isinstance(v, bool) else 0.0 for v in cells]))
    if len({a.size for a in arrays}) != 1:
        raise XLError("#VALUE!")
    return float(np.sum(np.prod(arrays, axis=0)))


def _index(rng, row, col=None):
    rows, cols = rng.shape
    r, c = int(_num(row)), None if col is None else int(_num(col))
    if c is None:  # one-argument form on a single row or column
        if rows == 1:
            r, c = 1, r
        elif cols == 1:
            c = 1
        else:
            raise XLError("#REF!")
    if not (1 <= r <= rows and 1 <= c <= cols):
        raise XLError("#REF!")
    v = rng.cells()[(r - 1) * cols + (c - 1)]
    if isinstance(v, XLError):
        raise v
    return 0.0 if v is None else v


def _match(value, rng, kind=1):
    value, kind = _value(value), _num(kind)
    cells = rng.cells()
    if kind == 0:
        for k, v in enumerate(cells):
            if isinstance(value, str) and isinstance(v, str):
                if v.lower() == value.lower():
                    return float(k + 1)
            elif _is_num(value) and _is_num(v) and float(v) == float(value):
                return float(k + 1)
        raise XLError("#N/A")
    raise Unsupported("MATCH with an approximate match type")


def _iferror(value, fallback):
    try:
        v = value()
        return _value(v) if isinstance(v, Range) else v
    except XLError:
        return fallback()


def _if(cond, yes, no=lambda: False):
    return yes() if _num(cond()) != 0 else no()


def _to_date(serial) -> dt.date:
    return EXCEL_EPOCH + dt.timedelta(days=int(_num(serial)))


def _serial(d: dt.date) -> float:
    return float((d - EXCEL_EPOCH).days)


def _edate(start, months, end_of_month=False):
    d = _to_date(start)
    k = d.year * 12 + d.month - 1 + int(_num(months))
    y, m = divmod(k, 12)
    if end_of_month:
        nxt = dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
        return _serial(nxt - dt.timedelta(days=1))
    last = (dt.date(y + (m + 1) // 12, (m + 1) % 12 + 1, 1) - dt.timedelta(days=1)).day
    return _serial(dt.date(y, m + 1, min(d.day, last)))


def _irr(rng, guess=0.1):
    flows = np.array(rng.numbers())
    r = float(np.asarray(irr_monthly(flows[None, :], _num(guess))).reshape(-1)[0])
    if not math.isfinite(r):
        raise XLError("#NUM!")
    return r


def _na():
    raise XLError("#N/A")


def _divide(a, b):
    b = _num(b)
    if b == 0:
        raise XLError("#DIV/0!")
    return _num(a) / b


def _round(x, digits=0):
    q = 10.0 ** int(_num(digits))
    v = _num(x) * q
    return math.copysign(math.floor(abs(v) + 0.5), v) / q


#: function name -> (implementation, lazy): lazy functions get their arguments as thunks
FUNCTIONS: dict[str, tuple[Callable, bool]] = {
    "SUM": (lambda *a: math.fsum(_args_numbers(a)), False),
    "MIN": (lambda *a: min(_args_numbers(a), default=0.0), False),
    "MAX": (lambda *a: max(_args_numbers(a), default=0.0), False),
    "AVERAGE": (lambda *a: (lambda n: math.fsum(n) / len(n) if n else _divide(0, 0))(_args_numbers(a)), False),
    "ABS": (lambda x: abs(_num(x)), False),
    "INT": (lambda x: float(math.floor(_num(x))), False),
    "ROUND": (_round, False),
    "SUMIF": (_sumif, False),
    "SUMIFS": (_sumifs, False),
    "COUNTIF": (_countif, False),
    "COUNT": (_count, False),
    "COLUMNS": (lambda r: float(r.shape[1]), False),
    "ROWS": (lambda r: float(r.shape[0]), False),
    "SUMPRODUCT": (_sumproduct, False),
    "INDEX": (_index, False),
    "MATCH": (_match, False),
    "IRR": (_irr, False),
    "NA": (_na, False),
    "YEAR": (lambda d: float(_to_date(d).year), False),
    "MONTH": (lambda d: float(_to_date(d).month), False),
    "DAY": (lambda d: float(_to_date(d).day), False),
    "DATE": (lambda y, m, d: _edate(_serial(dt.date(int(_num(y)), 1, 1)), _num(m) - 1) + _num(d) - 1, False),
    "EDATE": (_edate, False),
    "EOMONTH": (lambda d, m: _edate(d, m, end_of_month=True), False),
    "AND": (lambda *a: all(_num(x) != 0 for x in a), False),
    "OR": (lambda *a: any(_num(x) != 0 for x in a), False),
    "NOT": (lambda x: _num(x) == 0, False),
    "ISNUMBER": (lambda x: _is_num(x.scalar() if isinstance(x, Range) else x), False),
    "IF": (_if, True),
    "IFERROR": (_iferror, True),
}


def _compare(op: str):
    def cmp(a, b):
        a, b = _value(a), _value(b)
        a = 0.0 if a is None else a
        b = 0.0 if b is None else b
        if isinstance(a, str) != isinstance(b, str):
            if op in ("=", "<>"):
                return op == "<>"
            return (op in ("<", "<=")) == isinstance(b, str)  # numbers sort before text
        if isinstance(a, str):
            a, b = a.lower(), b.lower()
        else:
            a, b = float(a), float(b)
        return {"=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    return cmp


def _power(a, b):
    try:
        return _num(a) ** _num(b)
    except (ZeroDivisionError, OverflowError, ValueError):
        raise XLError("#NUM!") from None


def _concat(a, b):
    def text(x):
        x = _value(x)
        if x is None:
            return ""
        if isinstance(x, bool):
            return "TRUE" if x else "FALSE"
        if isinstance(x, float) and x.is_integer():
            return str(int(x))
        return str(x)
    return text(a) + text(b)


BINARY: dict[str, tuple[int, Callable]] = {
    "=": (1, _compare("=")), "<>": (1, _compare("<>")), "<": (1, _compare("<")), ">": (1, _compare(">")),
    "<=": (1, _compare("<=")), ">=": (1, _compare(">=")), "&": (2, _concat),
    "+": (3, lambda a, b: _num(a) + _num(b)), "-": (3, lambda a, b: _num(a) - _num(b)),
    "*": (4, lambda a, b: _num(a) * _num(b)), "/": (4, _divide), "^": (5, _power),
}
PREFIX_PRECEDENCE = 6  # Excel: -2^2 = 4


class _Parser:
    """Pratt parser from tokens to a closure that evaluates the formula."""

    def __init__(self, book: Book, sheet: str, formula: str):
        self.book, self.sheet = book, sheet
        self.tokens = tokens(formula)
        self.k = 0

    def peek(self):
        return self.tokens[self.k] if self.k < len(self.tokens) else None

    def take(self):
        t = self.tokens[self.k]
        self.k += 1
        return t

    def parse(self) -> Callable[[], object]:
        node = self.expr(0)
        if self.peek() is not None:
            raise Unsupported(f"unexpected token {self.peek().value!r}")
        return node

    def expr(self, min_prec: int):
        left = self.atom()
        while True:
            t = self.peek()
            if t is None:
                return left
            if t.type == Token.OP_POST and t.value == "%":
                self.take()
                left = (lambda f: lambda: _num(f()) / 100)(left)
                continue
            if t.type != Token.OP_IN or t.value not in BINARY:
                return left
            prec, fn = BINARY[t.value]
            if prec < min_prec:
                return left
            self.take()
            right = self.expr(prec + 1)
            left = (lambda f, a, b: lambda: f(a(), b()))(fn, left, right)

    def atom(self):
        t = self.take()
        if t.type == Token.OP_PRE:
            operand = self.expr(PREFIX_PRECEDENCE)
            return (lambda f: lambda: -_num(f()))(operand) if t.value == "-" else (lambda f: lambda: _num(f()))(operand)
        if t.type == Token.PAREN and t.subtype == Token.OPEN:
            node = self.expr(0)
            self.take()  # ')'
            return node
        if t.type == Token.FUNC and t.subtype == Token.OPEN:
            return self.call(t.value[:-1].upper())
        if t.type == Token.OPERAND:
            return self.operand(t)
        raise Unsupported(f"token {t.value!r}")

    def call(self, name: str):
        if name.startswith("_XLFN."):
            name = name[6:]
        if name not in FUNCTIONS:
            raise Unsupported(f"function {name}")
        fn, lazy = FUNCTIONS[name]
        args = []
        if not (self.peek().type == Token.FUNC and self.peek().subtype == Token.CLOSE):
            while True:
                args.append(self.expr(0))
                t = self.take()
                if t.type == Token.FUNC and t.subtype == Token.CLOSE:
                    break
        else:
            self.take()
        if lazy:
            return lambda: fn(*args)
        return lambda: fn(*(a() for a in args))

    def operand(self, t):
        if t.subtype == Token.NUMBER:
            v = float(t.value)
            return lambda: v
        if t.subtype == Token.TEXT:
            v = t.value[1:-1].replace('""', '"')
            return lambda: v
        if t.subtype == Token.LOGICAL:
            v = t.value.upper() == "TRUE"
            return lambda: v
        if t.subtype == Token.ERROR:
            err = XLError(t.value)
            def raise_error():
                raise err
            return raise_error
        rng = self.book.reference(self.sheet, t.value)
        return lambda: rng


class Book:
    """Cell values of an openpyxl Workbook: given values first, else the cell's formula evaluated (memoised).

    ``known``: sheet title -> {(row, column): value} for cells whose value is
    already known (the calc sheets' numpy values).
    """

    def __init__(self, wb, known: Mapping[str, Mapping[tuple[int, int], object]]):
        self.wb = wb
        self._sheets = {ws.title: ws for ws in wb.worksheets}  # wb[title] searches the sheets
        self.known = known
        self.cache: dict[tuple[str, int, int], object] = {}
        self.unsupported: dict[tuple[str, str], str] = {}
        self.names = {}
        for name, dn in wb.defined_names.items():
            self.names[name] = dn.attr_text
        self._ranges: dict[tuple[str, str], Range] = {}

    def reference(self, sheet: str, text: str) -> Range:
        """The Range a reference (``A1``, ``Sheet!$A$1:$B$2``, a defined name) points to."""
        key = (sheet, text)
        rng = self._ranges.get(key)
        if rng is None:
            target = self.names.get(text)
            m = _REF.match(target if target is not None else text)
            if m is None:
                raise Unsupported(f"reference {text!r}")
            name = m.group("sheet")
            if name:
                name = name[1:-1].replace("''", "'") if name.startswith("'") else name
            else:
                name = sheet
            r1, c1 = int(m.group("r1")), column_index_from_string(m.group("c1"))
            r2 = int(m.group("r2")) if m.group("r2") else r1
            c2 = column_index_from_string(m.group("c2")) if m.group("c2") else c1
            rng = self._ranges[key] = Range(self, name, r1, c1, r2, c2)
        return rng

    def value(self, sheet: str, row: int, col: int):
        key = (sheet, row, col)
        if key in self.cache:
            v = self.cache[key]
            if v is _UNSUPPORTED:
                raise Unsupported(f"{sheet}!{row},{col} has no value")
            return v
        known = self.known.get(sheet)
        if known is not None and (row, col) in known:
            return known[(row, col)]
        cell = self._sheets[sheet]._cells.get((row, col))
        v = None if cell is None else cell.value
        if isinstance(v, str) and cell.data_type == "f":
            v = self.evaluate(sheet, v)
        elif isinstance(v, dt.datetime):
            v = _serial(v.date()) + (v - dt.datetime.combine(v.date(), dt.time())).total_seconds() / 86400
        elif isinstance(v, dt.date):
            v = _serial(v)
        self.cache[key] = v
        if v is _UNSUPPORTED:
            raise Unsupported(f"{sheet}!{row},{col} has no value")
        return v

    def evaluate(self, sheet: str, formula: str):
        """The value of ``formula`` written on ``sheet`` (an XLError for an error value; _UNSUPPORTED if unsupported)."""
        try:
            node = _Parser(self, sheet, formula).parse()
            v = node()
            if isinstance(v, Range):
                v = _value(v)
            if v is None:
                return 0.0
            if isinstance(v, float) and not math.isfinite(v):
                return XLError("#NUM!")
            return v
        except XLError as err:
            return err
        except (Unsupported, RecursionError) as exc:
            self.unsupported[(sheet, formula)] = str(exc)
            return _UNSUPPORTED


def evaluate_formulas(wb, known: Mapping[str, Mapping[tuple[int, int], object]]) -> dict[str, dict[tuple[int, int], object]]:
    """Values of every formula cell not in ``known``: sheet -> {(row, col): value}; unsupported ones left out."""
    book = Book(wb, known)
    out: dict[str, dict[tuple[int, int], object]] = {}
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        for ws in wb.worksheets:
            given = known.get(ws.title, {})
            mine = out.setdefault(ws.title, {})
            for (r, c), cell in ws._cells.items():
                if cell.data_type == "f" and (r, c) not in given:
                    try:
                        mine[(r, c)] = book.value(ws.title, r, c)
                    except Unsupported:
                        pass
    finally:
        sys.setrecursionlimit(limit)
    return out

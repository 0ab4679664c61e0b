"""Formula fragments and the helpers that line items are written with.

A line item is a small Python function of inputs and other rows. Evaluated
with numpy values it gives the numbers; evaluated with :class:`F` objects
(formula fragments whose operators build Excel text) it gives the workbook
row. Each helper below has its numpy form and its Excel form side by side,
so the figure and the formula come from one definition.

Time operations work on the last axis only: a row has shape ``(..., periods)``
and a per-draw scalar ``(..., 1)``, so the same functions evaluate N Monte
Carlo draws at once when inputs have shape ``(N, 1)``.

In formula text, ``{c}`` stands for the current period's column letter and
``{p}`` for the previous one; ``{r}`` is the row being written (for
cumulative rows that refer to their own previous cell). The sheet writer
substitutes them per column, so one formula is copied across a row.
"""

from __future__ import annotations

import itertools

import numpy as np

from finmodel.irr import irr_monthly

# Operator precedence of formula fragments (higher binds tighter).
CMP, ADD, MUL, NEG, POW, ATOM = 0, 1, 2, 3, 4, 5

#: Number literals a formula may contain; every other number is an input.
ALLOWED_LITERALS = (0, 1)


class F:
    """A fragment of Excel formula text with its operator precedence."""

    __slots__ = ("text", "prec")
    __array_priority__ = 1000  # numpy defers to F's reflected operators

    def __init__(self, text: str, prec: int = ATOM):
        self.text = text
        self.prec = prec

    def __repr__(self) -> str:
        return f"F({self.text!r})"

    # arithmetic -------------------------------------------------------
    def __add__(self, o):
        return _binary(self, o, "+", ADD)

    def __radd__(self, o):
        return _binary(o, self, "+", ADD)

    def __sub__(self, o):
        return _binary(self, o, "-", ADD)

    def __rsub__(self, o):
        return _binary(o, self, "-", ADD)

    def __mul__(self, o):
        return _binary(self, o, "*", MUL)

    def __rmul__(self, o):
        return _binary(o, self, "*", MUL)

    def __truediv__(self, o):
        return _binary(self, o, "/", MUL)

    def __rtruediv__(self, o):
        return _binary(o, self, "/", MUL)

    def __pow__(self, o):
        return _binary(self, o, "^", POW)

    def __rpow__(self, o):
        return _binary(o, self, "^", POW)

    def __neg__(self):
        return F("-" + _wrap(self, POW), NEG)


class RowRef(F):
    """A reference to a whole row of a sheet: ``{c}<row>`` on ``sheet``."""

    __slots__ = ("sheet", "row", "cols")

    def __init__(self, sheet: str | None, row: int, cols: tuple[str, str]):
        prefix = "" if sheet is None else f"{quote_sheet(sheet)}!"
        super().__init__(f"{prefix}{{c}}{row}")
        self.sheet = sheet
        self.row = row
        self.cols = cols  # first and last period column letters

    def range(self) -> str:
        """The row's period range, e.g. ``$F12:$GO12`` [A1 text]."""
        prefix = "" if self.sheet is None else f"{quote_sheet(self.sheet)}!"
        first, last = self.cols
        return f"{prefix}${first}{self.row}:${last}{self.row}"


def quote_sheet(name: str) -> str:
    """Sheet name as it must appear in a reference (quoted if not a plain word)."""
    return name if name.replace("_", "").isalnum() else "'" + name.replace("'", "''") + "'"


def _lit(x) -> F:
    if isinstance(x, F):
        return x
    if isinstance(x, (bool, np.bool_)):
        x = int(x)
    if x not in ALLOWED_LITERALS:
        raise ValueError(f"number {x!r} inside a formula: make it an input (only {ALLOWED_LITERALS} are allowed)")
    return F(str(int(x)))


def _wrap(x: F, prec: int, strict: bool = False) -> str:
    x = _lit(x)
    if x.prec < prec or (strict and x.prec == prec):
        return f"({x.text})"
    return x.text


def _binary(a, b, op: str, prec: int) -> F:
    # the right operand of - / ^ needs brackets at equal precedence: a-(b-c)
    strict_right = op in "-/^"
    left = _wrap(a, prec, strict=(op == "^"))
    return F(f"{left}{op}{_wrap(b, prec, strict=strict_right)}", prec)


def _is_formula(*xs) -> bool:
    for x in xs:  # a loop: called for every helper in every month of a corkscrew, any(genexpr) costs twice as much
        if isinstance(x, F):
            return True
    return False


def _is_number(a, b) -> bool:
    """Both plain numbers (a corkscrew's months without a batch axis), not arrays."""
    return isinstance(a, (float, int)) and isinstance(b, (float, int))


def _call(fn: str, *args) -> F:
    return F(f"{fn}({', '.join(_lit(a).text for a in args)})")


# --- element-wise helpers ------------------------------------------------

def maximum(a, b):
    """Element-wise maximum  <->  ``MAX(a, b)``. Two numbers as numpy does: NaN if either is, b on a tie (0 and -0)."""
    if _is_formula(a, b):
        return _call("MAX", a, b)
    if _is_number(a, b):
        return a if a > b or a != a else b
    return np.maximum(a, b)


def minimum(a, b):
    """Element-wise minimum  <->  ``MIN(a, b)``. Two numbers as numpy does: NaN if either is, b on a tie (0 and -0)."""
    if _is_formula(a, b):
        return _call("MIN", a, b)
    if _is_number(a, b):
        return a if a < b or a != a else b
    return np.minimum(a, b)


def floor(a):
    """Round down to a whole number  <->  ``INT(a)``."""
    return _call("INT", a) if _is_formula(a) else np.floor(a)


def _flag(op: str, np_op, a, b):
    if _is_formula(a, b):
        return F(f"--({_wrap(a, ADD)}{op}{_wrap(b, ADD)})")
    return np.asarray(np_op(a, b), dtype=float)


def ge(a, b):
    """1 where a >= b else 0  <->  ``--(a>=b)``."""
    return _flag(">=", np.greater_equal, a, b)


def lt(a, b):
    """1 where a < b else 0  <->  ``--(a<b)``."""
    return _flag("<", np.less, a, b)


def eq(a, b):
    """1 where a == b else 0  <->  ``--(a=b)``."""
    return _flag("=", np.equal, a, b)


# --- lookups in an input table (the GPU generations) ------------------------

def match_le(x, table):
    """1-based position of the last entry of ``table`` (ascending, last axis) that is <= x, 0 if none  <->
    ``MATCH(x, table, 1)`` (#N/A if none; inputs validation rules that out)."""
    if _is_formula(x, table):
        return _call("MATCH", x, table, 1)
    x, table = np.asarray(x, dtype=float), np.asarray(table, dtype=float)
    count = sum(table[..., k:k + 1] <= x for k in range(table.shape[-1]))  # one comparison a row per entry
    return np.asarray(count, dtype=float)


def pick(table, k):
    """Entry k (1-based) of ``table`` (last axis) for each value of k  <->  ``INDEX(table, k, 1)``.

    In the workbook ``table`` is a column range (one input row per entry).
    """
    if _is_formula(table, k):
        return _call("INDEX", table, k, 1)
    table, k = np.asarray(table, dtype=float), np.asarray(k)
    batch = np.broadcast_shapes(table.shape[:-1], k.shape[:-1])
    idx = np.broadcast_to(k.astype(int) - 1, batch + k.shape[-1:])
    return np.take_along_axis(np.broadcast_to(table, batch + table.shape[-1:]), idx, axis=-1)


# --- time helpers (last axis) --------------------------------------------

def lag(x):
    """Value of the previous period, 0 in the first  <->  previous column.

    The column before the first period is a blank spacer, read as 0.
    """
    if _is_formula(x):
        if "{c}" not in x.text or "{p}" in x.text:
            raise ValueError(f"lag() needs a row that refers to the current period: {x.text}")
        return F(x.text.replace("{c}", "{p}"), x.prec)
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    out[..., 0] = 0
    out[..., 1:] = x[..., :-1]
    return out


def cumsum(x):
    """Running total  <->  previous cell of this row + this period's value."""
    if _is_formula(x):
        return F("{p}{r}+" + _wrap(x, ADD), ADD)
    return np.cumsum(x, axis=-1)


def carry(step, *rows):
    """A row that depends on its own previous value: ``step(previous, *this period's values)``.

    The previous value is 0 before the first period. Excel: ``step`` applied
    to the previous cell of this row, copied across (a corkscrew). ``rows``
    are rows or per-draw scalars; ``step`` uses only them and the helpers
    above, so the same function writes the formula and steps through the
    periods (see :func:`carry_together`).
    """
    if _is_formula(*rows):
        return step(F("{p}{r}"), *rows)
    return carry_together(lambda previous, *values: (step(previous[0], *values),), 1, *rows)[0]


def carry_together(step, states, *rows):
    """Rows that depend on each other's previous values: ``step(previous values, *this period's values)``
    returns this period's value of each of them (a tuple, in the order of ``states``).

    The previous values are 0 before the first period. Excel: ``states`` are the rows themselves (their
    references; each row's formula is its element of ``step`` applied to their previous cells, so a row may
    read the previous cell of a row below it). numpy: ``states`` is their number, and the periods are
    stepped through together, each period's values as Python floats without a batch axis (a numpy call
    per helper and month would cost ten times more), else as arrays of the batch shape. ``step`` uses only
    its arguments, arithmetic and the helpers above.
    """
    if _is_formula(*rows):
        return step(tuple(lag(s) for s in states), *rows)
    arrays = [np.asarray(x, dtype=float) for x in rows]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    outs = tuple(np.empty(shape[-1:] + shape[:-1]) for _ in range(states))  # periods first while stepping
    previous = (0.0,) * states
    for t, values in enumerate(zip(*(_by_period(a, shape[-1]) for a in arrays))):
        previous = step(previous, *values)
        for out, value in zip(outs, previous):
            out[t] = value
    return tuple(np.ascontiguousarray(np.moveaxis(out, 0, -1)) for out in outs)


def _by_period(a: np.ndarray, periods: int):
    """Row (or per-draw scalar) ``a``'s values period by period: floats, or arrays of its batch shape."""
    if a.shape[-1:] != (periods,):  # a number or a per-draw scalar (..., 1): the same every period
        a = a[..., 0] if a.ndim else a
        return itertools.repeat(a.item() if a.ndim == 0 else a, periods)
    return a.tolist() if a.ndim == 1 else np.moveaxis(a, -1, 0).copy()  # periods first, each period contiguous


def ytd(x, year_start):
    """Running total since the last year start (flag row)  <->  ``{p}{r}*(1-year_start)+x``."""
    if _is_formula(x, year_start):
        return F("{p}{r}") * (1 - year_start) + x
    x, start = np.asarray(x, dtype=float), np.asarray(year_start, dtype=float)
    shape = np.broadcast_shapes(x.shape, start.shape)
    running = np.cumsum(np.broadcast_to(x, shape), axis=-1)
    last_start = np.maximum.accumulate(np.where(start > 0, np.arange(start.shape[-1]), 0), axis=-1)  # the flag row's shape
    before = np.take_along_axis(running - x, np.broadcast_to(last_start, shape), axis=-1)
    return running - before


def trailing_sum(x, period, n):
    """Sum of row x over the last n periods up to this one (fewer at the start)  <->
    ``SUMIFS(x, period, ">"&(period - n), period, "<="&period)``.

    ``period`` is the Time sheet's period-number row, ``n`` [periods] an input
    with one value (a structural window, not drawn).
    """
    if isinstance(x, RowRef):
        p = _wrap(period, ADD)
        return F(f'SUMIFS({x.range()}, {period.range()}, ">"&({p}-{_wrap(n, ADD, strict=True)}), '
                 f'{period.range()}, "<="&{p})')
    window = np.unique(np.asarray(n))
    if window.size != 1:
        raise ValueError(f"trailing_sum needs one window length, got {window}")
    x = np.asarray(x, dtype=float)
    padded = np.concatenate([np.zeros(x.shape[:-1] + (int(window[0]) - 1,)), x], axis=-1)
    return np.lib.stride_tricks.sliding_window_view(padded, int(window[0]), axis=-1).sum(axis=-1)


def total(x: RowRef | np.ndarray):
    """Sum over all periods (per draw)  <->  ``SUM(row range)``."""
    if isinstance(x, RowRef):
        return F(f"SUM({x.range()})")
    return np.sum(x, axis=-1, keepdims=True)


def row_max(x):
    """Largest value over all periods  <->  ``MAX(row range)``."""
    if isinstance(x, RowRef):
        return F(f"MAX({x.range()})")
    return np.max(x, axis=-1, keepdims=True)


def row_min(x):
    """Smallest value over all periods  <->  ``MIN(row range)``."""
    if isinstance(x, RowRef):
        return F(f"MIN({x.range()})")
    return np.min(x, axis=-1, keepdims=True)


def at_max(x, y):
    """The value of row y in the (first) period where row x is largest  <->  ``INDEX(y, 1, MATCH(MAX(x), x, 0))``."""
    if isinstance(x, RowRef):
        return F(f"INDEX({y.range()}, 1, MATCH(MAX({x.range()}), {x.range()}, 0))")
    x = np.asarray(x)
    y = np.broadcast_to(np.asarray(y, dtype=float), x.shape)
    return np.take_along_axis(y, np.argmax(x, axis=-1)[..., None], axis=-1)


def sumproduct(a, b):
    """Sum over periods of a*b (per draw)  <->  ``SUMPRODUCT(row a, row b)``."""
    if isinstance(a, RowRef):
        return F(f"SUMPRODUCT({a.range()}, {b.range()})")
    return np.sum(np.asarray(a) * np.asarray(b), axis=-1, keepdims=True)


def safe_divide(a, b):
    """a / b, NaN where b is 0  <->  ``a/b`` (#DIV/0! in the workbook).

    A quotient beyond the float range (b a denormal such as 1e-303) is +-inf, as IEEE division gives it: no warning.
    """
    if _is_formula(a, b):
        return a / b
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = np.divide(a, b)
    return np.where(np.asarray(b) == 0, np.nan, out)


def divide_where(a, b, flag):
    """a / b where ``flag`` is 1, else 0: a number and no division by 0 if ``flag`` is 0 wherever b is 0
    <->  ``flag*a/(b+1-flag)``."""
    return flag * a / (b + 1 - flag)


def irr(x, guess):
    """Internal rate of return per period (per draw)  <->  ``IRR(row range, guess)``.

    ``guess`` [1/period] seeds the root-finder in Python and in Excel alike,
    which matters when the cash flow changes sign more than once.
    """
    if isinstance(x, RowRef):
        return F(f"IRR({x.range()}, {_lit(guess).text})")
    return irr_monthly(x, guess)

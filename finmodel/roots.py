"""Roots of several functions at once: a grid brackets each root, batched steps refine them all together.

Used for the break-evens, the driver value or GPU-hour price [EUR/GPU-h]
at which an NPV [EUR] is 0 (:mod:`finmodel.sensitivity`,
:mod:`finmodel.breakevens`): every call of ``f`` asks for many values of
every unsolved root, so a call is one batched model evaluation (values on
the draw axis) however many roots are solved together.

::

    from finmodel.roots import find_roots
    found = find_roots(f, grid, tol=1.0, near=base)   # found.x, found.fx, found.messages

``f(which, x)``: ``which`` (k,) the indices of the roots asked for, ``x``
(k, m) m values of x for each [x's unit]; returns ``f_which[j](x[j, i])``,
shape (k, m) [f's unit, e.g. EUR].

1. Bracket: one call on every root's grid row ``grid[j]`` (ascending); the
   sign change (or exact zero) nearest ``near[j]`` brackets root ``j``. No
   sign change in the grid: x NaN and a message with f's sign and range;
   f = 0 at every grid value (x changes nothing): NaN too.
2. Refine: each call evaluates, for every root with |f| > ``tol`` at all
   values tried so far, the secant estimate ``c`` in its bracket [a, b],
   a fan either side of it at 10^-1 ... 10^-FAN of its distance to a and to
   b, and EVEN evenly spaced values; the bracket becomes the neighbouring
   pair where f changes sign, so it narrows (EVEN + 1)-fold or more a call,
   and to about the secant's error once the fan straddles the root. Stops
   when |f| <= ``tol`` at a value tried (that value is the root), or when
   the bracket cannot narrow in floating point (``converged`` False, x the
   end of the last bracket with the smaller |f|, and the message says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

#: values a refinement call tries per root: the secant estimate, FAN either side of it, EVEN evenly spaced
FAN, EVEN = 12, 7
MAX_CALLS = 60


@dataclass(frozen=True)
class Roots:
    """What :func:`find_roots` found, one entry per root."""

    x: np.ndarray  # (n,) the root; NaN without a sign change in the grid [x's unit]
    fx: np.ndarray  # (n,) f at x [f's unit]
    converged: np.ndarray  # (n,) bool: |fx| <= tol
    values: np.ndarray  # (n,) values of x evaluated for each root (grid included) [-]
    calls: int  # calls of f (batched evaluations) for all roots together [-]
    messages: list[str]  # what f did: "NPV = 3e-06 EUR", "NPV stays negative (...)", ...
    notes: list[str]  # "" or "; 2 sign changes in the grid, the one nearest 1 taken"


def find_roots(f: Callable[[np.ndarray, np.ndarray], np.ndarray], grid: np.ndarray, tol: float,
               near: np.ndarray | None = None, *, what: str = "f", unit: str = "",
               max_calls: int = MAX_CALLS) -> Roots:
    """Solve f_j(x) = 0 for every row j of ``grid`` (n, g), together; see the module docstring.

    ``tol``: largest |f| accepted at a root [f's unit]. ``near`` (n,):
    among several sign changes, the one nearest it is taken (default: the
    grid's middle). ``what``/``unit`` name f in the messages (``"NPV"``, ``"EUR"``).
    """
    grid = np.asarray(grid, dtype=float)
    n, g = grid.shape
    unit = f" {unit}" if unit else ""
    near = grid[:, g // 2] if near is None else np.asarray(near, dtype=float)
    every = np.arange(n)
    fg = np.asarray(f(every, grid), dtype=float)
    calls, values = 1, np.full(n, g)
    x, fx = np.full(n, np.nan), np.full(n, np.nan)
    messages, notes = [""] * n, [""] * n
    brackets, todo = [], []
    for j in range(n):
        fj, xj = fg[j], grid[j]
        exact = np.flatnonzero(fj == 0)
        change = np.flatnonzero(np.sign(fj[:-1]) * np.sign(fj[1:]) < 0)
        if exact.size == g:
            messages[j] = f"{what} = 0 at every grid value (x changes nothing)"
            continue
        if exact.size == 0 and change.size == 0:
            finite = fj[np.isfinite(fj)]
            span = f"from {finite.min():,.0f} to {finite.max():,.0f}{unit}" if finite.size else "not finite"
            sign = "negative" if finite.size and finite.max() < 0 else "positive" if finite.size and finite.min() > 0 else "of one sign"
            messages[j] = f"{what} stays {sign} ({span}) over {g} values"
            continue
        candidates = [(abs(xj[i] - near[j]), -1, i) for i in exact] + [
            (abs(0.5 * (xj[i] + xj[i + 1]) - near[j]), 1, i) for i in change]
        _, kind, i = min(candidates)
        if len(candidates) > 1:
            notes[j] = f"; {len(candidates)} sign changes in the grid, the one nearest {near[j]:g} taken"
        if kind < 0:
            x[j], fx[j], messages[j] = xj[i], 0.0, f"{what} = 0 at a grid value"
            continue
        brackets.append([xj[i], fj[i], xj[i + 1], fj[i + 1]])
        todo.append(j)
        best = i if abs(fj[i]) <= abs(fj[i + 1]) else i + 1
        x[j], fx[j] = xj[best], fj[best]
    todo = np.array(todo, dtype=int)
    b = np.array(brackets, dtype=float).reshape(-1, 4)  # columns: a, f(a), b, f(b) with f(a) f(b) < 0
    stuck = np.zeros(len(todo), dtype=bool)
    while calls < max_calls:
        active = (np.abs(fx[todo]) > tol) & ~stuck
        if not active.any():
            break
        which, (a, fa, bb, fb) = todo[active], b[active].T
        with np.errstate(divide="ignore", invalid="ignore"):
            c = (a * fb - bb * fa) / (fb - fa)
        c = np.where((c > a) & (c < bb), c, 0.5 * (a + bb))[:, None]
        fan = np.logspace(-1, -FAN, FAN)
        points = np.sort(np.concatenate([c, c - (c - a[:, None]) * fan, c + (bb[:, None] - c) * fan,
                                         a[:, None] + (bb - a)[:, None] * np.arange(1, EVEN + 1) / (EVEN + 1)], axis=1), axis=1)
        fp = np.asarray(f(which, points), dtype=float)
        calls += 1
        values[which] += points.shape[1]
        k = np.argmin(np.abs(fp), axis=1)
        rows = np.arange(len(which))
        better = np.abs(fp[rows, k]) < np.abs(fx[which])
        x[which] = np.where(better, points[rows, k], x[which])
        fx[which] = np.where(better, fp[rows, k], fx[which])
        xs = np.column_stack([a, points, bb])
        fs = np.column_stack([fa, fp, fb])
        change = np.sign(fs[:, :-1]) * np.sign(fs[:, 1:]) <= 0  # False throughout only if f gave NaN
        i = np.argmax(change, axis=1)  # the first sign change
        narrowed = np.column_stack([xs[rows, i], fs[rows, i], xs[rows, i + 1], fs[rows, i + 1]])
        stuck[active] = ~change.any(axis=1) | ((narrowed[:, 0] == a) & (narrowed[:, 2] == bb))
        b[active] = narrowed
    converged = np.abs(fx) <= tol
    if len(todo):  # not converged: the end of the last bracket with the smaller |f|, next to the root
        left = np.abs(b[:, 1]) <= np.abs(b[:, 3])
        end_x, end_f = np.where(left, b[:, 0], b[:, 2]), np.where(left, b[:, 1], b[:, 3])
        x[todo] = np.where(converged[todo], x[todo], end_x)
        fx[todo] = np.where(converged[todo], fx[todo], end_f)
    for j in todo:
        messages[j] = (f"{what} = {fx[j]:.3g}{unit}" if converged[j] else
                       f"refinement stopped at |{what}| = {abs(fx[j]):.3g}{unit} (floating-point resolution)")
    return Roots(x, fx, converged, values, calls, messages, notes)

"""Vectorised internal rate of return over the last axis.

``numpy_financial.irr`` (1.0.0) is not vectorised; this Newton iteration
solves every draw at once, with the same convention as Excel's IRR(): the
first value is not discounted. A step that would pass -100 % goes halfway
there instead. Each step works only on the draws not yet converged, and
only the draws Newton fails on go to the (vectorised) bracketed fallback,
so one hard draw does not slow down the others. Tests check it against
numpy-financial.
"""

from __future__ import annotations

import numpy as np

_MAX_STEPS = 100
_TOL = 1e-13  # [1/period] step size at which the root counts as found
_GRID = 400  # rates tried when Newton fails
_BATCH = 256  # draws whose grid values are computed at once in the fallback (bounded memory)


def irr_monthly(cash_flows, guess) -> np.ndarray:
    """Rate r [1/period] with sum_t cf_t (1+r)^-t = 0, per draw; NaN if none found.

    ``cash_flows`` [EUR] has shape (..., periods); ``guess`` [1/period] is a
    scalar or broadcasts to (..., 1). Returns shape (..., 1).

    Newton from ``guess``, iterating only the draws not yet converged. A
    draw fails when Newton does not converge in ``_MAX_STEPS`` steps or,
    sooner, when its rate leaves the fallback grid upwards (above +200 % a
    period, where Newton only runs away); failed draws get the fallback:
    the sign change on a rate grid nearest the guess, refined by Newton
    steps kept inside the bracket. NaN where the cash flow never changes
    sign or no sign change is found.
    """
    cf = np.asarray(cash_flows, dtype=float)
    lead = cf.shape[:-1]
    flat = cf.reshape(-1, cf.shape[-1])
    t = np.arange(cf.shape[-1], dtype=float)
    rate = np.broadcast_to(np.asarray(guess, dtype=float), lead + (1,)).reshape(-1, 1).copy()
    start = rate.copy()
    done = np.zeros(rate.shape[0], dtype=bool)
    active = np.arange(rate.shape[0])
    top = _grid()[0][-1]
    with np.errstate(all="ignore"):
        for _ in range(_MAX_STEPS):
            r, c = rate[active], flat if active.size == len(flat) else flat[active]  # no copy while all are active
            # scale by (1+r)^shift so that rates near -1 do not overflow; the root is unchanged
            shift = np.where(r < 0, t[-1], 0.0)
            cv = c * (1.0 + r) ** (shift - t)
            f = np.sum(cv, axis=-1, keepdims=True)
            df = -np.sum(cv * t, axis=-1, keepdims=True) / (1.0 + r)  # row by row (a BLAS product may round by batch)
            step = f / df
            new = r - step
            r = np.where(new <= -1.0, (r - 1.0) / 2, new)  # never jump past -100 %: go halfway
            rate[active] = r
            conv = (np.abs(step) <= _TOL * np.maximum(1.0, np.abs(r)))[:, 0]
            done[active[conv]] = True
            active = active[~conv & (r[:, 0] <= top)]  # NaN and runaway rates leave too (not done)
            if active.size == 0:
                break
        bad = np.nonzero(~(done & np.isfinite(rate[:, 0]) & (rate[:, 0] > -1.0)))[0]
        if bad.size:
            rate[bad] = _bracketed(flat[bad], start[bad])
    return np.where(sign_changes(cf) > 0, rate.reshape(lead + (1,)), np.nan)


_GRIDS: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _grid(periods: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The fallback's rate grid [1/period] (-99.9 % to +200 %) and (1 + grid) ** (T - 1 - t), shape (grid, periods)."""
    if periods not in _GRIDS:
        grid = np.expm1(np.linspace(np.log(1e-3), np.log(3.0), _GRID))
        t = np.arange(periods, dtype=float)
        _GRIDS[periods] = grid, (1.0 + grid[:, None]) ** (t[-1] - t)
    return _GRIDS[periods]


def _bracketed(cf: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """Per row, the sign change of the scaled NPV on the grid nearest the guess, then its root.

    The scaled NPV sum cf_t (1+r)^(T-1-t) has the NPV's sign and roots and
    does not overflow near -100 %. The root inside the bracket is found by
    Newton steps, each kept inside the bracket (bisection when a step would
    leave it), to ``_TOL``. ``cf`` (rows, periods), ``guess`` (rows, 1);
    returns (rows, 1), NaN where the grid shows no sign change.
    """
    grid, powers = _grid(cf.shape[-1])
    t = np.arange(cf.shape[-1], dtype=float)
    expo = t[-1] - t
    out = np.full((cf.shape[0], 1), np.nan)
    for s in range(0, cf.shape[0], _BATCH):
        rows = cf[s:s + _BATCH]
        # scaled NPV at every grid rate (only its sign is used); einsum, not a BLAS product (rows @ powers.T),
        # whose threads cost more to wake than this small product and then spin on the cores the model needs
        sign = np.sign(np.einsum("ij,kj->ik", rows, powers))
        brackets = sign[:, :-1] * sign[:, 1:] < 0
        j = np.argmin(np.where(brackets, np.abs(grid[None, :-1] - guess[s:s + _BATCH]), np.inf), axis=1)
        idx = np.nonzero(brackets.any(axis=1))[0]
        if idx.size == 0:
            continue
        c = rows[idx]
        lo, hi = grid[j[idx]].copy(), grid[j[idx] + 1].copy()
        s_lo = sign[idx, j[idx]]
        x = 0.5 * (lo + hi)
        live = np.arange(idx.size)
        for _ in range(200):
            xl, cl = x[live], c[live]
            p = (1.0 + xl[:, None]) ** expo
            g = np.sum(cl * p, axis=-1)
            dg = np.sum(cl * p * expo, axis=-1) / (1.0 + xl)
            below = np.sign(g) == s_lo[live]
            lo[live] = np.where(below, xl, lo[live])
            hi[live] = np.where(below, hi[live], xl)
            nxt = xl - g / dg
            inside = np.isfinite(nxt) & (nxt > lo[live]) & (nxt < hi[live])
            nxt = np.where(inside, nxt, 0.5 * (lo[live] + hi[live]))
            tol = _TOL * np.maximum(1.0, np.abs(nxt))
            fin = (np.abs(nxt - xl) <= tol) | (hi[live] - lo[live] <= tol) | (g == 0)
            x[live] = np.where(g == 0, xl, nxt)
            live = live[~fin]
            if live.size == 0:
                break
        out[s + idx, 0] = x
    return out


def sign_changes(cash_flows) -> np.ndarray:
    """Number of sign changes along the last axis, zeros ignored; shape (..., 1).

    More than one means the IRR may not be unique.
    """
    s = np.sign(np.asarray(cash_flows, dtype=float))
    out = np.zeros(s.shape[:-1] + (1,), dtype=int)
    last = np.zeros(s.shape[:-1], dtype=float)
    for k in range(s.shape[-1]):
        cur = s[..., k]
        flip = (cur != 0) & (last != 0) & (cur != last)
        out[..., 0] += flip
        last = np.where(cur != 0, cur, last)
    return out

"""Vectorised internal rate of return over the last axis.

``numpy_financial.irr`` (1.0.0) is not vectorised; this Newton iteration
solves every draw at once, with the same convention as Excel's IRR(): the
first value is not discounted. A step that would pass -100 % goes halfway
there instead. Tests check it against numpy-financial.
"""

from __future__ import annotations

import numpy as np

_MAX_STEPS = 100
_TOL = 1e-13  # [1/period] step size at which the root counts as found
_GRID = 400  # rates tried when Newton fails


def irr_monthly(cash_flows, guess) -> np.ndarray:
    """Rate r [1/period] with sum_t cf_t (1+r)^-t = 0, per draw; NaN if none found.

    ``cash_flows`` [EUR] has shape (..., periods); ``guess`` [1/period] is a
    scalar or broadcasts to (..., 1). Returns shape (..., 1).
    """
    cf = np.asarray(cash_flows, dtype=float)
    t = np.arange(cf.shape[-1], dtype=float)
    rate = np.broadcast_to(np.asarray(guess, dtype=float), cf.shape[:-1] + (1,)).copy()
    done = np.zeros_like(rate, dtype=bool)
    with np.errstate(all="ignore"):
        for _ in range(_MAX_STEPS):
            # scale by (1+r)^shift so that rates near -1 do not overflow; the root is unchanged
            shift = np.where(rate < 0, t[-1], 0.0)
            v = (1.0 + rate) ** (shift - t)
            f = np.sum(cf * v, axis=-1, keepdims=True)
            df = np.sum(-t * cf * v, axis=-1, keepdims=True) / (1.0 + rate)
            step = np.where(done, 0.0, f / df)
            new = rate - step
            rate = np.where(new <= -1.0, (rate - 1.0) / 2, new)  # never jump past -100 %: go halfway
            done |= np.abs(step) <= _TOL * np.maximum(1.0, np.abs(rate))
            if done.all():
                break
    ok = done & np.isfinite(rate) & (rate > -1.0)
    if not ok.all():
        rate = np.where(ok, rate, _bracketed(cf, rate, np.broadcast_to(guess, rate.shape)))
    return np.where(sign_changes(cf) > 0, rate, np.nan)


def _npv(cf: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """NPV scaled by (1+r)^(T-1) [EUR]: same sign and roots, no overflow near -100 %."""
    t = np.arange(cf.shape[-1], dtype=float)
    return np.sum(cf * (1.0 + rate) ** (t[-1] - t), axis=-1, keepdims=True)


def _bracketed(cf: np.ndarray, rate: np.ndarray, guess: np.ndarray) -> np.ndarray:
    """Fallback where Newton fails: the sign change on a rate grid nearest the guess, then bisection."""
    grid = np.expm1(np.linspace(np.log(1e-3), np.log(3.0), _GRID))  # -99.9 % to +200 % per period
    flat_cf = cf.reshape(-1, cf.shape[-1])
    out = np.full(flat_cf.shape[0], np.nan)
    with np.errstate(all="ignore"):
        for k, row in enumerate(flat_cf):
            values = _npv(row[None, :], grid[:, None])[:, 0]
            brackets = np.nonzero(np.sign(values[:-1]) * np.sign(values[1:]) < 0)[0]
            if brackets.size == 0:
                continue
            g = np.asarray(guess).reshape(-1)[k]
            j = brackets[np.argmin(np.abs(grid[brackets] - g))]
            lo, hi, f_lo = grid[j], grid[j + 1], values[j]
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                f_mid = _npv(row[None, :], np.array([[mid]]))[0, 0]
                if np.sign(f_mid) == np.sign(f_lo):
                    lo, f_lo = mid, f_mid
                else:
                    hi = mid
                if hi - lo <= _TOL * max(1.0, abs(mid)):
                    break
            out[k] = 0.5 * (lo + hi)
    return out.reshape(rate.shape)


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

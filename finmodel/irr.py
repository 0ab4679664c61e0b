"""Vectorised internal rate of return over the last axis.

``numpy_financial.irr`` (1.0.0) is not vectorised; this Newton iteration
solves every draw at once, with the same convention as Excel's IRR(): the
first value is not discounted. Tests check it against numpy-financial.
"""

from __future__ import annotations

import numpy as np

_MAX_STEPS = 100
_TOL = 1e-13  # [1/period] step size at which the root counts as found


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
            v = (1.0 + rate) ** -t
            f = np.sum(cf * v, axis=-1, keepdims=True)
            df = np.sum(-t * cf * v / (1.0 + rate), axis=-1, keepdims=True)
            step = np.where(done, 0.0, f / df)
            rate = rate - step
            done |= np.abs(step) <= _TOL * np.maximum(1.0, np.abs(rate))
            if done.all():
                break
    ok = done & np.isfinite(rate) & (rate > -1.0) & (sign_changes(cf) > 0)
    return np.where(ok, rate, np.nan)


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

"""Inverse CDFs [-]: a standard normal's probability and the triangular and discrete (choice) distributions'
values at given probabilities, vectorised over draws."""

from __future__ import annotations

import math

import numpy as np

_SQRT_HALF = 1.0 / math.sqrt(2.0)


def norm_cdf(z) -> np.ndarray:
    """Standard normal CDF Phi(z) [-], absolute error < 1e-7.

    Phi(z) = erfc(-z / sqrt 2) / 2 with the Chebyshev-fitted erfc of Numerical
    Recipes (``erfcc``, fractional error < 1.2e-7 everywhere).
    """
    x = -np.asarray(z, dtype=float) * _SQRT_HALF
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * a)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    with np.errstate(under="ignore"):
        erfc = t * np.exp(-a * a + poly)
    return np.clip(0.5 * np.where(x >= 0, erfc, 2.0 - erfc), 0.0, 1.0)


def triangular_ppf(u, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution at probabilities ``u`` [-]."""
    u = np.asarray(u, dtype=float)
    width = high - low
    if width == 0:
        return np.full_like(u, low)
    cut = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.clip(np.where(u < cut, left, right), low, high)


def choice_ppf(u, values, probabilities) -> np.ndarray:
    """The value whose cumulative-probability slot holds ``u`` [-]."""
    cum = np.cumsum(probabilities)
    k = np.minimum(np.searchsorted(cum, np.asarray(u, dtype=float), side="right"), len(values) - 1)
    return np.asarray(values, dtype=float)[k]

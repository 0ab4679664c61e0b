"""finmodel.irr against numpy-financial and hand-counted sign changes."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

import finmodel
from finmodel.irr import irr_monthly, sign_changes


def conventional_series(n=200, periods=36, seed=12345) -> np.ndarray:
    """One outflow, then inflows: exactly one sign change, one IRR > -1."""
    rng = np.random.default_rng(seed)
    cf = np.empty((n, periods))
    cf[:, 0] = -rng.uniform(50.0, 150.0, size=n)
    scale = rng.uniform(0.2, 1.5, size=(n, 1))  # some series do not pay back: IRR < 0
    cf[:, 1:] = scale * rng.uniform(0.0, 12.0, size=(n, periods - 1))
    cf[:, 1] += 1e-3  # inflows strictly positive somewhere, so the sign changes
    return cf


def monthly(annual: float) -> float:
    return (1 + annual) ** (1 / 12) - 1


#: monthly guesses from irr_guess values across its allowed range (-0.9 to 1.0 a year)
GUESSES = [monthly(a) for a in (-0.9, -0.5, 0.0, 0.1, 0.5, 1.0)]


@pytest.mark.parametrize("guess", GUESSES)
def test_irr_matches_numpy_financial_row_by_row(guess):
    cf = conventional_series()
    out = irr_monthly(cf, guess)
    assert out.shape == (cf.shape[0], 1)
    expected = np.array([npf.irr(row) for row in cf])
    assert np.all(np.isfinite(expected))
    assert (expected < 0).any() and (expected > 0).any()  # both losing and winning series
    np.testing.assert_allclose(out[:, 0], expected, rtol=1e-9, atol=1e-12)
    # and the rate is a root: NPV at the IRR is 0 (first value not discounted)
    t = np.arange(cf.shape[1])
    npv = np.sum(cf * (1 + out) ** -t, axis=1)
    np.testing.assert_allclose(npv, 0, atol=1e-8 * np.abs(cf).sum(axis=1).max())


def test_irr_with_a_guess_per_draw():
    cf = conventional_series(n=20, seed=7)
    guesses = np.linspace(GUESSES[0], GUESSES[-1], 20)[:, None]
    expected = np.array([npf.irr(row) for row in cf])
    np.testing.assert_allclose(irr_monthly(cf, guesses)[:, 0], expected, rtol=1e-9, atol=1e-12)


def test_irr_finds_the_unique_root_of_conventional_series_over_the_model_horizon():
    # -100 then 50: IRR -50 %; from guess 0 Newton's first step is 0 - (-50)/(-50) = -1
    assert irr_monthly(np.array([-100.0, 50.0]), 0.0)[0] == pytest.approx(-0.5, rel=1e-9)
    # -100 then 0.01 a month for 191 months (192 months, as the model's horizon): IRR -2.93 %/month
    cf = np.r_[-100.0, np.full(191, 0.01)]
    assert irr_monthly(cf, 0.0)[0] == pytest.approx(npf.irr(cf), rel=1e-9)
    # 200 seeded conventional series of 192 months, guesses within irr_guess's allowed range
    rng = np.random.default_rng(2026)
    cf = np.empty((200, 192))
    cf[:, 0] = -rng.uniform(50.0, 150.0, size=200)
    cf[:, 1:] = rng.uniform(0.02, 3.0, size=(200, 1)) * rng.uniform(0.0, 1.0, size=(200, 191))
    expected = np.array([npf.irr(row) for row in cf])
    for guess in GUESSES:
        np.testing.assert_allclose(irr_monthly(cf, guess)[:, 0], expected, rtol=1e-9, atol=1e-12)


def test_irr_one_dimensional_and_textbook_example():
    # the numpy-financial docs' example: -100, 39, 59, 55, 20 -> 28.095 %
    out = irr_monthly(np.array([-100.0, 39, 59, 55, 20]), 0.1)
    assert out.shape == (1,)
    assert out[0] == pytest.approx(0.28095, abs=5e-6)
    # -100 then 121 two periods later: (1 + r)^2 = 1.21 -> r = 10 %
    assert irr_monthly(np.array([-100.0, 0.0, 121.0]), 0.0)[0] == pytest.approx(0.10, rel=1e-12)


def test_fallback_finds_the_root_where_newton_runs_away():
    # Newton from 0 runs away (NPV < 0 at every rate >= 0); the root is at -50 % a month
    cf = np.array([[-100.0, 30.0, 12.5, 6.25] + [0.0] * 8, [-100.0, 50.0] + [0.0] * 10])
    out = irr_monthly(cf, 0.0)[:, 0]
    for row, r in zip(cf, out):
        assert r == pytest.approx(npf.irr(row), rel=1e-10)
    assert np.isnan(irr_monthly(np.ones((1, 12)), 0.0)[0, 0])  # no sign change: no IRR


@pytest.mark.parametrize("cf", [
    [100.0, 50, 20],          # inflows only
    [-100.0, -50, -20],       # outflows only
    [0.0, 0, 0],              # nothing
    [0.0, -5, 0, -1],         # zeros and outflows
])
def test_no_sign_change_gives_nan(cf):
    assert sign_changes(np.array(cf)).item() == 0
    assert np.isnan(irr_monthly(np.array(cf), 0.01)).all()


def test_no_sign_change_rows_are_nan_beside_good_rows():
    cf = np.array([[-100.0, 60, 60], [100.0, 60, 60], [-100.0, -1, -1]])
    out = irr_monthly(cf, 0.0)[:, 0]
    assert out[0] == pytest.approx(npf.irr(cf[0]), rel=1e-9)
    assert np.isnan(out[1]) and np.isnan(out[2])


@pytest.mark.parametrize("cf, n", [
    ([-1, 1], 1),
    ([-1, 2, 3], 1),
    ([1, -1], 1),
    ([-1, 1, -1], 2),
    ([-1, 1, -1, 1], 3),
    ([0, 0, -5, 0, 0, 3, 0], 1),          # zeros are skipped, not a sign
    ([-5, 0, -2, 0, 7], 1),               # same sign across zeros: no change
    ([3, 0, 0, 4, 0, -1, 0, 2], 2),       # + + - + across zeros
    ([0, 0, 0], 0),
    ([0, -1, -2, 0], 0),
    ([1, 2, 3], 0),
    ([-2, 0], 0),
    ([-1e-300, 1e-300], 1),               # tiny but non-zero values count
])
def test_sign_changes_by_hand(cf, n):
    assert sign_changes(np.array(cf, dtype=float)).item() == n


def test_sign_changes_per_row():
    cf = np.array([[-1, 1, -1, 1], [0, 0, 0, 0], [-1, 0, 0, 1], [2, 0, -3, 0]], dtype=float)
    out = sign_changes(cf)
    assert out.shape == (4, 1)
    assert out[:, 0].tolist() == [3, 0, 1, 1]


def test_summary_irr_of_default_total_matches_numpy_financial():
    res = finmodel.run(overrides={"irr_guess": 0.0})
    for e in res.entities:
        fcf = np.asarray(res.values[e]["fcf"]).ravel()
        monthly = npf.irr(fcf)
        assert np.isfinite(monthly), e
        assert res.summary.loc[e, "irr"] == pytest.approx((1 + monthly) ** 12 - 1, rel=1e-9), e
        assert res.summary.loc[e, "irr_sign_changes"] == sign_changes(fcf).item()

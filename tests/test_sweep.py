"""Cash sweep of the senior debt: triggered at covenant test dates, applied to the last instalments first.

Hand case: test_financing's, without tax (CFADS = EBITDA = 25 x hours a month from May 2025) and with
senior debt of 0.5 x the works capex, repaid as a 36-month annuity from May 2025 at 5 %/yr. Its
payment, about 15,100 a month, gives a trailing DSCR of about 1.2 at every June and December test:
above the 1.10 lock-up, below a 1.25 sweep threshold, so half of what is left after debt service
prepays the senior debt from the first test (June 2025) on. Expectations: numpy-financial's annuity
and a plain loop, never the rows under test.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

from test_financing import COMPLETION, EBITDA, PERIODS, d0_by_hand, fin_inputs, monthly, rows, run_hand  # noqa: F401
from test_validation import hand, in_file, one_problem

TENOR, SHARE, RATE = 36, 0.5, monthly(0.05)
SENIOR = dict(senior_share=0.5, senior_profile=1, senior_tenor_months=TENOR, dscr_test_period_months=6,
              dscr_covenant=1.1)
JUNE_2025 = 5  # index of the first test date with debt service (May 2025 is the first repayment month)


def schedule():
    """Scheduled senior balance (index 0 .. PERIODS - 1) and principal, from numpy-financial's annuity."""
    d0 = d0_by_hand("senior", 0.5)
    k = np.arange(PERIODS) - (COMPLETION - 1)  # repayment month: 1 in May 2025
    repaying = (k >= 1) & (k <= TENOR)
    principal = np.where(repaying, -npf.ppmt(RATE, np.clip(k, 1, TENOR), TENOR, d0), 0.0)
    balance = np.where(k <= 0, 0.0, d0 - np.cumsum(principal))
    balance[COMPLETION - 1] = d0
    return d0, np.maximum(balance, 0.0), principal


def test_premises(fin_inputs):
    d0, balance, principal = schedule()
    v = rows(run_hand(fin_inputs, **SENIOR, cash_sweep_share=0.0))
    np.testing.assert_allclose(v["senior_principal"][COMPLETION:COMPLETION + TENOR], principal[COMPLETION:COMPLETION + TENOR], rtol=1e-9)
    pmt = -npf.pmt(RATE, TENOR, d0)
    assert 15_000 < pmt < 15_200
    tests = np.flatnonzero(v["covenant_test"])
    assert tests[0] == JUNE_2025
    assert np.all((v["covenant_dscr"][tests] > 1.1) & (v["covenant_dscr"][tests] < 1.25))
    assert np.all(v["senior_prepayment"] == 0)  # share 0: no sweep, the debt totals are the scheduled ones
    np.testing.assert_array_equal(v["debt_service"], v["debt_service_scheduled"])


def test_sweep_prepays_from_the_failed_test_by_the_hand_amount(fin_inputs):
    d0, scheduled, principal = schedule()
    pmt = -npf.pmt(RATE, TENOR, d0)
    v = rows(run_hand(fin_inputs, **SENIOR, cash_sweep_share=SHARE, cash_sweep_dscr=1.25))
    # nothing before the first test; at it (June 2025): half of EBITDA - the annuity payment
    assert np.all(v["senior_prepayment"][:JUNE_2025] == 0)
    first = SHARE * (EBITDA[JUNE_2025] - pmt)
    assert v["senior_prepayment"][JUNE_2025] == pytest.approx(first, rel=1e-9)
    assert v["senior_balance_swept"][JUNE_2025] == pytest.approx(scheduled[JUNE_2025] - first, rel=1e-9)
    # then a plain loop: the scheduled principal is kept (last instalments first), interest on the lower balance
    prepaid, expected, swept = 0.0, np.zeros(PERIODS), np.zeros(PERIODS)
    for t in range(COMPLETION, PERIODS):
        opening = max(0.0, scheduled[t - 1] - prepaid)
        due = min(principal[t], opening)
        pay = min(opening - due, SHARE * max(0.0, EBITDA[t] - RATE * opening - due)) if t >= JUNE_2025 else 0.0
        prepaid += pay
        expected[t] = pay
        swept[t] = max(0.0, scheduled[t] - prepaid)
    np.testing.assert_allclose(v["senior_prepayment"], expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(v["senior_balance_swept"][COMPLETION:], swept[COMPLETION:], rtol=1e-9, atol=1e-6)
    # the loan is repaid before its maturity; what it repays in all is still D0, with less interest
    end = COMPLETION - 1 + TENOR
    paid_off = np.flatnonzero((swept == 0) & (np.arange(PERIODS) >= COMPLETION))[0]
    assert paid_off < end
    assert v["debt_principal"].sum() == pytest.approx(d0, rel=1e-9)
    saved = RATE * np.minimum(np.r_[0, scheduled[:-1]], np.r_[0, np.cumsum(expected)[:-1]])
    assert v["debt_interest"].sum() == pytest.approx(v["debt_interest_scheduled"].sum() - saved[COMPLETION:].sum(), rel=1e-9)
    assert np.all(np.abs(v["balance_check"]) <= 1e-6) and np.all(np.abs(v["cash_check"]) <= 1e-6)


def test_no_sweep_above_the_threshold(fin_inputs):
    # a sweep threshold below every test's ratio (1.1 < all of them): the sweep never starts
    v = rows(run_hand(fin_inputs, **SENIOR, cash_sweep_share=SHARE, cash_sweep_dscr=1.1))
    assert np.all(v["sweep_on"] == 0) and np.all(v["senior_prepayment"] == 0)


@pytest.mark.parametrize("field, value", [("cash_sweep_share", 1.5), ("cash_sweep_share", -0.2)])
def test_sweep_share_outside_zero_one(tmp_path, field, value):
    p = one_problem(hand(tmp_path, plan={field: value}))
    assert in_file(p, "plan.toml") and p.field == f"inputs.{field}"
    assert str(value) in p.message and ">= 0" in p.message and "<= 1" in p.message


def test_sweep_threshold_below_the_lock_up(tmp_path):
    p = one_problem(hand(tmp_path, plan={"cash_sweep_dscr": 1.05, "dscr_covenant": 1.1}))
    assert in_file(p, "plan.toml") and p.field == "cash_sweep_dscr"
    assert "1.05" in p.message and "dscr_covenant = 1.1" in p.message and ">= dscr_covenant" in p.message

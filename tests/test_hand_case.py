"""A one-phase case worked out by hand, and numpy-financial on the same cash flows.

The case (conftest.HAND_PLAN / HAND_PHASE), one year 2025 by month:
- facility: shell EUR 1 M/MW x 1 MW, built Jan-Feb -> EUR 500,000 each month;
- 100 GPUs x USD 10,000 at 1 USD/EUR, bought in March when service starts -> EUR 1,000,000;
- from March: utilisation 0.5 (no ramp), so GPU-hours = 100 x hours x 0.5;
  revenue = GPU-hours x EUR 2; electricity = 1 MW x hours x 0.5 x PUE 1.5 x EUR 100/MWh;
  so EBITDA = (100 - 75) x hours = 25 x hours EUR per month; no tax;
- depreciation over 10 years from March: IT 1,000,000/120 and building 1,000,000/120 a month,
  so the book value in December is 2 x (1,000,000 - 10 x 1,000,000/120), received as residual value;
- jobs: 10 on-site job-years per MW built, 1 MW built over Jan-Feb -> 10 x 1 x 0.5 x 12 = 60 FTE
  in Jan and Feb, none after; from March 2 FTE direct + 1.5 x 2 indirect = 5 permanent FTE.
"""

import numpy as np
import numpy_financial as npf
import pytest

import finmodel

HOURS = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], dtype=float)  # 2025 by month
IN_SERVICE = np.array([0, 0] + [1] * 10, dtype=float)
RESIDUAL = 2 * (1_000_000 - 10 * 1_000_000 / 120)


def hand_cash_flows() -> np.ndarray:
    capex = np.array([500_000, 500_000, 1_000_000] + [0] * 9, dtype=float)
    ebitda = 25 * HOURS * IN_SERVICE
    fcf = ebitda - capex
    fcf[-1] += RESIDUAL
    return fcf


def discount_factors(rate=0.10) -> np.ndarray:
    return np.array([(1 + rate) ** -(m / 12) for m in range(1, 13)])


@pytest.fixture
def res(hand_inputs):
    return finmodel.run(inputs_dir=hand_inputs)


def test_capex_and_opex_by_month(res):
    v = res.values["p"]
    np.testing.assert_allclose(v["capex_shell"].ravel(), [500_000, 500_000] + [0] * 10)
    np.testing.assert_allclose(v["capex_gpu_initial"].ravel(), [0, 0, 1_000_000] + [0] * 9)
    np.testing.assert_allclose(v["opex_electricity"].ravel(), 75 * HOURS * IN_SERVICE)
    np.testing.assert_allclose(v["revenue"].ravel(), 100 * HOURS * IN_SERVICE)
    assert res.summary.loc["p", "capex_eur"] == pytest.approx(2_000_000)


def test_cash_flow_and_residual_value(res):
    np.testing.assert_allclose(res.values["p"]["fcf"].ravel(), hand_cash_flows(), rtol=1e-12)
    assert res.values["p"]["residual_value"].ravel()[-1] == pytest.approx(1_833_333.3333333333)


def test_npv_by_hand(res):
    expected = float(np.sum(hand_cash_flows() * discount_factors()))
    assert res.summary.loc["p", "npv_eur"] == pytest.approx(expected, rel=1e-12)


def test_npv_matches_numpy_financial(res):
    monthly = 1.10 ** (1 / 12) - 1
    # npf.npv discounts its first value by 0 periods: a leading 0 puts month 1 at one period
    expected = npf.npv(monthly, np.r_[0.0, hand_cash_flows()])
    assert res.summary.loc["p", "npv_eur"] == pytest.approx(expected, rel=1e-10)


def test_irr_matches_numpy_financial(res):
    monthly = npf.irr(hand_cash_flows())
    assert res.summary.loc["p", "irr"] == pytest.approx((1 + monthly) ** 12 - 1, rel=1e-8)
    assert res.summary.loc["p", "irr_sign_changes"] == 1


def test_levelized_cost_by_hand(res):
    df = discount_factors()
    capex = np.array([500_000, 500_000, 1_000_000] + [0] * 9, dtype=float)
    costs = capex + 75 * HOURS * IN_SERVICE
    costs[-1] -= RESIDUAL
    gpu_hours = 100 * HOURS * 0.5 * IN_SERVICE
    expected = np.sum(costs * df) / np.sum(gpu_hours * df)
    assert res.summary.loc["p", "lcoc_eur_per_gpu_hour"] == pytest.approx(expected, rel=1e-12)
    # no price decline: the break-even new-generation price is the levelized cost
    assert res.summary.loc["p", "breakeven_eur_per_gpu_hour"] == pytest.approx(expected, rel=1e-12)
    stack = res.cost_stack.loc["p"]
    assert stack["stack_electricity"] == pytest.approx(np.sum(75 * HOURS * IN_SERVICE * df) / np.sum(gpu_hours * df))
    assert stack.drop("lcoc").sum() == pytest.approx(stack["lcoc"], rel=1e-12)


def test_payback_by_hand(res):
    cum = np.cumsum(hand_cash_flows())
    assert cum[-2] < 0 <= cum[-1]  # only the residual value pays the project back
    assert res.summary.loc["p", "payback_years"] == pytest.approx(12 / 12)


def test_jobs_by_hand(res):
    jobs = res.jobs.loc[("p", 2025)]
    assert jobs["jobs_construction"] == pytest.approx(120 / 12)
    assert jobs["jobs_direct"] == pytest.approx(20 / 12)
    assert jobs["jobs_indirect"] == pytest.approx(30 / 12)
    assert jobs["jobs_permanent"] == pytest.approx(10 * 5 / 12)
    # announced jobs compare with permanent jobs only: direct + indirect in the report year
    assert res.summary.loc["p", "jobs_permanent_2030"] == pytest.approx(10 * 5 / 12)
    np.testing.assert_allclose(res.values["p"]["jobs_construction"].ravel(), [60, 60] + [0] * 10)  # none without works
    assert res.summary.loc["p", "jobs_construction_peak"] == pytest.approx(60)
    assert res.summary.loc["p", "jobs_construction_peak_year"] == 2025
    assert jobs["jobs_engineering"] == pytest.approx(0.25 * 20 / 12)

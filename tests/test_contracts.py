"""Contracted and merchant revenue per GPU purchase, worked out by hand.

The hand case of conftest (100 GPUs in service from March 2025, utilisation
0.5 without ramp, new-generation merchant price USD 2 at 1 USD/EUR) over two
years, with a contract price of USD 2.5 so the two prices can be told apart.
Its generation is available in March 2025, the month of the first purchase:
in month t (0 = Jan 2025) it is (t - 2) / 12 years old once in service, on
the market and in the halls.
"""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs
from tests.test_validation import one_problem

MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
HOURS = 24.0 * np.array(MONTH_DAYS * 2)  # 2025 and 2026 (no leap year)
T = np.arange(24)
IN_SERVICE = (T >= 2).astype(float)
AGE = np.maximum(T - 2, 0) / 12  # first purchase, GPU life 10 years: no refresh in the horizon


@pytest.fixture
def two_years(tmp_path):
    plan = {**HAND_PLAN, "contract_price_usd": 2.5, "available": "2025-03"}
    return write_inputs(tmp_path / "inputs", plan, {"p": HAND_PHASE}, horizon_years=2)


def revenue(inputs, **overrides):
    return finmodel.run(inputs_dir=inputs, overrides=overrides).values["p"]["revenue"].ravel()


def test_fully_contracted_revenue_does_not_depend_on_the_price_decline(two_years):
    expected = 100 * HOURS * IN_SERVICE * 2.5  # take-or-pay: every hour billed, at the contract price
    for decline in (0.0, 0.3, 0.8):
        got = revenue(two_years, contracted_share=1.0, contract_years=10.0, gpu_hour_price_decline=decline)
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_no_contract_is_the_merchant_revenue(two_years):
    expected = 100 * HOURS * IN_SERVICE * 0.5 * 2.0 * 0.7 ** AGE
    np.testing.assert_allclose(revenue(two_years, contracted_share=0.0, gpu_hour_price_decline=0.3), expected, rtol=1e-12)


def test_contract_ending_mid_horizon_switches_to_the_merchant_price_that_month(two_years):
    res = finmodel.run(inputs_dir=two_years, overrides=dict(contracted_share=0.6, contract_years=0.5, gpu_hour_price_decline=0.3))
    v = res.values["p"]
    in_contract = (T >= 2) & (T < 8)  # March to August 2025: six months from the March service start
    merchant_price = 2.0 * 0.7 ** AGE
    expected = np.where(in_contract, 100 * HOURS * (0.6 * 2.5 + 0.4 * 0.5 * merchant_price),
                        100 * HOURS * IN_SERVICE * 0.5 * merchant_price)
    np.testing.assert_allclose(v["revenue"].ravel(), expected, rtol=1e-12)
    np.testing.assert_allclose(v["contract1_flag"].ravel(), in_contract.astype(float))
    assert v["revenue_contracted"].ravel()[7] > 0 and v["revenue_contracted"].ravel()[8] == 0  # August in, September out


def test_a_refresh_signs_a_new_contract(two_years):
    """GPU life 1 year: the March 2026 refresh starts a new 6-month contract at the contract price; its merchant
    hours sell at the market price of a generation then a year old (the price does not start over)."""
    v = finmodel.run(inputs_dir=two_years, overrides=dict(
        contracted_share=1.0, contract_years=0.5, gpu_hour_price_decline=0.3, gpu_life_years=1.0)).values["p"]
    in_contract = ((T >= 2) & (T < 8)) | ((T >= 14) & (T < 20))
    expected = np.where(in_contract, 100 * HOURS * 2.5, 100 * HOURS * IN_SERVICE * 0.5 * 2.0 * 0.7 ** AGE)
    np.testing.assert_allclose(v["revenue"].ravel(), expected, rtol=1e-12)


def test_a_contract_longer_than_the_gpu_life_ends_at_the_refresh(two_years):
    v = finmodel.run(inputs_dir=two_years, overrides=dict(
        contracted_share=1.0, contract_years=5.0, gpu_hour_price_decline=0.3, gpu_life_years=1.0)).values["p"]
    np.testing.assert_allclose(v["revenue"].ravel(), 100 * HOURS * IN_SERVICE * 2.5, rtol=1e-12)
    np.testing.assert_allclose(v["contract1_months_left"].ravel()[[2, 13, 14, 23]], [11, 0, 11, 2])


def test_prepayment_received_at_signature_and_earned_over_the_term(two_years):
    res = finmodel.run(inputs_dir=two_years, overrides=dict(contracted_share=1.0, contract_years=0.5, prepaid_share=0.2))
    v = res.values["p"]
    month_value = 100 * 8766 / 12 * 2.5  # contract value of one month at hours_per_year / 12
    left = np.where((T >= 2) & (T < 8), 7 - T, 0)  # months after this one still to serve: 5 in March ... 0 in August
    np.testing.assert_allclose(v["deferred_revenue"].ravel(), 0.2 * month_value * left, rtol=1e-12)
    # cash: EBITDA plus the prepayment received (March) and then earned back
    cash_effect = -np.diff(np.concatenate([[0], -0.2 * month_value * left]))
    assert cash_effect[2] == pytest.approx(0.2 * month_value * 5)
    no_prepay = finmodel.run(inputs_dir=two_years, overrides=dict(contracted_share=1.0, contract_years=0.5)).values["p"]
    np.testing.assert_allclose(v["fcf"].ravel() - no_prepay["fcf"].ravel(), cash_effect, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(v["revenue"].ravel(), no_prepay["revenue"].ravel())  # revenue is earned, not received
    assert v["wc_change"].sum() == pytest.approx(0, abs=1e-6)


def test_prepayment_unearned_at_the_horizon_end_is_handed_back(two_years):
    v = finmodel.run(inputs_dir=two_years, overrides=dict(contracted_share=1.0, contract_years=10.0, prepaid_share=0.1)).values["p"]
    assert v["working_capital"].ravel()[-1] == 0
    assert v["wc_change"].sum() == pytest.approx(0, abs=1e-6)
    assert v["wc_change"].ravel()[-1] > 0  # the refund is a use of cash


def test_a_phase_may_override_the_contract_inputs(two_years):
    plan_wide = revenue(two_years, contracted_share=1.0, contract_years=10.0)
    per_phase = revenue(two_years, **{"p.contracted_share": 1.0, "p.contract_years": 10.0})
    np.testing.assert_allclose(per_phase, plan_wide)


def test_default_scenarios_bracket_the_default():
    npv = {s: finmodel.run(s).summary.loc["total", "npv_eur"] for s in ("merchant", "nov_2025", "contracted")}
    assert npv["merchant"] < npv["nov_2025"] < npv["contracted"]
    merchant = finmodel.run("merchant").summary.loc["total", "npv_eur"]
    old_reading = finmodel.run(overrides={"contracted_share": 0.0}).summary.loc["total", "npv_eur"]
    assert merchant == old_reading


@pytest.mark.parametrize("overrides, field, shown, allowed", [
    ({"contract_years": 0.0}, "contract_years", "0 is out of range", "> 0"),
    ({"contract_years": -1.0}, "contract_years", "-1 is out of range", "> 0"),
    ({"contract_years": 0.3}, "contract_years", "0.3 years", "multiple of 1/12 year"),
    ({"contracted_share": 1.5}, "contracted_share", "1.5 is out of range", ">= 0 and <= 1"),
    ({"prepaid_share": -0.1}, "prepaid_share", "-0.1 is out of range", ">= 0 and <= 1"),
    ({"p.contracted_share": 2.0}, "p.contracted_share", "2 is out of range", ">= 0 and <= 1"),
])
def test_bad_contract_inputs_get_one_clear_error(two_years, overrides, field, shown, allowed):
    p = one_problem(two_years, overrides=overrides)
    assert p.field == field and p.file == "overrides"
    assert p.message.startswith(shown) and "allowed: " in p.message and allowed in p.message


def test_bad_contract_term_in_the_file_names_the_file(tmp_path):
    inputs = write_inputs(tmp_path / "inputs", {**HAND_PLAN, "contract_years": 0}, {"p": HAND_PHASE})
    p = one_problem(inputs)
    assert p.file.endswith("plan.toml") and p.field == "inputs.contract_years" and "> 0" in p.message

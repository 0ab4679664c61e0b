"""GPU loans, one per purchase: drawn as each purchase is paid, repaid before its refresh, inside its collateral.

Expectations are worked out by hand below (or with numpy-financial), never copied from a run.

The case: conftest's HAND_PLAN / HAND_PHASE with GPUs that last 2 years, networking and storage at 10 % of
the servers, a 20 % deposit 2 months before service, stage 2 in July, and a 5-year horizon (60 months):

    period  month     stage 1 (50 GPUs, IT cost C = 50 x 10,000 x 1.1)   stage 2 (50 GPUs, the same cost)
    1       Jan 2025  deposit 0.2 C = 110,000
    3       Mar 2025  delivery 0.8 C = 440,000, in service (k = 0)
    5       May 2025                                                       deposit 110,000
    7       Jul 2025                                                       delivery 440,000, in service
    27      Mar 2027  refresh C (paid on delivery, in service at once)
    31      Jul 2027                                                       refresh C
    51      Mar 2029  refresh C
    55      Jul 2029                                                       refresh C
    60      Dec 2029  last month: everything still owed is repaid

GPU loans lend LTV = 0.6 of each payment, at base 3 % + non-IG margin 3 % = 6 % a year.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs

LTV, C, PERIODS = 0.6, 550_000.0, 60
R = 1.06 ** (1 / 12) - 1
PLAN = {**HAND_PLAN, "gpu_life_years": 2.0, "network_storage_share": 0.1, "gpu_deposit_share": 0.2,
        "gpu_lead_time_months": 2, "base_rate": 0.03, "gpu_debt_margin_non_ig": 0.03, "gpu_debt_margin_ig": 0.01,
        "offtake_ig_share": 0.0}
PHASE = {**HAND_PHASE, "stage1_share": 0.5, "full_online": "2025-07"}
NO_DEBT = {"gpu_debt_share": 0.0, "vendor_share": 0.0, "senior_share": 0.0}
#: periods (1-based) of each stage's payments: (period, share of C)
PAYMENTS = {1: [(1, 0.2), (3, 0.8), (27, 1.0), (51, 1.0)], 2: [(5, 0.2), (7, 0.8), (31, 1.0), (55, 1.0)]}


@pytest.fixture(scope="module")
def gpu_inputs(tmp_path_factory):
    return write_inputs(tmp_path_factory.mktemp("gpu") / "inputs", PLAN, {"p": PHASE}, horizon_years=5)


def run(folder, **overrides):
    res = finmodel.run(inputs_dir=folder, overrides={**NO_DEBT, "gpu_debt_share": LTV, **overrides})
    return res, {k: np.asarray(v, dtype=float).reshape(-1) for k, v in res.values["p"].items()}


def at(period: int) -> int:
    return period - 1


def stage_schedule(stage: int, tenor: int, profile: str) -> dict[str, np.ndarray]:
    """Draws, capitalised interest and principal of one stage's loans by hand (index = period - 1).

    First purchase: the deposit draw 0.6 x 110,000 = 66,000 earns capitalised interest in the month between
    order and service and in the service month (k = 0; interest is paid from k = 1 on), so the loan at service is
    D0 = 66,000 x (1 + r) ^ 2 + 264,000. A refresh draws 0.6 x C = 330,000 in its service month: D0 = 330,000.
    Each loan is repaid in months k = 1 .. tenor after its service month; with tenor = life (24) the last
    instalment falls in the refresh month. The horizon's last month repays what is left.
    """
    draws, idc, principal = np.zeros(PERIODS), np.zeros(PERIODS), np.zeros(PERIODS)
    deposit, delivery, *refreshes = PAYMENTS[stage]
    for period, share in PAYMENTS[stage]:
        draws[at(period)] = LTV * share * C
    idc[at(deposit[0] + 1)] = R * LTV * deposit[1] * C
    idc[at(deposit[0] + 2)] = R * LTV * deposit[1] * C * (1 + R)
    loans = [(delivery[0], LTV * C * (deposit[1] * (1 + R) ** 2 + delivery[1]))] + [(p, LTV * C) for p, _ in refreshes]
    for service, d0 in loans:
        k = np.arange(1, tenor + 1)
        due = -npf.ppmt(R, k, tenor, d0) if profile == "annuity" else np.full(tenor, d0 / tenor)
        for kk, amount in zip(k, due):
            if service + kk < PERIODS:
                principal[at(service + kk)] += amount
            else:  # the last month repays the rest
                principal[at(PERIODS)] += amount
    return {"draws": draws, "idc": idc, "principal": principal}


@pytest.mark.parametrize("tenor, profile", [(24, "annuity"), (18, "annuity"), (24, "straight"), (9, "straight")])
def test_each_purchase_borrows_ltv_and_repays_by_hand(gpu_inputs, tenor, profile):
    _, v = run(gpu_inputs, gpu_debt_tenor_months=tenor, gpu_debt_profile=1 if profile == "annuity" else 2)
    expected = [stage_schedule(s, tenor, profile) for s in (1, 2)]
    # draws: 0.6 x what is paid, in the payment months only
    for s in (1, 2):
        np.testing.assert_allclose(v[f"gpu_debt_draws{s}"], expected[s - 1]["draws"], rtol=1e-12, atol=1e-9)
    assert v["gpu_debt_draws"][at(1)] == pytest.approx(66_000) and v["gpu_debt_draws"][at(27)] == pytest.approx(330_000)
    np.testing.assert_allclose(v["gpu_debt_draws"], LTV * v["capex_it"], rtol=1e-12)
    # interest is capitalised only from a deposit to its stage's service month: Feb-Mar (stage 1), Jun-Jul (stage 2)
    idc = expected[0]["idc"] + expected[1]["idc"]
    assert np.count_nonzero(idc) == 4
    np.testing.assert_allclose(v["gpu_debt_idc"], idc, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(v["gpu_debt_principal"], expected[0]["principal"] + expected[1]["principal"],
                               rtol=1e-9, atol=1e-6)
    # interest paid: r x the opening balance after the stage's service month
    opening = np.r_[0, v["gpu_debt_balance"][:-1]]
    np.testing.assert_allclose(v["gpu_debt_interest"] + v["gpu_debt_idc"], R * opening, rtol=1e-12, atol=1e-9)
    assert v["gpu_debt_balance"][-1] == 0


@pytest.mark.parametrize("tenor", [24, 18])
def test_each_loan_is_repaid_by_its_refresh(gpu_inputs, tenor):
    _, v = run(gpu_inputs, gpu_debt_tenor_months=tenor, gpu_debt_profile=1)
    for s, refreshes in ((1, (27, 51)), (2, (31, 55))):
        balance = v[f"gpu_debt_balance{s}"]
        for p in refreshes:
            # the month of a refresh ends with the new purchase's loan only: 0.6 x C, nothing of the old one
            assert balance[at(p)] == pytest.approx(LTV * C, rel=1e-12)
            if tenor == 24:  # the old loan's last instalment is due in the refresh month
                d0 = LTV * C if p > refreshes[0] else LTV * C * (0.2 * (1 + R) ** 2 + 0.8)
                assert balance[at(p - 1)] == pytest.approx(-npf.ppmt(R, 24, 24, d0), rel=1e-9)
            else:  # an 18-month loan is gone 6 months before the refresh
                assert np.all(np.abs(balance[at(p - 6):at(p)]) <= 1e-6)


def test_refresh_is_financed_like_the_first_purchase(gpu_inputs):
    # the March 2027 refresh: 0.6 x C drawn, 0.4 x C paid by equity (no operating cash: the phase runs at a loss)
    _, v = run(gpu_inputs, gpu_debt_tenor_months=24, gpu_debt_profile=1, **{"g1.gpu_hour_price_usd": 0.0})
    assert v["capex_gpu_refresh"][at(27)] == pytest.approx(500_000)
    assert v["gpu_debt_draws"][at(27)] == pytest.approx(330_000)
    assert v["gpu_debt_fee"].sum() == 0  # HAND_PLAN: gpu_debt_fee = 0


def test_fee_is_paid_on_each_draw(gpu_inputs):
    _, v = run(gpu_inputs, gpu_debt_fee=0.02)
    np.testing.assert_allclose(v["gpu_debt_fee"], 0.02 * v["gpu_debt_draws"], rtol=1e-12)
    assert v["gpu_debt_fee"][at(1)] == pytest.approx(1_320)  # 2 % of 66,000


@pytest.mark.parametrize("overrides", [
    dict(gpu_debt_tenor_months=24, gpu_debt_profile=1),
    dict(gpu_debt_tenor_months=12, gpu_debt_profile=2, vendor_share=0.3, vendor_tenor_months=12, senior_share=0.5,
         senior_profile=1, senior_tenor_months=24, dsra_months=3, corporate_tax_rate=0.25,
         **{"g1.gpu_hour_price_usd": 3.0}),
], ids=["gpu-loans", "all-tranches"])
def test_identities_hold_with_loans_per_purchase(gpu_inputs, overrides):
    res, v = run(gpu_inputs, **overrides)
    assert np.all(np.abs(v["balance_check"]) <= 1e-6) and np.all(np.abs(v["cash_check"]) <= 1e-6)
    su = res.sources_uses["p"]
    assert su[("Sources", "Total sources")] == pytest.approx(su[("Uses", "Total uses")], abs=1e-6)
    # stage 1 repays its GPU loan while stage 2 is still being built: construction uses include that debt service
    assert su[("Uses", "Debt service during construction (GPU loans of a stage in service)")] > 0
    hz = res.sources_uses_horizon["p"]
    assert hz[("Sources", "Total sources")] == pytest.approx(hz[("Uses", "Total uses")], abs=1e-6)


# --- collateral: GPU loans and vendor financing vs the book value of the IT -------------------------

@pytest.fixture(scope="module")
def one_stage(tmp_path_factory):
    """One stage: 100 GPUs (IT cost 2 C = 1.1 M) paid and in service in March 2025, no deposit; life 24 months."""
    plan = {**PLAN, "gpu_deposit_share": 0.0, "gpu_lead_time_months": 0}
    phase = {**PHASE, "stage1_share": 1.0, "full_online": "2025-04"}
    return write_inputs(tmp_path_factory.mktemp("one") / "inputs", plan, {"p": phase}, horizon_years=5)


def test_collateral_check_fires_when_debt_outlives_the_book_value(one_stage):
    # straight line over the whole life at LTV 0.92: k months after service (period 3 + k) the loan is
    # 0.92 x 2C x (1 - k/24), the IT book value 2C x (1 - (k + 1)/24) (depreciation starts in the service month).
    # Debt > value when 0.92 (24 - k) > 23 - k, i.e. k > 11.5: k = 12..23, periods 15..26 (Mar 2026 - Feb 2027);
    # the refresh in period 27 starts again: periods 39..50. The third purchase (period 51) ends with the horizon.
    res, v = run(one_stage, gpu_debt_share=0.92, gpu_debt_tenor_months=24, gpu_debt_profile=2)
    expected = np.zeros(PERIODS)
    expected[at(15):at(27)] = 1
    expected[at(39):at(51)] = 1
    np.testing.assert_array_equal(v["collateral_breach"], expected)
    assert res.scalar("p", "collateral_breach_months") == 24
    warning = [w for w in res.warnings if "book value of the IT" in w]
    assert len(warning) == 1 and warning[0].startswith("p: ") and "24 months from 2026-03" in warning[0]


def test_collateral_check_is_quiet_when_loans_amortise_ahead_of_depreciation(one_stage):
    # LTV 0.6 over 18 months: at k <= 18 the debt 0.6 x 2C x (1 - k/18) stays below 2C x (1 - (k + 1)/24)
    res, v = run(one_stage, gpu_debt_share=0.6, gpu_debt_tenor_months=18, gpu_debt_profile=2)
    assert v["collateral_breach"].sum() == 0 and res.scalar("p", "collateral_breach_months") == 0
    assert not [w for w in res.warnings if "book value of the IT" in w]


def test_default_plan_keeps_gpu_debt_inside_its_collateral():
    res = finmodel.run()
    for p in res.inputs.phases:
        v = {k: np.asarray(res.values[p][k], dtype=float).reshape(-1) for k in ("it_secured_debt", "it_book_value")}
        assert res.scalar(p, "collateral_breach_months") == 0
        assert np.all(v["it_secured_debt"] <= v["it_book_value"])
        assert res.scalar(p, "gpu_debt_commitment") > 0

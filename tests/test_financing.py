"""Financing: debt tranches, the cash waterfall, equity returns and the three statements.

Expectations come from hand calculations (shown in comments), from
numpy-financial, or from identities (the balance sheet balances, sources =
uses, all equity = project). None is copied from a model run.

The hand financing case is conftest's HAND_PLAN / HAND_PHASE with
stage1_share = 0.5 and a 4-year horizon (2025-2028, 48 months):

    month (period)   works capex   IT capex     EBITDA
    Jan 2025 (1)      250,000          -           -       stage 1 build: 0.5 x EUR 1 M over Jan-Feb
    Feb 2025 (2)      250,000          -           -
    Mar 2025 (3)      500,000     500,000      9,300       stage 2 build (0.5 x EUR 1 M in Mar); 50 GPUs
                                                           bought; 50 GPUs x 744 h x 0.5 x (EUR 2 - 1.5)
    Apr 2025 (4)          -       500,000     18,000       full service (completion, k = 0): 50 more GPUs;
                                                           EBITDA = 25 x hours from now on
    May 2025 on           -           -      25 x hours    repayment month k = period - 4

EBITDA: revenue 100 GPUs x h x 0.5 x EUR 2 = 100 h, electricity 1 MW x h x 0.5
x PUE 1.5 x EUR 100/MWh = 75 h, so 25 h a month (half of it in March). No tax,
no working capital, no reserve unless a test says so. Tranches draw from
the capex base up to and including completion (April); IT capex is the base
of the GPU loans and vendor financing, works capex that of senior debt.
"""

from __future__ import annotations

import calendar

import numpy as np
import numpy_financial as npf
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs
from finmodel.irr import sign_changes

FIN_PLAN = {**HAND_PLAN, "base_rate": 0.03, "gpu_debt_margin_ig": 0.02, "gpu_debt_margin_non_ig": 0.04,
            "offtake_ig_share": 0.5, "vendor_margin": 0.05, "senior_margin": 0.02}
FIN_PHASE = {**HAND_PHASE, "stage1_share": 0.5}
HORIZON_YEARS = 4
PERIODS = 12 * HORIZON_YEARS
COMPLETION = 4  # period of full service (April 2025)
#: annual rate of each tranche: base 3 % + margin; GPU loans 0.5 x 2 % + 0.5 x 4 % = 3 %
ANNUAL_RATE = {"gpu_debt": 0.06, "vendor": 0.08, "senior": 0.05}
#: capex base of each tranche by period (index = period - 1), from the table above
IT_BASE = {3: 500_000.0, 4: 500_000.0}
WORKS_BASE = {1: 250_000.0, 2: 250_000.0, 3: 500_000.0}
BASE = {"gpu_debt": IT_BASE, "vendor": IT_BASE, "senior": WORKS_BASE}
NO_DEBT = {"gpu_debt_share": 0.0, "vendor_share": 0.0, "senior_share": 0.0}

HOURS = np.array([24.0 * calendar.monthrange(2025 + m // 12, m % 12 + 1)[1] for m in range(PERIODS)])
EBITDA = 25 * HOURS * np.r_[0, 0, 0.5, np.ones(PERIODS - 3)]


def monthly(annual: float) -> float:
    return (1 + annual) ** (1 / 12) - 1


def flat(a) -> np.ndarray:
    return np.asarray(a, dtype=float).reshape(-1)


def rows(res, entity="p") -> dict[str, np.ndarray]:
    return {k: flat(v) for k, v in res.values[entity].items()}


def repay_index(k) -> np.ndarray:
    """Array index of repayment month k (period COMPLETION + k)."""
    return COMPLETION + np.asarray(k) - 1


@pytest.fixture(scope="module")
def fin_inputs(tmp_path_factory):
    return write_inputs(tmp_path_factory.mktemp("fin") / "inputs", FIN_PLAN, {"p": FIN_PHASE}, horizon_years=HORIZON_YEARS)


def run_hand(folder, **overrides):
    return finmodel.run(inputs_dir=folder, overrides={**NO_DEBT, **overrides})


def test_hand_case_schedule_is_as_described(fin_inputs):
    """The premises of every hand calculation below (capex, EBITDA, completion month)."""
    v = rows(run_hand(fin_inputs))
    np.testing.assert_allclose(v["capex_works"], [WORKS_BASE.get(p, 0.0) for p in range(1, PERIODS + 1)], rtol=1e-12)
    np.testing.assert_allclose(v["capex_it"], [IT_BASE.get(p, 0.0) for p in range(1, PERIODS + 1)], rtol=1e-12)
    np.testing.assert_allclose(v["ebitda"], EBITDA, rtol=1e-12)
    assert EBITDA[2] == pytest.approx(9_300) and EBITDA[3] == pytest.approx(18_000)
    np.testing.assert_array_equal(v["completion_marker"], np.eye(PERIODS)[COMPLETION - 1])
    np.testing.assert_array_equal(v["draw_flag"], np.r_[np.ones(COMPLETION), np.zeros(PERIODS - COMPLETION)])


# --- repayment profiles against numpy-financial -------------------------------------------

def d0_by_hand(tranche: str, share: float) -> float:
    """Draws (share x capex base) grown to completion at the tranche's monthly rate.

    GPU loans and vendor financing: share x (500,000 x (1 + r) + 500,000) (March draw, one month of interest).
    Senior: share x (250,000 (1 + r)^3 + 250,000 (1 + r)^2 + 500,000 (1 + r)).
    """
    r = monthly(ANNUAL_RATE[tranche])
    return share * sum(amount * (1 + r) ** (COMPLETION - p) for p, amount in BASE[tranche].items())


@pytest.mark.parametrize("tranche", ["vendor", "senior"])
def test_balance_at_completion_by_hand(fin_inputs, tranche):
    share, r = 0.8, monthly(ANNUAL_RATE[tranche])
    v = rows(run_hand(fin_inputs, **{f"{tranche}_share": share, f"{tranche}_profile": 1, f"{tranche}_tenor_months": 24}))
    d0 = d0_by_hand(tranche, share)
    if tranche == "vendor":  # 0.8 x (500,000 x 1.08 ^ (1/12) + 500,000) = 0.8 x (503,217.01 + 500,000)
        assert d0 == pytest.approx(802_573.61, abs=0.01)
    assert v[f"{tranche}_at_completion"][0] == pytest.approx(d0, rel=1e-12)
    assert v[f"{tranche}_balance"][COMPLETION - 1] == pytest.approx(d0, rel=1e-12)
    # draws are share x base in the drawdown months; IDC = r x opening balance while drawing
    base = np.array([BASE[tranche].get(p, 0.0) for p in range(1, PERIODS + 1)])
    np.testing.assert_allclose(v[f"{tranche}_draws"], share * base, rtol=1e-12)
    assert v[f"{tranche}_draws"].sum() + v[f"{tranche}_idc"].sum() == pytest.approx(d0, rel=1e-12)
    np.testing.assert_allclose(v[f"{tranche}_idc"][1:COMPLETION], r * v[f"{tranche}_balance"][:COMPLETION - 1], rtol=1e-12)


@pytest.mark.parametrize("tranche", ["vendor", "senior"])
@pytest.mark.parametrize("tenor", [1, 24, 36])
def test_annuity_matches_numpy_financial(fin_inputs, tranche, tenor):
    share, r = 0.8, monthly(ANNUAL_RATE[tranche])
    v = rows(run_hand(fin_inputs, **{f"{tranche}_share": share, f"{tranche}_profile": 1, f"{tranche}_tenor_months": tenor}))
    d0 = d0_by_hand(tranche, share)
    k = np.arange(1, tenor + 1)
    idx = repay_index(k)
    interest, principal = v[f"{tranche}_interest"][idx], v[f"{tranche}_principal"][idx]
    np.testing.assert_allclose(interest, -npf.ipmt(r, k, tenor, d0), rtol=1e-9)
    np.testing.assert_allclose(principal, -npf.ppmt(r, k, tenor, d0), rtol=1e-9)
    np.testing.assert_allclose(interest + principal, -npf.pmt(r, tenor, d0), rtol=1e-9)
    assert principal.sum() == pytest.approx(d0, rel=1e-12)
    # nothing is paid before completion or after the tenor; the loan is gone after it
    after = repay_index(tenor) + 1
    assert np.all(v[f"{tranche}_interest"][:COMPLETION] == 0) and np.all(v[f"{tranche}_principal"][:COMPLETION] == 0)
    assert np.all(np.abs(v[f"{tranche}_balance"][after:]) <= 1e-6)
    assert np.all(v[f"{tranche}_debt_service"][after:] == 0)


@pytest.mark.parametrize("tranche", ["vendor", "senior"])
def test_straight_line_repays_d0_over_tenor(fin_inputs, tranche):
    share, tenor, r = 0.6, 30, monthly(ANNUAL_RATE[tranche])
    v = rows(run_hand(fin_inputs, **{f"{tranche}_share": share, f"{tranche}_profile": 2, f"{tranche}_tenor_months": tenor}))
    d0 = d0_by_hand(tranche, share)
    k = np.arange(1, tenor + 1)
    idx = repay_index(k)
    np.testing.assert_allclose(v[f"{tranche}_principal"][idx], d0 / tenor, rtol=1e-9)
    # interest on the opening balance D0 x (1 - (k - 1) / tenor)
    np.testing.assert_allclose(v[f"{tranche}_interest"][idx], r * d0 * (1 - (k - 1) / tenor), rtol=1e-9)
    assert np.all(np.abs(v[f"{tranche}_balance"][repay_index(tenor):]) <= 1e-6)


def test_tenor_beyond_horizon_is_repaid_in_the_last_month(fin_inputs):
    # a 120-month annuity from May 2025 is cut by the horizon (Dec 2028, k = 44): the last month repays the rest
    share, tenor, r = 0.8, 120, monthly(0.08)
    v = rows(run_hand(fin_inputs, vendor_share=share, vendor_profile=1, vendor_tenor_months=tenor))
    d0 = d0_by_hand("vendor", share)
    k_last = PERIODS - COMPLETION
    k = np.arange(1, k_last)
    np.testing.assert_allclose(v["vendor_principal"][repay_index(k)], -npf.ppmt(r, k, tenor, d0), rtol=1e-9)
    # the last month: the scheduled principal plus what is still owed after it
    still_owed = -npf.fv(r, k_last - 1, npf.pmt(r, tenor, d0), d0)  # balance after month k_last - 1
    assert 0 < still_owed < d0
    assert v["vendor_principal"][-1] == pytest.approx(still_owed, rel=1e-9)
    assert v["vendor_interest"][-1] == pytest.approx(r * still_owed, rel=1e-9)
    assert v["vendor_balance"][-1] == 0


# --- sculpted repayment -------------------------------------------------------------------

SCULPT = dict(senior_share=0.9, senior_profile=3, senior_tenor_months=24, corporate_tax_rate=0.0)


def sculpted_capacity_by_hand(tenor=24, target=1.35, annual=ANNUAL_RATE["senior"]) -> float:
    """PV at completion of the debt service allowed, CFADS / target, in repayment months k = 1..tenor.

    CFADS = EBITDA = 25 x hours (no tax, no working capital); e.g. May 2025: 25 x 744 / 1.35 = 13,777.78.
    """
    r = monthly(annual)
    k = np.arange(1, tenor + 1)
    return float(np.sum(EBITDA[repay_index(k)] / target * (1 + r) ** -k))


def test_sculpted_senior_debt_keeps_dscr_at_target(fin_inputs):
    v = rows(run_hand(fin_inputs, **SCULPT))
    r, tenor, target = monthly(0.05), 24, 1.35
    capacity = sculpted_capacity_by_hand()
    # 0.9 x works grown to completion (about EUR 0.9 M) is far above the capacity (about 24 x 13,500 = 0.32 M): it binds
    assert 0.3e6 < capacity < 0.35e6 < 0.9 * d0_by_hand("senior", 1.0)
    assert v["senior_capacity"][0] == pytest.approx(capacity, rel=1e-12)
    assert v["senior_at_completion"][0] == pytest.approx(capacity, rel=1e-12)
    assert v["senior_share_used"][0] == pytest.approx(capacity / d0_by_hand("senior", 1.0), rel=1e-12)
    k = np.arange(1, tenor + 1)
    idx = repay_index(k)
    # every repayment month: debt service = CFADS / target, so DSCR = target
    np.testing.assert_allclose(v["dscr"][idx], target, rtol=1e-9)
    np.testing.assert_allclose(v["debt_service"][idx], EBITDA[idx] / target, rtol=1e-9)
    np.testing.assert_allclose(v["senior_interest"][idx], r * v["senior_balance"][idx - 1], rtol=1e-12)
    assert np.all(v["senior_principal"] >= 0)
    # repaid in the tenor: the balance is (numerically) 0 after it
    assert np.all(np.abs(v["senior_balance"][repay_index(tenor):]) <= 1e-6)
    assert v["min_dscr"][0] == pytest.approx(target, rel=1e-9)


def test_sculpted_tranche_after_an_annuity_keeps_phase_dscr_at_target(fin_inputs):
    # vendor financing (annuity) is served first; senior debt gets CFADS / 1.35 - vendor debt service
    v = rows(run_hand(fin_inputs, vendor_share=0.1, vendor_profile=1, vendor_tenor_months=24, **SCULPT))
    r_vendor, r_sen, tenor = monthly(0.08), monthly(0.05), 24
    d0_vendor = d0_by_hand("vendor", 0.1)
    k = np.arange(1, tenor + 1)
    idx = repay_index(k)
    vendor_service = -npf.pmt(r_vendor, tenor, d0_vendor)
    np.testing.assert_allclose(v["vendor_debt_service"][idx], vendor_service, rtol=1e-9)
    capacity = float(np.sum((EBITDA[idx] / 1.35 - vendor_service) * (1 + r_sen) ** -k))
    assert v["senior_at_completion"][0] == pytest.approx(capacity, rel=1e-9)
    np.testing.assert_allclose(v["dscr"][idx], 1.35, rtol=1e-9)
    assert np.all(np.abs(v["senior_balance"][repay_index(tenor):]) <= 1e-6)


def test_sculpting_leaves_out_the_last_month_s_balloon(fin_inputs):
    # vendor financing over 120 months is cut by the horizon: its last month (k = 44) repays the rest out of the
    # residual value. A senior loan sculpted over 60 months (also cut) is sized on k = 1 .. 43 only:
    # capacity = sum over k of (CFADS / 1.35 - the vendor annuity) x (1 + r) ^ -k, the balloon left out
    v = rows(run_hand(fin_inputs, vendor_share=0.1, vendor_profile=1, vendor_tenor_months=120,
                      **{**SCULPT, "senior_tenor_months": 60}))
    r_vendor, r_sen = monthly(0.08), monthly(0.05)
    k = np.arange(1, PERIODS - COMPLETION)
    vendor_service = -npf.pmt(r_vendor, 120, d0_by_hand("vendor", 0.1))
    np.testing.assert_allclose(v["vendor_debt_service"][repay_index(k)], vendor_service, rtol=1e-9)
    assert v["vendor_debt_service"][-1] > 10 * vendor_service  # the balloon
    capacity = float(np.sum((EBITDA[repay_index(k)] / 1.35 - vendor_service) * (1 + r_sen) ** -k))
    assert v["senior_at_completion"][0] == pytest.approx(capacity, rel=1e-9)


def test_sculpted_loan_life_ends_with_its_tenor(fin_inputs):
    # base_rate 0: senior rate 2 %; with these inputs the last sculpted payment leaves a rounding crumb
    v = rows(run_hand(fin_inputs, base_rate=0.0, **SCULPT))
    tenor = 24
    after = slice(repay_index(tenor) + 1, PERIODS - 1)
    assert np.all(v["has_debt_service"][after] == 0)
    assert v["covenant_tests"][0] == tenor  # dscr_test_period_months = 1: a test in every month with debt service
    assert v["avg_dscr"][0] == pytest.approx(1.35, rel=1e-9)
    # one tranche: PV at its rate of CFADS over the loan life = target x PV of the debt service = target x D0
    assert v["llcr"][0] == pytest.approx(1.35, rel=1e-9)


@pytest.mark.parametrize("price", [0.0, 1.5])
def test_sculpted_debt_has_no_capacity_without_cash_flow(fin_inputs, price):
    # price 0: EBITDA = -75 h (electricity only); price 1.5: EBITDA = (75 - 75) h = 0. Capacity max(0, PV) = 0
    v = rows(run_hand(fin_inputs, **SCULPT, **{"g1.gpu_hour_price_usd": price}))
    assert np.all(v["cfads"][COMPLETION:] <= 0)
    assert v["senior_capacity"][0] == 0
    assert v["senior_share_used"][0] == 0
    assert np.all(v["senior_draws"] == 0) and np.all(v["senior_balance"] == 0)
    assert np.all(v["senior_principal"] >= 0)
    assert np.all(v["debt_service"] == 0)
    assert v["has_debt"][0] == 0 and v["min_dscr"][0] == 10  # no debt: a number (dscr_cap) and a flag, no error
    # all equity: equity pays the EUR 2 M of capex less EBITDA (50 x price - 75) x hours, half of it in March;
    # price 0: 2,000,000 + 75 x (0.5 x 744 + 720) = 2,081,900; price 1.5: 2,000,000
    expected = 2_000_000 - (50 * price - 75) * (0.5 * 744 + 720)
    assert v["equity_in"][:COMPLETION].sum() == pytest.approx(expected, rel=1e-12)


# --- covenant and lock-up -----------------------------------------------------------------

def test_covenant_breach_locks_up_cash(fin_inputs):
    # sculpted to DSCR 1.05, below the 1.1 covenant: every repayment month is a breach. CFADS - debt service
    # = CFADS x (1 - 1/1.05) > 0 stays in the company; equity pays nothing in and receives nothing.
    # all equity as a shareholder loan at 0 %: what is released repays it (dividends would need retained earnings)
    v = rows(run_hand(fin_inputs, **{**SCULPT, "dscr_target": 1.05, "dscr_covenant": 1.1, "shareholder_loan_share": 1.0}))
    tenor = 24
    idx = repay_index(np.arange(1, tenor + 1))
    np.testing.assert_array_equal(v["breach"][idx], 1)
    np.testing.assert_array_equal(v["lock_up"][idx], 1)
    assert v["breach_months"][0] == tenor
    assert np.all(v["distributions"][idx] == 0) and np.all(v["equity_in"][idx] == 0)
    # at completion (April) cash is 0: the April flow 18,000 - 500,000 of GPUs is paid in by equity
    assert v["cash"][COMPLETION - 1] == 0
    expected_cash = np.cumsum(EBITDA[idx] * (1 - 1 / 1.05))
    np.testing.assert_allclose(v["cash"][idx], expected_cash, rtol=1e-9)
    # k = 25: no debt service, no breach: the cash is released with the month's CFADS
    nxt = repay_index(tenor + 1)
    assert v["lock_up"][nxt] == 0 and v["cash"][nxt] == 0
    assert v["shl_payment"][nxt] == pytest.approx(expected_cash[-1] + EBITDA[nxt], rel=1e-9)
    assert v["distributions"][nxt] == 0


def test_covenant_breach_with_cash_shortfall(fin_inputs):
    # annuity vendor financing of 0.8 x IT capex over 24 months: debt service -pmt(r, 24, D0) = about 36,200 a month,
    # twice the CFADS (about 18,000): a breach every repayment month; equity pays the difference, gets nothing
    share, tenor, r = 0.8, 24, monthly(0.08)
    v = rows(run_hand(fin_inputs, vendor_share=share, vendor_profile=1, vendor_tenor_months=tenor))
    service = -npf.pmt(r, tenor, d0_by_hand("vendor", share))
    idx = repay_index(np.arange(1, tenor + 1))
    np.testing.assert_array_equal(v["breach"][idx], 1)
    assert np.all(v["distributions"][idx] == 0)
    np.testing.assert_allclose(v["equity_in"][idx], service - EBITDA[idx], rtol=1e-9)
    assert np.all(v["cash"][idx] == 0)
    np.testing.assert_allclose(v["dscr"][idx], EBITDA[idx] / service, rtol=1e-9)
    # covenant basis (a test every month): CFADS / debt service over the repayment months of the last 12
    ltm = [EBITDA[idx][max(0, j - 11):j + 1].sum() / (service * (j + 1 - max(0, j - 11))) for j in range(tenor)]
    assert v["min_dscr"][0] == pytest.approx(min(ltm), rel=1e-9)
    np.testing.assert_allclose(v["covenant_dscr"][idx], ltm, rtol=1e-9)


# --- all equity ---------------------------------------------------------------------------

def test_all_equity_hand_case_sources_uses_and_peak_funding(fin_inputs):
    res = run_hand(fin_inputs)
    # equity pays in: Jan 250,000; Feb 250,000; Mar 1,000,000 - 9,300 = 990,700; Apr 500,000 - 18,000 = 482,000
    # -> 1,972,700 at completion, the peak (distributions of 25 h a month start in May)
    su = res.sources_uses["p"]
    assert su[("Uses", "Total uses")] == pytest.approx(2_000_000, rel=1e-12)
    assert su[("Sources", "Equity: share capital")] == pytest.approx(1_972_700, rel=1e-12)
    assert su[("Sources", "Equity: shareholder loan")] == 0
    assert su[("Sources", "EBITDA during construction (first stage in service)")] == pytest.approx(27_300, rel=1e-12)
    assert su[("Sources", "Total sources")] == pytest.approx(2_000_000, rel=1e-12)
    assert res.summary.loc["p", "peak_funding_eur"] == pytest.approx(1_972_700, rel=1e-12)
    assert res.summary.loc["p", "peak_funding_month"] == "2025-04"
    assert np.isnan(res.summary.loc["p", "min_dscr"])


@pytest.fixture(scope="module")
def no_debt():
    return finmodel.run("no_debt")


def test_no_debt_equity_returns_equal_project_returns():
    # identity: no debt and all equity as a 0 % shareholder loan, so every euro available goes back as it comes
    # (with share capital, dividends wait for profits: the cash held differs, see test_distributions)
    res = finmodel.run("no_debt", overrides={"shareholder_loan_share": 1.0, "shareholder_loan_rate": 0.0})
    for e in res.entities:
        v = rows(res, e)
        scale = np.abs(v["fcf"]).max()
        assert v["debt_commitment"][0] == 0 and np.all(v["debt_balance"] == 0) and np.all(v["grants"] == 0)
        np.testing.assert_allclose(v["equity_cash_flow"], v["fcf"], rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(np.cumsum(v["equity_cash_flow"]), v["fcf_cum"], rtol=0, atol=1e-12 * scale * len(v["fcf"]))
        assert np.all(v["cash"] == 0)
        if e != "total":  # flags are not consolidated
            assert np.all(v["lock_up"] == 0)
        assert res.summary.loc[e, "equity_irr"] == pytest.approx(res.summary.loc[e, "irr"], rel=1e-9, abs=1e-12)
        assert np.isnan(res.summary.loc[e, "min_dscr"])
        # no interest: the company's tax is the project's tax
        np.testing.assert_allclose(v["tax_levered"], v["tax"], rtol=0, atol=1e-12 * scale)


# --- balance sheet, cash and sources = uses -------------------------------------------------

EVERYTHING = dict(  # all three tranches, fees, a reserve, working capital, grants, tax; EUR 3/GPU-h
    gpu_debt_share=0.3, gpu_debt_profile=1, gpu_debt_tenor_months=24, gpu_debt_fee=0.02,
    vendor_share=0.1, vendor_profile=2, vendor_tenor_months=12, vendor_fee=0.01,
    senior_share=0.6, senior_profile=3, senior_tenor_months=30, senior_fee=0.015,
    grant_share=0.2, dsra_months=3, working_capital_months=1, corporate_tax_rate=0.25,
    loss_cap_threshold_eur=10_000, interest_cap_floor_eur=5_000, **{"g1.gpu_hour_price_usd": 3.0},
)


@pytest.mark.parametrize("overrides", [
    EVERYTHING,
    {**EVERYTHING, "g1.gpu_hour_price_usd": 1.6},  # thin: covenant breaches, equity pays debt service
    {**EVERYTHING, "senior_profile": 1},
    {},  # all equity
], ids=["everything", "thin", "annuity", "all-equity"])
def test_hand_case_balance_sheet_balances(fin_inputs, overrides):
    res = run_hand(fin_inputs, **overrides)
    v = rows(res)
    if overrides:
        assert v["debt_commitment"][0] > 0 and v["grants"].sum() > 0 and v["dsra"].max() > 0
    if overrides is EVERYTHING:  # every tranche draws; tax is owed after year end and paid ahead by instalments
        assert v["gpu_debt_draws"].sum() > 0 and min(v[f"{t}_share_used"][0] for t in ("vendor", "senior")) > 0
        assert v["levered_tax_payable"].max() > 0 > v["levered_tax_payable"].min()
    if overrides.get("g1.gpu_hour_price_usd") == 1.6:  # covenant tests fail: cash is locked up
        assert v["breach_months"][0] > 0 and v["cash"].max() > 0
    assert np.all(np.abs(v["balance_check"]) <= 1e-6)
    assert np.all(np.abs(v["cash_check"]) <= 1e-6)
    su = res.sources_uses["p"]
    assert su[("Sources", "Total sources")] == pytest.approx(su[("Uses", "Total uses")], abs=1e-6)
    # the company is wound up in the last month: assets sold, debt repaid, all cash distributed
    assert v["total_assets"][-1] == pytest.approx(0, abs=1e-6) and v["debt_balance"][-1] == 0


def test_hand_case_statements_add_up(fin_inputs):
    res = run_hand(fin_inputs, **EVERYTHING)
    v = rows(res)
    # net income = EBIT - interest paid - IDC - fees - levered tax
    np.testing.assert_allclose(v["net_income"], v["ebit"] - v["debt_interest"] - v["debt_idc"] - v["debt_fees"]
                               - v["tax_levered"], rtol=0, atol=1e-9)
    # retained earnings at the end = total net income - total distributions
    assert v["retained_earnings"][-1] == pytest.approx(v["net_income"].sum() - v["distributions"].sum(), abs=1e-6)
    # debt: draws + IDC = principal over the horizon
    assert v["debt_draws"].sum() + v["debt_idc"].sum() == pytest.approx(v["debt_principal"].sum(), rel=1e-12)


_RUNS: dict = {}


def default_run(key):
    if key not in _RUNS:
        _RUNS[key] = {"default": lambda: finmodel.run(), "no_debt": lambda: finmodel.run("no_debt"),
                      "grants": lambda: finmodel.run(overrides={"grant_share": 0.2})}[key]()
    return _RUNS[key]


BS_ROWS = ("fixed_assets", "working_capital", "dsra", "cash", "debt_balance", "shareholder_loan", "share_capital",
           "grants_equity", "retained_earnings")


@pytest.mark.parametrize("key", ["default", "no_debt", "grants"])
def test_balance_sheet_balances_every_month(key):
    res = default_run(key)
    if key == "grants":
        assert all(rows(res, e)["grants"].sum() > 0 for e in res.inputs.phases)
    for e in res.entities:
        v = rows(res, e)
        # float64 resolves about 2e-16 of a number; the balance sheet runs to EUR 1e11 and its rows are running
        # totals over 192 months, so 0 is out of reach. Tolerance: 1e-14 x the gross balance sheet (the sum of the
        # absolute values of its rows, EUR ~1e11: a few 1e-3 EUR), some 45 units of rounding; an error of one
        # euro would be 1,000 times that.
        gross = sum(np.abs(v[r]) for r in BS_ROWS).max()
        assert gross > 1e8
        assert np.all(np.abs(v["balance_check"]) <= 1e-14 * gross), e
        assert np.all(np.abs(v["cash_check"]) <= 1e-14 * gross), e


@pytest.mark.parametrize("key", ["default", "no_debt", "grants"])
def test_sources_equal_uses(key):
    res = default_run(key)
    su = res.sources_uses
    for e in res.entities:
        uses, sources = su.loc[("Uses", "Total uses"), e], su.loc[("Sources", "Total sources"), e]
        assert uses > 0
        assert sources == pytest.approx(uses, rel=1e-12), e
        # the totals are the sums of their lines
        assert su.loc["Uses", e].drop("Total uses").sum() == pytest.approx(uses, rel=1e-12)
        assert su.loc["Sources", e].drop("Total sources").sum() == pytest.approx(sources, rel=1e-12)
    phases = res.inputs.phases
    np.testing.assert_allclose(su[list(phases)].sum(axis=1), su["total"], rtol=1e-12)
    if key == "grants":
        # grants: 0.2 x building works during construction (all works are built before full service)
        for e in phases:
            v = rows(res, e)
            assert su.loc[("Sources", "Public grants"), e] == pytest.approx(0.2 * v["capex_works"].sum(), rel=1e-12)


# --- summary and consolidation ------------------------------------------------------------

def test_summary_has_financing_columns():
    res = default_run("default")
    s = res.summary
    assert list(s.index) == res.entities
    for col, unit in [("equity_irr", "1/yr"), ("min_dscr", "-"), ("peak_funding_eur", "EUR")]:
        assert col in s.columns and s.attrs["units"][col] == unit
        assert np.all(np.isfinite(s[col].astype(float)))
    for e in res.entities:
        v = rows(res, e)
        # peak funding = max over months of debt outstanding + equity paid in - dividends - shareholder-loan payments
        # + grants, to date
        funding = v["debt_balance"] + np.cumsum(v["equity_in"] - v["distributions"] - v["shl_payment"] + v["grants"])
        assert s.loc[e, "peak_funding_eur"] == pytest.approx(funding.max(), rel=1e-12)
        # the equity IRR is a root: the equity cash flow's NPV at it is 0 (to rounding of its gross flows)
        ecf = v["equity_cash_flow"]
        m = (1 + s.loc[e, "equity_irr"]) ** (1 / 12) - 1
        npv = np.sum(ecf / (1 + m) ** np.arange(len(ecf)))
        assert abs(npv) <= 1e-9 * np.abs(ecf).sum(), e


def test_equity_irr_matches_numpy_financial(fin_inputs):
    # sculpted senior debt at DSCR 1.35: equity pays in Jan-Apr, receives from May: one sign change
    res = run_hand(fin_inputs, **SCULPT)
    ecf = rows(res)["equity_cash_flow"]
    assert int(sign_changes(ecf).reshape(-1)[0]) == 1
    assert res.summary.loc["p", "equity_irr"] == pytest.approx((1 + npf.irr(ecf)) ** 12 - 1, abs=1e-6)
    # the all-equity total of the shipped inputs: numpy-financial finds the same root of the equity cash flow
    # (contributions out, shareholder-loan payments and dividends in)
    nd = default_run("no_debt")
    ecf = rows(nd, "total")["equity_cash_flow"]
    assert nd.summary.loc["total", "equity_irr"] == pytest.approx((1 + npf.irr(ecf)) ** 12 - 1, abs=1e-6)


@pytest.mark.parametrize("key", ["default", "grants"])
@pytest.mark.parametrize("item", ["debt_balance", "equity_in", "distributions", "net_income", "grants", "debt_service"])
def test_consolidated_total_is_sum_of_phases(key, item):
    res = default_run(key)
    total = rows(res, "total")[item]
    summed = sum(rows(res, p)[item] for p in res.inputs.phases)
    scale = max(np.abs(summed).max(), 1.0)
    np.testing.assert_allclose(total, summed, rtol=0, atol=1e-12 * scale)

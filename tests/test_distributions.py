"""Lawful distributions: share capital and a shareholder loan, dividends only out of retained earnings.

The hand case is test_financing's (one phase, 4 years, EUR 2 M of capex, EBITDA 25 x hours a month from
April 2025) without debt and without tax. Its figures, worked out by hand:

- equity pays in 250,000 (Jan), 250,000 (Feb), 1,000,000 - 9,300 = 990,700 (Mar), 500,000 - 18,000 =
  482,000 (Apr): 1,972,700;
- depreciation: every asset over 10 years, 1,000,000 / 120 = 8,333.33 in March (stage 1's half),
  2,000,000 / 120 = 16,666.67 a month from April; so net income is 9,300 - 8,333.33 = 966.67 (Mar),
  18,000 - 16,666.67 = 1,333.33 (Apr), 18,600 - 16,666.67 = 1,933.33 (May) and EBITDA - 16,666.67 after;
- the assets are sold in the last month at book value 2,000,000 - 8,333.33 - 45 x 16,666.67 = 1,241,666.67.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

import finmodel
from test_financing import COMPLETION, EBITDA, PERIODS, fin_inputs, monthly, rows, run_hand  # noqa: F401
from test_validation import hand, in_file, one_problem

CONTRIBUTIONS = np.r_[250_000.0, 250_000.0, 990_700.0, 482_000.0, np.zeros(PERIODS - COMPLETION)]
DEPRECIATION = np.r_[0.0, 0.0, 1e6 / 120, np.full(PERIODS - 3, 2e6 / 120)]
RESIDUAL = 2e6 - 1e6 / 120 - 45 * 2e6 / 120
MAY = COMPLETION  # index of May 2025, the first month after completion


def annual(monthly_rate: float) -> float:
    return (1 + monthly_rate) ** 12 - 1


def test_hand_premises(fin_inputs):
    v = rows(run_hand(fin_inputs))
    np.testing.assert_allclose(v["equity_in"], CONTRIBUTIONS, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(v["depreciation"], DEPRECIATION, rtol=1e-12)
    assert RESIDUAL == pytest.approx(1_241_666.67, abs=0.01)


def test_share_capital_only_dividends_are_limited_to_retained_earnings(fin_inputs):
    # all share capital: May pays out the net income to date, 966.67 + 1,333.33 + 1,933.33 = 4,233.33, and keeps
    # 18,600 - 4,233.33 = 14,366.67; from June each month pays its net income (EBITDA - 16,666.67) and keeps
    # 16,666.67 more; the last month pays out everything (liquidation)
    v = rows(run_hand(fin_inputs, shareholder_loan_share=0.0))
    net_income = EBITDA - DEPRECIATION
    may, kept, month = 966.67 + 1_333.33 + 1_933.33, 18_600 - 4_233.33, 2e6 / 120
    assert v["distributions"][MAY] == pytest.approx(may, abs=0.01)
    assert v["cash"][MAY] == pytest.approx(kept, abs=0.01)
    months = np.arange(MAY + 1, PERIODS - 1)
    np.testing.assert_allclose(v["distributions"][months], net_income[months], rtol=1e-9)
    np.testing.assert_allclose(v["cash"][months], kept + month * (months - MAY), atol=0.01)
    liquidation = kept + month * (PERIODS - 2 - MAY) + EBITDA[-1] + RESIDUAL
    assert v["distributions"][-1] == pytest.approx(liquidation, abs=0.01)
    assert np.all(v["retained_earnings"][:-1] >= -1e-9) and v["distributions_unlawful"].sum() == 0
    assert np.all(v["shareholder_loan"] == 0) and np.all(v["shl_payment"] == 0)
    # the equity IRR is that of these flows (numpy-financial), below the project IRR: cash waits in the company
    flows = -CONTRIBUTIONS + np.r_[np.zeros(MAY), may, net_income[MAY + 1:PERIODS - 1], liquidation]
    assert v["equity_irr"][0] == pytest.approx(annual(npf.irr(flows)), abs=1e-6)
    assert v["equity_irr"][0] < v["irr_annual"][0] - 1e-3


def test_losses_stop_dividends_until_liquidation(fin_inputs):
    # EUR 1.8/GPU-h: EBITDA = (100 x 0.5 x 1.8 - 75) h = 15 h < 16,666.67 of depreciation: net income < 0 every
    # month, so no dividend before the last month; all the cash waits in the company
    v = rows(run_hand(fin_inputs, shareholder_loan_share=0.0, **{"g1.gpu_hour_price_usd": 1.8}))
    assert np.all(v["distributions"][:-1] == 0)
    assert np.all(np.diff(v["retained_earnings"][2:-1]) < 0)
    ebitda = EBITDA * 15 / 25
    np.testing.assert_allclose(v["cash"][MAY:-1], np.cumsum(ebitda[MAY:-1]), rtol=1e-9)
    assert v["distributions"][-1] == pytest.approx(ebitda[MAY:].sum() + RESIDUAL, rel=1e-9)


def test_shareholder_loan_is_repaid_before_any_dividend(fin_inputs):
    # half shareholder loan at 0 %: 0.5 x 1,972,700 = 986,350 lent; retained earnings are positive (966.67 in
    # March, net income > 0 every month), yet every euro available repays the loan first: May repays 18,600,
    # leaving 967,750; EBITDA to the last-but-one month (about 790,000) never repays it all, so no dividend
    v = rows(run_hand(fin_inputs, shareholder_loan_share=0.5, shareholder_loan_rate=0.0))
    np.testing.assert_allclose(v["shl_draws"], 0.5 * CONTRIBUTIONS, rtol=1e-12)
    assert v["shareholder_loan"][COMPLETION - 1] == pytest.approx(986_350, rel=1e-12)
    assert v["shl_payment"][MAY] == pytest.approx(18_600, rel=1e-12)
    assert v["shareholder_loan"][MAY] == pytest.approx(967_750, rel=1e-12)
    np.testing.assert_allclose(v["shl_payment"][MAY:-1], EBITDA[MAY:-1], rtol=1e-12)
    assert np.all(v["retained_earnings"][2:-1] > 0) and np.all(v["distributions"][:-1] == 0)
    assert np.all(v["cash"] == 0)
    # the last month repays the rest of the loan, then pays the liquidation surplus as a dividend
    rest = 986_350 - EBITDA[MAY:-1].sum()
    assert v["shl_payment"][-1] == pytest.approx(rest, rel=1e-9)
    assert v["distributions"][-1] == pytest.approx(EBITDA[-1] + RESIDUAL - rest, rel=1e-9)


def test_shareholder_loan_interest_rolls_up_and_is_paid_first(fin_inputs):
    # all shareholder loan at 12 %/yr: r = 1.12^(1/12) - 1; balances B1 = 250,000, B2 = B1 (1 + r) + 250,000,
    # B3 = B2 (1 + r) + 990,700, B4 = B3 (1 + r) + 482,000; interest r x previous balance from February.
    # May's 18,600 pays interest only (about 40,000 accrued by then); retained earnings = net income - interest
    # go negative, so no dividend
    r = monthly(0.12)
    v = rows(run_hand(fin_inputs, shareholder_loan_share=1.0, shareholder_loan_rate=0.12))
    b = [250_000.0]
    for amount in (250_000.0, 990_700.0, 482_000.0):
        b.append(b[-1] * (1 + r) + amount)
    np.testing.assert_allclose(v["shareholder_loan"][:COMPLETION], b, rtol=1e-12)
    np.testing.assert_allclose(v["shl_interest"][1:COMPLETION + 1], r * np.array(b), rtol=1e-12)
    accrued = r * sum(b)
    assert accrued > 18_600
    assert v["shl_interest_paid"][MAY] == pytest.approx(18_600, rel=1e-12) and v["shl_principal_repaid"][MAY] == 0
    assert v["shl_interest_unpaid"][MAY] == pytest.approx(accrued - 18_600, rel=1e-9)
    assert v["shareholder_loan"][MAY] == pytest.approx(b[-1] * (1 + r) - 18_600, rel=1e-12)
    net_income = EBITDA - DEPRECIATION
    assert v["retained_earnings"][MAY] == pytest.approx(net_income[:MAY + 1].sum() - accrued, rel=1e-9)
    assert np.all(v["distributions"][:-1] == 0)
    assert np.all(np.abs(v["balance_check"]) <= 1e-6) and np.all(np.abs(v["cash_check"]) <= 1e-6)


def test_shareholder_loan_at_zero_rate_without_debt_gives_the_project_irr(fin_inputs):
    # identity: all equity as a 0 % shareholder loan and no debt: every euro of free cash flow repays the loan
    # (cumulative net income never limits it), the last month's surplus is a dividend; so the equity cash flow
    # is the free cash flow and the equity IRR is the project IRR
    v = rows(run_hand(fin_inputs, shareholder_loan_share=1.0, shareholder_loan_rate=0.0))
    np.testing.assert_allclose(v["equity_cash_flow"], v["fcf"], rtol=1e-12, atol=1e-6)
    assert v["equity_irr"][0] == pytest.approx(v["irr_annual"][0], abs=1e-12)


def test_shareholder_loan_interest_is_not_deducted_for_tax(fin_inputs):
    # the stated simplification: the company's tax is the same whatever share of equity is a shareholder loan
    taxed = dict(corporate_tax_rate=0.25, shareholder_loan_rate=0.12)
    a = rows(run_hand(fin_inputs, shareholder_loan_share=0.0, **taxed))
    b = rows(run_hand(fin_inputs, shareholder_loan_share=1.0, **taxed))
    assert a["tax_levered"].sum() > 0
    np.testing.assert_array_equal(a["tax_levered"], b["tax_levered"])
    assert b["shl_interest"].sum() > 0
    np.testing.assert_allclose(b["net_income"], a["net_income"] - b["shl_interest"], rtol=1e-12, atol=1e-6)


@pytest.fixture(scope="module")
def default_run():
    return finmodel.run()


def test_default_pays_no_dividend_out_of_losses(default_run):
    for e in default_run.inputs.phases:
        v = rows(default_run, e)
        gross = np.abs(v["total_assets"]).max()
        # retained earnings go negative with the losses, but no month that ends below 0 pays a dividend
        paying = (v["distributions"] > 0) & (np.arange(len(v["distributions"])) < len(v["distributions"]) - 1)
        assert np.all(v["retained_earnings"][paying] >= -1e-12 * gross), e
        assert v["distributions_unlawful"].sum() == 0, e
        assert np.all(np.abs(v["balance_check"]) <= 1e-14 * 10 * gross) and np.all(np.abs(v["cash_check"]) <= 1e-14 * 10 * gross)
        # equity IRR: the root of contributions out, shareholder-loan payments and dividends in
        flows = v["distributions"] + v["shl_payment"] - v["equity_in"]
        np.testing.assert_allclose(v["equity_cash_flow"], flows, rtol=1e-12, atol=1e-3)


@pytest.mark.parametrize("value", [1.2, -0.1])
def test_shareholder_loan_share_outside_zero_one(tmp_path, value):
    p = one_problem(hand(tmp_path, plan={"shareholder_loan_share": value}))
    assert in_file(p, "plan.toml") and p.field == "inputs.shareholder_loan_share"
    assert str(value) in p.message and ">= 0" in p.message and "<= 1" in p.message


def test_sources_and_uses_over_the_horizon_by_hand(fin_inputs):
    # all share capital, no debt, no tax: in come 1,972,700 of capital, the EBITDA and the assets sold at
    # 1,241,666.67; out go EUR 2 M of capex and the dividends, which pay out everything earned after completion
    # (EBITDA from May on) and the sale: sum(EBITDA) - 9,300 - 18,000 + 1,241,666.67
    res = run_hand(fin_inputs, shareholder_loan_share=0.0)
    su = res.sources_uses_horizon["p"]
    ebitda = EBITDA.sum()
    dividends = ebitda - 27_300 + RESIDUAL
    assert su[("Sources", "Equity paid in: share capital")] == pytest.approx(1_972_700, rel=1e-12)
    assert su[("Sources", "Equity paid in: shareholder loan")] == 0
    assert su[("Sources", "EBITDA")] == pytest.approx(ebitda, rel=1e-12)
    assert su[("Sources", "Residual value (assets sold at book value)")] == pytest.approx(RESIDUAL, rel=1e-12)
    assert su[("Uses", "Dividends (with the liquidation surplus)")] == pytest.approx(dividends, rel=1e-9)
    capex = sum(su[("Uses", line)] for line in ("GPU servers, first purchase", "Networking and storage",
                                                  "Facility (shell, electrical, cooling, heat reuse)",
                                                  "Grid connection and site remediation"))
    assert capex == pytest.approx(2_000_000, rel=1e-12)
    total = 1_972_700 + ebitda + RESIDUAL
    assert su[("Sources", "Total sources")] == pytest.approx(total, rel=1e-12)
    assert su[("Uses", "Total uses")] == pytest.approx(2_000_000 + dividends, rel=1e-12)
    assert su[("Uses", "Total uses")] == pytest.approx(total, rel=1e-12)
    assert res.scalar("p", "horizon_gap") == pytest.approx(0, abs=1e-6)

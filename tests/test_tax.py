"""French corporate tax, assessed once a year (finmodel/items/tax_rules.py).

The rules (inputs): tax = corporate_tax_rate x taxable profit, assessed on
the calendar year's profit in December and in the horizon's last month;

- losses carry forward without time limit, but a year's use of them is
  capped at loss_cap_threshold_eur (EUR 1 M) + loss_cap_share (50 %) of the
  profit above it;
- the company's (levered) profit deducts its financial expense only up to
  max(interest_cap_floor_eur (EUR 3 M), interest_cap_share (30 %) x EBITDA);
  the excess is carried forward and deducted in a later year within the cap
  that year's own expense leaves unused.

The tax rows are first evaluated on their own (a minimal Context holding
EBIT, EBITDA and financial expense by month) against tables worked out by
hand and a plain loop over years; then through the whole model, where the
model's own yearly EBIT feeds the same independent loop.
"""

from __future__ import annotations

import numpy as np
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs
from finmodel.registry import PHASE_ITEMS, Context

M = 1e6
FN = {it.name: it.fn for it in PHASE_ITEMS}
PROJECT_ROWS = ("ebitda_ytd", "ebit_ytd", "project_profit", "project_loss_pool", "project_loss_used", "project_taxable", "tax")
LEVERED_ROWS = ("fin_expense_ytd", "levered_interest_cap", "levered_interest_deductible", "levered_interest_carried",
                "levered_interest_carried_used", "levered_profit", "levered_loss_pool",
                "levered_loss_used", "levered_taxable", "tax_levered")
RULES = dict(corporate_tax_rate=0.25, loss_cap_threshold_eur=1 * M, loss_cap_share=0.5,
             interest_cap_floor_eur=3 * M, interest_cap_share=0.3)


# --- an independent implementation: a tax return, year by year ----------------------------

def tax_by_year(profits, rate=0.25, threshold=1 * M, share=0.5):
    """Tax, losses used and loss pool per year from the years' profits (before losses)."""
    pool, taxes, used_by_year, pools = 0.0, [], [], []
    for p in profits:
        if p <= 0:
            pool += -p
            used = 0.0
            taxable = 0.0
        else:
            cap = p if p <= threshold else threshold + share * (p - threshold)
            used = min(pool, cap)
            pool -= used
            taxable = p - used
        taxes.append(rate * taxable)
        used_by_year.append(used)
        pools.append(pool)
    return np.array(taxes), np.array(used_by_year), np.array(pools)


def deductible_by_year(fin_expense, ebitda, floor=3 * M, share=0.3):
    """Financial expense deducted each year: its own up to the cap max(floor, share x EBITDA), plus
    expense carried forward from earlier years up to the cap left unused; and the carried pool."""
    carried, deducted, pools = 0.0, [], []
    for f, e in zip(fin_expense, ebitda):
        cap = max(floor, share * e)
        own = min(f, cap)
        used = min(carried, cap - own)
        carried += f - own - used
        deducted.append(own + used)
        pools.append(carried)
    return np.array(deducted), np.array(pools)


# --- the tax rows on their own ---------------------------------------------------------------

def fiscal_calendar(first_month: int, periods: int) -> dict[str, np.ndarray]:
    """Time rows year_start / year_end for ``periods`` months from calendar month ``first_month`` (1-12)."""
    month = (first_month - 1 + np.arange(periods)) % 12 + 1
    last = np.arange(periods) == periods - 1
    return {"year_start": (month == 1).astype(float), "year_end": ((month == 12) | last).astype(float)}


def fiscal_years(time) -> np.ndarray:
    """Fiscal year number (0, 1, ...) of each month: a new one starts after each year end."""
    return np.r_[0, np.cumsum(time["year_end"])[:-1]].astype(int)


def spread(yearly, time, seed=0) -> np.ndarray:
    """Monthly values whose sum over each fiscal year is ``yearly`` (last axis: years), unevenly spread.

    Each year gets its total in equal parts plus a zero-sum wobble of +-5 M, so that single months
    are losses in profitable years and the other way round: tax must follow the year, not the month.
    """
    yearly = np.asarray(yearly, dtype=float)
    year = fiscal_years(time)
    rng = np.random.default_rng(seed)
    out = np.zeros(yearly.shape[:-1] + year.shape)
    for y in range(yearly.shape[-1]):
        months = np.flatnonzero(year == y)
        wobble = rng.uniform(-5 * M, 5 * M, size=yearly.shape[:-1] + (len(months),))
        wobble -= wobble.mean(axis=-1, keepdims=True)
        out[..., months] = yearly[..., y, None] / len(months) + wobble
    return out


def tax_rows(ebit, time, ebitda=None, financial_expense=None, rules=None) -> dict[str, np.ndarray]:
    """The project (and with financial expense the company) tax rows, evaluated in the model's order."""
    items = {"ebit": np.asarray(ebit, dtype=float),
             "ebitda": np.asarray(ebit if ebitda is None else ebitda, dtype=float)}
    names = PROJECT_ROWS
    if financial_expense is not None:
        items["financial_expense"] = np.asarray(financial_expense, dtype=float)
        names = PROJECT_ROWS + LEVERED_ROWS
    m = Context({**RULES, **(rules or {})}, time, items)
    for name in names:
        items[name] = np.broadcast_to(FN[name](m), items["ebit"].shape)
    return items


def at_year_ends(row, time) -> np.ndarray:
    return np.asarray(row)[..., time["year_end"] > 0]


# Hand table 1 (rate 25 %, cap EUR 1 M + 50 % of the profit above it):
#
#  year  profit  pool before  cap of the year          used   taxable   tax     pool after
#   1    -10 M       0         -                         0       0       0        10 M
#   2     +4 M      10 M       1 + 0.5 x (4 - 1) = 2.5  2.5     1.5     0.375     7.5 M
#   3    +20 M     7.5 M       1 + 0.5 x 19 = 10.5      7.5    12.5     3.125     0
#
# Hand table 2 (profits below the EUR 1 M threshold are fully offset):
#
#   1     -3 M       0         -                         0       0       0         3 M
#   2    +0.8 M      3 M       0.8 (all of it)          0.8      0       0        2.2 M
#   3    +0.5 M    2.2 M       0.5                      0.5      0       0        1.7 M
#   4     +5 M     1.7 M       1 + 0.5 x 4 = 3          1.7     3.3     0.825      0
#
# Hand table 3 (exactly at the threshold, then a new loss):
#
#   1     -3 M       0         -                         0       0       0         3 M
#   2     +1 M       3 M       1                         1       0       0         2 M
#   3     +3 M       2 M       1 + 0.5 x 2 = 2           2       1      0.25        0
#   4     -1 M       0         -                         0       0       0         1 M
#   5   +1.5 M       1 M       1 + 0.5 x 0.5 = 1.25      1      0.5     0.125       0
HAND_TABLES = {
    "loss-cap-binds": dict(profit=[-10, 4, 20], used=[0, 2.5, 7.5], taxable=[0, 1.5, 12.5],
                           tax=[0, 0.375, 3.125], pool=[10, 7.5, 0]),
    "below-threshold": dict(profit=[-3, 0.8, 0.5, 5], used=[0, 0.8, 0.5, 1.7], taxable=[0, 0, 0, 3.3],
                            tax=[0, 0, 0, 0.825], pool=[3, 2.2, 1.7, 0]),
    "at-threshold": dict(profit=[-3, 1, 3, -1, 1.5], used=[0, 1, 2, 0, 1], taxable=[0, 0, 1, 0, 0.5],
                         tax=[0, 0, 0.25, 0, 0.125], pool=[3, 2, 0, 1, 0]),
}


@pytest.mark.parametrize("case", HAND_TABLES)
def test_loss_cap_by_hand(case):
    t = {k: np.array(v, dtype=float) * M for k, v in HAND_TABLES[case].items()}
    years = len(t["profit"])
    time = fiscal_calendar(1, 12 * years)
    r = tax_rows(spread(t["profit"], time), time)
    np.testing.assert_allclose(at_year_ends(r["project_profit"], time), t["profit"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["project_loss_used"], time), t["used"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["project_taxable"], time), t["taxable"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["tax"], time), t["tax"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["project_loss_pool"], time), t["pool"], rtol=0, atol=1e-6)
    # the pool only moves at year ends: each month holds the pool after the last year end so far
    pool_by_month = np.r_[0, t["pool"]][np.cumsum(time["year_end"]).astype(int)]
    np.testing.assert_allclose(r["project_loss_pool"], pool_by_month, rtol=0, atol=1e-6)
    # and the independent loop agrees with each hand table
    taxes, used, pools = tax_by_year(t["profit"])
    np.testing.assert_allclose(taxes, t["tax"], atol=1e-6)
    np.testing.assert_allclose(used, t["used"], atol=1e-6)
    np.testing.assert_allclose(pools, t["pool"], atol=1e-6)


def test_tax_is_charged_only_at_year_ends():
    # July 2025 to September 2027 (27 months): fiscal years Jul-Dec 2025, 2026, Jan-Sep 2027
    time = fiscal_calendar(7, 27)
    assert list(np.flatnonzero(time["year_end"])) == [5, 17, 26]
    profits = np.array([-6.0, 9.0, 30.0]) * M
    ebit = spread(profits, time, seed=1)
    assert np.any(ebit[time["year_end"] == 0] > 0) and np.any(ebit[time["year_end"] == 0] < 0)
    r = tax_rows(ebit, time)
    assert np.all(r["tax"][time["year_end"] == 0] == 0)
    assert np.all(r["project_loss_used"][time["year_end"] == 0] == 0)
    # yearly totals: by hand, year 2 uses min(6, 1 + 0.5 x 8 = 5) = 5 (taxable 4, tax 1);
    # year 3 uses the last 1 of the pool (taxable 29, tax 7.25)
    year = fiscal_years(time)
    by_year = np.array([r["tax"][year == y].sum() for y in range(3)])
    np.testing.assert_allclose(by_year, [0, 1 * M, 7.25 * M], rtol=0, atol=1e-6)
    np.testing.assert_allclose(by_year, tax_by_year(profits)[0], rtol=0, atol=1e-6)


def test_tax_rows_match_loop_on_random_years():
    # 400 draws of 8 years at once (as a Monte Carlo run evaluates them), profits around 0 with a spread of 8 M
    rng = np.random.default_rng(20250210)
    years = 8
    profits = rng.normal(0.5 * M, 8 * M, size=(400, years)) * rng.choice([0.1, 1, 3], size=(400, 1))
    time = fiscal_calendar(1, 12 * years)
    r = tax_rows(spread(profits, time, seed=2), time)
    expected = np.array([tax_by_year(p) for p in profits])  # (draws, [tax, used, pool], years)
    np.testing.assert_allclose(at_year_ends(r["tax"], time), expected[:, 0], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["project_loss_used"], time), expected[:, 1], rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["project_loss_pool"], time), expected[:, 2], rtol=1e-9, atol=1e-6)
    # the cap matters in this sample (else the test would not tell it from an uncapped pool)
    uncapped = np.array([tax_by_year(p, share=1.0)[0] for p in profits])
    assert np.mean(np.abs(uncapped.sum(axis=1) - expected[:, 0].sum(axis=1)) > 1) > 0.2
    # total tax is at least rate x max(0, total profit): the cap delays the use of losses, never adds any
    assert np.all(r["tax"].sum(axis=1) >= 0.25 * np.maximum(profits.sum(axis=1), 0) - 1e-6)


def test_rules_per_draw():
    # inputs of shape (draws, 1), as the Monte Carlo passes them: threshold and share per draw
    time = fiscal_calendar(1, 36)
    profits = np.array([-10.0, 4.0, 20.0]) * M
    ebit = np.broadcast_to(spread(profits, time), (3, 36))
    threshold = np.array([[1 * M], [0.0], [1 * M]])
    share = np.array([[0.5], [0.5], [1.0]])
    r = tax_rows(ebit, time, rules=dict(loss_cap_threshold_eur=threshold, loss_cap_share=share))
    # draw 2: threshold 0 -> cap 0.5 x 4 = 2 in year 2 (taxable 2, pool 8), 10 in year 3 (pool 8 used, taxable 12)
    # draw 3: share 1 -> no cap: year 2 uses 4 (pool 6), year 3 uses 6 (taxable 14)
    expected = np.array([[0, 0.375, 3.125], [0, 0.5, 3.0], [0, 0, 3.5]]) * M
    np.testing.assert_allclose(at_year_ends(r["tax"], time).reshape(3, 3), expected, rtol=0, atol=1e-6)
    for d in range(3):
        loop = tax_by_year(profits, threshold=threshold[d, 0], share=share[d, 0])[0]
        np.testing.assert_allclose(loop, expected[d], atol=1e-6)


# Interest cap, one year each, by hand (EUR M; EBIT below EBITDA by depreciation):
#
#  EBITDA  EBIT  interest  cap = max(3, 0.3 x EBITDA)  deductible  profit = EBIT - deductible  tax 25 %
#    20     12      8      max(3, 6)   = 6                  6          6                     1.5
#     5      4      2.5    max(3, 1.5) = 3                  2.5        1.5                   0.375
#     5      4      4      max(3, 1.5) = 3                  3          1                     0.25
#    -2     -4      4      max(3, -0.6) = 3                 3         -7 (a loss)            0
#    20     12      0      6                                0         12 (= project)         3
INTEREST_CASES = [
    (20, 12, 8, 6, 6, 1.5),
    (5, 4, 2.5, 2.5, 1.5, 0.375),
    (5, 4, 4, 3, 1, 0.25),
    (-2, -4, 4, 3, -7, 0),
    (20, 12, 0, 0, 12, 3),
]


@pytest.mark.parametrize("ebitda, ebit, interest, deductible, profit, tax", INTEREST_CASES)
def test_interest_cap_by_hand(ebitda, ebit, interest, deductible, profit, tax):
    time = fiscal_calendar(1, 12)
    r = tax_rows(spread([ebit * M], time), time, ebitda=spread([ebitda * M], time, seed=3),
                 financial_expense=np.full(12, interest * M / 12))
    assert r["levered_interest_deductible"][-1] == pytest.approx(deductible * M, abs=1e-6)
    assert deductible_by_year([interest * M], [ebitda * M])[0][0] == pytest.approx(deductible * M, abs=1e-6)
    assert r["levered_interest_carried"][-1] == pytest.approx((interest - deductible) * M, abs=1e-6)
    assert r["levered_profit"][-1] == pytest.approx(profit * M, abs=1e-6)
    assert r["tax_levered"][-1] == pytest.approx(tax * M, abs=1e-6)
    assert r["tax_levered"].sum() == pytest.approx(tax * M, abs=1e-6)
    assert r["levered_loss_pool"][-1] == pytest.approx(max(-profit, 0) * M, abs=1e-6)
    # the project's tax ignores interest
    assert r["tax"].sum() == pytest.approx(0.25 * max(ebit, 0) * M, abs=1e-6)


def test_interest_cap_then_loss_cap_over_years():
    # year 1: EBITDA 5, EBIT 2, interest 4: cap max(3, 1.5) = 3, deductible 3, profit -1 -> loss pool 1;
    #         4 - 3 = 1 of interest carried forward
    # year 2: EBITDA 20, EBIT 15, interest 8: cap max(3, 6) = 6, deductible 6, no spare cap: carried 1 + 2 = 3;
    #         profit 9, loss cap 1 + 0.5 x 8 = 5 uses the pool's 1 -> taxable 8, tax 2
    # year 3: EBITDA 20, EBIT 15, interest 2: cap 6, deductible 2, spare 4 takes the carried 3 -> deducted 5;
    #         profit 10, no losses left -> taxable 10, tax 2.5; carried 0
    # project (no interest): profits 2, 15, 15 -> tax 0.5, 3.75, 3.75
    time = fiscal_calendar(1, 36)
    r = tax_rows(spread([2 * M, 15 * M, 15 * M], time), time, ebitda=spread([5 * M, 20 * M, 20 * M], time, seed=4),
                 financial_expense=np.r_[np.full(12, 4 * M / 12), np.full(12, 8 * M / 12), np.full(12, 2 * M / 12)])
    np.testing.assert_allclose(at_year_ends(r["levered_interest_deductible"], time), [3 * M, 6 * M, 2 * M], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["levered_interest_carried"], time), [1 * M, 3 * M, 0], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["levered_interest_carried_used"], time), [0, 0, 3 * M], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["levered_profit"], time), [-1 * M, 9 * M, 10 * M], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["levered_loss_used"], time), [0, 1 * M, 0], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["tax_levered"], time), [0, 2 * M, 2.5 * M], atol=1e-6)
    np.testing.assert_allclose(at_year_ends(r["tax"], time), [0.5 * M, 3.75 * M, 3.75 * M], atol=1e-6)
    assert np.all(r["tax_levered"][time["year_end"] == 0] == 0)
    deducted, pools = deductible_by_year([4 * M, 8 * M, 2 * M], [5 * M, 20 * M, 20 * M])
    np.testing.assert_allclose(deducted, [3 * M, 6 * M, 5 * M])
    np.testing.assert_allclose(pools, [1 * M, 3 * M, 0])


def test_interest_cap_matches_loop_on_random_years():
    rng = np.random.default_rng(7)
    years = 6
    ebitda = rng.normal(8 * M, 10 * M, size=(300, years))
    ebit = ebitda - rng.uniform(0, 6 * M, size=(300, years))
    interest = rng.uniform(0, 8 * M, size=(300, years))
    time = fiscal_calendar(1, 12 * years)
    monthly_interest = np.repeat(interest / 12, 12, axis=1)
    r = tax_rows(spread(ebit, time, seed=5), time, ebitda=spread(ebitda, time, seed=6), financial_expense=monthly_interest)
    deductible = np.array([deductible_by_year(f, e)[0] for f, e in zip(interest, ebitda)])
    deducted = r["levered_interest_deductible"] + r["levered_interest_carried_used"]
    np.testing.assert_allclose(at_year_ends(deducted, time), deductible, rtol=1e-9, atol=1e-6)
    expected = np.array([tax_by_year(p)[0] for p in ebit - deductible])
    np.testing.assert_allclose(at_year_ends(r["tax_levered"], time), expected, rtol=1e-9, atol=1e-6)
    # both caps bind somewhere in the sample, and carried-forward interest is deducted somewhere
    assert np.any(deductible < interest - 1) and np.any(deductible > 3 * M + 1)
    assert np.any(at_year_ends(r["levered_interest_carried_used"], time) > 1)


# --- through the whole model -----------------------------------------------------------------

#: conftest's hand case at 25 % tax, scaled up so that yearly profits pass the EUR 1 M threshold:
#: 2,000 GPUs at USD 40,000 (IT capex EUR 80 M, depreciation 8 M a year), a 24-month ramp so that
#: 2025 makes a loss, 60 % GPU loans with a 1 % fee, and an interest floor of EUR 1 M so that the 30 % cap binds
TAXED_PLAN = {**HAND_PLAN, "corporate_tax_rate": 0.25, "ramp_months": 24, "interest_cap_floor_eur": 1e6,
              "gpu_debt_share": 0.6, "gpu_debt_tenor_months": 36, "base_rate": 0.03, "gpu_debt_fee": 0.01,
              "kw_per_gpu": 1.0}  # 2,000 GPUs in 2 MW
TAXED_PHASE = {**HAND_PHASE, "gpus": 2000, "it_mw": 2, "gpu_price_usd": 40_000}


def yearly(res, item, entity="p") -> tuple[np.ndarray, np.ndarray]:
    """Sums of a monthly row by fiscal year (calendar years, the last one cut by the horizon), and the masks."""
    years = np.array([d.year for d in res.periods])
    x = np.asarray(res.values[entity][item]).reshape(-1)
    return np.array([x[years == y].sum() for y in np.unique(years)]), years


@pytest.fixture(scope="module")
def taxed(tmp_path_factory):
    folder = write_inputs(tmp_path_factory.mktemp("tax") / "inputs", TAXED_PLAN, {"p": TAXED_PHASE}, horizon_years=4)
    return finmodel.run(inputs_dir=folder)


def test_model_tax_follows_the_rules_from_its_own_ebit(taxed):
    res = taxed
    ebit, years = yearly(res, "ebit")
    ebitda, _ = yearly(res, "ebitda")
    fin, _ = yearly(res, "financial_expense")
    # the premises: a loss in 2025, then profits above the threshold
    assert ebit[0] < -1 * M and np.all(ebit[1:] > 1 * M)
    taxes, used, _ = tax_by_year(ebit)
    assert used[1] < min(-ebit[0], ebit[1])  # the loss cap binds in 2026
    np.testing.assert_allclose(yearly(res, "tax")[0], taxes, rtol=1e-9, atol=1e-6)
    deductible = deductible_by_year(fin, ebitda, floor=1 * M)[0]
    assert deductible[0] < fin[0]  # the interest cap binds in 2025
    levered, _, _ = tax_by_year(ebit - deductible)
    np.testing.assert_allclose(yearly(res, "tax_levered")[0], levered, rtol=1e-9, atol=1e-6)
    assert levered.sum() < taxes.sum()  # interest shields some tax
    # charged in December only
    december = np.array([d.month == 12 for d in res.periods])
    for row in ("tax", "tax_levered"):
        x = np.asarray(res.values["p"][row]).reshape(-1)
        assert np.all(x[~december] == 0)
    # the consolidated total (one phase) is the phase's
    np.testing.assert_allclose(np.asarray(res.values["total"]["tax"]).reshape(-1),
                               np.asarray(res.values["p"]["tax"]).reshape(-1), rtol=1e-12)


def test_model_taxes_the_last_month_of_a_horizon_ending_mid_year(tmp_path):
    # October 2024 to September 2026: fiscal years end Dec 2024, Dec 2025 and Sep 2026 (the last month)
    plan = {**HAND_PLAN, "corporate_tax_rate": 0.25, "ramp_months": 24, "loss_cap_threshold_eur": 1e4, "kw_per_gpu": 1.0}
    phase = {**HAND_PHASE, "gpus": 2000, "it_mw": 2, "gpu_price_usd": 40_000}
    folder = write_inputs(tmp_path / "inputs", plan, {"p": phase}, start="2024-10", horizon_years=2)
    res = finmodel.run(inputs_dir=folder)
    ends = [d.strftime("%Y-%m") for d, f in zip(res.periods, np.asarray(res.time["year_end"]).reshape(-1)) if f]
    assert ends == ["2024-12", "2025-12", "2026-09"]
    starts = [d.strftime("%Y-%m") for d, f in zip(res.periods, np.asarray(res.time["year_start"]).reshape(-1)) if f]
    assert starts == ["2025-01", "2026-01"]
    ebit, years = yearly(res, "ebit")
    assert ebit[1] < 0 < ebit[2]  # 2025 a loss (ramp), Jan-Sep 2026 a profit
    taxes = tax_by_year(ebit, threshold=1e4)[0]
    assert taxes[2] > 0
    tax = np.asarray(res.values["p"]["tax"]).reshape(-1)
    np.testing.assert_allclose(tax[np.asarray(res.time["year_end"]).reshape(-1) > 0], taxes, rtol=1e-9, atol=1e-6)
    assert np.all(tax[np.asarray(res.time["year_end"]).reshape(-1) == 0] == 0)


def test_default_inputs_tax_follows_the_rules():
    # the shipped inputs (EUR bn phases, 2025-2040) with and without debt: yearly tax from the model's own yearly
    # EBIT, EBITDA and financial expense through the loop
    for scenario in (None, "no_debt"):
        res = finmodel.run(scenario)
        for p in res.inputs.phases:
            ebit = yearly(res, "ebit", p)[0]
            ebitda = yearly(res, "ebitda", p)[0]
            fin = yearly(res, "financial_expense", p)[0]
            scale = np.abs(ebit).max()
            np.testing.assert_allclose(yearly(res, "tax", p)[0], tax_by_year(ebit)[0], rtol=0, atol=1e-12 * scale * 16)
            levered = tax_by_year(ebit - deductible_by_year(fin, ebitda)[0])[0]
            np.testing.assert_allclose(yearly(res, "tax_levered", p)[0], levered, rtol=0, atol=1e-12 * scale * 16)

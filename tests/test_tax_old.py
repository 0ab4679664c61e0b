"""Corporate tax with unlimited loss carry-forward (finmodel/items/cashflow.py).

The model writes it as tax paid to date = rate x max(0, running max of
cumulative EBIT). These tests check that closed form against the rule as a
tax return applies it: a loss pool that grows with losses and is used up by
later profits, month by month.
"""

from __future__ import annotations

import numpy as np
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs
from finmodel.items.cashflow import ebit_cum, taxable_cum, tax
from finmodel.registry import Context


def tax_by_loop(ebit, rate) -> np.ndarray:
    """Tax per period with an unlimited loss pool carried forward (no carry-back)."""
    pool = 0.0
    out = []
    for e in ebit:
        if e < 0:
            pool += -e
            out.append(0.0)
        else:
            used = min(pool, e)
            pool -= used
            out.append(rate * (e - used))
    return np.array(out)


def model_tax_rows(ebit, rate) -> dict[str, np.ndarray]:
    """The three tax line items evaluated on their own, with a minimal context."""
    items = {"ebit": np.asarray(ebit, dtype=float)}
    m = Context({"corporate_tax_rate": rate}, {}, items)
    items["ebit_cum"] = ebit_cum(m)
    items["taxable_cum"] = taxable_cum(m)
    items["tax"] = tax(m)
    return items


# EBIT = [-100, 30, 50, 40, -20, 60], rate 25 %, by hand:
#
#  month  EBIT  loss pool before  used  pool after  taxable  tax
#    1    -100          0           -      100         0      0
#    2      30        100          30       70         0      0
#    3      50         70          50       20         0      0
#    4      40         20          20        0        20      5
#    5     -20          0           -       20         0      0
#    6      60         20          20        0        40     10
#
# cumulative EBIT            -100, -70, -20, 20, 0, 60
# taxable profit to date        0,   0,   0, 20, 20, 60  (never decreases)
# total tax 15 = 25 % x 60 = 25 % x the total EBIT, since the losses are all used.
HAND_EBIT = [-100.0, 30.0, 50.0, 40.0, -20.0, 60.0]
HAND_EBIT_CUM = [-100.0, -70.0, -20.0, 20.0, 0.0, 60.0]
HAND_TAXABLE_CUM = [0.0, 0.0, 0.0, 20.0, 20.0, 60.0]
HAND_TAX = [0.0, 0.0, 0.0, 5.0, 0.0, 10.0]


def test_tax_rows_by_hand():
    rows = model_tax_rows(HAND_EBIT, 0.25)
    np.testing.assert_allclose(rows["ebit_cum"], HAND_EBIT_CUM, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rows["taxable_cum"], HAND_TAXABLE_CUM, rtol=0, atol=1e-12)
    np.testing.assert_allclose(rows["tax"], HAND_TAX, rtol=0, atol=1e-12)
    assert rows["tax"].sum() == pytest.approx(15.0)


def test_loop_agrees_with_hand_table():
    np.testing.assert_allclose(tax_by_loop(HAND_EBIT, 0.25), HAND_TAX, atol=1e-12)


@pytest.mark.parametrize("ebit, expected", [
    ([10, 20, 30], [2.5, 5, 7.5]),            # profits only: taxed as earned
    ([-10, -20, -30], [0, 0, 0]),             # losses only: no tax, no refund
    ([0, 0, 0], [0, 0, 0]),
    ([50, -50, 50], [12.5, 0, 0]),            # no carry-back: month 1 tax stays; month 3 uses the pool
    ([50, -80, 20, 70], [12.5, 0, 0, 2.5]),   # pool 80 after month 2, 60 after 3, 0 in month 4 (10 taxable)
])
def test_tax_rows_small_cases(ebit, expected):
    rows = model_tax_rows(ebit, 0.25)
    np.testing.assert_allclose(rows["tax"], expected, atol=1e-12)
    np.testing.assert_allclose(tax_by_loop(ebit, 0.25), expected, atol=1e-12)


def test_tax_rows_match_loop_on_random_series():
    rng = np.random.default_rng(20250210)
    ebit = rng.normal(0.0, 100.0, size=(300, 48)) + rng.normal(0.0, 30.0, size=(300, 1))
    rate = 0.25
    rows = model_tax_rows(ebit, rate)  # all 300 series at once, as a Monte Carlo run evaluates them
    expected = np.array([tax_by_loop(e, rate) for e in ebit])
    np.testing.assert_allclose(rows["tax"], expected, rtol=1e-12, atol=1e-9)
    assert np.all(rows["tax"] >= -1e-12)
    # over the horizon, tax is at least rate x max(0, total EBIT): losses left unused at the end are not refunded
    assert np.all(rows["tax"].sum(axis=1) >= rate * np.maximum(ebit.sum(axis=1), 0) - 1e-9)


def test_tax_rows_with_a_rate_per_draw():
    ebit = np.array([HAND_EBIT, HAND_EBIT])
    rate = np.array([[0.25], [0.5]])
    rows = model_tax_rows(ebit, rate)
    np.testing.assert_allclose(rows["tax"], [HAND_TAX, 2 * np.array(HAND_TAX)], atol=1e-12)


# --- through the whole model: the hand case with 25 % tax ------------------------

HOURS = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], dtype=float)  # 2025 by month


@pytest.fixture
def taxed_hand_case(tmp_path):
    # hand case of conftest with 25 % tax, a 4-month ramp and EUR 2.5/GPU-h, so that EBIT is a loss
    # in the first month of service and the loss is carried into the following months
    plan = {**HAND_PLAN, "corporate_tax_rate": 0.25, "ramp_months": 4.0}
    phase = {**HAND_PHASE, "gpu_hour_price_usd": 2.5}
    return write_inputs(tmp_path / "inputs", plan, {"p": phase})


def test_tax_through_the_model_by_hand(taxed_hand_case):
    res = finmodel.run(inputs_dir=taxed_hand_case)
    v = {k: np.asarray(a).ravel() for k, a in res.values["p"].items()}

    # in service from March; utilisation 0.5 x min(1, months in service / 4)
    months_in_service = np.r_[0, 0, np.arange(1, 11)]
    ramp = np.minimum(1, months_in_service / 4)
    # revenue 100 GPUs x h x 0.5 x ramp x EUR 2.5 = 125 h ramp;
    # electricity 1 MW x h x 0.5 x ramp x PUE 1.5 x EUR 100 = 75 h ramp (no idle power)
    ebitda = (125 - 75) * HOURS * ramp
    # depreciation from March: IT EUR 1 M / 120 and building EUR 1 M / 120 a month
    depreciation = np.r_[0, 0, np.full(10, 2 * 1_000_000 / 120)]
    ebit = ebitda - depreciation
    # March: 50 x 744 x 0.25 - 16,666.67 = -7,366.67 (loss pool 7,366.67)
    # April: 50 x 720 x 0.5  - 16,666.67 = +1,333.33 (pool 6,033.33, no tax)
    # May:   50 x 744 x 0.75 - 16,666.67 = +11,233.33 (uses the 6,033.33: taxable 5,200, tax 1,300)
    # June on: EBIT 50 h - 16,666.67 > 0, taxed in full
    assert ebit[2] == pytest.approx(50 * 744 * 0.25 - 2e6 / 120)
    assert ebit[2] < 0 and ebit[3] > 0 and ebit[2] + ebit[3] < 0 < ebit[2] + ebit[3] + ebit[4]
    pool_after_april = -(ebit[2] + ebit[3])
    expected_tax = np.zeros(12)
    expected_tax[4] = 0.25 * (ebit[4] - pool_after_april)
    expected_tax[5:] = 0.25 * ebit[5:]
    assert expected_tax[4] == pytest.approx(0.25 * (50 * 744 * 0.75 + 50 * 720 * 0.5 + 50 * 744 * 0.25 - 3 * 2e6 / 120))
    np.testing.assert_allclose(expected_tax, tax_by_loop(ebit, 0.25), rtol=1e-12, atol=1e-9)

    np.testing.assert_allclose(v["ebitda"], ebitda, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(v["depreciation"], depreciation, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(v["ebit"], ebit, rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(v["tax"], expected_tax, rtol=1e-12, atol=1e-6)
    assert v["tax"].sum() == pytest.approx(0.25 * ebit.sum(), rel=1e-12)  # all losses used by December

    # free cash flow = EBITDA - tax - capex + residual value
    capex = np.r_[500_000, 500_000, 1_000_000, np.zeros(9)]
    fcf = ebitda - expected_tax - capex
    fcf[-1] += 2 * (1_000_000 - 10 * 1_000_000 / 120)
    np.testing.assert_allclose(v["fcf"], fcf, rtol=1e-12, atol=1e-6)
    # and NPV falls by exactly the discounted tax
    untaxed = finmodel.run(inputs_dir=taxed_hand_case, overrides={"corporate_tax_rate": 0.0})
    df = 1.10 ** -(np.arange(1, 13) / 12)
    assert untaxed.scalar("p", "npv") - res.scalar("p", "npv") == pytest.approx(np.sum(expected_tax * df), rel=1e-9)

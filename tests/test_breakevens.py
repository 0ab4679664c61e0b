"""The three break-even prices: pre-tax project, after-tax project, equity.

Proof by re-running the model at each break-even (every phase's
new-generation price set to it): the NPV it zeroes is within 1 EUR of 0.
Identities on the hand case: without tax and debt, and with the cost of
equity equal to the discount rate, the three coincide.
"""

from __future__ import annotations

import numpy as np
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs
from finmodel.breakevens import LABELS, price_overrides

SEARCHED = {"breakeven_after_tax_eur_per_gpu_hour": "npv", "breakeven_equity_eur_per_gpu_hour": "equity_npv"}


@pytest.fixture(scope="module")
def default_run():
    return finmodel.run()


@pytest.mark.parametrize("entity", ["grand_est_a", "total"])
@pytest.mark.parametrize("column", list(SEARCHED))
def test_rerun_at_the_breakeven_zeroes_its_npv(default_run, entity, column):
    price = default_run.summary.loc[entity, column]
    assert 2 < price < 30  # a price per GPU-hour (of packages up to Feynman class, generations.toml), not a factor
    again = finmodel.run(overrides=price_overrides(default_run.inputs, price))
    assert abs(again.scalar(entity, SEARCHED[column])) <= 1.0
    # and at a cent more the NPV is positive: the price is a break-even, not a flat zero
    assert finmodel.run(overrides=price_overrides(default_run.inputs, price + 0.01)).scalar(entity, SEARCHED[column]) > 1e6


def test_three_breakevens_labelled_apart(default_run):
    b = default_run.breakevens
    assert list(b.columns) == list(LABELS) and b.attrs["labels"] == LABELS
    assert len(set(LABELS.values())) == 3 and all(w in " ".join(LABELS.values()) for w in ("pre-tax", "after-tax", "equity"))
    total = b.loc["total"]
    # tax paid at the break-even makes the after-tax price higher than the pre-tax one
    assert total["breakeven_eur_per_gpu_hour"] < total["breakeven_after_tax_eur_per_gpu_hour"]
    # the pre-tax break-even is the closed-form line item
    assert total["breakeven_eur_per_gpu_hour"] == default_run.scalar("total", "breakeven_price")


@pytest.fixture(scope="module")
def hand_inputs(tmp_path_factory):
    return write_inputs(tmp_path_factory.mktemp("be") / "inputs", HAND_PLAN, {"p": HAND_PHASE}, horizon_years=3)


def test_without_tax_or_debt_the_three_coincide(hand_inputs):
    # HAND_PLAN: no tax, all equity, cost_of_equity = discount_rate = 10 %; the equity as a 0 % shareholder loan,
    # so every euro of cash goes back as it comes (no dividend waits for profits): the equity cash flow is the FCF
    res = finmodel.run(inputs_dir=hand_inputs, overrides={"shareholder_loan_share": 1.0, "shareholder_loan_rate": 0.0})
    b = res.breakevens.loc["p"]
    pre = b["breakeven_eur_per_gpu_hour"]
    assert b["breakeven_after_tax_eur_per_gpu_hour"] == pytest.approx(pre, rel=1e-6)
    assert b["breakeven_equity_eur_per_gpu_hour"] == pytest.approx(pre, rel=1e-6)


def test_with_tax_the_after_tax_breakeven_is_higher(hand_inputs):
    res = finmodel.run(inputs_dir=hand_inputs, overrides={"corporate_tax_rate": 0.25})
    b = res.breakevens.loc["p"]
    assert b["breakeven_after_tax_eur_per_gpu_hour"] > b["breakeven_eur_per_gpu_hour"]
    again = finmodel.run(inputs_dir=hand_inputs, overrides={"corporate_tax_rate": 0.25,
                                                            **price_overrides(res.inputs, b["breakeven_after_tax_eur_per_gpu_hour"])})
    assert abs(again.scalar("p", "npv")) <= 1.0


def test_no_gpus_no_breakeven(hand_inputs):
    res = finmodel.run(inputs_dir=hand_inputs, overrides={"p.gpus": 0, "p.it_mw": 0})  # whatever the fleet basis
    assert np.isnan(res.summary.loc["p", "breakeven_after_tax_eur_per_gpu_hour"])
    assert np.isnan(res.summary.loc["p", "breakeven_equity_eur_per_gpu_hour"])


def test_after_tax_breakeven_agrees_with_the_sensitivity_search(default_run):
    # another search (a factor on every new GPU-hour price, contract and merchant, over 200 values): the same NPV
    # after tax = 0, so the same price. The factor scales each generation's own prices, the break-even sets them
    # all to one price: equal when every generation starts at the same price.
    from finmodel.sensitivity import solve_breakevens

    uniform = {f"{g}.{f}": 3.0 for g in default_run.inputs.generations for f in ("gpu_hour_price_usd", "contract_price_usd")}
    [found] = solve_breakevens(["gpu_hour_price"], entity="total", overrides=uniform)
    at_uniform = finmodel.run(overrides=uniform).summary.loc["total", "breakeven_after_tax_eur_per_gpu_hour"]
    assert found.eur_per_gpu_hour == pytest.approx(at_uniform, rel=1e-6)
    assert at_uniform == pytest.approx(default_run.summary.loc["total", "breakeven_after_tax_eur_per_gpu_hour"], rel=1e-6)

"""GPU generations (generations.toml): each purchase buys the generation available in its month, by hand.

The case: the hand phase (conftest: 1 MW, 100 GPUs announced, one stage in service from March 2025), GPUs
living 1 year, so refreshes in March 2026 and March 2027; USD 1.25 per EUR. Two generations: g1 (available
long before, 2.5 kW, USD 10,000, 5 PFLOP/s, USD 2.0 per GPU-hour new and on contract) and g2 (4.0 kW, USD
30,000, 20 PFLOP/s, USD 6.0 new, USD 5.0 on contract). Period index 0 is January 2025: the first purchase is
index 2, the refreshes indices 14 and 26 of 36.
"""

import calendar
import tomllib

import numpy as np
import pytest

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR
from tests.conftest import HAND_GENERATION, HAND_PHASE, HAND_PLAN, write_inputs
from tests.test_validation import one_problem

G1 = {**HAND_GENERATION, "kw_per_gpu": 2.5, "gpu_price_usd": 10_000, "pflops_per_gpu": 5.0,
      "gpu_hour_price_usd": 2.0, "contract_price_usd": 2.0}
G2 = {"available": "2026-03", "kw_per_gpu": 4.0, "gpu_price_usd": 30_000, "pflops_per_gpu": 20.0,
      "gpu_hour_price_usd": 6.0, "contract_price_usd": 5.0}
PLAN = {**HAND_PLAN, "usd_per_eur": 1.25, "gpu_life_years": 1, "fleet_basis": "power"}
FIRST, REFRESH1, REFRESH2, N = 2, 14, 26, 36


def case(tmp_path, g2_available="2026-03", plan=None, **overrides):
    inputs = write_inputs(tmp_path / "inputs", {**PLAN, **(plan or {})}, {"p": HAND_PHASE}, horizon_years=3,
                          generations={"g1": G1, "g2": {**G2, "available": g2_available}})
    return finmodel.run(inputs_dir=inputs, overrides=overrides)


def row(res, name):
    return np.asarray(res.values["p"][name], dtype=float).ravel()


def test_power_basis_refresh_into_a_hungrier_generation_holds_fewer_gpus(tmp_path):
    res = case(tmp_path)
    g1_gpus, g2_gpus = 1 * 1000 / 2.5, 1 * 1000 / 4.0  # IT MW x 1000 / kW per GPU: 400, then 250
    expected = np.r_[np.zeros(FIRST), np.full(REFRESH1 - FIRST, g1_gpus), np.full(N - REFRESH1, g2_gpus)]
    np.testing.assert_allclose(row(res, "gpus_online"), expected)
    np.testing.assert_allclose(row(res, "mw_online"), np.r_[np.zeros(FIRST), np.ones(N - FIRST)])  # the MW stay full
    bought = row(res, "gpus_bought_refresh")
    assert bought[REFRESH1] == pytest.approx(250) and bought[REFRESH2] == pytest.approx(250)
    assert np.count_nonzero(bought) == 2
    # capex: GPUs bought x that generation's price / usd_per_eur
    assert row(res, "capex_gpu_initial")[FIRST] == pytest.approx(400 * 10_000 / 1.25)  # EUR 3.2 M
    refresh = row(res, "capex_gpu_refresh")
    assert refresh[REFRESH1] == pytest.approx(250 * 30_000 / 1.25) and refresh[REFRESH2] == pytest.approx(6e6)
    # each purchase depreciates over its own 12 months at its own cost
    dep = row(res, "dep_it")
    assert dep[FIRST] == pytest.approx(3.2e6 / 12) and dep[REFRESH1 - 1] == pytest.approx(3.2e6 / 12)
    assert dep[REFRESH1] == pytest.approx(6e6 / 12) and dep[N - 1] == pytest.approx(6e6 / 12)


def test_prices_and_performance_follow_the_generation_in_service(tmp_path):
    res = case(tmp_path)
    merchant = row(res, "revenue_merchant")
    # February 2026 (672 h): 400 g1 GPUs x 0.5 utilisation x USD 2.0; March 2026 (744 h): 250 g2 GPUs x USD 6.0
    assert merchant[REFRESH1 - 1] == pytest.approx(400 * 672 * 0.5 * 2.0 / 1.25)
    assert merchant[REFRESH1] == pytest.approx(250 * 744 * 0.5 * 6.0 / 1.25)
    pflop_hours = row(res, "pflop_hours_sold")
    assert pflop_hours[REFRESH1 - 1] == pytest.approx(400 * 672 * 0.5 * 5.0)
    assert pflop_hours[REFRESH1] == pytest.approx(250 * 744 * 0.5 * 20.0)
    # every hour on a one-year take-or-pay contract at the generation's contract price
    res = case(tmp_path / "contract", plan={"contracted_share": 1.0, "contract_years": 1.0})
    contracted = row(res, "revenue_contracted")
    assert contracted[REFRESH1 - 1] == pytest.approx(400 * 672 * 2.0 / 1.25)
    assert contracted[REFRESH1] == pytest.approx(250 * 744 * 5.0 / 1.25)


def test_lookups_pick_the_generation_available_in_the_purchase_month(tmp_path):
    """Available in the refresh month: bought then; one month later: the old generation again, the new one a year on."""
    on_time = case(tmp_path / "on_time", g2_available="2026-03")
    assert row(on_time, "gen1")[REFRESH1 - 1] == 1 and row(on_time, "gen1")[REFRESH1] == 2
    late = case(tmp_path / "late", g2_available="2026-04")
    gen = row(late, "gen1")
    assert gen[REFRESH1] == 1 and gen[REFRESH2 - 1] == 1 and gen[REFRESH2] == 2
    refresh = row(late, "capex_gpu_refresh")
    assert refresh[REFRESH1] == pytest.approx(400 * 10_000 / 1.25)  # g1 again: 400 GPUs at USD 10,000
    assert refresh[REFRESH2] == pytest.approx(250 * 30_000 / 1.25)
    # before service the lookups show the first purchase's generation
    assert row(late, "gen1")[0] == 1 and row(late, "kw1")[0] == 2.5


def merchant_by_hand(purchases, decline):
    """Merchant revenue [EUR] month by month in a plain loop: ``purchases`` = (from month index, GPUs, new-generation
    price [USD/GPU-h], (year, month) of availability); price = new price x (1 - decline) ^ (months on the market / 12)."""
    out = np.zeros(N)
    for t in range(FIRST, N):
        year, month = 2025 + t // 12, t % 12 + 1
        _, gpus, price, (avail_year, avail_month) = [p for p in purchases if p[0] <= t][-1]
        on_market = (year - avail_year) * 12 + month - avail_month
        out[t] = gpus * 24 * calendar.monthrange(year, month)[1] * 0.5 * price * (1 - decline) ** (on_market / 12) / 1.25
    return out


def test_merchant_price_falls_from_the_generations_availability_not_from_the_purchase(tmp_path):
    """g2 available April 2026: the March 2026 refresh buys g1 again (available January 2020, 74 months on the
    market), the March 2027 refresh buys g2 11 months after its availability: it rents at g2's price 11 months into
    its decline, not at the new price."""
    res = case(tmp_path, g2_available="2026-04", gpu_hour_price_decline=0.3)
    expected = merchant_by_hand([(FIRST, 400, 2.0, (2020, 1)), (REFRESH2, 250, 6.0, (2026, 4))], 0.3)
    np.testing.assert_allclose(row(res, "revenue_merchant"), expected, rtol=1e-12)
    assert row(res, "revenue_merchant")[REFRESH2] == pytest.approx(250 * 744 * 0.5 * 6.0 * 0.7 ** (11 / 12) / 1.25)
    np.testing.assert_allclose(row(res, "market_age1")[[FIRST, REFRESH2 - 1, REFRESH2]], [62 / 12, 85 / 12, 11 / 12])


def test_a_purchase_in_its_generations_availability_month_starts_at_the_new_price(tmp_path):
    """g1 available in the first purchase's month, g2 in the first refresh's: each starts at its new price and falls
    with its age, as when ages counted from the purchase; the second refresh buys g2 again, 12 months on the market,
    and does not start over."""
    inputs = write_inputs(tmp_path / "inputs", PLAN, {"p": HAND_PHASE}, horizon_years=3,
                          generations={"g1": {**G1, "available": "2025-03"}, "g2": G2})
    res = finmodel.run(inputs_dir=inputs, overrides={"gpu_hour_price_decline": 0.3})
    expected = merchant_by_hand([(FIRST, 400, 2.0, (2025, 3)), (REFRESH1, 250, 6.0, (2026, 3))], 0.3)
    np.testing.assert_allclose(row(res, "revenue_merchant"), expected, rtol=1e-12)
    t = np.arange(N)
    age_since_purchase = np.where(t < FIRST, 0, (t - FIRST) % 12) / 12  # the rule before: each purchase starts anew
    first_two = t < REFRESH2
    np.testing.assert_allclose(row(res, "price_index1")[first_two], 0.7 ** age_since_purchase[first_two], rtol=1e-12)
    assert row(res, "price_index1")[REFRESH2] == pytest.approx(0.7)


@pytest.mark.parametrize("scenario", ["nov_2025", "nov_2025_delayed"])
def test_the_default_table_covers_the_horizon(scenario):
    """No purchase of a default scenario buys a generation more than 24 months after its availability: the last
    generation of generations.toml (read here as plain TOML) is available within two years of the model's last
    month, and every purchase month's latest available generation, looked up in a plain loop, is what the model buys."""
    table = tomllib.loads((DEFAULT_INPUTS_DIR / "generations.toml").read_text(encoding="utf-8"))
    available = [(int(t["available"]["value"][:4]), int(t["available"]["value"][5:7])) for t in table.values()]
    res = finmodel.run(scenario)
    last = res.periods[-1]
    months = lambda ym: ym[0] * 12 + ym[1] - 1  # noqa: E731  (year, month) -> a month count
    assert months((last.year, last.month)) - months(available[-1]) <= 24
    bought = 0
    for phase in res.inputs.phases:
        v = res.values[phase]
        for s in ("1", "2"):
            gen = np.asarray(v[f"gen{s}"], dtype=float).ravel()
            flags = np.asarray(v[f"first{s}_flag"], dtype=float).ravel() + np.asarray(v[f"refresh{s}_flag"], dtype=float).ravel()
            for t in np.flatnonzero(flags):
                when = months((res.periods[t].year, res.periods[t].month))
                latest = max(i for i, a in enumerate(available) if months(a) <= when)
                assert gen[t] == latest + 1, (phase, s, res.periods[t])
                assert when - months(available[latest]) <= 24, (phase, s, res.periods[t], list(table)[latest])
                bought += 1
    assert bought >= 2 * len(res.inputs.phases) * 2  # every stage's first purchase and at least one refresh


def test_gpu_basis_builds_for_the_peak_the_announced_gpus_need(tmp_path):
    res = case(tmp_path, fleet_basis="gpus")
    np.testing.assert_allclose(row(res, "gpus_online")[FIRST:], 100.0)  # the announced count binds
    need = row(res, "mw_gpus_need")  # 100 GPUs x 2.5 kW, then x 4.0 kW
    assert need[REFRESH1 - 1] == pytest.approx(0.25) and need[REFRESH1] == pytest.approx(0.4)
    assert res.scalar("p", "mw_gpus_reading") == pytest.approx(0.4)
    assert res.summary.loc["p", "it_mw"] == pytest.approx(0.4)
    assert row(res, "capex_shell").sum() == pytest.approx(1e6 * 0.4)  # shell EUR 1 M per MW, built for the peak
    np.testing.assert_allclose(row(res, "mw_online")[FIRST:REFRESH1], 0.25)
    np.testing.assert_allclose(row(res, "mw_online")[REFRESH1:], 0.4)


def test_cost_per_pflop_hour_follows_each_generations_compute(tmp_path):
    """PV(costs) / PV(GPU-hours sold x the PFLOP/s of the generation that sold them), by hand."""
    res = case(tmp_path)
    df = res.time["discount_factor"].ravel()
    hours = row(res, "gpu_hours_sold")
    pflops = np.where(np.arange(N) < REFRESH1, 5.0, 20.0)
    expected = np.sum(row(res, "lcoc_costs") * df) / np.sum(hours * pflops * df)
    assert res.summary.loc["p", "lcoc_eur_per_pflop_hour"] == pytest.approx(expected, rel=1e-12)


def test_cost_by_generation_splits_the_phase_cost_by_hand(tmp_path):
    """Each generation: its own GPU capex + the other costs shared by PV(GPU-hours sold); the rows add up to the phase."""
    res = case(tmp_path)
    df = res.time["discount_factor"].ravel()
    costs, hours = row(res, "lcoc_costs") * df, row(res, "gpu_hours_sold") * df
    capex = {"g1": 3.2e6 * df[FIRST], "g2": 6e6 * (df[REFRESH1] + df[REFRESH2])}  # network_storage_share 0
    pv_hours = {"g1": hours[:REFRESH1].sum(), "g2": hours[REFRESH1:].sum()}
    other = costs.sum() - sum(capex.values())
    table = res.cost_by_generation.loc["p"]
    assert list(table.index) == ["g1", "g2"] and list(table.first_purchase) == ["2025-03", "2026-03"]
    for g, pflops in (("g1", 5.0), ("g2", 20.0)):
        expected = capex[g] + other * pv_hours[g] / hours.sum()
        assert table.loc[g, "pv_costs_eur"] == pytest.approx(expected, rel=1e-9)
        assert table.loc[g, "lcoc_eur_per_pflop_hour"] == pytest.approx(expected / (pv_hours[g] * pflops), rel=1e-9)
    assert table.pv_costs_eur.sum() == pytest.approx(costs.sum(), rel=1e-12)
    assert table.pv_costs_eur.sum() / table.pv_gpu_hours.sum() == pytest.approx(res.scalar("p", "lcoc"), rel=1e-12)
    # a phase that sells no GPU-hours (colocation: the tenants own the GPUs) has no generation rows
    assert case(tmp_path / "colo", plan={"business_model": "colocation"}).cost_by_generation.empty


# --- bad input -------------------------------------------------------------------------------

def write_case(tmp_path, generations, phase=None):
    return write_inputs(tmp_path / "inputs", PLAN, {"p": {**HAND_PHASE, **(phase or {})}}, horizon_years=3,
                        generations=generations)


def test_unknown_generation_in_an_override(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": G1, "g2": G2}), overrides={"g3.gpu_price_usd": 1.0})
    assert p.field == "g3.gpu_price_usd" and "unknown name" in p.message


def test_a_per_generation_field_without_its_generation(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": G1, "g2": G2}), overrides={"kw_per_gpu": 2.0})
    assert p.field == "kw_per_gpu" and "per GPU generation" in p.message and "g1.kw_per_gpu, g2.kw_per_gpu" in p.message


def test_no_generation_available_before_the_first_purchase(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": {**G1, "available": "2025-06"}}))
    assert p.file.endswith("phases.toml") and p.field == "p.stage1_online"
    assert "2025-03" in p.message and "no GPU generation is available" in p.message and "2025-06 or later" in p.message


def test_missing_field_in_a_generation(tmp_path):
    g = {k: v for k, v in G1.items() if k != "kw_per_gpu"}
    p = one_problem(write_case(tmp_path, {"g1": g}))
    assert p.file.endswith("generations.toml") and p.field == "g1.kw_per_gpu" and "missing" in p.message
    assert "kW/GPU" in p.message


def test_negative_field_in_a_generation(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": {**G1, "gpu_hour_price_usd": -1.0}}))
    assert p.file.endswith("generations.toml") and p.field == "g1.gpu_hour_price_usd"
    assert "-1" in p.message and "out of range" in p.message and ">= 0" in p.message and "USD/GPU-h" in p.message


def test_generations_out_of_order_of_availability(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": G1, "g2": {**G2, "available": "2019-01"}}))
    assert p.file.endswith("generations.toml") and p.field == "g2.available"
    assert "2019-01" in p.message and "2020-01" in p.message and "order of availability" in p.message


def test_a_generation_may_not_take_a_phases_name(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": G1, "p": G2}))
    assert p.file.endswith("generations.toml") and "'p' is a phase's name" in p.message


def test_unknown_field_in_a_generation(tmp_path):
    p = one_problem(write_case(tmp_path, {"g1": {**G1, "kw_per_gpus": 2.0}}))
    assert p.field == "g1.kw_per_gpus" and "did you mean 'kw_per_gpu'" in p.message


def test_missing_or_empty_generations_file(tmp_path):
    folder = write_case(tmp_path, {"g1": G1})
    (folder / "generations.toml").unlink()
    p = one_problem(folder)
    assert p.file.endswith("generations.toml") and p.field == "(file)" and "not found" in p.message
    (folder / "generations.toml").write_text("# nothing yet\n")
    p = one_problem(folder)
    assert p.file.endswith("generations.toml") and "no GPU generation" in p.message and "gpu_price_usd" in p.message


def test_purchase_and_refresh_flags_of_each_stage_by_hand(tmp_path):
    # stage 1 in service March 2025 (index 2), stage 2 April 2025 (index 3); GPUs live 12 months
    res = case(tmp_path)
    for s, first in ((1, FIRST), (2, FIRST + 1)):
        expected_first = np.zeros(N)
        expected_first[first] = 1
        expected_refresh = np.zeros(N)
        expected_refresh[[first + 12, first + 24]] = 1
        np.testing.assert_array_equal(row(res, f"first{s}_flag"), expected_first, err_msg=f"stage {s}")
        np.testing.assert_array_equal(row(res, f"refresh{s}_flag"), expected_refresh, err_msg=f"stage {s}")
    labels = {it.name: it.label for it in finmodel.registry.PHASE_ITEMS}
    assert labels["first2_flag"] == "Stage 2 first purchase flag" and labels["refresh1_flag"] == "Stage 1 refresh flag"

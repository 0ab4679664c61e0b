"""Colocation (business_model 'colocation'): the tenants own the GPUs and lease the IT kW, by hand.

The hand case (conftest): 100 GPUs at 10 kW each = 1 MW built (fleet_basis 'gpus'), shell EUR 1 M per
MW, one stage in service from March 2025, utilisation 0.5 with no idle power, PUE 1.5, power
EUR 100/MWh, rent EUR 100 per kW-month, no inflation or escalation unless a test sets them.
"""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs
from tests.test_validation import one_problem

COLO = {"business_model": "colocation"}
MONTHS_IN_SERVICE_2025 = 10  # March to December
HOURS_MAR_DEC_2025 = 24 * 306


def run(inputs, **overrides):
    return finmodel.run(inputs_dir=inputs, overrides=overrides)


def total(res, item, entity="p"):
    return float(np.sum(res.values[entity][item]))


def test_colocation_capex_is_the_facility_only(hand_inputs):
    cloud, colo = run(hand_inputs, network_storage_share=0.2, gpu_life_years=1), run(
        hand_inputs, network_storage_share=0.2, gpu_life_years=1, **COLO)
    for item in ("capex_gpu_initial", "capex_gpu_refresh", "capex_network_storage", "capex_it", "it_fleet_cost"):
        assert total(colo, item) == 0, item
    assert total(cloud, "capex_gpu_initial") == pytest.approx(100 * 10_000)  # the cloud case does buy GPUs
    assert total(colo, "capex_works") == pytest.approx(1e6)  # 1 MW x EUR 1 M per MW, as in the GPU cloud
    assert total(colo, "capex_works") == pytest.approx(total(cloud, "capex_works"))
    assert colo.scalar("p", "capex_initial") == pytest.approx(1e6)
    assert colo.summary.loc["p", "gpus"] == 0 and colo.summary.loc["p", "it_mw"] == pytest.approx(1.0)


def test_rent_is_kw_times_price_times_months(hand_inputs):
    res = run(hand_inputs, colo_occupancy=0.8, **COLO)
    rent = 1000 * 0.8 * 100.0 * MONTHS_IN_SERVICE_2025  # leased kW x EUR/kW/month x months
    assert total(res, "revenue_colocation") == pytest.approx(rent)
    assert total(res, "revenue") == pytest.approx(rent)  # no GPU-hours
    assert total(res, "gpu_hours_sold") == 0
    np.testing.assert_allclose(res.values["p"]["colo_leased_kw"].ravel(), [0, 0] + [800.0] * 10)


def test_rent_escalates_each_lease_year_and_renews_at_the_inflated_opening_rent(tmp_path):
    plan = {**HAND_PLAN, **COLO, "colo_escalation": 0.10, "colo_lease_years": 2.0, "opex_inflation": 0.05}
    res = run(write_inputs(tmp_path / "in", plan, {"p": HAND_PHASE}, horizon_years=3))
    # service from March 2025: lease year 1 = 12 months at 1, year 2 = 12 months at 1.1, then a new lease
    # from March 2027 at the opening rent x 1.05^2 (2 years of inflation) for the 10 months to December 2027
    by_hand = 1000 * 100.0 * (12 * 1.0 + 12 * 1.1 + 10 * 1.05 ** 2)
    assert total(res, "revenue_colocation") == pytest.approx(by_hand)
    rent = res.values["p"]["revenue_colocation"].ravel()
    assert rent[2] == pytest.approx(1e5) and rent[14] == pytest.approx(1.1e5) and rent[26] == pytest.approx(1.1025e5)


def test_power_passed_through_is_neither_cost_nor_revenue(hand_inputs):
    energy = 1.0 * 0.5 * HOURS_MAR_DEC_2025 * 1.5  # MW x busy share x hours x PUE [MWh]
    through = run(hand_inputs, colo_power="passed_through", **COLO)
    included = run(hand_inputs, colo_power="included", **COLO)
    for res in (through, included):
        assert total(res, "facility_energy_mwh") == pytest.approx(energy)  # the facility draws it either way
        assert total(res, "revenue") == pytest.approx(1000 * 100.0 * MONTHS_IN_SERVICE_2025)  # rent only
    assert total(through, "opex_electricity") == 0
    assert total(included, "opex_electricity") == pytest.approx(energy * 100.0)  # EUR 100/MWh
    assert total(included, "ebitda") == pytest.approx(total(through, "ebitda") - energy * 100.0)


def test_gpu_opex_vanishes_and_jobs_follow_the_facility(hand_inputs):
    rates = dict(it_support_rate=0.1, network_opex_eur_per_mw_year=12_000.0, sga_eur_per_mw_year=24_000.0,
                 colo_sga_eur_per_mw_year=6_000.0, insurance_rate=0.012)
    cloud, colo = run(hand_inputs, **rates), run(hand_inputs, **rates, **COLO)
    assert total(cloud, "opex_it_support") > 0 and total(colo, "opex_it_support") == 0
    assert total(colo, "opex_network") == 0
    assert total(colo, "opex_sga") == pytest.approx(6_000.0 / 12 * 1.0 * MONTHS_IN_SERVICE_2025)
    assert total(colo, "opex_insurance") == pytest.approx(0.012 / 12 * 1e6 * MONTHS_IN_SERVICE_2025)  # works only
    np.testing.assert_allclose(colo.values["p"]["staff_fte"], cloud.values["p"]["staff_fte"])  # 2 FTE per MW
    np.testing.assert_allclose(colo.values["p"]["jobs_construction"], cloud.values["p"]["jobs_construction"])


def test_no_gpu_loans_against_gpus_that_do_not_exist(hand_inputs):
    debt = dict(gpu_debt_share=0.5, vendor_share=0.2, senior_share=0.5, senior_profile=1)
    res = run(hand_inputs, **debt, **COLO)
    assert res.scalar("p", "gpu_debt_commitment") == 0 and res.scalar("p", "vendor_commitment") == 0
    assert res.scalar("p", "senior_commitment") > 0  # the facility is still financed


def test_costs_per_gpu_hour_are_n_a_for_colocation_and_left_out_of_the_total(tmp_path):
    inputs = write_inputs(tmp_path / "in", HAND_PLAN, {"a": HAND_PHASE, "b": HAND_PHASE})
    res = run(inputs, **{"b.business_model": "colocation"})
    for col in ("lcoc_eur_per_gpu_hour", "lcoc_eur_per_pflop_hour", "breakeven_eur_per_gpu_hour", "co2_g_per_gpu_hour"):
        assert np.isnan(res.summary.loc["b", col]), col  # n/a
        assert np.isfinite(res.summary.loc["total", col]), col  # the plan's figure is still a number
    assert res.scalar("b", "lcoc") == 0 and res.scalar("b", "has_gpu_hours") == 0  # a number in the workbook
    # b sells no GPU-hours and its costs are left out: the plan's cost per GPU-hour is a's
    assert res.summary.loc["total", "lcoc_eur_per_gpu_hour"] == pytest.approx(res.summary.loc["a", "lcoc_eur_per_gpu_hour"])
    assert res.cost_stack.loc["total"].drop("lcoc").sum() == pytest.approx(res.cost_stack.loc["total", "lcoc"])
    assert res.cost_stack.loc["b"].isna().all()
    assert res.summary.loc["total", "capex_eur"] == pytest.approx(res.summary.loc["a", "capex_eur"] + 1e6)
    assert any("b: colocation: the tenants own the GPUs" in w for w in res.warnings)


def test_colocation_scenario_reads_every_phase_as_colocation():
    res = finmodel.run("colocation")
    assert res.summary.loc["total", "gpus"] == 0 and res.scalar("total", "capex_it") == 0
    assert np.isnan(res.summary.loc["total", "lcoc_eur_per_gpu_hour"])
    mw = sum(float(res.inputs.values[f"{p}.it_mw"]) for p in res.inputs.phases)
    assert res.summary.loc["total", "it_mw"] == pytest.approx(mw)  # the announced MW are built
    assert "colocation" in set(finmodel.list_scenarios().name)
    cloud = finmodel.run()  # the same facilities as the default GPU cloud, whatever generations it buys
    assert res.scalar("total", "capex_initial") == pytest.approx(float(np.sum(cloud.values["total"]["capex_works"])))
    np.testing.assert_allclose(res.values["total"]["capex_works"], cloud.values["total"]["capex_works"])


@pytest.mark.parametrize("field, value, shown, allowed", [
    ("business_model", "landlord", "'landlord'", "'gpu_cloud' (code 0), 'colocation' (code 1)"),
    ("colo_power", "metered", "'metered'", "'included' (code 0), 'passed_through' (code 1)"),
    ("colo_lease_years", 0.0, "0", "a number > 0 and <= 50 [yr]"),
    ("colo_price_eur_per_kw_month", -5.0, "-5", "a number >= 0 and <= 10000 [EUR/kW/month]"),
    ("colo_escalation", -0.01, "-0.01", ">= 0"),
    ("colo_occupancy", 1.5, "1.5", "<= 1"),
])
def test_bad_colocation_inputs_get_one_clear_error(field, value, shown, allowed, tmp_path):
    inputs = write_inputs(tmp_path / "bad", {**HAND_PLAN, field: value}, {"p": HAND_PHASE})
    p = one_problem(inputs)
    assert p.file.endswith("plan.toml") and p.field == f"inputs.{field}"
    assert shown in p.message and allowed in p.message, p.message
    # the same from a phase override
    p = one_problem(write_inputs(tmp_path / "bad_phase", HAND_PLAN, {"p": {**HAND_PHASE, field: value}}))
    assert p.file.endswith("phases.toml") and p.field == f"p.{field}" and shown in p.message


def test_cli_says_n_a_and_why(hand_inputs, capsys):
    import finmodel.cli

    assert finmodel.cli.main(["summary", "--inputs-dir", str(hand_inputs), "--set", "business_model=colocation"]) == 0
    out = capsys.readouterr()
    assert "levelized cost per GPU-hour (total) = n/a: no GPU-hours (colocation: the tenants own the GPUs)" in out.out
    assert "p: colocation: the tenants own the GPUs" in out.err

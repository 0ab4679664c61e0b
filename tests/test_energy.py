"""Energy, heat and carbon by hand (issue 12).

The conftest hand case (1 MW, 100 GPUs, PUE 1.5, utilisation 0.5, idle GPUs draw nothing, no ramp),
run over two years with a grid carbon intensity of 50 g/kWh in 2025 and 100 g/kWh in 2026; full
service from April 2025, so 2026 is the first full year at full service.
"""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs
from tests.test_validation import edit, one_problem


@pytest.fixture(scope="module")
def res(tmp_path_factory):
    folder = write_inputs(tmp_path_factory.mktemp("energy") / "inputs", {**HAND_PLAN, "heat_recoverable_share": 0.5},
                          {"p": {**HAND_PHASE, "heat_offtake_share": 0.4}}, horizon_years=2,
                          carbon={2025: 50.0, 2026: 100.0, 2027: 100.0})
    return finmodel.run(inputs_dir=folder)


def test_facility_energy_is_it_energy_times_pue(res):
    v = res.values["p"]
    hours = res.time["hours_in_month"]
    in_service = (np.arange(24) >= 2).astype(float)  # from March 2025
    np.testing.assert_allclose(v["it_energy_mwh"].ravel(), 1 * hours * 0.5 * in_service)
    np.testing.assert_allclose(v["facility_energy_mwh"].ravel(), 1.5 * 1 * hours * 0.5 * in_service)
    # heat delivered: IT energy x 0.5 recoverable x 0.4 taken by the network
    np.testing.assert_allclose(v["heat_sold_mwh"].ravel(), 0.2 * hours * 0.5 * in_service)


def test_emissions_are_energy_times_intensity(res):
    e = res.energy.loc["p"]
    # 2026: 8,760 h x 0.5 MW busy x PUE 1.5 = 6,570 MWh; x 100 g/kWh = 657 t CO2
    assert e.loc[2026, "facility_energy_gwh"] == pytest.approx(6.57)
    assert e.loc[2026, "emissions_t_co2"] == pytest.approx(657.0)
    # 2025: March-December = 306 days x 24 h x 0.75 MW = 5,508 MWh; x 50 g/kWh = 275.4 t
    assert e.loc[2025, "emissions_t_co2"] == pytest.approx(5508 * 0.05)
    assert e.loc[2026, "share_fr_consumption"] == pytest.approx(6570 / 450e6)
    assert e.loc[2026, "share_rte_dc_forecast"] == pytest.approx(6570 / 15e6)
    assert e.loc[2026, "heat_delivered_gwh"] == pytest.approx(8760 * 0.5 * 0.2 / 1e3)


def test_headline_energy_and_carbon(res):
    s = res.summary.loc["p"]
    assert s["energy_twh_per_yr"] == pytest.approx(6570 / 1e6)  # first full year at full service: 2026
    # facility kWh per GPU-hour = 0.75 MW x 1000 / (100 GPUs x 0.5) = 15, in every month in service
    assert res.scalar("p", "kwh_per_gpu_hour") == pytest.approx(15.0)
    # CO2: 15 kWh x 50 g in 2025's 7,344 service hours, x 100 g in 2026's 8,760
    hours_2025, hours_2026 = 7344, 8760
    expected = 15 * (50 * hours_2025 + 100 * hours_2026) / (hours_2025 + hours_2026)
    assert s["co2_g_per_gpu_hour"] == pytest.approx(expected)


def test_no_full_year_at_full_service_is_not_a_number(hand_inputs):
    # one year, full service from April: no full calendar year at full service in the horizon
    assert np.isnan(finmodel.run(inputs_dir=hand_inputs).summary.loc["p", "energy_twh_per_yr"])


def test_carbon_curve_with_missing_years(default_inputs_copy):
    edit(default_inputs_copy / "curves" / "grid_carbon_intensity.csv", "2031,21.7\n2032,21.7\n", "")
    p = one_problem(default_inputs_copy)
    assert p.file.endswith("grid_carbon_intensity.csv") and p.field == "year"
    assert p.message == "missing years 2031-2032; the curve needs every year 2025-2040"


def test_carbon_curve_with_a_negative_value(default_inputs_copy):
    edit(default_inputs_copy / "curves" / "grid_carbon_intensity.csv", "2030,21.7", "2030,-5")
    p = one_problem(default_inputs_copy)
    assert p.file.endswith("grid_carbon_intensity.csv") and p.field == "line 7, value"
    assert p.message == "-5 is out of range; allowed: a number >= 0 and <= 2000 [gCO2/kWh]"

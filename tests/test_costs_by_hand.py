"""Hand-computed cases for the cost bases and their timing (issue 12).

Built on the one-phase hand case of conftest (1 MW, 100 GPUs at EUR 10,000, shell EUR 1 M/MW,
building life 10 years, everything else zero) with one cost switched on at a time.
"""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs

IN_SERVICE = np.array([0, 0] + [1] * 10, dtype=float)  # stage 1 in service from March 2025


def run(tmp_path, plan=None, phase=None):
    folder = write_inputs(tmp_path / "inputs", {**HAND_PLAN, **(plan or {})}, {"p": {**HAND_PHASE, **(phase or {})}})
    return finmodel.run(inputs_dir=folder).values["p"]


def test_maintenance_by_base_and_sga(tmp_path):
    # facility maintenance 12 %/yr = 1 %/month of the EUR 1 M of works; IT support 24 %/yr = 2 %/month of the
    # EUR 1 M GPU fleet; SG&A EUR 120,000 per MW-year = EUR 10,000 a month for 1 MW, all from March
    v = run(tmp_path, {"facility_maintenance_rate": 0.12, "it_support_rate": 0.24, "sga_eur_per_mw_year": 120_000})
    np.testing.assert_allclose(v["opex_facility_maintenance"].ravel(), 10_000 * IN_SERVICE)
    np.testing.assert_allclose(v["opex_it_support"].ravel(), 20_000 * IN_SERVICE)
    np.testing.assert_allclose(v["opex_sga"].ravel(), 10_000 * IN_SERVICE)


def test_stage2_works_depreciate_and_are_maintained_from_its_service_date(tmp_path):
    # two stages of 0.5 MW: stage 1 built Jan-Feb (EUR 250,000 a month), in service from March; stage 2 built
    # Mar-Jun (EUR 125,000 a month), in service from July. Building life 120 months.
    v = run(tmp_path, {"facility_maintenance_rate": 0.12},
            {"stage1_share": 0.5, "stage1_online": "2025-03", "full_online": "2025-07"})
    np.testing.assert_allclose(v["capex_shell"].ravel(), [250_000] * 2 + [125_000] * 4 + [0] * 6)
    in_service = np.array([0, 0] + [500_000] * 4 + [1_000_000] * 6)
    np.testing.assert_allclose(v["works_in_service"].ravel(), in_service)
    np.testing.assert_allclose(v["dep_building"].ravel(), in_service / 120, rtol=1e-12)
    np.testing.assert_allclose(v["opex_facility_maintenance"].ravel(), in_service * 0.01, rtol=1e-12)


HOURS = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], dtype=float)  # 2025 by month


def test_each_stage_ramps_from_its_own_service_date(tmp_path):
    # 50 + 50 GPUs, stage 1 from March, stage 2 from July; utilisation 0.5 reached linearly over 4 months
    v = run(tmp_path, {"ramp_months": 4}, {"stage1_share": 0.5, "stage1_online": "2025-03", "full_online": "2025-07"})
    ramp1 = np.array([0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1, 1, 1, 1])
    ramp2 = np.array([0, 0, 0, 0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1])
    expected = (50 * ramp1 + 50 * ramp2) * 0.5 * HOURS
    np.testing.assert_allclose(v["gpu_hours_sold"].ravel(), expected, rtol=1e-12)
    # stage 2's first month is a quarter of full utilisation, not full utilisation
    assert v["gpu_hours_sold"].ravel()[6] == pytest.approx((50 + 50 * 0.25) * 0.5 * 744)


def test_gpu_deposit_is_paid_lead_time_before_service(tmp_path):
    # 100 GPUs x EUR 10,000 in service from March; 30 % paid at order 2 months before (January), 70 % on delivery
    v = run(tmp_path, {"gpu_deposit_share": 0.3, "gpu_lead_time_months": 2})
    np.testing.assert_allclose(v["capex_gpu_initial"].ravel(), [300_000, 0, 700_000] + [0] * 9)
    # depreciation still starts at service, on the whole fleet
    np.testing.assert_allclose(v["dep_it"].ravel(), IN_SERVICE * 1_000_000 / 120, rtol=1e-12)


def test_gpu_deposit_per_stage(tmp_path):
    # two stages of 50 GPUs (service March and July), lead time 2 months, deposit 40 %
    v = run(tmp_path, {"gpu_deposit_share": 0.4, "gpu_lead_time_months": 2},
            {"stage1_share": 0.5, "stage1_online": "2025-03", "full_online": "2025-07"})
    expected = np.zeros(12)
    expected[[0, 4]] = 0.4 * 500_000  # orders in January and May
    expected[[2, 6]] = 0.6 * 500_000  # deliveries in March and July
    np.testing.assert_allclose(v["capex_gpu_initial"].ravel(), expected)


def test_opex_line_indexed_by_inflation(tmp_path):
    # connectivity EUR 120,000 per MW-year = EUR 10,000 a month at model-start prices, +10 %/yr from January 2025
    folder = write_inputs(tmp_path / "inputs", {**HAND_PLAN, "network_opex_eur_per_mw_year": 120_000, "opex_inflation": 0.10},
                          {"p": HAND_PHASE}, horizon_years=2)
    v = finmodel.run(inputs_dir=folder).values["p"]
    months = np.arange(24)
    expected = 10_000 * 1.1 ** (months / 12) * (months >= 2)
    np.testing.assert_allclose(v["opex_network"].ravel(), expected, rtol=1e-12)
    assert v["opex_network"].ravel()[12] == pytest.approx(11_000)  # January 2026: one year of 10 %


def test_construction_escalation_and_contingency(tmp_path):
    # EUR 1 M of shell at model-start prices over Jan-Feb, +20 % contingency, prices +10 %/yr from January
    v = run(tmp_path, {"construction_escalation": 0.10, "works_contingency": 0.2})
    np.testing.assert_allclose(v["capex_shell"].ravel()[:2], [500_000 * 1.2, 500_000 * 1.2 * 1.1 ** (1 / 12)], rtol=1e-12)
    # what was paid is what depreciates (from March, over 120 months)
    paid = 600_000 * (1 + 1.1 ** (1 / 12))
    assert v["dep_building"].ravel()[2] == pytest.approx(paid / 120)


def test_receivables_days_shift_cash_by_one_month(tmp_path):
    # 365/12 days of receivables = one month of revenue uncollected: each month's revenue arrives a month
    # later, and what is outstanding in the last month is released (collected) then
    base = run(tmp_path / "a")
    late = run(tmp_path / "b", {"receivables_days": 365 / 12})
    revenue = base["revenue"].ravel()  # EUR 2 x 100 GPUs x 0.5 x hours from March
    receivable = revenue.copy()
    receivable[-1] = 0.0
    shift = receivable - np.r_[0.0, receivable[:-1]]
    np.testing.assert_allclose(late["fcf"].ravel(), base["fcf"].ravel() - shift, rtol=1e-12)
    assert late["fcf"].ravel()[2] == pytest.approx(base["fcf"].ravel()[2] - 100 * 744)  # March's revenue not in
    assert late["fcf"].ravel()[-1] == pytest.approx(base["fcf"].ravel()[-1] + 100 * 720)  # November's comes in
    assert np.sum(late["fcf"]) == pytest.approx(np.sum(base["fcf"]))  # all of it is collected in the end


def test_payables_days_delay_opex_payments(tmp_path):
    # 365/12 days of payables = each month's opex (electricity, EUR 75 x hours from March) paid a month later
    base = run(tmp_path / "a")
    late = run(tmp_path / "b", {"payables_days": 365 / 12})
    opex = base["opex_total"].ravel().copy()
    opex[-1] = 0.0
    np.testing.assert_allclose(late["fcf"].ravel(), base["fcf"].ravel() + opex - np.r_[0.0, opex[:-1]], rtol=1e-12)

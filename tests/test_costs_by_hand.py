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

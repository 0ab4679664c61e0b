"""Fleet sizing: the announced GPU count or the announced MW binds (fleet_basis), by hand.

The hand case (conftest): 100 GPUs and 1 MW announced, GPUs bought in March 2025
at USD 10,000 (1 USD/EUR), shell EUR 1 M per MW, one stage.
"""

import numpy as np
import pytest

import finmodel
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs
from tests.test_validation import one_problem


def run(inputs, **overrides):
    return finmodel.run(inputs_dir=inputs, overrides=overrides)


def test_power_basis_fills_the_announced_mw(hand_inputs):
    res = run(hand_inputs, fleet_basis="power", **{"g1.kw_per_gpu": 2.5})
    v = res.values["p"]
    gpus = 1 * 1000 / 2.5  # IT MW x 1000 / kW per GPU = 400
    np.testing.assert_allclose(v["gpus_online"].ravel(), [0, 0] + [gpus] * 10)
    np.testing.assert_allclose(v["mw_online"].ravel(), [0, 0] + [1.0] * 10)
    assert v["capex_gpu_initial"].sum() == pytest.approx(gpus * 10_000)
    assert v["capex_shell"].sum() == pytest.approx(1e6)  # the announced MW are built
    assert res.summary.loc["p", "gpus"] == pytest.approx(400) and res.summary.loc["p", "it_mw"] == pytest.approx(1.0)


def test_gpu_basis_builds_the_mw_the_announced_gpus_need(hand_inputs):
    res = run(hand_inputs, fleet_basis="gpus", **{"g1.kw_per_gpu": 2.5})
    v = res.values["p"]
    mw = 100 * 2.5 / 1000  # GPUs x kW per GPU / 1000 = 0.25 MW
    np.testing.assert_allclose(v["gpus_online"].ravel(), [0, 0] + [100.0] * 10)
    np.testing.assert_allclose(v["mw_online"].ravel(), [0, 0] + [mw] * 10)
    assert v["capex_shell"].sum() == pytest.approx(1e6 * mw)
    assert v["it_energy_mwh"].sum() == pytest.approx(mw * 0.5 * 24 * 306)  # 0.5 utilisation, idle share 0, Mar-Dec


def test_both_readings_are_computed_whichever_binds(hand_inputs):
    for basis in ("gpus", "power"):
        res = run(hand_inputs, fleet_basis=basis, **{"g1.kw_per_gpu": 4.0})
        assert res.scalar("p", "gpus_power_reading") == pytest.approx(250)  # 1 MW / 4 kW
        assert res.scalar("p", "mw_gpus_reading") == pytest.approx(0.4)  # 100 x 4 kW


def test_a_phase_may_take_its_own_reading(tmp_path):
    inputs = write_inputs(tmp_path / "inputs", {**HAND_PLAN, "kw_per_gpu": 2.0}, {"a": HAND_PHASE, "b": HAND_PHASE})
    res = run(inputs, **{"a.fleet_basis": "power", "b.fleet_basis": "gpus"})
    assert res.summary.loc["a", "gpus"] == pytest.approx(500) and res.summary.loc["a", "it_mw"] == pytest.approx(1)
    assert res.summary.loc["b", "gpus"] == pytest.approx(100) and res.summary.loc["b", "it_mw"] == pytest.approx(0.2)
    assert res.summary.loc["total", "gpus"] == pytest.approx(600)


def test_default_takes_the_power_reading_and_shows_both():
    res = finmodel.run()
    ann = res.announcements.set_index(["id", "metric"])
    rows = ann.xs("gpus_if_power_binds", level="metric")
    assert len(rows) >= 1
    mw_rows = ann.xs("it_mw_if_gpus_bind", level="metric")
    # Grand Est's 1,000,000 GPUs at their peak need, refreshed into Feynman and its successors (4.4 kW each, generations.toml): 4,400 MW
    assert mw_rows.loc["grand_est_2030", "bottom_up"] == pytest.approx(1_000_000 * 4.4 / 1000)
    assert mw_rows.loc["grand_est_2030", "announced"] == 1200
    assert any("fleet_basis 'power'" in w for w in res.warnings)


def test_unknown_fleet_basis_gets_one_clear_error(hand_inputs, tmp_path):
    p = one_problem(hand_inputs, overrides={"fleet_basis": "megawatts"})
    assert p.field == "fleet_basis" and "'megawatts'" in p.message and "'gpus'" in p.message and "'power'" in p.message
    inputs = write_inputs(tmp_path / "bad", {**HAND_PLAN, "fleet_basis": "chips"}, {"p": HAND_PHASE})
    p = one_problem(inputs)
    assert p.file.endswith("plan.toml") and p.field == "inputs.fleet_basis" and "'chips'" in p.message and "'power'" in p.message

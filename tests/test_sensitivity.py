"""Tornado and break-evens, checked against plain `finmodel.run(overrides=...)` runs.

Every expectation is an independent run of the model (or a figure read from
inputs/ with tomllib), never a number copied from an earlier output.
"""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR
from finmodel.inputs import load_inputs
from finmodel.model import evaluate
from finmodel.sensitivity import BREAKEVEN_DRIVERS, DRIVERS, breakeven, breakevens, solve_breakevens, tornado

PLAN = tomllib.loads((DEFAULT_INPUTS_DIR / "plan.toml").read_text())
GENERATIONS = tomllib.loads((DEFAULT_INPUTS_DIR / "generations.toml").read_text())

#: how the issue says each driver applies: scaled GPU-generation fields, scaled plan inputs, or one plan input set
SCALED_GENERATION = {"gpu_price": ("gpu_price_usd",), "gpu_hour_price": ("gpu_hour_price_usd", "contract_price_usd"),
                     "contract_price": ("contract_price_usd",)}
SCALED_PLAN = {"capex_per_mw": ("shell_capex_eur_per_mw", "electrical_capex_eur_per_mw",
                                "cooling_capex_eur_per_mw", "heat_reuse_capex_eur_per_mw")}
SET_PLAN = ("gpu_hour_price_decline", "utilisation", "power_price_eur_per_mwh", "pue", "discount_rate",
            "gpu_life_years", "usd_per_eur", "contracted_share")


def overrides_for(driver: str, x: float) -> dict[str, float]:
    """The overrides that put a driver at x, built from the files (default scenario has no overrides)."""
    if driver in SCALED_GENERATION:  # every generation's value of each field
        return {f"{g}.{f}": GENERATIONS[g][f]["value"] * x for g in GENERATIONS for f in SCALED_GENERATION[driver]}
    if driver in SCALED_PLAN:
        return {name: PLAN["inputs"][name]["value"] * x for name in SCALED_PLAN[driver]}
    assert driver in SET_PLAN
    return {driver: x}


def total(res, item: str) -> float:
    return res.scalar("total", item)


@pytest.fixture(scope="module")
def torn():
    return tornado()


@pytest.fixture(scope="module")
def base_run():
    return finmodel.run()


@pytest.fixture(scope="module")
def default_breakevens():
    with pytest.warns(RuntimeWarning, match="no break-even"):
        return breakevens()


# --- tornado -------------------------------------------------------------------

def test_tornado_has_every_driver_of_the_issue(torn):
    assert set(torn.index) == set(SCALED_GENERATION) | set(SCALED_PLAN) | set(SET_PLAN) == set(DRIVERS)


def test_tornado_base_column_equals_run(torn, base_run):
    for col, item in (("npv_base", "npv"), ("lcoc_base", "lcoc")):
        assert torn[col].to_numpy() == pytest.approx(np.full(len(torn), total(base_run, item)), rel=1e-12, abs=0)


@pytest.mark.parametrize("driver", sorted(DRIVERS))
def test_tornado_ends_equal_run_with_overrides(torn, driver):
    row = torn.loc[driver]
    for end in ("low", "high"):
        res = finmodel.run(overrides=overrides_for(driver, row[end]))
        assert row[f"npv_{end}"] == pytest.approx(total(res, "npv"), rel=1e-12, abs=0)
        assert row[f"lcoc_{end}"] == pytest.approx(total(res, "lcoc"), rel=1e-12, abs=0)


def test_tornado_ranges_come_from_the_benchmarks(torn):
    for driver in SET_PLAN:  # plan inputs: the file's own low/high
        figure = PLAN["inputs"][driver]
        assert (torn.loc[driver, "low"], torn.loc[driver, "high"]) == (figure["low"], figure["high"])
        assert torn.loc[driver, "base"] == figure["value"]
    # scaled inputs: factors around 1, from the benchmarks.md ranges the sources cite
    assert torn.loc["gpu_price", ["low", "high"]].tolist() == pytest.approx([2.0 / 3.4, 4.0 / 3.4])  # USD 2-4 M per NVL72 rack
    assert torn.loc["gpu_hour_price", ["low", "high"]].tolist() == pytest.approx([2.65 / 3.0, 3.2 / 3.0])  # B200 contract
    assert torn.loc["capex_per_mw", ["low", "high"]].tolist() == pytest.approx([9 / 13.5, 17 / 13.5])  # EUR 9-17 M/MW
    assert torn.loc["contract_price", ["low", "high"]].tolist() == pytest.approx([2.3 / 3.2, 3.5 / 3.2])  # IREN to B200 top
    for driver in (*SCALED_GENERATION, *SCALED_PLAN):
        assert torn.loc[driver, "low"] < torn.loc[driver, "base"] == 1.0 < torn.loc[driver, "high"]
    for driver in DRIVERS:
        assert "benchmarks.md" in torn.loc[driver, "source"]
    months = torn.loc["gpu_life_years", ["low", "high"]].to_numpy() * 12
    assert months.tolist() == [48, 72]


def test_tornado_sorted_by_npv_swing(torn):
    swing = (torn.npv_high - torn.npv_low).abs()
    assert torn.npv_swing.to_numpy() == pytest.approx(swing.to_numpy(), rel=1e-12)
    assert (np.diff(torn.npv_swing.to_numpy()) <= 0).all()


def test_tornado_signs_make_sense(torn):
    """Costs up -> NPV down; prices and utilisation up -> NPV up; a shorter GPU life -> NPV down."""
    for driver in ("gpu_price", "capex_per_mw", "power_price_eur_per_mwh", "pue", "gpu_hour_price_decline"):
        assert torn.loc[driver, "npv_high"] < torn.loc[driver, "npv_base"] < torn.loc[driver, "npv_low"], driver
    for driver in ("gpu_hour_price", "utilisation", "contracted_share", "contract_price"):
        assert torn.loc[driver, "npv_low"] < torn.loc[driver, "npv_base"] < torn.loc[driver, "npv_high"], driver
    # a longer life is not better in every case: its last year rents a GPU whose merchant price has fallen from its
    # generation's availability while a refresh would buy a new generation at its new price; a 4-year life, one more
    # full-price purchase, is worse than both
    life = torn.loc["gpu_life_years"]
    assert life.npv_low < life.npv_base and life.npv_low < life.npv_high


def test_tornado_metric_and_entity():
    df = tornado(metric="irr_annual", entity="alixan", drivers=["discount_rate", "utilisation"])
    res = finmodel.run(overrides={"utilisation": df.loc["utilisation", "high"]})
    assert df.loc["utilisation", "irr_annual_high"] == pytest.approx(res.scalar("alixan", "irr_annual"), rel=1e-9)
    assert df.loc["discount_rate", "irr_annual_swing"] == pytest.approx(0, abs=1e-12)  # IRR ignores the discount rate


# --- break-evens ---------------------------------------------------------------

def test_gpu_hour_price_breakeven_gives_zero_npv(default_breakevens, base_run):
    f = breakeven("gpu_hour_price")
    assert default_breakevens.loc["gpu_hour_price", "value"] == f
    res = finmodel.run(overrides=overrides_for("gpu_hour_price", f))
    assert abs(total(res, "npv")) <= 1.0
    # a genuine sign change, not a flat spot
    assert total(finmodel.run(overrides=overrides_for("gpu_hour_price", f * 0.999)), "npv") < 0
    assert total(finmodel.run(overrides=overrides_for("gpu_hour_price", f * 1.001)), "npv") > 0
    # the new-generation price in EUR of alixan's first generation (GB300, bought Dec 2026); the pre-tax break-even
    # (every generation at one price) is not comparable: the factor keeps each generation's own price
    eur = GENERATIONS["gb300"]["gpu_hour_price_usd"]["value"] * f / PLAN["inputs"]["usd_per_eur"]["value"]
    assert default_breakevens.loc["gpu_hour_price", "eur_per_gpu_hour"] == pytest.approx(eur, rel=1e-12)


def test_breakeven_of_one_phase():
    f = breakeven("gpu_hour_price", entity="alixan")
    res = finmodel.run(overrides=overrides_for("gpu_hour_price", f))
    assert abs(res.scalar("alixan", "npv")) <= 1.0
    assert abs(res.scalar("total", "npv")) > 1e6  # the other phases are not at break-even


def test_utilisation_has_no_breakeven_up_to_full_utilisation(default_breakevens):
    assert math.isnan(default_breakevens.loc["utilisation", "value"])
    assert "no break-even" in default_breakevens.loc["utilisation", "message"]
    assert total(finmodel.run(overrides={"utilisation": 1.0}), "npv") < 0
    with pytest.warns(RuntimeWarning, match="no break-even utilisation"):
        assert math.isnan(breakeven("utilisation"))


def test_power_price_breakeven(default_breakevens):
    """No root on the default inputs (NPV < 0 even with free power); a root once GPU-hours sell higher."""
    assert math.isnan(default_breakevens.loc["power_price_eur_per_mwh", "value"])
    assert total(finmodel.run(overrides={"power_price_eur_per_mwh": 0.0}), "npv") < 0
    dearer = overrides_for("gpu_hour_price", 1.1 * default_breakevens.loc["gpu_hour_price", "value"])  # 10 % above break-even
    assert total(finmodel.run(overrides=dearer), "npv") > 0
    p = breakeven("power_price_eur_per_mwh", overrides=dearer)
    assert PLAN["inputs"]["power_price_eur_per_mwh"]["value"] < p <= 1000
    assert abs(total(finmodel.run(overrides={**dearer, "power_price_eur_per_mwh": p}), "npv")) <= 1.0


def test_npv_rises_with_gpu_hour_price():
    factors = np.linspace(0.5, 2.5, 9)
    npvs = [total(finmodel.run(overrides=overrides_for("gpu_hour_price", f)), "npv") for f in factors]
    assert (np.diff(npvs) > 0).all()


def test_breakevens_table(default_breakevens):
    assert list(default_breakevens.index) == list(BREAKEVEN_DRIVERS)
    assert {"value", "unit", "base", "lo", "hi", "npv", "eur_per_gpu_hour", "message"} <= set(default_breakevens.columns)
    assert default_breakevens.loc["utilisation", ["lo", "hi"]].tolist() == [0, 1]


def test_breakeven_rejects_unknown_driver_and_entity():
    with pytest.raises(ValueError, match="unknown driver"):
        breakeven("gpu_colour")
    with pytest.raises(ValueError, match="unknown entity"):
        solve_breakevens(["gpu_hour_price"], entity="mars")
    with pytest.raises(ValueError, match="whole months"):
        breakeven("gpu_life_years")


def npv_at(scenario: str | None, driver: str, x: float) -> float:
    """The total NPV with one driver at x, one model evaluation of one value (built from the files)."""
    return float(np.asarray(evaluate(load_inputs(scenario, overrides=overrides_for(driver, x)), only=["npv"])[1]["total"]["npv"]).reshape(-1)[0])


def bisect(scenario: str | None, driver: str, a: float, b: float, width: float) -> tuple[float, float]:
    """A bracket [a, b] of the NPV root no wider than ``width``, by plain bisection, one value at a time."""
    fa, fb = npv_at(scenario, driver, a), npv_at(scenario, driver, b)
    assert fa * fb < 0  # a sign change across the starting bracket
    while b - a > width:
        m = 0.5 * (a + b)
        fm = npv_at(scenario, driver, m)
        a, fa, b, fb = (m, fm, b, fb) if fm * fa > 0 else (a, fa, m, fm)
    return a, b


def test_roots_solved_together_agree_with_bisection_one_value_at_a_time():
    # the contracted scenario has two break-evens (GPU-hour price and power price) and no utilisation one
    with pytest.warns(RuntimeWarning, match="no break-even utilisation"):
        found = {b.driver: b for b in solve_breakevens(BREAKEVEN_DRIVERS, "contracted")}
    for driver, a, b, width in (("gpu_hour_price", 0.5, 1.5, 1e-5), ("power_price_eur_per_mwh", 0.0, 1000.0, 1e-3)):
        lo, hi = bisect("contracted", driver, a, b, width)
        assert lo <= found[driver].value <= hi, driver
        assert abs(npv_at("contracted", driver, found[driver].value)) <= 1.0
    assert math.isnan(found["utilisation"].value)
    assert npv_at("contracted", "utilisation", 0.0) > 0 and npv_at("contracted", "utilisation", 1.0) > 0


def test_breakevens_share_their_model_evaluations(monkeypatch):
    # three drivers, two without a root: one evaluation holds every driver's grid, then each refinement step one more
    import finmodel.sensitivity as sensitivity

    rows = []

    def counted(inputs, only=None):
        rows.append(max(np.shape(v)[0] if np.ndim(v) == 2 else 1 for v in inputs.values.values()))
        return evaluate(inputs, only)

    monkeypatch.setattr(sensitivity, "evaluate", counted)
    with pytest.warns(RuntimeWarning, match="no break-even"):
        table = breakevens()
    assert rows[0] == 3 * 200  # every driver's grid in the first evaluation
    assert len(rows) <= 3 < 2 * len(BREAKEVEN_DRIVERS)  # was a grid and a re-evaluation per driver, plus refinement
    assert sum(rows) == table["evaluations"].sum()

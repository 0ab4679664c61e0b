"""Properties that hold for any valid inputs (hypothesis over drivers within their spec ranges).

- no NaN or infinite figure in the headline columns or in any monthly EUR row;
- capex, opex (bar the heat credit, a negative cost by design) and jobs are never negative;
- the consolidated 'total' is the sum of the phases for every EUR row and for NPV;
- the levelized cost is linear in costs: every cost input x k (price fixed) gives k x LCOC.
"""

from __future__ import annotations

import tomllib

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR
from tests.conftest import GEN, HAND_GENERATION, HAND_PHASE, HAND_PLAN, write_inputs

# the number of examples: the hypothesis profile in conftest.py
SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

DEFAULT_PHASES = ("alixan", "grand_est_a", "grand_est_b", "south")
#: every generation of the default table (generations.toml), so a cost scaling reaches each of them
DEFAULT_GENERATIONS = tuple(tomllib.loads((DEFAULT_INPUTS_DIR / "generations.toml").read_text(encoding="utf-8")))
FINITE_SUMMARY = ("npv_eur", "capex_eur", "lcoc_eur_per_gpu_hour", "jobs_permanent_2030")

#: plan-wide inputs that are money per unit of something (scale with the cost level)
PLAN_COSTS = ("power_price_eur_per_mwh", "shell_capex_eur_per_mw", "electrical_capex_eur_per_mw",
              "cooling_capex_eur_per_mw", "heat_reuse_capex_eur_per_mw", "grid_connection_eur_per_mw",
              "remediation_eur_per_ha", "network_opex_eur_per_mw_year", "local_tax_eur_per_mw_year", "sga_eur_per_mw_year",
              "loaded_cost_eur_per_fte",
              # the heat credit is a negative cost inside the LCOC's opex: its price scales too
              "heat_price_eur_per_mwh")
#: per-phase cost inputs
#: per-generation cost inputs (generations.toml)
GENERATION_COSTS = ("gpu_price_usd",)
# Not scaled, because they are not money: facility_maintenance_rate, it_support_rate and insurance_rate (shares of capex,
# which already scales), network_storage_share, usd_per_eur (it would also move the price),
# tax and discount rates, quantities (GPUs, MW, FTE/MW, PUE, utilisation).


@pytest.fixture(scope="module")
def hand_dir(tmp_path_factory):
    """The hand case, written once for the module (hypothesis reruns the test body many times)."""
    return write_inputs(tmp_path_factory.mktemp("hand") / "inputs", HAND_PLAN, {"p": HAND_PHASE})


@pytest.fixture(scope="module")
def default_values():
    return finmodel.load_inputs(inputs_dir=DEFAULT_INPUTS_DIR).values


def floats(lo, hi):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def drivers(generations: tuple[str, ...]):
    """Overrides for a handful of drivers, each within its spec range (prices for every GPU generation)."""
    plan = st.fixed_dictionaries({
        "discount_rate": floats(0.001, 0.5),
        "utilisation": floats(0.051, 1.0),
        "pue": floats(1.0, 3.0),
        "power_price_eur_per_mwh": floats(0, 1000),
        "corporate_tax_rate": floats(0, 0.6),
        "fte_per_mw": floats(0, 50),
        "idle_power_share": floats(0, 1),
        "heat_price_eur_per_mwh": floats(0, 200),
        "wage_escalation": floats(-0.1, 0.2),
        "gpu_hour_price_decline": floats(0, 0.9),
        "ramp_months": floats(1, 60),
        "gpu_life_years": st.integers(12, 120).map(lambda m: m / 12),
    })
    per_phase = st.fixed_dictionaries({
        **{f"{g}.gpu_price_usd": floats(1, 1e6) for g in generations},
        **{f"{g}.gpu_hour_price_usd": floats(0, 1000) for g in generations},
    })
    # a GPU loan is repaid within the GPU life (an input check): the default 48 months, shorter lives their own
    return st.tuples(plan, per_phase).map(
        lambda t: {**t[0], **t[1], "gpu_debt_tenor_months": min(48, round(t[0]["gpu_life_years"] * 12))})


def eur_rows(res):
    cf = res.cashflows
    return cf[cf.unit == "EUR"]


def check_finite(res) -> None:
    head = res.summary[list(FINITE_SUMMARY)]
    assert np.isfinite(head.to_numpy(dtype=float)).all(), head
    rows = eur_rows(res)
    not_finite = rows[~np.isfinite(rows.value.to_numpy(dtype=float))]
    assert not_finite.empty, not_finite.groupby(["phase", "line_item"]).size()


def check_not_negative(res) -> None:
    cf = res.cashflows
    item = cf.line_item
    # opex_total is net of the heat credit, so it may be negative too (power price 0, heat sold)
    costs = ((item.str.startswith("capex_") | item.str.startswith("opex_")) & ~item.isin(["opex_heat_credit", "opex_total"])
             & (cf.unit == "EUR"))
    jobs = item.str.startswith("jobs_") | (item == "staff_fte")
    negative = cf[(costs | jobs) & (cf.value < 0)]
    assert negative.empty, negative.groupby(["phase", "line_item"]).value.min()
    assert (res.summary.capex_eur >= 0).all() and (res.summary.jobs_permanent_2030 >= 0).all()
    assert (cf[item == "opex_heat_credit"].value <= 0).all()


def check_total_is_sum_of_phases(res) -> None:
    rows = eur_rows(res)
    wide = rows.pivot_table(index=["line_item", "period"], columns="phase", values="value", sort=False)
    phases = list(res.inputs.phases)
    wide = wide.dropna(subset=["total"])
    summed = wide[phases].sum(axis=1)
    scale = wide[phases].abs().sum(axis=1) + 1.0
    err = (wide["total"] - summed).abs() / scale
    assert (err < 1e-9).all(), err.groupby(level="line_item").max().sort_values().tail()
    s = res.summary
    for col in ("npv_eur", "capex_eur", "jobs_permanent_2030"):
        assert s.loc["total", col] == pytest.approx(s.loc[phases, col].sum(), rel=1e-9, abs=1e-3), col


def scaled(base: dict, k: float, generations: tuple[str, ...]) -> dict:
    out = {name: base[name] * k for name in PLAN_COSTS}
    out.update({f"{g}.{f}": base[f"{g}.{f}"] * k for g in generations for f in GENERATION_COSTS})
    return out


# --- hand case -----------------------------------------------------------------

@SETTINGS
@given(overrides=drivers((GEN,)))
def test_hand_case_figures_finite_and_signs(hand_dir, overrides):
    res = finmodel.run(inputs_dir=hand_dir, overrides=overrides)
    check_finite(res)
    check_not_negative(res)


@SETTINGS
@given(k=floats(0.05, 10), other=st.fixed_dictionaries({
    "discount_rate": floats(0.001, 0.5), "utilisation": floats(0.051, 1.0), "pue": floats(1, 3),
    "corporate_tax_rate": floats(0, 0.6), "fte_per_mw": floats(0, 50), f"{GEN}.gpu_hour_price_usd": floats(0, 1000)}))
def test_hand_case_levelized_cost_is_linear_in_costs(hand_dir, k, other):
    base = {**{n: float(HAND_PLAN[n]) for n in PLAN_COSTS}, **{f"{GEN}.{f}": float(HAND_GENERATION[f]) for f in GENERATION_COSTS}}
    one = finmodel.run(inputs_dir=hand_dir, overrides={**other, **scaled(base, 1.0, (GEN,))})
    kk = finmodel.run(inputs_dir=hand_dir, overrides={**other, **scaled(base, k, (GEN,))})
    for col in ("lcoc_eur_per_gpu_hour", "breakeven_eur_per_gpu_hour"):
        assert kk.headlines.loc["p", col] == pytest.approx(k * one.headlines.loc["p", col], rel=1e-9), col
    np.testing.assert_allclose(kk.values["p"]["residual_value"], k * one.values["p"]["residual_value"], rtol=1e-9)


# --- shipped inputs (four phases) ------------------------------------------------

def month(year: int, m: int) -> str:
    return f"{year + (m - 1) // 12}-{(m - 1) % 12 + 1:02d}"


@st.composite
def schedule(draw, phase: str):
    """Phase size, stage split and dates: construction, then stage 1, then full service, within 2025-2040."""
    # stage 1 from March 2025 on, when the first GPU generation (GB200, generations.toml) is available
    c = draw(st.integers(2, 120), label=f"{phase} construction month")
    build1 = draw(st.integers(1, 36), label=f"{phase} build 1 months")
    s1 = c + build1
    full = s1 + draw(st.integers(1, 36), label=f"{phase} build 2 months")
    # GPUs are ordered after works start: within this build and the shortest default one (Alixan, 11 months)
    lead = draw(st.integers(0, min(build1, 11)), label="GPU lead time months")
    return {
        "gpu_lead_time_months": lead,
        f"{phase}.construction_start": month(2025, c), f"{phase}.stage1_online": month(2025, s1),
        f"{phase}.full_online": month(2025, full), f"{phase}.stage1_share": draw(floats(0, 1)),
        f"{phase}.gpus": draw(st.integers(1, 10**6)), f"{phase}.it_mw": draw(floats(0.1, 2000)),
        f"{phase}.site_area_ha": draw(floats(0, 100)), f"{phase}.heat_offtake_share": draw(floats(0, 1)),
    }


@SETTINGS
@given(overrides=drivers(DEFAULT_GENERATIONS), scenario=st.sampled_from(["nov_2025", "feb_2025", "nov_2025_delayed"]),
       phase=st.sampled_from(DEFAULT_PHASES), data=st.data())
def test_default_inputs_figures_finite_signs_and_consolidation(overrides, scenario, phase, data):
    if data.draw(st.booleans(), label="redraw one phase's schedule"):
        overrides = {**overrides, **data.draw(schedule(phase))}
    res = finmodel.run(scenario, inputs_dir=DEFAULT_INPUTS_DIR, overrides=overrides)
    check_finite(res)
    check_not_negative(res)
    check_total_is_sum_of_phases(res)


@SETTINGS
@given(k=floats(0.05, 10), other=st.fixed_dictionaries({
    "discount_rate": floats(0.001, 0.5), "utilisation": floats(0.051, 1.0), "pue": floats(1, 3),
    "corporate_tax_rate": floats(0, 0.6), "fte_per_mw": floats(0, 50), "facility_maintenance_rate": floats(0, 0.5),
    "insurance_rate": floats(0, 0.2), "wage_escalation": floats(-0.1, 0.2)}))
def test_default_inputs_levelized_cost_is_linear_in_costs(default_values, k, other):
    # headlines: the summary without the searched break-evens (the finite-and-signs test exercises those)
    one = finmodel.run(inputs_dir=DEFAULT_INPUTS_DIR, overrides=other)
    kk = finmodel.run(inputs_dir=DEFAULT_INPUTS_DIR, overrides={**other, **scaled(default_values, k, DEFAULT_GENERATIONS)})
    for entity in (*DEFAULT_PHASES, "total"):
        for col in ("lcoc_eur_per_gpu_hour", "breakeven_eur_per_gpu_hour"):
            assert kk.headlines.loc[entity, col] == pytest.approx(k * one.headlines.loc[entity, col], rel=1e-9), (entity, col)
        np.testing.assert_allclose(kk.values[entity]["residual_value"], k * one.values[entity]["residual_value"], rtol=1e-9)
        np.testing.assert_allclose(kk.values[entity]["lcoc_costs"], k * one.values[entity]["lcoc_costs"], rtol=1e-9, atol=1e-6)

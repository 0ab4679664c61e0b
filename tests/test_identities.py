"""Identities the model must satisfy, on the shipped inputs and the hand case.

Every expectation is computed here from the inputs or from other rows by an
independent route (sums over phases, masks over calendar months, scaling
arguments), never copied from a previous model run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import finmodel
from conftest import HAND_PHASE, HAND_PLAN, write_inputs
from finmodel.irr import sign_changes
from finmodel.items.levelized import STACK
from finmodel.registry import PHASE_ITEMS

SCENARIOS = [None, "feb_2025", "nov_2025_delayed"]  # None = the default scenario
SUM_ITEMS = [it.name for it in PHASE_ITEMS if it.consolidate == "sum"]
EUR_FLOW_ITEMS = [it.name for it in PHASE_ITEMS if it.kind == "row" and it.unit == "EUR" and it.show_total]

#: plan-wide inputs that are costs [EUR per something]; the heat price enters as a negative cost
PLAN_COSTS = (
    "shell_capex_eur_per_mw", "electrical_capex_eur_per_mw", "cooling_capex_eur_per_mw", "heat_reuse_capex_eur_per_mw",
    "grid_connection_eur_per_mw", "remediation_eur_per_ha", "power_price_eur_per_mwh", "loaded_cost_eur_per_fte",
    "network_opex_eur_per_mw_year", "local_tax_eur_per_mw_year", "sga_eur_per_mw_year", "heat_price_eur_per_mwh",
)
PHASE_COSTS = ("gpu_price_usd",)  # a GPU generation's field (generations.toml)


_CACHE: dict = {}


def run(scenario=None, overrides=None):
    """finmodel.run, cached per scenario when there are no overrides (the runs are read-only here)."""
    if overrides:
        return finmodel.run(scenario, overrides=overrides)
    if scenario not in _CACHE:
        _CACHE[scenario] = finmodel.run(scenario)
    return _CACHE[scenario]


def flat(a) -> np.ndarray:
    return np.asarray(a, dtype=float).reshape(-1)


def year_masks(res) -> dict[int, np.ndarray]:
    years = np.array([d.year for d in res.periods])
    return {int(y): years == y for y in np.unique(years)}


# --- consolidation ---------------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("item", SUM_ITEMS)
def test_total_is_sum_of_phases(scenario, item):
    res = run(scenario)
    phases = res.inputs.phases
    expected = np.zeros_like(flat(res.values[phases[0]][item]))
    for p in phases:
        expected = expected + flat(res.values[p][item])
    np.testing.assert_allclose(flat(res.values["total"][item]), expected, rtol=1e-12, atol=0)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("item", ["npv", "pv_gpu_hours", "capex_initial"])
def test_linear_recomputed_scalars_add_up(scenario, item):
    """NPV, PV(GPU-hours) and initial capex are linear in the phases' rows, so the recomputed total is the sum."""
    res = run(scenario)
    expected = sum(res.scalar(p, item) for p in res.inputs.phases)
    assert res.scalar("total", item) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_cumulative_fcf_of_total_is_sum_of_phases(scenario):
    res = run(scenario)
    expected = sum(np.cumsum(flat(res.values[p]["fcf"])) for p in res.inputs.phases)
    np.testing.assert_allclose(flat(res.values["total"]["fcf_cum"]), expected, rtol=1e-10, atol=1e-3)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_total_lcoc_is_pv_hours_weighted_mean_of_phases(scenario):
    """lcoc = PV(costs) / PV(hours): the total is the phases' lcoc weighted by their PV(hours)."""
    res = run(scenario)
    ph = res.inputs.phases
    w = np.array([res.scalar(p, "pv_gpu_hours") for p in ph])
    for name in ["lcoc", *(s[0] for s in STACK)]:
        v = np.array([res.scalar(p, name) for p in ph])
        assert res.scalar("total", name) == pytest.approx(np.sum(v * w) / np.sum(w), rel=1e-10), name


# --- levelized cost scales with costs ----------------------------------------

def doubled_costs(res) -> dict:
    """Overrides that double every cost input, plan-wide and per phase (including any phase override)."""
    vals = res.inputs.values
    out = {}
    for key, v in vals.items():
        name = key.split(".")[-1]
        if ("." not in key and name in PLAN_COSTS) or ("." in key and name in PLAN_COSTS + PHASE_COSTS):
            out[key] = 2 * np.asarray(v, dtype=float).item()
    for g in res.inputs.generations:
        assert f"{g}.gpu_price_usd" in out
    assert set(PLAN_COSTS) <= set(out)
    return out


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_doubling_every_cost_doubles_lcoc(scenario):
    base = run(scenario)
    dbl = run(scenario, overrides=doubled_costs(base))
    for e in base.entities:
        lcoc = base.scalar(e, "lcoc")
        assert np.isfinite(lcoc) and lcoc > 0
        assert dbl.scalar(e, "lcoc") == pytest.approx(2 * lcoc, rel=1e-12, abs=0), e
        assert dbl.scalar(e, "breakeven_price") == pytest.approx(2 * base.scalar(e, "breakeven_price"), rel=1e-12), e
        # GPU-hours do not depend on costs
        assert dbl.scalar(e, "pv_gpu_hours") == pytest.approx(base.scalar(e, "pv_gpu_hours"), rel=1e-14), e
        for name, *_ in STACK:
            assert dbl.scalar(e, name) == pytest.approx(2 * base.scalar(e, name), rel=1e-12, abs=1e-15), (e, name)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_cost_stack_adds_up_to_lcoc(scenario):
    base = run(scenario)
    for res in (base, run(scenario, overrides=doubled_costs(base))):
        cs = res.cost_stack
        names = [s[0] for s in STACK]
        for e in res.entities:
            parts = [res.scalar(e, n) for n in names]
            assert sum(parts) == pytest.approx(res.scalar(e, "lcoc"), rel=1e-12), e
            assert cs.loc[e, names].sum() == pytest.approx(cs.loc[e, "lcoc"], rel=1e-12), e


# --- NPV against the discount rate (hand case, a conventional project) -------

@pytest.fixture
def profitable_hand_case(tmp_path):
    # EUR 5/GPU-h: EBITDA = (100 x 0.5 x 5 - 75) x hours = 175 x hours a month from March
    return write_inputs(tmp_path / "inputs", HAND_PLAN, {"p": {**HAND_PHASE, "gpu_hour_price_usd": 5.0}})


def test_npv_falls_as_discount_rate_rises(profitable_hand_case):
    hours = np.array([744, 672, 744, 720, 744, 720, 744, 744, 720, 744, 720, 744], dtype=float)
    in_service = np.r_[0, 0, np.ones(10)]
    fcf = 175 * hours * in_service - np.r_[500_000, 500_000, 1_000_000, np.zeros(9)]
    fcf[-1] += 2 * (1_000_000 - 10 * 1_000_000 / 120)  # residual value: book value of IT + building
    assert sign_changes(fcf).item() == 1  # conventional: outflows, then inflows

    rates = [0.001, 0.02, 0.05, 0.10, 0.20, 0.35, 0.5]
    npvs = []
    for r in rates:
        res = finmodel.run(inputs_dir=profitable_hand_case, overrides={"discount_rate": r})
        assert res.summary.loc["p", "irr_sign_changes"] == 1
        np.testing.assert_allclose(flat(res.values["p"]["fcf"]), fcf, rtol=1e-12)
        npv = res.summary.loc["p", "npv_eur"]
        assert npv == pytest.approx(np.sum(fcf * (1 + r) ** -(np.arange(1, 13) / 12)), rel=1e-12)
        npvs.append(npv)
    assert npvs[0] > 0
    assert all(a > b for a, b in zip(npvs, npvs[1:])), npvs
    # the IRR separates positive from negative NPVs
    irr = res.summary.loc["p", "irr"]
    for r, npv in zip(rates, npvs):
        assert (npv > 0) == (r < irr), (r, npv, irr)


# --- the announced plan -----------------------------------------------------

def test_default_plan_headline_figures():
    res = run()
    phases = res.inputs.phases
    gpus = sum(res.inputs.values[f"{p}.gpus"] for p in phases)
    mw = sum(res.inputs.values[f"{p}.it_mw"] for p in phases)
    assert gpus > 1_000_000
    assert 1400 <= mw <= 1600
    # fleet_basis 'power': the announced MW are built and each stage holds its MW x 1000 / kW per GPU of the
    # generation it buys (generations.toml): Alixan GB300 (2026-12, 2.0 kW) and Rubin (2027-12, 3.0 kW); Grand Est
    # Rubin Ultra (2028-12) and Feynman (2030-12), South Feynman (2029-12, 2030-12), both 4.4 kW
    kw = {"alixan": (2.0, 3.0), "grand_est_a": (4.4, 4.4), "grand_est_b": (4.4, 4.4), "south": (4.4, 4.4)}
    gpus = sum(res.inputs.values[f"{p}.it_mw"] * 1000 * (0.5 / kw[p][0] + 0.5 / kw[p][1]) for p in phases)
    assert res.summary.loc["total", "gpus"] == pytest.approx(gpus)
    assert res.summary.loc["total", "it_mw"] == pytest.approx(mw)
    # everything is in service by the end of the horizon, refreshed into Feynman's successors (4.4 kW, as Feynman)
    assert flat(res.values["total"]["gpus_online"])[-1] == pytest.approx(mw * 1000 / 4.4)
    assert flat(res.values["total"]["mw_online"])[-1] == pytest.approx(mw)


def test_default_alixan_schedule():
    res = run()
    cf = res.cashflows
    mw = cf[(cf.phase == "alixan") & (cf.line_item == "mw_online")].set_index("date").value
    assert (mw.index == res.periods).all()
    dates = res.periods
    assert (mw[dates < "2026-12-01"] == 0).all()
    assert (mw[(dates >= "2026-12-01") & (dates < "2027-12-01")] == 40).all()
    assert len(mw[(dates >= "2026-12-01") & (dates < "2027-12-01")]) == 12
    assert (mw[dates >= "2027-12-01"] == 80).all()
    np.testing.assert_array_equal(mw.to_numpy(), flat(res.values["alixan"]["mw_online"]))


def test_feb_2025_alixan_is_40_mw():
    res = run("feb_2025")
    assert res.scalar("alixan", "it_mw_full") == 40
    mw = flat(res.values["alixan"]["mw_online"])
    assert mw.max() == 40
    assert (mw[res.periods >= "2027-12-01"] == 40).all()
    assert (mw[(res.periods >= "2026-12-01") & (res.periods < "2027-12-01")] == 20).all()
    # the other phases are as in the default scenario
    base = run()
    for p in res.inputs.phases:
        if p != "alixan":
            np.testing.assert_array_equal(flat(res.values[p]["mw_online"]), flat(base.values[p]["mw_online"]))


def _first_month(res, phase, item) -> pd.Timestamp:
    v = flat(res.values[phase][item])
    return res.periods[np.flatnonzero(v > 0)[0]]


def test_delayed_scenario_moves_alixan_gpu_purchase_by_12_months():
    base, late = run(), run("nov_2025_delayed")
    # the GPUs' deposit is paid gpu_lead_time_months (6) before service
    for item, first in (("gpus_bought_initial", "2026-12-01"), ("capex_gpu_initial", "2026-06-01"), ("mw_online", "2026-12-01")):
        b, d = _first_month(base, "alixan", item), _first_month(late, "alixan", item)
        assert b == pd.Timestamp(first), item
        assert (d.year - b.year) * 12 + (d.month - b.month) == 12, item
    # a year later each stage buys the next generation (generations.toml): GB300 (2.0 kW) and Rubin (3.0 kW) on time,
    # Rubin and Rubin Ultra (4.4 kW) late, so the 80 MW hold fewer GPUs
    assert flat(base.values["alixan"]["gpus_bought_initial"]).sum() == pytest.approx(40_000 / 2.0 + 40_000 / 3.0)
    assert flat(late.values["alixan"]["gpus_bought_initial"]).sum() == pytest.approx(40_000 / 3.0 + 40_000 / 4.4)
    # construction start is unchanged
    assert _first_month(late, "alixan", "capex_shell") == _first_month(base, "alixan", "capex_shell") == pd.Timestamp("2026-01-01")


# --- annual roll-ups ----------------------------------------------------------

@pytest.mark.parametrize("scenario", SCENARIOS)
def test_annual_eur_flows_add_up_to_monthly(scenario):
    res = run(scenario)
    ann = res.annual
    masks = year_masks(res)
    for e in res.entities:
        for item in EUR_FLOW_ITEMS:
            if item not in res.values[e]:
                continue
            monthly = flat(res.values[e][item])
            tol = 1e-10 * max(1.0, np.abs(monthly).sum())
            a = ann[(ann.phase == e) & (ann.line_item == item)].set_index("year").value
            assert a.sum() == pytest.approx(monthly.sum(), abs=tol), (e, item)
            assert sorted(a.index) == sorted(masks)
            for y, mask in masks.items():
                assert a[y] == pytest.approx(monthly[mask].sum(), abs=tol), (e, item, y)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_jobs_by_year_are_monthly_averages(scenario):
    res = run(scenario)
    jobs = res.jobs
    masks = year_masks(res)
    columns = {"jobs_construction": "jobs_construction", "jobs_engineering": "jobs_engineering",
               "jobs_maintenance": "jobs_maintenance", "jobs_research": "jobs_research",
               "jobs_security": "jobs_security", "staff_fte": "jobs_direct", "jobs_indirect": "jobs_indirect",
               "jobs_total": "jobs_total"}
    for e in res.entities:
        for item, col in columns.items():
            monthly = flat(res.values[e][item])
            for y, mask in masks.items():
                assert jobs.loc[(e, y), col] == pytest.approx(monthly[mask].mean(), rel=1e-12, abs=1e-9), (e, col, y)
        # the report-year scalar is the same average
        y = int(res.inputs.values["jobs_report_year"])
        permanent = flat(res.values[e]["staff_fte"]) + flat(res.values[e]["jobs_indirect"])
        assert res.scalar(e, "jobs_permanent_2030") == pytest.approx(permanent[masks[y]].mean(), rel=1e-12)
    # the direct categories split direct staff
    cats = ["jobs_engineering", "jobs_maintenance", "jobs_research", "jobs_security"]
    np.testing.assert_allclose(jobs[cats].sum(axis=1), jobs["jobs_direct"], rtol=1e-12, atol=1e-9)

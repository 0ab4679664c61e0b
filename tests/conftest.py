"""Shared test fixtures: small input folders written from Python dicts; the default Results and its report,
computed once per test session (writing the default report takes seconds: modules read one copy)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR
from finmodel.spec import GENERATION_FIELDS, GENERATION_SPECS, SPECS

# hypothesis (tests/test_fuzz.py, tests/test_properties.py): 25 fresh examples per test in an ordinary run (no
# example database: each run tries others); HYPOTHESIS_PROFILE=deep tries 1,000
settings.register_profile("finmodel", max_examples=25, deadline=None, database=None)
settings.register_profile("deep", settings.get_profile("finmodel"), max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "finmodel"))

#: the slowest test files (LibreOffice and Gnumeric, package builds, real processes, Monte Carlo), started first:
#: each file runs whole on one xdist worker (pyproject.toml), so the workers finish together
SLOW_FIRST = ("test_workbook_recalc.py", "test_install.py", "test_workbook_print.py", "test_report_safety.py",
              "test_hostile_inputs.py", "test_risk_sheets.py")


def pytest_addoption(parser):
    """Without pytest-xdist (a .venv made before it joined the test extra: re-run scripts/setup.sh), accept
    pyproject's xdist options and run in one process."""
    try:
        import xdist  # noqa: F401
    except ImportError:
        group = parser.getgroup("xdist missing: the tests run in one process")
        group.addoption("--numprocesses", default=None, help="ignored (pytest-xdist not installed)")
        group.addoption("--maxprocesses", default=None, help="ignored (pytest-xdist not installed)")
        group.addoption("--dist", default=None, help="ignored (pytest-xdist not installed)")
        group.addoption("--no-loadscope-reorder", action="store_true", help="ignored (pytest-xdist not installed)")


def pytest_collection_modifyitems(items):
    """The files of SLOW_FIRST first, in that order; the others after, in their usual order."""
    rank = {name: k for k, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))


#: a one-phase plan simple enough to work out by hand (see test_hand_case.py)
HAND_PLAN = dict(
    months_per_year=12, hours_per_day=24, hours_per_year=8766, eur_per_million=1e6, kw_per_mw=1000, kwh_per_mwh=1000,
    mwh_per_twh=1e6, g_per_tonne=1e6, days_per_year=365, construction_escalation=0.0, works_contingency=0.0,
    opex_inflation=0.0, receivables_days=0.0, payables_days=0.0, fr_consumption_twh=450.0, rte_dc_forecast_twh=15.0,
    discount_rate=0.10, usd_per_eur=1.0, corporate_tax_rate=0.0, irr_guess=0.1,
    power_price_eur_per_mwh=100.0, pue=1.5, idle_power_share=0.0, utilisation=0.5, ramp_months=1,
    gpu_hour_price_decline=0.0, contracted_share=0.0, contract_years=5.0, prepaid_share=0.0,
    gpu_deposit_share=0.0, gpu_lead_time_months=0, network_storage_share=0.0,
    fleet_basis="gpus",
    business_model="gpu_cloud", colo_price_eur_per_kw_month=100.0, colo_lease_years=10.0, colo_escalation=0.0,
    colo_occupancy=1.0, colo_power="passed_through", colo_sga_eur_per_mw_year=0,
    shell_capex_eur_per_mw=1e6, electrical_capex_eur_per_mw=0, cooling_capex_eur_per_mw=0,
    heat_reuse_capex_eur_per_mw=0, grid_connection_eur_per_mw=0, remediation_eur_per_ha=0,
    gpu_life_years=10, building_life_years=10, mep_life_years=10,
    facility_maintenance_rate=0, it_support_rate=0, sga_eur_per_mw_year=0, insurance_rate=0, network_opex_eur_per_mw_year=0, local_tax_eur_per_mw_year=0,
    fte_per_mw=2, loaded_cost_eur_per_fte=0, wage_escalation=0,
    staff_share_engineering=0.25, staff_share_maintenance=0.25, staff_share_research=0.25, staff_share_security=0.25,
    heat_recoverable_share=0, heat_price_eur_per_mwh=0,
    construction_job_years_per_mw=10, indirect_jobs_per_direct=1.5, jobs_report_year=2025,
    announcement_tolerance=0.25,
    # peer ranges wide enough that the hand case is inside them
    peer_revenue_eur_per_mw_year_low=0, peer_revenue_eur_per_mw_year_high=1e9, peer_ebitda_margin_low=-10,
    peer_ebitda_margin_high=1, peer_capex_eur_per_mw_low=0, peer_capex_eur_per_mw_high=1e9,
    # financing: none (all equity), so the hand case's equity cash flow is its free cash flow
    repay_annuity=1, repay_straight=2, repay_sculpted=3, cost_of_equity=0.10, base_rate=0.0,
    senior_share=0.0, senior_margin=0.01, senior_fee=0.0, senior_tenor_months=12, senior_profile=3,
    gpu_debt_share=0.0, gpu_debt_margin_ig=0.01, gpu_debt_margin_non_ig=0.01, offtake_ig_share=0.0,
    gpu_debt_fee=0.0, gpu_debt_tenor_months=12, gpu_debt_profile=1,
    vendor_share=0.0, vendor_margin=0.01, vendor_fee=0.0, vendor_tenor_months=12, vendor_profile=2,
    shareholder_loan_share=0.0, shareholder_loan_rate=0.0, cash_sweep_dscr=1.2, cash_sweep_share=0.0,
    grant_share=0.0, dscr_target=1.35, dscr_covenant=1.1, dscr_cap=10, dsra_months=0, working_capital_months=0,
    loss_cap_threshold_eur=1e6, loss_cap_share=0.5, interest_cap_floor_eur=3e6, interest_cap_share=0.3,
    dscr_test_period_months=1, tax_instalment_share=0.25, tax_instalment_interval_months=3, tax_balance_month=5,
)
HAND_PHASE = dict(
    gpus=100, it_mw=1, stage1_share=1.0, construction_start="2025-01", stage1_online="2025-03",
    full_online="2025-04", site_area_ha=0, heat_offtake_share=0,
)
#: the hand case's one GPU generation (generations.toml), available before any purchase
HAND_GENERATION = dict(available="2020-01", gpu_price_usd=10_000, kw_per_gpu=10.0, pflops_per_gpu=5.0,
                       gpu_hour_price_usd=2.0, contract_price_usd=2.0)
GEN = "g1"  # its name: overrides "g1.gpu_price_usd"



def _toml_value(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return repr(v)


def write_inputs(folder: Path, plan: dict, phases: dict[str, dict], *, start="2025-01", horizon_years=1,
                 scenarios: dict | None = None, curve: dict[int, float] | None = None, announcements: str = "",
                 carbon: dict[int, float] | None = None, generations: dict[str, dict] | None = None) -> Path:
    """Write a complete inputs folder: plan.toml, phases.toml, generations.toml, scenarios.toml, the curves, announcements.

    ``curve``: power price index by year (default 1.0); ``carbon``: grid carbon intensity by year (default 50 gCO2/kWh).
    ``generations``: default one generation GEN = HAND_GENERATION, with any generation field given in
    ``plan`` or (the same in every phase) in ``phases`` on top, so a hand case can say
    ``{**HAND_PHASE, "gpu_price_usd": 40_000}``.
    """
    units = {s.name: s.unit for s in (*SPECS, *GENERATION_SPECS)}
    if generations is None:
        own = {k: v for k, v in plan.items() if k in GENERATION_FIELDS}
        for fields in phases.values():
            for k in GENERATION_FIELDS:
                if k in fields:
                    assert own.get(k, fields[k]) == fields[k], f"phases differ in {k}: give generations= instead"
                    own[k] = fields[k]
        generations = {GEN: {**HAND_GENERATION, **own}}
    plan = {k: v for k, v in plan.items() if k not in GENERATION_FIELDS}
    phases = {p: {k: v for k, v in f.items() if k not in GENERATION_FIELDS} for p, f in phases.items()}
    lines = []
    for gen, fields in generations.items():
        lines += [f"[{gen}]", f'label = "{gen}"']
        lines += [f'{k} = {{ value = {_toml_value(v)}, unit = "{units.get(k, "-")}", source = "test" }}' for k, v in fields.items()]
        lines.append("")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "generations.toml").write_text("\n".join(lines))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "curves").mkdir(exist_ok=True)
    lines = ["[model]", f'start = "{start}"', f"horizon_years = {horizon_years}",
             f"phases = {_toml_value(list(phases))}", 'default_scenario = "base"', "",
             "[curves.power_price_index]", 'file = "curves/power_price_index.csv"', 'unit = "-"', 'source = "test"', "",
             "[curves.grid_carbon_intensity]", 'file = "curves/grid_carbon_intensity.csv"', 'unit = "gCO2/kWh"',
             'source = "test"', ""]
    for name, value in plan.items():
        lines += [f"[inputs.{name}]", f"value = {_toml_value(value)}", f'unit = "{units[name]}"', 'source = "test"', ""]
    (folder / "plan.toml").write_text("\n".join(lines))
    lines = []
    for phase, fields in phases.items():
        lines += [f"[{phase}]", f'label = "{phase}"']
        lines += [f'{k} = {{ value = {_toml_value(v)}, unit = "{units[k]}", source = "test" }}' for k, v in fields.items()]
        lines.append("")
    (folder / "phases.toml").write_text("\n".join(lines))
    scen = scenarios or {"base": {}}
    lines = []
    for name, overrides in scen.items():
        lines += [f"[{name}]", f'label = "{name}"', 'reading = "test"', f"[{name}.overrides]"]
        lines += [f'"{k}" = {_toml_value(v)}' for k, v in overrides.items()] + [""]
    (folder / "scenarios.toml").write_text("\n".join(lines))
    first = int(start[:4])
    curve = curve or {y: 1.0 for y in range(first, first + horizon_years + 1)}
    (folder / "curves" / "power_price_index.csv").write_text("year,value\n" + "".join(f"{y},{v}\n" for y, v in curve.items()))
    carbon = carbon or {y: 50.0 for y in range(first, first + horizon_years + 1)}
    (folder / "curves" / "grid_carbon_intensity.csv").write_text("year,value\n" + "".join(f"{y},{v}\n" for y, v in carbon.items()))
    (folder / "announcements.toml").write_text(announcements)
    return folder


@pytest.fixture
def hand_inputs(tmp_path) -> Path:
    """The hand-computed one-phase case."""
    return write_inputs(tmp_path / "inputs", HAND_PLAN, {"p": HAND_PHASE})


@pytest.fixture
def default_inputs_copy(tmp_path) -> Path:
    """A copy of the shipped inputs/ folder that a test may break."""
    dst = tmp_path / "inputs"
    shutil.copytree(DEFAULT_INPUTS_DIR, dst)
    return dst


@pytest.fixture(scope="session")
def default_results():
    """The default scenario's Results, shared by the whole session: never change it."""
    return finmodel.run()


@pytest.fixture(scope="session")
def default_report(default_results, tmp_path_factory) -> tuple[Path, object]:
    """(path, layout) of the default Results' report, written once per session without SOURCE_DATE_EPOCH (its
    bytes are the clock-free ones). Read it; copy it before editing it."""
    from finmodel.excel.writer import write_report

    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)
        return write_report(default_results, tmp_path_factory.mktemp("default_report") / "report.xlsx",
                            finmodel.__version__)

"""Bad input gets a clear answer: one problem per mistake, naming the file, the field,
the value and what is allowed, and every problem listed at once."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest

import finmodel
from finmodel.inputs import InputError, Problem
from tests.conftest import HAND_PHASE, HAND_PLAN, write_inputs


def problems_of(inputs_dir: Path, scenario=None, overrides=None) -> list[Problem]:
    with pytest.raises(InputError) as info:
        finmodel.run(scenario, inputs_dir=inputs_dir, overrides=overrides)
    problems = info.value.problems
    text = str(info.value)
    for p in problems:  # every problem is in the exception's message
        assert str(p) in text
    return problems


def one_problem(inputs_dir: Path, **kw) -> Problem:
    problems = problems_of(inputs_dir, **kw)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def hand(tmp_path: Path, plan: dict | None = None, phase: dict | None = None, drop_plan=(), drop_phase=(), **kw) -> Path:
    """The hand case with some plan / phase fields replaced or dropped."""
    p = {k: v for k, v in {**HAND_PLAN, **(plan or {})}.items() if k not in drop_plan}
    ph = {k: v for k, v in {**HAND_PHASE, **(phase or {})}.items() if k not in drop_phase}
    return write_inputs(tmp_path / "inputs", p, {"p": ph}, **kw)


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == count, f"{old!r} found {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def in_file(problem: Problem, name: str) -> bool:
    return Path(problem.file).name == name


def test_hand_case_is_valid(hand_inputs):
    finmodel.run(inputs_dir=hand_inputs)


def test_shipped_inputs_are_valid(default_inputs_copy):
    for scenario in finmodel.list_scenarios(default_inputs_copy).name:
        finmodel.run(scenario, inputs_dir=default_inputs_copy)


# --- one mistake, one problem --------------------------------------------------

def test_missing_field_in_plan(tmp_path):
    p = one_problem(hand(tmp_path, drop_plan=["discount_rate"]))
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.discount_rate"
    assert "missing" in p.message
    assert "> 0" in p.message and "<= 0.5" in p.message and "1/yr" in p.message


def test_missing_field_in_a_phase(tmp_path):
    p = one_problem(hand(tmp_path, drop_phase=["gpus"]))
    assert in_file(p, "phases.toml")
    assert p.field == "p.gpus"
    assert "missing" in p.message and "GPU" in p.message


def test_missing_field_in_a_phase_of_the_shipped_inputs(default_inputs_copy):
    path = default_inputs_copy / "phases.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index("[south]")
    line = next(l for l in text[start:].splitlines() if l.startswith("site_area_ha"))
    edit(path, text[start:][: text[start:].index(line) + len(line) + 1], text[start:][: text[start:].index(line)])
    p = one_problem(default_inputs_copy)
    assert in_file(p, "phases.toml") and p.field == "south.site_area_ha" and "missing" in p.message


def test_unknown_field_suggests_the_right_name(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "[inputs.discount_rate]", "[inputs.discount_rat]")
    p = one_problem(default_inputs_copy)  # the typo, not also 'discount_rate is missing'
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.discount_rat"
    assert "did you mean 'discount_rate'" in p.message


def test_unknown_field_in_a_phase_suggests_the_right_name(tmp_path):
    folder = hand(tmp_path)
    edit(folder / "phases.toml", "site_area_ha =", "site_aera_ha =")
    p = one_problem(folder)
    assert in_file(p, "phases.toml") and p.field == "p.site_aera_ha"
    assert "did you mean 'site_area_ha'" in p.message


def test_wrong_type_string_for_a_number(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "value = 0.85\n", 'value = "high"\n')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.utilisation"
    assert "'high'" in p.message and "not a number" in p.message
    assert ">= 0" in p.message and "<= 1" in p.message


def test_list_where_a_number_goes(tmp_path):
    p = one_problem(hand(tmp_path, plan={"discount_rate": [0.1, 0.2]}))
    assert in_file(p, "plan.toml") and p.field == "inputs.discount_rate" and "list" in p.message


def test_negative_gpu_count(tmp_path):
    p = one_problem(hand(tmp_path, phase={"gpus": -5}))
    assert in_file(p, "phases.toml")
    assert p.field == "p.gpus"
    assert "-5" in p.message and "out of range" in p.message
    assert "whole number >= 0" in p.message


def test_negative_price(tmp_path):
    p = one_problem(hand(tmp_path, phase={"gpu_price_usd": -10_000.0}))
    assert in_file(p, "generations.toml")
    assert p.field == "g1.gpu_price_usd"
    assert "-10000" in p.message and "> 0" in p.message and "USD/GPU" in p.message


def test_negative_power_price(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "value = 80.0\n", "value = -80.0\n")
    p = one_problem(default_inputs_copy)
    assert in_file(p, "plan.toml") and p.field == "inputs.power_price_eur_per_mwh"
    assert "-80" in p.message and ">= 0" in p.message and "EUR/MWh" in p.message


def test_utilisation_over_one(tmp_path):
    p = one_problem(hand(tmp_path, plan={"utilisation": 1.2}))
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.utilisation"
    assert "1.2" in p.message and "<= 1" in p.message


def test_utilisation_over_one_as_a_phase_override(tmp_path):
    p = one_problem(hand(tmp_path, phase={"utilisation": 1.2}))
    assert in_file(p, "phases.toml") and p.field == "p.utilisation" and "1.2" in p.message and "<= 1" in p.message


def test_pue_below_one(tmp_path):
    p = one_problem(hand(tmp_path, plan={"pue": 0.9}))
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.pue"
    assert "0.9" in p.message and ">= 1" in p.message


def test_commissioning_before_construction(tmp_path):
    p = one_problem(hand(tmp_path, phase={"construction_start": "2025-05", "stage1_online": "2025-03", "full_online": "2025-06"}))
    assert in_file(p, "phases.toml")
    assert p.field == "p.stage1_online"
    assert "2025-03" in p.message and "construction_start 2025-05" in p.message and "allowed" in p.message


def test_commissioning_before_construction_in_the_shipped_inputs(default_inputs_copy):
    edit(default_inputs_copy / "phases.toml", 'stage1_online = { value = "2026-12"', 'stage1_online = { value = "2025-12"')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "phases.toml") and p.field == "alixan.stage1_online"
    assert "2025-12" in p.message and "2026-01" in p.message


def test_zero_mw_but_gpus(tmp_path):
    p = one_problem(hand(tmp_path, phase={"it_mw": 0.0}))
    assert in_file(p, "phases.toml")
    assert p.field == "p.it_mw"
    assert "0 MW" in p.message and "100 GPUs" in p.message and "> 0" in p.message


def test_zero_mw_and_zero_gpus_is_fine(tmp_path):
    finmodel.run(inputs_dir=hand(tmp_path, phase={"it_mw": 0.0, "gpus": 0}))


def test_unknown_scenario(default_inputs_copy):
    p = one_problem(default_inputs_copy, scenario="nov_2052")
    assert in_file(p, "scenarios.toml")
    assert p.field == "scenario"
    assert "'nov_2052'" in p.message and "nov_2025" in p.message and "feb_2025" in p.message


def test_unknown_default_scenario(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", 'default_scenario = "nov_2025"', 'default_scenario = "nov2025"')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "scenarios.toml") and p.field == "scenario" and "'nov2025'" in p.message


def test_override_of_an_input_that_does_not_exist(default_inputs_copy):
    p = one_problem(default_inputs_copy, overrides={"discount_rat": 0.09})
    assert p.file == "overrides"
    assert p.field == "discount_rat"
    assert "did you mean 'discount_rate'" in p.message


def test_override_of_a_phase_field_that_does_not_exist(default_inputs_copy):
    p = one_problem(default_inputs_copy, overrides={"alixan.gpu": 10})
    assert p.file == "overrides" and p.field == "alixan.gpu" and "did you mean 'alixan.gpus'" in p.message


def test_override_out_of_range(default_inputs_copy):
    p = one_problem(default_inputs_copy, overrides={"alixan.gpus": -1})
    assert p.file == "overrides" and p.field == "alixan.gpus" and "-1" in p.message and ">= 0" in p.message


def test_scenario_override_that_does_not_exist(default_inputs_copy):
    edit(default_inputs_copy / "scenarios.toml", '"alixan.it_mw" = 40.0', '"alixan.it_mwh" = 40.0')
    p = one_problem(default_inputs_copy, scenario="feb_2025")
    assert "scenarios.toml" in p.file and "feb_2025" in p.file
    assert p.field == "alixan.it_mwh" and "did you mean 'alixan.it_mw'" in p.message


def test_curve_with_missing_years(default_inputs_copy):
    edit(default_inputs_copy / "curves" / "power_price_index.csv", "2030,1.0612\n2031,1.0824\n", "")
    p = one_problem(default_inputs_copy)
    assert in_file(p, "power_price_index.csv")
    assert p.field == "year"
    assert "2030-2031" in p.message and "2025-2040" in p.message


def test_curve_with_a_non_number_names_the_line(default_inputs_copy):
    edit(default_inputs_copy / "curves" / "power_price_index.csv", "2029,1.0404", "2029,1.04O4")
    p = one_problem(default_inputs_copy)  # not also 'missing year 2029'
    assert in_file(p, "power_price_index.csv")
    assert p.field == "line 6, value"
    assert "'1.04O4'" in p.message and ">= 0" in p.message


def test_curve_with_a_bad_year_names_the_line(default_inputs_copy):
    edit(default_inputs_copy / "curves" / "power_price_index.csv", "2040,1.2936", "2040,1.2936\nyear2041,1.3")
    p = one_problem(default_inputs_copy)
    assert in_file(p, "power_price_index.csv") and p.field == "line 18, year" and "'year2041'" in p.message


def test_unit_that_differs_from_the_spec(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", 'value = 0.11\nunit = "1/yr"', 'value = 0.11\nunit = "%"')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "plan.toml")
    assert p.field == "inputs.discount_rate.unit"
    assert "'%'" in p.message and "'1/yr'" in p.message


def test_unit_that_differs_from_the_spec_in_a_phase(tmp_path):
    folder = hand(tmp_path)
    edit(folder / "phases.toml", 'unit = "MW"', 'unit = "kW"')
    p = one_problem(folder)
    assert in_file(p, "phases.toml") and p.field == "p.it_mw.unit" and "'kW'" in p.message and "'MW'" in p.message


def test_toml_syntax_error_names_the_file(default_inputs_copy):
    edit(default_inputs_copy / "phases.toml", 'gpus = { value = 40000, unit = "GPU"', 'gpus = { value = 40000 unit = "GPU"')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "phases.toml")
    assert p.field == "(syntax)"
    assert "not valid TOML" in p.message and re.search(r"line \d+", p.message)


def test_syntax_errors_in_several_files_are_all_listed(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "[model]", "[model")
    edit(default_inputs_copy / "scenarios.toml", "[feb_2025]", "feb_2025]")
    problems = problems_of(default_inputs_copy)
    assert sorted(Path(p.file).name for p in problems) == ["plan.toml", "scenarios.toml"]


def test_staff_shares_must_add_up_to_one(tmp_path):
    p = one_problem(hand(tmp_path, plan={"staff_share_engineering": 0.5}))
    assert in_file(p, "plan.toml")
    assert p.field == "staff_share_*"
    assert "1.25" in p.message and "exactly 1" in p.message and "staff_share_engineering = 0.5" in p.message


@pytest.mark.parametrize("a, b", [("gpu_debt_share", "vendor_share"), ("senior_share", "grant_share")])
def test_funding_shares_of_one_capex_base_at_most_one(tmp_path, a, b):
    # 0.7 + 0.4 = 1.1 of the same capex: more than is spent
    p = one_problem(hand(tmp_path, plan={a: 0.7, b: 0.4}))
    assert in_file(p, "plan.toml")
    assert p.field == f"{a}+{b}"
    assert "1.1" in p.message and "at most 1" in p.message and f"{a} = 0.7" in p.message


def test_funding_shares_adding_to_one_are_allowed(tmp_path):
    # the hand case buys all its GPUs (EUR 1 M) in March, before completion: GPU loans and vendor financing fund all of it
    res = finmodel.run(inputs_dir=hand(tmp_path, plan={"gpu_debt_share": 0.7, "vendor_share": 0.3}))
    v = {k: float(np.sum(res.values["p"][k])) for k in ("gpu_debt_draws", "vendor_draws", "capex_it")}
    assert v["capex_it"] == pytest.approx(1_000_000)
    assert v["gpu_debt_draws"] == pytest.approx(700_000) and v["vendor_draws"] == pytest.approx(300_000)


@pytest.mark.parametrize("value", [1.2, -0.1])
def test_gpu_loan_to_value_is_a_share(tmp_path, value):
    p = one_problem(hand(tmp_path, plan={"gpu_debt_share": value}))
    assert in_file(p, "plan.toml") and p.field == "inputs.gpu_debt_share"
    assert p.message.startswith(f"{value} is out of range") and ">= 0 and <= 1" in p.message


def test_gpu_loan_tenor_longer_than_the_gpu_life(tmp_path):
    # gpu_life_years 4 = 48 months; a 60-month loan would outlive the GPUs it is secured on
    p = one_problem(hand(tmp_path, plan={"gpu_life_years": 4.0, "gpu_debt_tenor_months": 60}))
    assert in_file(p, "plan.toml") and p.field == "gpu_debt_tenor_months"
    assert "60 months" in p.message and "gpu_life_years = 4" in p.message and "at most 48 months" in p.message


def test_gpu_loan_tenor_equal_to_the_gpu_life_is_allowed(tmp_path):
    finmodel.run(inputs_dir=hand(tmp_path, plan={"gpu_life_years": 4.0, "gpu_debt_tenor_months": 48}))


def test_gpu_loans_are_not_sculpted(tmp_path):
    p = one_problem(hand(tmp_path, plan={"gpu_debt_profile": 3}))
    assert p.field == "inputs.gpu_debt_profile" and p.message.startswith("3 ") and "<= 2" in p.message


def test_missing_file(default_inputs_copy):
    (default_inputs_copy / "scenarios.toml").unlink()
    p = one_problem(default_inputs_copy)
    assert in_file(p, "scenarios.toml") and p.field == "(file)" and "not found" in p.message


@pytest.mark.parametrize("old, new, field", [
    ('[model]\nstart = "2025-01"', 'model = 3\n[modelx]\nstart = "2025-01"', None),
    ('phases = ["alixan", "grand_est_a", "grand_est_b", "south"]', 'phases = "alixan"', "model.phases"),
    ('phases = ["alixan", "grand_est_a", "grand_est_b", "south"]', 'phases = ["alixan", "grand_est_a", "grand_est_b", "south", 4]', "model.phases[4]"),
    ('phases = ["alixan", "grand_est_a", "grand_est_b", "south"]', 'phases = ["alixan", "grand_est_a", "grand_est_b", "south", "alixan"]', "model.phases[4]"),
    ('start = "2025-01"', 'start = "2025-13"', "model.start"),
    ('horizon_years = 16', 'horizon_years = 16.5', "model.horizon_years"),
    ('[curves.power_price_index]\nfile = "curves/power_price_index.csv"', '[curves.power_price_index]\nfile = ["curves/power_price_index.csv"]', "curves.power_price_index.file"),
    ('[curves.power_price_index]\nfile = "curves/power_price_index.csv"', '[curves.power_price_index]\nfile = "curves/nothing.csv"', "(file)"),
    ('[curves.power_price_index]', '[curves.power_price_indexx]', "curves.power_price_indexx"),
    ('high = 1.25', 'high = 0.5', "inputs.pue.high"),
    ('high = 1.25', 'high = 1.01', "inputs.pue.low"),
])
def test_structure_errors_in_plan_toml(default_inputs_copy, old, new, field):
    edit(default_inputs_copy / "plan.toml", old, new)
    problems = problems_of(default_inputs_copy)
    assert all(p.file and p.field and p.message for p in problems)
    if field is not None:
        p = one_problem(default_inputs_copy)
        assert p.field == field, p


def test_phase_table_of_the_wrong_type(default_inputs_copy):
    edit(default_inputs_copy / "phases.toml", "[south]\n", "south = 3\n[south_]\n")
    problems = problems_of(default_inputs_copy)
    fields = {p.field for p in problems}
    assert "south" in fields and "south_" in fields
    assert all(in_file(p, "phases.toml") for p in problems)


def test_announcement_with_an_unknown_phase(default_inputs_copy):
    edit(default_inputs_copy / "announcements.toml", 'scope = ["south"]', 'scope = ["north"]')
    p = one_problem(default_inputs_copy)
    assert in_file(p, "announcements.toml") and p.field == "announcement #7 (south_feb_2025).scope" and "'north'" in p.message


# --- several mistakes, one error ------------------------------------------------

def test_three_mistakes_in_two_files_in_one_error(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "value = 1.15\n", "value = 0.95\n")               # PUE below 1
    edit(default_inputs_copy / "plan.toml", "value = 0.11\n", 'value = "eleven percent"\n')  # a string for a number
    edit(default_inputs_copy / "phases.toml", "gpus = { value = 200000,", "gpus = { value = -200000,")  # negative GPUs
    problems = problems_of(default_inputs_copy)
    assert len(problems) == 3, "\n".join(map(str, problems))
    by_field = {p.field: p for p in problems}
    assert set(by_field) == {"inputs.pue", "inputs.discount_rate", "south.gpus"}
    assert in_file(by_field["inputs.pue"], "plan.toml") and "0.95" in by_field["inputs.pue"].message
    assert in_file(by_field["inputs.discount_rate"], "plan.toml") and "'eleven percent'" in by_field["inputs.discount_rate"].message
    assert in_file(by_field["south.gpus"], "phases.toml") and "-200000" in by_field["south.gpus"].message


def test_file_and_override_mistakes_together(tmp_path):
    folder = hand(tmp_path, plan={"utilisation": 1.5}, phase={"it_mw": 0.0})
    problems = problems_of(folder, overrides={"pue": 0.5, "nonsense": 1})
    assert {(Path(p.file).name, p.field) for p in problems} == {
        ("plan.toml", "inputs.utilisation"), ("phases.toml", "p.it_mw"), ("overrides", "pue"), ("overrides", "nonsense")}


# --- nothing on disk changes --------------------------------------------------

def folder_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        h.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            h.update(path.read_bytes())
            h.update(str(path.stat().st_mtime_ns).encode())
    return h.hexdigest()


def test_a_bad_input_changes_nothing_on_disk(default_inputs_copy):
    edit(default_inputs_copy / "plan.toml", "value = 1.15\n", "value = 0.95\n")
    before = folder_hash(default_inputs_copy)
    problems_of(default_inputs_copy)
    problems_of(default_inputs_copy, scenario="nope")
    problems_of(default_inputs_copy, overrides={"discount_rate": -1, "alixan.gpus": "many"})
    assert folder_hash(default_inputs_copy) == before


def test_a_bad_override_changes_nothing_on_disk(default_inputs_copy):
    before = folder_hash(default_inputs_copy)
    problems_of(default_inputs_copy, overrides={"discount_rate": 0.9})
    problems_of(default_inputs_copy, scenario="feb_2025", overrides={"alixan.stage1_online": "2020-01"})
    assert folder_hash(default_inputs_copy) == before
    finmodel.run(inputs_dir=default_inputs_copy)  # the folder still runs


@pytest.mark.parametrize("bad", ["Site", "site_with_a_very_long_name_1"])
def test_phase_names_that_would_collide_as_sheet_names_are_refused(tmp_path, bad):
    """Excel ignores case and cuts sheet names at 31 characters: such phase names are refused up front."""
    folder = write_inputs(tmp_path / "inputs", HAND_PLAN, {bad: HAND_PHASE})
    with pytest.raises(finmodel.InputError) as err:
        finmodel.run(inputs_dir=folder)
    msg = str(err.value)
    assert "plan.toml" in msg and "model.phases[0]" in msg and repr(bad) in msg and "lower-case" in msg


def test_run_takes_one_draw(tmp_path):
    # found by the fuzz test: Results hold one run, so N draws of shape (N, 1) are refused by run() (evaluate takes them)
    import numpy as np

    with pytest.raises(InputError) as exc:
        finmodel.run(inputs_dir=hand(tmp_path), overrides={"p.gpus": np.array([[0.0], [0.0]])})
    (p,) = exc.value.problems
    assert p.field == "p.gpus" and "2 draws" in p.message and "evaluate" in p.message
    one = finmodel.run(inputs_dir=hand(tmp_path), overrides={"p.gpus": np.array([[200.0]])})
    assert one.scalar("p", "gpus_full") == 200.0
    assert len(one.cashflows) > 0


# --- issue 12: cost, timing and energy inputs ------------------------------------------

@pytest.mark.parametrize("field, value, allowed", [
    ("facility_maintenance_rate", -0.01, "a number >= 0 and <= 0.5 [1/yr]"),
    ("it_support_rate", -0.02, "a number >= 0 and <= 0.5 [1/yr]"),
    ("sga_eur_per_mw_year", -1.5, "a number >= 0 and <= 1e+08 [EUR/MW/yr]"),
    ("gpu_deposit_share", 1.2, "a number >= 0 and <= 1 [-]"),
    ("works_contingency", 1.5, "a number >= 0 and <= 1 [-]"),
    ("receivables_days", -5.5, "a number >= 0 and <= 365 [day]"),
    ("opex_inflation", -0.25, "a number >= -0.1 and <= 0.3 [1/yr]"),
    ("fr_consumption_twh", 0.0, "a number > 0 and <= 10000 [TWh/yr]"),
])
def test_bad_cost_input_in_the_file(tmp_path, field, value, allowed):
    p = one_problem(hand(tmp_path, {field: value}))
    assert in_file(p, "plan.toml") and p.field == f"inputs.{field}"
    assert p.message.startswith(f"{value:g} is out of range")
    assert p.message.endswith(f"allowed: {allowed}")


def test_gpu_lead_time_longer_than_construction(tmp_path):
    # the hand case builds for 2 months (Jan-Feb) before stage 1 enters service in March
    p = one_problem(hand(tmp_path, {"gpu_lead_time_months": 3}))
    assert in_file(p, "plan.toml") and p.field == "gpu_lead_time_months"
    assert p.message.startswith("3 months is longer than p's construction before stage 1 (2 months")
    assert "allowed: at most 2 months" in p.message

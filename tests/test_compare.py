"""Scenario comparison, checked against separate `finmodel.run(...)` runs."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

import finmodel
import finmodel.model
from finmodel.compare import NUMERIC_COLUMNS, TEXT_COLUMNS, compare
from finmodel.inputs import DEFAULT_INPUTS_DIR

NUMERIC = ["gpus", "it_mw", "capex_eur", "npv_eur", "irr", "payback_years", "lcoc_eur_per_gpu_hour",
           "breakeven_eur_per_gpu_hour", "jobs_permanent_2030"]
CHEAP = {"name": "cheap_money", "base": "nov_2025", "overrides": {"discount_rate": 0.08}}
CASES = ["nov_2025", "feb_2025", CHEAP]


@pytest.fixture(scope="module")
def df():
    return compare(CASES)


@pytest.fixture(scope="module")
def runs():
    return {"nov_2025": finmodel.run("nov_2025"), "feb_2025": finmodel.run("feb_2025"),
            "cheap_money": finmodel.run("nov_2025", overrides={"discount_rate": 0.08})}


def same(a, b) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=0)


def test_rows_are_each_scenario_and_phase(df, runs):
    phases = [*runs["nov_2025"].inputs.phases, "total"]
    assert list(df.index) == [(s, p) for s in ("nov_2025", "feb_2025", "cheap_money") for p in phases]


def test_values_equal_separate_runs(df, runs):
    for name, res in runs.items():
        for phase, expected in res.summary.iterrows():
            for col in NUMERIC:
                assert same(df.loc[(name, phase), col], expected[col]), (name, phase, col)
            for col in ("first_service", "full_service"):
                assert df.loc[(name, phase), col] == expected[col]


def test_deltas_are_differences_from_the_first_scenario(df, runs):
    ref = runs["nov_2025"].summary
    for name, res in runs.items():
        for phase in res.summary.index:
            for col in NUMERIC:
                expected = res.summary.loc[phase, col] - ref.loc[phase, col]
                assert same(df.loc[(name, phase), f"delta_{col}"], expected), (name, phase, col)


def test_feb_2025_alixan_is_40_mw_smaller(df):
    nov = tomllib.loads((DEFAULT_INPUTS_DIR / "phases.toml").read_text())["alixan"]["it_mw"]["value"]
    feb = tomllib.loads((DEFAULT_INPUTS_DIR / "scenarios.toml").read_text())["feb_2025"]["overrides"]["alixan.it_mw"]
    assert df.loc[("feb_2025", "alixan"), "delta_it_mw"] == feb - nov == -40
    assert df.loc[("feb_2025", "total"), "delta_it_mw"] == -40
    assert df.loc[("feb_2025", "grand_est_a"), "delta_it_mw"] == 0


def test_override_case_changes_only_what_the_discount_rate_drives(df):
    row = df.loc[("cheap_money", "total")]
    assert row.delta_npv_eur != 0 and row.delta_lcoc_eur_per_gpu_hour != 0
    assert row.delta_capex_eur == 0 and row.delta_gpus == 0 and row.delta_irr == 0


def test_units(df):
    units = df.attrs["units"]
    for col in NUMERIC:
        assert units[col] == units[f"delta_{col}"] == finmodel.run().summary.attrs["units"][col]


def test_case_without_base_uses_the_default_scenario():
    df = compare([{"name": "mine", "overrides": {"utilisation": 0.9}}])
    res = finmodel.run(overrides={"utilisation": 0.9})
    assert same(df.loc[("mine", "total"), "npv_eur"], res.summary.loc["total", "npv_eur"])
    assert df.loc[("mine", "total"), "delta_npv_eur"] == 0


@pytest.mark.parametrize("bad", [
    ["nov_2025", "no_such_scenario"],
    ["nov_2025", {"name": "x", "base": "nov_2025", "overrides": {"discount_rat": 0.09}}],
    ["nov_2025", {"name": "x", "base": "nope", "overrides": {}}],
    ["nov_2025", {"name": "x", "overrides": {"utilisation": 1.5}}],
    ["nov_2025", {"base": "nov_2025"}],
    ["nov_2025", {"name": "x", "bse": "nov_2025"}],
    ["nov_2025", 42],
    ["nov_2025", "nov_2025"],
    [],
    "nov_2025",
])
def test_bad_cases_raise_input_error(bad):
    with pytest.raises(finmodel.InputError):
        compare(bad)


def test_every_scenario_together_equals_one_run_each(monkeypatch):
    """compare() evaluates cases of one structure together on the batch axis; the reference is each case run alone.

    The default scenarios and a case overriding a phase's GPUs and the discount rate share a structure (one
    evaluation); a case with a monthly utilisation has another (a second evaluation)."""
    scenarios = list(finmodel.load_inputs().scenarios)
    months = finmodel.load_inputs().periods
    custom = {"name": "custom", "base": "feb_2025", "overrides": {"discount_rate": 0.08, "alixan.gpus": 20_000}}
    monthly = {"name": "monthly", "overrides": {"utilisation": np.linspace(0.6, 0.9, months)}}
    evaluations = []
    real = finmodel.model.evaluate
    monkeypatch.setattr(finmodel.model, "evaluate", lambda inputs, *a: evaluations.append(inputs) or real(inputs, *a))
    df = compare([*scenarios, custom, monthly])
    assert len(evaluations) == 2
    monkeypatch.undo()
    alone = {s: finmodel.run(s) for s in scenarios} | {
        "custom": finmodel.run("feb_2025", overrides=custom["overrides"]),
        "monthly": finmodel.run(overrides=monthly["overrides"])}
    assert list(dict.fromkeys(df.index.get_level_values("scenario"))) == list(alone)
    reference = alone[scenarios[0]].headlines
    for name, res in alone.items():
        expected = res.headlines
        for phase in expected.index:
            for col in NUMERIC_COLUMNS:
                assert same(df.loc[(name, phase), col], expected.loc[phase, col]), (name, phase, col)
                assert same(df.loc[(name, phase), f"delta_{col}"], expected.loc[phase, col] - reference.loc[phase, col])
            for col in TEXT_COLUMNS:
                assert df.loc[(name, phase), col] == expected.loc[phase, col]
    assert df.loc[("custom", "alixan"), "delta_gpus"] != 0 and df.loc[("monthly", "total"), "delta_npv_eur"] != 0

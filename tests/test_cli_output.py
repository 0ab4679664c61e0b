"""The scriptable command line: --format csv/json with raw numbers and units, --version, python -m finmodel,
--quiet and progress only on a terminal, help for every option, contradictory options refused, per-phase --set."""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import finmodel
from finmodel.cli import build_parser, main
from finmodel.compare import compare
from finmodel.montecarlo import monte_carlo
from finmodel.sensitivity import tornado


def run_cli(capsys, *argv) -> tuple[str, str]:
    assert main(list(argv)) == 0
    out = capsys.readouterr()
    return out.out, out.err


def same(got, want) -> bool:
    """Equal numbers (NaN as None / empty) or equal text."""
    if want is None or (isinstance(want, float) and np.isnan(want)):
        return got is None or (isinstance(got, float) and np.isnan(got))
    return got == want


@pytest.fixture(scope="module")
def summary():
    return finmodel.run().summary


def test_summary_json_holds_the_summary_numbers(capsys, summary):
    out, _ = run_cli(capsys, "summary", "--format", "json")
    data = json.loads(out)
    assert data["scenario"] == "nov_2025" and data["units"] == summary.attrs["units"]
    rows = {r["phase"]: r for r in data["summary"]}
    assert list(rows) == list(summary.index)
    for phase, row in summary.iterrows():
        for col, want in row.items():
            assert same(rows[phase][col], want.item() if hasattr(want, "item") else want), (phase, col)
    assert {r["phase"] for r in data["cost_stack"]} == set(summary.index)


def test_summary_csv_holds_the_summary_numbers_with_units_in_the_header(capsys, summary):
    out, _ = run_cli(capsys, "summary", "--format", "csv")
    df = pd.read_csv(io.StringIO(out), index_col=0)
    units = summary.attrs["units"]
    assert list(df.columns) == [f"{c} [{units[c]}]" for c in summary.columns]
    df.columns = list(summary.columns)
    for col in summary.columns:
        if pd.api.types.is_numeric_dtype(summary[col]):
            np.testing.assert_array_equal(df[col].to_numpy(dtype=float), summary[col].to_numpy(dtype=float), err_msg=col)
        else:
            assert list(df[col]) == list(summary[col]), col


def test_compare_sensitivity_montecarlo_and_inputs_as_data(capsys):
    out, _ = run_cli(capsys, "compare", "nov_2025", "feb_2025", "--format", "csv")
    got = pd.read_csv(io.StringIO(out), index_col=[0, 1])
    want = compare(["nov_2025", "feb_2025"])
    assert got["npv_eur [EUR]"].tolist() == want["npv_eur"].tolist()

    out, _ = run_cli(capsys, "sensitivity", "--format", "json")
    data = json.loads(out)
    t = tornado()
    assert [r["driver"] for r in data["tornado"]] == list(t.index)
    assert [r["npv_low"] for r in data["tornado"]] == t["npv_low"].tolist()
    assert data["units"]["npv_low"] == "EUR" and len(data["breakevens"]) >= 1

    out, err = run_cli(capsys, "montecarlo", "-n", "150", "--seed", "3", "--format", "json")
    data = json.loads(out)
    p = monte_carlo(150, seed=3).percentiles()
    row = next(r for r in data["percentiles"] if r["entity"] == "total" and r["metric"] == "npv")
    assert (row["p10"], row["p50"], row["p90"]) == tuple(p.loc[("total", "npv"), ["p10", "p50", "p90"]])
    assert row["unit"] == "EUR" and data["n"] == 150 and data["seed"] == 3
    assert "monte carlo" not in err  # stderr is not a terminal here: no progress bar in logs

    out, _ = run_cli(capsys, "inputs", "--format", "json")
    rows = {r["name"]: r for r in json.loads(out)["inputs"]}
    assert rows["discount_rate"]["value"] == finmodel.load_inputs().values["discount_rate"]
    assert rows["discount_rate"]["unit"] == "1/yr"


def test_version_and_python_m_finmodel():
    done = subprocess.run([sys.executable, "-m", "finmodel", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"finmodel {finmodel.__version__}"


def test_quiet_leaves_stderr_empty(capsys):
    _, err = run_cli(capsys, "summary")
    assert "warning:" in err  # the default run has warnings ...
    _, err = run_cli(capsys, "summary", "--quiet")
    assert err == ""  # ... which --quiet keeps off stderr


def test_every_option_has_help():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {'/'.join(a.option_strings) or a.dest}"
               for name, sub in subparsers.choices.items() for a in sub._actions
               if not isinstance(a, argparse._HelpAction) and not a.help]
    assert missing == []
    assert all(a.help for a in subparsers._choices_actions)
    assert "``" not in parser.format_help()  # no reST left in the top-level help


@pytest.mark.parametrize("argv", [
    ["compare", "nov_2025", "--scenario", "feb_2025"],
    ["report", "--no-risk", "--draws", "100"],
    ["summary", "--inputs-from", "edited.xlsx", "--scenario", "feb_2025"],
])
def test_contradictory_options_are_usage_errors(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_set_of_a_per_phase_field_offers_every_phase_and_star_sets_them_all(capsys):
    assert main(["summary", "--set", "site_area_ha=30"]) == 3
    err = capsys.readouterr().err
    phases = finmodel.load_inputs().phases
    assert all(f"{p}.site_area_ha" in err for p in phases) and "*.site_area_ha" in err
    every = finmodel.run(overrides={"*.site_area_ha": 30}).summary
    one_by_one = finmodel.run(overrides={f"{p}.site_area_ha": 30 for p in phases}).summary
    assert every.loc["total", "npv_eur"] == one_by_one.loc["total", "npv_eur"]
    assert every.loc["total", "npv_eur"] != finmodel.run().summary.loc["total", "npv_eur"]

"""Monte Carlo (finmodel.montecarlo): point distributions reproduce the single run, sampling
converges to the distributions, seeds and chunks do not change the numbers, correlations hold,
IRRs match numpy-financial, and a bad distributions.toml gets a clear error."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

import finmodel
from finmodel.inputs import DEFAULT_INPUTS_DIR, InputError, load_inputs
from finmodel.model import evaluate
from finmodel.montecarlo import (
    METRICS,
    DISTRIBUTIONS_FILE,
    load_distributions,
    monte_carlo,
    norm_cdf,
)

SHIPPED = DEFAULT_INPUTS_DIR / DISTRIBUTIONS_FILE


def _toml(v) -> str:
    if isinstance(v, str):
        return '"' + v.replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml(x) for x in v) + "]"
    return repr(v)


def write_distributions(path: Path, drivers: dict[str, dict], correlations: list[dict] = ()) -> Path:
    lines = []
    for name, table in drivers.items():
        lines.append(f"[drivers.{_toml(name) if '.' in name else name}]")
        lines += [f"{k} = {_toml(v)}" for k, v in {"source": "test", **table}.items()]
        lines.append("")
    for c in correlations:
        lines.append("[[correlation]]")
        lines += [f"{k} = {_toml(v)}" for k, v in {"source": "test", **c}.items()]
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def shipped_run():
    """300 draws of the shipped distributions, in uneven chunks."""
    return monte_carlo(300, seed=11, chunk=128)


# --- point distributions: the single run, exactly -------------------------------------

def test_point_distributions_reproduce_the_single_run(tmp_path):
    inputs_copy = shutil.copytree(DEFAULT_INPUTS_DIR, tmp_path / "inputs")
    base = load_inputs().values
    point = {
        # every kind of distribution, collapsed to one value
        "gpu_price_factor": dict(dist="uniform", low=1.0, high=1.0, applies_to="gpu_price_usd"),
        "gpu_hour_price_factor": dict(dist="normal", mean=1.0, sd=0.0, applies_to="gpu_hour_price_usd"),
        "facility_capex_factor": dict(dist="lognormal", median=1.0, sigma=0.0, applies_to=[
            "shell_capex_eur_per_mw", "electrical_capex_eur_per_mw", "cooling_capex_eur_per_mw", "heat_reuse_capex_eur_per_mw"]),
        "gpu_life_years": dict(dist="choice", values=[base["gpu_life_years"]], probabilities=[1.0]),
        **{name: dict(dist="triangular", low=base[name], mode=base[name], high=base[name])
           for name in ("gpu_hour_price_decline", "utilisation", "power_price_eur_per_mwh", "pue", "discount_rate", "usd_per_eur")},
    }
    write_distributions(inputs_copy / DISTRIBUTIONS_FILE, point,
                        [dict(a="gpu_hour_price_factor", b="utilisation", rho=0.5)])
    mc = monte_carlo(50, seed=3, inputs_dir=inputs_copy, chunk=16)
    res = finmodel.run(inputs_dir=inputs_copy)
    for entity in res.entities:
        for metric in METRICS:
            expected = res.scalar(entity, metric)
            got = mc.metrics[entity][metric]
            np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, err_msg=f"{entity} {metric}")


# --- sampling ------------------------------------------------------------------------

def test_sample_means_converge_to_the_distribution_means():
    dists = load_distributions()
    draws = dists.sample(20_000, seed=5)
    for d in dists.drivers:
        x = draws[d.name].to_numpy()
        se = x.std(ddof=1) / math.sqrt(x.size)
        assert abs(x.mean() - d.mean()) <= 4 * se + 1e-12, (d.name, x.mean(), d.mean(), se)
        lo, hi = d.support()
        assert x.min() >= lo and x.max() <= hi, d.name
    u = dists.drivers[dists.names.index("utilisation")]
    assert u.dist == "triangular"
    assert u.mean() == pytest.approx((u.params["low"] + u.params["mode"] + u.params["high"]) / 3)
    life = draws["gpu_life_years"].value_counts(normalize=True).sort_index()
    assert list(life.index) == [4.0, 5.0, 6.0]
    np.testing.assert_allclose(life.to_numpy(), [0.25, 0.5, 0.25], atol=0.015)


def test_correlated_pairs_have_about_their_rho():
    dists = load_distributions()
    draws = dists.sample(20_000, seed=9)
    assert dists.correlations, "the shipped file correlates some drivers"
    for c in dists.correlations:
        spearman = draws[c.a].rank().corr(draws[c.b].rank())  # Spearman = Pearson on ranks
        pearson = draws[c.a].corr(draws[c.b])
        assert np.sign(spearman) == np.sign(c.rho)
        assert abs(spearman - c.rho) < 0.05 and abs(pearson - c.rho) < 0.05, (c, spearman, pearson)
    assert abs(draws["discount_rate"].rank().corr(draws["utilisation"].rank())) < 0.03  # not correlated


def test_normal_cdf_is_accurate_to_1e_7():
    z = np.linspace(-10, 10, 40_001)
    exact = np.array([0.5 * math.erfc(-x / math.sqrt(2)) for x in z])
    assert np.max(np.abs(norm_cdf(z) - exact)) < 1e-7
    assert np.all(np.diff(norm_cdf(z)) >= 0)


# --- reproducibility ---------------------------------------------------------------------

def _same(a, b) -> bool:
    return all(np.array_equal(a.metrics[e][m], b.metrics[e][m], equal_nan=True) for e in a.entities for m in METRICS)


def test_same_seed_same_numbers_whatever_the_chunk(shipped_run):
    again = monte_carlo(300, seed=11, chunk=300)
    small = monte_carlo(300, seed=11, chunk=37)
    assert _same(shipped_run, again) and _same(shipped_run, small)
    pd.testing.assert_frame_equal(shipped_run.drivers, small.drivers)
    other = monte_carlo(300, seed=12, chunk=300)
    assert not np.array_equal(other.metrics["total"]["npv"], shipped_run.metrics["total"]["npv"])


def test_the_first_draws_do_not_depend_on_n():
    dists = load_distributions()
    pd.testing.assert_frame_equal(dists.sample(100, seed=2), dists.sample(300, seed=2).iloc[:100])


# --- against the single-scenario model ---------------------------------------------------

def test_evaluating_only_the_metrics_matches_the_full_model_evaluate():
    mc = monte_carlo(60, seed=21, chunk=25)
    inputs = load_inputs(overrides={k: mc.sampled_inputs[k].to_numpy()[:, None] for k in mc.sampled_inputs.columns})
    _, full = evaluate(inputs)
    for e in mc.entities:
        for m in METRICS:
            a, b = mc.metrics[e][m], np.broadcast_to(full[e][m], (60, 1))[:, 0]
            if m == "irr_annual":
                np.testing.assert_allclose(a, b, rtol=0, atol=1e-10, err_msg=e)
            else:
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, err_msg=f"{e} {m}")


def test_draws_rerun_as_single_runs_and_irr_matches_numpy_financial(shipped_run):
    for k in range(0, 300, 15):  # 20 draws
        res = finmodel.run(overrides=shipped_run.overrides_for(k))
        for e in res.entities:
            fcf = np.asarray(res.values[e]["fcf"]).reshape(-1)
            expected = (1 + npf.irr(fcf)) ** 12 - 1
            assert shipped_run.metrics[e]["irr_annual"][k] == pytest.approx(expected, rel=1e-9), (k, e)
            for m in ("npv", "lcoc", "breakeven_price", "capex_initial", "jobs_permanent_2030"):
                assert shipped_run.metrics[e][m][k] == pytest.approx(res.scalar(e, m), rel=1e-12), (k, e, m)
            for m in ("equity_irr", "equity_npv", "min_dscr", "peak_funding"):
                assert shipped_run.metrics[e][m][k] == pytest.approx(res.scalar(e, m), rel=1e-12, nan_ok=True), (k, e, m)


def test_covenant_breach_probability_counts_draws_with_breach_months(shipped_run):
    # a draw breaches when its single run has a month with CFADS < covenant x debt service (the monthly flag)
    breach = shipped_run.prob_covenant_breach()
    draws = range(0, 300, 30)
    for p in ("alixan", "south"):
        flagged = [finmodel.run(overrides=shipped_run.overrides_for(k)).scalar(p, "breach_months") > 0 for k in draws]
        assert [shipped_run.metrics[p]["min_dscr"][k] < shipped_run.covenant for k in draws] == flagged
    assert shipped_run.covenant == 1.1 and 0 <= breach["total"] <= 1


def test_no_debt_never_breaches():
    # all equity as a 0 % shareholder loan: every euro goes back as it comes, so equity IRR = project IRR in each draw
    mc = monte_carlo(50, seed=3, scenario="no_debt", overrides={"shareholder_loan_share": 1.0, "shareholder_loan_rate": 0.0})
    assert np.all(np.isnan(mc.metrics["total"]["min_dscr"]))
    assert (mc.prob_covenant_breach() == 0).all()
    np.testing.assert_allclose(mc.metrics["total"]["equity_irr"], mc.metrics["total"]["irr_annual"], rtol=1e-9)


# --- the result ------------------------------------------------------------------------------

def test_result_tables(shipped_run):
    p = shipped_run.percentiles()
    assert set(p.index.get_level_values("entity")) == {*load_inputs().phases, "total"}
    assert set(p.index.get_level_values("metric")) == set(METRICS)
    assert (p.p10 <= p.p50).all() and (p.p50 <= p.p90).all()
    assert p.loc[("total", "npv"), "unit"] == "EUR" and p.loc[("total", "irr_annual"), "unit"] == "1/yr"
    neg = shipped_run.prob_negative_npv()
    assert list(neg.index) == shipped_run.entities and ((neg >= 0) & (neg <= 1)).all()
    assert neg["total"] == np.mean(shipped_run.metrics["total"]["npv"] < 0)
    draws = shipped_run.draws
    assert len(draws) == 300 * len(shipped_run.entities)
    assert {"draw", "entity", *METRICS, *shipped_run.distributions.names} <= set(draws.columns)
    total = draws[draws.entity == "total"].set_index("draw")
    np.testing.assert_array_equal(total["utilisation"].to_numpy(), shipped_run.drivers["utilisation"].to_numpy())
    # a factor scales every GPU generation's input
    for gen in load_inputs().generations:
        np.testing.assert_allclose(shipped_run.sampled_inputs[f"{gen}.gpu_price_usd"],
                                   shipped_run.drivers["gpu_price_factor"] * load_inputs().values[f"{gen}.gpu_price_usd"])


def test_an_override_holds_a_sampled_input_and_sets_the_base_of_a_factor():
    mc = monte_carlo(40, seed=1, overrides={"discount_rate": 0.09, "gb300.gpu_price_usd": 40_000.0}, progress=True)
    assert (mc.drivers["discount_rate"] == 0.09).all()
    np.testing.assert_allclose(mc.sampled_inputs["gb300.gpu_price_usd"], 40_000.0 * mc.drivers["gpu_price_factor"])
    res = finmodel.run(overrides=mc.overrides_for(7))
    assert mc.metrics["total"]["npv"][7] == pytest.approx(res.scalar("total", "npv"), rel=1e-12)


# --- a bad distributions.toml -------------------------------------------------------------

def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / DISTRIBUTIONS_FILE
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def problems_of(path: Path):
    with pytest.raises(InputError) as info:
        load_distributions(path)
    problems = info.value.problems
    for p in problems:
        assert Path(p.file).name == DISTRIBUTIONS_FILE and str(p) in str(info.value)
    return problems


def one_problem(path: Path):
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


UTILISATION = 'low = 0.75\nmode = 0.85\nhigh = 0.95\nunit = "-"'


@pytest.mark.parametrize("old, new, field, words", [
    ('[drivers.utilisation]\ndist = "triangular"', '[drivers.utilisation]\ndist = "beta"',
     "drivers.utilisation.dist", ["'beta'", "triangular", "uniform", "normal", "lognormal", "choice"]),
    (UTILISATION, 'low = 0.96\nmode = 0.85\nhigh = 0.95\nunit = "-"', "drivers.utilisation.low", ["0.96", "low <= mode <= high"]),
    ('rho = 0.5', 'rho = 1.5', "correlation #1.rho", ["1.5", ">= -1", "<= 1"]),
    ('b = "utilisation"', 'b = "utilization"', "correlation #1.b", ["'utilization'", "did you mean 'utilisation'"]),
    ('probabilities = [0.25, 0.5, 0.25]', 'probabilities = [0.25, 0.5, 0.5]', "drivers.gpu_life_years.probabilities", ["1.25", "a total of 1"]),
    ('dist = "choice"\nvalues = [4.0, 5.0, 6.0]\nprobabilities = [0.25, 0.5, 0.25]', 'dist = "uniform"\nlow = 4.0\nhigh = 6.0',
     "drivers.gpu_life_years.dist", ["whole number of months", "choice"]),
    ('dist = "triangular"\n' + UTILISATION, 'dist = "normal"\nmean = 0.85\nsd = 0.1\nunit = "-"', "drivers.utilisation",
     ["outside", "<= 1", "clip"]),
    (UTILISATION, 'mode = 0.85\nhigh = 0.95\nunit = "-"', "drivers.utilisation.low", ["missing"]),
    (UTILISATION, 'low = 0.75\nmode = 0.85\nhigh = 0.95\nunit = "%"', "drivers.utilisation.unit", ["'%'", "'-'"]),
    ('applies_to = "gpu_hour_price_usd"\n', '', "drivers.gpu_hour_price_factor.applies_to", ["missing"]),
    ('applies_to = "gpu_hour_price_usd"', 'applies_to = "gpu_hour_prize_usd"', "drivers.gpu_hour_price_factor.applies_to",
     ["did you mean 'gpu_hour_price_usd'"]),
    ('[drivers.discount_rate]\ndist = "triangular"\nlow = 0.09', '[drivers.discount_rate]\ndist = "triangular"\nlow = 0.0',
     "drivers.discount_rate", ["> 0"]),
])
def test_bad_distributions_file_names_file_field_value_and_allowed(tmp_path, old, new, field, words):
    p = one_problem(broken(tmp_path, old, new))
    assert p.field == field, str(p)
    for w in words:
        assert w in p.message, str(p)


def test_unknown_driver_name(tmp_path):
    problems = problems_of(broken(tmp_path, "[drivers.utilisation]", "[drivers.utilisaton]"))
    assert [p.field for p in problems] == ["drivers.utilisaton", "correlation #1.b"]  # and the correlation naming it
    assert "unknown name 'utilisaton'" in problems[0].message and "did you mean 'utilisation'" in problems[0].message
    assert "'utilisation'" in problems[1].message and "utilisaton" in problems[1].message


def test_contradictory_correlations(tmp_path):
    path = write_distributions(tmp_path / DISTRIBUTIONS_FILE, {
        n: dict(dist="triangular", low=0.8, mode=0.85, high=0.9) for n in ("utilisation", "pue_factor", "usd_per_eur")
    } | {"pue_factor": dict(dist="uniform", low=0.95, high=1.05, applies_to="pue"),
         "usd_per_eur": dict(dist="uniform", low=1.1, high=1.2)},
        [dict(a="utilisation", b="pue_factor", rho=0.9), dict(a="utilisation", b="usd_per_eur", rho=0.9),
         dict(a="pue_factor", b="usd_per_eur", rho=-0.9)])
    p = one_problem(path)
    assert p.field == "correlation" and "positive semi-definite" in p.message
    # a perfect correlation is allowed (semi-definite)
    write_distributions(path, {"utilisation": dict(dist="uniform", low=0.8, high=0.9),
                               "usd_per_eur": dict(dist="uniform", low=1.1, high=1.2)},
                        [dict(a="utilisation", b="usd_per_eur", rho=1.0)])
    d = load_distributions(path).sample(500, seed=0)
    assert d["utilisation"].rank().corr(d["usd_per_eur"].rank()) == pytest.approx(1.0)


def test_missing_file_and_errors_through_the_run(tmp_path):
    p = one_problem(tmp_path / DISTRIBUTIONS_FILE)
    assert p.field == "(file)" and "not found" in p.message
    bad = broken(tmp_path, "high = 1.3", "high = 300.0")  # 47,000 x 300 USD/GPU is above the allowed 1e7
    with pytest.raises(InputError) as info:
        monte_carlo(10, distributions=bad)
    (p,) = info.value.problems
    assert Path(p.file).name == DISTRIBUTIONS_FILE and p.field == "drivers.gpu_price_factor"
    assert "gb200.gpu_price_usd = 47000 gives 28200 to 1.41e+07" in p.message and "<= 1e+07" in p.message

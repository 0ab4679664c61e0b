"""Monte Carlo over the main drivers, vectorised over draws.

``inputs/distributions.toml`` gives each uncertain driver a distribution and
some pairs a correlation (see the file's header). :func:`monte_carlo` draws
every driver for all N draws at once with a Gaussian copula, then evaluates
the monthly model chunk by chunk, each chunk as inputs of shape
``(chunk, 1)`` (the draw axis, DESIGN.md): one array evaluation per chunk,
never the single-scenario model in a Python loop.

Each chunk goes through :func:`finmodel.model.evaluate` with ``only=METRICS``:
the registry's own line-item functions, in the registry's order, but only the
items the metrics need, each row freed once no later item reads it.

Same seed => the same numbers, whatever the chunk size: the normals for
all N draws are drawn before any chunk is evaluated, row by row, so the
first n draws of a run of N > n draws are the draws of a run of n.

Example::

    from finmodel.montecarlo import monte_carlo
    mc = monte_carlo(10_000, seed=1)
    mc.percentiles()          # P10 / P50 / P90 / mean per entity and metric
    mc.prob_negative_npv()    # per phase and total
    finmodel.run(overrides=mc.overrides_for(17))   # draw 17 as a single run
"""

from __future__ import annotations

import math
import time as _time
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from finmodel.inputs import DEFAULT_INPUTS_DIR, InputError, Inputs, Problem, brief, load_inputs, unknown_name
from finmodel.model import evaluate
from finmodel.registry import PHASE_ITEMS, first_value
from finmodel.results import NOT_APPLICABLE, applicable
from finmodel.spec import SPEC_BY_NAME

TOTAL = "total"
DISTRIBUTIONS_FILE = "distributions.toml"

#: metrics kept per draw and entity (line items of the registry; units from it)
METRICS = ("npv", "irr_annual", "lcoc", "breakeven_price", "capex_initial", "jobs_permanent_2030",
           "equity_irr", "equity_npv", "min_dscr", "peak_funding")

#: memory kept per draw for the whole run [bytes]: sampled drivers and every metric of every entity
#: (measured: peak 185 MiB for 10,000 draws, 244 MiB for 100,000, chunks of 1,000)
BYTES_PER_DRAW = 700
MAX_DRAWS = 1_000_000  # [-] about 0.7 GiB kept, on top of the chunk's working memory

DISTS = {  # name -> (required parameters, optional parameters)
    "triangular": (("low", "mode", "high"), ()),
    "uniform": (("low", "high"), ()),
    "normal": (("mean", "sd"), ("low", "high")),
    "lognormal": (("median", "sigma"), ("low", "high")),
    "choice": (("values", "probabilities"), ()),
}
DRIVER_KEYS = ("dist", "applies_to", "unit", "source", "note")
CORRELATION_KEYS = ("a", "b", "rho", "source", "note")
TOP_KEYS = ("drivers", "correlation")
FACTOR_SUFFIX = "_factor"
#: inputs that must be a whole number of months (finmodel.inputs checks gpu_life_years x 12)
WHOLE_MONTH_INPUTS = ("gpu_life_years",)
PROB_TOL = 1e-9


# --- the distributions file -------------------------------------------------------

@dataclass(frozen=True)
class Driver:
    """One uncertain driver: an input replaced by each draw, or a factor [-] on inputs.

    ``params``: the distribution's parameters in the driver's unit (the
    input's unit; [-] for a factor). ``applies_to``: the inputs a factor
    multiplies (empty for an input driver).
    """

    name: str
    dist: str
    params: dict[str, Any]
    applies_to: tuple[str, ...]
    unit: str
    source: str

    @property
    def is_factor(self) -> bool:
        return bool(self.applies_to)

    def support(self) -> tuple[float, float]:
        """Smallest and largest value a draw can take [driver unit] (+-inf if unbounded)."""
        p = self.params
        if self.dist in ("triangular", "uniform"):
            return p["low"], p["high"]
        if self.dist == "choice":
            return min(p["values"]), max(p["values"])
        if self.dist == "normal":
            lo, hi = (-math.inf, math.inf) if p["sd"] > 0 else (p["mean"], p["mean"])
        else:  # lognormal
            lo, hi = (0.0, math.inf) if p["sigma"] > 0 else (p["median"], p["median"])
        return max(lo, p.get("low", -math.inf)), min(hi, p.get("high", math.inf))

    def mean(self) -> float:
        """Mean of the distribution [driver unit] (without clipping for normal / lognormal)."""
        p = self.params
        if self.dist == "triangular":
            return (p["low"] + p["mode"] + p["high"]) / 3
        if self.dist == "uniform":
            return (p["low"] + p["high"]) / 2
        if self.dist == "normal":
            return p["mean"]
        if self.dist == "lognormal":
            return p["median"] * math.exp(p["sigma"] ** 2 / 2)
        return float(np.dot(p["values"], p["probabilities"]))

    def sample(self, z: np.ndarray) -> np.ndarray:
        """Values for standard normals ``z`` [driver unit]: the inverse CDF of Phi(z)."""
        p = self.params
        if self.dist == "normal":
            x = p["mean"] + p["sd"] * z
        elif self.dist == "lognormal":
            x = p["median"] * np.exp(p["sigma"] * z)
        else:
            u = norm_cdf(z)
            if self.dist == "uniform":
                x = p["low"] + u * (p["high"] - p["low"])
            elif self.dist == "triangular":
                x = triangular_ppf(u, p["low"], p["mode"], p["high"])
            else:
                x = choice_ppf(u, p["values"], p["probabilities"])
        if "low" in p and self.dist in ("normal", "lognormal"):
            x = np.maximum(x, p["low"])
        if "high" in p and self.dist in ("normal", "lognormal"):
            x = np.minimum(x, p["high"])
        return np.asarray(x, dtype=float)


@dataclass(frozen=True)
class Correlation:
    """Correlation ``rho`` [-] of the copula's normals behind drivers ``a`` and ``b``."""

    a: str
    b: str
    rho: float
    source: str


@dataclass(frozen=True)
class Distributions:
    """The validated distributions file: drivers in file order and the copula's correlation matrix."""

    file: str
    drivers: tuple[Driver, ...]
    correlations: tuple[Correlation, ...]
    factor: np.ndarray = field(repr=False)  # F with F @ F.T = the correlation matrix [-]

    @property
    def names(self) -> list[str]:
        return [d.name for d in self.drivers]

    def correlation_matrix(self) -> pd.DataFrame:
        """Correlation of the copula's normals, drivers x drivers [-]."""
        return pd.DataFrame(self.factor @ self.factor.T, index=self.names, columns=self.names)

    def sample(self, n: int, seed: int = 0) -> pd.DataFrame:
        """``n`` draws of every driver (one column each, in the driver's unit), index 'draw'.

        Row k depends only on ``seed`` and k (and the file), not on ``n``.
        """
        rng = np.random.default_rng(seed)
        z = rng.standard_normal((n, len(self.drivers))) @ self.factor.T
        cols = {d.name: d.sample(z[:, j]) for j, d in enumerate(self.drivers)}
        df = pd.DataFrame(cols, index=pd.RangeIndex(n, name="draw"))
        df.attrs["units"] = {d.name: d.unit for d in self.drivers}
        return df


def _num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def load_distributions(path: Path | str | None = None, *, phases: tuple[str, ...] | None = None) -> Distributions:
    """Read and validate a distributions file; raise InputError listing every problem.

    ``path`` defaults to ``inputs/distributions.toml``. ``phases``: the phase
    names that phase inputs (``alixan.pue``) may use; any name if None.
    """
    path = Path(path) if path is not None else DEFAULT_INPUTS_DIR / DISTRIBUTIONS_FILE
    file = str(path)
    problems: list[Problem] = []
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        raise InputError([Problem(file, "(file)", "file not found")]) from None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise InputError([Problem(file, "(syntax)", f"not valid TOML: {exc}")]) from None

    for key in raw:
        if key not in TOP_KEYS:
            problems.append(Problem(file, key, unknown_name(key, list(TOP_KEYS)) + f"; allowed: {', '.join(TOP_KEYS)}"))
    tables = raw.get("drivers", {})
    if not isinstance(tables, dict) or not tables:
        problems.append(Problem(file, "drivers", f"expected tables [drivers.<name>], got {brief(tables)}"))
        tables = {}
    drivers = [d for name, t in tables.items() if (d := _read_driver(name, t, file, phases, problems)) is not None]
    names = [d.name for d in drivers]
    correlations = _read_correlations(raw.get("correlation", []), set(tables), file, problems)
    factor = np.eye(len(names))
    if not problems:
        factor = _copula_factor(names, correlations, file, problems)
    if problems:
        raise InputError(problems)
    return Distributions(file, tuple(drivers), tuple(correlations), factor)


def _target_spec(name: str, phases, file: str, where: str, problems: list[Problem]):
    """The spec of an input name ('utilisation', 'gpu_price_usd' or 'alixan.pue'), or None and a problem."""
    base = name.split(".", 1)[1] if "." in name else name
    spec = SPEC_BY_NAME.get(base)
    known = sorted(n for n, s in SPEC_BY_NAME.items() if s.scope != "constant")
    if "." in name:
        phase = name.split(".", 1)[0]
        if phases is not None and phase not in phases:
            problems.append(Problem(file, where, f"unknown phase {phase!r} in {name!r}; allowed: {', '.join(phases)}"))
            return None
        if spec is None or spec.scope not in ("phase", "phase_optional"):
            problems.append(Problem(file, where, unknown_name(base, [n for n in known if SPEC_BY_NAME[n].scope != "plan"])
                                    + " as a phase field; allowed: a phase field after '<phase>.'"))
            return None
    elif spec is None or spec.scope == "constant":
        problems.append(Problem(file, where, unknown_name(name, known) + "; allowed: an input name (see `finmodel inputs`)"))
        return None
    if spec.kind == "date":
        problems.append(Problem(file, where, f"{name!r} is a date; allowed: a numeric input (dates are not sampled)"))
        return None
    return spec


def _read_driver(name: str, table: Any, file: str, phases, problems: list[Problem]) -> Driver | None:
    where = f"drivers.{name}"
    if not isinstance(table, dict):
        problems.append(Problem(file, where, f"expected a table [drivers.{name}] with dist, its parameters and source, got {brief(table)}"))
        return None
    n0 = len(problems)
    dist = table.get("dist")
    if dist not in DISTS:
        problems.append(Problem(file, f"{where}.dist", f"{brief(dist)} is not a supported distribution; allowed: {', '.join(DISTS)}"))
        return None
    required, optional = DISTS[dist]
    for key in table:
        if key not in (*DRIVER_KEYS, *required, *optional):
            allowed = ", ".join((*DRIVER_KEYS, *required, *optional))
            problems.append(Problem(file, f"{where}.{key}", unknown_name(str(key), [*DRIVER_KEYS, *required, *optional])
                                    + f" for dist = {dist!r}; allowed: {allowed}"))
    source = table.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(Problem(file, f"{where}.source", f"{brief(source)}: every driver needs a source text or 'ASSUMPTION: why'"))

    # what it applies to
    applies = table.get("applies_to")
    specs = []
    if name.endswith(FACTOR_SUFFIX):
        if applies is None:
            problems.append(Problem(file, f"{where}.applies_to", f"missing; a driver named '*{FACTOR_SUFFIX}' multiplies inputs: "
                                    "allowed: an input name or a list of them, e.g. applies_to = \"gpu_price_usd\""))
            return None
        targets = [applies] if isinstance(applies, str) else applies
        if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets) or len(set(targets)) != len(targets):
            problems.append(Problem(file, f"{where}.applies_to", f"{brief(applies)}; allowed: an input name or a list of distinct input names"))
            return None
        for t in targets:
            spec = _target_spec(t, phases, file, f"{where}.applies_to", problems)
            if spec is not None and (spec.kind == "int" or spec.name in WHOLE_MONTH_INPUTS):
                problems.append(Problem(file, f"{where}.applies_to", f"{t!r} must stay a whole number; allowed: inputs that take any number (sample it as its own driver with dist = \"choice\")"))
            specs.append(spec)
        unit = "-"
    else:
        if applies is not None:
            problems.append(Problem(file, f"{where}.applies_to", f"{brief(applies)}: only a multiplier has applies_to; allowed: name the driver '<something>{FACTOR_SUFFIX}', or drop applies_to to sample the input {name!r} itself"))
            return None
        targets = []
        spec = _target_spec(name, phases, file, where, problems)
        if spec is None:
            return None
        if spec.scope == "generation":
            problems.append(Problem(file, where, f"{name!r} is set per GPU generation; allowed: a multiplier '{name}{FACTOR_SUFFIX}' "
                                    f"with applies_to = \"{name}\" (scales every generation's value)"))
            return None
        specs.append(spec)
        unit = spec.unit
    if "unit" in table and table["unit"] != unit:
        problems.append(Problem(file, f"{where}.unit", f"{brief(table['unit'])} but this driver is in {unit!r}; allowed: {unit!r}"))

    # parameters
    params: dict[str, Any] = {}
    for key in required:
        if key not in table:
            problems.append(Problem(file, f"{where}.{key}", f"missing; dist = {dist!r} needs {', '.join(required)}"))
    if dist == "choice":
        params = _read_choice(table, file, where, problems)
    else:
        for key in (*required, *optional):
            if key in table:
                if not _num(table[key]):
                    problems.append(Problem(file, f"{where}.{key}", f"{brief(table[key])} is not a finite number; allowed: a number [{unit}]"))
                else:
                    params[key] = float(table[key])
    if len(problems) > n0:
        return None
    p = params
    if dist == "triangular" and not p["low"] <= p["mode"] <= p["high"]:
        bad = "low" if p["low"] > p["mode"] or p["low"] > p["high"] else "high"
        problems.append(Problem(file, f"{where}.{bad}", f"low {p['low']:g}, mode {p['mode']:g}, high {p['high']:g} are not in order; allowed: low <= mode <= high"))
    if dist == "uniform" and p["low"] > p["high"]:
        problems.append(Problem(file, f"{where}.low", f"{p['low']:g} is above high {p['high']:g}; allowed: low <= high"))
    if dist in ("normal", "lognormal"):
        spread = "sd" if dist == "normal" else "sigma"
        if p[spread] < 0:
            problems.append(Problem(file, f"{where}.{spread}", f"{p[spread]:g} is negative; allowed: a number >= 0"))
        if dist == "lognormal" and p["median"] <= 0:
            problems.append(Problem(file, f"{where}.median", f"{p['median']:g}; allowed: a number > 0"))
        if "low" in p and "high" in p and p["low"] > p["high"]:
            problems.append(Problem(file, f"{where}.low", f"{p['low']:g} is above high {p['high']:g}; allowed: low <= high (the clip range)"))
    if len(problems) > n0:
        return None
    driver = Driver(name, dist, params, tuple(targets), unit, str(source))
    lo, hi = driver.support()
    for spec in specs:
        if spec is None:
            continue
        if driver.is_factor:
            if lo < 0:
                problems.append(Problem(file, where, f"draws reach {lo:g}; allowed: a multiplier >= 0 (add low = 0 to clip a normal)"))
                break
            continue
        if dist != "choice" and (spec.kind == "int" or spec.name in WHOLE_MONTH_INPUTS):
            whole = "whole number" if spec.kind == "int" else "whole number of months"
            problems.append(Problem(file, f"{where}.dist", f"{dist!r} draws any number but {name!r} must be a {whole}; allowed: \"choice\""))
        elif spec.name in WHOLE_MONTH_INPUTS and not all(float(v * 12).is_integer() for v in p["values"]):
            problems.append(Problem(file, f"{where}.values", f"{brief(p['values'])}: not whole numbers of months; allowed: multiples of 1/12 {spec.unit}"))
        elif spec.kind == "int" and not all(float(v).is_integer() for v in p["values"]):
            problems.append(Problem(file, f"{where}.values", f"{brief(p['values'])}; allowed: whole numbers"))
        low_ok = spec.lo is None or (lo > spec.lo if spec.lo_strict else lo >= spec.lo)
        high_ok = spec.hi is None or hi <= spec.hi
        if not (low_ok and high_ok):
            clip = " (a normal or lognormal needs low / high to clip it)" if dist in ("normal", "lognormal") else ""
            problems.append(Problem(file, where, f"draws range from {lo:g} to {hi:g}, outside what {name!r} allows{clip}; allowed: {spec.allowed()}"))
    return None if len(problems) > n0 else driver


def _read_choice(table: dict, file: str, where: str, problems: list[Problem]) -> dict:
    values, probs = table.get("values"), table.get("probabilities")
    ok = True
    if not isinstance(values, list) or not values or not all(_num(v) for v in values):
        problems.append(Problem(file, f"{where}.values", f"{brief(values)}; allowed: a non-empty list of numbers"))
        ok = False
    elif len(set(values)) != len(values):
        problems.append(Problem(file, f"{where}.values", f"{brief(values)} lists a value twice; allowed: distinct numbers"))
        ok = False
    if not isinstance(probs, list) or not all(_num(q) and q >= 0 for q in probs):
        problems.append(Problem(file, f"{where}.probabilities", f"{brief(probs)}; allowed: a list of numbers >= 0 adding up to 1"))
        ok = False
    elif ok and len(probs) != len(values):
        problems.append(Problem(file, f"{where}.probabilities", f"{len(probs)} probabilities for {len(values)} values; allowed: one per value"))
        ok = False
    elif abs(sum(probs) - 1) > PROB_TOL:
        problems.append(Problem(file, f"{where}.probabilities", f"add up to {sum(probs):g}; allowed: a total of 1"))
        ok = False
    return {"values": [float(v) for v in values], "probabilities": [float(q) for q in probs]} if ok else {}


def _read_correlations(entries: Any, drivers: set[str], file: str, problems: list[Problem]) -> list[Correlation]:
    if not isinstance(entries, list):
        problems.append(Problem(file, "correlation", f"expected [[correlation]] tables, got {brief(entries)}"))
        return []
    out: list[Correlation] = []
    seen: dict[frozenset, int] = {}
    for k, entry in enumerate(entries, start=1):
        where = f"correlation #{k}"
        if not isinstance(entry, dict):
            problems.append(Problem(file, where, f"expected a [[correlation]] table with a, b, rho and source, got {brief(entry)}"))
            continue
        n0 = len(problems)
        for key in entry:
            if key not in CORRELATION_KEYS:
                problems.append(Problem(file, f"{where}.{key}", unknown_name(str(key), list(CORRELATION_KEYS)) + f"; allowed: {', '.join(CORRELATION_KEYS)}"))
        for key in ("a", "b"):
            v = entry.get(key)
            if v is None:
                problems.append(Problem(file, f"{where}.{key}", "missing; expected a driver name"))
            elif not isinstance(v, str) or v not in drivers:
                msg = unknown_name(v, sorted(drivers)) if isinstance(v, str) else f"{brief(v)} is not a driver name"
                problems.append(Problem(file, f"{where}.{key}", f"{msg}; allowed: a driver of [drivers] ({', '.join(drivers)})"))
        rho = entry.get("rho")
        if rho is None:
            problems.append(Problem(file, f"{where}.rho", "missing; expected a number from -1 to 1"))
        elif not _num(rho) or not -1 <= rho <= 1:
            problems.append(Problem(file, f"{where}.rho", f"{brief(rho)}; allowed: a number >= -1 and <= 1"))
        source = entry.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(Problem(file, f"{where}.source", f"{brief(source)}: every correlation needs a source text or 'ASSUMPTION: why'"))
        if len(problems) > n0:
            continue
        a, b = entry["a"], entry["b"]
        if a == b:
            problems.append(Problem(file, f"{where}.b", f"{b!r} is also a; allowed: a driver other than a"))
            continue
        pair = frozenset((a, b))
        if pair in seen:
            problems.append(Problem(file, where, f"{a} ~ {b} is already given in correlation #{seen[pair]}; allowed: each pair once"))
            continue
        seen[pair] = k
        out.append(Correlation(a, b, float(rho), source))
    return out


def _copula_factor(names: list[str], correlations: list[Correlation], file: str, problems: list[Problem]) -> np.ndarray:
    """F with F @ F.T = the correlation matrix: Cholesky, or eigen-decomposition if only semi-definite."""
    index = {n: j for j, n in enumerate(names)}
    c = np.eye(len(names))
    for corr in correlations:
        i, j = index[corr.a], index[corr.b]
        c[i, j] = c[j, i] = corr.rho
    try:
        return np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        pass
    w, v = np.linalg.eigh(c)
    if w.min() < -1e-10:
        pairs = ", ".join(f"{x.a} ~ {x.b} = {x.rho:g}" for x in correlations)
        problems.append(Problem(file, "correlation", f"the correlations ({pairs}) contradict each other: the matrix is not "
                                f"positive semi-definite (smallest eigenvalue {w.min():.3g}); allowed: a valid correlation matrix (weaken some rho)"))
        return np.eye(len(names))
    return v * np.sqrt(np.clip(w, 0.0, None))


# --- inverse CDFs ------------------------------------------------------------------

_SQRT_HALF = 1.0 / math.sqrt(2.0)


def norm_cdf(z) -> np.ndarray:
    """Standard normal CDF Phi(z) [-], absolute error < 1e-7.

    Phi(z) = erfc(-z / sqrt 2) / 2 with the Chebyshev-fitted erfc of Numerical
    Recipes (``erfcc``, fractional error < 1.2e-7 everywhere).
    """
    x = -np.asarray(z, dtype=float) * _SQRT_HALF
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * a)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (
        0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    with np.errstate(under="ignore"):
        erfc = t * np.exp(-a * a + poly)
    return np.clip(0.5 * np.where(x >= 0, erfc, 2.0 - erfc), 0.0, 1.0)


def triangular_ppf(u, low: float, mode: float, high: float) -> np.ndarray:
    """Inverse CDF of the triangular distribution at probabilities ``u`` [-]."""
    u = np.asarray(u, dtype=float)
    width = high - low
    if width == 0:
        return np.full_like(u, low)
    cut = (mode - low) / width
    left = low + np.sqrt(u * width * (mode - low))
    right = high - np.sqrt((1.0 - u) * width * (high - mode))
    return np.clip(np.where(u < cut, left, right), low, high)


def choice_ppf(u, values, probabilities) -> np.ndarray:
    """The value whose cumulative-probability slot holds ``u`` [-]."""
    cum = np.cumsum(probabilities)
    k = np.minimum(np.searchsorted(cum, np.asarray(u, dtype=float), side="right"), len(values) - 1)
    return np.asarray(values, dtype=float)[k]


# --- from draws to model inputs --------------------------------------------------------

def _input_keys(driver: Driver, base: Inputs) -> list[str]:
    """The input keys a driver sets (a phase field expands to every phase)."""
    names = driver.applies_to if driver.is_factor else (driver.name,)
    keys: list[str] = []
    for name in names:
        spec = SPEC_BY_NAME[name.split(".", 1)[-1]]
        if "." in name or spec.scope == "plan":
            keys.append(name)
        elif spec.scope == "phase":
            keys += [f"{p}.{name}" for p in base.phases]
        elif spec.scope == "generation":  # a factor on every GPU generation's value
            keys += [f"{g}.{name}" for g in base.generations]
        else:  # phase_optional: the plan-wide value, and a factor also scales a phase's own value
            keys.append(name)
            if driver.is_factor:
                keys += [f"{p}.{name}" for p in base.phases if f"{p}.{name}" in base.values]
    return keys


def _plan_inputs(dists: Distributions, base: Inputs, overrides: Mapping[str, Any]) -> list[tuple[Driver, str, float | None]]:
    """(driver, input key, base value [input unit] for a factor, None for an input driver) for every input the draws set.

    InputError if two drivers set one input, a factor takes an input out of
    its allowed range, or the scenario gives a phase its own value of an
    input that a plan-wide driver samples.
    """
    file = dists.file
    problems: list[Problem] = []
    out: list[tuple[Driver, str, float | None]] = []
    owner: dict[str, str] = {}
    for d in dists.drivers:
        outside: list[str] = []
        for key in _input_keys(d, base):
            field_name = key.split(".", 1)[-1]
            if key in owner:
                problems.append(Problem(file, f"drivers.{d.name}", f"{key!r} is already sampled by driver {owner[key]!r}; allowed: one driver per input"))
                continue
            owner[key] = d.name
            if d.is_factor:  # a phase without its own value of a plan-wide input scales the plan-wide one
                value = float(np.asarray(base.values[key] if key in base.values else base.values[field_name]))
                spec = SPEC_BY_NAME[field_name]
                lo, hi = d.support()
                too_low = spec.lo is not None and (value * lo <= spec.lo if spec.lo_strict else value * lo < spec.lo)
                too_high = spec.hi is not None and value * hi > spec.hi
                if too_low or too_high:
                    outside.append(f"{key} = {value:g} gives {value * lo:g} to {value * hi:g} (allowed: {spec.allowed()})")
                out.append((d, key, value))
            elif key not in overrides:  # an override holds a sampled input fixed
                out.append((d, key, None))
        if outside:
            lo, hi = d.support()
            problems.append(Problem(file, f"drivers.{d.name}", f"draws from {lo:g} to {hi:g} take inputs out of range: {'; '.join(outside)}; "
                                    "allowed: a range that keeps every input it applies to allowed"))
    for d in dists.drivers:
        if not d.is_factor and "." not in d.name and SPEC_BY_NAME[d.name].scope == "phase_optional":
            own = [k for p in base.phases if (k := f"{p}.{d.name}") in base.values and k not in owner and k not in overrides]
            if own:
                problems.append(Problem(file, f"drivers.{d.name}", f"the scenario sets {', '.join(own)} itself, so the plan-wide draws would not reach "
                                        f"{'it' if len(own) == 1 else 'them'}; allowed: a driver for each of them too, or '{d.name}{FACTOR_SUFFIX}' with applies_to = \"{d.name}\""))
    if problems:
        raise InputError(problems)
    return out


def _chunk_overrides(sampled: pd.DataFrame, lo: int, hi: int, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """The run's overrides plus draws lo..hi-1 of every sampled input, each of shape (hi - lo, 1)."""
    return {**overrides, **{key: sampled[key].to_numpy()[lo:hi, None] for key in sampled.columns}}


# --- the run -----------------------------------------------------------------------------

class MonteCarloResult:
    """Per-draw metrics of a Monte Carlo run, with the draws that produced them.

    ``metrics[entity][metric]``: shape (n,), entity = a phase or 'total',
    metric in METRICS, units in ``units``: npv [EUR], irr_annual [1/yr],
    lcoc and breakeven_price [EUR/GPU-h], capex_initial [EUR], jobs_permanent_2030
    [FTE], equity_irr [1/yr], equity_npv [EUR], min_dscr [-] (NaN without
    debt), peak_funding [EUR]. ``drivers``: the sampled drivers, one row per draw (each in its
    own unit; factors [-]); ``sampled_inputs``: the input values the draws
    set (``alixan.gpu_price_usd`` ...).
    """

    def __init__(self, *, n: int, seed: int, scenario: str, entities: list[str], metrics: dict[str, dict[str, np.ndarray]],
                 drivers: pd.DataFrame, sampled_inputs: pd.DataFrame, overrides: Mapping[str, Any],
                 distributions: Distributions, units: dict[str, str], seconds: float, covenant: float = math.nan):
        self.n, self.seed, self.scenario = n, seed, scenario
        self.entities = entities
        self.metrics = metrics
        self.drivers = drivers
        self.sampled_inputs = sampled_inputs
        self.overrides = dict(overrides)
        self.distributions = distributions
        self.units = units
        self.seconds = seconds  # wall time of the run [s]
        self.covenant = covenant  # dscr_covenant of the base inputs [-]

    def __repr__(self) -> str:
        return f"MonteCarloResult(n={self.n}, seed={self.seed}, scenario={self.scenario!r}, {self.seconds:.2f} s)"

    @cached_property
    def draws(self) -> pd.DataFrame:
        """One row per draw and entity: draw, entity, the metrics, then the drivers of that draw."""
        frames = []
        for e in self.entities:
            df = pd.DataFrame({"draw": np.arange(self.n), "entity": e, **self.metrics[e]})
            frames.append(pd.concat([df, self.drivers.reset_index(drop=True)], axis=1))
        out = pd.concat(frames, ignore_index=True)
        out.attrs["units"] = {**self.units, **self.drivers.attrs.get("units", {})}
        return out

    def percentiles(self, metrics=METRICS) -> pd.DataFrame:
        """P10, P50, P90, mean and the count of finite draws per entity and metric (NaN draws left out).

        Index (entity, metric); the metric's unit in column 'unit'.
        """
        rows = []
        for e in self.entities:
            for m in metrics:
                x = self.metrics[e][m]
                x = x[np.isfinite(x)]
                p10, p50, p90 = np.percentile(x, [10, 50, 90]) if x.size else (np.nan,) * 3
                rows.append(dict(entity=e, metric=m, p10=p10, p50=p50, p90=p90,
                                 mean=x.mean() if x.size else np.nan, n=x.size, unit=self.units[m]))
        return pd.DataFrame(rows).set_index(["entity", "metric"])

    def prob_negative_npv(self) -> pd.Series:
        """Share of draws with NPV < 0, per entity [-]."""
        return pd.Series({e: float(np.mean(self.metrics[e]["npv"] < 0)) for e in self.entities}, name="prob_negative_npv")

    def prob_covenant_breach(self) -> pd.Series:
        """Share of draws whose minimum covenant DSCR is below dscr_covenant, per entity [-].

        The covenant DSCR is tested on the trailing 12 months at test dates
        (:mod:`finmodel.items.covenants`). A draw is NaN only when the entity
        has no covenant test (no debt service): no covenant to breach. The
        total's minimum is the weakest phase's with debt, so its probability
        is at least each phase's.
        """
        return pd.Series({e: float(np.mean(self.metrics[e]["min_dscr"] < self.covenant)) for e in self.entities},
                         name="prob_covenant_breach")

    def overrides_for(self, draw: int) -> dict[str, Any]:
        """The overrides that make ``finmodel.run`` reproduce one draw: the run's overrides plus the draw's inputs."""
        row = self.sampled_inputs.iloc[draw]
        return {**self.overrides, **{k: float(v) for k, v in row.items()}}


def check_draws(n: Any, seed: Any, names: tuple[str, str] = ("n", "seed"), where: str = "monte_carlo") -> list[Problem]:
    """Problems with a number of draws ``n`` (1 to MAX_DRAWS) and a ``seed`` (a whole number >= 0).

    ``names``: how the caller calls them (``("--draws", "--seed")`` on the command line).
    """
    problems = []
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_DRAWS:
        need = f" ({n:,} draws would need about {n * BYTES_PER_DRAW / 2**30:,.3g} GiB of memory)" \
            if isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > MAX_DRAWS else ""
        problems.append(Problem(where, names[0], f"{brief(n)}{need}; allowed: a whole number from 1 to {MAX_DRAWS:,} "
                                f"(about {MAX_DRAWS * BYTES_PER_DRAW / 2**30:.1f} GiB)"))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        problems.append(Problem(where, names[1], f"{brief(seed)}; allowed: a whole number >= 0"))
    return problems


def monte_carlo(
    n: int = 10_000,
    seed: int = 0,
    *,
    scenario: str | None = None,
    inputs_dir: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    chunk: int = 1000,
    progress: bool = False,
    distributions: Path | str | None = None,
) -> MonteCarloResult:
    """Run ``n`` draws [-] of the drivers in the distributions file through the monthly model.

    ``seed``: of numpy's default Generator; the same seed gives the same
    numbers, whatever ``chunk``. ``scenario``, ``inputs_dir`` and
    ``overrides`` as in :func:`finmodel.run`: the scenario with its
    overrides is the base that factor drivers scale, and an input both
    overridden and sampled is held at the override. ``distributions``: the
    file (default ``<inputs_dir>/distributions.toml``). ``chunk``: draws
    evaluated at once [-]; working memory is about 45 kB per draw of a
    chunk (1000: ~45 MB, the fastest on a 2-core machine). ``progress``: a tqdm bar.
    Raises InputError for bad arguments, inputs or distributions.
    """
    t0 = _time.perf_counter()
    problems = check_draws(n, seed)
    if problems:
        raise InputError(problems)
    if isinstance(chunk, bool) or not isinstance(chunk, (int, np.integer)) or chunk < 1:
        raise InputError([Problem("monte_carlo", "chunk", f"{brief(chunk)}; allowed: a whole number >= 1")])
    overrides = dict(overrides or {})
    arrays = [k for k, v in overrides.items() if np.ndim(v) > 0]
    if arrays:
        raise InputError([Problem("overrides", k, "an array; allowed: one value (the draws come from the distributions file)") for k in arrays])
    base = load_inputs(scenario, inputs_dir=inputs_dir, overrides=overrides)
    dist_path = Path(distributions) if distributions is not None else base.inputs_dir / DISTRIBUTIONS_FILE
    dists = load_distributions(dist_path, phases=base.phases)
    targets = _plan_inputs(dists, base, overrides)
    drivers = dists.sample(int(n), seed)
    for d in dists.drivers:  # an input driver held by an override: its column shows the value used
        if not d.is_factor and d.name in overrides:
            drivers[d.name] = float(np.asarray(base.values[d.name]))
    sampled = pd.DataFrame({key: drivers[d.name].to_numpy() if bv is None else bv * drivers[d.name].to_numpy()
                            for d, key, bv in targets}, index=drivers.index)

    entities = [*base.phases, TOTAL]
    out = {e: {m: np.empty(n) for m in METRICS} for e in entities}
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=int(n), unit="draw", desc="monte carlo")
    try:
        for lo in range(0, int(n), int(chunk)):
            hi = min(lo + int(chunk), int(n))
            inputs = load_inputs(base.scenario, inputs_dir=base.inputs_dir,
                                 overrides=_chunk_overrides(sampled, lo, hi, overrides),
                                 overrides_source=f"{dists.file} (draws {lo}-{hi - 1})")
            _, values = evaluate(inputs, only=(*METRICS, *{NOT_APPLICABLE[m] for m in METRICS if m in NOT_APPLICABLE}))
            for e in entities:
                for m in METRICS:
                    out[e][m][lo:hi] = np.broadcast_to(applicable(values[e], m), (hi - lo, 1))[:, 0]
            if bar is not None:
                bar.update(hi - lo)
    finally:
        if bar is not None:
            bar.close()
    units = {it.name: it.unit for it in PHASE_ITEMS if it.name in METRICS}
    return MonteCarloResult(n=int(n), seed=seed, scenario=base.scenario, entities=entities, metrics=out, drivers=drivers,
                            sampled_inputs=sampled, overrides=overrides, distributions=dists, units=units,
                            seconds=_time.perf_counter() - t0,
                            covenant=first_value(base.values["dscr_covenant"]))

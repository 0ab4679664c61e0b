"""The distributions file (``distributions.toml``): each uncertain driver's distribution, the correlations of
the Gaussian copula between drivers, read and validated (InputError listing every problem), and the draws."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmodel.inputs import DEFAULT_INPUTS_DIR, InputError, Problem, brief, unknown_name
from finmodel.montecarlo.sampling import choice_ppf, norm_cdf, triangular_ppf
from finmodel.spec import SPEC_BY_NAME

DISTRIBUTIONS_FILE = "distributions.toml"

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
#: inputs that must be a whole number of months (finmodel.inputs.checks checks gpu_life_years x 12)
WHOLE_MONTH_INPUTS = ("gpu_life_years",)
PROB_TOL = 1e-9


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

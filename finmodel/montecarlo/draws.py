"""The draws through the model: the inputs each driver sets, the checks on the number of draws and the seed,
and :func:`monte_carlo`, which evaluates the monthly model chunk by chunk over the draw axis."""

from __future__ import annotations

import time as _time
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from finmodel.inputs import InputError, Inputs, Problem, brief, load_inputs
from finmodel.model import evaluate
from finmodel.montecarlo.distributions import DISTRIBUTIONS_FILE, FACTOR_SUFFIX, Distributions, Driver, load_distributions
from finmodel.montecarlo.summary import METRICS, MonteCarloResult
from finmodel.registry import PHASE_ITEMS, first_value
from finmodel.results import NOT_APPLICABLE, applicable
from finmodel.spec import SPEC_BY_NAME

TOTAL = "total"

#: memory kept per draw for the whole run [bytes]: sampled drivers and every metric of every entity
#: (measured: peak 185 MiB for 10,000 draws, 244 MiB for 100,000, chunks of 1,000)
BYTES_PER_DRAW = 700
MAX_DRAWS = 1_000_000  # [-] about 0.7 GiB kept, on top of the chunk's working memory


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
    evaluated at once [-]; working memory is about 250 kB per draw of a
    chunk, every phase being evaluated at once (1000: ~250 MB, the fastest on a 2-core machine).
    ``progress``: a tqdm bar.
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

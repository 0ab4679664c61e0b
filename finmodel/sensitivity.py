"""Sensitivity of NPV and levelized cost to the main drivers: tornado and break-evens.

::

    from finmodel.sensitivity import DRIVERS, tornado, breakeven, breakevens
    tornado()                          # one row per driver: NPV and LCOC (total) at its low and high ends
    breakeven("gpu_hour_price")        # factor on every phase's GPU-hour price at which NPV = 0
    breakevens()                       # GPU-hour price, utilisation and power price, with messages

A driver either *scales* inputs by a factor (``gpu_price``: every GPU
generation's ``gpu_price_usd`` x the factor; its base value is 1) or *sets* an input to a
value (``utilisation`` = 0.80). Where a scenario gives a phase its own
value of a plan-wide input (``alixan.pue``), a value driver sets that too.
NPV is the model's ``npv`` (after tax, at ``discount_rate``), LCOC its
``lcoc``. Everything is evaluated on the model's draw axis: variants are
inputs of shape (N, 1) evaluated in one call. Nothing on disk changes.
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from finmodel.inputs import Inputs, InputError, Problem, input_ranges, load_inputs
from finmodel.model import TOTAL, evaluate
from finmodel.registry import PHASE_ITEMS
from finmodel.results import applicable
from finmodel.roots import find_roots
from finmodel.spec import SPEC_BY_NAME

FACTOR, VALUE = "factor", "value"
FACTOR_UNIT = "x base"


@dataclass(frozen=True)
class Driver:
    """One sensitivity driver: which inputs it moves, how, its low/high ends and why.

    ``mode`` FACTOR: every input of ``fields`` (for a phase field, each
    phase's) is multiplied by the driver's value (base 1). ``mode`` VALUE:
    the plan-wide input ``fields[0]`` (and any phase's own value of it) is set
    to the driver's value. ``low``/``high`` None: taken from the input's
    ``low``/``high`` in plan.toml (see :func:`driver_ranges`).
    """

    name: str
    label: str
    mode: str
    fields: tuple[str, ...]
    low: float | None
    high: float | None
    source: str
    continuous: bool = True  # False: only whole months make sense (no break-even search)

    @property
    def unit(self) -> str:
        return FACTOR_UNIT if self.mode == FACTOR else SPEC_BY_NAME[self.fields[0]].unit


_PLAN = "range: the input's low/high in inputs/plan.toml"

#: The main drivers, in the order of the issue. Ranges cite reference/benchmarks.md.
DRIVERS: dict[str, Driver] = {d.name: d for d in (
    Driver("gpu_price", "GPU-server price per GPU (every generation)", FACTOR, ("gpu_price_usd",),
           2.0 / 3.4, 4.0 / 3.4,
           # GB200's USD 47k per GPU is GB200 NVL72 compute USD 3.4 M / 72 (Bernstein).
           "benchmarks.md section 1: GB200 NVL72 compute hardware USD 3.4 M per rack, range USD 2-4 M (Bernstein), "
           "so 2.0/3.4 = 0.59x to 4.0/3.4 = 1.18x every generation's price in generations.toml (GB200 USD 27.6-55.3k); "
           "Vera Rubin NVL72 USD 7.8 M, range 7-9.1 M (rack_price_vr200_nvl72_usd) is 0.90-1.17x, inside it."),
    Driver("gpu_hour_price", "Price per GPU-hour, contract and new-generation merchant (every generation)", FACTOR,
           ("gpu_hour_price_usd", "contract_price_usd"), 2.65 / 3.0, 3.2 / 3.0,
           "benchmarks.md section 2.5: B200 about USD 2.65-3.2 per GPU-hour on contract (section 1: USD 3.0 "
           "contract default, RBC/FT, Lyceum), so 2.65/3.0 = 0.88x to 3.2/3.0 = 1.07x the default USD 3.0; "
           "on-demand prices (USD 4.5-6) are not what multi-year contracts pay."),
    Driver("gpu_hour_price_decline", "Yearly merchant GPU-hour price decline per generation", VALUE, ("gpu_hour_price_decline",),
           None, None, "benchmarks.md section 1: -15 % to -43 % a year (SemiAnalysis cycle; RBC H100 -22 %, H200 -29 %); " + _PLAN),
    Driver("contracted_share", "Share of GPU-hours on take-or-pay contracts", VALUE, ("contracted_share",),
           None, None, "benchmarks.md section 2: CoreWeave 96 % of revenue contracted, contracts about 4.5-5 years "
           "(coreweave_contract_terms), against no anchor customer announced by Sesterce (peers.md); " + _PLAN),
    Driver("contract_price", "Contract price per GPU-hour (every generation)", FACTOR, ("contract_price_usd",),
           2.3 / 3.2, 3.5 / 3.2,
           "benchmarks.md section 1: B200 about USD 2.65-3.5 per GPU-hour on contract (b200_reserved); GB200/GB300 "
           "contracts USD 3.1-3.3 (peers.md); IREN-Microsoft about USD 2.3 (derived, plan.toml contract notes): "
           "2.3/3.2 = 0.72x to 3.5/3.2 = 1.09x every generation's contract price (GB300 USD 3.2)."),
    Driver("utilisation", "Billed utilisation at steady state", VALUE, ("utilisation",),
           None, None, "benchmarks.md section 1: 75-95 % (Kerrisdale/CoreWeave 87 %; Disintermediate); " + _PLAN),
    Driver("power_price_eur_per_mwh", "All-in power price", VALUE, ("power_price_eur_per_mwh",),
           None, None, "benchmarks.md section 1: EUR 65-105 per MWh (energy 55-70 + TURPE + excise 12 reduced, "
           "26.58 if the reduced rate goes); " + _PLAN),
    Driver("pue", "Power usage effectiveness", VALUE, ("pue",),
           None, None, "benchmarks.md section 1: liquid-cooled AI halls 1.05-1.25 (Sesterce targets 1.1); " + _PLAN),
    Driver("capex_per_mw", "Facility capex per MW (shell, electrical, cooling, heat reuse)", FACTOR,
           ("shell_capex_eur_per_mw", "electrical_capex_eur_per_mw", "cooling_capex_eur_per_mw", "heat_reuse_capex_eur_per_mw"),
           9.0 / 13.5, 17.0 / 13.5,
           # default: 3 + 6 + 4 + 0.5 = EUR 13.5 M per MW of IT (plan.toml)
           "benchmarks.md section 1: facility (shell + MEP) capex EUR 9-17 M per MW (Cushman & Wakefield, "
           "Turner & Townsend, JLL), so 9/13.5 = 0.67x to 17/13.5 = 1.26x the default EUR 13.5 M/MW."),
    Driver("discount_rate", "Discount rate (WACC)", VALUE, ("discount_rate",),
           None, None, "benchmarks.md section 1: neocloud WACC 9-14 % (CoreWeave debt 6-15 %); " + _PLAN),
    Driver("gpu_life_years", "GPU life (refresh cycle)", VALUE, ("gpu_life_years",),
           None, None, "benchmarks.md section 1: 4-6 years (Nebius 4, Amazon 5, CoreWeave/Microsoft/Alphabet 6), "
           "whole numbers of months (48 and 72); " + _PLAN, continuous=False),
    Driver("usd_per_eur", "Exchange rate", VALUE, ("usd_per_eur",),
           None, None, "benchmarks.md section 1: USD 1.13-1.18 per EUR (2025 average ~1.13, year end ~1.17); " + _PLAN),
)}

#: drivers whose break-even `breakevens()` reports
BREAKEVEN_DRIVERS = ("gpu_hour_price", "utilisation", "power_price_eur_per_mwh")
ALIASES = {"power_price": "power_price_eur_per_mwh", "gpu_hour_price_usd": "gpu_hour_price", "gpu_price_usd": "gpu_price",
           "contract_price_usd": "contract_price"}


# --- applying a driver ---------------------------------------------------------

def _driver(name: str | Driver) -> Driver:
    """A built-in driver by name, a user's :class:`Driver`, or any plan-wide input with a low/high range (a value driver)."""
    if isinstance(name, Driver):
        unknown = [f for f in name.fields if f not in SPEC_BY_NAME]
        if unknown or name.mode not in (FACTOR, VALUE) or not name.fields:
            raise ValueError(f"driver {name.name!r}: mode must be {FACTOR!r} or {VALUE!r} and fields known inputs"
                             + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        if name.mode == VALUE and SPEC_BY_NAME[name.fields[0]].scope not in ("plan", "phase_optional"):
            raise ValueError(f"driver {name.name!r}: a value driver sets a plan-wide input; {name.fields[0]!r} is per "
                             f"phase: use mode {FACTOR!r} (scales every phase's value)")
        return name
    key = ALIASES.get(name, name)
    if key in DRIVERS:
        return DRIVERS[key]
    spec = SPEC_BY_NAME.get(key)
    if spec is not None and spec.scope in ("plan", "phase_optional"):
        return Driver(key, spec.description, VALUE, (key,), None, None, _PLAN)
    raise ValueError(f"unknown driver {name!r}; known: {', '.join(DRIVERS)}, any plan-wide input with a low/high "
                     "range in plan.toml, or a finmodel.sensitivity.Driver(...) of your own")


def driver_keys(driver: Driver | str, inputs: Inputs) -> list[str]:
    """The input names a driver moves in these inputs (``alixan.gpu_price_usd``, ``discount_rate``)."""
    d = _driver(driver)
    keys: list[str] = []
    for fld in d.fields:
        scope = SPEC_BY_NAME[fld].scope
        if scope == "phase":
            keys += [f"{p}.{fld}" for p in inputs.phases]
        elif scope == "generation":
            keys += [f"{g}.{fld}" for g in inputs.generations]
        else:
            keys.append(fld)
            if scope == "phase_optional":
                keys += [f"{p}.{fld}" for p in inputs.phases if f"{p}.{fld}" in inputs.values]
    return keys


def driver_base(driver: Driver | str, inputs: Inputs) -> float:
    """The driver's value in these inputs: 1 for a factor, the plan-wide input for a value."""
    d = _driver(driver)
    return 1.0 if d.mode == FACTOR else float(inputs.values[d.fields[0]])


def driver_overrides(driver: Driver | str, inputs: Inputs, x: Any) -> dict[str, Any]:
    """Overrides that put ``driver`` at ``x`` (a number or an array of shape (N, 1)) on top of ``inputs``."""
    d = _driver(driver)
    keys = driver_keys(d, inputs)
    if d.mode == FACTOR:
        return {k: inputs.values[k] * x for k in keys}
    return {k: x for k in keys}


def _stacked_overrides(inputs: Inputs, blocks: Sequence[tuple[Driver | None, np.ndarray]]) -> dict[str, np.ndarray]:
    """Overrides of shape (N, 1) stacking ``blocks`` on the draw axis: each block's rows put its driver at its
    values (m,) and leave every other input at base; a block of driver None is rows at base."""
    n = sum(len(x) for _, x in blocks)
    arrays: dict[str, np.ndarray] = {}
    start = 0
    for d, x in blocks:
        if d is not None:
            for key, value in driver_overrides(d, inputs, np.reshape(x, (-1, 1))).items():
                if key not in arrays:
                    arrays[key] = np.full((n, 1), float(inputs.values[key]))
                arrays[key][start:start + len(x)] = value
        start += len(x)
    return arrays


def driver_ranges(scenario: str | None = None, *, inputs_dir: Path | str | None = None,
                  overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Every driver with its unit, base, low and high values, the inputs it moves and its source."""
    inputs = load_inputs(scenario, inputs_dir=inputs_dir, overrides=overrides)
    ranges = input_ranges(inputs.inputs_dir)
    rows = []
    for d in DRIVERS.values():
        low, high = _ends(d, ranges, inputs)
        rows.append(dict(driver=d.name, label=d.label, mode=d.mode, unit=d.unit, base=driver_base(d, inputs),
                         low=low, high=high, inputs=", ".join(driver_keys(d, inputs)), source=d.source))
    return pd.DataFrame(rows).set_index("driver")


def _ends(d: Driver, ranges: Mapping[str, tuple], inputs: Inputs) -> tuple[float, float]:
    if d.low is not None and d.high is not None:
        return d.low, d.high
    low, high = ranges.get(d.fields[0], (None, None))
    if low is None or high is None:
        file = str(Path(inputs.inputs_dir) / "plan.toml")
        raise InputError([Problem(file, f"inputs.{d.fields[0]}", f"no low/high range; the sensitivity driver {d.name!r} needs both")])
    return float(low), float(high)


def _allowed(d: Driver, inputs: Inputs) -> tuple[float, float]:
    """The driver values every input it moves allows (spec lo/hi)."""
    if d.mode == VALUE:
        spec = SPEC_BY_NAME[d.fields[0]]
        lo = spec.lo if spec.lo is not None else -math.inf
        if spec.lo_strict:
            lo = math.nextafter(lo, math.inf)
        return float(lo), float(spec.hi if spec.hi is not None else math.inf)
    lo, hi = 0.0, math.inf
    for k in driver_keys(d, inputs):
        spec, base = SPEC_BY_NAME[k.split(".")[-1]], float(inputs.values[k])
        if base > 0:
            lo = max(lo, (spec.lo or 0.0) / base)
            hi = min(hi, spec.hi / base if spec.hi is not None else math.inf)
    return lo, hi


def _entity(entity: str, inputs: Inputs) -> str:
    if entity != TOTAL and entity not in inputs.phases:
        raise ValueError(f"unknown entity {entity!r}; allowed: {', '.join([*inputs.phases, TOTAL])}")
    return entity


# --- tornado -------------------------------------------------------------------

def tornado(scenario: str | None = None, *, inputs_dir: Path | str | None = None,
            metric: str | Sequence[str] = ("npv", "lcoc"), entity: str = TOTAL,
            drivers: Sequence[str | Driver] | None = None, overrides: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """NPV and levelized cost at each driver's low and high ends, one row per driver, largest NPV swing first.

    Columns: label, unit, base, low, high (the driver's values: factors for
    scaled inputs), then for each metric (scalar line items of ``entity``,
    by default the total's ``npv`` [EUR] and ``lcoc`` [EUR/GPU-h])
    ``<metric>_base``, ``<metric>_low``, ``<metric>_high`` and
    ``<metric>_swing`` = |high - low|; last the inputs moved and the source.
    Sorted by the first metric's swing. Base, all lows and all highs are one
    vectorised evaluation (draw axis of 1 + 2 x drivers rows).

    ``drivers``: names of :data:`DRIVERS`, names of plan-wide inputs with a
    low/high range in plan.toml (``"senior_margin"``), or drivers of your own,
    e.g. ``Driver("gpu_price", "GPU price", "factor", ("gpu_price_usd",), 0.8,
    1.2, "my range")``.
    """
    metrics = [metric] if isinstance(metric, str) else list(metric)
    base_inputs = load_inputs(scenario, inputs_dir=inputs_dir, overrides=overrides)
    entity = _entity(entity, base_inputs)
    ranges = input_ranges(base_inputs.inputs_dir)
    chosen = [_driver(n) for n in (drivers or DRIVERS)]
    n = 1 + 2 * len(chosen)

    # row 0 at base, each driver's two rows at its ends
    ends = {d.name: _ends(d, ranges, base_inputs) for d in chosen}
    arrays = _stacked_overrides(base_inputs, [(None, np.zeros(1))] + [(d, np.array(ends[d.name])) for d in chosen])
    inputs = load_inputs(scenario, inputs_dir=inputs_dir, overrides={**(overrides or {}), **arrays})
    _, values = evaluate(inputs)
    unknown = [m for m in metrics if m not in values[entity]]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; allowed: scalar line items such as npv, lcoc, irr_annual")
    out = {m: np.broadcast_to(np.asarray(applicable(values[entity], m), dtype=float)[..., -1:], (n, 1))[:, 0] for m in metrics}

    rows = []
    for j, d in enumerate(chosen):
        low, high = ends[d.name]
        row = dict(driver=d.name, label=d.label, unit=d.unit, base=driver_base(d, base_inputs), low=low, high=high)
        for m in metrics:
            lo_v, hi_v = out[m][1 + 2 * j], out[m][2 + 2 * j]
            row |= {f"{m}_base": out[m][0], f"{m}_low": lo_v, f"{m}_high": hi_v, f"{m}_swing": abs(hi_v - lo_v)}
        row |= dict(inputs=", ".join(driver_keys(d, base_inputs)), source=d.source)
        rows.append(row)
    df = pd.DataFrame(rows).set_index("driver")
    df = df.sort_values(f"{metrics[0]}_swing", ascending=False, kind="stable")
    item_units = {it.name: it.unit for it in PHASE_ITEMS}
    df.attrs["units"] = {f"{m}_{s}": item_units.get(m, "") for m in metrics for s in ("base", "low", "high", "swing")}
    df.attrs["scenario"] = base_inputs.scenario
    df.attrs["entity"] = entity
    return df


# --- break-even ----------------------------------------------------------------

@dataclass(frozen=True)
class Breakeven:
    """A break-even search: the driver value at which NPV (after tax) = 0, or NaN and why."""

    driver: str
    entity: str
    value: float  # NaN: no root in [lo, hi]
    unit: str
    base: float
    lo: float  # the range searched (what the inputs allow)
    hi: float
    npv: float  # NPV at value [EUR]
    eur_per_gpu_hour: float  # gpu_hour_price: the resulting new-generation price [EUR/GPU-h] of price_phase's first generation
    price_phase: str
    evaluations: int  # driver values evaluated for this driver (its rows of the shared batched evaluations)
    message: str


def solve_breakevens(drivers: Sequence[str | Driver] = BREAKEVEN_DRIVERS, scenario: str | None = None, *,
                     inputs_dir: Path | str | None = None, entity: str = TOTAL,
                     overrides: Mapping[str, Any] | None = None, grid: int = 200,
                     tol_eur: float = 1.0) -> list[Breakeven]:
    """For each driver, the value at which ``entity``'s NPV = 0; details in a :class:`Breakeven` each.

    All drivers are solved together by :func:`finmodel.roots.find_roots`:
    each model evaluation holds, on the draw axis, every unsolved driver's
    values (driver x values rows, each row one driver moved). First a grid
    of ``grid`` values over the range each driver's inputs allow (spec
    lo/hi; for a factor, what keeps every scaled input in range), then the
    sign change nearest the base value is refined until |NPV| <= tol_eur
    [EUR]; a row's NPV equals ``run(overrides=...)``'s at that value. No
    sign change: value NaN, a RuntimeWarning and the reason in ``message``.
    """
    chosen = [_driver(name) for name in drivers]
    for d in chosen:
        if not d.continuous:
            raise ValueError(f"driver {d.name!r} takes whole months only; no break-even search")
    base_inputs = load_inputs(scenario, inputs_dir=inputs_dir, overrides=overrides)
    entity = _entity(entity, base_inputs)
    bases = [driver_base(d, base_inputs) for d in chosen]
    allowed = [_allowed(d, base_inputs) for d in chosen]
    tops = [hi if math.isfinite(hi) else max(10 * abs(base), 1.0) for (_, hi), base in zip(allowed, bases)]
    xs = np.array([np.linspace(lo, top, grid) for (lo, _), top in zip(allowed, tops)])

    def npvs(which: np.ndarray, x: np.ndarray) -> np.ndarray:
        """NPV [EUR] with driver ``chosen[which[j]]`` at ``x[j, i]``: one evaluation of every row on the draw axis."""
        arrays = _stacked_overrides(base_inputs, [(chosen[w], row) for w, row in zip(which, x)])
        inputs = dataclasses.replace(base_inputs, values={**base_inputs.values, **arrays})
        return np.asarray(evaluate(inputs, only=["npv"])[1][entity]["npv"], dtype=float).reshape(x.shape)

    found = find_roots(npvs, xs, tol_eur, np.array(bases), what="NPV", unit="EUR")
    price_phase = entity if entity != TOTAL else base_inputs.phases[0]
    out = []
    for j, d in enumerate(chosen):
        x, npv, message = float(found.x[j]), float(found.fx[j]), found.messages[j]
        lo, hi = allowed[j]
        price = math.nan
        if math.isnan(x):
            message = (f"no break-even {d.name} for {entity} in the allowed range [{lo:g}, {tops[j]:g}] {d.unit}: "
                       f"{message}")
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        else:
            message = f"{message} at {d.name} = {x:.10g} {d.unit}{found.notes[j]}"
            if not found.converged[j]:
                warnings.warn(message, RuntimeWarning, stacklevel=2)
            if d.name == "gpu_hour_price":
                first = base_inputs.generation_at(float(base_inputs.values[f"{price_phase}.stage1_online"]))
                price = float(base_inputs.values[f"{first}.gpu_hour_price_usd"]) * x / float(base_inputs.values["usd_per_eur"])
        out.append(Breakeven(d.name, entity, x, d.unit, bases[j], lo, hi, npv, price, price_phase,
                             int(found.values[j]), message))
    return out


def breakeven(driver: str, scenario: str | None = None, *, inputs_dir: Path | str | None = None,
              entity: str = TOTAL, overrides: Mapping[str, Any] | None = None) -> float:
    """The value of ``driver`` at which ``entity``'s NPV (after tax) = 0; NaN (with a warning) if none in range.

    ``driver``: ``"gpu_hour_price"`` (a factor on every GPU generation's new-generation
    price; :func:`breakevens` or :func:`solve_breakevens` also give the
    resulting EUR/GPU-h), ``"utilisation"`` or ``"power_price_eur_per_mwh"``
    (or another continuous driver of DRIVERS).
    """
    return solve_breakevens([driver], scenario, inputs_dir=inputs_dir, entity=entity, overrides=overrides)[0].value


def breakevens(scenario: str | None = None, *, inputs_dir: Path | str | None = None, entity: str = TOTAL,
               overrides: Mapping[str, Any] | None = None, drivers: Sequence[str] = BREAKEVEN_DRIVERS) -> pd.DataFrame:
    """Break-evens of the GPU-hour price, utilisation and power price, solved together: one row each.

    Columns: value (NaN where there is no root in range), unit, base, lo and
    hi (the range searched), npv at the value, eur_per_gpu_hour (the
    new-generation price of ``price_phase`` at the GPU-hour price break-even),
    evaluations and message.
    """
    found = solve_breakevens(drivers, scenario, inputs_dir=inputs_dir, entity=entity, overrides=overrides)
    df = pd.DataFrame([dataclasses.asdict(b) for b in found]).set_index("driver")
    df.attrs["units"] = {"npv": "EUR", "eur_per_gpu_hour": "EUR/GPU-h"}
    return df


__all__ = ["DRIVERS", "Driver", "Breakeven", "tornado", "breakeven", "breakevens", "solve_breakevens",
           "driver_ranges", "driver_overrides", "driver_keys", "BREAKEVEN_DRIVERS"]

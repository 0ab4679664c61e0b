"""Load and validate `inputs/`: plan drivers, phases, curves, scenarios, announcements.

Every problem found is collected and reported at once in a
:class:`InputError` whose lines name the file, the field (and line or row
where there is one), the value and what is allowed. Nothing on disk is
changed: scenario and ``overrides`` values are applied in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from finmodel.spec import PLAN_FIELDS, REQUIRED_PHASE_FIELDS, SPEC_BY_NAME, InputSpec
from finmodel.timeline import from_serial, to_serial

DEFAULT_INPUTS_DIR = Path(__file__).resolve().parent.parent / "inputs"
ANNOUNCED_FIELDS = ("capex_eur", "gpus", "it_mw", "jobs")
STAFF_SHARES = ("staff_share_engineering", "staff_share_maintenance", "staff_share_research", "staff_share_security")


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is, what was found, what is allowed."""

    file: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class InputError(ValueError):
    """Invalid inputs; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the inputs:\n{lines}")


@dataclass
class Inputs:
    """Validated inputs of one scenario. Dates are Excel serials [day]."""

    scenario: str
    scenario_label: str
    reading: str
    phases: tuple[str, ...]
    phase_labels: dict[str, str]
    values: dict[str, Any]  # "discount_rate", "alixan.gpus", "alixan.pue" (only where a phase overrides)
    sources: dict[str, str]
    model_start: float
    periods: int
    curves: dict[str, tuple[tuple[int, ...], tuple[float, ...]]]
    curve_sources: dict[str, str]
    announcements: pd.DataFrame
    inputs_dir: Path
    scenarios: dict[str, dict] = field(default_factory=dict)

    def plan_view(self) -> dict[str, Any]:
        """Plan-wide inputs, curves and structural settings, by input name."""
        view = {k: v for k, v in self.values.items() if "." not in k}
        view.update(self.curves)
        view["model_start"] = self.model_start
        view["model_periods"] = self.periods
        return view

    def phase_view(self, phase: str) -> dict[str, Any]:
        """Inputs as phase ``phase`` sees them: its own fields over the plan-wide ones."""
        view = self.plan_view()
        prefix = phase + "."
        view.update({k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)})
        return view

    def digest(self) -> str:
        """SHA-256 of every input value, curve and the scenario name [hex]."""
        payload = {
            "scenario": self.scenario,
            "values": {k: np.asarray(v).tolist() for k, v in sorted(self.values.items())},
            "curves": self.curves,
            "start": self.model_start,
            "periods": self.periods,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --- parsing helpers ---------------------------------------------------------

def _read_toml(path: Path, problems: list[Problem]) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        problems.append(Problem(str(path), "(file)", "file not found"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        problems.append(Problem(str(path), "(syntax)", f"not valid TOML: {exc}"))
    return {}


def parse_date(value: Any) -> float | None:
    """Excel serial [day] of a first-of-month date given as 'YYYY-MM', 'YYYY-MM-DD', a date or a serial."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return to_serial(value) if value.day == 1 else None
    if isinstance(value, str):
        for fmt in ("%Y-%m", "%Y-%m-%d"):
            try:
                d = dt.datetime.strptime(value.strip(), fmt).date()
            except ValueError:
                continue
            return to_serial(d) if d.day == 1 else None
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value) if from_serial(value).day == 1 and float(value).is_integer() else None
    return None


def _check_value(spec: InputSpec, value: Any, file: str, field_name: str, problems: list[Problem]) -> Any:
    """The validated value (a float, an int-valued float, a date serial or an array), or None."""
    def bad(why: str) -> None:
        problems.append(Problem(file, field_name, f"{why}; allowed: {spec.allowed()}"))

    if spec.kind == "date":
        serial = parse_date(value)
        if serial is None:
            bad(f"{value!r} is not a first-of-month date")
        return serial
    if isinstance(value, (bool, str)) or value is None:
        bad(f"{value!r} is not a number")
        return None
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        bad(f"{value!r} is not a number")
        return None
    if not np.all(np.isfinite(arr)):
        bad(f"{value!r} is not a finite number")
        return None
    if spec.kind == "int" and not np.all(arr == np.round(arr)):
        bad(f"{value!r} is not a whole number")
        return None
    low_ok = spec.lo is None or (np.all(arr > spec.lo) if spec.lo_strict else np.all(arr >= spec.lo))
    if not low_ok or (spec.hi is not None and not np.all(arr <= spec.hi)):
        bad(f"{_show(value)} is out of range")
        return None
    return float(arr) if arr.ndim == 0 else arr


def _show(value: Any) -> str:
    arr = np.asarray(value)
    return repr(value) if arr.ndim == 0 else f"array of {arr.size} values from {arr.min():g} to {arr.max():g}"


def _unknown(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"unknown name {name!r}" + (f" (did you mean {close[0]!r}?)" if close else "")


def _read_figure(table: Any, spec: InputSpec, file: str, where: str, problems: list[Problem]) -> tuple[Any, str]:
    """Value and source of one `{ value, unit, source }` table."""
    if not isinstance(table, dict):
        problems.append(Problem(file, where, f"expected a table {{ value = ..., unit = \"{spec.unit}\", source = \"...\" }}, got {table!r}"))
        return None, ""
    for key in ("value", "unit", "source"):
        if key not in table:
            problems.append(Problem(file, f"{where}.{key}", "missing"))
    for key in table:
        if key not in ("value", "unit", "source", "low", "high", "note"):
            problems.append(Problem(file, f"{where}.{key}", _unknown(key, ["value", "unit", "source", "low", "high", "note"])))
    if "unit" in table and table["unit"] != spec.unit:
        problems.append(Problem(file, f"{where}.unit", f"{table['unit']!r} but this input is in {spec.unit!r}"))
    if "source" in table and not str(table["source"]).strip():
        problems.append(Problem(file, f"{where}.source", "empty: every figure needs a source or 'ASSUMPTION: why'"))
    value = _check_value(spec, table["value"], file, where, problems) if "value" in table else None
    return value, str(table.get("source", ""))


def _read_curve(path: Path, years_needed: range, problems: list[Problem]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(file, "(file)", "file not found"))
        return (), ()
    except (UnicodeDecodeError, OSError) as exc:
        problems.append(Problem(file, "(file)", f"cannot be read: {exc}"))
        return (), ()
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != ["year", "value"]:
        problems.append(Problem(file, "line 1", f"header must be 'year,value', got {','.join(rows[0]) if rows else 'an empty file'!r}"))
        return (), ()
    found: dict[int, float] = {}
    for lineno, cells in enumerate(rows[1:], start=2):
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != 2:
            problems.append(Problem(file, f"line {lineno}", f"expected 2 cells 'year,value', got {len(cells)}"))
            continue
        try:
            year = int(cells[0])
        except ValueError:
            problems.append(Problem(file, f"line {lineno}, year", f"{cells[0]!r} is not a whole year"))
            continue
        try:
            value = float(cells[1])
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            problems.append(Problem(file, f"line {lineno}, value", f"{cells[1]!r} is not a number >= 0"))
            continue
        if year in found:
            problems.append(Problem(file, f"line {lineno}, year", f"{year} appears twice"))
        found[year] = value
    missing = [y for y in years_needed if y not in found]
    if missing:
        problems.append(Problem(file, "year", f"missing years {_ranges(missing)}; the curve needs every year {years_needed.start}-{years_needed.stop - 1}"))
    years = tuple(sorted(found))
    return years, tuple(found[y] for y in years)


def _ranges(years: list[int]) -> str:
    out, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            out.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(out)


# --- loading -------------------------------------------------------------

def _resolve_name(name: str, phases: tuple[str, ...]) -> tuple[str, InputSpec] | None:
    """('alixan.gpus' or 'alixan_gpus' or 'discount_rate') -> (canonical key, spec)."""
    if name in SPEC_BY_NAME and SPEC_BY_NAME[name].scope != "phase":
        return name, SPEC_BY_NAME[name]
    for phase in phases:
        for sep in (".", "_"):
            if name.startswith(phase + sep):
                fld = name[len(phase) + 1:]
                spec = SPEC_BY_NAME.get(fld)
                if spec is not None and spec.scope in ("phase", "phase_optional"):
                    return f"{phase}.{fld}", spec
    return None


def input_names(phases: tuple[str, ...]) -> list[str]:
    """Every name an override may use."""
    names = [n for n in PLAN_FIELDS if SPEC_BY_NAME[n].scope != "constant"]
    return names + [f"{p}.{f}" for p in phases for f, s in SPEC_BY_NAME.items() if s.scope in ("phase", "phase_optional")]


def read_scenarios(inputs_dir: Path, problems: list[Problem]) -> dict[str, dict]:
    """Scenario tables of scenarios.toml, with `base` chains resolved into one overrides dict."""
    path = inputs_dir / "scenarios.toml"
    raw = _read_toml(path, problems)
    out: dict[str, dict] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            problems.append(Problem(str(path), name, "expected a table with label, reading and overrides"))
            continue
        for key in table:
            if key not in ("label", "reading", "base", "overrides"):
                problems.append(Problem(str(path), f"{name}.{key}", _unknown(key, ["label", "reading", "base", "overrides"])))
        out[name] = dict(table)
    for name, table in out.items():
        chain, merged, cur = [name], {}, table
        while "base" in cur:
            base = cur["base"]
            if base not in out or base in chain:
                problems.append(Problem(str(path), f"{chain[-1]}.base", f"{base!r} is not another scenario; known: {', '.join(out)}"))
                break
            chain.append(base)
            cur = out[base]
        for link in reversed(chain):
            merged.update(out[link].get("overrides", {}))
        table["resolved_overrides"] = merged
    return out


def list_scenarios(inputs_dir: Path | str | None = None) -> pd.DataFrame:
    """Scenarios defined in inputs/scenarios.toml: name, label, reading, base."""
    problems: list[Problem] = []
    scenarios = read_scenarios(Path(inputs_dir or DEFAULT_INPUTS_DIR), problems)
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        [dict(name=n, label=t.get("label", ""), base=t.get("base", ""), reading=t.get("reading", "")) for n, t in scenarios.items()]
    )


def load_inputs(
    scenario: str | None = None,
    *,
    inputs_dir: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Inputs:
    """Read, apply the scenario and overrides, and validate; raise InputError listing every problem."""
    inputs_dir = Path(inputs_dir or DEFAULT_INPUTS_DIR)
    problems: list[Problem] = []
    plan_file = inputs_dir / "plan.toml"
    phases_file = inputs_dir / "phases.toml"
    plan = _read_toml(plan_file, problems)
    phase_tables = _read_toml(phases_file, problems)
    scenarios = read_scenarios(inputs_dir, problems)
    if problems:  # files that do not parse: nothing more can be checked
        raise InputError(problems)

    model = plan.get("model", {})
    phases = tuple(model.get("phases", ()))
    start = parse_date(model.get("start"))
    if start is None:
        problems.append(Problem(str(plan_file), "model.start", f"{model.get('start')!r} is not a month 'YYYY-MM'"))
    horizon = model.get("horizon_years")
    if not isinstance(horizon, int) or isinstance(horizon, bool) or not 1 <= horizon <= 60:
        problems.append(Problem(str(plan_file), "model.horizon_years", f"{horizon!r}; allowed: a whole number of years from 1 to 60"))
        horizon = 1
    if not phases:
        problems.append(Problem(str(plan_file), "model.phases", "missing: list the phase names, e.g. [\"alixan\"]"))

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    origin: dict[str, str] = {}

    # plan-wide inputs
    plan_inputs = plan.get("inputs", {})
    for name in plan_inputs:
        if name not in PLAN_FIELDS:
            problems.append(Problem(str(plan_file), f"inputs.{name}", _unknown(name, list(PLAN_FIELDS))))
    for name in PLAN_FIELDS:
        if name not in plan_inputs:
            problems.append(Problem(str(plan_file), f"inputs.{name}", f"missing; expected {{ value = ..., unit = \"{SPEC_BY_NAME[name].unit}\", source = \"...\" }}"))
            continue
        value, source = _read_figure(plan_inputs[name], SPEC_BY_NAME[name], str(plan_file), f"inputs.{name}", problems)
        values[name], sources[name], origin[name] = value, source, str(plan_file)

    # phases
    labels: dict[str, str] = {}
    for phase in phase_tables:
        if phase not in phases:
            problems.append(Problem(str(phases_file), phase, f"phase not listed in plan.toml model.phases ({', '.join(phases)})"))
    for phase in phases:
        table = phase_tables.get(phase)
        if not isinstance(table, dict):
            problems.append(Problem(str(phases_file), phase, "missing phase table"))
            continue
        labels[phase] = str(table.get("label", phase))
        for fld, figure in table.items():
            if fld in ("label", "note"):
                continue
            spec = SPEC_BY_NAME.get(fld)
            if spec is None or spec.scope not in ("phase", "phase_optional"):
                known = [n for n, s in SPEC_BY_NAME.items() if s.scope in ("phase", "phase_optional")]
                problems.append(Problem(str(phases_file), f"{phase}.{fld}", _unknown(fld, known)))
                continue
            key = f"{phase}.{fld}"
            values[key], sources[key] = _read_figure(figure, spec, str(phases_file), key, problems)
            origin[key] = str(phases_file)
        for fld in REQUIRED_PHASE_FIELDS:
            if fld not in table:
                problems.append(Problem(str(phases_file), f"{phase}.{fld}", f"missing; expected {{ value = ..., unit = \"{SPEC_BY_NAME[fld].unit}\", source = \"...\" }}"))

    # scenario, then overrides
    scenario = scenario or model.get("default_scenario")
    scenario_table: dict = {}
    if scenario not in scenarios:
        problems.append(Problem(str(inputs_dir / "scenarios.toml"), "scenario", f"unknown scenario {scenario!r}; known: {', '.join(scenarios) or 'none'}"))
    else:
        scenario_table = scenarios[scenario]
    layers = [(f"{inputs_dir / 'scenarios.toml'} [{scenario}]", scenario_table.get("resolved_overrides", {})),
              ("overrides", overrides or {})]
    for where, layer in layers:
        for name, value in layer.items():
            resolved = _resolve_name(str(name), phases)
            if resolved is None:
                problems.append(Problem(where, str(name), _unknown(str(name), input_names(phases))))
                continue
            key, spec = resolved
            values[key] = _check_value(spec, value, where, key, problems)
            origin[key] = where
            sources[key] = f"{where}: overrides {sources.get(key, 'the default')}"

    # curves
    curves: dict[str, tuple] = {}
    curve_sources: dict[str, str] = {}
    if start is not None:
        first_year = from_serial(start).year
        last_year = (np.datetime64(from_serial(start), "M") + horizon * 12 - 1).astype(object).year
        years_needed = range(first_year, last_year + 1)
        for name, table in plan.get("curves", {}).items():
            curves[name] = _read_curve(inputs_dir / str(table.get("file", "")), years_needed, problems)
            curve_sources[name] = str(table.get("source", ""))
        if "power_price_index" not in curves:
            problems.append(Problem(str(plan_file), "curves.power_price_index", "missing curve table with file, unit and source"))

    periods = horizon * 12
    if start is not None:
        _check_cross_fields(values, origin, phases, start, periods, problems)
    announcements = _read_announcements(inputs_dir / "announcements.toml", phases, problems)
    if problems:
        raise InputError(problems)
    return Inputs(
        scenario=scenario,
        scenario_label=str(scenario_table.get("label", scenario)),
        reading=str(scenario_table.get("reading", "")),
        phases=phases,
        phase_labels=labels,
        values=values,
        sources=sources,
        model_start=start,
        periods=periods,
        curves=curves,
        curve_sources=curve_sources,
        announcements=announcements,
        inputs_dir=inputs_dir,
        scenarios=scenarios,
    )


def _check_cross_fields(values, origin, phases, start, periods, problems) -> None:
    """Rules that involve more than one field (dates in order, shares adding up...)."""
    end = to_serial((np.datetime64(from_serial(start), "M") + periods - 1).astype(object))

    def get(key):
        return values.get(key)

    for phase in phases:
        cs, s1, full = get(f"{phase}.construction_start"), get(f"{phase}.stage1_online"), get(f"{phase}.full_online")
        if None not in (cs, s1, full):
            if np.any(np.asarray(s1) <= cs):
                problems.append(Problem(origin[f"{phase}.stage1_online"], f"{phase}.stage1_online",
                                        f"{_date(s1)} is not after construction_start {_date(cs)}; service must start after construction starts"))
            if np.any(np.asarray(full) <= s1):
                problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                        f"{_date(full)} is not after stage1_online {_date(s1)}"))
            if np.any(np.asarray(cs) < start):
                problems.append(Problem(origin[f"{phase}.construction_start"], f"{phase}.construction_start",
                                        f"{_date(cs)} is before the model start {_date(start)}"))
            if np.any(np.asarray(full) > end):
                problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                        f"{_date(full)} is after the last model month {_date(end)}"))
        gpus, mw = get(f"{phase}.gpus"), get(f"{phase}.it_mw")
        if gpus is not None and mw is not None and np.any((np.asarray(mw) == 0) & (np.asarray(gpus) > 0)):
            problems.append(Problem(origin[f"{phase}.it_mw"], f"{phase}.it_mw", f"0 MW but {_show(gpus)} GPUs; GPUs need power: allowed: > 0 when gpus > 0"))
    life = values.get("gpu_life_years")
    if life is not None and not np.all(np.isclose(np.asarray(life) * 12, np.round(np.asarray(life) * 12))):
        problems.append(Problem(origin["gpu_life_years"], "gpu_life_years", f"{_show(life)} years is not a whole number of months"))
    shares = [values.get(s) for s in STAFF_SHARES]
    if None not in shares and not np.allclose(sum(np.asarray(s) for s in shares), 1.0, atol=1e-9):
        problems.append(Problem(origin[STAFF_SHARES[0]], "staff_share_*", f"the four staff shares add up to {_show(sum(shares))}; allowed: exactly 1"))


def _date(serial) -> str:
    arr = np.asarray(serial)
    return from_serial(float(arr.flat[0])).strftime("%Y-%m") if arr.size else "?"


def _read_announcements(path: Path, phases: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame:
    raw = _read_toml(path, problems)
    rows = []
    for k, entry in enumerate(raw.get("announcement", []), start=1):
        where = f"announcement #{k} ({entry.get('id', '?')})" if isinstance(entry, dict) else f"announcement #{k}"
        if not isinstance(entry, dict):
            problems.append(Problem(str(path), where, "expected a table"))
            continue
        for key in ("id", "date", "source", "what", "scope"):
            if key not in entry:
                problems.append(Problem(str(path), f"{where}.{key}", "missing"))
        scope = entry.get("scope", [])
        bad = [p for p in scope if p not in phases] if isinstance(scope, list) else [scope]
        if bad:
            problems.append(Problem(str(path), f"{where}.scope", f"unknown phase(s) {bad}; known: {', '.join(phases)}"))
        for fld in ANNOUNCED_FIELDS:
            v = entry.get(fld)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0):
                problems.append(Problem(str(path), f"{where}.{fld}", f"{v!r}; allowed: a number >= 0"))
        rows.append({
            "id": entry.get("id"), "date": str(entry.get("date")), "what": entry.get("what"),
            "scope": tuple(scope) if isinstance(scope, list) else (), "source": entry.get("source"),
            "by_year": entry.get("by_year"), **{f: entry.get(f) for f in ANNOUNCED_FIELDS},
        })
    return pd.DataFrame(rows)

"""Load and validate `inputs/`: plan drivers, phases, GPU generations, curves, scenarios, announcements.

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
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from finmodel.errors import InputError, Problem, check_path
from finmodel.spec import (CURVE_SPECS, GENERATION_FIELDS, PLAN_FIELDS, REQUIRED_PHASE_FIELDS, SPEC_BY_NAME,
                           InputSpec)
from finmodel.timeline import from_serial, to_serial

DEFAULT_INPUTS_DIR = Path(__file__).resolve().parent / "data" / "inputs"
ANNOUNCED_FIELDS = ("capex_eur", "gpus", "it_mw", "jobs")
#: shares of one capex base that debt tranches and grants draw on together (at most 1)
FUNDING_SHARES = (("gpu_debt_share", "vendor_share"), ("senior_share", "grant_share"))
STAFF_SHARES = ("staff_share_engineering", "staff_share_maintenance", "staff_share_research", "staff_share_security")
TOTAL = "total"  # reserved: the consolidated figures
CUSTOM = "custom"  # reserved scenario name: a run's own inputs (overrides, an edited workbook) in reports
RESERVED_SCENARIOS = (CUSTOM,)
KNOWN_CURVES = tuple(CURVE_SPECS)
PLAN_SECTIONS = ("model", "curves", "inputs")
MODEL_KEYS = ("start", "horizon_years", "phases", "default_scenario")
FIGURE_KEYS = ("value", "unit", "source", "low", "high", "note")
CURVE_KEYS = ("file", "unit", "source", "note")
SCENARIO_KEYS = ("label", "reading", "base", "overrides")
ANNOUNCEMENT_KEYS = ("id", "date", "source", "what", "scope", *ANNOUNCED_FIELDS, "by_year", "note")
PHASE_NAME = re.compile(r"[a-z][a-z0-9_]{0,20}")  # lower case (Excel ignores case) and short: "Calc <name>" <= 31 characters
FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates the model (and Excel) can handle
DATE_ALLOWED = f"a month 'YYYY-MM' (or 'YYYY-MM-DD' on the 1st of a month) from {FIRST_YEAR}-01 to {LAST_YEAR}-12"


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
    generations: tuple[str, ...] = ()  # generations.toml's tables, by availability
    generation_labels: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:
        """Which scenario, phases, horizon and folder, and where to look next (not every value)."""
        start = from_serial(self.model_start).strftime("%Y-%m")
        shown = ", ".join(f"{k} = {np.asarray(v).reshape(-1)[0]:g}" for k, v in self.values.items()
                          if k in ("discount_rate", "usd_per_eur", "power_price_eur_per_mwh", "utilisation")
                          and np.ndim(v) == 0)
        return "\n".join([
            f"<finmodel.Inputs: scenario {self.scenario} - {self.scenario_label}; {len(self.values)} values; "
            f"phases {', '.join(self.phases)}; monthly from {start}, {self.periods} months; from {self.inputs_dir}>",
            *([shown] if shown else []),
            "every input with unit, range and source: finmodel.list_inputs(); one value: .values['discount_rate'], "
            ".sources[...]; a phase's view: .phase_view('" + (self.phases[0] if self.phases else "phase") + "')",
        ])

    def plan_view(self) -> dict[str, Any]:
        """Plan-wide inputs, curves, structural settings and the generations table, by input name.

        The table: ``generation_<field>``, each generation's value of a field
        of generations.toml stacked on the last axis, shape (..., generations).
        """
        view = {k: v for k, v in self.values.items() if "." not in k}
        view.update(self.curves)
        view.update(generation_table(self.values, self.generations))
        view["model_start"] = self.model_start
        view["model_periods"] = self.periods
        return view

    def phase_view(self, phase: str) -> dict[str, Any]:
        """Inputs as phase ``phase`` sees them: its own fields over the plan-wide ones."""
        view = self.plan_view()
        prefix = phase + "."
        view.update({k[len(prefix):]: v for k, v in self.values.items() if k.startswith(prefix)})
        return view

    def generation_at(self, serial: float) -> str:
        """The generation a purchase in the month ``serial`` [Excel serial] buys: the last available by then."""
        avail = [float(np.asarray(self.values[f"{g}.available"]).reshape(-1)[0]) for g in self.generations]
        return self.generations[max(0, int(np.searchsorted(avail, serial, side="right")) - 1)]

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


def generation_table(values: Mapping[str, Any], generations: tuple[str, ...]) -> dict[str, np.ndarray]:
    """``{generation_<field>: array (..., generations)}``: every generation's value of each field side by side."""
    out = {}
    for fld in GENERATION_FIELDS if generations else ():
        cols = [np.asarray(values[f"{g}.{fld}"], dtype=float) for g in generations]
        batch = np.broadcast_shapes(*(c.shape for c in cols), (1,))[:-1]
        out[f"generation_{fld}"] = np.concatenate([np.broadcast_to(c.reshape(c.shape[:-1] + (1,) if c.ndim else (1,)), batch + (1,))
                                                   for c in cols], axis=-1)
    return out


# --- parsing helpers ---------------------------------------------------------

def inputs_folder(inputs_dir: Path | str | None) -> Path:
    """The inputs folder (None: the shipped defaults); InputError unless it is an existing folder."""
    if inputs_dir is None:
        return DEFAULT_INPUTS_DIR
    allowed = "a folder holding plan.toml, phases.toml, scenarios.toml and announcements.toml"
    problems = check_path(inputs_dir, "inputs_dir", allowed)
    if not problems and not Path(inputs_dir).is_dir():
        state = "is a file" if Path(inputs_dir).exists() else "does not exist"
        problems.append(Problem(str(inputs_dir), "(folder)", f"{state}; allowed: {allowed}"))
    if problems:
        raise InputError(problems)
    return Path(inputs_dir)


def _read_toml(path: Path, problems: list[Problem]) -> dict:
    """The TOML file as a dict ({} and a problem if it cannot be read); a UTF-8 byte-order mark is accepted, as in CSV."""
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except FileNotFoundError:
        problems.append(Problem(str(path), "(file)", "file not found"))
    except OSError as exc:
        problems.append(Problem(str(path), "(file)", f"cannot be read: {exc}"))
    except UnicodeDecodeError as exc:
        problems.append(Problem(str(path), "(syntax)", f"not UTF-8 text ({exc}); allowed: a UTF-8 TOML file"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(str(path), "(syntax)", f"not valid TOML: {exc}"))
    except RecursionError:
        problems.append(Problem(str(path), "(syntax)", "not valid TOML: nested too deeply"))
    return {}


def _table(value: Any, file: str, where: str, what: str, problems: list[Problem]) -> dict:
    """``value`` if it is a table, else {} and a problem."""
    if isinstance(value, dict):
        return value
    problems.append(Problem(file, where, f"expected {what}, got {brief(value)}"))
    return {}


def brief(value: Any) -> str:
    """repr of a value, cut to 80 characters for error messages."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _close(name: str, known) -> str | None:
    close = difflib.get_close_matches(name, list(known), n=1)
    return close[0] if close else None


def _check_texts(table: dict, keys, file: str, prefix: str, problems: list[Problem]) -> None:
    """A problem for each of ``keys`` in ``table`` that is not a text (labels, notes)."""
    for key in keys:
        if key in table and not isinstance(table[key], str):
            problems.append(Problem(file, f"{prefix}{key}", f"{brief(table[key])} is not a text; allowed: a text"))


def _check_keys(table: dict, known, file: str, prefix: str, problems: list[Problem]) -> None:
    """A problem for each key of ``table`` not in ``known``, with the nearest known key."""
    for key in table:
        if key not in known:
            problems.append(Problem(file, f"{prefix}{key}", unknown_name(str(key), list(known)) + f"; allowed: {', '.join(known)}"))


def parse_date(value: Any) -> float | None:
    """Excel serial [day] of a first-of-month date given as 'YYYY-MM', 'YYYY-MM-DD', a date or a serial.

    None unless the date is the 1st of a month from FIRST_YEAR to LAST_YEAR.
    """
    try:
        serial = _parse_date(value)
    except (ValueError, OverflowError, TypeError):
        return None
    if serial is None or not FIRST_YEAR <= from_serial(serial).year <= LAST_YEAR:
        return None
    return serial


def _parse_date(value: Any) -> float | None:
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


def _check_value(spec: InputSpec, value: Any, file: str, field_name: str, problems: list[Problem],
                 allow_array: bool = True) -> Any:
    """The validated value (a float, an int-valued float, a date serial or an array), or None.

    Arrays (draws of shape (N, 1), or one value per month) only where
    ``allow_array``: in the ``overrides`` of the Python API, not in files.
    """
    def bad(why: str) -> None:
        problems.append(Problem(file, field_name, f"{why}; allowed: {spec.allowed()}"))

    if spec.kind == "date":
        serial = parse_date(value)
        if serial is None:
            problems.append(Problem(file, field_name, f"{brief(value)} is not a first-of-month date; allowed: {DATE_ALLOWED}"))
        return serial
    if spec.kind == "choice":
        if isinstance(value, str) and value.strip() in spec.words:
            return float(spec.words.index(value.strip()))
        codes = range(len(spec.words))
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value in codes:  # a code (workbook, overrides)
            return float(value)
        bad(f"unknown {spec.name} {brief(value)}")
        return None
    if isinstance(value, (bool, str, dict, dt.date, dt.time)) or value is None:
        bad(f"{brief(value)} is not a number")
        return None
    if not allow_array and isinstance(value, (list, tuple, np.ndarray)):
        bad(f"{brief(value)} is a list, not a single number")
        return None
    try:
        with np.errstate(over="ignore"):
            arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        bad(f"{brief(value)} is not a number")
        return None
    if arr.size == 0:
        bad(f"{brief(value)} is empty")
        return None
    if not np.all(np.isfinite(arr)):
        bad(f"{brief(value)} is not a finite number")
        return None
    if spec.kind == "int" and not np.all(arr == np.round(arr)):
        bad(f"{brief(value)} is not a whole number")
        return None
    low_ok = spec.lo is None or (np.all(arr > spec.lo) if spec.lo_strict else np.all(arr >= spec.lo))
    if not low_ok or (spec.hi is not None and not np.all(arr <= spec.hi)):
        bad(f"{_show(value)} is out of range")
        return None
    if spec.choices and not np.all(np.isin(arr, spec.choices)):
        bad(f"{_show(value)} is not an allowed value")
        return None
    return float(arr) if arr.ndim == 0 else arr


def _show(value: Any) -> str:
    arr = np.asarray(value)
    if arr.ndim == 0 and isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
        x = float(value)
        return str(int(x)) if math.isfinite(x) and x.is_integer() and abs(x) < 1e15 else repr(x)
    if arr.ndim == 0 or arr.size == 0:
        return brief(value)
    return f"array of {arr.size} values from {arr.min():g} to {arr.max():g}"


def unknown_name(name: str, known: list[str]) -> str:
    """'unknown name ...', with the nearest known name as a suggestion."""
    close = _close(name, known)
    return f"unknown name {name!r}" + (f" (did you mean {close!r}?)" if close else "")


def _figure_template(spec: InputSpec) -> str:
    return f"{{ value = ..., unit = \"{spec.unit}\", source = \"...\" }}"


def _read_figure(table: Any, spec: InputSpec, file: str, where: str, problems: list[Problem]) -> tuple[Any, str]:
    """Value and source of one `{ value, unit, source }` table."""
    if not isinstance(table, dict):
        problems.append(Problem(file, where, f"expected a table {_figure_template(spec)}, got {brief(table)}"))
        return None, ""
    for key, what in (("value", spec.allowed() if spec.kind != "date" else DATE_ALLOWED),
                      ("unit", repr(spec.unit)), ("source", "a text")):
        if key not in table:
            problems.append(Problem(file, f"{where}.{key}", f"missing; expected {what}"))
    _check_keys(table, FIGURE_KEYS, file, f"{where}.", problems)
    _check_texts(table, ("note",), file, f"{where}.", problems)
    if "unit" in table and table["unit"] != spec.unit:
        problems.append(Problem(file, f"{where}.unit", f"{brief(table['unit'])} but this input is in {spec.unit!r}; allowed: {spec.unit!r}"))
    if "source" in table and (not isinstance(table["source"], str) or not table["source"].strip()):
        problems.append(Problem(file, f"{where}.source", f"{brief(table['source'])}: every figure needs a source text or 'ASSUMPTION: why'"))
    value = _check_value(spec, table["value"], file, where, problems, allow_array=False) if "value" in table else None
    bounds = {}
    for key in ("low", "high"):
        if key in table:
            if spec.kind == "date":
                problems.append(Problem(file, f"{where}.{key}", "a date input has no low/high range"))
            else:
                bounds[key] = _check_value(spec, table[key], file, f"{where}.{key}", problems, allow_array=False)
    if bounds.get("low") is not None and bounds.get("high") is not None and bounds["low"] > bounds["high"]:
        problems.append(Problem(file, f"{where}.low", f"{bounds['low']:g} is above high {bounds['high']:g}; allowed: low <= high"))
    return value, str(table.get("source", ""))


def _read_curve(path: Path, spec: InputSpec, years_needed: range,
                problems: list[Problem]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """(years, values) of a 'year,value' CSV file; each value in the range of ``spec``."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(file, "(file)", "file not found"))
        return (), ()
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        problems.append(Problem(file, "(file)", f"cannot be read: {exc}"))
        return (), ()
    reader = csv.reader(text.splitlines())
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
    except csv.Error as exc:
        problems.append(Problem(file, f"line {reader.line_num}", f"not valid CSV: {exc}; expected lines 'year,value'"))
        return (), ()
    if not rows or [c.strip() for c in rows[0]] != ["year", "value"]:
        got = brief(",".join(rows[0])) if rows else "an empty file"
        problems.append(Problem(file, "line 1", f"header must be 'year,value', got {got}"))
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
            problems.append(Problem(file, f"line {lineno}, year", f"{brief(cells[0])} is not a whole year; allowed: a year like 2030"))
            continue
        try:
            value = float(cells[1])
        except ValueError:
            value = cells[1]  # reported as not a number
        value = _check_value(spec, value, file, f"line {lineno}, value", problems, allow_array=False)
        if value is None:
            found.setdefault(year, math.nan)  # reported here, not again as a missing year
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

def _resolve_name(name: str, phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> tuple[str, InputSpec] | None:
    """('alixan.gpus' or 'alixan_gpus', 'gb300.gpu_price_usd' or 'discount_rate') -> (canonical key, spec)."""
    if name in SPEC_BY_NAME and SPEC_BY_NAME[name].scope not in ("phase", "generation"):
        return name, SPEC_BY_NAME[name]
    for gen in generations:
        for sep in (".", "_"):
            if name.startswith(gen + sep) and SPEC_BY_NAME.get(name[len(gen) + 1:]) is not None \
                    and SPEC_BY_NAME[name[len(gen) + 1:]].scope == "generation":
                return f"{gen}.{name[len(gen) + 1:]}", SPEC_BY_NAME[name[len(gen) + 1:]]
    for phase in phases:
        for sep in (".", "_"):
            if name.startswith(phase + sep):
                fld = name[len(phase) + 1:]
                spec = SPEC_BY_NAME.get(fld)
                if spec is not None and spec.scope in ("phase", "phase_optional"):
                    return f"{phase}.{fld}", spec
    return None


def _unknown_override(name: str, phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> str:
    """Why an override name is not an input; a per-phase (per-generation) field given without its phase
    (generation) gets every phase's (generation's) name."""
    spec = SPEC_BY_NAME.get(name.removeprefix("*."))
    if spec is not None and spec.scope == "generation" and generations:
        base = name.removeprefix("*.")
        one = ", ".join(f"{g}.{base}" for g in generations)
        return f"{base!r} is set per GPU generation (generations.toml); allowed: one generation's, {one}"
    if spec is not None and spec.scope == "phase" and phases:
        one = ", ".join(f"{p}.{name}" for p in phases)
        return f"{name!r} is set per phase; allowed: one phase's, {one}, or every phase's at once, *.{name}"
    return unknown_name(name, input_names(phases, generations))


def input_names(phases: tuple[str, ...], generations: tuple[str, ...] = ()) -> list[str]:
    """Every name an override may use."""
    names = [n for n in PLAN_FIELDS if SPEC_BY_NAME[n].scope != "constant"]
    return (names + [f"{p}.{f}" for p in phases for f, s in SPEC_BY_NAME.items() if s.scope in ("phase", "phase_optional")]
            + [f"{g}.{f}" for g in generations for f in GENERATION_FIELDS])


def read_scenarios(inputs_dir: Path, problems: list[Problem]) -> dict[str, dict]:
    """Scenario tables of scenarios.toml, with `base` chains resolved into one overrides dict."""
    path = inputs_dir / "scenarios.toml"
    file = str(path)
    raw = _read_toml(path, problems)
    out: dict[str, dict] = {}
    for name, table in raw.items():
        if not name.strip() or name in RESERVED_SCENARIOS:
            why = "is empty" if not name.strip() else "is reserved for a run's own inputs (--set, overrides=, an edited workbook)"
            problems.append(Problem(file, f"[{name!r}]", f"scenario name {name!r} {why}; allowed: any other name"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, name, f"expected a table [{name}] with label, reading and overrides, got {brief(table)}"))
            continue
        _check_keys(table, SCENARIO_KEYS, file, f"{name}.", problems)
        clean = dict(table)
        for key in ("label", "reading", "base"):
            if key in clean and not isinstance(clean[key], str):
                problems.append(Problem(file, f"{name}.{key}", f"{brief(clean[key])} is not a text; allowed: a text"
                                        + (" naming another scenario" if key == "base" else "")))
                del clean[key]
        if "overrides" in clean and not isinstance(clean["overrides"], dict):
            problems.append(Problem(file, f"{name}.overrides", f"expected a table [{name}.overrides] of input names to values, got {brief(clean['overrides'])}"))
            del clean["overrides"]
        out[name] = clean
    cycles: set[frozenset] = set()
    for name, table in out.items():
        chain, merged, cur = [name], {}, table
        while "base" in cur:
            base = cur["base"]
            if base in chain:  # reported once per cycle, not once per scenario in it
                cycle = chain[chain.index(base):]
                if frozenset(cycle) not in cycles:
                    cycles.add(frozenset(cycle))
                    problems.append(Problem(file, f"{chain[-1]}.base", f"{base!r} makes a cycle of bases "
                                            f"({' -> '.join([*cycle, base])}); allowed: a chain of bases that ends"))
                break
            if base not in out:
                problems.append(Problem(file, f"{chain[-1]}.base", f"{base!r} is not another scenario; known: {', '.join(out)}"))
                break
            chain.append(base)
            cur = out[base]
        for link in reversed(chain):
            merged.update(out[link].get("overrides", {}))
        table["resolved_overrides"] = merged
    return out


def input_ranges(inputs_dir: Path | str | None = None) -> dict[str, tuple[float | None, float | None]]:
    """Benchmark ranges ``{name: (low, high)}`` of the inputs that give ``low`` or ``high``.

    Plan inputs by name (``"discount_rate"``), phase fields as ``"alixan.gpu_price_usd"``;
    a bound not given is None. Raises InputError if a file does not parse; the
    values themselves are validated by :func:`load_inputs`.
    """
    inputs_dir = inputs_folder(inputs_dir)
    problems: list[Problem] = []
    plan = _read_toml(inputs_dir / "plan.toml", problems)
    phase_tables = _read_toml(inputs_dir / "phases.toml", problems)
    if problems:
        raise InputError(problems)

    def bounds(figure: Any) -> tuple[float | None, float | None] | None:
        if not isinstance(figure, dict) or ("low" not in figure and "high" not in figure):
            return None
        return figure.get("low"), figure.get("high")

    out: dict[str, tuple[float | None, float | None]] = {}
    plan_inputs = plan.get("inputs", {})
    for name, figure in (plan_inputs.items() if isinstance(plan_inputs, dict) else ()):
        if (b := bounds(figure)) is not None:
            out[name] = b
    for phase, table in phase_tables.items():
        for fld, figure in (table.items() if isinstance(table, dict) else ()):
            if (b := bounds(figure)) is not None:
                out[f"{phase}.{fld}"] = b
    return out



def list_scenarios(inputs_dir: Path | str | None = None) -> pd.DataFrame:
    """Scenarios defined in inputs/scenarios.toml: name, label, reading, base."""
    problems: list[Problem] = []
    scenarios = read_scenarios(inputs_folder(inputs_dir), problems)
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        [dict(name=n, label=t.get("label", ""), base=t.get("base", ""), reading=t.get("reading", "")) for n, t in scenarios.items()]
    )


def _read_phases(model: dict, file: str, problems: list[Problem]) -> tuple[str, ...] | None:
    """model.phases: a non-empty list of distinct names (letters, digits, '_'), 'total' excluded.

    The valid names; None when there is no usable list at all.
    """
    raw = model.get("phases")
    allowed = "a list of distinct phase names (a lower-case letter, then up to 20 lower-case letters, digits or '_'), e.g. [\"alixan\"]"
    if raw is None:
        problems.append(Problem(file, "model.phases", f"missing; expected {allowed}"))
        return None
    if not isinstance(raw, list) or not raw:
        problems.append(Problem(file, "model.phases", f"{brief(raw)}; allowed: {allowed}"))
        return None
    phases: list[str] = []
    for k, name in enumerate(raw):
        where = f"model.phases[{k}]"
        if not isinstance(name, str) or not PHASE_NAME.fullmatch(name):
            problems.append(Problem(file, where, f"{brief(name)} is not a phase name; allowed: {allowed}"))
        elif name == TOTAL:
            problems.append(Problem(file, where, f"{name!r} is reserved for the consolidated figures; allowed: any other name"))
        elif name in phases:
            problems.append(Problem(file, where, f"{name!r} is listed twice; allowed: {allowed}"))
        else:
            phases.append(name)
    return tuple(phases)


@dataclass
class _Found:
    """What loading has found so far: values by key, their sources and where each came from, and the problems."""

    problems: list[Problem]
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)  # key -> file (or --set, overrides) for error messages

    def put(self, key: str, value: Any, source: str, origin: str) -> None:
        self.values[key], self.sources[key], self.origin[key] = value, source, origin


@dataclass(frozen=True)
class _Model:
    """plan.toml [model]: the phases, the first month [Excel serial, None if invalid] and the horizon [yr]."""

    phases: tuple[str, ...]
    listed: bool  # model.phases was usable (else every valid phase table of phases.toml is checked)
    start: float | None
    horizon: int
    horizon_ok: bool
    default_scenario: str | None

    @property
    def periods(self) -> int:
        return self.horizon * 12


def load_inputs(
    scenario: str | None = None,
    *,
    inputs_dir: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    overrides_source: str = "overrides",
) -> Inputs:
    """Read, apply the scenario and overrides, and validate; raise InputError listing every problem.

    ``overrides_source`` names where the overrides came from in error messages (e.g. ``--set``).
    """
    inputs_dir = inputs_folder(inputs_dir)
    problems: list[Problem] = []
    plan = _read_toml(inputs_dir / "plan.toml", problems)
    phase_tables = _read_toml(inputs_dir / "phases.toml", problems)
    scenarios = read_scenarios(inputs_dir, problems)
    if any(p.field in ("(file)", "(syntax)") for p in problems):  # files that do not parse: nothing more can be checked
        raise InputError(problems)
    pf = str(inputs_dir / "plan.toml")
    model = _read_model(plan, phase_tables, pf, problems)
    found = _Found(problems)
    _read_plan_inputs(plan, pf, found)
    labels = _read_phase_tables(phase_tables, model, str(inputs_dir / "phases.toml"), found)
    gen_labels = _read_generations(inputs_dir / "generations.toml", model.phases, found)
    generations = tuple(gen_labels)
    scenario, scenario_table = _pick_scenario(scenario, model, scenarios, str(inputs_dir / "scenarios.toml"), problems)
    if overrides is not None and not isinstance(overrides, Mapping):
        problems.append(Problem(overrides_source, "(all)", f"expected a mapping of input names to values, got {brief(overrides)}"))
        overrides = None
    _apply_overrides(f"{inputs_dir / 'scenarios.toml'} [{scenario}]", f"scenarios.toml [{scenario}]",
                     scenario_table.get("resolved_overrides", {}), model.phases, found, allow_array=False, generations=generations)
    _apply_overrides(overrides_source, Path(overrides_source).name, overrides or {}, model.phases, found, allow_array=True,
                     generations=generations)
    shapes_ok = _check_shapes(found.values, found.origin, model.periods, problems)
    curves, curve_sources = _read_curves(plan, inputs_dir, model, pf, problems)
    if model.start is not None and shapes_ok:
        _check_cross_fields(found.values, found.origin, model.phases, model.start,
                            model.periods if model.horizon_ok else None, problems)
        _check_generations(found.values, found.origin, model.phases, generations, problems)
    announcements = _read_announcements(inputs_dir / "announcements.toml", model.phases, problems)
    if problems:
        raise InputError(problems)
    return Inputs(
        scenario=scenario,
        scenario_label=str(scenario_table.get("label", scenario)),
        reading=str(scenario_table.get("reading", "")),
        phases=model.phases,
        phase_labels=labels,
        values=found.values,
        sources=found.sources,
        model_start=model.start,
        periods=model.periods,
        curves=curves,
        curve_sources=curve_sources,
        announcements=announcements,
        inputs_dir=inputs_dir,
        scenarios=scenarios,
        generations=generations,
        generation_labels=gen_labels,
    )


def _unknown_keys(table: dict, known, file: str, prefix: str, problems: list[Problem], allowed: str = "") -> set[str]:
    """A problem for each key of ``table`` not in ``known``; the known keys taken to be mistyped (not reported missing)."""
    typos = set()
    for key in table:
        if key in known:
            continue
        close = _close(key, known)
        typo = close is not None and close not in table
        problems.append(Problem(file, f"{prefix}{key}", unknown_name(key, list(known))
                                + (f"; {close!r} is missing" if typo else "") + allowed))
        if typo:
            typos.add(close)
    return typos


def _read_model(plan: dict, phase_tables: dict, pf: str, problems: list[Problem]) -> _Model:
    _check_keys(plan, PLAN_SECTIONS, pf, "", problems)
    model = _table(plan.get("model", {}), pf, "model", "a table [model] with start, horizon_years, phases and default_scenario", problems)
    _check_keys(model, MODEL_KEYS, pf, "model.", problems)
    listed = _read_phases(model, pf, problems)
    # with no usable model.phases, still check every phase table of phases.toml (not each as 'not listed')
    phases = listed if listed is not None else tuple(k for k in phase_tables if isinstance(k, str) and PHASE_NAME.fullmatch(k) and k != TOTAL)
    start = parse_date(model.get("start"))
    if start is None:
        problems.append(Problem(pf, "model.start", f"{brief(model.get('start'))} is not a first-of-month date; allowed: {DATE_ALLOWED}"))
    horizon = model.get("horizon_years")
    horizon_ok = isinstance(horizon, int) and not isinstance(horizon, bool) and 1 <= horizon <= 60
    if not horizon_ok:
        problems.append(Problem(pf, "model.horizon_years", f"{brief(horizon)}; allowed: a whole number of years from 1 to 60"))
    default = model.get("default_scenario")
    if "default_scenario" in model and not isinstance(default, str):
        problems.append(Problem(pf, "model.default_scenario", f"{brief(default)} is not a text; allowed: a scenario name of scenarios.toml"))
        default = None
    return _Model(phases, listed is not None, start, horizon if horizon_ok else 1, horizon_ok, default)


def _read_plan_inputs(plan: dict, pf: str, found: _Found) -> None:
    plan_inputs = _table(plan.get("inputs", {}), pf, "inputs", "a table [inputs.<name>] for each plan input", found.problems)
    typos = _unknown_keys(plan_inputs, PLAN_FIELDS, pf, "inputs.", found.problems)
    for name in PLAN_FIELDS:
        spec = SPEC_BY_NAME[name]
        if name in plan_inputs:
            found.put(name, *_read_figure(plan_inputs[name], spec, pf, f"inputs.{name}", found.problems), pf)
        elif name not in typos:
            found.problems.append(Problem(pf, f"inputs.{name}", f"missing; expected [inputs.{name}] with value "
                                          f"({spec.allowed()}), unit = \"{spec.unit}\" and source"))


def _read_phase_tables(phase_tables: dict, model: _Model, phf: str, found: _Found) -> dict[str, str]:
    """Every phase's fields into ``found``; the phases' labels."""
    problems = found.problems
    labels: dict[str, str] = {}
    phase_known = [n for n, s in SPEC_BY_NAME.items() if s.scope in ("phase", "phase_optional")]
    for phase in phase_tables:
        if model.listed and phase not in model.phases:
            problems.append(Problem(phf, phase, f"phase not listed in plan.toml model.phases ({', '.join(model.phases) or 'none'})"))
    for phase in model.phases:
        table = phase_tables.get(phase)
        if not isinstance(table, dict):
            problems.append(Problem(phf, phase, f"missing phase table [{phase}]" if table is None
                                    else f"expected a table [{phase}] of fields, got {brief(table)}"))
            continue
        _check_texts(table, ("label", "note"), phf, f"{phase}.", problems)
        labels[phase] = str(table.get("label", phase))
        fields = {k: v for k, v in table.items() if k not in ("label", "note")}
        typos = _unknown_keys(fields, phase_known, phf, f"{phase}.", problems)
        for fld, figure in fields.items():
            if fld in phase_known:
                key = f"{phase}.{fld}"
                found.put(key, *_read_figure(figure, SPEC_BY_NAME[fld], phf, key, problems), phf)
        for fld in REQUIRED_PHASE_FIELDS:
            if fld not in table and fld not in typos:
                spec = SPEC_BY_NAME[fld]
                allowed = DATE_ALLOWED if spec.kind == "date" else spec.allowed()
                problems.append(Problem(phf, f"{phase}.{fld}", f"missing; expected {fld} = {_figure_template(spec)} with a value {allowed}"))
    return labels


def _pick_scenario(scenario: Any, model: _Model, scenarios: dict, sf: str, problems: list[Problem]) -> tuple[Any, dict]:
    """The scenario's name (None: the default) and table ({} and a problem if unknown)."""
    scenario = model.default_scenario if scenario is None else scenario
    if isinstance(scenario, str) and scenario in scenarios:
        return scenario, scenarios[scenario]
    problems.append(Problem(sf, "scenario", f"unknown scenario {brief(scenario)}; allowed: {', '.join(scenarios) or 'none defined'}"))
    return scenario, {}


def _apply_overrides(where: str, label: str, layer: Mapping, phases: tuple[str, ...], found: _Found, allow_array: bool,
                     generations: tuple[str, ...] = ()) -> None:
    """Values of ``layer`` over what ``found`` holds; ``where`` names them in errors, ``label`` in their sources."""
    for name, value in layer.items():
        name = str(name)
        every = name.startswith("*.")  # '*.site_area_ha': every phase's
        targets = ([_resolve_name(f"{p}.{name[2:]}", phases) for p in phases] if every
                   else [_resolve_name(name, phases, generations)])
        if not targets or None in targets:
            found.problems.append(Problem(where, name, _unknown_override(name, phases, generations)))
            continue
        for key, spec in targets:
            checked = _check_value(spec, value, where, key, found.problems, allow_array=allow_array)
            found.put(key, checked, f"{label}: overrides {found.sources.get(key, 'the default')}", where)


def _read_curves(plan: dict, inputs_dir: Path, model: _Model, pf: str, problems: list[Problem]) -> tuple[dict, dict]:
    """(curves, their sources): each [curves.<name>] table of plan.toml and its CSV file."""
    curves: dict[str, tuple] = {}
    curve_sources: dict[str, str] = {}
    tables = _table(plan.get("curves", {}), pf, "curves", "a table [curves.<name>] for each curve", problems)
    typos = _unknown_keys(tables, KNOWN_CURVES, pf, "curves.", problems, f"; allowed: {', '.join(KNOWN_CURVES)}")
    for name in KNOWN_CURVES:
        where, table, unit = f"curves.{name}", tables.get(name), CURVE_SPECS[name].unit
        if table is None:
            if name not in typos:
                problems.append(Problem(pf, where, f"missing; expected [curves.{name}] with file, unit = \"{unit}\" and source"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(pf, where, f"expected a table {{ file = \"curves/{name}.csv\", unit = \"{unit}\", source = \"...\" }}, got {brief(table)}"))
            continue
        _check_keys(table, CURVE_KEYS, pf, f"{where}.", problems)
        _check_texts(table, ("note",), pf, f"{where}.", problems)
        if table.get("unit") != unit:
            problems.append(Problem(pf, f"{where}.unit", f"{brief(table.get('unit'))}; allowed: {unit!r} ({CURVE_SPECS[name].description})"))
        source = table.get("source")
        if not isinstance(source, str) or not source.strip():
            problems.append(Problem(pf, f"{where}.source", f"{brief(source)}: every curve needs a source text or 'ASSUMPTION: why'"))
        file = table.get("file")
        if not isinstance(file, str) or not file.strip():
            problems.append(Problem(pf, f"{where}.file", f"{brief(file)}; allowed: a CSV path relative to the inputs folder, e.g. \"curves/{name}.csv\""))
            continue
        curve_sources[name] = str(source)
        if model.start is not None and model.horizon_ok:
            first_year = from_serial(model.start).year
            last_year = (np.datetime64(from_serial(model.start), "M") + model.periods - 1).astype(object).year
            curves[name] = _read_curve(inputs_dir / file, CURVE_SPECS[name], range(first_year, last_year + 1), problems)
    return curves, curve_sources


def _check_shapes(values: dict, origin: dict, periods: int, problems: list[Problem]) -> bool:
    """Array values (overrides only) must combine: N draws as shape (N, 1), or one value per month."""
    allowed = f"one number, N draws as shape (N, 1) shared by every array input, or one value per month (shape ({periods},))"
    arrays = {k: np.shape(v) for k, v in values.items() if v is not None and np.ndim(v) > 0}
    ok = True
    for key, shape in list(arrays.items()):
        try:
            np.broadcast_shapes(shape, (periods,))
        except ValueError:
            problems.append(Problem(origin.get(key, "overrides"), key, f"an array of shape {shape}; allowed: {allowed}"))
            del arrays[key]
            ok = False
    if len(arrays) > 1:
        try:
            np.broadcast_shapes(*arrays.values(), (periods,))
        except ValueError:
            shapes = ", ".join(f"{k} {s}" for k, s in arrays.items())
            problems.append(Problem(origin.get(next(iter(arrays)), "overrides"), ", ".join(arrays),
                                    f"arrays of shapes that do not combine ({shapes}); allowed: {allowed}"))
            ok = False
    return ok


def _check_cross_fields(values, origin, phases, start, periods, problems) -> None:
    """Rules that involve more than one field (dates in order, shares adding up...).

    ``periods`` None: the horizon is itself invalid, so dates are not checked against its end.
    """
    end = math.inf if periods is None else to_serial((np.datetime64(from_serial(start), "M") + periods - 1).astype(object))

    def get(key):
        return values.get(key)

    for phase in phases:
        cs, s1, full = get(f"{phase}.construction_start"), get(f"{phase}.stage1_online"), get(f"{phase}.full_online")
        if all(v is not None for v in (cs, s1, full)):
            if np.any(np.asarray(s1) <= cs):
                problems.append(Problem(origin[f"{phase}.stage1_online"], f"{phase}.stage1_online",
                                        f"{_date(s1)} is not after construction_start {_date(cs)}; allowed: a month after construction_start (service starts after construction)"))
            if np.any(np.asarray(full) <= s1):
                problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                        f"{_date(full)} is not after stage1_online {_date(s1)}; allowed: a month after stage1_online"))
            if np.any(np.asarray(cs) < start):
                problems.append(Problem(origin[f"{phase}.construction_start"], f"{phase}.construction_start",
                                        f"{_date(cs)} is before the model start {_date(start)}; allowed: {_date(start)} or later"))
            if np.any(np.asarray(full) > end):
                problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                        f"{_date(full)} is after the last model month {_date(end)}; allowed: {_date(end)} or earlier (or a longer model.horizon_years)"))
            lead = values.get("gpu_lead_time_months")
            months = _months_between(cs, s1)
            if lead is not None and months > 0 and np.any(np.asarray(lead) > months):  # months <= 0: reported above
                problems.append(Problem(origin["gpu_lead_time_months"], "gpu_lead_time_months",
                                        f"{_show(lead)} months is longer than {phase}'s construction before stage 1 ({_show(months)} months "
                                        f"from construction_start {_date(cs)} to stage1_online {_date(s1)}); allowed: at most {_show(months)} "
                                        "months (GPUs are ordered once works have started)"))
        gpus, mw = get(f"{phase}.gpus"), get(f"{phase}.it_mw")
        if gpus is not None and mw is not None and np.any((np.asarray(mw) == 0) & (np.asarray(gpus) > 0)):
            problems.append(Problem(origin[f"{phase}.it_mw"], f"{phase}.it_mw", f"0 MW but {_show(gpus)} GPUs; GPUs need power; allowed: > 0 MW when gpus > 0"))
    for key in ("gpu_life_years", "contract_years", *(f"{p}.contract_years" for p in phases)):
        years = values.get(key)
        if years is not None and not np.all(np.isclose(np.asarray(years) * 12, np.round(np.asarray(years) * 12))):
            problems.append(Problem(origin[key], key, f"{_show(years)} years is not a whole number of months; allowed: a multiple of 1/12 year"))
    tenor, life = values.get("gpu_debt_tenor_months"), values.get("gpu_life_years")
    if tenor is not None and life is not None and np.any(np.asarray(tenor) > np.asarray(life) * 12):
        allowed = np.min(np.asarray(life) * 12)
        problems.append(Problem(origin["gpu_debt_tenor_months"], "gpu_debt_tenor_months",
                                f"{_show(tenor)} months is longer than the GPU life gpu_life_years = {_show(life)} years "
                                f"({_show(allowed)} months); allowed: at most {_show(allowed)} months (each purchase's loan "
                                "is repaid by its refresh)"))
    for pair in FUNDING_SHARES:
        got = [values.get(s) for s in pair]
        if all(v is not None for v in got) and np.any(sum(np.asarray(v) for v in got) > 1 + 1e-12):
            listed = " + ".join(f"{s} = {_show(v)}" for s, v in zip(pair, got))
            files = ", ".join(dict.fromkeys(origin[s] for s in pair))
            problems.append(Problem(files, "+".join(pair), f"{listed} = {_show(sum(got))} funds more than the capex it draws on; allowed: a total of at most 1"))
    sweep, lock = values.get("cash_sweep_dscr"), values.get("dscr_covenant")
    if sweep is not None and lock is not None and np.any(np.asarray(sweep) < np.asarray(lock)):
        files = ", ".join(dict.fromkeys(origin[s] for s in ("cash_sweep_dscr", "dscr_covenant")))
        problems.append(Problem(files, "cash_sweep_dscr", f"{_show(sweep)} is below the lock-up covenant dscr_covenant = "
                                f"{_show(lock)}; allowed: a sweep threshold >= dscr_covenant"))
    shares = [values.get(s) for s in STAFF_SHARES]
    if all(v is not None for v in shares) and not np.allclose(sum(np.asarray(s) for s in shares), 1.0, atol=1e-9):
        listed = ", ".join(f"{s} = {_show(v)}" for s, v in zip(STAFF_SHARES, shares))
        files = ", ".join(dict.fromkeys(origin[s] for s in STAFF_SHARES))
        problems.append(Problem(files, "staff_share_*", f"the four staff shares add up to {_show(sum(shares))} ({listed}); allowed: a total of exactly 1"))


GENERATION_ALLOWED = ("a table [<generation>] for each GPU generation (a lower-case letter, then up to 20 lower-case letters, "
                      "digits or '_'; not a phase's name), with label, note and the fields " + ", ".join(GENERATION_FIELDS))


def _read_generations(path: Path, phases: tuple[str, ...], found: _Found) -> dict[str, str]:
    """generations.toml: every generation's fields into ``found`` (``gb300.gpu_price_usd``); their labels, in file order."""
    problems, file = found.problems, str(path)
    raw = _read_toml(path, problems)
    if not raw and not any(p.file == file for p in problems):
        problems.append(Problem(file, "(file)", f"no GPU generation; expected {GENERATION_ALLOWED}"))
    labels: dict[str, str] = {}
    for gen, table in raw.items():
        if not PHASE_NAME.fullmatch(gen) or gen in phases or gen in (TOTAL, "generation"):
            why = "is a phase's name" if gen in phases else "is reserved" if gen in (TOTAL, "generation") else "is not a generation name"
            problems.append(Problem(file, f"[{gen}]", f"{gen!r} {why}; allowed: {GENERATION_ALLOWED}"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, gen, f"expected a table [{gen}] of fields, got {brief(table)}"))
            continue
        _check_texts(table, ("label", "note"), file, f"{gen}.", problems)
        labels[gen] = str(table.get("label", gen))
        fields = {k: v for k, v in table.items() if k not in ("label", "note")}
        typos = _unknown_keys(fields, GENERATION_FIELDS, file, f"{gen}.", problems)
        for fld in GENERATION_FIELDS:
            spec = SPEC_BY_NAME[fld]
            if fld in fields:
                found.put(f"{gen}.{fld}", *_read_figure(fields[fld], spec, file, f"{gen}.{fld}", problems), file)
            elif fld not in typos:
                allowed = DATE_ALLOWED if spec.kind == "date" else spec.allowed()
                problems.append(Problem(file, f"{gen}.{fld}", f"missing; expected {fld} = {_figure_template(spec)} with a value {allowed}"))
    return labels


def _check_generations(values, origin, phases, generations, problems) -> None:
    """Generations in order of availability (each a later month), and one available for every phase's first purchase."""
    avail = [values.get(f"{g}.available") for g in generations]
    if any(a is None for a in avail) or not generations:
        return
    for before, after, a0, a1 in zip(generations, generations[1:], avail, avail[1:]):
        if np.any(np.asarray(a1) <= np.asarray(a0)):
            key = f"{after}.available"
            problems.append(Problem(origin[key], key, f"{_date(a1)} is not after {before}'s {_date(a0)}; allowed: a month after "
                                    f"{before}.available (generations are listed in order of availability; a purchase buys the latest available)"))
    for g in generations:
        for fld in GENERATION_FIELDS:
            key = f"{g}.{fld}"
            if np.ndim(values.get(key)) > 0 and np.shape(values[key])[-1] != 1:
                problems.append(Problem(origin[key], key, f"an array of shape {np.shape(values[key])}; allowed: one number or N draws "
                                        "as shape (N, 1) (a generation's figures do not change month by month)"))
    first = generations[0]
    for phase in phases:
        key = f"{phase}.stage1_online"
        s1 = values.get(key)
        if s1 is not None and np.any(np.asarray(s1) < np.min(avail[0])):
            problems.append(Problem(origin[key], key, f"{_date(s1)}: no GPU generation is available for this purchase (the first, "
                                    f"{first}, from {_date(avail[0])}); allowed: {_date(avail[0])} or later, or a generation available "
                                    f"by {_date(s1)} in generations.toml"))


def _months_between(start, end):
    """Whole months from the first-of-month serial ``start`` to ``end`` (per draw)."""
    def month(serial):
        d = np.vectorize(from_serial)(np.asarray(serial, dtype=float))
        return np.vectorize(lambda x: x.year * 12 + x.month)(d)

    return np.min(month(end) - month(start))


def _date(serial) -> str:
    arr = np.asarray(serial)
    return from_serial(float(arr.flat[0])).strftime("%Y-%m") if arr.size else "?"


def _read_announcements(path: Path, phases: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame:
    file = str(path)
    raw = _read_toml(path, problems)
    _check_keys(raw, ("announcement",), file, "", problems)
    entries = raw.get("announcement", [])
    if not isinstance(entries, list):
        problems.append(Problem(file, "announcement", f"expected [[announcement]] tables, got {brief(entries)}"))
        entries = []
    rows = []
    seen_ids: dict[str, int] = {}
    for k, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(Problem(file, f"announcement #{k}", f"expected an [[announcement]] table, got {brief(entry)}"))
            continue
        ident = entry.get("id", "?")
        where = f"announcement #{k} ({ident if isinstance(ident, str) else brief(ident)})"
        _check_keys(entry, ANNOUNCEMENT_KEYS, file, f"{where}.", problems)
        for key in ("id", "date", "source", "what", "scope"):
            if key not in entry:
                problems.append(Problem(file, f"{where}.{key}", "missing"))
        _check_texts(entry, ("id", "source", "what", "note"), file, f"{where}.", problems)
        if isinstance(ident, str) and ident in seen_ids:
            problems.append(Problem(file, f"{where}.id", f"{ident!r} is also announcement #{seen_ids[ident]}'s id; allowed: "
                                    "an id of its own (the workbook's rows are found by id)"))
        elif isinstance(ident, str):
            seen_ids[ident] = k
        if "date" in entry and not _announcement_date(entry["date"]):
            problems.append(Problem(file, f"{where}.date", f"{brief(entry['date'])} is not a date; allowed: a date "
                                    f"'YYYY-MM-DD' (or 'YYYY-MM') from {FIRST_YEAR} to {LAST_YEAR}"))
        scope = entry.get("scope", [])
        if not isinstance(scope, list):
            problems.append(Problem(file, f"{where}.scope", f"{brief(scope)}; allowed: a list of phase names from {', '.join(phases)}"))
            scope = []
        bad = [p for p in scope if not isinstance(p, str) or p not in phases]
        if bad:
            problems.append(Problem(file, f"{where}.scope", f"unknown phase(s) {brief(bad)}; allowed: {', '.join(phases)}"))
        for fld in ANNOUNCED_FIELDS:
            v = entry.get(fld)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0):
                problems.append(Problem(file, f"{where}.{fld}", f"{brief(v)}; allowed: a number > 0 (an announced 0 "
                                        "compares with nothing: leave the field out when none was announced)"))
        by_year = entry.get("by_year")
        if by_year is not None and (isinstance(by_year, bool) or not isinstance(by_year, int) or not FIRST_YEAR <= by_year <= LAST_YEAR):
            problems.append(Problem(file, f"{where}.by_year", f"{brief(by_year)}; allowed: a year from {FIRST_YEAR} to {LAST_YEAR}"))
        rows.append({
            "id": entry.get("id"), "date": str(entry.get("date")), "what": entry.get("what"),
            "scope": tuple(scope), "source": entry.get("source"),
            "by_year": by_year, **{f: entry.get(f) for f in ANNOUNCED_FIELDS},
        })
    return pd.DataFrame(rows)


def _announcement_date(value: Any) -> bool:
    """True for a real calendar date (a TOML date, 'YYYY-MM-DD' or 'YYYY-MM') from FIRST_YEAR to LAST_YEAR."""
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y-%m"):
            try:
                value = dt.datetime.strptime(value.strip(), fmt).date()
                break
            except ValueError:
                continue
    return isinstance(value, dt.date) and FIRST_YEAR <= value.year <= LAST_YEAR

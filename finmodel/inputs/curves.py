"""Curves: plan.toml's [curves.<name>] tables and their 'year,value' CSV files, one value a calendar year in the
curve's unit (the power price index [-, 1 = power_price_eur_per_mwh], the grid's carbon intensity [gCO2/kWh])."""

from __future__ import annotations

import csv
import math
from pathlib import Path

from finmodel.errors import Problem
from finmodel.inputs.fields import check_value
from finmodel.inputs.files import as_table, brief, check_keys, check_texts
from finmodel.spec import CURVE_SPECS, InputSpec

KNOWN_CURVES = tuple(CURVE_SPECS)
CURVE_KEYS = ("file", "unit", "source", "note")


def read_curves(plan: dict, inputs_dir: Path, years: range | None, pf: str, problems: list[Problem]) -> tuple[dict, dict]:
    """(curves, their sources): each [curves.<name>] table of plan.toml and its CSV file.

    ``years``: the calendar years each curve must give (None: the model's
    dates are invalid, and the CSV files are not read).
    """
    curves: dict[str, tuple] = {}
    curve_sources: dict[str, str] = {}
    tables = as_table(plan.get("curves", {}), pf, "curves", "a table [curves.<name>] for each curve", problems)
    typos = check_keys(tables, KNOWN_CURVES, pf, "curves.", problems, typos=True)
    for name in KNOWN_CURVES:
        where, table, unit = f"curves.{name}", tables.get(name), CURVE_SPECS[name].unit
        if table is None:
            if name not in typos:
                problems.append(Problem(pf, where, f"missing; expected [curves.{name}] with file, unit = \"{unit}\" and source"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(pf, where, f"expected a table {{ file = \"curves/{name}.csv\", unit = \"{unit}\", source = \"...\" }}, got {brief(table)}"))
            continue
        check_keys(table, CURVE_KEYS, pf, f"{where}.", problems)
        check_texts(table, ("note",), pf, f"{where}.", problems)
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
        if years is not None:
            curves[name] = read_curve(inputs_dir / file, CURVE_SPECS[name], years, problems)
    return curves, curve_sources


def _csv_rows(path: Path, problems: list[Problem]) -> list[list[str]] | None:
    """The cells of each line after the 'year,value' header; None and a problem if the file is not such a CSV."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        problems.append(Problem(file, "(file)", "file not found"))
        return None
    except (UnicodeDecodeError, OSError, ValueError) as exc:
        problems.append(Problem(file, "(file)", f"cannot be read: {exc}"))
        return None
    reader = csv.reader(text.splitlines())
    rows: list[list[str]] = []
    try:
        for cells in reader:
            rows.append(cells)
    except csv.Error as exc:
        problems.append(Problem(file, f"line {reader.line_num}", f"not valid CSV: {exc}; expected lines 'year,value'"))
        return None
    if not rows or [c.strip() for c in rows[0]] != ["year", "value"]:
        got = brief(",".join(rows[0])) if rows else "an empty file"
        problems.append(Problem(file, "line 1", f"header must be 'year,value', got {got}"))
        return None
    return rows[1:]


def read_curve(path: Path, spec: InputSpec, years_needed: range,
               problems: list[Problem]) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """(years, values) of a 'year,value' CSV file; each value in the range of ``spec``."""
    file = str(path)
    rows = _csv_rows(path, problems)
    if rows is None:
        return (), ()
    found: dict[int, float] = {}
    for lineno, cells in enumerate(rows, start=2):
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
        value = check_value(spec, value, file, f"line {lineno}, value", problems, allow_array=False)
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
    """'2030, 2032-2035': sorted years as runs."""
    out, start = [], years[0]
    for a, b in zip(years, years[1:] + [None]):
        if b != a + 1:
            out.append(str(start) if start == a else f"{start}-{a}")
            start = b
    return ", ".join(out)

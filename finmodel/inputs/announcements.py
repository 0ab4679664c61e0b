"""announcements.toml: what Sesterce announced, when and with which source (capex [EUR], GPUs, IT power [MW], jobs,
by year), one [[announcement]] table each, for the model to be compared with."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from finmodel.errors import Problem
from finmodel.inputs.dates import FIRST_YEAR, LAST_YEAR, is_calendar_date
from finmodel.inputs.files import brief, check_keys, check_texts, read_toml

ANNOUNCED_FIELDS = ("capex_eur", "gpus", "it_mw", "jobs")
ANNOUNCEMENT_KEYS = ("id", "date", "source", "what", "scope", *ANNOUNCED_FIELDS, "by_year", "note")


def read_announcements(path: Path, phases: tuple[str, ...], problems: list[Problem]) -> pd.DataFrame:
    """One row per announcement: id, date, what, scope (phases), source, by_year and the announced figures."""
    file = str(path)
    raw = read_toml(path, problems)
    check_keys(raw, ("announcement",), file, "", problems)
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
        check_keys(entry, ANNOUNCEMENT_KEYS, file, f"{where}.", problems)
        for key in ("id", "date", "source", "what", "scope"):
            if key not in entry:
                problems.append(Problem(file, f"{where}.{key}", "missing"))
        check_texts(entry, ("id", "source", "what", "note"), file, f"{where}.", problems)
        if isinstance(ident, str) and ident in seen_ids:
            problems.append(Problem(file, f"{where}.id", f"{ident!r} is also announcement #{seen_ids[ident]}'s id; allowed: "
                                    "an id of its own (the workbook's rows are found by id)"))
        elif isinstance(ident, str):
            seen_ids[ident] = k
        scope = _check_entry(entry, phases, file, where, problems)
        rows.append({
            "id": entry.get("id"), "date": str(entry.get("date")), "what": entry.get("what"),
            "scope": tuple(scope), "source": entry.get("source"),
            "by_year": entry.get("by_year"), **{f: entry.get(f) for f in ANNOUNCED_FIELDS},
        })
    return pd.DataFrame(rows)


def _check_entry(entry: dict, phases: tuple[str, ...], file: str, where: str, problems: list[Problem]) -> list:
    """Problems with an announcement's date, scope, figures and by_year; its scope ([] if not a list)."""
    if "date" in entry and not is_calendar_date(entry["date"]):
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
    return scope

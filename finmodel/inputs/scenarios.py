"""Scenarios: scenarios.toml's tables (label, reading, base, overrides), their chains of bases, and picking one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from finmodel.errors import InputError, Problem
from finmodel.inputs.files import brief, check_keys, inputs_folder, read_toml

CUSTOM = "custom"  # reserved scenario name: a run's own inputs (overrides, an edited workbook) in reports
RESERVED_SCENARIOS = (CUSTOM,)
SCENARIO_KEYS = ("label", "reading", "base", "overrides")


def read_scenarios(inputs_dir: Path, problems: list[Problem]) -> dict[str, dict]:
    """Scenario tables of scenarios.toml, with `base` chains resolved into one overrides dict."""
    path = inputs_dir / "scenarios.toml"
    file = str(path)
    out: dict[str, dict] = {}
    for name, table in read_toml(path, problems).items():
        if not name.strip() or name in RESERVED_SCENARIOS:
            why = "is empty" if not name.strip() else "is reserved for a run's own inputs (--set, overrides=, an edited workbook)"
            problems.append(Problem(file, f"[{name!r}]", f"scenario name {name!r} {why}; allowed: any other name"))
            continue
        if not isinstance(table, dict):
            problems.append(Problem(file, name, f"expected a table [{name}] with label, reading and overrides, got {brief(table)}"))
            continue
        check_keys(table, SCENARIO_KEYS, file, f"{name}.", problems)
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
    _resolve_bases(out, file, problems)
    return out


def _resolve_bases(scenarios: dict[str, dict], file: str, problems: list[Problem]) -> None:
    """Each table's ``resolved_overrides``: its chain of bases' overrides, then its own; a problem for a base not
    defined, and one for each cycle of bases."""
    cycles: set[frozenset] = set()
    for name, table in scenarios.items():
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
            if base not in scenarios:
                problems.append(Problem(file, f"{chain[-1]}.base", f"{base!r} is not another scenario; known: {', '.join(scenarios)}"))
                break
            chain.append(base)
            cur = scenarios[base]
        for link in reversed(chain):
            merged.update(scenarios[link].get("overrides", {}))
        table["resolved_overrides"] = merged


def list_scenarios(inputs_dir: Path | str | None = None) -> pd.DataFrame:
    """Scenarios defined in inputs/scenarios.toml: name, label, reading, base."""
    problems: list[Problem] = []
    scenarios = read_scenarios(inputs_folder(inputs_dir), problems)
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        [dict(name=n, label=t.get("label", ""), base=t.get("base", ""), reading=t.get("reading", "")) for n, t in scenarios.items()]
    )


def pick_scenario(scenario: Any, default: str | None, scenarios: dict, sf: str, problems: list[Problem]) -> tuple[Any, dict]:
    """The scenario's name (None: ``default``, plan.toml's model.default_scenario) and table ({} and a problem if unknown)."""
    scenario = default if scenario is None else scenario
    if isinstance(scenario, str) and scenario in scenarios:
        return scenario, scenarios[scenario]
    problems.append(Problem(sf, "scenario", f"unknown scenario {brief(scenario)}; allowed: {', '.join(scenarios) or 'none defined'}"))
    return scenario, {}

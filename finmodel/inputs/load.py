"""load_inputs: the inputs folder read, the scenario and overrides applied, and every rule checked, in that order."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from finmodel.errors import InputError, Problem
from finmodel.inputs.announcements import read_announcements
from finmodel.inputs.checks import check_cross_fields
from finmodel.inputs.curves import read_curves
from finmodel.inputs.fields import Found
from finmodel.inputs.files import brief, inputs_folder, read_toml
from finmodel.inputs.generations import check_generations, read_generations
from finmodel.inputs.overrides import apply_overrides, check_shapes
from finmodel.inputs.phases import read_phase_tables
from finmodel.inputs.plan import read_model, read_plan_inputs
from finmodel.inputs.scenarios import pick_scenario, read_scenarios
from finmodel.inputs.values import Inputs


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
    pf, phf, sf = (str(inputs_dir / name) for name in ("plan.toml", "phases.toml", "scenarios.toml"))
    problems: list[Problem] = []
    plan = read_toml(inputs_dir / "plan.toml", problems)
    phase_tables = read_toml(inputs_dir / "phases.toml", problems)
    scenarios = read_scenarios(inputs_dir, problems)
    if any(p.field in ("(file)", "(syntax)") for p in problems):  # files that do not parse: nothing more can be checked
        raise InputError(problems)
    model = read_model(plan, phase_tables, pf, problems)
    found = Found(problems)
    read_plan_inputs(plan, pf, found)
    labels = read_phase_tables(phase_tables, model.phases, model.listed, phf, found)
    gen_labels = read_generations(inputs_dir / "generations.toml", model.phases, found)
    generations = tuple(gen_labels)
    scenario, scenario_table = pick_scenario(scenario, model.default_scenario, scenarios, sf, problems)
    if overrides is not None and not isinstance(overrides, Mapping):
        problems.append(Problem(overrides_source, "(all)", f"expected a mapping of input names to values, got {brief(overrides)}"))
        overrides = None
    apply_overrides(f"{sf} [{scenario}]", f"scenarios.toml [{scenario}]", scenario_table.get("resolved_overrides", {}),
                    model.phases, found, allow_array=False, generations=generations)
    apply_overrides(overrides_source, Path(overrides_source).name, overrides or {}, model.phases, found, allow_array=True,
                    generations=generations)
    shapes_ok = check_shapes(found.values, found.origin, model.periods, problems)
    curves, curve_sources = read_curves(plan, inputs_dir, model.years, pf, problems)
    if model.start is not None and shapes_ok:
        check_cross_fields(found.values, found.origin, model.phases, model.start,
                           model.periods if model.horizon_ok else None, problems)
        check_generations(found.values, found.origin, model.phases, generations, problems)
    announcements = read_announcements(inputs_dir / "announcements.toml", model.phases, problems)
    if problems:
        raise InputError(problems)
    return Inputs(
        scenario=scenario, scenario_label=str(scenario_table.get("label", scenario)),
        reading=str(scenario_table.get("reading", "")), phases=model.phases, phase_labels=labels,
        values=found.values, sources=found.sources, model_start=model.start, periods=model.periods,
        curves=curves, curve_sources=curve_sources, announcements=announcements, inputs_dir=inputs_dir,
        scenarios=scenarios, generations=generations, generation_labels=gen_labels,
    )

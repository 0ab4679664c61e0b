"""plan.toml: the [model] table (first month [Excel serial], horizon [yr], phases, default scenario) and the plan-wide figures."""

from __future__ import annotations

from dataclasses import dataclass

from finmodel.errors import Problem
from finmodel.inputs.dates import last_month, not_a_month, parse_date
from finmodel.inputs.fields import Found, read_figure
from finmodel.inputs.files import as_table, brief, check_keys
from finmodel.inputs.phases import PHASE_NAME, TOTAL
from finmodel.spec import PLAN_FIELDS, SPEC_BY_NAME
from finmodel.timeline import from_serial

PLAN_SECTIONS = ("model", "curves", "inputs")
MODEL_KEYS = ("start", "horizon_years", "phases", "default_scenario")


@dataclass(frozen=True)
class PlanModel:
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

    @property
    def years(self) -> range | None:
        """The calendar years the months cover; None if the start or the horizon is invalid."""
        if self.start is None or not self.horizon_ok:
            return None
        return range(from_serial(self.start).year, last_month(self.start, self.periods).year + 1)


def read_model(plan: dict, phase_tables: dict, pf: str, problems: list[Problem]) -> PlanModel:
    """plan.toml's sections and its [model] table; ``phase_tables`` (phases.toml) gives the phases to check if
    model.phases is unusable."""
    check_keys(plan, PLAN_SECTIONS, pf, "", problems)
    model = as_table(plan.get("model", {}), pf, "model", "a table [model] with start, horizon_years, phases and default_scenario", problems)
    check_keys(model, MODEL_KEYS, pf, "model.", problems)
    listed = _read_phase_names(model, pf, problems)
    # with no usable model.phases, still check every phase table of phases.toml (not each as 'not listed')
    phases = listed if listed is not None else tuple(k for k in phase_tables if isinstance(k, str) and PHASE_NAME.fullmatch(k) and k != TOTAL)
    start = parse_date(model.get("start"))
    if start is None:
        problems.append(not_a_month(pf, "model.start", model.get("start")))
    horizon = model.get("horizon_years")
    horizon_ok = isinstance(horizon, int) and not isinstance(horizon, bool) and 1 <= horizon <= 60
    if not horizon_ok:
        problems.append(Problem(pf, "model.horizon_years", f"{brief(horizon)}; allowed: a whole number of years from 1 to 60"))
    default = model.get("default_scenario")
    if "default_scenario" in model and not isinstance(default, str):
        problems.append(Problem(pf, "model.default_scenario", f"{brief(default)} is not a text; allowed: a scenario name of scenarios.toml"))
        default = None
    return PlanModel(phases, listed is not None, start, horizon if horizon_ok else 1, horizon_ok, default)


def _read_phase_names(model: dict, file: str, problems: list[Problem]) -> tuple[str, ...] | None:
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


def read_plan_inputs(plan: dict, pf: str, found: Found) -> None:
    """Every [inputs.<name>] figure of plan.toml into ``found``."""
    plan_inputs = as_table(plan.get("inputs", {}), pf, "inputs", "a table [inputs.<name>] for each plan input", found.problems)
    typos = check_keys(plan_inputs, PLAN_FIELDS, pf, "inputs.", found.problems, list_known=False, typos=True)
    for name in PLAN_FIELDS:
        spec = SPEC_BY_NAME[name]
        if name in plan_inputs:
            found.put(name, *read_figure(plan_inputs[name], spec, pf, f"inputs.{name}", found.problems), pf)
        elif name not in typos:
            found.problems.append(Problem(pf, f"inputs.{name}", f"missing; expected [inputs.{name}] with value "
                                          f"({spec.allowed()}), unit = \"{spec.unit}\" and source"))

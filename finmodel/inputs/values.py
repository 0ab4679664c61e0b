"""The validated inputs of one scenario (:class:`Inputs`) and the views the line items read them through."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmodel.inputs.generations import generation_table
from finmodel.timeline import from_serial

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

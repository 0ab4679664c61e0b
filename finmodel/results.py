"""Results of one run as pandas DataFrames, each carrying its units.

``summary``: one row per phase plus ``total``; ``cashflows``: every monthly
row, tidy; ``annual``: yearly roll-ups; ``jobs``; ``cost_stack``;
``announcements``: announced figures beside the bottom-up ones; ``warnings``.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from finmodel.irr import sign_changes
from finmodel.items.jobs import CATEGORIES
from finmodel.items.levelized import STACK
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS
from finmodel.timeline import from_serial

TOTAL = "total"

#: summary column -> (line item, unit)
SUMMARY_COLUMNS = {
    "gpus": ("gpus_full", "GPU"),
    "it_mw": ("it_mw_full", "MW"),
    "capex_eur": ("capex_initial", "EUR"),
    "npv_eur": ("npv", "EUR"),
    "irr": ("irr_annual", "1/yr"),
    "payback_years": ("payback_years", "yr"),
    "lcoc_eur_per_gpu_hour": ("lcoc", "EUR/GPU-h"),
    "breakeven_eur_per_gpu_hour": ("breakeven_price", "EUR/GPU-h"),
    "jobs_2030": ("jobs_2030", "FTE"),
}

def _scalar(a) -> float:
    return float(np.asarray(a).reshape(-1)[0])


class Results:
    """Everything one run computed; DataFrames are built on first access."""

    def __init__(self, inputs, time: dict, values: dict[str, dict]):
        self.inputs = inputs
        self.time = time
        self.values = values  # {phase or 'total': {line item: array}}

    @property
    def entities(self) -> list[str]:
        return [*self.inputs.phases, TOTAL]

    def scalar(self, entity: str, item: str) -> float:
        """One scalar line item of a phase or of the total."""
        return _scalar(self.values[entity][item])

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Headline figures per phase and total; units in ``summary.attrs['units']``."""
        rows = {e: {col: self.scalar(e, item) for col, (item, _) in SUMMARY_COLUMNS.items()} for e in self.entities}
        for e in self.entities:
            rows[e]["irr_sign_changes"] = int(sign_changes(self.values[e]["fcf"]).reshape(-1)[0])
            rows[e]["first_service"] = self._service_month(e, "online1_flag")
            rows[e]["full_service"] = self._service_month(e, "online2_flag")
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "phase"
        df.attrs["units"] = {col: unit for col, (_, unit) in SUMMARY_COLUMNS.items()} | {
            "irr_sign_changes": "#", "first_service": "month", "full_service": "month"}
        return df

    def _service_month(self, entity: str, flag: str) -> str:
        """'YYYY-MM' when a phase's stage enters service; for the total, the first stage 1 / last full service."""
        phases = self.inputs.phases if entity == TOTAL else [entity]
        months = [int(np.argmax(np.asarray(self.values[p][flag]).reshape(-1) > 0)) for p in phases]
        pick = min(months) if flag == "online1_flag" else max(months)
        return self.periods[pick].strftime("%Y-%m")

    @cached_property
    def periods(self) -> pd.DatetimeIndex:
        """First day of each month of the horizon."""
        return pd.DatetimeIndex([from_serial(s) for s in self.time["period_start"]])

    @cached_property
    def cashflows(self) -> pd.DataFrame:
        """Every monthly row of every phase and the total, tidy: phase, period, date, line_item, unit, value."""
        frames = []
        for entity in self.entities:
            for item in PHASE_ITEMS:
                if item.kind != "row" or item.name not in self.values[entity]:
                    continue
                frames.append(pd.DataFrame({
                    "phase": entity, "period": np.arange(1, len(self.periods) + 1), "date": self.periods,
                    "line_item": item.name, "unit": item.unit, "value": np.asarray(self.values[entity][item.name]).reshape(-1),
                }))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def time_rows(self) -> pd.DataFrame:
        """The Time sheet's rows, one column per row, indexed by month."""
        return pd.DataFrame({it.name: np.asarray(self.time[it.name]).reshape(-1) for it in TIME_ITEMS}, index=self.periods)

    @cached_property
    def annual(self) -> pd.DataFrame:
        """Yearly roll-ups: flows (EUR, MWh, GPU-h) summed, FTE averaged; tidy."""
        df = self.cashflows[self.cashflows.line_item.isin(annual_items())].copy()
        df["year"] = df.date.dt.year
        keys = ["phase", "line_item", "unit", "year"]
        summed = df[df.unit != "FTE"].groupby(keys, sort=False).value.sum()
        averaged = df[df.unit == "FTE"].groupby(keys, sort=False).value.mean()
        return pd.concat([summed, averaged]).reset_index()

    @cached_property
    def jobs(self) -> pd.DataFrame:
        """Average FTE by phase and year: construction, direct by category, indirect, total."""
        names = ["jobs_construction", *(f"jobs_{c}" for c in CATEGORIES), "staff_fte", "jobs_indirect", "jobs_total"]
        a = self.annual[self.annual.line_item.isin(names)]
        out = a.pivot_table(index=["phase", "year"], columns="line_item", values="value", sort=False)[names]
        return out.rename(columns={"staff_fte": "jobs_direct"})

    @cached_property
    def cost_stack(self) -> pd.DataFrame:
        """Levelized cost per GPU-hour by category [EUR/GPU-h]; the columns add up to lcoc."""
        cols = {name: label for name, label, _, _ in STACK}
        df = pd.DataFrame({e: {n: self.scalar(e, n) for n in cols} | {"lcoc": self.scalar(e, "lcoc")} for e in self.entities}).T
        df.index.name = "phase"
        df.attrs["labels"] = cols
        df.attrs["unit"] = "EUR/GPU-h"
        return df

    @cached_property
    def announcements(self) -> pd.DataFrame:
        """Each announced figure beside the bottom-up one, with implied ratios and a flag."""
        from finmodel.announcements import compare_announcements

        return compare_announcements(self)

    @cached_property
    def warnings(self) -> list[str]:
        """Implausible but legal results, in words."""
        from finmodel.announcements import plausibility_warnings

        return plausibility_warnings(self)


def annual_items() -> list[str]:
    """Rows rolled up by year: flows with a total column, and FTE rows."""
    return [it.name for it in PHASE_ITEMS if it.kind == "row" and (it.show_total or it.unit == "FTE")]

"""Results of one run as pandas DataFrames, each carrying its units.

``summary``: one row per phase plus ``total``; ``cashflows``: every monthly
row, tidy; ``annual``: yearly roll-ups; ``jobs``; ``cost_stack``;
``announcements``: announced figures beside the bottom-up ones; ``warnings``;
``sources_uses``, ``debt``, ``statements`` (financing, see :mod:`finmodel.financing`).
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
    "jobs_permanent_2030": ("jobs_permanent_2030", "FTE"),
    "jobs_construction_peak": ("jobs_construction_peak", "FTE"),
    "jobs_construction_peak_year": ("jobs_construction_peak_year", "year"),
    "equity_irr": ("equity_irr", "1/yr"),
    "equity_npv_eur": ("equity_npv", "EUR"),
    "min_dscr": ("min_dscr", "-"),
    "peak_funding_eur": ("peak_funding", "EUR"),
    "wacc": ("wacc", "1/yr"),
}


def first_value(a) -> float:
    """A number, or the first draw of a per-draw array, as a float."""
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
        return first_value(self.values[entity][item])

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Headline figures per phase and total; units in ``summary.attrs['units']``."""
        rows = {e: {col: self.scalar(e, item) for col, (item, _) in SUMMARY_COLUMNS.items()} for e in self.entities}
        for e in self.entities:
            rows[e]["irr_sign_changes"] = int(sign_changes(self.values[e]["fcf"]).reshape(-1)[0])
            rows[e]["first_service"] = self._service_month(e, "online1_flag")
            rows[e]["full_service"] = self._service_month(e, "online2_flag")
            rows[e]["peak_funding_month"] = from_serial(self.scalar(e, "peak_funding_month")).strftime("%Y-%m")
        df = pd.DataFrame.from_dict(rows, orient="index")
        df.index.name = "phase"
        df.attrs["units"] = {col: unit for col, (_, unit) in SUMMARY_COLUMNS.items()} | {
            "irr_sign_changes": "#", "first_service": "month", "full_service": "month", "peak_funding_month": "month"}
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
        """Average FTE by phase and year: construction on site, direct by category, indirect, permanent, total."""
        names = ["jobs_construction", *(f"jobs_{c}" for c in CATEGORIES), "staff_fte", "jobs_indirect", "jobs_permanent",
                 "jobs_total"]
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
    def sources_uses(self) -> pd.DataFrame:
        """Sources and uses of funds during construction [EUR]: rows (side, line), a column per phase and total.

        Flows are summed over each phase's drawdown months (to full service);
        cash held is its value at completion. Sources = uses for every column.
        ``attrs``: the announced plan total and each entity's peak funding need and month.
        """
        from finmodel.financing import ANNOUNCED_PLAN_EUR, BALANCE_ROWS, SOURCES, USES

        out = {}
        for e in self.inputs.phases:
            v = self.values[e]
            window, done = np.asarray(v["draw_flag"]), np.asarray(v["completion_marker"])

            def amount(rows):
                return sum(float(np.sum(np.asarray(v[r]) * (done if r in BALANCE_ROWS else window))) for r in rows)

            col = {("Uses", label): amount(rows) for label, rows in USES}
            col[("Uses", "Total uses")] = sum(col.values())
            src = {("Sources", label): amount(rows) for label, rows in SOURCES}
            src[("Sources", "Total sources")] = sum(src.values())
            out[e] = col | src
        df = pd.DataFrame(out)
        df[TOTAL] = df[list(self.inputs.phases)].sum(axis=1)
        df.index.names = ["side", "line"]
        df.attrs["unit"] = "EUR"
        df.attrs["announced_eur"] = ANNOUNCED_PLAN_EUR
        df.attrs["peak_funding_eur"] = self.summary["peak_funding_eur"].to_dict()
        df.attrs["peak_funding_month"] = self.summary["peak_funding_month"].to_dict()
        return df

    @cached_property
    def debt(self) -> pd.DataFrame:
        """Debt schedule by phase (and total), tranche and year [EUR]: flows summed, balance at year end; DSCR by year [-]."""
        from finmodel.financing import DEBT_FIELDS
        from finmodel.items.debt import TRANCHES

        frames = []
        for n, label, _ in TRANCHES:
            fields = {f"{n}_{f}": (f, kind) for f, kind in DEBT_FIELDS}
            df = self._yearly(fields)
            df.insert(1, "tranche", n)
            frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        cover = self._yearly({"cfads": ("cfads", "flow"), "debt_service": ("debt_service", "flow")})
        cover = cover.pivot_table(index=["phase", "year"], columns="line", values="value", sort=False).reset_index()
        cover["dscr"] = cover.cfads / cover.debt_service.where(cover.debt_service > 0)
        out.attrs["units"] = {"value": "EUR"}
        out.attrs["dscr_by_year"] = cover
        return out

    @cached_property
    def statements(self) -> pd.DataFrame:
        """Income statement, balance sheet and cash-flow statement by phase (and total) and year [EUR].

        Tidy: phase, statement, line, year, value, unit; flows are summed over
        the calendar year, balances taken in its last month. Monthly values
        are rows of :attr:`cashflows`.
        """
        from finmodel.financing import STATEMENTS

        df = self._yearly({item: (item, kind) for _, item, kind in STATEMENTS})
        statement = {item: st for st, item, _ in STATEMENTS}
        df.insert(1, "statement", df.line.map(statement))
        return df

    def _yearly(self, fields: dict[str, tuple[str, str]]) -> pd.DataFrame:
        """Rows by year: {item: (line name, 'flow' or 'balance')} -> tidy phase, line, year, value, unit."""
        years = self.periods.year.to_numpy()
        last_of_year = np.r_[years[1:] != years[:-1], True]
        frames = []
        for e in self.entities:
            for item, (line, kind) in fields.items():
                if item not in self.values[e]:
                    continue
                x = np.asarray(self.values[e][item]).reshape(-1)
                if kind == "flow":
                    s = pd.Series(x).groupby(years).sum()
                else:
                    s = pd.Series(x[last_of_year], index=years[last_of_year])
                frames.append(pd.DataFrame({"phase": e, "line": line, "year": s.index, "value": s.to_numpy(), "unit": "EUR"}))
        return pd.concat(frames, ignore_index=True)

    @cached_property
    def warnings(self) -> list[str]:
        """Implausible but legal results, in words."""
        from finmodel.announcements import plausibility_warnings

        return plausibility_warnings(self)


def annual_items() -> list[str]:
    """Rows rolled up by year: flows with a total column, and FTE rows."""
    return [it.name for it in PHASE_ITEMS if it.kind == "row" and (it.show_total or it.unit == "FTE")]

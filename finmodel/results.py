"""Results of one run as pandas DataFrames, each carrying its units.

``summary``: one row per phase plus ``total``; ``cashflows``: every monthly
row, tidy; ``annual``: yearly roll-ups; ``jobs``; ``cost_stack``; ``cost_by_generation``
(levelized cost per GPU-hour and per PFLOP-hour of each GPU generation a phase runs);
``announcements``: announced figures beside the bottom-up ones; ``warnings``;
``sources_uses``, ``debt``, ``statements`` (financing, see :mod:`finmodel.financing`);
``monthly(item)`` and ``yearly(item)``: one line item as a wide table, one
column per entity; ``plot``: charts (:mod:`finmodel.plots`).

Conventions, the same on every table:

- **Units.** ``df.attrs["units"]`` maps every numeric column to its unit.
  Long tables (one row per entity, line item or line and period:
  ``cashflows``, ``annual``, ``debt``, ``statements``) mix units in their
  ``value`` column, so each row names its unit in a ``unit`` column and
  ``attrs["units"]["value"]`` says ``"see column unit"``. Amounts are in EUR
  (not thousands or billions), rates are fractions per year (0.08 = 8 %/yr),
  power in MW, GPU time in GPU-h; a column name ending in a unit
  (``capex_eur``) says the same thing.
- **Entities.** A phase or ``total``, the consolidation of the phases.
  Long tables name it in ``phase`` and add ``entity_kind`` (``"phase"`` or
  ``"total"``): sum over ``df[df.entity_kind == "phase"]``, never over every
  row (the total would count twice).
- **Time.** Monthly values are indexed by the first day of the month; a
  month's flows happen at its end (discounting is end-of-month from the model
  start); years are calendar years, flows summed, balances at the year's last
  month.
- **Signs.** Costs, capex and tax are positive amounts; cash flows are
  positive when cash comes in (free cash flow = revenue - opex - capex - tax
  ...).
"""

from __future__ import annotations

import difflib
from functools import cached_property

import numpy as np
import pandas as pd

from finmodel import financing
from finmodel.announcements import compare_announcements, plausibility_warnings, whole_plan_capex
from finmodel.breakevens import LABELS as BREAKEVEN_LABELS, SEARCHED, solve_price_breakevens
from finmodel.generations import cost_by_generation
from finmodel.irr import sign_changes
from finmodel.items.debt import TRANCHES
from finmodel.items.jobs import CATEGORIES
from finmodel.items import sources_uses
from finmodel.items.levelized import STACK
from finmodel.output import SEE_UNIT_COLUMN
from finmodel.registry import PHASE_ITEMS, TIME_ITEMS, first_value
from finmodel.timeline import from_serial

TOTAL = "total"
#: summary columns repr(Results) shows: (title, scale)
REPR_COLUMNS = {
    "capex_eur": ("capex EUR bn", 1e-9), "npv_eur": ("NPV EUR bn", 1e-9), "irr": ("IRR %/yr", 100),
    "lcoc_eur_per_gpu_hour": ("LCOC EUR/GPU-h", 1), "equity_irr": ("equity IRR %/yr", 100), "min_dscr": ("min DSCR", 1),
    "jobs_permanent_2030": ("permanent jobs 2030", 1),
}

#: summary column -> (line item, unit)
SUMMARY_COLUMNS = {
    "gpus": ("gpus_full", "GPU"),
    "it_mw": ("it_mw_full", "MW"),
    "capex_eur": ("capex_initial", "EUR"),
    "npv_eur": ("npv", "EUR"),
    "irr": ("irr_annual", "1/yr"),
    "payback_years": ("payback_years", "yr"),
    "lcoc_eur_per_gpu_hour": ("lcoc", "EUR/GPU-h"),
    "lcoc_eur_per_pflop_hour": ("lcoc_pflop", "EUR/PFLOP/s-h"),
    "breakeven_eur_per_gpu_hour": ("breakeven_price", "EUR/GPU-h"),
    "jobs_permanent_2030": ("jobs_permanent_2030", "FTE"),
    "jobs_construction_peak": ("jobs_construction_peak", "FTE"),
    "jobs_construction_peak_year": ("jobs_construction_peak_year", "year"),
    "energy_twh_per_yr": ("energy_twh_per_yr", "TWh/yr"),
    "co2_g_per_gpu_hour": ("co2_g_per_gpu_hour", "g CO2/GPU-h"),
    "equity_irr": ("equity_irr", "1/yr"),
    "equity_npv_eur": ("equity_npv", "EUR"),
    "min_dscr": ("min_dscr", "-"),
    "equity_cure_months": ("equity_cure_months", "month"),
    "peak_funding_eur": ("peak_funding", "EUR"),
    "wacc": ("wacc", "1/yr"),
}

#: line items that stay a number where they do not apply (the workbook shows no error value), with the flag
#: item that says whether they apply: Python's tables (summary, Monte Carlo) give NaN where the flag is 0
NOT_APPLICABLE = {"payback_years": "payback_found", "min_dscr": "has_debt", "avg_dscr": "has_debt",
                  "it_kw_per_gpu": "has_gpus", "eur_per_gpu": "has_gpus"} | dict.fromkeys(
    ("lcoc", "lcoc_pflop", "breakeven_price", "kwh_per_gpu_hour", "co2_g_per_gpu_hour", *(n for n, *_ in STACK)),
    "has_gpu_hours")


def applicable(values: dict, item: str):
    """One entity's ``item`` from its ``values``, NaN where the item's NOT_APPLICABLE flag is 0."""
    value = values[item]
    flag = NOT_APPLICABLE.get(item)
    return value if flag is None else np.where(np.asarray(values[flag]) > 0, value, np.nan)


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

    def __repr__(self) -> str:
        """The headline table and where to look next (at most ~20 lines for a few phases)."""
        inp, summary = self.inputs, self.summary
        head = pd.DataFrame({title: summary[col] * scale for col, (title, scale) in REPR_COLUMNS.items() if col in summary})
        with pd.option_context("display.width", 120, "display.max_columns", 10):
            table = head.to_string(float_format="{:,.2f}".format)
        first, last = self.periods[0].strftime("%Y-%m"), self.periods[-1].strftime("%Y-%m")
        warnings = f"{len(self.warnings)} warning(s): res.warnings" if self.warnings else "no warnings"
        return "\n".join([
            f"<finmodel.Results: scenario {inp.scenario} - {inp.scenario_label}; {len(inp.phases)} phases, "
            f"monthly {first} to {last} ({inp.periods} months); {warnings}>",
            table,
            "tables: .summary .cashflows .annual .jobs .cost_stack .announcements .sources_uses .debt .statements",
            "one line item: .monthly('fcf') .yearly('capex_total'); catalogue: finmodel.line_items(); inputs: .inputs",
            "charts: .plot.cash_flow() .capex_by_category() .cost_stack() .tornado() .montecarlo_histogram()",
            "units: every table's attrs['units'] (amounts in EUR; rates per year as fractions)",
        ])

    def monthly(self, item: str, entity: str | None = None) -> pd.DataFrame:
        """One monthly row of every entity (or of ``entity``): DatetimeIndex (first day of each month), one column per entity.

        ``item``: a row line item (see :func:`finmodel.line_items`) or a Time
        row (then one column, ``time``). Its unit in ``attrs["units"]``.
        """
        it = self._row_item(item)
        if it in TIME_ITEMS:
            data = {"time": self.time[item]}
        else:
            entities = [e for e in self.entities if item in self.values[e]] if entity is None else [entity]
            for e in entities:
                if e not in self.values:
                    raise KeyError(f"unknown entity {e!r}; entities: {', '.join(self.entities)}")
                if item not in self.values[e]:
                    raise KeyError(f"{item!r} is not computed for {e!r} (not consolidated); phases have it")
            data = {e: self.values[e][item] for e in entities}
        df = pd.DataFrame({e: np.asarray(v, dtype=float).reshape(-1) for e, v in data.items()}, index=self.periods)
        df.index.name, df.columns.name = "date", "entity"
        df.attrs.update(item=item, label=it.label, units={e: it.unit for e in df.columns})
        return df

    def yearly(self, item: str, entity: str | None = None) -> pd.DataFrame:
        """:meth:`monthly` rolled up by calendar year, indexed by each year's last day.

        Flows (rows with a total: EUR, MWh, GPU-h) are summed, FTE averaged,
        every other row (balances, prices, flags, counts) taken at the year's
        last month; ``attrs["how"]`` says which.
        """
        df = self.monthly(item, entity)
        it = self._row_item(item)
        how = "sum" if it.show_total else "mean" if it.unit == "FTE" else "last"
        out = getattr(df.groupby(df.index.year), how)()
        out.index = pd.DatetimeIndex([pd.Timestamp(year=int(y), month=12, day=31) for y in out.index], name="year_end")
        out.columns.name = "entity"
        out.attrs.update(df.attrs, how=how)
        return out

    def _row_item(self, item: str):
        rows = {it.name: it for it in [*PHASE_ITEMS, *TIME_ITEMS] if it.kind == "row"}
        if item not in rows:
            scalars = {it.name for it in PHASE_ITEMS if it.kind == "scalar"}
            if item in scalars:
                raise KeyError(f"{item!r} is a scalar (one value per entity): res.scalar(entity, {item!r}) or res.summary")
            close = difflib.get_close_matches(item, rows, n=3)
            raise KeyError(f"no monthly row {item!r}" + (f"; did you mean {', '.join(close)}?" if close else "")
                           + " (catalogue: finmodel.line_items())")
        return rows[item]

    @cached_property
    def plot(self):
        """Charts of these results (matplotlib, ``pip install 'finmodel[plot]'``); see :mod:`finmodel.plots`."""
        from finmodel.plots import ResultPlots

        return ResultPlots(self)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Headline figures per phase and total; units in ``summary.attrs['units']``."""
        head = self.headlines
        extras = [c for c in head.columns if c not in SUMMARY_COLUMNS]
        df = pd.concat([head[list(SUMMARY_COLUMNS)], self.breakevens[list(SEARCHED)], head[extras]], axis=1)
        df.index.name = "phase"
        units = head.attrs["units"]
        df.attrs["units"] = {c: units[c] for c in SUMMARY_COLUMNS} | dict.fromkeys(SEARCHED, "EUR/GPU-h") | {
            c: units[c] for c in extras}
        return df

    @cached_property
    def headlines(self) -> pd.DataFrame:
        """The summary without its searched (after-tax and equity) break-evens, which cost a search each: the
        line items' headline figures per phase and total and the service months; units as ``summary``'s."""
        rows = {e: {col: first_value(applicable(self.values[e], item)) for col, (item, _) in SUMMARY_COLUMNS.items()}
                for e in self.entities}
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

    @cached_property
    def breakevens(self) -> pd.DataFrame:
        """The three break-even new-generation prices per entity [EUR/GPU-h] (see :mod:`finmodel.breakevens`).

        Columns: the summary's breakeven_eur_per_gpu_hour (pre-tax project),
        breakeven_after_tax_eur_per_gpu_hour and breakeven_equity_eur_per_gpu_hour;
        ``attrs['labels']`` says which NPV is zero at each.
        """
        pre = {e: first_value(applicable(self.values[e], "breakeven_price")) for e in self.entities}
        found = solve_price_breakevens(self.inputs, pre, tuple(SEARCHED.values()))
        df = pd.DataFrame({"breakeven_eur_per_gpu_hour": pre} | {
            col: {e: found[(e, metric)] for e in self.entities} for col, metric in SEARCHED.items()})
        df.index.name = "phase"
        df.attrs["labels"] = dict(BREAKEVEN_LABELS)
        df.attrs["unit"] = "EUR/GPU-h"
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
        return _long(pd.concat(frames, ignore_index=True))

    @cached_property
    def time_rows(self) -> pd.DataFrame:
        """The Time sheet's rows, one column per row, indexed by month."""
        df = pd.DataFrame({it.name: np.asarray(self.time[it.name]).reshape(-1) for it in TIME_ITEMS}, index=self.periods)
        df.attrs["units"] = {it.name: it.unit for it in TIME_ITEMS}
        return df

    @cached_property
    def annual(self) -> pd.DataFrame:
        """Yearly roll-ups: flows (EUR, MWh, GPU-h) summed, FTE averaged; tidy."""
        df = self.cashflows[self.cashflows.line_item.isin(annual_items())].copy()
        df["year"] = df.date.dt.year
        keys = ["phase", "line_item", "unit", "year"]
        summed = df[df.unit != "FTE"].groupby(keys, sort=False).value.sum()
        averaged = df[df.unit == "FTE"].groupby(keys, sort=False).value.mean()
        return _long(pd.concat([summed, averaged]).reset_index())

    @cached_property
    def jobs(self) -> pd.DataFrame:
        """Average FTE by phase and year: construction on site, direct by category, indirect, permanent, total."""
        names = ["jobs_construction", *(f"jobs_{c}" for c in CATEGORIES), "staff_fte", "jobs_indirect", "jobs_permanent",
                 "jobs_total"]
        a = self.annual[self.annual.line_item.isin(names)]
        out = a.pivot_table(index=["phase", "year"], columns="line_item", values="value", sort=False)[names]
        out = out.rename(columns={"staff_fte": "jobs_direct"})
        out.attrs["units"] = {c: "FTE" for c in out.columns}
        return out

    @cached_property
    def energy(self) -> pd.DataFrame:
        """Energy, heat and carbon by phase and year: GWh, shares of national figures, t CO2, per GPU-hour.

        Sums of the monthly rows over each calendar year (MWh shown as GWh); the
        per-GPU-hour columns divide the year's totals.
        """
        names = {"it_energy_mwh": "it_energy_gwh", "facility_energy_mwh": "facility_energy_gwh",
                 "heat_sold_mwh": "heat_delivered_gwh", "share_fr_consumption": "share_fr_consumption",
                 "share_rte_dc_forecast": "share_rte_dc_forecast", "emissions_t": "emissions_t_co2",
                 "gpu_hours_sold": "gpu_hours_sold"}
        a = self.annual[self.annual.line_item.isin(names)]
        out = a.pivot_table(index=["phase", "year"], columns="line_item", values="value", sort=False)[list(names)]
        out = out.rename(columns=names)
        for col in ("it_energy_gwh", "facility_energy_gwh", "heat_delivered_gwh"):
            out[col] = out[col] / 1e3
        hours = out.pop("gpu_hours_sold").where(lambda h: h > 0)
        out["kwh_per_gpu_hour"] = out.facility_energy_gwh * 1e6 / hours
        out["g_co2_per_gpu_hour"] = out.emissions_t_co2 * 1e6 / hours
        out.attrs["units"] = {"it_energy_gwh": "GWh", "facility_energy_gwh": "GWh", "heat_delivered_gwh": "GWh",
                              "share_fr_consumption": "-", "share_rte_dc_forecast": "-", "emissions_t_co2": "t CO2",
                              "kwh_per_gpu_hour": "kWh/GPU-h", "g_co2_per_gpu_hour": "g CO2/GPU-h"}
        return out

    @cached_property
    def cost_stack(self) -> pd.DataFrame:
        """Levelized cost per GPU-hour by category [EUR/GPU-h]; the columns add up to lcoc."""
        cols = {name: label for name, label, _, _ in STACK}
        df = pd.DataFrame({e: {n: first_value(applicable(self.values[e], n)) for n in [*cols, "lcoc"]}
                           for e in self.entities}).T
        df.index.name = "phase"
        df.attrs["labels"] = cols
        df.attrs["unit"] = "EUR/GPU-h"
        df.attrs["units"] = {c: "EUR/GPU-h" for c in df.columns}
        return df

    @cached_property
    def cost_by_generation(self) -> pd.DataFrame:
        """Per phase and GPU generation: PV of GPU-hours and PFLOP-hours, costs, cost per GPU-hour and per PFLOP-hour
        (see :mod:`finmodel.generations`)."""
        return cost_by_generation(self)

    @cached_property
    def announcements(self) -> pd.DataFrame:
        """Each announced figure beside the bottom-up one, with implied ratios and a flag (each row's unit in ``unit``)."""
        df = compare_announcements(self)
        df.attrs["units"] = {"announced": SEE_UNIT_COLUMN, "bottom_up": SEE_UNIT_COLUMN, "gap": "-", "by_year": "yr"}
        return df

    @cached_property
    def sources_uses(self) -> pd.DataFrame:
        """Sources and uses of funds during construction [EUR]: rows (side, line), a column per phase and total.

        Flows are summed over each phase's drawdown months (to full service);
        cash held is its value at completion. Sources = uses for every column.
        ``attrs``: the announced plan total and each entity's peak funding need and month.
        """
        def weight(e, r):  # balances at completion, flows over the drawdown months
            return np.asarray(self.values[e]["completion_marker" if r in financing.BALANCE_ROWS else "draw_flag"])

        df = self._sources_uses_table(financing.USES, financing.SOURCES, weight)
        df.attrs["announced_eur"] = whole_plan_capex(self.inputs.announcements)
        df.attrs["peak_funding_eur"] = self.headlines["peak_funding_eur"].to_dict()
        df.attrs["peak_funding_month"] = self.headlines["peak_funding_month"].to_dict()
        return df

    @cached_property
    def sources_uses_horizon(self) -> pd.DataFrame:
        """Sources and uses over the whole horizon [EUR], GPU refreshes included; laid out as :attr:`sources_uses`.

        The line items of :mod:`finmodel.items.sources_uses` (every flow summed
        over all months; the company is wound up in the last month), so sources
        = uses for every column.
        """
        table = {}
        for side, prefix, lines in sources_uses.SIDES:
            for key, label, _ in lines:
                table[(side, label)] = {e: self.scalar(e, prefix + key) for e in self.entities}
            table[(side, f"Total {side.lower()}")] = {e: self.scalar(e, f"horizon_{side.lower()}") for e in self.entities}
        df = pd.DataFrame(table).T
        df.index.names = ["side", "line"]
        df.attrs["unit"] = "EUR"
        df.attrs["units"] = {c: "EUR" for c in df.columns}
        return df

    def _sources_uses_table(self, uses, sources, weight) -> pd.DataFrame:
        """Sources and uses [EUR] by phase and total: each line sums its rows x ``weight(entity, row)`` over months."""
        out = {}
        for e in self.inputs.phases:
            v = self.values[e]

            def amount(rows):
                return sum(float(np.sum(np.asarray(v[r]) * weight(e, r))) for r in rows)

            col = {("Uses", label): amount(rows) for label, rows in uses}
            col[("Uses", "Total uses")] = sum(col.values())
            src = {("Sources", label): amount(rows) for label, rows in sources}
            src[("Sources", "Total sources")] = sum(src.values())
            out[e] = col | src
        df = pd.DataFrame(out)
        df[TOTAL] = df[list(self.inputs.phases)].sum(axis=1)
        df.index.names = ["side", "line"]
        df.attrs["unit"] = "EUR"
        df.attrs["units"] = {c: "EUR" for c in df.columns}
        return df

    @cached_property
    def debt(self) -> pd.DataFrame:
        """Debt schedule by phase (and total), tranche and year [EUR]: flows summed, balance at year end.

        ``attrs['dscr_by_year']``: CFADS and debt service in months with debt service (the horizon's last
        month, whose debt service repays what is left out of the residual value, left out) and their ratio
        by calendar year [-] (the December covenant test on the trailing 12 months), and at year end the
        GPU loans and vendor financing beside the book value of the IT securing them [EUR].
        """
        frames = []
        for n, label, _ in TRANCHES:
            fields = {f"{n}_{f}": (f, kind) for f, kind in financing.DEBT_FIELDS}
            df = self._yearly(fields)
            df.insert(1, "tranche", n)
            frames.append(df)
        out = pd.concat(frames, ignore_index=True)
        cover = self._yearly({"cfads_serviced": ("cfads", "flow"), "debt_service_serviced": ("debt_service", "flow"),
                              "it_secured_debt": ("it_secured_debt", "balance"), "it_book_value": ("it_book_value", "balance")})
        cover = cover.pivot_table(index=["phase", "year"], columns="line", values="value", sort=False).reset_index()
        cover["dscr"] = cover.cfads / cover.debt_service.where(cover.debt_service > 0)
        cover.columns.name = None
        cover.insert(1, "entity_kind", _kinds(cover.phase))
        cover.attrs["units"] = {"cfads": "EUR", "debt_service": "EUR", "it_secured_debt": "EUR", "it_book_value": "EUR", "dscr": "-"}
        out = _long(out)
        out.attrs["dscr_by_year"] = cover
        return out

    @cached_property
    def statements(self) -> pd.DataFrame:
        """Income statement, balance sheet and cash-flow statement by phase (and total) and year [EUR].

        Tidy: phase, statement, line, year, value, unit; flows are summed over
        the calendar year, balances taken in its last month. Monthly values
        are rows of :attr:`cashflows`.
        """
        df = self._yearly({item: (item, kind) for _, item, kind in financing.STATEMENTS})
        statement = {item: st for st, item, _ in financing.STATEMENTS}
        df.insert(1, "statement", df.line.map(statement))
        return _long(df)

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
        return plausibility_warnings(self)


def _kinds(entity: pd.Series) -> np.ndarray:
    """'total' for the consolidated rows, 'phase' for the others."""
    return np.where(entity == TOTAL, TOTAL, "phase")


def _long(df: pd.DataFrame) -> pd.DataFrame:
    """A long table with the conventions: ``entity_kind`` after ``phase``, value units in the ``unit`` column."""
    df.insert(df.columns.get_loc("phase") + 1, "entity_kind", _kinds(df.phase))
    df.attrs["units"] = {"value": SEE_UNIT_COLUMN}
    return df


def annual_items() -> list[str]:
    """Rows rolled up by year: flows with a total column, and FTE rows."""
    return [it.name for it in PHASE_ITEMS if it.kind == "row" and (it.show_total or it.unit == "FTE")]

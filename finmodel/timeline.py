"""The monthly timeline (the Time sheet): periods, dates, hours, discount factors.

Dates are Excel serial numbers [day] (days since 1899-12-30) in Python too,
so that date comparisons give the same flags in numpy and in the workbook.
``model_start`` [serial, 1st of a month] and ``model_periods`` [month] are
structural: they fix the workbook's columns.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from finmodel.expr import ADD, F, eq, floor
from finmodel.registry import time_row

EXCEL_EPOCH = dt.date(1899, 12, 30)


def to_serial(d: dt.date) -> float:
    """Excel serial number [day] of a date."""
    return float((d - EXCEL_EPOCH).days)


def from_serial(serial: float) -> dt.date:
    """Date of an Excel serial number [day]."""
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def month_number(serial) -> np.ndarray:
    """Months from January 1970 to the month of each Excel serial [month], any shape (negative before 1970)."""
    days = np.asarray(serial, dtype=float).astype("int64").astype("timedelta64[D]") + np.datetime64(EXCEL_EPOCH, "D")
    return days.astype("datetime64[M]").astype("int64")


def years_between(later, earlier, months_per_year):
    """Years from the month of ``earlier`` to the month of ``later`` (Excel serials), counted in whole months [yr]
    <->  ``YEAR(later)-YEAR(earlier)+(MONTH(later)-MONTH(earlier))/months_per_year``."""
    if isinstance(later, F) or isinstance(earlier, F):
        a, b = later.text, earlier.text
        return F(f"YEAR({a})-YEAR({b})", ADD) + F(f"(MONTH({a})-MONTH({b}))") / months_per_year
    return (month_number(later) - month_number(earlier)) / np.asarray(months_per_year, dtype=float)


def _month_starts(m) -> np.ndarray:
    """Serials of the first day of each period (numpy form of EDATE)."""
    start = np.datetime64(from_serial(m.i.model_start), "M")
    months = start + np.arange(int(m.i.model_periods))
    return (months.astype("datetime64[D]") - np.datetime64(EXCEL_EPOCH, "D")).astype(float)


def _years(m) -> np.ndarray:
    return month_number(m.period_start) // 12 + 1970.0


def _hours(m) -> np.ndarray:
    starts = np.asarray(m.period_start)
    days_in_month = np.diff(np.append(starts, _next_month(starts[-1])))
    return days_in_month * m.i.hours_per_day


def _next_month(serial: float) -> float:
    month = np.datetime64(from_serial(serial), "M") + 1
    return float((month.astype("datetime64[D]") - np.datetime64(EXCEL_EPOCH, "D")).astype(int))


def _by_year(name: str):
    """Numpy form of a curve's Time row: each period's value of the curve ``name`` for its calendar year."""
    def values(m) -> np.ndarray:
        years, data = getattr(m.i, name)
        lookup = dict(zip(years, data))
        return np.array([lookup[int(y)] for y in m.year])

    return values


def _lookup(m, name: str) -> F:
    """Excel form: ``INDEX(<name>_values, 1, MATCH(year, <name>_years, 0))`` (Gnumeric needs the row number)."""
    return F(f"INDEX({name}_values, 1, MATCH({m.year.text}, {name}_years, 0))")


@time_row("Period", "#", numpy=lambda m: np.arange(1.0, m.i.model_periods + 1))
def period(m):
    """Period number, 1 in the first month."""
    return F("{p}{r}+1")


@time_row("Period start", "date", numpy=_month_starts)
def period_start(m):
    """First day of the month."""
    return F(f"EDATE(model_start, {(m.period - 1).text})")


@time_row("Year", "yr", numpy=_years)
def year(m):
    """Calendar year."""
    return F(f"YEAR({m.period_start.text})")


@time_row("Hours in month", "h", numpy=_hours)
def hours_in_month(m):
    """Hours in the month: days x hours per day."""
    return F(f"DAY(EOMONTH({m.period_start.text}, 0))") * m.i.hours_per_day


def _month_of_year(m) -> np.ndarray:
    """Calendar month number of each period [1-12]."""
    return (np.datetime64(from_serial(m.period_start[0]), "M") + np.arange(len(m.period_start))).astype(int) % 12 + 1.0


@time_row("Month of year", "#", numpy=_month_of_year)
def month_of_year(m):
    """Calendar month of the period, 1 for January."""
    return F(f"MONTH({m.period_start.text})")


@time_row("Fiscal year start flag", "flag")
def year_start(m):
    """1 in January (tax years are calendar years); year-to-date rows restart here."""
    return eq(m.month_of_year, 1)


@time_row("Last period flag", "flag")
def last_period(m):
    """1 in the last month of the horizon (residual value is booked there)."""
    return eq(m.period, m.i.model_periods)


@time_row("Fiscal year end flag", "flag")
def year_end(m):
    """1 in December and in the horizon's last month: tax is assessed and paid there."""
    return 1 - (1 - eq(m.month_of_year, m.i.months_per_year)) * (1 - m.last_period)


def _every(m, months):
    """1 in the calendar months that are multiples of ``months`` (3: Mar, Jun, Sep, Dec)."""
    return eq(m.month_of_year, months * floor(m.month_of_year / months))


@time_row("Corporate tax instalment month flag", "flag")
def tax_instalment_month(m):
    """1 in the months of a quarterly advance payment (every tax_instalment_interval_months: Mar, Jun, Sep, Dec)."""
    return _every(m, m.i.tax_instalment_interval_months)


@time_row("Corporate tax balancing payment month flag", "flag")
def tax_balance_month(m):
    """1 in the month (tax_balance_month) when last year's tax less its instalments is settled."""
    return eq(m.month_of_year, m.i.tax_balance_month)


@time_row("Covenant test date flag", "flag")
def covenant_test_date(m):
    """1 at the end of each covenant test period of dscr_test_period_months (6: June and December)."""
    return _every(m, m.i.dscr_test_period_months)


@time_row("Years from model start (end of month)", "yr")
def years_elapsed(m):
    """Time from model start to the end of the period, for discounting."""
    return m.period / m.i.months_per_year


@time_row("Discount factor (end of month)", "-")
def discount_factor(m):
    """(1 + discount_rate) ^ -years: cash flows are discounted from the end of their month."""
    return (1 + m.i.discount_rate) ** -m.years_elapsed


@time_row("Equity discount factor (end of month)", "-")
def equity_discount_factor(m):
    """(1 + cost_of_equity) ^ -years, for the equity NPV."""
    return (1 + m.i.cost_of_equity) ** -m.years_elapsed


@time_row("Power price index", "-", numpy=_by_year("power_price_index"))
def power_price_index(m):
    """Yearly power price relative to power_price_eur_per_mwh, from the curve power_price_index."""
    return _lookup(m, "power_price_index")


@time_row("Grid carbon intensity", "gCO2/kWh", numpy=_by_year("grid_carbon_intensity"))
def grid_carbon_intensity(m):
    """Yearly CO2 per kWh drawn from the French grid, from the curve grid_carbon_intensity."""
    return _lookup(m, "grid_carbon_intensity")


@time_row("Wage index", "-")
def wage_index(m):
    """Loaded staff cost relative to the first month: (1 + wage_escalation) ^ years."""
    return (1 + m.i.wage_escalation) ** ((m.period - 1) / m.i.months_per_year)


@time_row("Opex price index", "-")
def opex_index(m):
    """Prices of opex lines without their own index, relative to the first month: (1 + opex_inflation) ^ years."""
    return (1 + m.i.opex_inflation) ** ((m.period - 1) / m.i.months_per_year)


@time_row("Construction cost index", "-")
def construction_index(m):
    """Building works prices relative to the first month: (1 + construction_escalation) ^ years."""
    return (1 + m.i.construction_escalation) ** ((m.period - 1) / m.i.months_per_year)


@time_row("Jobs report year flag", "flag")
def report_year(m):
    """1 in the months of jobs_report_year."""
    return eq(m.year, m.i.jobs_report_year)

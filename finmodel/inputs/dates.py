"""Dates in the input files: first-of-month dates as Excel serials [day], announcement dates, months between two dates.

The model runs month by month, so its dates are the 1st of a month, from
FIRST_YEAR to LAST_YEAR (what the model and Excel can handle).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np

from finmodel.errors import Problem
from finmodel.inputs.files import brief
from finmodel.timeline import from_serial, month_number, to_serial

FIRST_YEAR, LAST_YEAR = 1900, 2200  # dates the model (and Excel) can handle
DATE_ALLOWED = f"a month 'YYYY-MM' (or 'YYYY-MM-DD' on the 1st of a month) from {FIRST_YEAR}-01 to {LAST_YEAR}-12"


def not_a_month(file: str, where: str, value: Any) -> Problem:
    """The problem for ``value``, given where a first-of-month date is expected."""
    return Problem(file, where, f"{brief(value)} is not a first-of-month date; allowed: {DATE_ALLOWED}")


def _text_date(text: str) -> dt.date | None:
    """The date a text 'YYYY-MM' (the 1st of that month) or 'YYYY-MM-DD' names, or None."""
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def parse_date(value: Any) -> float | None:
    """Excel serial [day] of a first-of-month date given as 'YYYY-MM', 'YYYY-MM-DD', a date or a serial.

    None unless the date is the 1st of a month from FIRST_YEAR to LAST_YEAR.
    """
    try:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            value = _text_date(value)
        if isinstance(value, dt.date):
            serial = to_serial(value) if value.day == 1 else None
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            serial = float(value) if from_serial(value).day == 1 and float(value).is_integer() else None
        else:
            return None
        if serial is None or not FIRST_YEAR <= from_serial(serial).year <= LAST_YEAR:
            return None
    except (ValueError, OverflowError, TypeError):
        return None
    return serial


def is_calendar_date(value: Any) -> bool:
    """True for a real calendar date (a TOML date, 'YYYY-MM-DD' or 'YYYY-MM') from FIRST_YEAR to LAST_YEAR."""
    if isinstance(value, str):
        value = _text_date(value)
    return isinstance(value, dt.date) and FIRST_YEAR <= value.year <= LAST_YEAR


def last_month(start: float, periods: int) -> dt.date:
    """The first day of the last of ``periods`` months from the month ``start`` [Excel serial]."""
    return (np.datetime64(from_serial(start), "M") + periods - 1).astype(object)


def months_between(start, end):
    """Whole months from the first-of-month serial ``start`` to ``end`` (per draw; the fewest)."""
    return np.min(month_number(end) - month_number(start))


def month_text(serial) -> str:
    """'YYYY-MM' of a serial [Excel serial] (of its first value if an array); '?' if empty."""
    arr = np.asarray(serial)
    return from_serial(float(arr.flat[0])).strftime("%Y-%m") if arr.size else "?"

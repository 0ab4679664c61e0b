"""Rules that involve more than one input: a phase's dates in order [Excel serial], GPU lead time and loan tenor
[months], terms in whole months, funding and staff shares [fraction] adding up, the cash sweep above the lock-up.

Each check reads the values found so far (scalars or arrays of draws) and
names, in its problem, the file each value came from (``origin``).
"""

from __future__ import annotations

import math

import numpy as np

from finmodel.errors import Problem
from finmodel.inputs.dates import last_month, month_text, months_between
from finmodel.inputs.fields import show
from finmodel.timeline import to_serial

#: shares of one capex base that debt tranches and grants draw on together (at most 1)
FUNDING_SHARES = (("gpu_debt_share", "vendor_share"), ("senior_share", "grant_share"))
STAFF_SHARES = ("staff_share_engineering", "staff_share_maintenance", "staff_share_research", "staff_share_security")


def check_cross_fields(values, origin, phases, start, periods, problems) -> None:
    """Rules that involve more than one field (dates in order, shares adding up...).

    ``periods`` None: the horizon is itself invalid, so dates are not checked against its end.
    """
    end = math.inf if periods is None else to_serial(last_month(start, periods))
    for phase in phases:
        _check_phase_dates(values, origin, phase, start, end, problems)
        _check_power(values, origin, phase, problems)
    _check_whole_months(values, origin, phases, problems)
    _check_gpu_debt_tenor(values, origin, problems)
    _check_funding_shares(values, origin, problems)
    _check_cash_sweep(values, origin, problems)
    _check_staff_shares(values, origin, problems)


def _check_phase_dates(values, origin, phase, start, end, problems) -> None:
    """Construction, then stage 1, then full service, within the model's months; GPUs ordered once works have started."""
    cs, s1, full = (values.get(f"{phase}.{k}") for k in ("construction_start", "stage1_online", "full_online"))
    if any(v is None for v in (cs, s1, full)):
        return
    if np.any(np.asarray(s1) <= cs):
        problems.append(Problem(origin[f"{phase}.stage1_online"], f"{phase}.stage1_online",
                                f"{month_text(s1)} is not after construction_start {month_text(cs)}; allowed: a month after construction_start (service starts after construction)"))
    if np.any(np.asarray(full) <= s1):
        problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                f"{month_text(full)} is not after stage1_online {month_text(s1)}; allowed: a month after stage1_online"))
    if np.any(np.asarray(cs) < start):
        problems.append(Problem(origin[f"{phase}.construction_start"], f"{phase}.construction_start",
                                f"{month_text(cs)} is before the model start {month_text(start)}; allowed: {month_text(start)} or later"))
    if np.any(np.asarray(full) > end):
        problems.append(Problem(origin[f"{phase}.full_online"], f"{phase}.full_online",
                                f"{month_text(full)} is after the last model month {month_text(end)}; allowed: {month_text(end)} or earlier (or a longer model.horizon_years)"))
    lead = values.get("gpu_lead_time_months")
    months = months_between(cs, s1)
    if lead is not None and months > 0 and np.any(np.asarray(lead) > months):  # months <= 0: reported above
        problems.append(Problem(origin["gpu_lead_time_months"], "gpu_lead_time_months",
                                f"{show(lead)} months is longer than {phase}'s construction before stage 1 ({show(months)} months "
                                f"from construction_start {month_text(cs)} to stage1_online {month_text(s1)}); allowed: at most {show(months)} "
                                "months (GPUs are ordered once works have started)"))


def _check_power(values, origin, phase, problems) -> None:
    """A phase with GPUs has IT power [MW]."""
    gpus, mw = values.get(f"{phase}.gpus"), values.get(f"{phase}.it_mw")
    if gpus is not None and mw is not None and np.any((np.asarray(mw) == 0) & (np.asarray(gpus) > 0)):
        problems.append(Problem(origin[f"{phase}.it_mw"], f"{phase}.it_mw", f"0 MW but {show(gpus)} GPUs; GPUs need power; allowed: > 0 MW when gpus > 0"))


def _check_whole_months(values, origin, phases, problems) -> None:
    """The GPU life and contract terms [yr] are whole numbers of months (the model runs month by month)."""
    for key in ("gpu_life_years", "contract_years", *(f"{p}.contract_years" for p in phases)):
        years = values.get(key)
        if years is not None and not np.all(np.isclose(np.asarray(years) * 12, np.round(np.asarray(years) * 12))):
            problems.append(Problem(origin[key], key, f"{show(years)} years is not a whole number of months; allowed: a multiple of 1/12 year"))


def _check_gpu_debt_tenor(values, origin, problems) -> None:
    """A GPU loan [months] is repaid within the GPU's life [yr]."""
    tenor, life = values.get("gpu_debt_tenor_months"), values.get("gpu_life_years")
    if tenor is not None and life is not None and np.any(np.asarray(tenor) > np.asarray(life) * 12):
        allowed = np.min(np.asarray(life) * 12)
        problems.append(Problem(origin["gpu_debt_tenor_months"], "gpu_debt_tenor_months",
                                f"{show(tenor)} months is longer than the GPU life gpu_life_years = {show(life)} years "
                                f"({show(allowed)} months); allowed: at most {show(allowed)} months (each purchase's loan "
                                "is repaid by its refresh)"))


def _check_funding_shares(values, origin, problems) -> None:
    """The shares of one capex base that loans and grants fund add up to at most 1."""
    for pair in FUNDING_SHARES:
        got = [values.get(s) for s in pair]
        if all(v is not None for v in got) and np.any(sum(np.asarray(v) for v in got) > 1 + 1e-12):
            listed = " + ".join(f"{s} = {show(v)}" for s, v in zip(pair, got))
            files = ", ".join(dict.fromkeys(origin[s] for s in pair))
            problems.append(Problem(files, "+".join(pair), f"{listed} = {show(sum(got))} funds more than the capex it draws on; allowed: a total of at most 1"))


def _check_cash_sweep(values, origin, problems) -> None:
    """The cash sweep's DSCR threshold is at or above the lock-up covenant's."""
    sweep, lock = values.get("cash_sweep_dscr"), values.get("dscr_covenant")
    if sweep is not None and lock is not None and np.any(np.asarray(sweep) < np.asarray(lock)):
        files = ", ".join(dict.fromkeys(origin[s] for s in ("cash_sweep_dscr", "dscr_covenant")))
        problems.append(Problem(files, "cash_sweep_dscr", f"{show(sweep)} is below the lock-up covenant dscr_covenant = "
                                f"{show(lock)}; allowed: a sweep threshold >= dscr_covenant"))


def _check_staff_shares(values, origin, problems) -> None:
    """The four staff shares add up to exactly 1."""
    shares = [values.get(s) for s in STAFF_SHARES]
    if all(v is not None for v in shares) and not np.allclose(sum(np.asarray(s) for s in shares), 1.0, atol=1e-9):
        listed = ", ".join(f"{s} = {show(v)}" for s, v in zip(STAFF_SHARES, shares))
        files = ", ".join(dict.fromkeys(origin[s] for s in STAFF_SHARES))
        problems.append(Problem(files, "staff_share_*", f"the four staff shares add up to {show(sum(shares))} ({listed}); allowed: a total of exactly 1"))

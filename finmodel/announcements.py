"""Announced figures beside the bottom-up ones, and plausibility warnings.

Each dated announcement (a *vintage*, from inputs/announcements.toml) covers
some phases. Its figures are compared with the bottom-up sums over those
phases, directly and through implied ratios (EUR per GPU, kW per GPU, EUR per
MW, jobs per MW); a ratio gap beyond ``announcement_tolerance`` is flagged.
Ratios do not depend on scale, so a figure announced "by 2028" still
compares with a full build-out.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodel.registry import first_value

#: the announcement of the whole plan (EUR 52 bn, 2025-02-10), which the sources and uses compare with
WHOLE_PLAN = "plan_feb_2025"
#: bottom-up line item for each announced field
BOTTOM_UP = {"capex_eur": "capex_initial", "gpus": "gpus_full", "it_mw": "it_mw_full", "jobs": "jobs_permanent_2030"}
#: implied ratio -> (numerator field, denominator field, conversion input or None, unit)
RATIOS = {
    "eur_per_gpu": ("capex_eur", "gpus", None, "EUR/GPU"),
    "kw_per_gpu": ("it_mw", "gpus", "kw_per_mw", "kW/GPU"),
    "eur_per_mw": ("capex_eur", "it_mw", None, "EUR/MW"),
    "jobs_per_mw": ("jobs", "it_mw", None, "FTE/MW"),
}
UNITS = {"capex_eur": "EUR", "gpus": "GPU", "it_mw": "MW", "jobs": "FTE"}
#: both fleet readings beside the announced figure, whichever fleet_basis sizes the model:
#: metric -> (announced field, bottom-up line item)
READINGS = {"gpus_if_power_binds": ("gpus", "gpus_power_reading"), "it_mw_if_gpus_bind": ("it_mw", "mw_gpus_reading")}
#: every metric read from a line item (sum over the announcement's phases)
FROM_ITEMS = {**BOTTOM_UP, **{metric: item for metric, (_, item) in READINGS.items()}}
COLUMNS = ["id", "date", "what", "scope", "by_year", "metric", "unit", "announced", "bottom_up", "gap", "flag", "source"]
#: benchmark range of IT kW per GPU [kW/GPU]: H100 at the server (1.3) to Blackwell at facility level (2.4),
#: benchmarks.md section 2.2; the top widens to the hungriest generation of generations.toml
KW_PER_GPU_RANGE = (1.3, 2.4)


def _ratio(num, den, factor):
    if num is None or den is None or pd.isna(num) or pd.isna(den) or den == 0:
        return np.nan
    return num * factor / den


def whole_plan_capex(announcements) -> float:
    """The whole plan's announced investment [EUR] (announcement ``WHOLE_PLAN``); NaN if the inputs lack it."""
    if announcements is None or not len(announcements):
        return np.nan
    found = announcements[announcements["id"] == WHOLE_PLAN]["capex_eur"]
    return float(found.iloc[0]) if len(found) and not pd.isna(found.iloc[0]) else np.nan


def compare_announcements(results) -> pd.DataFrame:
    """One row per (announcement, metric): announced, bottom-up, gap and flag."""
    tol = first_value(results.inputs.values["announcement_tolerance"])
    rows = []
    for ann in results.inputs.announcements.itertuples(index=False):
        bottom = {f: sum(results.scalar(p, item) for p in ann.scope) for f, item in BOTTOM_UP.items()}
        announced = {f: getattr(ann, f) for f in BOTTOM_UP}
        metrics = [(f, announced[f], bottom[f], UNITS[f]) for f in BOTTOM_UP if announced[f] is not None and not pd.isna(announced[f])]
        for metric, (f, item) in READINGS.items():
            if announced[f] is not None and not pd.isna(announced[f]):
                metrics.append((metric, announced[f], sum(results.scalar(p, item) for p in ann.scope), UNITS[f]))
        for name, (num, den, conversion, unit) in RATIOS.items():
            factor = 1.0 if conversion is None else float(results.inputs.values[conversion])
            a = _ratio(announced[num], announced[den], factor)
            if not np.isnan(a):
                metrics.append((name, a, _ratio(bottom[num], bottom[den], factor), unit))
        for metric, a, b, unit in metrics:
            gap = b / a - 1 if a else np.nan
            rows.append(dict(id=ann.id, date=ann.date, what=ann.what, scope="+".join(ann.scope), by_year=ann.by_year,
                             metric=metric, unit=unit, announced=float(a), bottom_up=float(b), gap=gap,
                             flag=bool(abs(gap) > tol) if not np.isnan(gap) else False, source=ann.source))
    return pd.DataFrame(rows, columns=COLUMNS)


def plausibility_warnings(results) -> list[str]:
    """Legal but implausible results: LCOC below electricity, kW/GPU off benchmark, IRR not unique."""
    out = []
    lo, hi = KW_PER_GPU_RANGE
    hi = max([hi] + [first_value(results.inputs.values[f"{g}.kw_per_gpu"]) for g in results.inputs.generations])
    for e in results.entities:
        if results.scalar(e, "gpus_full") == 0:  # nothing to divide by: say so once instead of NaN ratios
            phases = [e] if e in results.inputs.phases else results.inputs.phases
            colocation = all(first_value(results.inputs.phase_view(p)["business_model"]) == 1 for p in phases)
            why = "colocation: the tenants own the GPUs" if colocation else "no GPUs built (gpus = 0)"
            out.append(f"{e}: {why}: no GPU-hours, so the levelized cost, the break-even price and "
                       "kW per GPU are n/a")
            out += _financing_warnings(results, e)
            continue
        lcoc, elec = results.scalar(e, "lcoc"), results.scalar(e, "stack_electricity")
        if lcoc < elec:
            out.append(f"{e}: levelized cost {lcoc:.3f} EUR/GPU-h is below its electricity cost alone ({elec:.3f} EUR/GPU-h)")
        kw = results.scalar(e, "it_kw_per_gpu")
        if not lo <= kw <= hi:
            out.append(f"{e}: {kw:.2f} kW of IT per GPU is outside what GPUs draw ({lo}-{hi} kW, benchmarks.md 2.2): "
                       "a 'GPU' here may be a die or a lower-power card")
        if e in results.inputs.phases:
            out += _fleet_warning(results, e)
        out += _peer_warnings(results, e)
        out += _financing_warnings(results, e)
        changes = int(results.summary.loc[e, "irr_sign_changes"])
        if changes > 1:
            out.append(f"{e}: free cash flow changes sign {changes} times: the IRR may not be unique "
                       f"(found from irr_guess = {results.inputs.values['irr_guess']:g})")
    return out


#: peer plausibility: (flag item, figure item, range inputs, what, display scale, display format)
PEER_CHECKS = (
    ("peer_flag_revenue", "revenue_per_mw_year", "peer_revenue_eur_per_mw_year", "revenue per MW-year", 1e-6, "EUR {:.1f} M"),
    ("peer_flag_margin", "ebitda_margin", "peer_ebitda_margin", "EBITDA margin", 100, "{:.0f} %"),
    ("peer_flag_capex", "eur_per_mw", "peer_capex_eur_per_mw", "initial capex per MW of IT", 1e-6, "EUR {:.1f} M"),
)


def _peer_warnings(results, e: str) -> list[str]:
    """Figures outside the ranges of listed AI clouds (peers.md)."""
    plan = results.inputs.plan_view()
    out = []
    for flag, item, rng, what, scale, fmt in PEER_CHECKS:
        if results.scalar(e, flag) == 1:
            lo, hi = (first_value(plan[f"{rng}_{end}"]) * scale for end in ("low", "high"))
            out.append(f"{e}: {what} {fmt.format(results.scalar(e, item) * scale)} is outside the range of listed AI clouds "
                       f"({fmt.format(lo)} to {fmt.format(hi)}, inputs {rng}_low/_high)")
    return out


def _fleet_warning(results, e: str) -> list[str]:
    """The announced GPUs and MW disagree at the generations' kW per GPU: say what each reading gives and which one the model takes."""
    view = results.inputs.phase_view(e)
    gpus, mw = first_value(view["gpus"]), first_value(view["it_mw"])
    fit, need = results.scalar(e, "gpus_power_reading"), results.scalar(e, "mw_gpus_reading")
    if not gpus or abs(fit / gpus - 1) <= first_value(view["announcement_tolerance"]):
        return []
    basis = "power" if first_value(view["fleet_basis"]) == 1 else "gpus"
    taken = f"{fit:,.0f} GPUs in the announced {mw:,.0f} MW" if basis == "power" else f"{gpus:,.0f} GPUs in {need:,.0f} MW"
    return [f"{e}: the announced {gpus:,.0f} GPUs need {need:,.0f} MW of IT at their peak (kW per GPU of the generations bought), "
            f"the announced {mw:,.0f} MW hold {fit:,.0f} GPUs; fleet_basis '{basis}' models {taken}"]


def _financing_warnings(results, e: str) -> list[str]:
    """Covenant breaches and sculpted debt cut to its capacity (phases only: each has its own lenders)."""
    from finmodel.items.debt import TRANCHES

    if e not in results.inputs.phases:
        return []
    plan, phase = results.inputs.plan_view(), results.inputs.phase_view(e)
    out = []
    failed = results.scalar(e, "breach_months")
    if failed > 0:
        out.append(f"{e}: trailing-12-month DSCR below the covenant {first_value(plan['dscr_covenant']):g} at {failed:.0f} "
                   f"of {results.scalar(e, 'covenant_tests'):.0f} test dates (minimum {results.scalar(e, 'min_dscr'):.2f}): "
                   "distributions locked up until the next test")
    cures = results.scalar(e, "equity_cure_months")
    if cures > 0:
        out.append(f"{e}: equity cures debt service in {cures:.0f} months (operations, the debt service reserve "
                   "and cash held fall short)")
    months = results.scalar(e, "collateral_breach_months")
    if months > 0:
        debt, value, flag = (np.asarray(results.values[e][r], dtype=float).reshape(-1)
                             for r in ("it_secured_debt", "it_book_value", "collateral_breach"))
        first = int(np.argmax(flag))
        out.append(f"{e}: GPU loans and vendor financing exceed the book value of the IT securing them in {months:.0f} months "
                   f"from {results.periods[first]:%Y-%m} (EUR {debt[first] / 1e6:,.0f} m of debt on EUR {value[first] / 1e6:,.0f} m "
                   "of IT then): lower gpu_debt_share, vendor_share or gpu_debt_tenor_months")
    for n, label, _ in TRANCHES:
        if n == "gpu_debt":  # one loan per purchase at its loan-to-value: never sculpted
            continue
        share, used = first_value(phase[f"{n}_share"]), results.scalar(e, f"{n}_share_used")
        if used < share - 1e-12:
            out.append(f"{e}: {label.lower()} sculpted to DSCR {first_value(plan['dscr_target']):g} can fund only {used:.0%} "
                       f"of its capex base, not {share:.0%}" + (" (no debt capacity: cash flow too thin)" if used <= 0 else ""))
    return out

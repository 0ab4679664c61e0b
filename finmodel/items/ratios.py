"""Headline quantities, the ratios the Announcements check compares, and peer plausibility.

Announced figures imply EUR per GPU, kW per GPU, EUR per MW and jobs per
MW; these scalars are the bottom-up counterparts (initial capex, without
GPU refresh). Revenue per MW-year, EBITDA margin and initial capex per MW
are compared with the ranges of listed AI clouds (``peer_*`` inputs); a flag
is 1 where a figure is outside its range (a warning, not an error).
"""

from finmodel.expr import ge, safe_divide, total
from finmodel.registry import scalar

S = "Headline and ratios"


@scalar("IT kW per GPU built", "kW/GPU", S)
def it_kw_per_gpu(m):
    """IT MW built x 1000 / GPUs at full build-out (the bottom-up counterpart of the announced kW per GPU)."""
    return safe_divide(m.it_mw_full * m.i.kw_per_mw, m.gpus_full)


@scalar("Initial capex per GPU", "EUR/GPU", S)
def eur_per_gpu(m):
    """Initial capex / GPUs."""
    return safe_divide(m.capex_initial, m.gpus_full)


@scalar("Initial capex per MW", "EUR/MW", S)
def eur_per_mw(m):
    """Initial capex / IT MW."""
    return safe_divide(m.capex_initial, m.it_mw_full)


@scalar("Permanent jobs per MW in the report year", "FTE/MW", S)
def jobs_per_mw(m):
    """Average permanent jobs in the report year / IT MW."""
    return safe_divide(m.jobs_permanent_2030, m.it_mw_full)


@scalar("Revenue per MW-year in service", "EUR/MW/yr", S)
def revenue_per_mw_year(m):
    """Revenue over the horizon / MW-years in service (MW in service summed over months / 12)."""
    return safe_divide(total(m.revenue) * m.i.months_per_year, total(m.mw_online))


@scalar("EBITDA margin", "-", S)
def ebitda_margin(m):
    """EBITDA / revenue over the horizon."""
    return safe_divide(total(m.ebitda), total(m.revenue))


def _outside(x, low, high):
    """1 when x is below low or above high, else 0."""
    return 1 - ge(x, low) * ge(high, x)


@scalar("Outside peer range: revenue per MW-year", "flag", S)
def peer_flag_revenue(m):
    """1 when revenue per MW-year is outside peer_revenue_eur_per_mw_year_low..high."""
    return _outside(m.revenue_per_mw_year, m.i.peer_revenue_eur_per_mw_year_low, m.i.peer_revenue_eur_per_mw_year_high)


@scalar("Outside peer range: EBITDA margin", "flag", S)
def peer_flag_margin(m):
    """1 when the EBITDA margin is outside peer_ebitda_margin_low..high."""
    return _outside(m.ebitda_margin, m.i.peer_ebitda_margin_low, m.i.peer_ebitda_margin_high)


@scalar("Outside peer range: initial capex per MW", "flag", S)
def peer_flag_capex(m):
    """1 when initial capex per MW of IT is outside peer_capex_eur_per_mw_low..high."""
    return _outside(m.eur_per_mw, m.i.peer_capex_eur_per_mw_low, m.i.peer_capex_eur_per_mw_high)

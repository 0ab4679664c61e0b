"""Headline quantities, the ratios the Announcements check compares, and peer plausibility.

Announced figures imply EUR per GPU, kW per GPU, EUR per MW and jobs per
MW; these scalars are the bottom-up counterparts (initial capex, without
GPU refresh). Revenue per MW-year, EBITDA margin and initial capex per MW
are compared with the ranges of listed AI clouds (``peer_*`` inputs); a flag
is 1 where a figure is outside its range (a warning, not an error). A
colocation phase is not compared: the ranges are GPU clouds', and a landlord
of customer-owned GPUs earns and spends far less per MW. Figures per GPU are
0 with the flag ``has_gpus`` 0 where the phase owns no GPUs.
"""

from finmodel.expr import divide_where, ge, lt, safe_divide, total
from finmodel.registry import scalar

S = "Headline and ratios"


@scalar("Owns GPUs (figures per GPU apply)", "flag", S)
def has_gpus(m):
    """1 when the phase owns GPUs (gpus_full above 0); else the figures per GPU are 0 and do not apply."""
    return lt(0, m.gpus_full)


@scalar("IT kW per GPU built", "kW/GPU", S)
def it_kw_per_gpu(m):
    """IT MW built x 1000 / GPUs at full build-out (the bottom-up counterpart of the announced kW per GPU); 0 without GPUs (has_gpus)."""
    return divide_where(m.it_mw_full * m.i.kw_per_mw, m.gpus_full, m.has_gpus)


@scalar("Initial capex per GPU", "EUR/GPU", S)
def eur_per_gpu(m):
    """Initial capex / GPUs; 0 without GPUs (has_gpus)."""
    return divide_where(m.capex_initial, m.gpus_full, m.has_gpus)


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


def _outside(m, x, low, high):
    """1 when x is below low or above high, else 0; always 0 for colocation (the ranges are GPU clouds')."""
    return (1 - m.i.business_model) * (1 - ge(x, low) * ge(high, x))


@scalar("Outside peer range: revenue per MW-year", "flag", S)
def peer_flag_revenue(m):
    """1 when revenue per MW-year is outside peer_revenue_eur_per_mw_year_low..high."""
    return _outside(m, m.revenue_per_mw_year, m.i.peer_revenue_eur_per_mw_year_low, m.i.peer_revenue_eur_per_mw_year_high)


@scalar("Outside peer range: EBITDA margin", "flag", S)
def peer_flag_margin(m):
    """1 when the EBITDA margin is outside peer_ebitda_margin_low..high."""
    return _outside(m, m.ebitda_margin, m.i.peer_ebitda_margin_low, m.i.peer_ebitda_margin_high)


@scalar("Outside peer range: initial capex per MW", "flag", S)
def peer_flag_capex(m):
    """1 when initial capex per MW of IT is outside peer_capex_eur_per_mw_low..high."""
    return _outside(m, m.eur_per_mw, m.i.peer_capex_eur_per_mw_low, m.i.peer_capex_eur_per_mw_high)

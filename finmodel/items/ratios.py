"""Headline quantities and the ratios the Announcements check compares.

Announced figures imply EUR per GPU, kW per GPU, EUR per MW and jobs per
MW; these scalars are the bottom-up counterparts (initial capex, without
GPU refresh).
"""

from finmodel.expr import safe_divide
from finmodel.registry import scalar

S = "Headline and ratios"


@scalar("GPUs at full build-out", "GPU", S, consolidate="sum")
def gpus_full(m):
    """The input gpus."""
    return m.i.gpus


@scalar("IT capacity at full build-out", "MW", S, consolidate="sum")
def it_mw_full(m):
    """The input it_mw."""
    return m.i.it_mw


@scalar("IT kW per GPU", "kW/GPU", S)
def kw_per_gpu(m):
    """IT MW x 1000 / GPUs."""
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

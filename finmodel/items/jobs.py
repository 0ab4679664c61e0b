"""Jobs [FTE]: construction, direct operations by category, indirect and induced.

Construction jobs come from spend: ``construction_jobs_per_eur_m`` job-years
per EUR m of building works, shown as FTE in the month the money is spent.
Direct operating staff is split by category; indirect and induced jobs are
``indirect_jobs_per_direct`` per direct job.
"""

from finmodel.expr import sumproduct
from finmodel.registry import row, scalar

S = "Jobs"
CATEGORIES = ("engineering", "maintenance", "research", "security")


@row("Construction jobs", "FTE", S)
def jobs_construction(m):
    """Building works [EUR m] x job-years per EUR m x 12 months."""
    return m.capex_works / m.i.eur_per_million * m.i.construction_jobs_per_eur_m * m.i.months_per_year


def _category(cat: str) -> None:
    def fn(m):
        return m.staff_fte * getattr(m.i, f"staff_share_{cat}")

    fn.__name__ = f"jobs_{cat}"
    fn.__doc__ = f"Direct operating staff x staff_share_{cat}."
    row(f"Direct operations: {cat}", "FTE", S)(fn)


for _cat in CATEGORIES:
    _category(_cat)


@row("Indirect and induced jobs", "FTE", S)
def jobs_indirect(m):
    """Direct operating staff x indirect_jobs_per_direct."""
    return m.staff_fte * m.i.indirect_jobs_per_direct


@row("Jobs, total", "FTE", S)
def jobs_total(m):
    """Construction + direct operations + indirect and induced."""
    return m.jobs_construction + m.staff_fte + m.jobs_indirect


@scalar("Average jobs in the report year", "FTE", S)
def jobs_2030(m):
    """Average of total jobs over the months of jobs_report_year."""
    return sumproduct(m.jobs_total, m.t.report_year) / m.i.months_per_year


@scalar("Direct operating jobs in the report year", "FTE", S)
def jobs_direct_2030(m):
    """Average direct operating staff over the months of jobs_report_year."""
    return sumproduct(m.staff_fte, m.t.report_year) / m.i.months_per_year

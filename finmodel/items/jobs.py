"""Jobs [FTE]: construction on site, direct operations by category, indirect and induced.

Construction jobs are on-site workers: ``construction_job_years_per_mw``
job-years per MW of IT built (calibrated on public on-site workforce
figures), spread over each stage's build like the facility spend. Factory
work on electrical and cooling equipment is not on-site labour and is not
counted. Permanent jobs are the direct operating staff (split by category)
plus ``indirect_jobs_per_direct`` indirect and induced jobs per direct job;
they are what the announced "jobs" compare with.
"""

from finmodel.expr import at_max, row_max, sumproduct
from finmodel.registry import row, scalar

S = "Jobs"
CATEGORIES = ("engineering", "maintenance", "research", "security")


@row("Construction jobs (on site)", "FTE", S)
def jobs_construction(m):
    """Job-years per MW built x IT MW x the month's share of the build x 12 months."""
    return m.i.construction_job_years_per_mw * m.it_mw_full * m.build_profile * m.i.months_per_year


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


@row("Permanent jobs (direct + indirect operations)", "FTE", S)
def jobs_permanent(m):
    """Direct operating staff + indirect and induced jobs."""
    return m.staff_fte + m.jobs_indirect


@row("Jobs, total", "FTE", S)
def jobs_total(m):
    """Construction on site + permanent jobs."""
    return m.jobs_construction + m.jobs_permanent


@scalar("Permanent jobs in the report year", "FTE", S)
def jobs_permanent_2030(m):
    """Average permanent jobs (direct + indirect operations) over the months of jobs_report_year."""
    return sumproduct(m.jobs_permanent, m.t.report_year) / m.i.months_per_year


@scalar("Direct operating jobs in the report year", "FTE", S)
def jobs_direct_2030(m):
    """Average direct operating staff over the months of jobs_report_year."""
    return sumproduct(m.staff_fte, m.t.report_year) / m.i.months_per_year


@scalar("Construction jobs on site, peak month", "FTE", S)
def jobs_construction_peak(m):
    """Largest monthly on-site construction FTE (comparable with the 'workers at peak' that builders report)."""
    return row_max(m.jobs_construction)


@scalar("Year of the construction peak", "year", S)
def jobs_construction_peak_year(m):
    """Calendar year of the first month with the largest on-site construction FTE."""
    return at_max(m.jobs_construction, m.t.year)

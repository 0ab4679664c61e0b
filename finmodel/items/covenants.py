"""Debt cover ratios on the lenders' test basis: trailing 12 months at test dates [-].

Lenders test the DSCR at test dates (every ``dscr_test_period_months``:
monthly, quarterly, semi-annual June and December, or annual) on the
trailing 12 months (``months_per_year``) of CFADS over debt service,
counting only months with debt service. With tax paid in instalments
(:mod:`finmodel.items.tax_rules`), one month's tax no longer decides a
covenant. A failed test locks distributions up until the next test date
(while debt is served). The monthly DSCR stays as information. Debt
service is the scheduled one, before a cash sweep's prepayments and their
interest saving (:mod:`finmodel.items.sweep`).

Minimum and average DSCR are over the test dates: periods without debt
service are left out (no cap, no zero). For the total, the minimum is the
weakest phase's over the phases with tests; a phase without debt has none.
"""

from finmodel.expr import carry, divide_where, lt, maximum, minimum, row_max, row_min, sumproduct, total, trailing_sum
from finmodel.registry import row, scalar

S = "Covenants (lenders' test basis)"


@row("Debt service flag", "flag", S, consolidate="recompute")
def has_debt_service(m):
    """1 in a month with debt service, except the horizon's last month (final repayment)."""
    return lt(0, m.debt_service_scheduled) * (1 - m.t.last_period)


@row("DSCR, monthly (information)", "-", S, consolidate="recompute")
def dscr(m):
    """This month's CFADS / debt service, at most dscr_cap; dscr_cap in months without debt service. Not the covenant."""
    has = m.has_debt_service
    return has * minimum(m.i.dscr_cap, m.cfads / (m.debt_service_scheduled + 1 - has)) + (1 - has) * m.i.dscr_cap


@row("CFADS in months with debt service", "EUR", S, total=True)
def cfads_serviced(m):
    """CFADS x debt service flag."""
    return m.cfads * m.has_debt_service


@row("Debt service in months with debt service", "EUR", S, total=True)
def debt_service_serviced(m):
    """Debt service x debt service flag (the final repayment in the last month left out)."""
    return m.debt_service_scheduled * m.has_debt_service


@row("CFADS, trailing 12 months", "EUR", S, consolidate=None)
def cfads_ltm(m):
    """CFADS in months with debt service over the last months_per_year months."""
    return trailing_sum(m.cfads_serviced, m.t.period, m.i.months_per_year)


@row("Debt service, trailing 12 months", "EUR", S, consolidate=None)
def debt_service_ltm(m):
    """Debt service over the last months_per_year months."""
    return trailing_sum(m.debt_service_serviced, m.t.period, m.i.months_per_year)


@row("Covenant test flag", "flag", S, consolidate=None)
def covenant_test(m):
    """1 at a test date (covenant test date flag) with debt service that month."""
    return m.t.covenant_test_date * m.has_debt_service


@row("Covenant DSCR (trailing 12 months, at test dates)", "-", S, consolidate=None)
def covenant_dscr(m):
    """At test dates: trailing-12-month CFADS / trailing-12-month debt service; 0 elsewhere."""
    test = m.covenant_test
    return test * m.cfads_ltm / (m.debt_service_ltm + 1 - test)


def tested_below(m, threshold):
    """1 at a test date whose covenant DSCR is below ``threshold`` [-]."""
    return m.covenant_test * lt(m.cfads_ltm, threshold * m.debt_service_ltm)


def until_next_test(m, failed):
    """1 from a test date where ``failed`` is 1 until the next test date, while debt is served."""
    def step(prev, test, fail, serviced):
        return (test * fail + (1 - test) * prev) * serviced

    return carry(step, m.covenant_test, failed, m.has_debt_service)


@row("Covenant breach flag", "flag", S, consolidate=None)
def breach(m):
    """1 at a test date whose covenant DSCR is below dscr_covenant."""
    return tested_below(m, m.i.dscr_covenant)


@row("Locked up by the last test", "flag", S, consolidate=None)
def covenant_locked(m):
    """1 from a failed test until the next test date, while debt is served."""
    return until_next_test(m, m.breach)


@scalar("Covenant tests", "#", S, consolidate="sum")
def covenant_tests(m):
    """Test dates with debt service."""
    return total(m.covenant_test)


@scalar("Debt flag (1: covenant tests)", "flag", S)
def has_debt(m):
    """1 when there is a covenant test (debt service): the DSCR figures apply; 0 without debt."""
    return lt(0, m.covenant_tests)


@scalar("Covenant tests failed", "#", S, consolidate="sum")
def breach_months(m):
    """Test dates whose covenant DSCR is below dscr_covenant (total: over the phases)."""
    return total(m.breach)


@scalar("Largest covenant DSCR", "-", S, consolidate=None)
def covenant_dscr_max(m):
    """Largest covenant DSCR at a test date (0 when all are negative or there is none)."""
    return row_max(m.covenant_dscr)


@row("Covenant DSCR, test dates only", "-", S, consolidate=None)
def covenant_dscr_tested(m):
    """The covenant DSCR at test dates; elsewhere the largest one, so that the row's minimum is over test dates."""
    return m.covenant_dscr + (1 - m.covenant_test) * m.covenant_dscr_max


@scalar("Minimum covenant DSCR, or dscr_cap without tests", "-", S, consolidate="min")
def min_dscr_or_cap(m):
    """Smallest covenant DSCR; dscr_cap without a test (a phase without debt). Total: the smallest phase value."""
    has = lt(0, m.covenant_tests)
    return has * row_min(m.covenant_dscr_tested) + (1 - has) * m.i.dscr_cap


@scalar("Minimum DSCR (covenant basis)", "-", S)
def min_dscr(m):
    """Smallest covenant DSCR over the test dates; dscr_cap without a test (has_debt = 0: a number and a flag,
    no error value). Total: the weakest phase with debt."""
    return m.min_dscr_or_cap * m.has_debt + (1 - m.has_debt) * m.i.dscr_cap


@scalar("Sum of covenant DSCRs", "-", S, consolidate="sum")
def covenant_dscr_sum(m):
    """Sum of the covenant DSCRs at test dates (for the average)."""
    return sumproduct(m.covenant_dscr, m.covenant_test)


@scalar("Average DSCR (covenant basis)", "-", S)
def avg_dscr(m):
    """Mean covenant DSCR over the test dates; dscr_cap without a test (has_debt = 0). Total: over every phase's
    tests."""
    return divide_where(m.covenant_dscr_sum, m.covenant_tests, m.has_debt) + (1 - m.has_debt) * m.i.dscr_cap

"""Cash sweep of the senior debt, and the debt totals after it [EUR].

From a covenant test date whose trailing-12-month DSCR
(:mod:`finmodel.items.covenants`) is below ``cash_sweep_dscr`` (a second
threshold, above the ``dscr_covenant`` lock-up) to the next test date, a
share ``cash_sweep_share`` of the cash left after debt service (CFADS less
the month's debt service, lenders' basis) prepays the senior debt, as far
as its balance goes. As usual, prepayments are applied to the last
instalments first (inverse order of maturity: "the prepayment is typically
applied first to the last scheduled instalment of the loan", CCC Training,
"Cash Sweep", 2022): the scheduled principal is unchanged until the
balance runs out early, and interest is paid on the lower balance.

The covenant is tested on the debt service before prepayments and their
interest saving (the scheduled debt service of :mod:`finmodel.items.debt`):
a simplification, slightly conservative after a sweep, which keeps the test
ahead of the sweep it triggers. Every later row (interest in the company's
tax, the waterfall, the statements) uses the debt after the sweep.
"""

from finmodel.expr import carry, lag, maximum, minimum
from finmodel.items.covenants import tested_below, until_next_test
from finmodel.registry import row

S = "Cash sweep (senior debt)"


@row("Cash sweep test failed", "flag", S, consolidate=None)
def sweep_test_failed(m):
    """1 at a test date whose trailing-12-month DSCR is below cash_sweep_dscr."""
    return tested_below(m, m.i.cash_sweep_dscr)


@row("Cash sweep flag", "flag", S, consolidate=None)
def sweep_on(m):
    """1 from a test below cash_sweep_dscr until the next test date, while debt is served."""
    return until_next_test(m, m.sweep_test_failed)


def _open_balance(scheduled, prepaid):
    """Senior debt after prepayments: the scheduled balance less what was prepaid, at least 0 [EUR]."""
    return maximum(0, scheduled - prepaid)


@row("Senior debt prepaid to date (cash sweep)", "EUR", S)
def senior_prepaid(m):
    """Previous + this month's prepayment: cash_sweep_share x (CFADS - debt service after the sweep), if positive,
    while the sweep flag is on, at most the balance left after the scheduled principal."""
    def step(prev, opening, principal, rate, others, cfads, on, share):
        balance = _open_balance(opening, prev)
        due = minimum(principal, balance)
        spare = cfads - others - rate * balance - due
        return prev + on * minimum(balance - due, share * maximum(0, spare))

    return carry(step, lag(m.senior_balance), m.senior_principal, m.senior_rate,
                 m.gpu_debt_debt_service + m.vendor_debt_service, m.cfads, m.sweep_on * (1 - m.draw_flag),
                 m.i.cash_sweep_share)


@row("Senior debt prepayment (cash sweep)", "EUR", S, total=True)
def senior_prepayment(m):
    """Prepaid to date - previous."""
    return m.senior_prepaid - lag(m.senior_prepaid)


@row("Senior debt after the cash sweep", "EUR", S)
def senior_balance_swept(m):
    """max(0, scheduled senior balance - prepaid to date)."""
    return _open_balance(m.senior_balance, m.senior_prepaid)


@row("Senior interest saved by the sweep", "EUR", S, total=True)
def senior_interest_saved(m):
    """Senior rate x (previous scheduled balance - previous balance after the sweep), after completion."""
    return m.senior_rate * (lag(m.senior_balance) - lag(m.senior_balance_swept)) * (1 - m.draw_flag)


@row("Senior principal moved by the sweep", "EUR", S, total=True)
def senior_principal_moved(m):
    """Principal after the sweep - scheduled principal: the prepayment, later minus the instalments it cancelled."""
    return (lag(m.senior_balance_swept) - m.senior_balance_swept) - (lag(m.senior_balance) - m.senior_balance)


@row("Interest paid after the sweep, all tranches", "EUR", S, total=True)
def debt_interest(m):
    """Scheduled interest paid - senior interest saved by the sweep."""
    return m.debt_interest_scheduled - m.senior_interest_saved


@row("Principal repaid after the sweep, all tranches", "EUR", S, total=True)
def debt_principal(m):
    """Scheduled principal + principal moved by the sweep."""
    return m.debt_principal_scheduled + m.senior_principal_moved


@row("Debt service after the sweep, all tranches", "EUR", S, total=True)
def debt_service(m):
    """Interest paid + principal repaid, after the sweep."""
    return m.debt_interest + m.debt_principal


@row("Debt outstanding", "EUR", S)
def debt_balance(m):
    """Scheduled debt outstanding - (scheduled senior balance - senior balance after the sweep)."""
    return m.debt_balance_scheduled - (m.senior_balance - m.senior_balance_swept)

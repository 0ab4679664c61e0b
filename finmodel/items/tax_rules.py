"""French corporate tax, assessed once a year and paid in instalments [EUR]: a line-item factory.

Each phase is taxed on its own (a project company per site, an
assumption; the group could offset losses). Tax is assessed on the
calendar year's profit in December (and in the horizon's last month).
It is paid as French companies pay it (CGI art. 1668): during year N,
quarterly advance payments of ``tax_instalment_share`` of year N-1's tax
(every ``tax_instalment_interval_months``: March, June, September,
December), and in ``tax_balance_month`` of year N+1 (May) the balance of
year N's tax less year N's instalments (a refund when negative). What is
still owed in the horizon's last month is paid then. Simplification: each
instalment is on the last assessed year's tax (in fact the March one is on
year N-2's until the return is filed, then regularised in June). Two French
rules of the assessment are inputs:

- net financial expense is deductible up to the greater of
  ``interest_cap_floor_eur`` and ``interest_cap_share`` x tax EBITDA (taken
  as EBITDA); the excess is carried forward without time limit and
  deducted in a later year within that year's spare cap (CGI art. 212 bis;
  the five-year carry-forward of unused cap is not modelled);
- losses carry forward without time limit, but a year's use of them is
  capped at ``loss_cap_threshold_eur`` plus ``loss_cap_share`` of the
  profit above it.

The same rules give the project's (unlevered) tax, with no financial
expense, and the company's (levered) tax after interest and fees.
"""

from finmodel.expr import carry, lag, maximum, minimum, ytd
from finmodel.registry import row


def loss_use_cap(profit, threshold, share):
    """Most loss a year's profit can absorb [EUR]: min(P+, threshold) + share x (P+ - threshold)+."""
    positive = maximum(profit, 0)
    return minimum(positive, threshold) + share * maximum(positive - threshold, 0)


def register_tax(prefix: str, section: str, tax_name: str, tax_label: str, fin_expense_ytd: str | None) -> None:
    """Register the rows from the year's profit to the tax assessed (``tax_name``) and paid (``<prefix>_tax_paid``).

    ``fin_expense_ytd``: the deductible-before-cap row, if any.
    """

    def interest_cap(m):
        return maximum(m.i.interest_cap_floor_eur, m.i.interest_cap_share * m.ebitda_ytd)

    def deductible(m):
        return minimum(getattr(m, fin_expense_ytd), getattr(m, f"{prefix}_interest_cap"))

    def carried(m):
        def step(pool, expense, cap, year_end):
            return pool + year_end * (maximum(expense - cap, 0) - minimum(pool, maximum(cap - expense, 0)))

        return carry(step, getattr(m, fin_expense_ytd), getattr(m, f"{prefix}_interest_cap"), m.t.year_end)

    def carried_used(m):
        spare = maximum(getattr(m, f"{prefix}_interest_cap") - getattr(m, fin_expense_ytd), 0)
        return m.t.year_end * minimum(lag(getattr(m, f"{prefix}_interest_carried")), spare)

    def profit(m):
        if fin_expense_ytd is None:
            return m.t.year_end * m.ebit_ytd
        deducted = getattr(m, f"{prefix}_interest_deductible") + getattr(m, f"{prefix}_interest_carried_used")
        return m.t.year_end * (m.ebit_ytd - deducted)

    def loss_pool(m):
        def step(pool, p, threshold, share):
            return pool + maximum(-p, 0) - minimum(pool, loss_use_cap(p, threshold, share))

        return carry(step, getattr(m, f"{prefix}_profit"), m.i.loss_cap_threshold_eur, m.i.loss_cap_share)

    def loss_used(m):
        cap = loss_use_cap(getattr(m, f"{prefix}_profit"), m.i.loss_cap_threshold_eur, m.i.loss_cap_share)
        return minimum(lag(getattr(m, f"{prefix}_loss_pool")), cap)

    def taxable(m):
        return maximum(getattr(m, f"{prefix}_profit"), 0) - getattr(m, f"{prefix}_loss_used")

    def tax(m):
        return m.i.corporate_tax_rate * getattr(m, f"{prefix}_taxable")

    def last_year(m):
        def step(prev, assessed, year_end):
            return year_end * assessed + (1 - year_end) * prev

        return carry(step, getattr(m, tax_name), m.t.year_end)

    def instalment(m):
        return m.t.tax_instalment_month * m.i.tax_instalment_share * lag(getattr(m, f"{prefix}_tax_last_year"))

    def instalments_ytd(m):
        return ytd(getattr(m, f"{prefix}_tax_instalment"), m.t.year_start)

    def payable(m):
        def step(prev, assessed, paid_ahead, earlier_this_year, balance_month, last):
            return (prev + assessed - paid_ahead - balance_month * (prev + earlier_this_year)) * (1 - last)

        inst = getattr(m, f"{prefix}_tax_instalment")
        return carry(step, getattr(m, tax_name), inst, getattr(m, f"{prefix}_tax_instalments_ytd") - inst,
                     m.t.tax_balance_month, m.t.last_period)

    def paid(m):
        payable_row = getattr(m, f"{prefix}_tax_payable")
        return lag(payable_row) + getattr(m, tax_name) - payable_row

    steps = [
        (interest_cap, f"{prefix}_interest_cap", "Interest deduction cap, year to date",
         "max(interest_cap_floor_eur, interest_cap_share x EBITDA to date).", False),
        (deductible, f"{prefix}_interest_deductible", "Deductible financial expense, year to date",
         "The lesser of financial expense to date and the cap.", False),
        (carried, f"{prefix}_interest_carried", "Financial expense carried forward",
         "At year end: previous + the year's expense above the cap - what the year's spare cap absorbs.", False),
        (carried_used, f"{prefix}_interest_carried_used", "Carried-forward financial expense deducted",
         "At year end: the lesser of last month's carried expense and the cap left after the year's own expense.", False),
        (profit, f"{prefix}_profit", "Profit of the year before losses (at year end)",
         "In the fiscal year-end month: EBIT to date" + ("" if fin_expense_ytd is None else " less deductible and carried-forward financial expense") + "; else 0.", False),
        (loss_pool, f"{prefix}_loss_pool", "Tax losses carried forward",
         "Previous pool + the year's loss - the loss used (at most the cap of the year's profit).", False),
        (loss_used, f"{prefix}_loss_used", "Tax losses used",
         "The lesser of last month's pool and min(profit, loss_cap_threshold_eur) + loss_cap_share x profit above it.", False),
        (taxable, f"{prefix}_taxable", "Taxable profit", "Profit of the year (if positive) less losses used.", True),
        (tax, tax_name, tax_label, "corporate_tax_rate x taxable profit (assessed at year end).", True),
        (last_year, f"{prefix}_tax_last_year", "Tax of the last assessed year",
         "The tax assessed at the latest fiscal year end (the base of the next instalments).", False),
        (instalment, f"{prefix}_tax_instalment", "Corporate tax instalment (advance payment)",
         "In instalment months: tax_instalment_share x last month's 'tax of the last assessed year' (CGI art. 1668).", True),
        (instalments_ytd, f"{prefix}_tax_instalments_ytd", "Corporate tax instalments, year to date",
         "Instalments paid since January.", False),
        (payable, f"{prefix}_tax_payable", "Corporate tax payable (negative: paid ahead)",
         "Previous + tax assessed - instalments - in the balancing month the balance of last year's tax "
         "(previous + this year's earlier instalments); 0 in the last month (all settled).", False),
        (paid, f"{prefix}_tax_paid", "Corporate tax paid" + (" (project, unlevered)" if fin_expense_ytd is None else " (company)"),
         "Previous payable + tax assessed - payable: the instalments, the balancing payment (or refund), and in the last month what is owed.", True),
    ]
    if fin_expense_ytd is None:
        steps = steps[4:]
    for fn, name, label, doc, show in steps:
        fn.__name__ = name
        fn.__doc__ = doc
        row(label, "EUR", section, total=show)(fn)

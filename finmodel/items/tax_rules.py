"""French corporate tax, assessed once a year [EUR]: a line-item factory.

Each phase is taxed on its own (a project company per site, an
assumption; the group could offset losses). Tax is assessed on the
calendar year's profit in December (and in the horizon's last month) and
paid that month. Two French rules are inputs:

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

from finmodel.expr import carry, lag, maximum, minimum
from finmodel.registry import row


def loss_use_cap(profit, threshold, share):
    """Most loss a year's profit can absorb [EUR]: min(P+, threshold) + share x (P+ - threshold)+."""
    positive = maximum(profit, 0)
    return minimum(positive, threshold) + share * maximum(positive - threshold, 0)


def register_tax(prefix: str, section: str, tax_name: str, tax_label: str, fin_expense_ytd: str | None) -> None:
    """Register the rows from the year's profit to tax paid; ``fin_expense_ytd`` the deductible-before-cap row, if any."""

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
        (tax, tax_name, tax_label, "corporate_tax_rate x taxable profit.", True),
    ]
    if fin_expense_ytd is None:
        steps = steps[4:]
    for fn, name, label, doc, show in steps:
        fn.__name__ = name
        fn.__doc__ = doc
        row(label, "EUR", section, total=show)(fn)

"""Tax, free cash flow and returns: NPV, IRR and payback.

Tax: French rules, once a year, each phase on its own (see
:mod:`finmodel.items.tax_rules`); the project's tax has no financial
expense (unlevered), the company's levered tax is in the financing items.
"""

from finmodel.expr import cumsum, ge, irr, lag, lt, row_max, sumproduct, total, ytd
from finmodel.items.tax_rules import register_tax
from finmodel.registry import row, scalar

S = "Tax and cash flow"
R = "Returns"


@row("EBITDA", "EUR", S, total=True)
def ebitda(m):
    """Revenue less opex."""
    return m.revenue - m.opex_total


@row("EBIT", "EUR", S, total=True)
def ebit(m):
    """EBITDA less depreciation."""
    return m.ebitda - m.depreciation


@row("EBITDA, year to date", "EUR", S)
def ebitda_ytd(m):
    """EBITDA since January (tax EBITDA for the interest cap)."""
    return ytd(m.ebitda, m.t.year_start)


@row("EBIT, year to date", "EUR", S)
def ebit_ytd(m):
    """EBIT since January."""
    return ytd(m.ebit, m.t.year_start)


register_tax("project", S, "tax", "Corporate tax (project, unlevered)", None)


@row("Residual value", "EUR", S, total=True)
def residual_value(m):
    """Book value of fixed assets, counted as an inflow in the last month (assumption: sold at book value)."""
    return m.t.last_period * m.book_value


@row("Trade receivables", "EUR", S)
def receivables(m):
    """Revenue x receivables_days x 12 / days_per_year: this month's revenue not yet collected."""
    return m.revenue * m.i.receivables_days * m.i.months_per_year / m.i.days_per_year


@row("Trade payables", "EUR", S)
def payables(m):
    """Opex x payables_days x 12 / days_per_year: this month's opex not yet paid."""
    return m.opex_total * m.i.payables_days * m.i.months_per_year / m.i.days_per_year


@row("Working capital other than receivables", "EUR", S)
def wc_other(m):
    """working_capital_months x this month's opex - payables - prepayments not yet earned, released in the last month.

    Prepayments still unearned at the horizon's end are handed back then (the
    hours are not served within the horizon).
    """
    return (m.i.working_capital_months * m.opex_total - m.payables - m.deferred_revenue) * (1 - m.t.last_period)


@row("Increase in working capital other than receivables", "EUR", S, total=True)
def wc_other_change(m):
    """Change in working capital other than receivables from the previous month."""
    return m.wc_other - lag(m.wc_other)


@row("Working capital (cash held + receivables - payables - contract prepayments)", "EUR", S)
def working_capital(m):
    """Working capital other than receivables + receivables, all released in the last month."""
    return m.wc_other + m.receivables * (1 - m.t.last_period)


@row("Increase in working capital", "EUR", S, total=True)
def wc_change(m):
    """Change in working capital from the previous month."""
    return m.working_capital - lag(m.working_capital)


@row("Free cash flow", "EUR", S, total=True)
def fcf(m):
    """EBITDA - tax paid - capex + residual value - increase in working capital."""
    return m.ebitda - m.project_tax_paid - m.capex_total + m.residual_value - m.wc_change


@row("Cumulative free cash flow", "EUR", S, consolidate="recompute")
def fcf_cum(m):
    """Running total of free cash flow."""
    return cumsum(m.fcf)


@row("Capex spent to date", "EUR", S)
def capex_cum(m):
    """Running total of capex."""
    return cumsum(m.capex_total)


@row("Months since first capex", "month", S, consolidate="recompute")
def months_since_start(m):
    """Months since the first capex, 1 in its month."""
    return cumsum(lt(0, m.capex_cum))


@row("Payback month marker", "month", S, consolidate="recompute")
def payback_marker(m):
    """Months since first capex in a month where cumulative FCF turns non-negative, else 0."""
    return ge(m.fcf_cum, 0) * lt(lag(m.fcf_cum), 0) * m.months_since_start


@scalar("NPV at the discount rate", "EUR", R)
def npv(m):
    """Sum of free cash flow x discount factor (valued at model start)."""
    return sumproduct(m.fcf, m.t.discount_factor)


@scalar("IRR guess (monthly)", "1/month", R)
def irr_guess_monthly(m):
    """irr_guess converted to a monthly rate."""
    return (1 + m.i.irr_guess) ** (1 / m.i.months_per_year) - 1


@scalar("IRR (monthly)", "1/month", R)
def irr_monthly(m):
    """Monthly rate at which the free cash flow's NPV is zero, from the guess."""
    return irr(m.fcf, m.irr_guess_monthly)


@scalar("IRR", "1/yr", R)
def irr_annual(m):
    """(1 + monthly IRR) ^ 12 - 1."""
    return (1 + m.irr_monthly) ** m.i.months_per_year - 1


@scalar("Payback flag (1: paid back in the horizon)", "flag", R)
def payback_found(m):
    """1 when cumulative free cash flow ends the horizon non-negative."""
    return ge(total(m.fcf), 0)


@scalar("Payback from first capex", "yr", R)
def payback_years(m):
    """Years from the first capex to the last month cumulative FCF turns non-negative; 0 when none in the
    horizon (payback_found = 0; the workbook shows "none in horizon")."""
    return row_max(m.payback_marker) / m.i.months_per_year * m.payback_found

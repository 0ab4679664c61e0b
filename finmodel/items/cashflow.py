"""Tax, free cash flow and returns: NPV, IRR and payback.

Tax: each phase is taxed on its own (a project company per site, an
assumption; the group could offset losses). Losses carry forward without
limit, so tax paid to date = rate x the running maximum of cumulative EBIT
and 0. (The French cap on yearly loss use belongs to the financing module.)
"""

from finmodel.expr import ge, irr, lag, lt, row_max, running_max0, safe_divide, sumproduct, total, cumsum
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


@row("Cumulative EBIT", "EUR", S)
def ebit_cum(m):
    """Running total of EBIT."""
    return cumsum(m.ebit)


@row("Taxable profit to date (after losses carried forward)", "EUR", S)
def taxable_cum(m):
    """Running maximum of cumulative EBIT and 0."""
    return running_max0(m.ebit_cum)


@row("Corporate tax", "EUR", S, total=True)
def tax(m):
    """corporate_tax_rate x this month's increase in taxable profit to date."""
    return m.i.corporate_tax_rate * (m.taxable_cum - lag(m.taxable_cum))


@row("Residual value", "EUR", S, total=True)
def residual_value(m):
    """Book value of fixed assets, counted as an inflow in the last month (assumption: sold at book value)."""
    return m.t.last_period * m.book_value


@row("Free cash flow", "EUR", S, total=True)
def fcf(m):
    """EBITDA - tax - capex + residual value."""
    return m.ebitda - m.tax - m.capex_total + m.residual_value


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


@scalar("Payback from first capex", "yr", R)
def payback_years(m):
    """Years from the first capex to the last month cumulative FCF turns non-negative; error if it ends negative."""
    return safe_divide(row_max(m.payback_marker) / m.i.months_per_year, ge(total(m.fcf), 0))

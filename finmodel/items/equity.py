"""The company's tax, the cash waterfall and equity returns [EUR].

Each month: operating cash flow -> levered tax -> capex (funded by draws
and grants) -> fees, interest and principal -> debt service reserve ->
shareholder loan -> dividends. A shortfall is paid in by equity
(construction, GPU refresh), ``shareholder_loan_share`` of it as a
shareholder loan and the rest as share capital; debt service that the
month's cash flow cannot meet is paid first from the debt service reserve,
then from cash held, then by equity (an equity cure, flagged and counted).
A surplus is locked up in the company after a failed covenant test
(:mod:`finmodel.items.covenants`) or, with debt, before completion.
Otherwise it pays the shareholder loan's rolled-up interest and principal
first, then dividends, which French law allows only out of distributable
profit (Code de commerce art. L232-11; monthly dividends read as interim
dividends on interim accounts, art. L232-12): retained earnings after the
dividend stay >= 0. What neither can take stays in the company as cash and
pays later shortfalls. In the last month the company is wound up: no
lock-up, everything left is paid out (liquidation surplus).

Simplifications: the legal reserve (art. L232-10) is not set aside; the
shareholder loan's interest is a financial expense but is not deducted for
tax (conservative: related-party interest is deductible only up to the
rate of CGI art. 39-1-3 and within the thin-capitalisation limits of
art. 212, which a loan of most of the equity exceeds; and the deduction
would make the tax depend on the waterfall it comes before).
"""

from finmodel.expr import (
    F, at_max, carry, carry_together, cumsum, eq, irr, lag, lt, maximum, minimum, row_max, safe_divide, sumproduct,
    total, ytd,
)
from finmodel.items.debt import over_tranches
from finmodel.items.tax_rules import register_tax
from finmodel.registry import row, scalar

S = "Cash waterfall and equity"
R = "Equity returns and cover ratios"


@row("Grants received", "EUR", S, total=True)
def grants(m):
    """grant_share x building works capex while drawing."""
    return m.i.grant_share * m.capex_works * m.draw_flag


@row("Financial expense on debt (interest, IDC, fees)", "EUR", S, total=True)
def financial_expense(m):
    """Interest during construction + interest paid + upfront fees."""
    return m.debt_idc + m.debt_interest + m.debt_fees


@row("Financial expense, year to date", "EUR", S)
def fin_expense_ytd(m):
    """Financial expense since January."""
    return ytd(m.financial_expense, m.t.year_start)


register_tax("levered", S, "tax_levered", "Corporate tax (company, after interest)", "fin_expense_ytd")


@scalar("Debt commitments", "EUR", R, consolidate="sum")
def debt_commitment(m):
    """Sum of the tranches' commitments."""
    return over_tranches(lambda n: getattr(m, f"{n}_commitment"))


@row("Lock-up flag", "flag", R, consolidate=None)
def lock_up(m):
    """No distributions: from a failed covenant test to the next test date, or before completion when there is debt; never in the last month."""
    drawing_with_debt = m.draw_flag * lt(0, m.debt_commitment)
    return (1 - (1 - m.covenant_locked) * (1 - drawing_with_debt)) * (1 - m.t.last_period)


@row("First repayment marker", "flag", S, consolidate=None)
def first_repay_marker(m):
    """1 in the first month after completion."""
    return eq(m.months_after, 1)


@scalar("First month's debt service", "EUR", S, consolidate=None)
def first_debt_service(m):
    """Debt service in the first month after completion."""
    return sumproduct(m.debt_service, m.first_repay_marker)


@row("Debt service reserve target", "EUR", S)
def dsra_target(m):
    """dsra_months x this month's debt service (the first month's at completion: funded before repayments start)."""
    return m.i.dsra_months * (m.debt_service * m.has_debt_service + m.first_debt_service * m.completion_marker)


@row("Cash flow before reserve and equity", "EUR", S, total=True)
def cash_before_reserve(m):
    """EBITDA - levered tax paid - capex + residual value - working capital increase + draws + grants - fees - interest - principal."""
    return (m.ebitda - m.levered_tax_paid - m.capex_total + m.residual_value - m.wc_change + m.debt_draws + m.grants
            - m.debt_fees - m.debt_interest - m.debt_principal)


@row("Operating cash flow for debt service (company)", "EUR", S, total=True)
def cash_for_debt_service(m):
    """EBITDA - levered tax paid - increase in working capital: what pays debt service before reserve and equity."""
    return m.ebitda - m.levered_tax_paid - m.wc_change


def _reserve_draw(prev, operating, service, serviced):
    """What the reserve pays: the debt service operations do not cover, at most the reserve [EUR]."""
    return serviced * minimum(prev, maximum(service - operating, 0))


@row("Debt service reserve account", "EUR", S)
def dsra(m):
    """Up to completion: the target (funded with the construction). Then: drawn first for debt service that
    operations do not cover, topped up from the month's surplus cash to the target, released above it."""
    def step(prev, target, flow, operating, service, serviced, drawing):
        after = minimum(target, prev + maximum(flow, 0) - _reserve_draw(prev, operating, service, serviced))
        return drawing * target + (1 - drawing) * after

    return carry(step, m.dsra_target, m.cash_before_reserve, m.cash_for_debt_service, m.debt_service,
                 m.has_debt_service, m.draw_flag)


@row("Debt service reserve drawn", "EUR", S, total=True)
def dsra_draw(m):
    """After completion: the debt service that operations do not cover, at most the previous reserve."""
    return (1 - m.draw_flag) * _reserve_draw(lag(m.dsra), m.cash_for_debt_service, m.debt_service, m.has_debt_service)


@row("Increase in debt service reserve", "EUR", S, total=True)
def dsra_change(m):
    """Change in the reserve from the previous month."""
    return m.dsra - lag(m.dsra)


@row("Cash flow before equity", "EUR", S, total=True)
def cash_before_equity(m):
    """Cash flow before reserve and equity - reserve increase."""
    return m.cash_before_reserve - m.dsra_change


@row("Net income before shareholder-loan interest", "EUR", S, total=True)
def net_income_before_shl(m):
    """EBIT - financial expense (bank) - levered tax."""
    return m.ebit - m.financial_expense - m.tax_levered


@scalar("Shareholder-loan interest rate", "1/month", S, consolidate=None)
def shl_rate(m):
    """(1 + shareholder_loan_rate) ^ (1/12) - 1."""
    return (1 + m.i.shareholder_loan_rate) ** (1 / m.i.months_per_year) - 1


#: the rows the waterfall steps through together (each reads the others' previous values)
WATERFALL_STATES = ("cash", "shareholder_loan", "retained_earnings")


def _waterfall(m):
    """This month's cash held, shareholder loan and retained earnings [EUR], from last month's.

    Cash available = previous cash + cash flow before equity; a shortfall is paid in by equity (a share
    shareholder_loan_share of it as shareholder loan). Unless locked up, what is available pays the
    shareholder loan (rolled-up interest and principal) first, then dividends up to the distributable
    reserves (retained earnings after the dividend >= 0); the rest stays as cash. In the last month
    (no lock-up) everything left is paid out: the liquidation surplus.
    """
    def step(prev, flow, locked, share, rate, income, last):
        cash0, loan0, reserves0 = prev
        available = cash0 + flow
        free = maximum(available, 0) * (1 - locked)
        # the order of operations of the payment rows below, so that nothing paid gives exactly 0
        owed = loan0 + rate * loan0 + share * maximum(0, -available)
        repaid = minimum(free, owed)
        reserves = reserves0 + income - rate * loan0
        dividend = (1 - last) * minimum(free - repaid, maximum(0, reserves)) + last * (free - repaid)
        return maximum(available, 0) - repaid - dividend, owed - repaid, reserves - dividend

    states = tuple(getattr(m, n) for n in WATERFALL_STATES) if isinstance(m.cash_before_equity, F) else len(WATERFALL_STATES)
    return carry_together(step, states, m.cash_before_equity, m.lock_up, m.i.shareholder_loan_share, m.shl_rate,
                          m.net_income_before_shl, m.t.last_period)


@row("Cash held (locked up or not distributable)", "EUR", S)
def cash(m):
    """Previous cash + cash flow before equity, if positive, less shareholder-loan payments and dividends
    (nothing paid while locked up)."""
    return m.once(_waterfall)[0]


@row("Shareholder loan (with rolled-up interest)", "EUR", S)
def shareholder_loan(m):
    """Previous x (1 + rate) + shareholder-loan share of equity paid in - repayments."""
    return m.once(_waterfall)[1]


@row("Retained earnings", "EUR", S)
def retained_earnings(m):
    """Previous + net income - dividends: dividends never take it below 0 (art. L232-11 Code de commerce),
    except the liquidation surplus in the last month."""
    return m.once(_waterfall)[2]


@row("Equity contributions", "EUR", S, total=True)
def equity_in(m):
    """Shortfall paid in by equity: -(previous cash + cash flow before equity), if positive."""
    return maximum(0, -(lag(m.cash) + m.cash_before_equity))


@row("Share capital paid in", "EUR", S, total=True)
def share_capital_in(m):
    """(1 - shareholder_loan_share) x equity contributions."""
    return (1 - m.i.shareholder_loan_share) * m.equity_in


@row("Shareholder loan drawn", "EUR", S, total=True)
def shl_draws(m):
    """shareholder_loan_share x equity contributions."""
    return m.i.shareholder_loan_share * m.equity_in


@row("Shareholder-loan interest (accrued, rolled up)", "EUR", S, total=True)
def shl_interest(m):
    """Monthly rate x previous shareholder loan (a financial expense, not deducted for tax: see the docs)."""
    return m.shl_rate * lag(m.shareholder_loan)


@row("Shareholder-loan payments", "EUR", S, total=True)
def shl_payment(m):
    """Previous loan + interest + drawn - loan."""
    return lag(m.shareholder_loan) + m.shl_interest + m.shl_draws - m.shareholder_loan


@row("Shareholder-loan interest not yet paid", "EUR", S)
def shl_interest_unpaid(m):
    """Previous + interest - payments, at least 0: payments go to interest first."""
    def step(prev, interest, paid):
        return maximum(0, prev + interest - paid)

    return carry(step, m.shl_interest, m.shl_payment)


@row("Shareholder-loan interest paid", "EUR", S, total=True)
def shl_interest_paid(m):
    """Previous unpaid interest + interest - unpaid interest."""
    return lag(m.shl_interest_unpaid) + m.shl_interest - m.shl_interest_unpaid


@row("Shareholder-loan principal repaid", "EUR", S, total=True)
def shl_principal_repaid(m):
    """Payments - interest paid."""
    return m.shl_payment - m.shl_interest_paid


@row("Equity cure of debt service", "EUR", S, total=True)
def equity_cure(m):
    """Equity paid in for debt service that operations, the reserve drawn and cash held do not cover."""
    covered = m.cash_for_debt_service + m.dsra_draw + lag(m.cash)
    return (1 - m.draw_flag) * m.has_debt_service * minimum(m.equity_in, maximum(0, m.debt_service - maximum(0, covered)))


@row("Equity cure flag", "flag", S, consolidate=None)
def equity_cure_flag(m):
    """1 in a month when equity cures debt service."""
    return lt(0, m.equity_cure)


@row("Dividends (distributions to equity)", "EUR", S, total=True)
def distributions(m):
    """Previous retained earnings + net income before shareholder-loan interest - that interest - retained earnings."""
    return lag(m.retained_earnings) + m.net_income_before_shl - m.shl_interest - m.retained_earnings


@row("Dividends while retained earnings are negative", "EUR", S, total=True)
def distributions_unlawful(m):
    """Dividends in a month that ends with negative retained earnings, except the last (liquidation): 0 by construction."""
    return m.distributions * lt(m.retained_earnings, 0) * (1 - m.t.last_period)


@row("Equity cash flow", "EUR", S, total=True)
def equity_cash_flow(m):
    """Dividends + shareholder-loan payments - contributions (share capital and shareholder loan)."""
    return m.distributions + m.shl_payment - m.equity_in


@row("Equity and grants outstanding", "EUR", S)
def equity_grants_outstanding(m):
    """Running total of equity contributions - dividends - shareholder-loan payments + grants."""
    return cumsum(m.equity_in - m.distributions - m.shl_payment + m.grants)


@row("Funding outstanding (debt, equity and grants)", "EUR", S)
def funding_outstanding(m):
    """Debt outstanding + equity and grants outstanding."""
    return m.debt_balance + m.equity_grants_outstanding


@scalar("Peak funding need", "EUR", R)
def peak_funding(m):
    """Largest funding outstanding over the horizon."""
    return row_max(m.funding_outstanding)


@scalar("Month of peak funding need", "date", R)
def peak_funding_month(m):
    """Period start of the month where funding outstanding is largest."""
    return at_max(m.funding_outstanding, m.t.period_start)


@scalar("Equity NPV at the cost of equity", "EUR", R)
def equity_npv(m):
    """Sum of equity cash flow x equity discount factor."""
    return sumproduct(m.equity_cash_flow, m.t.equity_discount_factor)


@scalar("Equity IRR (monthly)", "1/month", R)
def equity_irr_monthly(m):
    """Monthly rate at which the equity cash flow's NPV is zero. Guess: the project's monthly IRR, twice it
    when it is negative and there is debt (debt that costs more than the project earns deepens the equity's
    loss; LibreOffice's IRR() finds no root from the project's IRR on merchant Grand Est)."""
    return irr(m.equity_cash_flow, m.irr_monthly + m.has_debt * minimum(0, m.irr_monthly))


@scalar("Equity IRR", "1/yr", R)
def equity_irr(m):
    """(1 + monthly equity IRR) ^ 12 - 1."""
    return (1 + m.equity_irr_monthly) ** m.i.months_per_year - 1


@scalar("Months with an equity cure", "month", R, consolidate="sum")
def equity_cure_months(m):
    """Months in which equity cures debt service (total: summed over the phases)."""
    return total(m.equity_cure_flag)


@scalar("Debt at completion", "EUR", R, consolidate=None)
def debt_at_completion(m):
    """Debt outstanding in the month of full service."""
    return sumproduct(m.debt_balance, m.completion_marker)


@scalar("Average debt rate", "1/month", R, consolidate=None)
def debt_rate(m):
    """Tranche rates weighted by their balance at completion; 0 without debt."""
    weighted = over_tranches(lambda n: getattr(m, f"{n}_rate") * getattr(m, f"{n}_at_completion"))
    return weighted / (m.debt_at_completion + eq(m.debt_at_completion, 0))


@row("Loan life discount factor", "-", R, consolidate=None)
def llcr_discount(m):
    """(1 + average debt rate) ^ -k after completion and while debt is outstanding, else 0."""
    return lt(0, m.months_after) * lt(0, lag(m.debt_balance)) * (1 + m.debt_rate) ** -m.months_after


@scalar("LLCR at completion", "-", R, consolidate=None)
def llcr(m):
    """PV of CFADS over the loan life at the average debt rate / debt at completion; dscr_cap without debt."""
    has = lt(0, m.debt_at_completion)
    return sumproduct(m.cfads, m.llcr_discount) / (m.debt_at_completion + 1 - has) * has + (1 - has) * m.i.dscr_cap


@scalar("Debt cost x commitment", "EUR/yr", R, consolidate="sum")
def debt_cost_weighted(m):
    """Sum over tranches of commitment x (base_rate + margin) a year (annualised from the monthly rate)."""
    return over_tranches(lambda n: getattr(m, f"{n}_commitment") * ((1 + getattr(m, f"{n}_rate")) ** m.i.months_per_year - 1))


@scalar("Equity paid in while drawing", "EUR", R, consolidate="sum")
def equity_construction(m):
    """Equity contributions up to completion."""
    return sumproduct(m.equity_in, m.draw_flag)


@scalar("WACC implied by the structure", "1/yr", R)
def wacc(m):
    """(equity x cost_of_equity + debt commitments x rate x (1 - tax rate)) / (equity + debt), weights at construction."""
    return safe_divide(m.equity_construction * m.i.cost_of_equity + m.debt_cost_weighted * (1 - m.i.corporate_tax_rate),
                       m.equity_construction + m.debt_commitment)

"""Three financial statements, monthly [EUR]; annual roll-ups are in Results and the Statements sheet.

Simplifications, each stated where it is made: interest during construction
is added to the loan balance and expensed (not added to fixed assets);
upfront fees are expensed when paid; grants are booked in equity (French
GAAP "subventions d'investissement", not amortised); tax is expensed when
assessed at year end and paid in instalments (the difference is tax
payable, negative when instalments run ahead); fixed assets are sold at book value
in the last month (no gain). Retained earnings and the shareholder loan are
stepped through with the cash waterfall (:mod:`finmodel.items.equity`).
"""

from finmodel.expr import cumsum, lag
from finmodel.registry import row

IS = "Income statement"
BS = "Balance sheet"
CF = "Cash-flow statement"


@row("Net income", "EUR", IS, total=True)
def net_income(m):
    """Net income before shareholder-loan interest - that interest."""
    return m.net_income_before_shl - m.shl_interest


@row("Fixed assets, net", "EUR", BS)
def fixed_assets(m):
    """Book value of fixed assets; 0 in the last month (sold at book value)."""
    return m.book_value * (1 - m.t.last_period)


@row("Total assets", "EUR", BS)
def total_assets(m):
    """Fixed assets + working capital + debt service reserve + cash."""
    return m.fixed_assets + m.working_capital + m.dsra + m.cash


@row("Share capital", "EUR", BS)
def share_capital(m):
    """Running total of share capital paid in."""
    return cumsum(m.share_capital_in)


@row("Grants (in equity)", "EUR", BS)
def grants_equity(m):
    """Running total of grants received."""
    return cumsum(m.grants)


@row("Total liabilities and equity", "EUR", BS)
def total_liabilities_equity(m):
    """Debt outstanding + tax payable + shareholder loan + share capital + grants + retained earnings."""
    return (m.debt_balance + m.levered_tax_payable + m.shareholder_loan + m.share_capital + m.grants_equity
            + m.retained_earnings)


@row("Balance check (assets - liabilities - equity)", "EUR", BS)
def balance_check(m):
    """Total assets - total liabilities and equity: 0 in every month."""
    return m.total_assets - m.total_liabilities_equity


@row("Cash flow from operations", "EUR", CF, total=True)
def cf_operations(m):
    """EBITDA - levered tax paid - increase in working capital."""
    return m.ebitda - m.levered_tax_paid - m.wc_change


@row("Cash flow from investing", "EUR", CF, total=True)
def cf_investing(m):
    """-capex + residual value (sale at book value)."""
    return m.residual_value - m.capex_total


@row("Cash flow from financing", "EUR", CF, total=True)
def cf_financing(m):
    """Draws + grants + equity contributions - dividends - shareholder-loan payments - principal - interest paid - fees
    - reserve increase."""
    return (m.debt_draws + m.grants + m.equity_in - m.distributions - m.shl_payment - m.debt_principal - m.debt_interest
            - m.debt_fees - m.dsra_change)


@row("Net change in cash", "EUR", CF, total=True)
def cf_net(m):
    """Operations + investing + financing."""
    return m.cf_operations + m.cf_investing + m.cf_financing


@row("Cash check (net change - change in cash)", "EUR", CF)
def cash_check(m):
    """Net change in cash - (cash - previous cash): 0 in every month."""
    return m.cf_net - (m.cash - lag(m.cash))

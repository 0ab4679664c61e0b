"""Tables over the financing line items: sources and uses, the debt schedule, the three statements.

Each table is declared once here and rendered twice: as DataFrames by
:class:`finmodel.results.Results` and as live formulas by the workbook's
Sources & Uses, Debt and Statements sheets. Sources and uses cover the
construction period (the drawdown flag: up to the month of full service);
the whole horizon, with the GPU refreshes and how they were paid for, is a
set of line items (:mod:`finmodel.items.sources_uses`);
annual statements sum flows over calendar years and take balances at the
year's last month.
"""

from __future__ import annotations

from finmodel.items.debt import TRANCHES

#: uses during construction: (label, rows summed over the drawdown months)
USES = (
    ("GPU servers", ("capex_gpu_initial", "capex_gpu_refresh")),
    ("Networking and storage", ("capex_network_storage",)),
    ("Building shell", ("capex_shell",)),
    ("Electrical plant", ("capex_electrical",)),
    ("Cooling plant", ("capex_cooling",)),
    ("Heat-reuse plant", ("capex_heat_reuse",)),
    ("Grid connection", ("capex_grid",)),
    ("Site remediation", ("capex_remediation",)),
    ("Interest during construction", ("debt_idc",)),
    ("Financing fees", ("debt_fees",)),
    ("Debt service during construction (GPU loans of a stage in service)", ("debt_interest", "debt_principal")),
    ("Debt service reserve funding", ("dsra_change",)),
    ("Working capital", ("wc_change",)),
    ("Tax paid during construction", ("levered_tax_paid",)),
    ("Shareholder-loan payments, dividends and cash held at completion", ("shl_payment", "distributions", "cash")),
)

#: sources during construction: (label, rows summed over the drawdown months)
SOURCES = (
    ("Equity: share capital", ("share_capital_in",)),
    ("Equity: shareholder loan", ("shl_draws",)),
    *((f"{label} (with capitalised interest)", (f"{n}_draws", f"{n}_idc")) for n, label, _ in TRANCHES),
    ("Public grants", ("grants",)),
    ("EBITDA during construction (first stage in service)", ("ebitda",)),
)

#: rows whose monthly change (not value) is summed: balances in USES/SOURCES
BALANCE_ROWS = ("cash",)

#: the statements: (statement, row, kind) with kind "flow" (summed by year) or "balance" (year-end value)
STATEMENTS = (
    ("Income statement", "revenue", "flow"),
    ("Income statement", "opex_total", "flow"),
    ("Income statement", "ebitda", "flow"),
    ("Income statement", "depreciation", "flow"),
    ("Income statement", "ebit", "flow"),
    ("Income statement", "financial_expense", "flow"),
    ("Income statement", "shl_interest", "flow"),
    ("Income statement", "tax_levered", "flow"),
    ("Income statement", "net_income", "flow"),
    ("Balance sheet", "fixed_assets", "balance"),
    ("Balance sheet", "working_capital", "balance"),
    ("Balance sheet", "dsra", "balance"),
    ("Balance sheet", "cash", "balance"),
    ("Balance sheet", "total_assets", "balance"),
    ("Balance sheet", "debt_balance", "balance"),
    ("Balance sheet", "levered_tax_payable", "balance"),
    ("Balance sheet", "shareholder_loan", "balance"),
    ("Balance sheet", "share_capital", "balance"),
    ("Balance sheet", "grants_equity", "balance"),
    ("Balance sheet", "retained_earnings", "balance"),
    ("Balance sheet", "total_liabilities_equity", "balance"),
    ("Balance sheet", "balance_check", "balance"),
    ("Cash-flow statement", "cf_operations", "flow"),
    ("Cash-flow statement", "cf_investing", "flow"),
    ("Cash-flow statement", "cf_financing", "flow"),
    ("Cash-flow statement", "cf_net", "flow"),
)

#: the debt schedule per tranche: (field, kind)
DEBT_FIELDS = (
    ("draws", "flow"), ("idc", "flow"), ("interest", "flow"), ("principal", "flow"), ("fee", "flow"),
    ("debt_service", "flow"), ("balance", "balance"),
)

"""Phase line items, one module per thing modelled; import order is row order."""

from finmodel.items import (  # noqa: F401
    schedule, capex, colocation, revenue, opex, depreciation, cashflow, levelized, jobs, energy, ratios, debt, covenants, sweep,
    equity, statements, sources_uses,
)

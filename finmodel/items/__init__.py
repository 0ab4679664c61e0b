"""Phase line items, one module per thing modelled; import order is row order."""

from finmodel.items import schedule, capex, revenue, opex, depreciation, cashflow, levelized, jobs, ratios  # noqa: F401

"""Sources and uses of funds over the whole horizon [EUR]: one scalar per line, GPU refreshes included.

Every flow is summed over all months. The company is wound up in the last
month (assets sold at book value, debt and the shareholder loan repaid as
far as cash allows, reserve and working capital released, what is left paid
out), so sources = uses. The construction-period table (to full service) is
in :mod:`finmodel.financing`.
"""

from functools import reduce
from operator import add

from finmodel.expr import total
from finmodel.items.debt import TRANCHES
from finmodel.registry import scalar

S = "Sources and uses over the horizon"

#: uses over the whole horizon: (key, label, rows summed over every month)
HORIZON_USES = (
    ("gpu_initial", "GPU servers, first purchase", ("capex_gpu_initial",)),
    ("gpu_refresh", "GPU servers, refresh", ("capex_gpu_refresh",)),
    ("network_storage", "Networking and storage", ("capex_network_storage",)),
    ("facility", "Facility (shell, electrical, cooling, heat reuse)",
     ("capex_shell", "capex_electrical", "capex_cooling", "capex_heat_reuse")),
    ("grid_site", "Grid connection and site remediation", ("capex_grid", "capex_remediation")),
    ("idc", "Interest during construction (capitalised)", ("debt_idc",)),
    ("fees", "Financing fees", ("debt_fees",)),
    ("interest", "Interest paid", ("debt_interest",)),
    ("principal", "Principal repaid (draws and capitalised interest)", ("debt_principal",)),
    ("tax", "Corporate tax paid", ("levered_tax_paid",)),
    ("reserves", "Debt service reserve and working capital (net: released at the end)", ("dsra_change", "wc_change")),
    ("shl_interest", "Shareholder-loan interest paid", ("shl_interest_paid",)),
    ("shl_principal", "Shareholder-loan principal repaid", ("shl_principal_repaid",)),
    ("dividends", "Dividends (with the liquidation surplus)", ("distributions",)),
)

#: sources over the whole horizon: (key, label, rows summed over every month)
HORIZON_SOURCES = (
    ("share_capital", "Equity paid in: share capital", ("share_capital_in",)),
    ("shareholder_loan", "Equity paid in: shareholder loan", ("shl_draws",)),
    *((n, f"{label} (with capitalised interest)", (f"{n}_draws", f"{n}_idc")) for n, label, _ in TRANCHES),
    ("grants", "Public grants", ("grants",)),
    ("ebitda", "EBITDA", ("ebitda",)),
    ("residual", "Residual value (assets sold at book value)", ("residual_value",)),
)

#: the sides: (side, prefix of the scalars' names, lines)
SIDES = (("Uses", "horizon_use_", HORIZON_USES), ("Sources", "horizon_source_", HORIZON_SOURCES))


def _line(name: str, label: str, rows: tuple[str, ...]) -> None:
    def fn(m):
        return reduce(add, (total(getattr(m, r)) for r in rows))

    fn.__name__ = name
    fn.__doc__ = "Sum over every month of " + " + ".join(rows) + "."
    scalar(label, "EUR", S, consolidate="sum")(fn)


def _total(name: str, label: str, lines: tuple[str, ...]) -> None:
    def fn(m):
        return reduce(add, (getattr(m, n) for n in lines))

    fn.__name__ = name
    fn.__doc__ = f"Sum of the {len(lines)} lines above."
    scalar(label, "EUR", S, consolidate="sum")(fn)


for _side, _prefix, _lines in SIDES:
    for _key, _label, _rows in _lines:
        _line(_prefix + _key, f"{_side}: {_label}", _rows)
    _total(f"horizon_{_side.lower()}", f"Total {_side.lower()} over the horizon", tuple(_prefix + k for k, _, _ in _lines))


@scalar("Sources - uses over the horizon (0 when balanced)", "EUR", S, consolidate="sum")
def horizon_gap(m):
    """Total sources - total uses over the horizon."""
    return m.horizon_sources - m.horizon_uses

"""Colocation: the customer owns the GPUs and leases the facility's IT kW [EUR].

A phase whose ``business_model`` is "colocation" (code 1) buys no GPUs (its
fleet ``gpus1``, ``gpus2`` is 0; the GPUs in its halls are the tenants'), so it has no GPU, refresh or networking
capex, no GPU-hours, no IT support and no GPU loans. It earns rent: leased IT
kW (``colo_occupancy`` x the IT MW built, each stage from its service date) x
``colo_price_eur_per_kw_month`` each month. Each stage signs a lease of
``colo_lease_years`` from its own service start; the rent steps up by
``colo_escalation`` at each lease anniversary. At the end of a term the kW are
re-let on a new lease at the opening rent raised by ``opex_inflation`` over the
years served (the market rent kept its real value), and the escalation starts
again.

Power (``colo_power``): "passed_through" (code 1) means the tenant pays its
metered power at cost, so the operator books neither the electricity cost nor
a matching power revenue (a pass-through at cost earns no margin, and the
lease prices it is compared with are quoted without power); "included" (code
0) means the rent includes power and the operator pays the electricity.
"""

from finmodel.expr import floor
from finmodel.registry import row, scalar

S = "Colocation"


def _renewals(m, online, months):
    """Leases ended so far for a stage in service ``months`` months: 0 during the first lease."""
    return online * floor((months - 1) / (m.i.colo_lease_years * m.i.months_per_year))


def _rent_index(m, online, months, renewals):
    """Rent / opening rent: escalation per whole lease year x inflation over the leases ended."""
    lease_month = months - 1 - renewals * m.i.colo_lease_years * m.i.months_per_year
    lease_year = floor(lease_month / m.i.months_per_year)
    return online * (1 + m.i.colo_escalation) ** lease_year * (1 + m.i.opex_inflation) ** (renewals * m.i.colo_lease_years)


@row("Colocation leases renewed, stage 1", "#", S, consolidate=None)
def colo_renewals1(m):
    """Stage 1 leases ended so far: floor((months in service - 1) / (colo_lease_years x 12))."""
    return _renewals(m, m.online1_flag, m.months1)


@row("Colocation leases renewed, stage 2", "#", S, consolidate=None)
def colo_renewals2(m):
    """Stage 2 leases ended so far."""
    return _renewals(m, m.online2_flag, m.months2)


@row("Colocation rent index, stage 1", "-", S, consolidate=None)
def colo_rent_index1(m):
    """(1 + colo_escalation) ^ whole years into the current lease x (1 + opex_inflation) ^ (renewals x term)."""
    return _rent_index(m, m.online1_flag, m.months1, m.colo_renewals1)


@row("Colocation rent index, stage 2", "-", S, consolidate=None)
def colo_rent_index2(m):
    """As for stage 1, from full service."""
    return _rent_index(m, m.online2_flag, m.months2, m.colo_renewals2)


@scalar("IT capacity leasable at full build-out", "kW", S, consolidate="sum")
def colo_kw_full(m):
    """business_model code (1 for colocation, else 0) x colo_occupancy x IT MW built x 1000."""
    return m.i.business_model * m.i.colo_occupancy * m.it_mw_full * m.i.kw_per_mw


@row("IT capacity leased to colocation tenants", "kW", S)
def colo_leased_kw(m):
    """Leasable kW x each stage's share from its service date."""
    s1 = m.i.stage1_share
    return m.colo_kw_full * (s1 * m.online1_flag + (1 - s1) * m.online2_flag)


@row("Revenue, colocation rent", "EUR", S, total=True)
def revenue_colocation(m):
    """Leasable kW x colo_price_eur_per_kw_month x each stage's share x its rent index (0 before service)."""
    s1 = m.i.stage1_share
    return m.colo_kw_full * m.i.colo_price_eur_per_kw_month * (s1 * m.colo_rent_index1 + (1 - s1) * m.colo_rent_index2)

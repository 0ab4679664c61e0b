"""Operating costs by category and month [EUR]; heat sold is a credit.

Electricity = IT energy x PUE x price, where IT energy counts busy GPUs at
full power (each at its generation's kW) and idle ones at ``idle_power_share`` of it. Maintenance has two
bases: facility maintenance on the building works in service, IT support on
the GPU fleet in service (support contracts and spares, not its replacement,
which is the refresh capex). Each stage's works count as in service from its
own service date. Lines without their own price index (maintenance, IT
support, connectivity, local taxes, SG&A) rise with the opex price index
(``opex_inflation``); staff follow ``wage_escalation``, electricity the power
price curve, insurance the insured (historical) cost. SG&A, sales, support
and platform software are a cost per
MW in service (not a share of revenue, so that the levelized cost and the
break-even price stay costs that do not depend on the price). A colocation
phase (``business_model``) has no GPUs, hence no IT support; its tenants
buy their own connectivity and, with ``colo_power`` "passed_through", pay
their own power; its SG&A is ``colo_sga_eur_per_mw_year``.
"""

from finmodel.expr import cumsum
from finmodel.registry import row

S = "Opex"


@row("IT energy", "MWh", S, total=True)
def it_energy_mwh(m):
    """Hours x (idle share x IT MW in service + (1 - idle share) x IT MW busy): each generation at its own kW per GPU."""
    return m.t.hours_in_month * (m.i.idle_power_share * m.mw_online + (1 - m.i.idle_power_share) * m.mw_busy)


@row("Facility energy", "MWh", S, total=True)
def facility_energy_mwh(m):
    """IT energy x PUE."""
    return m.it_energy_mwh * m.i.pue


@row("Electricity", "EUR", S, total=True)
def opex_electricity(m):
    """Facility energy x power_price_eur_per_mwh x the year's power price index; 0 for colocation
    with power passed through to the tenants (business_model x colo_power = 1)."""
    paid = 1 - m.i.business_model * m.i.colo_power
    return m.facility_energy_mwh * m.i.power_price_eur_per_mwh * m.t.power_price_index * paid


@row("Direct operating staff", "FTE", S)
def staff_fte(m):
    """fte_per_mw x MW in service."""
    return m.i.fte_per_mw * m.mw_online


@row("Staff", "EUR", S, total=True)
def opex_staff(m):
    """FTE x loaded cost per FTE per month x wage index."""
    return m.staff_fte * m.i.loaded_cost_eur_per_fte / m.i.months_per_year * m.t.wage_index


@row("Building works spent on stage 1 to date", "EUR", S)
def works_spent_stage1(m):
    """Running total of building works spent during stage 1's construction."""
    return cumsum(m.capex_works * m.build1_flag)


@row("Building works in service", "EUR", S)
def works_in_service(m):
    """Stage 1's works from stage 1's service date, stage 2's (the rest) from full service."""
    return m.online1_flag * m.works_spent_stage1 + m.online2_flag * (m.works_spent - m.works_spent_stage1)


@row("Gross capex in service", "EUR", S)
def capex_in_service(m):
    """Building works in service plus the current GPU fleet's IT cost."""
    return m.works_in_service + m.it_fleet_cost


@row("Facility maintenance", "EUR", S, total=True)
def opex_facility_maintenance(m):
    """facility_maintenance_rate / 12 x building works in service x opex price index."""
    return m.i.facility_maintenance_rate / m.i.months_per_year * m.works_in_service * m.t.opex_index


@row("IT support and maintenance", "EUR", S, total=True)
def opex_it_support(m):
    """it_support_rate / 12 x IT cost of the GPU fleet in service x opex price index."""
    return m.i.it_support_rate / m.i.months_per_year * m.it_fleet_cost * m.t.opex_index


@row("Insurance", "EUR", S, total=True)
def opex_insurance(m):
    """insurance_rate / 12 x gross capex in service."""
    return m.i.insurance_rate / m.i.months_per_year * m.capex_in_service


@row("Network connectivity", "EUR", S, total=True)
def opex_network(m):
    """network_opex_eur_per_mw_year / 12 x MW in service x opex price index; 0 for colocation (tenants buy their own)."""
    return (1 - m.i.business_model) * m.i.network_opex_eur_per_mw_year / m.i.months_per_year * m.mw_online * m.t.opex_index


@row("Local taxes", "EUR", S, total=True)
def opex_local_tax(m):
    """local_tax_eur_per_mw_year / 12 x MW in service x opex price index."""
    return m.i.local_tax_eur_per_mw_year / m.i.months_per_year * m.mw_online * m.t.opex_index


@row("SG&A, sales, support and platform", "EUR", S, total=True)
def opex_sga(m):
    """sga_eur_per_mw_year (colocation: colo_sga_eur_per_mw_year) / 12 x MW in service x opex price index."""
    rate = (1 - m.i.business_model) * m.i.sga_eur_per_mw_year + m.i.business_model * m.i.colo_sga_eur_per_mw_year
    return rate / m.i.months_per_year * m.mw_online * m.t.opex_index


@row("Heat sold to district heating", "MWh", S, total=True)
def heat_sold_mwh(m):
    """IT energy x recoverable share x share the local network takes."""
    return m.it_energy_mwh * m.i.heat_recoverable_share * m.i.heat_offtake_share


@row("Heat credit", "EUR", S, total=True)
def opex_heat_credit(m):
    """Heat sold x heat price, entered as a negative cost."""
    return -(m.heat_sold_mwh * m.i.heat_price_eur_per_mwh)


@row("Opex, total", "EUR", S, total=True)
def opex_total(m):
    """All operating costs net of the heat credit."""
    return (
        m.opex_electricity + m.opex_staff + m.opex_facility_maintenance + m.opex_it_support + m.opex_insurance
        + m.opex_network + m.opex_local_tax + m.opex_sga + m.opex_heat_credit
    )

"""Capex by category and month [EUR].

GPU servers are priced in USD, at the ``gpu_price_usd`` of the generation
each purchase buys (generations.toml), and converted at ``usd_per_eur``;
networking and storage add ``network_storage_share`` on top. Facility categories are
priced per MW of IT and spread over each stage's construction; grid
connection and brownfield remediation are paid during stage 1's build.
Building works are priced at model start: each month's spend is escalated by
the construction cost index and carries ``works_contingency`` on top.
"""

from finmodel.expr import cumsum, total
from finmodel.items.schedule import stage_generation_field
from finmodel.registry import row, scalar

S = "Capex"


stage_generation_field("gpu_price{s}_usd", "gpu_price_usd", "GPU-server price", "USD/GPU", S)


@row("GPU servers, first purchase", "EUR", S, total=True)
def capex_gpu_initial(m):
    """Each stage's GPUs paid for (deposit at order, balance on delivery) x its generation's server price, in EUR."""
    return (m.gpus1 * m.paid1_share * m.gpu_price1_usd + m.gpus2 * m.paid2_share * m.gpu_price2_usd) / m.i.usd_per_eur


@row("GPU servers, refresh", "EUR", S, total=True)
def capex_gpu_refresh(m):
    """Each stage's GPUs bought at a refresh x the price of the generation it buys, in EUR."""
    return (m.gpus1 * m.refresh1_flag * m.gpu_price1_usd + m.gpus2 * m.refresh2_flag * m.gpu_price2_usd) / m.i.usd_per_eur


@row("Networking and storage", "EUR", S, total=True)
def capex_network_storage(m):
    """network_storage_share x GPU-server capex (first purchase and refresh)."""
    return m.i.network_storage_share * (m.capex_gpu_initial + m.capex_gpu_refresh)


@row("Building works cost factor", "-", S, consolidate=None)
def works_cost_factor(m):
    """(1 + works_contingency) x construction cost index: paid / model-start price of a month's works."""
    return (1 + m.i.works_contingency) * m.t.construction_index


@row("Building shell", "EUR", S, total=True)
def capex_shell(m):
    """shell_capex_eur_per_mw x IT MW at full build-out, spread over construction, x works cost factor."""
    return m.i.shell_capex_eur_per_mw * m.it_mw_full * m.build_profile * m.works_cost_factor


@row("Electrical plant", "EUR", S, total=True)
def capex_electrical(m):
    """electrical_capex_eur_per_mw x IT MW at full build-out, spread over construction, x works cost factor."""
    return m.i.electrical_capex_eur_per_mw * m.it_mw_full * m.build_profile * m.works_cost_factor


@row("Cooling plant", "EUR", S, total=True)
def capex_cooling(m):
    """cooling_capex_eur_per_mw x IT MW at full build-out, spread over construction, x works cost factor."""
    return m.i.cooling_capex_eur_per_mw * m.it_mw_full * m.build_profile * m.works_cost_factor


@row("Heat-reuse plant", "EUR", S, total=True)
def capex_heat_reuse(m):
    """heat_reuse_capex_eur_per_mw x IT MW at full build-out, spread over construction, x works cost factor."""
    return m.i.heat_reuse_capex_eur_per_mw * m.it_mw_full * m.build_profile * m.works_cost_factor


@row("Grid connection", "EUR", S, total=True)
def capex_grid(m):
    """grid_connection_eur_per_mw x IT MW at full build-out, spread over stage 1's construction, x works cost factor."""
    return m.i.grid_connection_eur_per_mw * m.it_mw_full * m.build1_flag / m.build1_months * m.works_cost_factor


@row("Site remediation", "EUR", S, total=True)
def capex_remediation(m):
    """remediation_eur_per_ha x site_area_ha, spread over stage 1's construction, x works cost factor."""
    return m.i.remediation_eur_per_ha * m.i.site_area_ha * m.build1_flag / m.build1_months * m.works_cost_factor


@row("Building works (shell, plant, grid, site)", "EUR", S, total=True)
def capex_works(m):
    """Construction spend: every category except GPU servers, networking and storage."""
    return m.capex_shell + m.capex_electrical + m.capex_cooling + m.capex_heat_reuse + m.capex_grid + m.capex_remediation


@row("IT capex (servers, networking, storage)", "EUR", S, total=True)
def capex_it(m):
    """GPU servers (first and refresh) plus networking and storage."""
    return m.capex_gpu_initial + m.capex_gpu_refresh + m.capex_network_storage


@row("Capex, total", "EUR", S, total=True)
def capex_total(m):
    """All capex: IT and building works."""
    return m.capex_it + m.capex_works


@scalar("Initial capex (without GPU refresh)", "EUR", S)
def capex_initial(m):
    """Capex to build the phase, comparable with the announced amounts: total less GPU refresh."""
    return total(m.capex_total) - (1 + m.i.network_storage_share) * total(m.capex_gpu_refresh)


@row("Building works spent to date", "EUR", S)
def works_spent(m):
    """Running total of building works capex."""
    return cumsum(m.capex_works)


@row("IT cost of the GPU fleet in service", "EUR", S)
def it_fleet_cost(m):
    """Each stage's GPUs in service x the price of its generation in EUR x (1 + network_storage_share)."""
    fleet = m.gpus1 * m.online1_flag * m.gpu_price1_usd + m.gpus2 * m.online2_flag * m.gpu_price2_usd
    return fleet / m.i.usd_per_eur * (1 + m.i.network_storage_share)

"""Energy, heat and carbon: the plan's consumption in national scale, its emissions.

IT and facility energy [MWh] and heat sold [MWh] are opex rows. Here:
emissions [t CO2] = facility energy x the year's grid carbon intensity
(curve ``grid_carbon_intensity``, g/kWh); each month's share of France's
annual consumption and of RTE's 2030 data-centre forecast (they add up to
the year's share over its months); the facility energy of the first full
calendar year at full service [TWh/yr] (for the consolidated plan, the first
year every phase is at full service); and energy and CO2 per GPU-hour sold
over the horizon.
"""

from finmodel.expr import cumsum, divide_where, eq, safe_divide, sumproduct, total, ytd
from finmodel.registry import row, scalar

S = "Energy, heat and carbon"


@row("CO2 emissions of grid power", "t CO2", S, total=True)
def emissions_t(m):
    """Facility energy [MWh] x kWh per MWh x grid carbon intensity [g/kWh] / g per tonne."""
    return m.facility_energy_mwh * m.i.kwh_per_mwh * m.t.grid_carbon_intensity / m.i.g_per_tonne


@row("Share of France's annual electricity consumption", "-", S, total=True)
def share_fr_consumption(m):
    """Facility energy / (fr_consumption_twh x MWh per TWh); the months of a year add up to its share."""
    return m.facility_energy_mwh / (m.i.fr_consumption_twh * m.i.mwh_per_twh)


@row("Share of RTE's 2030 data-centre forecast", "-", S, total=True)
def share_rte_dc_forecast(m):
    """Facility energy / (rte_dc_forecast_twh x MWh per TWh); the months of a year add up to its share."""
    return m.facility_energy_mwh / (m.i.rte_dc_forecast_twh * m.i.mwh_per_twh)


@row("At full service", "flag", S, consolidate="min")
def full_service(m):
    """1 from full_online on (consolidated: 1 once every phase is at full service)."""
    return m.online2_flag


@row("Months at full service, year to date", "month", S, consolidate="recompute")
def full_service_ytd(m):
    """Months at full service since January."""
    return ytd(m.full_service, m.t.year_start)


@row("Full year at full service (at its year end)", "flag", S, consolidate="recompute")
def full_year_end(m):
    """1 at a fiscal year end whose 12 months were all at full service."""
    return m.t.year_end * eq(m.full_service_ytd, m.i.months_per_year)


@row("Full years at full service to date", "#", S, consolidate="recompute")
def full_years(m):
    """Running count of full years at full service."""
    return cumsum(m.full_year_end)


@row("First full year at full service (at its year end)", "flag", S, consolidate="recompute")
def first_full_year_end(m):
    """1 at the end of the first full calendar year at full service."""
    return m.full_year_end * eq(m.full_years, 1)


@row("Facility energy, year to date", "MWh", S)
def facility_energy_ytd(m):
    """Facility energy since January."""
    return ytd(m.facility_energy_mwh, m.t.year_start)


@scalar("First full year at full service", "year", S)
def energy_full_year(m):
    """Calendar year of the first full year at full service; error if none in the horizon."""
    return safe_divide(sumproduct(m.first_full_year_end, m.t.year), total(m.first_full_year_end))


@scalar("Facility energy in the first full year at full service", "TWh/yr", S)
def energy_twh_per_yr(m):
    """Facility energy over that year / MWh per TWh; error if no full year at full service in the horizon."""
    return safe_divide(sumproduct(m.first_full_year_end, m.facility_energy_ytd), total(m.first_full_year_end)) / m.i.mwh_per_twh


@scalar("Facility energy per GPU-hour sold", "kWh/GPU-h", S)
def kwh_per_gpu_hour(m):
    """Facility energy [kWh] / GPU-hours sold, over the horizon; 0 without GPU-hours (has_gpu_hours)."""
    return divide_where(total(m.facility_energy_mwh) * m.i.kwh_per_mwh, total(m.gpu_hours_sold), m.has_gpu_hours)


@scalar("CO2 per GPU-hour sold", "g CO2/GPU-h", S)
def co2_g_per_gpu_hour(m):
    """Emissions [g] / GPU-hours sold, over the horizon; 0 without GPU-hours (has_gpu_hours)."""
    return divide_where(total(m.emissions_t) * m.i.g_per_tonne, total(m.gpu_hours_sold), m.has_gpu_hours)

"""Levelized cost of compute per GPU-hour and its cost stack [EUR/GPU-h].

LCOC = PV(capex + opex - residual value + working capital) / PV(GPU-hours sold), pre-tax, at
``discount_rate``; the same costs over PV(PFLOP-hours sold) give the cost per
PFLOP-hour (one PFLOP/s of dense compute for one hour); each stack item is one category's PV over the same
PV(GPU-hours), so the stack adds up to the LCOC. Receivables are not a cost
but revenue collected late: they are left out of the LCOC's working capital
and enter the break-even price through the GPU-hours whose revenue is
collected in each month. The break-even price is the new-generation price
per GPU-hour (merchant and contract alike; a merchant price is that of the
generation's availability month, then declining) at which the pre-tax NPV is zero.

A phase that sells no GPU-hours (nothing built, or colocation: the tenants
own the GPUs) has no cost per GPU-hour: these figures are 0 there, with the
flag ``has_gpu_hours`` 0 (Python's tables show NaN, the workbook "n/a").
Colocation phases' costs are left out of the PVs, so the consolidated cost
per GPU-hour is that of the phases that sell GPU-hours.
"""

from finmodel.expr import divide_where, lag, lt, sumproduct
from finmodel.items.schedule import stage_generation_field
from finmodel.registry import row, scalar

S = "Cost per GPU-hour"


@row("Costs for the levelized cost", "EUR", S, total=True)
def lcoc_costs(m):
    """Capex + opex (net of heat credit) - residual value + increase in working capital other than receivables."""
    return m.capex_total + m.opex_total - m.residual_value + m.wc_other_change


@row("GPU-hours priced at the new-generation price", "GPU-h", S, total=True)
def priced_hours(m):
    """Contracted GPU-hours + merchant GPU-hours weighted by the price index (its decline since the generation's
    availability): revenue = this x the price."""
    return m.gpu_hours_contracted + m.gpu_hours_indexed


@row("Priced GPU-hours not yet collected", "GPU-h", S)
def priced_hours_uncollected(m):
    """Priced GPU-hours x receivables_days x 12 / days_per_year (as receivables), 0 in the last month."""
    return m.priced_hours * m.i.receivables_days * m.i.months_per_year / m.i.days_per_year * (1 - m.t.last_period)


@row("Priced GPU-hours collected", "GPU-h", S, total=True)
def priced_hours_collected(m):
    """Priced GPU-hours less the increase in those not yet collected: cash revenue = this x the price."""
    return m.priced_hours - (m.priced_hours_uncollected - lag(m.priced_hours_uncollected))


@scalar("PV of GPU-hours sold", "GPU-h", S)
def pv_gpu_hours(m):
    """Sum of GPU-hours sold x discount factor."""
    return sumproduct(m.gpu_hours_sold, m.t.discount_factor)


@scalar("Sells GPU-hours (costs per GPU-hour apply)", "flag", S)
def has_gpu_hours(m):
    """1 when the PV of GPU-hours sold is above 0; else the costs per GPU-hour and PFLOP-hour are 0 and do not apply."""
    return lt(0, m.pv_gpu_hours)


@scalar("PV of costs for the levelized cost", "EUR", S, consolidate="sum")
def pv_lcoc_costs(m):
    """Sum of costs for the levelized cost x discount factor; 0 for colocation (business_model code 1)."""
    return (1 - m.i.business_model) * sumproduct(m.lcoc_costs, m.t.discount_factor)


@scalar("Levelized cost of compute", "EUR/GPU-h", S)
def lcoc(m):
    """PV(costs) / PV(GPU-hours sold); 0 without GPU-hours (has_gpu_hours)."""
    return divide_where(m.pv_lcoc_costs, m.pv_gpu_hours, m.has_gpu_hours)


stage_generation_field("pflops{s}", "pflops_per_gpu", "Dense PFLOP/s per GPU", "PFLOP/s/GPU", S)


@row("GPU-hours sold, stage 1", "GPU-h", S, total=True)
def gpu_hours_sold1(m):
    """Stage 1's GPUs x hours x (contracted share in force + the rest x utilisation)."""
    cs = m.i.contracted_share * m.contract1_flag
    return m.gpus1 * m.t.hours_in_month * (cs + (1 - cs) * m.utilisation1)


@row("GPU-hours sold, stage 2", "GPU-h", S, total=True)
def gpu_hours_sold2(m):
    """Stage 2's GPUs x hours x (contracted share in force + the rest x utilisation)."""
    cs = m.i.contracted_share * m.contract2_flag
    return m.gpus2 * m.t.hours_in_month * (cs + (1 - cs) * m.utilisation2)


@row("PFLOP-hours sold", "PFLOP/s-h", S, total=True)
def pflop_hours_sold(m):
    """Each stage's GPU-hours sold x dense PFLOP/s per GPU of its generation: the compute delivered."""
    return m.gpu_hours_sold1 * m.pflops1 + m.gpu_hours_sold2 * m.pflops2


@scalar("PV of PFLOP-hours sold", "PFLOP/s-h", S)
def pv_pflop_hours(m):
    """Sum of PFLOP-hours sold x discount factor."""
    return sumproduct(m.pflop_hours_sold, m.t.discount_factor)


@scalar("Levelized cost per PFLOP-hour", "EUR/PFLOP/s-h", S)
def lcoc_pflop(m):
    """PV(costs) / PV(PFLOP-hours sold): the levelized cost of one PFLOP/s for one hour; 0 without GPU-hours."""
    return divide_where(m.pv_lcoc_costs, m.pv_pflop_hours, m.has_gpu_hours)


@scalar("Break-even new-generation price", "EUR/GPU-h", S)
def breakeven_price(m):
    """PV(costs) / PV(priced GPU-hours collected).

    Pre-tax NPV = 0 when a new generation's merchant price and the contract price are both this price;
    0 without GPU-hours.
    """
    return divide_where(m.pv_lcoc_costs, sumproduct(m.priced_hours_collected, m.t.discount_factor), m.has_gpu_hours)


#: cost-stack items: (name, label, rows whose PV it takes, sign)
STACK = (
    ("stack_gpu", "GPU servers (first and refresh)", ("capex_gpu_initial", "capex_gpu_refresh"), 1),
    ("stack_network_storage", "Networking and storage", ("capex_network_storage",), 1),
    ("stack_facility", "Facility (shell, electrical, cooling, heat reuse)",
     ("capex_shell", "capex_electrical", "capex_cooling", "capex_heat_reuse"), 1),
    ("stack_grid_site", "Grid connection and remediation", ("capex_grid", "capex_remediation"), 1),
    ("stack_electricity", "Electricity", ("opex_electricity",), 1),
    ("stack_staff", "Staff", ("opex_staff",), 1),
    ("stack_maintenance_insurance", "Maintenance (facility, IT support) and insurance",
     ("opex_facility_maintenance", "opex_it_support", "opex_insurance"), 1),
    ("stack_sga", "SG&A, sales, support and platform", ("opex_sga",), 1),
    ("stack_network_tax", "Connectivity and local taxes", ("opex_network", "opex_local_tax"), 1),
    ("stack_heat_credit", "Heat credit", ("opex_heat_credit",), 1),
    ("stack_working_capital", "Working capital (without receivables)", ("wc_other_change",), 1),
    ("stack_residual", "Residual value", ("residual_value",), -1),
)


def _stack_item(name: str, label: str, rows: tuple[str, ...], sign: int) -> None:
    def pv(m):
        out = sumproduct(getattr(m, rows[0]), m.t.discount_factor)
        for r in rows[1:]:
            out = out + sumproduct(getattr(m, r), m.t.discount_factor)
        return (1 - m.i.business_model) * (out if sign > 0 else -out)

    def fn(m):
        return divide_where(getattr(m, f"pv_{name}"), m.pv_gpu_hours, m.has_gpu_hours)

    pv.__name__ = f"pv_{name}"
    pv.__doc__ = f"{'' if sign > 0 else '-'}PV({' + '.join(rows)}); 0 for colocation."
    fn.__name__ = name
    fn.__doc__ = f"{'' if sign > 0 else '-'}PV({' + '.join(rows)}) / PV(GPU-hours sold); 0 without GPU-hours."
    scalar(f"PV: {label}", "EUR", S, consolidate="sum")(pv)
    scalar(label, "EUR/GPU-h", S)(fn)


for _spec in STACK:
    _stack_item(*_spec)

"""Revenue: contracted GPU-hours at a fixed price, the rest at a merchant price that declines with age.

Each GPU purchase (a stage's first purchase and each refresh) signs a
take-or-pay contract for ``contracted_share`` of its GPU-hours at the
``contract_price_usd`` of the generation it bought (generations.toml), for
``contract_years`` from its service start (at most the purchase's life: a
refresh signs a new contract at its own generation's price). Contracted hours
are billed in full (take-or-pay); the other hours, and all of them once the
contract has ended, sell at the merchant price of the generation bought: its
``gpu_hour_price_usd`` (the market price in its ``available`` month), falling by
``gpu_hour_price_decline`` a year from that month, whenever the purchase is made (a
market price does not wait for the buyer: a generation bought 18 months after its
availability rents at the price of an 18-month-old generation), and billed at
``utilisation``, each stage ramping up from its own service date. A customer may prepay
``prepaid_share`` of the contract value at signature; the prepayment is
earned back evenly over the term (a liability in working capital).
"""

from finmodel.expr import lt, minimum
from finmodel.items.schedule import per_stage, stage_generation_field
from finmodel.registry import row
from finmodel.timeline import years_between

S = "Revenue"


stage_generation_field("hour_price{s}_usd", "gpu_hour_price_usd", "New-generation merchant price", "USD/GPU-h", S)
stage_generation_field("available{s}", "available", "Availability month", "date", S)
stage_generation_field("contract_price{s}_usd", "contract_price_usd", "Contract price", "USD/GPU-h", S)


@row("Contract in force, stage 1 purchase", "flag", S, consolidate=None)
def contract1_flag(m):
    """1 while the stage 1 GPUs in service are younger than contract_years."""
    return m.online1_flag * lt(m.age1, m.i.contract_years)


@row("Contract in force, stage 2 purchase", "flag", S, consolidate=None)
def contract2_flag(m):
    """1 while the stage 2 GPUs in service are younger than contract_years."""
    return m.online2_flag * lt(m.age2, m.i.contract_years)


@row("GPUs under contract", "GPU", S)
def gpus_contracted(m):
    """GPUs in service x contracted_share, for the stages whose contract is in force."""
    return m.i.contracted_share * (m.gpus1 * m.contract1_flag + m.gpus2 * m.contract2_flag)


@row("GPUs sold at merchant prices", "GPU", S)
def gpus_merchant(m):
    """GPUs in service not under contract."""
    return m.gpus_online - m.gpus_contracted


@row("GPU-hours sold under contract", "GPU-h", S, total=True)
def gpu_hours_contracted(m):
    """GPUs under contract x hours (take-or-pay: billed in full)."""
    return m.gpus_contracted * m.t.hours_in_month


@row("GPU-hours sold at merchant prices", "GPU-h", S, total=True)
def gpu_hours_merchant(m):
    """Each stage's merchant GPUs x hours x that stage's utilisation (ramping from its own service date)."""
    cs = m.i.contracted_share
    stages = m.gpus1 * (1 - cs * m.contract1_flag) * m.utilisation1 + m.gpus2 * (1 - cs * m.contract2_flag) * m.utilisation2
    return m.t.hours_in_month * stages


@row("GPU-hours sold", "GPU-h", S, total=True)
def gpu_hours_sold(m):
    """Contracted + merchant GPU-hours."""
    return m.gpu_hours_contracted + m.gpu_hours_merchant


@per_stage("market_age{s}", "Age of the stage {s} generation on the market", "yr", S)
def _market_age(m, s):
    """Years from the availability month of stage {s}'s generation to this month, in whole months; 0 before service."""
    return getattr(m, f"online{s}_flag") * years_between(m.t.period_start, getattr(m, f"available{s}"), m.i.months_per_year)


@per_stage("price_index{s}", "Merchant price index, stage {s} generation", "-", S)
def _price_index(m, s):
    """(1 - gpu_hour_price_decline) ^ the stage {s} generation's age on the market."""
    return (1 - m.i.gpu_hour_price_decline) ** getattr(m, f"market_age{s}")


@row("Merchant GPU-hours, weighted by price index", "GPU-h", S, total=True)
def gpu_hours_indexed(m):
    """Merchant GPU-hours, each stage's weighted by its generation's price index.

    Were every generation's new price the same, merchant revenue would be this row x that price.
    """
    cs = m.i.contracted_share
    stages = (m.gpus1 * (1 - cs * m.contract1_flag) * m.utilisation1 * m.price_index1
              + m.gpus2 * (1 - cs * m.contract2_flag) * m.utilisation2 * m.price_index2)
    return m.t.hours_in_month * stages


@row("Revenue, contracted", "EUR", S, total=True)
def revenue_contracted(m):
    """Each stage's contracted GPU-hours x its generation's contract price, in EUR."""
    stages = m.gpus1 * m.contract1_flag * m.contract_price1_usd + m.gpus2 * m.contract2_flag * m.contract_price2_usd
    return m.i.contracted_share * m.t.hours_in_month * stages / m.i.usd_per_eur


@row("Revenue, merchant", "EUR", S, total=True)
def revenue_merchant(m):
    """Each stage's merchant GPU-hours x its price index x its generation's new price, in EUR."""
    cs = m.i.contracted_share
    stages = (m.gpus1 * (1 - cs * m.contract1_flag) * m.utilisation1 * m.price_index1 * m.hour_price1_usd
              + m.gpus2 * (1 - cs * m.contract2_flag) * m.utilisation2 * m.price_index2 * m.hour_price2_usd)
    return m.t.hours_in_month * stages / m.i.usd_per_eur


@row("Revenue", "EUR", S, total=True)
def revenue(m):
    """Contracted + merchant GPU-hour revenue + colocation rent."""
    return m.revenue_contracted + m.revenue_merchant + m.revenue_colocation


@row("Contract months still to serve, stage 1", "month", S, consolidate=None)
def contract1_months_left(m):
    """Months of the stage 1 contract after this one: min(contract_years, gpu_life_years) x 12 - months served."""
    term = minimum(m.i.contract_years, m.i.gpu_life_years) * m.i.months_per_year
    return m.contract1_flag * (term - m.age1 * m.i.months_per_year - 1)


@row("Contract months still to serve, stage 2", "month", S, consolidate=None)
def contract2_months_left(m):
    """Months of the stage 2 contract after this one."""
    term = minimum(m.i.contract_years, m.i.gpu_life_years) * m.i.months_per_year
    return m.contract2_flag * (term - m.age2 * m.i.months_per_year - 1)


@row("Contract prepayments not yet earned", "EUR", S)
def deferred_revenue(m):
    """prepaid_share x the contract value of the months still to serve (hours_per_year / 12 a month).

    Received in full at signature, it falls month by month as the hours are
    served: a liability held in working capital.
    """
    value_left = (m.gpus1 * m.contract_price1_usd * m.contract1_months_left
                  + m.gpus2 * m.contract_price2_usd * m.contract2_months_left)
    monthly_hours = m.i.contracted_share * m.i.hours_per_year / m.i.months_per_year
    return m.i.prepaid_share * monthly_hours * value_left / m.i.usd_per_eur

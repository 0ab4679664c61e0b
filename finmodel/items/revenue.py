"""Revenue: GPU-hours sold x a price per GPU-hour that declines as a generation ages.

A new GPU generation sells at ``gpu_hour_price_usd``; its price then falls
by ``gpu_hour_price_decline`` a year until it is replaced, when the new
generation starts again at the full price.
"""

from finmodel.registry import row

S = "Revenue"


@row("GPU-hours sold", "GPU-h", S, total=True)
def gpu_hours_sold(m):
    """GPUs in service x hours x utilisation (with ramp)."""
    return m.gpus_online * m.t.hours_in_month * m.utilisation_ramped


@row("Price index, stage 1 generation", "-", S, consolidate=None)
def price_index1(m):
    """(1 - gpu_hour_price_decline) ^ age of the stage 1 generation."""
    return (1 - m.i.gpu_hour_price_decline) ** m.age1


@row("Price index, stage 2 generation", "-", S, consolidate=None)
def price_index2(m):
    """(1 - gpu_hour_price_decline) ^ age of the stage 2 generation."""
    return (1 - m.i.gpu_hour_price_decline) ** m.age2


@row("GPU-hours sold, weighted by price index", "GPU-h", S, total=True)
def gpu_hours_indexed(m):
    """GPU-hours sold, each stage's weighted by its generation's price index.

    Revenue = this row x the new-generation price in EUR, so the break-even
    new-generation price is PV(costs) / PV(this row).
    """
    s1 = m.i.stage1_share
    stages = s1 * m.online1_flag * m.price_index1 + (1 - s1) * m.online2_flag * m.price_index2
    return m.i.gpus * m.t.hours_in_month * m.utilisation_ramped * stages


@row("Revenue", "EUR", S, total=True)
def revenue(m):
    """Indexed GPU-hours x new-generation price per GPU-hour in EUR."""
    return m.gpu_hours_indexed * m.i.gpu_hour_price_usd / m.i.usd_per_eur

"""Straight-line depreciation [EUR/month] and book values.

IT (GPU servers, networking, storage) depreciates over ``gpu_life_years``
from the month it enters service and is replaced at the end of that life.
Buildings (shell, grid connection, remediation) and MEP plant (electrical,
cooling, heat reuse) depreciate over their own lives, each stage's works
from that stage's service date (stage 2's works under construction do not
depreciate); accumulated depreciation is capped at the amount spent, so a
short life never depreciates more than was spent.
"""

from functools import reduce
from operator import add

from finmodel.expr import cumsum, lag, minimum
from finmodel.registry import row

S = "Depreciation"


@row("Depreciation, IT", "EUR", S, total=True)
def dep_it(m):
    """IT cost of the fleet in service / (gpu_life_years x 12)."""
    return m.it_fleet_cost / (m.i.gpu_life_years * m.i.months_per_year)


@row("IT capex spent to date", "EUR", S)
def it_spent(m):
    """Running total of IT capex."""
    return cumsum(m.capex_it)


@row("Accumulated depreciation, IT", "EUR", S)
def it_dep_cum(m):
    """Running total of IT depreciation."""
    return cumsum(m.dep_it)


@row("Book value of IT (the GPUs securing GPU loans and vendor financing)", "EUR", S)
def it_book_value(m):
    """IT capex spent to date less accumulated IT depreciation (deposits paid count from the order)."""
    return m.it_spent - m.it_dep_cum


def _asset_class(name: str, label: str, life_input: str, spend_rows: tuple[str, ...]) -> None:
    """Register spend-to-date, uncapped and capped accumulated depreciation, and depreciation rows."""

    def spent(m):
        return cumsum(reduce(add, (getattr(m, r) for r in spend_rows)))

    def spent_stage1(m):
        return cumsum(reduce(add, (getattr(m, r) for r in spend_rows)) * m.build1_flag)

    def in_service(m):
        s1 = getattr(m, f"{name}_spent_stage1")
        return m.online1_flag * s1 + m.online2_flag * (getattr(m, f"{name}_spent") - s1)

    def dep_uncapped(m):
        life = getattr(m.i, life_input) * m.i.months_per_year
        return cumsum(getattr(m, f"{name}_in_service") / life)

    def dep_cum(m):
        return minimum(getattr(m, f"{name}_spent"), getattr(m, f"{name}_dep_uncapped"))

    def dep(m):
        cum = getattr(m, f"{name}_dep_cum")
        return cum - lag(cum)

    parts = " + ".join(spend_rows)
    for fn, suffix, row_label, doc, show in (
        (spent, "spent", f"{label} capex spent to date", f"Running total of {parts}.", False),
        (spent_stage1, "spent_stage1", f"{label} capex spent on stage 1 to date",
         f"Running total of {parts} during stage 1's construction.", False),
        (in_service, "in_service", f"{label} in service",
         "Stage 1's spend from stage 1's service date, stage 2's (the rest) from full service.", False),
        (dep_uncapped, "dep_uncapped", f"Accumulated depreciation before cap, {label.lower()}",
         f"Running total of the amount in service / ({life_input} x 12).", False),
        (dep_cum, "dep_cum", f"Accumulated depreciation, {label.lower()}", "The lesser of spent to date and the uncapped total.", False),
        (dep, "dep", f"Depreciation, {label.lower()}", "Change in accumulated depreciation.", True),
    ):
        fn.__name__ = f"{name}_{suffix}" if suffix != "dep" else f"dep_{name}"
        fn.__doc__ = doc
        row(row_label, "EUR", S, total=show)(fn)


_asset_class("building", "Buildings", "building_life_years", ("capex_shell", "capex_grid", "capex_remediation"))
_asset_class("mep", "MEP plant", "mep_life_years", ("capex_electrical", "capex_cooling", "capex_heat_reuse"))


@row("Depreciation, total", "EUR", S, total=True)
def depreciation(m):
    """IT, building and MEP depreciation."""
    return m.dep_it + m.dep_building + m.dep_mep


@row("Book value of fixed assets", "EUR", S)
def book_value(m):
    """Capex spent to date less accumulated depreciation."""
    return m.it_book_value + (m.building_spent - m.building_dep_cum) + (m.mep_spent - m.mep_dep_cum)

"""Levelized cost by GPU generation: which generation each phase runs, and what its compute costs.

A phase runs several generations over the horizon (each purchase buys the
latest available, generations.toml). For each phase and generation:

- PV of the GPU-hours it sells [GPU-h] and of its PFLOP-hours [PFLOP/s-h]
  (GPU-hours x its dense PFLOP/s per GPU), at ``discount_rate``;
- its own IT capex (its GPU servers x (1 + ``network_storage_share``)),
  and the phase's other levelized costs (facility, opex, working capital,
  less the residual value) shared in proportion to PV(GPU-hours);
- cost per GPU-hour = those costs / PV(GPU-hours), and per PFLOP-hour =
  those costs / PV(PFLOP-hours).

The rows of a phase add up to its levelized cost: sum of costs = PV of the
phase's ``lcoc_costs``. A phase that sells no GPU-hours (colocation) has no rows. The split of shared costs by GPU-hours is an
allocation, not a cash flow: a residual value counted at the horizon's end
is shared by every generation, although only the last one holds it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from finmodel.registry import first_value

STAGES = ("1", "2")
UNITS = {"first_purchase": "month", "pflops_per_gpu": "PFLOP/s/GPU", "pv_gpu_hours": "GPU-h", "pv_pflop_hours": "PFLOP/s-h",
         "pv_it_capex_eur": "EUR", "pv_shared_costs_eur": "EUR", "pv_costs_eur": "EUR", "lcoc_eur_per_gpu_hour": "EUR/GPU-h",
         "lcoc_eur_per_pflop_hour": "EUR/PFLOP/s-h"}


def _row(values, name) -> np.ndarray:
    """A line item's row, first draw, shape (periods,)."""
    return np.asarray(values[name], dtype=float).reshape(-1, np.shape(values[name])[-1])[0]


def cost_by_generation(results) -> pd.DataFrame:
    """One row per (phase, generation) the phase buys: PVs, costs and levelized costs (units in ``attrs["units"]``)."""
    inp = results.inputs
    df = np.asarray(results.time["discount_factor"], dtype=float).reshape(-1)
    usd, ns = first_value(inp.values["usd_per_eur"]), first_value(inp.values["network_storage_share"])
    rows = []
    for phase in inp.phases:
        v = results.values[phase]
        hours_all = np.sum(_row(v, "gpu_hours_sold") * df)
        if not hours_all:  # no GPU-hours sold (colocation: the tenants own the GPUs)
            continue
        other = np.sum(_row(v, "lcoc_costs") * df) - np.sum((_row(v, "capex_it")) * df)
        by_gen: dict[int, dict] = {}
        for s in STAGES:
            gen = _row(v, f"gen{s}").astype(int)
            hours = _row(v, f"gpu_hours_sold{s}") * df
            it_capex = (_row(v, f"gpus{s}") * (_row(v, f"paid{s}_share") + _row(v, f"refresh{s}_flag"))
                        * _row(v, f"gpu_price{s}_usd") / usd * (1 + ns) * df)
            bought = np.flatnonzero(_row(v, f"first{s}_flag") + _row(v, f"refresh{s}_flag"))
            for g in np.unique(gen):
                acc = by_gen.setdefault(int(g), dict(h=0.0, capex=0.0, first=None))
                acc["h"] += float(hours[gen == g].sum())
                acc["capex"] += float(it_capex[gen == g].sum())
                months = [k for k in bought if gen[k] == g]
                if months and (acc["first"] is None or months[0] < acc["first"]):
                    acc["first"] = months[0]
        for g, acc in sorted(by_gen.items()):
            if acc["first"] is None:
                continue  # looked up before service (a deposit's generation is the first purchase's)
            name = inp.generations[g - 1]
            pflops = first_value(inp.values[f"{name}.pflops_per_gpu"])
            shared = other * acc["h"] / hours_all
            costs = acc["capex"] + shared
            rows.append(dict(phase=phase, generation=name, first_purchase=results.periods[acc["first"]].strftime("%Y-%m"),
                             pflops_per_gpu=pflops, pv_gpu_hours=acc["h"], pv_pflop_hours=acc["h"] * pflops,
                             pv_it_capex_eur=acc["capex"], pv_shared_costs_eur=shared, pv_costs_eur=costs,
                             lcoc_eur_per_gpu_hour=costs / acc["h"] if acc["h"] else np.nan,
                             lcoc_eur_per_pflop_hour=costs / (acc["h"] * pflops) if acc["h"] else np.nan))
    out = pd.DataFrame(rows, columns=["phase", "generation", *UNITS]).set_index(["phase", "generation"])
    out.attrs["units"] = {c: UNITS[c] for c in out.columns}
    return out

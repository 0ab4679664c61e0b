"""Three break-even new-generation prices per GPU-hour [EUR/GPU-h], labelled apart.

- **pre-tax project**: the price at which the project's pre-tax NPV at
  ``discount_rate`` is zero; a line item (``breakeven_price``), closed form
  PV(costs) / PV(price-indexed GPU-hours);
- **after-tax project**: the price at which the project's NPV (free cash
  flow after the project's tax, at ``discount_rate``) is zero;
- **equity**: the price at which the equity NPV (cash flows to and from
  shareholders, after debt service and the company's tax, at
  ``cost_of_equity``) is zero.

All three are the price of a new GPU-hour, contract and merchant alike
(as the pre-tax line item): every GPU generation's ``gpu_hour_price_usd``
and ``contract_price_usd`` (generations.toml) are set to the same price in
EUR (x ``usd_per_eur``). The last two go through the French tax
rules and the financing, so they are found by search on the model's draw
axis by :func:`finmodel.roots.find_roots`: a grid of prices in one
evaluation brackets each entity's root (the one nearest its pre-tax
break-even), then batched steps, all entities and both NPVs at once as
draws, refine it until |NPV| <= ``TOL_EUR``. NaN where no price in the
grid gives a sign change (e.g. a phase without GPUs).
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

import numpy as np

from finmodel.roots import find_roots

#: the three break-evens: summary column -> label (the same words in the CLI, the workbook and the README)
LABELS = {  # each: the price of a new GPU-hour, contract and merchant alike
    "breakeven_eur_per_gpu_hour": "Break-even price, pre-tax project (pre-tax NPV = 0 at discount_rate)",
    "breakeven_after_tax_eur_per_gpu_hour": "Break-even price, after-tax project (NPV after tax = 0 at discount_rate)",
    "breakeven_equity_eur_per_gpu_hour": "Break-even price, equity (equity NPV = 0 at cost_of_equity)",
}
#: the searched break-evens: summary column -> the NPV line item that is 0 there
SEARCHED = {"breakeven_after_tax_eur_per_gpu_hour": "npv", "breakeven_equity_eur_per_gpu_hour": "equity_npv"}
#: largest |NPV| accepted at a break-even [EUR]
TOL_EUR = 0.5
#: prices in the bracketing grid, and its top as a multiple of the largest pre-tax break-even or base price
GRID, GRID_TOP = 41, 3.0

PRICE_FIELD = "gpu_hour_price_usd"
CONTRACT_FIELD = "contract_price_usd"


def _price_keys(inputs) -> list[str]:
    """The inputs a break-even price sets: each generation's new-generation merchant price and contract price."""
    return [f"{g}.{f}" for g in inputs.generations for f in (PRICE_FIELD, CONTRACT_FIELD)]


def _at_prices(inputs, prices: np.ndarray, metrics: tuple[str, ...]) -> dict[str, dict[str, np.ndarray]]:
    """{entity: {metric: values (n,)}} with every new GPU-hour price set to ``prices`` [EUR/GPU-h] (n,)."""
    from finmodel.model import evaluate  # model imports results, which imports this module

    usd = inputs.values["usd_per_eur"]
    prices = np.asarray(prices, dtype=float).reshape(-1, 1)
    values = {**inputs.values, **{k: prices * usd for k in _price_keys(inputs)}}
    _, out = evaluate(dataclasses.replace(inputs, values=values), only=list(metrics))
    return {e: {m: np.asarray(v[m], dtype=float).reshape(-1) for m in metrics} for e, v in out.items()}


def solve_price_breakevens(inputs, pre_tax: Mapping[str, float], metrics: tuple[str, ...] = ("npv", "equity_npv"),
                           ) -> dict[tuple[str, str], float]:
    """{(entity, metric): price [EUR/GPU-h] at which that NPV is 0}, NaN without a root in the grid.

    ``pre_tax``: each entity's pre-tax break-even [EUR/GPU-h]: the grid's
    scale and, among several roots, the one searched near. Every
    (entity, metric) root is solved together by
    :func:`finmodel.roots.find_roots`, one model evaluation a step (the
    grid's prices once, then every unsolved root's prices on the draw axis).
    """
    pairs = [(e, m) for e in pre_tax for m in metrics]
    usd = float(np.asarray(inputs.values["usd_per_eur"]).reshape(-1)[0])
    scale = [v for v in pre_tax.values() if np.isfinite(v) and v > 0]
    scale += [float(np.asarray(inputs.values[f"{g}.{PRICE_FIELD}"]).reshape(-1)[0]) / usd for g in inputs.generations]
    grid = np.linspace(0.0, GRID_TOP * max(scale + [1.0]), GRID)

    def npvs(which: np.ndarray, prices: np.ndarray) -> np.ndarray:
        """NPV [EUR] of pair ``pairs[which[j]]`` at ``prices[j, i]``, each distinct price evaluated once."""
        distinct, at = np.unique(prices, return_inverse=True)
        out, at = _at_prices(inputs, distinct, metrics), at.reshape(prices.shape)
        return np.array([out[e][m][at[j]] for j, (e, m) in enumerate(pairs[w] for w in which)])

    near = [pre_tax[e] if np.isfinite(pre_tax[e]) else grid[len(grid) // 2] for e, _ in pairs]
    found = find_roots(npvs, np.tile(grid, (len(pairs), 1)), TOL_EUR, np.array(near))
    return {pair: float(found.x[k]) if found.converged[k] else np.nan for k, pair in enumerate(pairs)}


def price_overrides(inputs, price_eur: float) -> dict[str, float]:
    """Overrides that set every new GPU-hour price, contract and merchant, to ``price_eur`` [EUR/GPU-h] (to re-run a break-even)."""
    usd = float(np.asarray(inputs.values["usd_per_eur"]).reshape(-1)[0])
    return {k: price_eur * usd for k in _price_keys(inputs)}

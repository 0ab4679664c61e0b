"""A Monte Carlo run's per-draw metrics and their summary statistics: percentiles, the probability of a
negative NPV and of a covenant breach, and the overrides that reproduce one draw."""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any, Mapping

import numpy as np
import pandas as pd

from finmodel.montecarlo.distributions import Distributions

#: metrics kept per draw and entity (line items of the registry; units from it)
METRICS = ("npv", "irr_annual", "lcoc", "breakeven_price", "capex_initial", "jobs_permanent_2030",
           "equity_irr", "equity_npv", "min_dscr", "peak_funding")


class MonteCarloResult:
    """Per-draw metrics of a Monte Carlo run, with the draws that produced them.

    ``metrics[entity][metric]``: shape (n,), entity = a phase or 'total',
    metric in METRICS, units in ``units``: npv [EUR], irr_annual [1/yr],
    lcoc and breakeven_price [EUR/GPU-h], capex_initial [EUR], jobs_permanent_2030
    [FTE], equity_irr [1/yr], equity_npv [EUR], min_dscr [-] (NaN without
    debt), peak_funding [EUR]. ``drivers``: the sampled drivers, one row per draw (each in its
    own unit; factors [-]); ``sampled_inputs``: the input values the draws
    set (``alixan.gpu_price_usd`` ...).
    """

    def __init__(self, *, n: int, seed: int, scenario: str, entities: list[str], metrics: dict[str, dict[str, np.ndarray]],
                 drivers: pd.DataFrame, sampled_inputs: pd.DataFrame, overrides: Mapping[str, Any],
                 distributions: Distributions, units: dict[str, str], seconds: float, covenant: float = math.nan):
        self.n, self.seed, self.scenario = n, seed, scenario
        self.entities = entities
        self.metrics = metrics
        self.drivers = drivers
        self.sampled_inputs = sampled_inputs
        self.overrides = dict(overrides)
        self.distributions = distributions
        self.units = units
        self.seconds = seconds  # wall time of the run [s]
        self.covenant = covenant  # dscr_covenant of the base inputs [-]

    def __repr__(self) -> str:
        return f"MonteCarloResult(n={self.n}, seed={self.seed}, scenario={self.scenario!r}, {self.seconds:.2f} s)"

    @cached_property
    def draws(self) -> pd.DataFrame:
        """One row per draw and entity: draw, entity, the metrics, then the drivers of that draw."""
        frames = []
        for e in self.entities:
            df = pd.DataFrame({"draw": np.arange(self.n), "entity": e, **self.metrics[e]})
            frames.append(pd.concat([df, self.drivers.reset_index(drop=True)], axis=1))
        out = pd.concat(frames, ignore_index=True)
        out.attrs["units"] = {**self.units, **self.drivers.attrs.get("units", {})}
        return out

    def percentiles(self, metrics=METRICS) -> pd.DataFrame:
        """P10, P50, P90, mean and the count of finite draws per entity and metric (NaN draws left out).

        Index (entity, metric); the metric's unit in column 'unit'.
        """
        rows = []
        for e in self.entities:
            for m in metrics:
                x = self.metrics[e][m]
                x = x[np.isfinite(x)]
                p10, p50, p90 = np.percentile(x, [10, 50, 90]) if x.size else (np.nan,) * 3
                rows.append(dict(entity=e, metric=m, p10=p10, p50=p50, p90=p90,
                                 mean=x.mean() if x.size else np.nan, n=x.size, unit=self.units[m]))
        return pd.DataFrame(rows).set_index(["entity", "metric"])

    def prob_negative_npv(self) -> pd.Series:
        """Share of draws with NPV < 0, per entity [-]."""
        return pd.Series({e: float(np.mean(self.metrics[e]["npv"] < 0)) for e in self.entities}, name="prob_negative_npv")

    def prob_covenant_breach(self) -> pd.Series:
        """Share of draws whose minimum covenant DSCR is below dscr_covenant, per entity [-].

        The covenant DSCR is tested on the trailing 12 months at test dates
        (:mod:`finmodel.items.covenants`). A draw is NaN only when the entity
        has no covenant test (no debt service): no covenant to breach. The
        total's minimum is the weakest phase's with debt, so its probability
        is at least each phase's.
        """
        return pd.Series({e: float(np.mean(self.metrics[e]["min_dscr"] < self.covenant)) for e in self.entities},
                         name="prob_covenant_breach")

    def overrides_for(self, draw: int) -> dict[str, Any]:
        """The overrides that make ``finmodel.run`` reproduce one draw: the run's overrides plus the draw's inputs."""
        row = self.sampled_inputs.iloc[draw]
        return {**self.overrides, **{k: float(v) for k, v in row.items()}}

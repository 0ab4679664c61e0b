"""Monte Carlo over the main drivers, vectorised over draws.

Modules: :mod:`~finmodel.montecarlo.distributions` (the distributions file and the
correlated draws), :mod:`~finmodel.montecarlo.sampling` (inverse CDFs),
:mod:`~finmodel.montecarlo.draws` (the draws through the model:
:func:`monte_carlo`), :mod:`~finmodel.montecarlo.summary` (per-draw metrics
and their statistics: :class:`MonteCarloResult`).

``inputs/distributions.toml`` gives each uncertain driver a distribution and
some pairs a correlation (see the file's header). :func:`monte_carlo` draws
every driver for all N draws at once with a Gaussian copula, then evaluates
the monthly model chunk by chunk, each chunk as inputs of shape
``(chunk, 1)`` (the draw axis, DESIGN.md): one array evaluation per chunk,
never the single-scenario model in a Python loop.

Each chunk goes through :func:`finmodel.model.evaluate` with ``only=METRICS``:
the registry's own line-item functions, in the registry's order, but only the
items the metrics need, each row freed once no later item reads it.

Same seed => the same numbers, whatever the chunk size: the normals for
all N draws are drawn before any chunk is evaluated, row by row, so the
first n draws of a run of N > n draws are the draws of a run of n.

Example::

    from finmodel.montecarlo import monte_carlo
    mc = monte_carlo(10_000, seed=1)
    mc.percentiles()          # P10 / P50 / P90 / mean per entity and metric
    mc.prob_negative_npv()    # per phase and total
    finmodel.run(overrides=mc.overrides_for(17))   # draw 17 as a single run
"""

from finmodel.montecarlo.distributions import (
    DISTRIBUTIONS_FILE, DISTS, Correlation, Distributions, Driver, load_distributions,
)
from finmodel.montecarlo.draws import BYTES_PER_DRAW, MAX_DRAWS, TOTAL, check_draws, monte_carlo
from finmodel.montecarlo.sampling import choice_ppf, norm_cdf, triangular_ppf
from finmodel.montecarlo.summary import METRICS, MonteCarloResult

__all__ = ["BYTES_PER_DRAW", "DISTRIBUTIONS_FILE", "DISTS", "MAX_DRAWS", "METRICS", "TOTAL", "Correlation", "Distributions",
           "Driver", "MonteCarloResult", "check_draws", "choice_ppf", "load_distributions", "monte_carlo", "norm_cdf",
           "triangular_ppf"]

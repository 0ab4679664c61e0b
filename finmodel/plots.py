"""Charts of one run's Results (matplotlib; ``pip install 'finmodel[plot]'``).

::

    res = finmodel.run()
    res.plot.cash_flow()              # yearly free cash flow and its running total (total, or entity=...)
    res.plot.capex_by_category()      # yearly capex stacked by category
    res.plot.cost_stack()             # levelized cost per GPU-hour by category, one bar per entity
    res.plot.tornado()                # NPV at each driver's low and high ends (finmodel.sensitivity.tornado)
    res.plot.montecarlo_histogram(mc) # distribution of a Monte Carlo metric (finmodel.montecarlo.monte_carlo)

Each returns a :class:`matplotlib.figure.Figure` (shown by a notebook; save it
with ``fig.savefig(path)``) whose plotted data are the Results values
unscaled (EUR on EUR axes; the tick labels show EUR bn). No pyplot state is
touched.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from finmodel.excel.charts import CAPEX_ROWS  # capex rows by category, stacked as in the workbook's chart
from finmodel.items.levelized import STACK
from finmodel.registry import PHASE_ITEMS


def _figure(title: str, size=(9, 5)):
    try:
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("plots need matplotlib: pip install 'finmodel[plot]'") from None
    fig = Figure(figsize=size, layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title)
    return fig, ax, FuncFormatter


def _color(k: int) -> str:
    """The k-th of 20 distinct colours (matplotlib's tab20), so a dozen stacked categories stay apart."""
    from matplotlib import colormaps

    r, g, b, _ = colormaps["tab20"](k % 20)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _eur_bn_axis(axis, formatter) -> None:
    axis.set_major_formatter(formatter(lambda v, _: f"{v / 1e9:,.1f}"))


class ResultPlots:
    """``res.plot``: one method per chart, each returning a matplotlib Figure."""

    def __init__(self, results):
        self.results = results

    def cash_flow(self, entity: str = "total") -> Any:
        """Bars of yearly free cash flow [EUR] and a line of its running total [EUR] (year ends on the x axis)."""
        fcf = self.results.yearly("fcf", entity)[entity]
        fig, ax, fmt = _figure(f"Free cash flow by year ({entity})")
        years = fcf.index.year
        ax.bar(years, fcf.to_numpy(), color=np.where(fcf.to_numpy() < 0, "#c0504d", "#4f81bd"), label="Free cash flow")
        ax.plot(years, fcf.cumsum().to_numpy(), color="black", marker="o", label="Cumulative free cash flow")
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_ylabel("EUR bn")
        _eur_bn_axis(ax.yaxis, fmt)
        ax.legend()
        return fig

    def capex_by_category(self, entity: str = "total") -> Any:
        """Stacked bars: yearly capex by category [EUR]."""
        labels = {it.name: it.label for it in PHASE_ITEMS}
        fig, ax, fmt = _figure(f"Capex by year and category ({entity})")
        bottom = None
        for k, item in enumerate(CAPEX_ROWS):
            y = self.results.yearly(item, entity)[entity]
            ax.bar(y.index.year, y.to_numpy(), bottom=bottom, label=labels[item], color=_color(k))
            bottom = y.to_numpy() if bottom is None else bottom + y.to_numpy()
        ax.set_ylabel("EUR bn")
        _eur_bn_axis(ax.yaxis, fmt)
        fig.legend(loc="outside lower center", fontsize="small", ncols=3)
        return fig

    def cost_stack(self) -> Any:
        """Stacked bars per entity: levelized cost per GPU-hour by category [EUR/GPU-h]; dots mark the total (lcoc).

        Credits (heat, residual value) stack below zero.
        """
        stack = self.results.cost_stack
        fig, ax, _ = _figure("Levelized cost per GPU-hour by category")
        x = np.arange(len(stack.index))
        up, down = np.zeros(len(x)), np.zeros(len(x))
        for k, (name, label, _, _) in enumerate(STACK):
            v = stack[name].to_numpy()
            base = np.where(v >= 0, up, down)
            ax.bar(x, v, bottom=base, label=label, color=_color(k))
            up, down = np.where(v >= 0, up + v, up), np.where(v < 0, down + v, down)
        ax.plot(x, stack["lcoc"].to_numpy(), "kD", label="Levelized cost (sum)")
        ax.set_xticks(x, list(stack.index))
        ax.axhline(0, color="grey", linewidth=0.8)
        ax.set_ylabel("EUR/GPU-h")
        fig.legend(loc="outside lower center", fontsize="small", ncols=3)
        return fig

    def tornado(self, table: pd.DataFrame | None = None, metric: str = "npv", **kwargs) -> Any:
        """Horizontal bars from the base value to each driver's low and high ends [the metric's unit].

        ``table``: a :func:`finmodel.sensitivity.tornado` table; by default
        computed for these Results' inputs (``kwargs`` go to ``tornado``,
        e.g. ``drivers=[...]``).
        """
        if table is None:
            from finmodel.risk import rerun_arguments
            from finmodel.sensitivity import tornado

            table = tornado(**rerun_arguments(self.results.inputs), metric=(metric,), **kwargs)
        unit = table.attrs.get("units", {}).get(f"{metric}_base", "")
        fig, ax, fmt = _figure(f"Tornado: {metric} at each driver's low and high ends", size=(9, 1.5 + 0.45 * len(table)))
        base = table[f"{metric}_base"].to_numpy()
        y = np.arange(len(table))[::-1]
        for end, color in (("low", "#4f81bd"), ("high", "#c0504d")):
            v = table[f"{metric}_{end}"].to_numpy()
            ax.barh(y, v - base, left=base, color=color, label=f"driver at its {end} end")
        ax.axvline(base[0] if len(base) else 0, color="black", linewidth=0.8)
        ax.set_yticks(y, list(table.index))
        ax.set_xlabel("EUR bn" if unit == "EUR" else unit)
        if unit == "EUR":
            _eur_bn_axis(ax.xaxis, fmt)
        ax.legend(fontsize="small")
        return fig

    def montecarlo_histogram(self, mc=None, metric: str = "npv", entity: str = "total", bins: int = 40, **kwargs) -> Any:
        """Histogram of one Monte Carlo metric of ``entity`` over the draws, with P10, P50 and P90 lines.

        ``mc``: a :func:`finmodel.montecarlo.monte_carlo` result; by default
        one is run on these Results' inputs (``kwargs``: ``n``, ``seed``, ...).
        NaN draws (e.g. no IRR) are left out.
        """
        if mc is None:
            from finmodel.montecarlo import monte_carlo
            from finmodel.risk import rerun_arguments

            mc = monte_carlo(**{**rerun_arguments(self.results.inputs), **kwargs})
        x = np.asarray(mc.metrics[entity][metric], dtype=float)
        x = x[np.isfinite(x)]
        unit = mc.units.get(metric, "")
        fig, ax, fmt = _figure(f"Monte Carlo: {metric} ({entity}), {x.size:,} draws, seed {mc.seed}")
        ax.hist(x, bins=bins, color="#4f81bd")
        for q, style in zip(np.percentile(x, [10, 50, 90]) if x.size else (), (":", "-", ":")):
            ax.axvline(q, color="black", linestyle=style)
        ax.set_xlabel("EUR bn" if unit == "EUR" else unit)
        ax.set_ylabel("draws")
        if unit == "EUR":
            _eur_bn_axis(ax.xaxis, fmt)
        return fig

"""The report's figures of costs: each pipeline's median decision latency (neural and symbolic
parts) and the monolithic networks' success against their size in parameters.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullLocator

from compose.analysis.results import Analysis, counted
from compose.report.figure_style import log_x

__all__ = ["latency_figure", "size_sweep_figure"]


def latency_figure(analysis: Analysis) -> plt.Figure:
    """Median decision latency on the first split, neural and symbolic parts, per pipeline at
    its largest budget."""
    split = analysis.splits[0]
    names, neural, symbolic = [], [], []
    for pipeline in analysis.pipelines:
        lat = analysis.latency(pipeline, analysis.top_of(pipeline), split)
        if lat is None:
            continue
        names.append(pipeline)
        neural.append(lat["neural_p50"])
        symbolic.append(lat["symbolic_p50"])
    fig, ax = plt.subplots(figsize=(6.5, 0.5 + 0.45 * len(names)))
    y = np.arange(len(names))
    ax.barh(y, neural, color="#3182bd", label="neural (perception / policy)")
    ax.barh(y, symbolic, left=neural, color="#e6550d", label="symbolic (rules + search)")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel(f"median decision latency, ms ({split})")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="x", alpha=0.3)
    return fig


def size_sweep_figure(analysis: Analysis) -> plt.Figure:
    """Success on the first split against the parameters of each monolithic size, one line per
    budget; each size named once along the top."""
    split = analysis.splits[0]
    fig, ax = plt.subplots(figsize=(6, 3.6))
    named: dict[str, float] = {}  # pipeline → its parameters
    for i, budget in enumerate(analysis.budgets):
        pts = []
        for pipeline in analysis.monolithic():
            cell = analysis.cell(pipeline, budget, split)
            params = analysis.fit_mean(pipeline, budget, "params")
            if cell is not None and params:
                pts.append((params, cell.success.value, pipeline))
        if not pts:
            continue
        pts.sort()
        color = plt.get_cmap("viridis")(i / max(1, len(analysis.budgets) - 1))
        ax.plot(
            [p for p, _, _ in pts],
            [s for _, s, _ in pts],
            marker="o",
            color=color,
            label=counted(budget, "demo"),
        )
        named.update({name: p for p, _, name in pts})
    log_x(ax)
    top = ax.secondary_xaxis("top")  # each size named once, however many budgets share it
    top.set_xticks(list(named.values()), [n.removeprefix("mono-") for n in named], fontsize=7)
    top.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("parameters")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("monolithic policies: does size help?", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return fig

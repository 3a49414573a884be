"""The report's headline figure: per split, the best hybrid, the best monolith and PPO with
their 95% intervals, each bar named after the pipeline that did best, and below them the best
hybrid's paired differences to the others, in points.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from compose.analysis.headline import HeadlineRow, headline
from compose.analysis.results import Analysis, counted, frames_text
from compose.report.figure_style import COLORS

__all__ = ["headline_figure"]

HEADLINE_COLUMNS = 6  # at most this many splits per row of the headline figure
SIDES = {"hybrid": "#1b9e77", "monolith": "#e6550d", "ppo": "#e7298a"}  # headline colours


def headline_figure(analysis: Analysis) -> plt.Figure:
    """One column per split (:func:`headline`): above, the best hybrid, the best monolith and
    PPO with their intervals, each bar named after the pipeline that did best; below, the best
    hybrid minus each of the others, in points, with its paired interval. Columns wrap after
    ``HEADLINE_COLUMNS`` splits."""
    rows = headline(analysis)
    blocks = math.ceil(len(rows) / HEADLINE_COLUMNS)
    cols = math.ceil(len(rows) / blocks)  # rows of even length: 7 splits are 4 + 3
    fig = plt.figure(figsize=(1.75 * cols + 1.0, 4.6 * blocks + 0.4), layout="constrained")
    grid = fig.add_gridspec(2 * blocks, cols, height_ratios=[1.3, 0.8] * blocks)
    sides = ["hybrid", "monolith", *(["ppo"] if analysis.explorers() else [])]
    bars = gaps = None
    for j, row in enumerate(rows):
        top, col = 2 * (j // cols), j % cols
        bars = fig.add_subplot(grid[top, col], sharey=bars)
        gaps = fig.add_subplot(grid[top + 1, col], sharey=gaps)
        _headline_bars(bars, row, sides)
        _headline_gap(gaps, row, sides[1:])
        if col:
            bars.tick_params(labelleft=False)
            gaps.tick_params(labelleft=False)
        else:
            bars.set_ylabel("success rate")
            gaps.set_ylabel("best hybrid minus, points")
    _headline_legend(fig, analysis, sides, any(r.oracle for r in rows))
    fig.suptitle(
        f"Who won, at {counted(analysis.top_budget, 'demonstration episode')}",
        fontsize=10,
    )
    return fig


def _headline_legend(fig: plt.Figure, analysis: Analysis, sides: list[str], oracle: bool) -> None:
    names = {"hybrid": "best hybrid", "monolith": "best monolith", "ppo": "PPO"}
    if analysis.frames:
        names["ppo"] += f" ({frames_text(analysis.frames[-1])})"
    handles = [plt.Rectangle((0, 0), 1, 1, color=SIDES[s], alpha=0.6) for s in sides]
    labels = [names[s] for s in sides]
    if oracle:
        handles.append(plt.Line2D([], [], color=COLORS["oracle"], ls="--"))
        labels.append("oracle")
    fig.legend(handles, labels, fontsize=8, loc="outside lower center", ncol=len(labels))


def _headline_bars(ax: Axes, row: HeadlineRow, sides: list[str]) -> None:
    """One split's panel: each side's best pipeline, named under its bar; n/a for a side that
    did not play; the oracle as a dashed level."""
    for x, side in enumerate(sides):
        cell = getattr(row, side)
        if cell is None:
            ax.text(x, 0.02, "n/a", fontsize=8, ha="center", va="bottom", color="#999999")
            continue
        e = cell.success
        ax.bar(x, e.value, 0.7, color=SIDES[side], alpha=0.6, edgecolor=SIDES[side])
        ax.errorbar(
            x,
            e.value,
            yerr=[[e.value - e.low], [e.high - e.value]],
            color="#333333",
            capsize=3,
            lw=1,
        )
        ax.text(x, e.high + 0.02, f"{100 * e.value:.0f}%", fontsize=8, ha="center")
    if row.oracle is not None:
        ax.axhline(row.oracle.success.value, color=COLORS["oracle"], ls="--", lw=1)
    cells = [getattr(row, side) for side in sides]
    ax.set_xticks(
        range(len(sides)),
        [c.pipeline if c else "" for c in cells],
        rotation=35,
        ha="right",
        fontsize=7.5,
    )
    ax.set_xlim(-0.6, len(sides) - 0.4)
    ax.set_ylim(0, 1.15)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_title(row.split, fontsize=9)
    ax.grid(axis="y", alpha=0.3)


def _headline_gap(ax: Axes, row: HeadlineRow, others: list[str]) -> None:
    """One split's differences: the best hybrid minus each other side, in points, with its
    paired 95% interval, in the other side's colour; above zero, the hybrid is ahead."""
    for x, side in enumerate(others):
        d = getattr(row, f"hybrid_vs_{side}")
        if d is None:
            ax.text(
                x,
                0,
                "n/a",
                fontsize=8,
                ha="center",
                va="center",
                color="#999999",
                bbox={"fc": "white", "ec": "none", "pad": 1},
            )
            continue
        low, high = 100 * (d.value - d.low), 100 * (d.high - d.value)
        ax.errorbar(x, 100 * d.value, yerr=[[low], [high]], fmt="o", color=SIDES[side], ms=5)
        ax.annotate(
            f"{round(100 * d.value) + 0:+d}",  # never -0
            (x, 100 * d.value),
            xytext=(5, 0),
            textcoords="offset points",
            fontsize=8,
            va="center",
        )
    ax.axhline(0, color="#333333", lw=0.8)
    names = {"monolith": "− monolith", "ppo": "− PPO"}
    ax.set_xticks(range(len(others)), [names[s] for s in others], fontsize=7.5)
    ax.set_xlim(-0.6, len(others) - 0.4)
    ax.set_ylim(-110, 110)
    ax.set_yticks([-100, -50, 0, 50, 100])
    ax.grid(axis="y", alpha=0.3)

"""The report's figures of success rates: against demonstration episodes (one panel per split),
against the frames of interaction each pipeline consumed, on every split at the largest budget
(in and out of distribution), and against grid size.
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import NullLocator

from compose.analysis.results import Analysis, counted
from compose.report.figure_style import (
    DODGE,
    errorbar,
    line_kwargs,
    log_x,
    pipeline_styles,
    rank,
)
from environments.registry import make

__all__ = [
    "frames_figure",
    "grid_size_figure",
    "grid_sizes",
    "ood_figure",
    "sample_efficiency_figure",
]


def sample_efficiency_figure(analysis: Analysis) -> plt.Figure:
    """Success against demonstration episodes, one panel per split, one line per learner
    (each in its :func:`pipeline_styles`, nudged sideways so that coinciding lines stay
    visible); the oracle as a dashed level."""
    n = len(analysis.splits)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
    for ax, split in zip(axes.flat, analysis.splits, strict=False):
        _learning_curves(ax, analysis, split)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    if labels:  # none when only PPO (budgeted in frames) was run
        fig.legend(
            handles,
            labels,
            loc="lower center",
            ncol=min(6, len(labels)),
            fontsize=9,
            bbox_to_anchor=(0.5, -0.02),
        )
    fig.tight_layout(rect=(0, 0.06 + 0.03 * (len(labels) > 6), 1, 1))
    return fig


def _learning_curves(ax: Axes, analysis: Analysis, split: str) -> None:
    """One panel of the sample-efficiency figure."""
    style = pipeline_styles(analysis)
    learners = analysis.learners()
    for pipeline in analysis.pipelines:
        st = style[pipeline]
        if analysis.kinds[pipeline] == "oracle":
            cell = analysis.cell(pipeline, 0, split)
            if cell is not None:
                ax.axhline(cell.success.value, color=st.color, ls="--", lw=1, label="oracle")
            continue
        if pipeline not in learners:
            continue  # PPO's budget is frames: see the frames figure
        points = [
            (b, c.success)
            for b in analysis.budgets
            if (c := analysis.cell(pipeline, b, split)) is not None
        ]
        if not points:
            continue
        x = [b * 10 ** (DODGE * rank(pipeline, learners)) for b, _ in points]
        y = [e.value for _, e in points]
        ax.plot(x, y, color=st.color, label=pipeline, **line_kwargs(st))
        low, high = [e.low for _, e in points], [e.high for _, e in points]
        ax.fill_between(x, low, high, color=st.color, alpha=0.1)
    ax.set_title(split, fontsize=10)
    budgets = [b for b in analysis.budgets if b > 0]  # none: only the oracle was run
    if budgets:
        ax.set_xscale("log")
        ax.set_xticks(budgets, [str(b) for b in budgets])
        ax.xaxis.set_minor_locator(NullLocator())  # else a short axis labels 2 × 10⁰
        ax.set_xlim(budgets[0] / 1.3, budgets[-1] * 1.3)
    else:
        ax.set_xticks([])
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("demonstration episodes")
    ax.set_ylabel("success rate")
    ax.grid(alpha=0.3)


def frames_figure(analysis: Analysis) -> plt.Figure:
    """Success on the first split against frames of interaction consumed, every learner."""
    split = analysis.splits[0]
    fig, ax = plt.subplots(figsize=(7.8, 3.8))
    style = pipeline_styles(analysis)
    for pipeline in analysis.pipelines:
        if analysis.kinds[pipeline] == "oracle":
            cell = analysis.cell(pipeline, 0, split)
            if cell is not None:
                color = style[pipeline].color
                ax.axhline(cell.success.value, color=color, ls="--", lw=1, label="oracle")
            continue
        pts = [
            (frames, c.success)
            for b in analysis.budgets_of(pipeline)
            if (c := analysis.cell(pipeline, b, split)) is not None
            and (frames := analysis.fit_mean(pipeline, b, "frames"))
        ]
        if not pts:
            continue
        x = [f * 10 ** (DODGE * rank(pipeline, analysis.pipelines)) for f, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        errorbar(ax, x, y, err, style[pipeline], pipeline)
    log_x(ax)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("frames of interaction consumed (expert's, for imitation; own, for PPO)")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("success against frames of interaction", fontsize=10)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return fig


def ood_figure(analysis: Analysis) -> plt.Figure:
    """Every pipeline on every split at its largest budget, as bars with intervals; each bar's
    number stands upright above its interval, so that narrow bars never overlap."""
    pipelines = analysis.pipelines
    style = pipeline_styles(analysis)
    bars = len(pipelines) * len(analysis.splits)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 + 0.22 * bars), 3.8))
    width = 0.8 / len(pipelines)
    for i, pipeline in enumerate(pipelines):
        xs, cells = [], []
        for j, split in enumerate(analysis.splits):
            x = j + (i - len(pipelines) / 2 + 0.5) * width
            cell = analysis.cell(pipeline, analysis.top_of(pipeline), split)
            if cell is None:
                _upright(ax, x, 0.02, "n/a", color="#999999")
                continue
            xs.append(x)
            cells.append(cell.success)
        ys = [e.value for e in cells]
        err = [[e.value - e.low for e in cells], [e.high - e.value for e in cells]]
        label = pipeline
        if analysis.kinds[pipeline] == "ppo":
            label += f" ({analysis.budget_label(pipeline, analysis.top_of(pipeline))})"
        ax.bar(xs, ys, width, yerr=err, capsize=1.5, color=style[pipeline].color, label=label)
        for x, e in zip(xs, cells, strict=True):  # a 0% bar is invisible without its number
            _upright(ax, x, e.high + 0.02, f"{100 * e.value:.0f}")
    ax.set_xticks(range(len(analysis.splits)), analysis.splits, fontsize=9)
    ax.set_ylim(0, 1.2)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("success rate")
    ax.set_title(
        f"in and out of distribution, {counted(analysis.top_budget, 'demonstration episode')} "
        "(numbers: success %)",
        fontsize=10,
    )
    ax.legend(
        fontsize=8, ncol=min(5, len(pipelines)), loc="upper center", bbox_to_anchor=(0.5, -0.12)
    )
    ax.grid(axis="y", alpha=0.3)
    return fig


def _upright(ax: Axes, x: float, y: float, text: str, color: str = "#222222") -> None:
    """A small label standing upright from ``(x, y)``: as narrow as a line of text is high."""
    ax.text(x, y, text, rotation=90, fontsize=6.5, ha="center", va="bottom", color=color)


def grid_sizes(analysis: Analysis) -> dict[str, int]:
    """The splits that differ from training only in grid size → their size (cells per side)."""
    out: dict[str, int] = {}
    for split in analysis.config.resolved_splits():
        if split.name in analysis.splits and set(split.kwargs) <= {"size"}:
            env = make(split.env or analysis.config.env, **split.kwargs)
            out[split.name] = max(env.height, env.width)
    return out


def grid_size_figure(analysis: Analysis, sizes: dict[str, int]) -> plt.Figure:
    """Success against grid size on the splits that differ from training only in size (each
    pipeline at its largest budget), one line per pipeline, nudged sideways."""
    budget = analysis.top_budget
    order = sorted(sizes, key=sizes.get)
    fig, ax = plt.subplots(figsize=(7.6, 3.6))
    style = pipeline_styles(analysis)
    for pipeline in analysis.pipelines:
        pts = [
            (sizes[s], c.success)
            for s in order
            if (c := analysis.cell(pipeline, analysis.top_of(pipeline), s)) is not None
        ]
        if not pts:
            continue
        x = [n + 0.05 * rank(pipeline, analysis.pipelines) for n, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        errorbar(ax, x, y, err, style[pipeline], pipeline)
    ax.set_xticks(sorted(set(sizes.values())))
    ax.set_xlabel("grid size (cells per side)")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(
        f"success against grid size, {counted(budget, 'demonstration episode')}", fontsize=10
    )
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return fig

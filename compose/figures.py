"""The report's figures, drawn with matplotlib (Agg) into PNG files."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from compose.analysis import Analysis
from environments.registry import make

__all__ = ["draw_all"]

COLORS = {
    "hybrid": "#1b9e77",
    "oracle": "#555555",
    "mono-small": "#fdae6b",
    "mono-medium": "#e6550d",
    "mono-large": "#a63603",
    "mono-pooled": "#7570b3",
    "ppo": "#e7298a",
}


def _color(pipeline: str, i: int) -> str:
    return COLORS.get(pipeline, plt.get_cmap("tab10")(i % 10))


def draw_all(analysis: Analysis, directory: Path) -> dict[str, Path]:
    """Draw every figure; returns name → PNG path."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "sample_efficiency": _sample_efficiency(analysis, directory / "sample_efficiency.png"),
        "ood": _ood(analysis, directory / "ood.png"),
        "latency": _latency(analysis, directory / "latency.png"),
    }
    if analysis.explorers():
        figures["frames"] = _frames(analysis, directory / "frames.png")
    if len(analysis.monolithic()) > 1:
        figures["size_sweep"] = _size_sweep(analysis, directory / "size_sweep.png")
    sizes = grid_sizes(analysis)
    if len(set(sizes.values())) > 1:
        figures["grid_size"] = _grid_size(analysis, sizes, directory / "grid_size.png")
    return figures


def grid_sizes(analysis: Analysis) -> dict[str, int]:
    """The splits that differ from training only in grid size → their size (cells per side)."""
    out: dict[str, int] = {}
    for split in analysis.config.resolved_splits():
        if split.name in analysis.splits and set(split.kwargs) <= {"size"}:
            env = make(split.env or analysis.config.env, **split.kwargs)
            out[split.name] = max(env.height, env.width)
    return out


def _save(fig: plt.Figure, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _sample_efficiency(analysis: Analysis, path: Path) -> Path:
    n = len(analysis.splits)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.3 * rows), squeeze=False)
    for ax, split in zip(axes.flat, analysis.splits, strict=False):
        for i, pipeline in enumerate(analysis.pipelines):
            color = _color(pipeline, i)
            if analysis.kinds[pipeline] == "oracle":
                cell = analysis.cell(pipeline, 0, split)
                if cell is not None:
                    ax.axhline(cell.success.value, color=color, ls="--", lw=1, label="oracle")
                continue
            if pipeline not in analysis.learners():
                continue  # PPO's budget is frames: see the frames figure
            points = [
                (b, c.success)
                for b in analysis.budgets
                if (c := analysis.cell(pipeline, b, split)) is not None
            ]
            if not points:
                continue
            x = [b for b, _ in points]
            y = [e.value for _, e in points]
            ax.plot(x, y, marker="o", color=color, label=pipeline)
            ax.fill_between(
                x, [e.low for _, e in points], [e.high for _, e in points], color=color, alpha=0.15
            )
        ax.set_title(split, fontsize=10)
        budgets = [b for b in analysis.budgets if b > 0]  # none: only the oracle was run
        if budgets:
            ax.set_xscale("log")
            ax.set_xticks(budgets, [str(b) for b in budgets])
        else:
            ax.set_xticks([])
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel("demonstration episodes")
        ax.set_ylabel("success rate")
        ax.grid(alpha=0.3)
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
    fig.subplots_adjust(bottom=0.18)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _ood(analysis: Analysis, path: Path) -> Path:
    budget = analysis.top_budget
    pipelines = analysis.pipelines
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(analysis.splits)), 3.6))
    width = 0.8 / len(pipelines)
    for i, pipeline in enumerate(pipelines):
        xs, ys, lo, hi = [], [], [], []
        for j, split in enumerate(analysis.splits):
            cell = analysis.cell(pipeline, analysis.top_of(pipeline), split)
            if cell is None:
                ax.text(
                    j + (i - len(pipelines) / 2 + 0.5) * width,
                    0.02,
                    "n/a",
                    rotation=90,
                    fontsize=7,
                    ha="center",
                    va="bottom",
                    color="#999999",
                )
                continue
            xs.append(j + (i - len(pipelines) / 2 + 0.5) * width)
            ys.append(cell.success.value)
            lo.append(cell.success.value - cell.success.low)
            hi.append(cell.success.high - cell.success.value)
        label = (
            pipeline
            if pipeline in analysis.learners()
            else (
                f"{pipeline} ({analysis.budget_label(pipeline, analysis.top_of(pipeline))})"
                if analysis.kinds[pipeline] == "ppo"
                else pipeline
            )
        )
        ax.bar(xs, ys, width, yerr=[lo, hi], capsize=2, color=_color(pipeline, i), label=label)
        for x, y in zip(xs, ys, strict=True):  # a 0% bar is invisible without its number
            ax.text(x, min(y, 0.9) + 0.1, f"{100 * y:.0f}", fontsize=6, ha="center")
    ax.set_xticks(range(len(analysis.splits)), analysis.splits, fontsize=9)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("success rate")
    ax.set_title(
        f"in and out of distribution, {budget} demonstration episodes (numbers: success %)",
        fontsize=10,
    )
    ax.legend(
        fontsize=8, ncol=min(6, len(pipelines)), loc="upper center", bbox_to_anchor=(0.5, -0.12)
    )
    ax.grid(axis="y", alpha=0.3)
    return _save(fig, path)


def _latency(analysis: Analysis, path: Path) -> Path:
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
    return _save(fig, path)


def _grid_size(analysis: Analysis, sizes: dict[str, int], path: Path) -> Path:
    budget = analysis.top_budget
    order = sorted(sizes, key=sizes.get)
    fig, ax = plt.subplots(figsize=(6.2, 3.6))
    for i, pipeline in enumerate(analysis.pipelines):
        pts = [
            (sizes[s], c.success)
            for s in order
            if (c := analysis.cell(pipeline, analysis.top_of(pipeline), s)) is not None
        ]
        if not pts:
            continue
        x = [n for n, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        ax.errorbar(
            x, y, yerr=err, marker="o", capsize=2, color=_color(pipeline, i), label=pipeline
        )
    ax.set_xticks(sorted(set(sizes.values())))
    ax.set_xlabel("grid size (cells per side)")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(f"success against grid size, {budget} demonstration episodes", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _frames(analysis: Analysis, path: Path) -> Path:
    """Success on the first split against frames of interaction consumed, every learner."""
    split = analysis.splits[0]
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for i, pipeline in enumerate(analysis.pipelines):
        if analysis.kinds[pipeline] == "oracle":
            cell = analysis.cell(pipeline, 0, split)
            if cell is not None:
                ax.axhline(
                    cell.success.value, color=_color(pipeline, i), ls="--", lw=1, label="oracle"
                )
            continue
        pts = [
            (frames, c.success)
            for b in analysis.budgets_of(pipeline)
            if (c := analysis.cell(pipeline, b, split)) is not None
            and (frames := analysis.fit_mean(pipeline, b, "frames"))
        ]
        if not pts:
            continue
        x = [f for f, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        style = "s--" if analysis.kinds[pipeline] == "ppo" else "o-"
        ax.errorbar(x, y, yerr=err, fmt=style, capsize=2, color=_color(pipeline, i), label=pipeline)
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("frames of interaction consumed (expert's, for imitation; own, for PPO)")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("success against frames of interaction", fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _size_sweep(analysis: Analysis, path: Path) -> Path:
    split = analysis.splits[0]
    fig, ax = plt.subplots(figsize=(6, 3.6))
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
            label=f"{budget} demos",
        )
        for p, s, name in pts:
            ax.annotate(
                name.removeprefix("mono-"),
                (p, s),
                fontsize=7,
                xytext=(3, 3),
                textcoords="offset points",
            )
    ax.set_xscale("log")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("parameters")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("monolithic policies: does size help?", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)

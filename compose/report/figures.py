"""The report's figures, drawn with matplotlib (Agg) into PNG files."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from compose.analysis.results import Analysis, HeadlineRow, counted, frames_text, headline
from environments.registry import make

__all__ = [
    "Style",
    "draw_all",
    "headline_figure",
    "ood_figure",
    "sample_efficiency_figure",
    "styles",
]

DPI = 110

# Pipelines the reports show often keep their colour from report to report; the monolithic
# sizes are shades of one orange, light to dark as they grow.
COLORS = {
    "hybrid": "#1b9e77",
    "hybrid-abduced": "#2166ac",
    "hybrid-legend": "#7fbc41",
    "oracle": "#555555",
    "mono-small": "#fdae6b",
    "mono-medium": "#e6550d",
    "mono-large": "#a63603",
    "mono-pooled": "#d9a300",
    "ppo": "#e7298a",
}
# Other pipelines take the next unused colour of their kind's family (cool for hybrids, warm
# for monolithic networks), then of EXTRA. Every colour here is at least ~20 CIELAB units
# from every other, so no two pipelines of a report look alike.
FAMILIES = {"hybrid": ["#6a3d9a", "#4eb3d3", "#01665e"], "monolithic": ["#8c510a", "#fb9a99"]}
EXTRA = ["#000000", "#bcbd22", "#c7c7c7", "#ffd92f"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">"]
LINESTYLES = ["-", "--", "-.", ":"]
DODGE = 0.025  # decades between the points of two pipelines at one budget (log axes)
SIDES = {"hybrid": "#1b9e77", "monolith": "#e6550d", "ppo": "#e7298a"}  # headline colours


@dataclass(frozen=True)
class Style:
    """How one pipeline is drawn in every figure of a report."""

    color: str
    marker: str
    linestyle: str


def styles(pipelines: list[str], kinds: dict[str, str]) -> dict[str, Style]:
    """A distinct colour per pipeline (while the palette lasts, then repeats), a marker per
    pipeline and, among pipelines of one kind, a line style: two learners whose lines coincide
    (two hybrids at 100%) still show both."""
    used: set[str] = set()
    out = {}
    per_kind: dict[str, int] = {}
    for i, p in enumerate(pipelines):
        kind = kinds.get(p, "")
        color = _pick(p, kind, used, i)
        used.add(color)
        j = per_kind[kind] = per_kind.get(kind, -1) + 1
        out[p] = Style(color, MARKERS[i % len(MARKERS)], LINESTYLES[j % len(LINESTYLES)])
    return out


def _pick(pipeline: str, kind: str, used: set[str], i: int) -> str:
    """The pipeline's own colour if it has one free, else its family's next, else EXTRA's."""
    candidates = [COLORS.get(pipeline, ""), *FAMILIES.get(kind, []), *EXTRA]
    free = [c for c in candidates if c and c not in used]
    return free[0] if free else EXTRA[i % len(EXTRA)]


def _styles(analysis: Analysis) -> dict[str, Style]:
    return styles(analysis.pipelines, analysis.kinds)


def _rank(pipeline: str, pipelines: list[str]) -> float:
    """The pipeline's place among ``pipelines``, centred on zero: how far to nudge its points
    sideways so that points which coincide (two learners at 100%) are all seen."""
    return pipelines.index(pipeline) - (len(pipelines) - 1) / 2


def draw_all(analysis: Analysis, directory: Path) -> dict[str, Path]:
    """Draw every figure; returns name → PNG path."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "headline": _headline(analysis, directory / "headline.png"),
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
    """Lay the figure out tightly, then :func:`_write` it."""
    fig.tight_layout()
    return _write(fig, path)


def _write(fig: plt.Figure, path: Path) -> Path:
    """Save a figure laid out already as a PNG, and free it."""
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def _sample_efficiency(analysis: Analysis, path: Path) -> Path:
    return _write(sample_efficiency_figure(analysis), path)


def sample_efficiency_figure(analysis: Analysis) -> plt.Figure:
    """Success against demonstration episodes, one panel per split, one line per learner
    (each in its :func:`styles`, nudged sideways so that coinciding lines stay visible); the
    oracle as a dashed level."""
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
    style = _styles(analysis)
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
        x = [b * 10 ** (DODGE * _rank(pipeline, learners)) for b, _ in points]
        y = [e.value for _, e in points]
        ax.plot(x, y, color=st.color, label=pipeline, **_line(st))
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


def _headline(analysis: Analysis, path: Path) -> Path:
    return _write(headline_figure(analysis), path)


HEADLINE_COLUMNS = 6  # at most this many splits per row of the headline figure


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


def _ood(analysis: Analysis, path: Path) -> Path:
    return _save(ood_figure(analysis), path)


def ood_figure(analysis: Analysis) -> plt.Figure:
    """Every pipeline on every split at its largest budget, as bars with intervals; each bar's
    number stands upright above its interval, so that narrow bars never overlap."""
    pipelines = analysis.pipelines
    style = _styles(analysis)
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
    fig, ax = plt.subplots(figsize=(7.6, 3.6))
    style = _styles(analysis)
    for pipeline in analysis.pipelines:
        pts = [
            (sizes[s], c.success)
            for s in order
            if (c := analysis.cell(pipeline, analysis.top_of(pipeline), s)) is not None
        ]
        if not pts:
            continue
        x = [n + 0.05 * _rank(pipeline, analysis.pipelines) for n, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        _errorbar(ax, x, y, err, style[pipeline], pipeline)
    ax.set_xticks(sorted(set(sizes.values())))
    ax.set_xlabel("grid size (cells per side)")
    ax.set_ylabel("success rate")
    ax.set_ylim(-0.03, 1.03)
    ax.set_title(
        f"success against grid size, {counted(budget, 'demonstration episode')}", fontsize=10
    )
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _frames(analysis: Analysis, path: Path) -> Path:
    """Success on the first split against frames of interaction consumed, every learner."""
    split = analysis.splits[0]
    fig, ax = plt.subplots(figsize=(7.8, 3.8))
    style = _styles(analysis)
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
        x = [f * 10 ** (DODGE * _rank(pipeline, analysis.pipelines)) for f, _ in pts]
        y = [e.value for _, e in pts]
        err = [[e.value - e.low for _, e in pts], [e.high - e.value for _, e in pts]]
        _errorbar(ax, x, y, err, style[pipeline], pipeline)
    _log_x(ax)
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("frames of interaction consumed (expert's, for imitation; own, for PPO)")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("success against frames of interaction", fontsize=10)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _size_sweep(analysis: Analysis, path: Path) -> Path:
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
    _log_x(ax)
    top = ax.secondary_xaxis("top")  # each size named once, however many budgets share it
    top.set_xticks(list(named.values()), [n.removeprefix("mono-") for n in named], fontsize=7)
    top.xaxis.set_minor_locator(NullLocator())
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel("parameters")
    ax.set_ylabel(f"success rate ({split})")
    ax.set_title("monolithic policies: does size help?", fontsize=10)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return _save(fig, path)


def _errorbar(
    ax: Axes, x: list[float], y: list[float], err: list[list[float]], st: Style, label: str
) -> None:
    """One pipeline's points with their intervals, joined, in its style."""
    ax.errorbar(x, y, yerr=err, capsize=2, color=st.color, label=label, **_line(st))


def _line(st: Style) -> dict[str, Any]:
    """A line's marker and style; a white rim keeps a marker drawn over another one apart."""
    return {"marker": st.marker, "ls": st.linestyle, "ms": 5.5, "mec": "white", "mew": 0.6}


def _log_x(ax: Axes) -> None:
    """A log x axis (call it once the data are drawn) labelled in plain numbers (``20``,
    ``5k``, ``1M``): at 1, 2 and 5 times each power of ten over at most two decades, at the
    powers of ten over more; no minor labels (``2 × 10⁰``), which a short axis otherwise
    draws."""
    ax.set_xscale("log")
    low, high = ax.get_xlim()
    subs = (1.0, 2.0, 5.0) if high / low <= 100 else (1.0,)
    ax.xaxis.set_major_locator(LogLocator(base=10, subs=subs))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: _compact(v)))
    ax.xaxis.set_minor_locator(NullLocator())


def _compact(v: float) -> str:
    """``2``, ``50``, ``5k``, ``1M``."""
    for factor, suffix in ((1e6, "M"), (1e3, "k")):
        if v >= factor:
            return f"{v / factor:g}{suffix}"
    return f"{v:g}"

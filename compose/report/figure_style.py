"""How the report's figures draw: matplotlib on Agg into PNG files at one resolution, one style
(colour, marker, line style) per pipeline that every figure of a report shares, how far to nudge
a pipeline's points sideways so that coinciding points stay visible, and the log axes labelled
in plain numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from compose.analysis.results import Analysis

__all__ = [
    "COLORS",
    "DODGE",
    "EXTRA",
    "FAMILIES",
    "Style",
    "errorbar",
    "line_kwargs",
    "log_x",
    "pipeline_styles",
    "rank",
    "save",
    "styles",
    "write",
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


def pipeline_styles(analysis: Analysis) -> dict[str, Style]:
    """:func:`styles` of the analysis's pipelines."""
    return styles(analysis.pipelines, analysis.kinds)


def rank(pipeline: str, pipelines: list[str]) -> float:
    """The pipeline's place among ``pipelines``, centred on zero: how far to nudge its points
    sideways so that points which coincide (two learners at 100%) are all seen."""
    return pipelines.index(pipeline) - (len(pipelines) - 1) / 2


def save(fig: plt.Figure, path: Path) -> Path:
    """Lay the figure out tightly, then :func:`write` it."""
    fig.tight_layout()
    return write(fig, path)


def write(fig: plt.Figure, path: Path) -> Path:
    """Save a figure laid out already as a PNG, and free it."""
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    return path


def errorbar(
    ax: Axes, x: list[float], y: list[float], err: list[list[float]], st: Style, label: str
) -> None:
    """One pipeline's points with their intervals, joined, in its style."""
    ax.errorbar(x, y, yerr=err, capsize=2, color=st.color, label=label, **line_kwargs(st))


def line_kwargs(st: Style) -> dict[str, Any]:
    """A line's marker and style; a white rim keeps a marker drawn over another one apart."""
    return {"marker": st.marker, "ls": st.linestyle, "ms": 5.5, "mec": "white", "mew": 0.6}


def log_x(ax: Axes) -> None:
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

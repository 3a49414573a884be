"""The figure of ``neurocomp bench --scaling``: each cost against the number of cells, one panel
per game, log-log, each cost's growth exponent in its legend; and the hybrid's success at each
size beside them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from compose.report.figure_style import save

__all__ = ["PLOTTED", "scaling_figure", "write_scaling_figure"]

# The costs drawn, as (column, label): the decision's parts and training.
PLOTTED = (
    ("env_step_us", "env step (µs)"),
    ("oracle_p50_ms", "oracle decision p50 (ms)"),
    ("hybrid_p50_ms", "hybrid decision p50 (ms)"),
    ("neural_p50_ms", "hybrid perception p50 (ms)"),
    ("symbolic_p50_ms", "hybrid reasoning p50 (ms)"),
    ("train_s", "hybrid training (s)"),
)


def _exponent(fit: dict[str, float | None] | None) -> str:
    if not fit or fit.get("exponent") is None:
        return ""
    text = f"{fit['exponent']:.2f}"
    if fit.get("low") is not None:
        text += f" [{fit['low']:.2f}, {fit['high']:.2f}]"
    return f", slope {text}"


def scaling_figure(figures: dict[str, Any]) -> plt.Figure:
    """One column per game of ``figures`` (what :func:`~compose.experiments.scaling.run_scaling`
    returns): its costs against cells on log axes (top) and the hybrid's success (bottom)."""
    games = list(dict.fromkeys(r["game"] for r in figures["rows"]))
    fig, axes = plt.subplots(
        2, len(games), figsize=(4.6 * len(games), 6.2), squeeze=False, height_ratios=(3, 1)
    )
    cmap = plt.get_cmap("tab10")
    for col, game in enumerate(games):
        rows = sorted((r for r in figures["rows"] if r["game"] == game), key=lambda r: r["cells"])
        cells = [r["cells"] for r in rows]
        top, bottom = axes[0][col], axes[1][col]
        for i, (cost, label) in enumerate(PLOTTED):
            values = [r.get(cost) for r in rows]
            if any(v is None or v <= 0 for v in values):
                continue
            fit = figures.get("growth", {}).get(game, {}).get(cost)
            top.plot(cells, values, marker="o", color=cmap(i), label=f"{label}{_exponent(fit)}")
        top.set_xscale("log")
        top.set_yscale("log")
        top.set_title(f"{game}: cost against size", fontsize=10)
        top.grid(alpha=0.3, which="both")
        top.legend(fontsize=6.5, loc="upper left")
        bottom.plot(cells, [100 * r["success"] for r in rows], marker="s", color="#1b9e77")
        bottom.set_xscale("log")
        bottom.set_ylim(-5, 105)
        bottom.set_xlabel("cells (log)")
        bottom.set_ylabel("hybrid success %", fontsize=8)
        bottom.grid(alpha=0.3)
        for ax in (top, bottom):
            ax.set_xticks(cells, [f"{r['cells']:,}" for r in rows], fontsize=7)
            ax.minorticks_off()
    fig.tight_layout()
    return fig


def write_scaling_figure(figures: dict[str, Any], path: Path) -> Path:
    """Draw :func:`scaling_figure` into the PNG file ``path`` (its directory made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    save(scaling_figure(figures), path)
    return path

"""The report's figures, drawn with matplotlib (Agg) into PNG files: which figures a comparison
gets and the file each is written to. Each family is drawn in a module of its own
(:mod:`.figure_headline`, :mod:`.figure_success`, :mod:`.figure_costs`) in the styles of
:mod:`.figure_style`.
"""

from __future__ import annotations

from pathlib import Path

from compose.analysis.results import Analysis
from compose.report.figure_costs import latency_figure, size_sweep_figure
from compose.report.figure_headline import headline_figure
from compose.report.figure_style import save, write
from compose.report.figure_success import (
    frames_figure,
    grid_size_figure,
    grid_sizes,
    ood_figure,
    sample_efficiency_figure,
)

__all__ = ["draw_all"]


def draw_all(analysis: Analysis, directory: Path) -> dict[str, Path]:
    """Draw every figure; returns name → PNG path."""
    directory.mkdir(parents=True, exist_ok=True)
    figures = {
        "headline": write(headline_figure(analysis), directory / "headline.png"),
        "sample_efficiency": write(
            sample_efficiency_figure(analysis), directory / "sample_efficiency.png"
        ),
        "ood": save(ood_figure(analysis), directory / "ood.png"),
        "latency": save(latency_figure(analysis), directory / "latency.png"),
    }
    if analysis.explorers():
        figures["frames"] = save(frames_figure(analysis), directory / "frames.png")
    if len(analysis.monolithic()) > 1:
        figures["size_sweep"] = save(size_sweep_figure(analysis), directory / "size_sweep.png")
    sizes = grid_sizes(analysis)
    if len(set(sizes.values())) > 1:
        path = directory / "grid_size.png"
        figures["grid_size"] = save(grid_size_figure(analysis, sizes), path)
    return figures

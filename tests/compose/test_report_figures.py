"""The report's figures: the headline figure in a built report, a colour of its own for every
pipeline, lines that coincide all visible, labels that do not overlap, clean log axes."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from compose.analysis.results import Analysis, analyse
from compose.experiments.config import ExperimentConfig, default_pipelines
from compose.experiments.store import ResultRow, ResultStore
from compose.pipelines.spec import PipelineSpec
from compose.report import build_report
from compose.report.figure_headline import headline_figure
from compose.report.figure_style import COLORS, EXTRA, FAMILIES, styles
from compose.report.figure_success import ood_figure, sample_efficiency_figure
from tests.compose.synthetic import (
    ABDUCED,
    HYBRID,
    LARGE_AUG,
    LEVELS,
    ORACLE,
    PPO,
    SMALL,
    SPLITS,
    config,
    rows_of,
    solved,
)

IND, LARGER = SPLITS
ALL, HALF = solved(LEVELS), solved(LEVELS // 2)


def lab(color: str) -> np.ndarray:
    """sRGB → CIELAB (D65), where a distance of about 20 is an obvious difference."""
    rgb = np.array(to_rgb(color))
    linear = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = (
        np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
        @ linear
        / np.array([0.95047, 1.0, 1.08883])
    )
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


VARIANTS = [
    *default_pipelines(),
    PipelineSpec(kind="hybrid", supervision="legend"),
    PipelineSpec(kind="hybrid", augment="symmetry"),
    PipelineSpec(kind="monolithic", size="medium", augment="both", training="dagger"),
    PipelineSpec(kind="monolithic", size="medium", inputs="symbols"),
]


def test_pipelines_get_distinct_colours_markers_and_line_styles():
    labels = [p.label for p in VARIANTS]
    kinds = {p.label: p.kind for p in VARIANTS}
    drawn = styles(labels, kinds)
    colours = [drawn[p].color for p in labels]
    assert len(set(colours)) == len(labels)
    closest = min(np.linalg.norm(lab(a) - lab(b)) for a, b in itertools.combinations(colours, 2))
    assert closest > 20, closest
    hybrids = [drawn[p] for p in labels if kinds[p] == "hybrid"]
    assert len({s.marker for s in hybrids}) == len({s.linestyle for s in hybrids}) == 4


def test_every_colour_the_palette_gives_is_far_from_every_other():
    """As many pipelines as the palette has colours: each its own, none close to another."""
    kinds = {p: "hybrid" if p.startswith("hybrid") else "monolithic" for p in COLORS}
    kinds |= {f"hybrid-x{i}": "hybrid" for i in range(len(FAMILIES["hybrid"]))}
    kinds |= {f"mono-x{i}": "monolithic" for i in range(len(FAMILIES["monolithic"]))}
    kinds |= {f"other-{i}": "other" for i in range(len(EXTRA))}
    colours = [s.color for s in styles(list(kinds), kinds).values()]
    assert len(set(colours)) == len(colours)
    closest = min(np.linalg.norm(lab(a) - lab(b)) for a, b in itertools.combinations(colours, 2))
    assert closest > 20, closest


def test_a_pipeline_keeps_its_colour_from_report_to_report():
    alone = styles(["mono-large"], {"mono-large": "monolithic"})
    among = styles([p.label for p in VARIANTS], {p.label: p.kind for p in VARIANTS})
    assert alone["mono-large"].color == among["mono-large"].color


@pytest.fixture(scope="module")
def two_hybrids_at_100() -> Analysis:
    """hybrid and hybrid-abduced solve every level at both budgets (1 and 3): their lines
    coincide exactly."""
    rows = [
        *[r for b in (1, 3) for r in rows_of(HYBRID, b, ALL)],
        *[r for b in (1, 3) for r in rows_of(ABDUCED, b, ALL)],
        *[r for b in (1, 3) for r in rows_of(SMALL, b, HALF)],
        *rows_of(ORACLE, 0, ALL),
    ]
    return analyse(rows, {}, config(HYBRID, ABDUCED, SMALL, ORACLE, budgets=[1, 3]))


def test_lines_that_coincide_stay_visible(two_hybrids_at_100):
    fig = sample_efficiency_figure(two_hybrids_at_100)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    hybrid, abduced = lines["hybrid"], lines["hybrid-abduced"]
    assert list(hybrid.get_ydata()) == list(abduced.get_ydata()) == [1.0, 1.0]
    assert hybrid.get_color() != abduced.get_color()
    assert hybrid.get_marker() != abduced.get_marker()
    assert hybrid.get_linestyle() != abduced.get_linestyle()
    apart = np.array(abduced.get_xdata()) / np.array(hybrid.get_xdata())
    assert np.all(apart > 1.03)  # nudged apart, by far less than a budget step (×3)
    assert np.all(apart < 1.2)


def test_a_short_log_axis_has_no_stray_tick_label(two_hybrids_at_100):
    """Budgets 1 and 3 span less than a decade: matplotlib would add a minor label there."""
    fig = sample_efficiency_figure(two_hybrids_at_100)
    fig.canvas.draw()
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3"]
    assert [t.get_text() for t in ax.get_xticklabels(minor=True) if t.get_text()] == []


def test_the_value_labels_of_the_out_of_distribution_bars_do_not_overlap():
    """The ten default pipelines on three splits: 30 narrow bars, each with its number, side
    by side at the same height (every pipeline scores alike on a split)."""
    splits = (IND, LARGER, "third")
    rows = []
    for spec in default_pipelines():
        budget = 0 if spec.kind == "oracle" else 5000 if spec.kind == "ppo" else 10
        for split, k in zip(splits, (LEVELS, LEVELS // 2, 0), strict=True):
            if (spec.label, split) != ("mono-small", LARGER):
                rows += rows_of(spec, budget, solved(k), split)
    a = analyse(rows, {}, config(*default_pipelines(), budgets=[10], splits=splits))
    fig = ood_figure(a)
    fig.tight_layout()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(default_pipelines()) == 10
    assert len(boxes) == 30  # 29 numbers and one n/a
    overlapping = [
        (ax.texts[i].get_text(), ax.texts[j].get_text())
        for i, j in itertools.combinations(range(len(boxes)), 2)
        if boxes[i].overlaps(boxes[j])
    ]
    assert overlapping == []
    colours = {tuple(bar.get_facecolor()) for bar in ax.patches}
    assert len(colours) == len(default_pipelines())  # a colour of its own for every pipeline


@pytest.fixture(scope="module")
def compared() -> list[ResultRow]:
    """Best hybrid 100% on in-distribution and hybrid-abduced best on larger; best monolith
    mono-large-aug (20%); PPO 50% at its largest budget (5,000 frames)."""
    return [
        *rows_of(HYBRID, 1, HALF),
        *rows_of(HYBRID, 10, ALL),
        *rows_of(HYBRID, 10, HALF, LARGER),
        *rows_of(ABDUCED, 10, solved(12), LARGER),
        *rows_of(ABDUCED, 10, HALF),
        *rows_of(SMALL, 10, solved(0)),
        *rows_of(LARGE_AUG, 10, solved(4)),
        *rows_of(PPO, 1000, ALL),
        *rows_of(PPO, 5000, HALF),
        *rows_of(ORACLE, 0, ALL),
        *rows_of(ORACLE, 0, ALL, LARGER),
    ]


COMPARED = (HYBRID, ABDUCED, SMALL, LARGE_AUG, PPO, ORACLE)


def test_the_headline_figure_names_the_best_of_each_side(compared):
    fig = headline_figure(analyse(compared, {}, config(*COMPARED)))
    ind, ind_gaps, larger, larger_gaps = fig.axes  # per split: success, then differences
    assert (ind.get_title(), larger.get_title()) == (IND, LARGER)
    assert [t.get_text() for t in ind.get_xticklabels()] == ["hybrid", "mono-large-aug", "ppo"]
    assert [t.get_text() for t in larger.get_xticklabels()] == ["hybrid-abduced", "", ""]
    assert [t.get_text() for t in ind.texts] == ["100%", "20%", "50%"]
    assert [t.get_text() for t in larger.texts] == ["60%", "n/a", "n/a"]
    assert [t.get_text() for t in ind_gaps.texts] == ["+80", "+50"]
    assert [t.get_text() for t in larger_gaps.texts] == ["n/a", "n/a"]  # no monolith, no PPO


def test_the_headline_figure_wraps_many_splits_into_even_rows():
    splits = tuple(f"split-{i}" for i in range(7))
    rows = [r for s in splits for r in rows_of(HYBRID, 10, ALL, s)]
    fig = headline_figure(analyse(rows, {}, config(HYBRID, budgets=[10], splits=splits)))
    tops = sorted({round(ax.get_position().y1, 2) for ax in fig.axes[::2]}, reverse=True)
    per_row = [sum(round(ax.get_position().y1, 2) == y for ax in fig.axes[::2]) for y in tops]
    assert per_row == [4, 3]


def write_comparison(directory: Path, rows: list[ResultRow], cfg: ExperimentConfig) -> None:
    """A comparison directory as ``neurocomp compare`` leaves it: its config and database."""
    directory.mkdir()
    settings = cfg.settings_hash()
    (directory / "config.json").write_text(
        json.dumps({"settings_hash": settings, "config": json.loads(cfg.model_dump_json())})
    )
    ResultStore(directory / "results.sqlite").write_job(
        [replace(r, settings_hash=settings) for r in rows]
    )


def test_a_built_report_leads_with_the_headline_figure(compared, tmp_path):
    out = tmp_path / "out"
    write_comparison(out, compared, config(*COMPARED))
    files = build_report(out)
    png = out / "figures" / "headline.png"
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    markdown = files.markdown.read_text()
    at = markdown.index("![")
    assert (
        markdown[at:].startswith("![One column per split") and "(figures/headline.png)" in markdown
    )
    assert markdown.index("## Who won") < at < markdown.index("### Every learner")
    assert base64.b64encode(png.read_bytes()).decode() in files.html.read_text()
    headline = json.loads(files.json.read_text())["headline"]
    assert [h["hybrid"]["pipeline"] for h in headline] == ["hybrid", "hybrid-abduced"]

"""The report's "Success rates" section: every pipeline's success with its 95% interval, per
budget and split, its mean return and steps, the splits' environments, and whether the
evaluation levels were unseen in training.
"""

from __future__ import annotations

from collections.abc import Callable

from compose.analysis.cells import Cell
from compose.analysis.results import Analysis
from compose.report.document import Block, H, P, Table

__all__ = ["success_table", "unseen_levels"]


def _per_cell_rows(a: Analysis, show: Callable[[Cell], str]) -> list[list[str]]:
    """One row per pipeline and budget, one column per split."""
    rows = []
    for pipeline in a.pipelines:
        for b in a.budgets_of(pipeline):
            cells = [a.cell(pipeline, b, s) for s in a.splits]
            rows.append(
                [pipeline, a.budget_label(pipeline, b), *[show(c) if c else "n/a" for c in cells]]
            )
    return rows


def success_table(a: Analysis) -> list[Block]:
    headers = ["pipeline", "budget", *a.splits]
    rows = _per_cell_rows(a, lambda c: c.success.text())
    returns = _per_cell_rows(a, lambda c: f"{c.mean_return:.3f} / {c.mean_steps:.0f}")
    split_rows = [[s, a.split_envs[s]] for s in a.splits]
    return [
        H(2, "Success rates"),
        P(
            "Success rate with its 95% interval, per pipeline, budget (demonstration episodes; "
            "for PPO, which learns from reward, environment frames) and evaluation split. n/a: "
            "the pipeline cannot play that split's screen size."
        ),
        Table(headers, rows),
        P("Mean return / mean steps per episode (a timeout counts its full length):"),
        Table(headers, returns),
        P("Splits:"),
        Table(["split", "environment"], split_rows),
        *unseen_levels(a),
    ]


def unseen_levels(a: Analysis) -> list[Block]:
    """Whether the evaluation levels were unseen: by content, per pipeline and split."""
    cells = [c for c in a.cells.values() if c.kind != "oracle"]
    counts = [c.seen for c in cells]
    if not cells or None in counts:
        return [P("Levels: these rows predate the record of levels met in training.")]
    method = (
        "Every pipeline trains on levels redrawn until their content (every cell, the agent, "
        "what it holds) differs from each evaluation level of its seed, so that no "
        "evaluation level is one it trained on, unless the game has too few distinct levels."
    )
    if not any(counts):
        return [P(f"**Unseen levels.** {method} Here none was: 0 of the evaluation levels.")]
    rows = []
    for pipeline in a.pipelines:
        for b in a.budgets_of(pipeline):
            found = [a.cell(pipeline, b, s) for s in a.splits]
            if any(c is not None and c.seen for c in found):
                shown = [f"{c.seen} of {c.success.n}" if c else "n/a" for c in found]
                rows.append([pipeline, a.budget_label(pipeline, b), *shown])
    return [
        P(
            f"**Unseen levels.** {method} This game has too few for that: the evaluation "
            "levels each pipeline met in training, by content (all the others were unseen):"
        ),
        Table(["pipeline", "budget", *a.splits], rows),
    ]

"""``results.json``: the analysis as plain JSON, every row, every cell's estimate, every
verdict, the headline and the demonstrations each learner needed to reach the goal, so that
other tools read a comparison's numbers without this package.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from compose.analysis.cells import Cell
from compose.analysis.headline import HeadlineRow, headline
from compose.analysis.results import Analysis
from compose.analysis.verdicts import standing
from compose.common.stats import Estimate

__all__ = ["to_json"]


def to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as ``results.json``: the headline (:func:`headline`), every row, every
    cell's estimate, every verdict, and the demonstrations each learner needed to reach 95%
    success (:class:`~compose.analysis.goal.BudgetToGoal`)."""
    rows = [
        {
            "pipeline": r.pipeline,
            "kind": r.kind,
            "budget": r.budget,
            "seed": r.seed,
            "split": r.split,
            "episodes": r.episodes,
            "successes": r.successes,
            "success_rate": r.success_rate,
            "seen_levels": r.seen_levels,  # evaluation levels met in training, by content
            "mean_return": r.mean_return,
            "mean_steps": r.mean_steps,
            "latency_ms": r.latency,
            "params": r.fit.get("params"),
            "train_seconds": r.fit.get("train_seconds"),
            "frames": r.fit.get("frames"),
            "actions": r.fit.get("actions"),
            "cell_labels": r.fit.get("cell_labels"),
            "rule_clauses": r.fit.get("rule_clauses"),
        }
        for r in sorted(a.rows, key=lambda r: (r.pipeline, r.budget, r.seed, r.split))
    ]
    summary = [
        {
            "pipeline": c.pipeline,
            "budget": c.budget,
            "split": c.split,
            "seeds": c.seeds,
            "episodes": c.success.n,
            "success_rate": c.success.value,
            "ci95": [c.success.low, c.success.high],
            "mean_return": c.mean_return,
        }
        for c in sorted(a.cells.values(), key=lambda c: (c.pipeline, c.budget, c.split))
    ]
    verdicts = [
        {
            "split": v.split,
            "budget": v.budget,
            "winner": v.winner.pipeline,
            "runner_up": v.runner_up.pipeline if v.runner_up else None,
            "difference": None if v.difference is None else v.difference.value,
            "difference_ci95": None
            if v.difference is None
            else [v.difference.low, v.difference.high],
            "clear": v.clear,
            "tied": v.tied,
            "nobody": v.nobody,
        }
        for v in a.verdicts
    ]
    return {
        "env": a.config.env,
        "headline": [_headline_json(h) for h in headline(a)],
        "settings_hash": a.settings_hash,
        "config": json.loads(a.config.model_dump_json()),
        "rows": rows,
        "summary": summary,
        "verdicts": verdicts,
        "budget_to_goal": [asdict(g) for g in a.budget_to_goal()],
    }


def _headline_json(h: HeadlineRow) -> dict[str, Any]:
    """One headline row: each side as its pipeline, budget and success (None: did not play),
    each difference in proportions with its interval and :func:`standing`."""
    return {
        "split": h.split,
        "budget": h.budget,
        "hybrid": _side_json(h.hybrid),
        "monolith": _side_json(h.monolith),
        "ppo": _side_json(h.ppo),
        "oracle": _side_json(h.oracle),
        "hybrid_minus_monolith": _gap_json(h.hybrid_vs_monolith),
        "hybrid_minus_ppo": _gap_json(h.hybrid_vs_ppo),
    }


def _side_json(c: Cell | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {
        "pipeline": c.pipeline,
        "budget": c.budget,
        "success_rate": c.success.value,
        "ci95": [c.success.low, c.success.high],
    }


def _gap_json(d: Estimate | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"difference": d.value, "ci95": [d.low, d.high], "standing": standing(d)}

"""From result rows to the numbers a report shows: estimates, the headline (best hybrid
against the best monolith and PPO), winners, costs, attributions.

Everything here is computed from the database rows alone, so ``neurocomp report DIR`` can
rebuild a report at any time and its numbers always match the database.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from statistics import median
from typing import Any

from compose.analysis.goal import GOAL, BudgetToGoal, budget_to_goal
from compose.common.stats import Estimate, paired_difference, success_estimate
from compose.experiments.config import ExperimentConfig
from compose.experiments.store import ResultRow

__all__ = [
    "GOAL",
    "Analysis",
    "BudgetToGoal",
    "Cell",
    "HeadlineRow",
    "Verdict",
    "analyse",
    "best_cell",
    "budget_to_goal",
    "counted",
    "frames_text",
    "headline",
    "standing",
    "to_json",
]


@dataclass
class Cell:
    """One pipeline × budget × split, over all seeds."""

    pipeline: str
    kind: str
    budget: int
    split: str
    rows: list[ResultRow]  # one per seed, sorted by seed
    success: Estimate

    @property
    def seeds(self) -> list[int]:
        return [r.seed for r in self.rows]

    @property
    def outcomes(self) -> list[str]:
        return [r.outcomes for r in self.rows]

    @property
    def seen(self) -> int | None:
        """Evaluation levels (over all seeds) whose content the pipeline met in training;
        None if a row predates that record."""
        counts = [r.seen_levels for r in self.rows]
        return None if None in counts else sum(counts)  # type: ignore[arg-type]

    @property
    def mean_return(self) -> float:
        return sum(r.mean_return * r.episodes for r in self.rows) / sum(
            r.episodes for r in self.rows
        )

    @property
    def mean_steps(self) -> float:
        return sum(r.mean_steps * r.episodes for r in self.rows) / sum(
            r.episodes for r in self.rows
        )


@dataclass
class Verdict:
    """Who won one split at one budget, and how sure we are."""

    split: str
    budget: int
    winner: Cell
    runner_up: Cell | None
    difference: Estimate | None

    @property
    def clear(self) -> bool:
        return self.difference is not None and self.difference.low > 0 and not self.nobody

    @property
    def nobody(self) -> bool:
        """No learner solved a single level: there is no winner to name."""
        return self.winner.success.value == 0

    @property
    def tied(self) -> bool:
        """The two best learners solved exactly as many levels."""
        return self.runner_up is not None and (
            self.runner_up.success.value == self.winner.success.value
        )


@dataclass(frozen=True)
class HeadlineRow:
    """The question a comparison is read for, on one split: does the best hybrid beat the best
    that the networks managed? One row of :func:`headline`.

    ``hybrid`` and ``monolith`` are the best cells (:func:`best_cell`: highest success, then
    highest mean return, then the earlier in the config), at ``budget`` demonstration
    episodes, among every pipeline of kind ``hybrid`` and among every pipeline of kind
    ``monolithic``, whatever its perception, size, inputs, augmentation or training. ``ppo``
    is the best cell of the pipelines that learn from reward, each at its own largest budget
    of frames (read it from ``ppo.budget``), not at its best one. ``oracle`` (it reads the
    true scene) is the upper bound, not a contender. Each is None when no such pipeline played
    the split: a fixed-size network on a larger screen, a comparison without PPO, a split only
    the oracle played. ``budget`` is the analysis's largest demonstration budget (0 when only
    the oracle and PPO ran).

    ``hybrid_vs_monolith`` and ``hybrid_vs_ppo`` are the hybrid's success minus the other's,
    in proportions (+0.8: the hybrid 80 points ahead), with a paired 95% interval
    (:func:`compose.common.stats.paired_difference`: the same seeds and levels drawn for both).
    :attr:`over_monolith` and :attr:`over_ppo` read them (:func:`standing`). A difference is
    None when either side is missing or the two were not evaluated on the same seeds with as
    many levels each (a failed job): an unpaired difference would add which levels were drawn
    to how the pipelines differ.
    """

    split: str
    budget: int  # demonstration episodes of the hybrid and monolith cells (the largest)
    hybrid: Cell | None
    monolith: Cell | None
    ppo: Cell | None
    oracle: Cell | None
    hybrid_vs_monolith: Estimate | None
    hybrid_vs_ppo: Estimate | None

    @property
    def over_monolith(self) -> str | None:
        """:func:`standing` of the hybrid against the best monolith."""
        return standing(self.hybrid_vs_monolith)

    @property
    def over_ppo(self) -> str | None:
        """:func:`standing` of the hybrid against PPO."""
        return standing(self.hybrid_vs_ppo)


def standing(difference: Estimate | None) -> str | None:
    """``"ahead"`` when the whole 95% interval of a difference is above zero, ``"behind"``
    when it is below, ``"within noise"`` when it holds zero (an exact tie among them); None
    without a difference."""
    if difference is None:
        return None
    if difference.low > 0:
        return "ahead"
    return "behind" if difference.high < 0 else "within noise"


@dataclass
class Analysis:
    config: ExperimentConfig
    settings_hash: str
    pipelines: list[str]  # in config order
    kinds: dict[str, str]
    budgets: list[int]  # demonstration episodes of the learners that imitate
    frames: list[int]  # environment frames of the learners that explore (PPO)
    splits: list[str]
    split_envs: dict[str, str]
    cells: dict[tuple[str, int, str], Cell]
    rows: list[ResultRow]
    traces: dict[str, dict[str, Any]]
    verdicts: list[Verdict] = field(default_factory=list)
    _to_goal: dict[float, list[BudgetToGoal]] = field(
        default_factory=dict, repr=False, compare=False
    )

    # -- lookups -----------------------------------------------------------------------------
    def cell(self, pipeline: str, budget: int, split: str) -> Cell | None:
        budget = 0 if self.kinds.get(pipeline) == "oracle" else budget
        return self.cells.get((pipeline, budget, split))

    def learners(self) -> list[str]:
        """Pipelines that learn from demonstrations (the hybrid, the monolithic networks):
        the contenders at each demonstration budget."""
        return [p for p in self.pipelines if self.kinds[p] in ("hybrid", "monolithic")]

    def explorers(self) -> list[str]:
        """Pipelines that learn from reward, budgeted in frames (PPO)."""
        return [p for p in self.pipelines if self.kinds[p] == "ppo"]

    def budgets_of(self, pipeline: str) -> list[int]:
        """The budgets on ``pipeline``'s own axis: frames for PPO, demonstrations otherwise."""
        kind = self.kinds[pipeline]
        return [0] if kind == "oracle" else self.frames if kind == "ppo" else self.budgets

    def top_of(self, pipeline: str) -> int:
        return max(self.budgets_of(pipeline) or [0])

    def budget_label(self, pipeline: str, budget: int) -> str:
        """``10``, ``100k frames`` or ``—`` (the oracle)."""
        kind = self.kinds[pipeline]
        return "—" if kind == "oracle" else frames_text(budget) if kind == "ppo" else str(budget)

    def monolithic(self) -> list[str]:
        return [p for p in self.pipelines if self.kinds[p] == "monolithic"]

    @property
    def top_budget(self) -> int:
        return max(self.budgets)

    def hybrids(self) -> list[str]:
        """The hybrid pipelines, however their perception learns (labels, abduced, legend)."""
        return [p for p in self.pipelines if self.kinds[p] == "hybrid"]

    def reference_hybrid(self) -> str | None:
        """The hybrid ratios are taken to: ``hybrid`` (labelled perception) if it ran, else
        the first hybrid of the config; None without any."""
        hybrids = self.hybrids()
        return "hybrid" if "hybrid" in hybrids else next(iter(hybrids), None)

    def budget_to_goal(self, goal: float = GOAL) -> list[BudgetToGoal]:
        """:func:`budget_to_goal` of this analysis, computed once per goal."""
        if goal not in self._to_goal:
            self._to_goal[goal] = budget_to_goal(self, goal)
        return self._to_goal[goal]

    def fit_extra(self, pipeline: str, budget: int, key: str) -> float | None:
        """Mean over seeds of a figure a pipeline's training reported beside the usual ones."""
        per_job = {
            r.job: r.fit["extra"][key]
            for r in self.rows
            if r.pipeline == pipeline
            and r.budget == budget
            and isinstance(r.fit.get("extra"), dict)
            and r.fit["extra"].get(key) is not None
        }
        return sum(per_job.values()) / len(per_job) if per_job else None

    def fit_mean(self, pipeline: str, budget: int, key: str) -> float | None:
        """Mean of a training figure over seeds (each job repeats it on all its rows)."""
        budget = 0 if self.kinds.get(pipeline) == "oracle" else budget
        per_job = {
            r.job: r.fit[key]
            for r in self.rows
            if r.pipeline == pipeline and r.budget == budget and r.fit.get(key) is not None
        }
        return sum(per_job.values()) / len(per_job) if per_job else None

    def latency(self, pipeline: str, budget: int, split: str) -> dict[str, float] | None:
        cell = self.cell(pipeline, budget, split)
        if cell is None:
            return None
        keys = cell.rows[0].latency.keys()
        return {k: median(r.latency[k] for r in cell.rows) for k in keys}

    def trace_for(self, pipeline: str, budget: int, seed: int = 0) -> dict[str, Any] | None:
        for row in self.rows:
            if (row.pipeline, row.budget, row.seed) == (pipeline, budget, seed):
                if row.job in self.traces:
                    return self.traces[row.job]
        return None

    def attribution(self, budget: int, split: str) -> dict[str, Any] | None:
        """Hybrid failures split into perception and reasoning, against the oracle."""
        hybrid = self.cell("hybrid", budget, split)
        if hybrid is None:
            return None
        per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        decisions = wrong = changed = 0
        for row in hybrid.rows:
            audit = row.attribution or {}
            for kind, counts in audit.get("per_kind", {}).items():
                per_kind[kind][0] += counts["cells"]
                per_kind[kind][1] += counts["correct"]
            decisions += audit.get("decisions", 0)
            wrong += audit.get("wrong_scenes", 0)
            changed += audit.get("changed_actions", 0)
        out: dict[str, Any] = {
            "per_kind": {k: c / n for k, (n, c) in per_kind.items() if n},
            "decisions": decisions,
            "wrong_scenes": wrong,
            "changed_actions": changed,
        }
        oracle = self.cell("oracle", 0, split)
        if oracle is not None:
            by_seed = {r.seed: r.outcomes for r in oracle.rows}
            perception = reasoning = failures = 0
            for row in hybrid.rows:
                truth = by_seed.get(row.seed)
                if truth is None or len(truth) != len(row.outcomes):
                    continue
                for h, o in zip(row.outcomes, truth, strict=True):
                    if h == "0":
                        failures += 1
                        perception += o == "1"
                        reasoning += o == "0"
            out.update(
                failures=failures, perception_failures=perception, reasoning_failures=reasoning
            )
        return out


def frames_text(frames: int) -> str:
    """``100k frames``, ``2M frames``, ``1 frame``."""
    if frames >= 1_000_000 and frames % 100_000 == 0:
        return f"{frames / 1_000_000:g}M frames"
    if frames >= 1000 and frames % 1000 == 0:
        return f"{frames // 1000}k frames"
    return counted(frames, "frame")


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``1 episode``, ``3 episodes``, ``1,000 demonstration episodes``, ``2 moves``: a count
    and its noun, singular for exactly one (the plural is ``singular + "s"`` unless given)."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def analyse(
    rows: list[ResultRow], traces: dict[str, dict[str, Any]], config: ExperimentConfig
) -> Analysis:
    """Group rows into cells with confidence intervals and decide the winners."""
    groups: dict[tuple[str, int, str], list[ResultRow]] = defaultdict(list)
    kinds: dict[str, str] = {}
    split_envs: dict[str, str] = {}
    for row in rows:
        groups[(row.pipeline, row.budget, row.split)].append(row)
        kinds[row.pipeline] = row.kind
        split_envs[row.split] = row.split_env
    cells = {}
    for (pipeline, budget, split), group in groups.items():
        group.sort(key=lambda r: r.seed)
        cells[(pipeline, budget, split)] = Cell(
            pipeline,
            group[0].kind,
            budget,
            split,
            group,
            success_estimate([r.outcomes for r in group]),
        )
    order = [p.label for p in config.pipelines if p.label in kinds]
    splits = [s.name for s in config.resolved_splits() if s.name in split_envs]
    analysis = Analysis(
        config=config,
        settings_hash=config.settings_hash(),
        pipelines=order,
        kinds=kinds,
        budgets=sorted({r.budget for r in rows if r.kind in ("hybrid", "monolithic")}) or [0],
        frames=sorted({r.budget for r in rows if r.kind == "ppo"}),
        splits=splits,
        split_envs=split_envs,
        cells=cells,
        rows=rows,
        traces=traces,
    )
    analysis.verdicts = [
        v
        for split in splits
        for budget in analysis.budgets
        if (v := _verdict(analysis, split, budget)) is not None
    ]
    return analysis


def _verdict(analysis: Analysis, split: str, budget: int) -> Verdict | None:
    contenders = [
        c for p in analysis.learners() if (c := analysis.cell(p, budget, split)) is not None
    ]
    if not contenders:
        return None
    contenders.sort(key=lambda c: (c.success.value, c.mean_return), reverse=True)
    winner = contenders[0]
    runner_up = contenders[1] if len(contenders) > 1 else None
    return Verdict(split, budget, winner, runner_up, _paired(winner, runner_up))


def headline(a: Analysis) -> list[HeadlineRow]:
    """The answer to "does the hybrid beat the networks?": one :class:`HeadlineRow` per split
    of the analysis (``a.splits``, in order), at its largest demonstration budget — the best
    hybrid, the best monolith, PPO at its largest budget of frames and the oracle, with the
    best hybrid's paired differences to the best monolith and to PPO.

    Every split of the analysis gets its row, however little played it; a side that did not
    play is None, and so is any difference it would enter (only the oracle ran: every side
    but the oracle, and both differences). Deterministic: the same analysis gives the same
    rows, intervals included. ``results.json`` holds it under ``"headline"``."""
    return [_headline_row(a, split) for split in a.splits]


def _headline_row(a: Analysis, split: str) -> HeadlineRow:
    budget = a.top_budget
    hybrid = best_cell([a.cell(p, budget, split) for p in a.hybrids()])
    monolith = best_cell([a.cell(p, budget, split) for p in a.monolithic()])
    ppo = best_cell([a.cell(p, a.top_of(p), split) for p in a.explorers()])
    oracle = best_cell([a.cell(p, 0, split) for p in a.pipelines if a.kinds[p] == "oracle"])
    return HeadlineRow(
        split,
        budget,
        hybrid,
        monolith,
        ppo,
        oracle,
        _paired(hybrid, monolith),
        _paired(hybrid, ppo),
    )


def best_cell(cells: list[Cell | None]) -> Cell | None:
    """The cell with the highest success, then the highest mean return; the first such on a
    tie (None counts as not played; None when none was)."""
    played = [c for c in cells if c is not None]
    return max(played, key=lambda c: (c.success.value, c.mean_return), default=None)


def _paired(a: Cell | None, b: Cell | None) -> Estimate | None:
    """``a`` minus ``b`` paired on the same seeds and levels; None if they cannot be paired."""
    if a is None or b is None or a.seeds != b.seeds:
        return None
    try:
        return paired_difference(a.outcomes, b.outcomes)
    except ValueError:  # as many seeds, but not as many levels
        return None


def to_json(a: Analysis) -> dict[str, Any]:
    """The analysis as ``results.json``: the headline (:func:`headline`), every row, every
    cell's estimate, every verdict, and the demonstrations each learner needed to reach 95%
    success (:class:`BudgetToGoal`)."""
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

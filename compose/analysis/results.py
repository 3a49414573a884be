"""From result rows to the analysis a report reads: the rows grouped into cells (a pipeline at
one budget on one split, over all seeds, with its success estimate), the verdicts decided on
them, and the lookups the report's sections and figures use (cells, training figures,
latencies, traces, failure attribution); and how counts are written (``3 episodes``,
``100k frames``).

Everything here is computed from the database rows alone, so ``neurocomp report DIR`` can
rebuild a report at any time and its numbers always match the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from compose.analysis.cells import Cell
from compose.analysis.goal import GOAL, BudgetToGoal, budget_to_goal
from compose.analysis.verdicts import Verdict, decide
from compose.common.stats import success_estimate
from compose.experiments.config import ExperimentConfig
from compose.experiments.store import ResultRow
from compose.pipelines.spec import PipelineSpec, spec_of

__all__ = ["Analysis", "analyse", "counted", "frames_text"]


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
    def spec(self, pipeline: str) -> PipelineSpec | None:
        """What the pipeline of a row is: its spec in the config (or, for a pipeline an earlier
        run of this directory added, the one its label names); None for one of your own."""
        for spec in self.config.pipelines:
            if spec.label == pipeline:
                return spec
        return spec_of(pipeline)

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
        decisions = wrong = 0
        changed: int | None = 0
        for row in hybrid.rows:
            audit = row.attribution or {}
            for kind, counts in audit.get("per_kind", {}).items():
                per_kind[kind][0] += counts["cells"]
                per_kind[kind][1] += counts["correct"]
            decisions += audit.get("decisions", 0)
            wrong += audit.get("wrong_scenes", 0)
            if changed is not None:  # None: not measured (a reasoner that keeps a map)
                more = audit.get("changed_actions", 0)
                changed = None if more is None else changed + more
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
    """The verdict among the learners that played ``split`` at ``budget``, in config order."""
    contenders = [
        c for p in analysis.learners() if (c := analysis.cell(p, budget, split)) is not None
    ]
    return decide(split, budget, contenders)

"""One task, in a worker: train a pipeline once, evaluate it on every split it can play (its
levels in lockstep, see :mod:`compose.play`), and return one result row per split with where the
job's seconds went (``cost``), what perception got wrong (hybrids) and, where the rules answer an
agent's questions, what the run's transitions contradict in them."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import numpy as np

from compose.common.levels import Levels, evaluation_levels
from compose.experiments.config import ExperimentConfig, SplitSpec
from compose.experiments.plan import Job
from compose.experiments.store import JobResult, ResultRow
from compose.pipelines.base import FitReport, Pipeline, Step
from compose.pipelines.hybrid import HybridPipeline
from compose.pipelines.rule_checks import auditable, rules_audit
from compose.play import evaluate, play_episode
from compose.training.build import build_pipeline, train_pipeline_at
from environments.registry import make
from symbolic.reasoner import Reasoner

__all__ = ["JobResult", "PerceptionAudit", "example_episode", "run_job", "run_task", "versions"]


TRACE_STEPS = 40  # at most this many steps of the example episode are kept


def versions() -> dict[str, str]:
    """Versions of what produced a result."""
    found = {"python": sys.version.split()[0]}
    for package in ("neurocomp", "torch", "numpy", "gymnasium", "pyswip", "networkx"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


# -- one job (runs in a worker) ------------------------------------------------------------------
class PerceptionAudit:
    """Counts, per decision of a hybrid, what perception got wrong and whether it mattered."""

    def __init__(self, reasoner: Reasoner, kinds: np.ndarray | None = None) -> None:
        # Its own reasoner: asking about the true scene must not touch a plan the pipeline's
        # reasoner keeps between decisions. ``kinds``: the true kind each of the pipeline's
        # own kinds stands for (a hybrid that invented its symbols), None where they are the
        # game's.
        self.reasoner = reasoner.fork()
        self.kinds = kinds
        self.names = reasoner.game.kind_names
        self.cells = np.zeros(len(self.names), dtype=np.int64)
        self.correct = np.zeros(len(self.names), dtype=np.int64)
        self.decisions = 0
        self.wrong_scenes = 0
        self.changed_actions = 0

    def __call__(self, step: Step, info: dict[str, Any]) -> None:
        truth = info["scene"].grid
        seen = step.scene.grid if step.scene is not None else truth
        if self.kinds is not None and step.scene is not None:
            seen = self.kinds[seen]
        ok = seen == truth
        self.cells += np.bincount(truth.ravel(), minlength=len(self.names))
        self.correct += np.bincount(truth[ok].ravel(), minlength=len(self.names))
        self.decisions += 1
        if not ok.all():
            self.wrong_scenes += 1
            if self.reasoner.remembers:  # its decision needs the map of the episode so far
                return
            self.reasoner.reset()
            if self.reasoner.decide(info["scene"]).action != step.action:
                self.changed_actions += 1

    def summary(self) -> dict[str, Any]:
        return {
            "per_kind": {
                name: {"cells": int(self.cells[k]), "correct": int(self.correct[k])}
                for k, name in enumerate(self.names)
                if self.cells[k]
            },
            "decisions": self.decisions,
            "wrong_scenes": self.wrong_scenes,
            # None where the reasoner decides from a map of earlier screens: one true screen
            # alone does not say what it would have done
            "changed_actions": None if self.reasoner.remembers else self.changed_actions,
        }


def _perception_audit(pipe: Pipeline) -> PerceptionAudit | None:
    """A hybrid's perception audit, in the game's true kinds (for one that invented its
    symbols, through their translation; None where it has none)."""
    if not isinstance(pipe, HybridPipeline):
        return None
    true_reasoner = getattr(pipe, "true_reasoner", None)
    if true_reasoner is None:
        return PerceptionAudit(pipe.reasoner)
    reasoner, kinds = true_reasoner()
    return None if reasoner is None else PerceptionAudit(reasoner, kinds)


def run_job(config: ExperimentConfig, job: Job) -> JobResult:
    """Train and evaluate one job; returns its rows and (hybrid) an example episode."""
    return run_task(config, (job,))[0]


def run_task(config: ExperimentConfig, jobs: Sequence[Job]) -> list[JobResult]:
    """Train and evaluate ``jobs`` of one pipeline and seed: one job, or the budgets that one
    training run serves (see :func:`plan_tasks`). One result per job, in their order."""
    t0 = time.perf_counter()
    first = jobs[0]
    train_env = make(config.env, **config.env_kwargs())
    splits = _splits(config, first.seed)
    held_out = frozenset(key for _, _, levels in splits for key in levels.keys)
    drawing = time.perf_counter() - t0  # seconds spent choosing the evaluation levels
    pipe = build_pipeline(first.pipeline, train_env, rules=config.rules, search=config.search)
    budgets = [job.budget for job in jobs]
    train = config.train.for_seed(first.seed)
    fits = iter(train_pipeline_at(pipe, train_env, budgets, first.seed, train, held_out))
    training = time.perf_counter() - t0 - drawing  # seconds spent building and training
    out = []
    for job in jobs:
        t1 = time.perf_counter()
        fit = next(fits)
        training += time.perf_counter() - t1
        cost = {
            # The training run that served this budget: building the pipeline,
            # demonstrations, training (one run serves every budget of a PPO task, and
            # each of them records the whole run).
            "train_run_s": training,
            "train_s": fit.train_seconds,
            "budgets_in_run": len(jobs),
            "draw_levels_s": drawing,
        }
        out.append(_evaluate_job(config, job, pipe, fit, cost, splits))
    return out


Splits = list[tuple[SplitSpec, Any, Levels]]  # each split, its environment, its evaluation levels


def _splits(config: ExperimentConfig, seed: int) -> Splits:
    """Every split of ``config`` with its environment and the evaluation levels of ``seed``:
    the levels no training level of that seed may be (see :mod:`compose.common.levels`). Drawn for
    every split, whichever pipeline plays it, so every pipeline trains on the same levels."""
    out = []
    for split in config.resolved_splits():
        env = make(split.env or config.env, **split.kwargs)
        out.append((split, env, evaluation_levels(env, seed, config.episodes)))
    return out


def _evaluate_job(
    config: ExperimentConfig,
    job: Job,
    pipe: Pipeline,
    fit: FitReport,
    cost: dict[str, Any],
    splits: Splits,
) -> JobResult:
    """Evaluate a trained pipeline on every split it can play: the job's rows, its example."""
    rows, trace = [], None
    settings = config.settings_hash()
    for split, env, levels in splits:
        env_id = split.env or config.env
        if pipe.cannot_play(env):
            continue  # e.g. a fixed-size network cannot take this screen at all
        audit = _perception_audit(pipe)
        audited = auditable(pipe)
        summary = evaluate(
            env,
            pipe,
            config.episodes,
            job.seed,
            observe=audit,
            levels=levels,
            met=fit.levels,
            record=audited,
        )
        attribution = audit.summary() if audit else None
        if audited:  # what the run's transitions contradict in the rules it played by
            attribution = {**(attribution or {}), **rules_audit(pipe, summary.episodes, env)}
        rows.append(
            ResultRow(
                job=job.key,
                settings_hash=settings,
                env=config.env,
                pipeline=job.pipeline.label,
                kind=job.pipeline.kind,
                budget=job.budget,
                seed=job.seed,
                split=split.name,
                split_env=env_id + (f" {json.dumps(split.kwargs)}" if split.kwargs else ""),
                episodes=len(summary.episodes),
                successes=sum(e.success for e in summary.episodes),
                success_rate=summary.success_rate,
                mean_return=summary.mean_return,
                mean_steps=summary.mean_steps,
                outcomes="".join("1" if e.success else "0" for e in summary.episodes),
                seen="".join("1" if e.seen else "0" for e in summary.episodes),
                latency=summary.latency_ms(),
                fit=fit.record(),
                attribution=attribution,
                versions=versions(),
                cost={**cost, **{f"eval_{k}_s": round(v, 4) for k, v in summary.seconds.items()}},
            )
        )
        if isinstance(pipe, HybridPipeline) and trace is None:
            trace = example_episode(
                env, pipe, levels.seeds[0], split.name, env_id, dict(split.kwargs)
            )
    return rows, trace


def _belief(step: Step) -> dict[str, str]:
    """The map the step was planned on, as text, for a pipeline that keeps one."""
    belief = step.decision.belief if step.decision is not None else None
    return {} if belief is None else {"map": belief.to_text()}


def example_episode(
    env: Any,
    pipe: HybridPipeline,
    level: int,
    split: str,
    env_id: str,
    kwargs: dict[str, Any],
) -> dict[str, Any]:
    """The hybrid on the level of reset seed ``level`` (its first evaluation level), step by
    step: enough to replay and draw it."""
    episode = play_episode(env, pipe, level, record=True)
    steps = []
    for i, (step, info) in enumerate((episode.trace or [])[:TRACE_STEPS]):
        truth = info["scene"]
        seen = step.scene or truth
        steps.append(
            {
                "step": i,
                "action": step.action,
                "action_name": step.action_name,
                "perceived": seen.to_text(),
                "wrong_cells": int((seen.grid != truth.grid).sum()),
                "explanation": step.explain(),
                **_belief(step),
            }
        )
    return {
        "split": split,
        "env": env_id,
        "kwargs": kwargs,
        "level_seed": episode.level_seed,
        "steps": steps,
        "success": episode.success,
        "total_steps": episode.steps,
    }

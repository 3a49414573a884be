"""What a comparison runs: its jobs (one pipeline, one budget, one seed; each keyed by everything
that decides its result, so that a rerun skips what is recorded) and its tasks (what one worker
runs: a job, or the budgets one training run serves)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compose.experiments.config import ExperimentConfig, digest
from compose.pipelines.spec import PipelineSpec, shares_training

__all__ = ["Job", "plan_jobs", "plan_tasks"]


@dataclass(frozen=True)
class Job:
    """One pipeline, trained on one budget with one seed (oracle: budget 0)."""

    pipeline: PipelineSpec
    budget: int
    seed: int
    key: str

    @property
    def name(self) -> str:
        return f"{self.pipeline.label}__b{self.budget}__s{self.seed}"


def plan_jobs(config: ExperimentConfig) -> list[Job]:
    settings = config.settings_hash()
    jobs = []
    for spec in config.pipelines:
        budgets = {"oracle": [0], "ppo": config.frames}.get(spec.kind, config.budgets)
        for budget in budgets:
            for seed in range(config.seeds):
                key = digest([settings, spec.key_fields(), budget, seed])
                jobs.append(Job(spec, budget, seed, key))
    return jobs


def plan_tasks(jobs: Sequence[Job]) -> list[tuple[Job, ...]]:
    """What each worker runs: one job, or the jobs one training run serves -- the frame
    budgets of a PPO pipeline and seed are one run, kept at each budget (see
    :func:`compose.pipelines.spec.shares_training`). Costliest first, so the longest start first."""
    groups: dict[tuple[Any, ...], list[Job]] = {}
    for job in jobs:
        key = (job.pipeline.label, job.seed) if shares_training(job.pipeline) else (job.key,)
        groups.setdefault(key, []).append(job)
    tasks = [tuple(sorted(group, key=lambda j: j.budget)) for group in groups.values()]
    return sorted(tasks, key=lambda task: max(map(_cost, task)), reverse=True)


def _cost(job: Job) -> float:
    """Rough relative cost, to start the longest jobs first."""
    if job.pipeline.kind == "ppo":
        return job.budget / 50  # about 500 frames a second, against ~10 demonstrations
    size = {"large": 8, "pooled": 5, "medium": 2, "small": 1}.get(job.pipeline.size or "", 2)
    return size * (1 + job.budget)

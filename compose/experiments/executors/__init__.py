"""Where a comparison's jobs run: a local process pool, or Ray tasks.

The process that schedules a comparison never loads torch: a worker runs a task through
:func:`run_task`, which loads :mod:`compose.experiments.jobs` (the pipelines, and torch with
them) in the worker, by name, as a game's environment and reasoner are loaded.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from compose.experiments.config import ExperimentConfig
from compose.experiments.plan import Job
from compose.experiments.store import JobResult

__all__ = ["JOBS_MODULE", "run_task"]

JOBS_MODULE = "compose.experiments.jobs"  # what a worker runs, loaded in the worker alone


def run_task(config: ExperimentConfig, jobs: Sequence[Job]) -> list[JobResult]:
    """Run one task (a job, or the budgets one training run serves) in this process, single-
    threaded: :func:`compose.experiments.jobs.run_task`."""
    torch = importlib.import_module("torch")
    torch.set_num_threads(1)
    return importlib.import_module(JOBS_MODULE).run_task(config, jobs)

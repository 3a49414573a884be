"""Running a comparison: plan the jobs, run them in worker processes, record every result.

A job trains one pipeline on one budget of demonstrations with one seed, then evaluates it on
every split it can play (its levels in lockstep, see :mod:`compose.play`). A worker runs a
*task*: one job, or the jobs one training run serves -- PPO's frame budgets of one seed are one
run, kept at each budget, exactly as separate runs would end. Each row records where its
job's seconds went (``cost``). Tasks run in a local pool of *spawned* processes, each with its own
SWI-Prolog (a forked child of a process that has used Prolog's time limits hangs; see
shared notes), or as Ray tasks (``executor = "ray"``,
:mod:`compose.experiments.executors.ray`). Either way
only the parent writes to SQLite, one transaction per job, so an interrupted run keeps every
finished job and a rerun resumes where it stopped.
"""

from __future__ import annotations

import ctypes
import itertools
import json
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from compose.common.errors import ResultsError
from compose.common.files import check_writable, locked, write_json
from compose.common.levels import Levels, evaluation_levels
from compose.experiments.config import ExperimentConfig, PipelineSpec, SplitSpec, _digest
from compose.experiments.config_files import MAX_CONFIG_BYTES
from compose.experiments.store import ResultRow, ResultStore
from compose.pipelines.base import FitReport, Pipeline, Step
from compose.pipelines.hybrid import HybridPipeline
from compose.pipelines.rule_checks import auditable, rules_audit
from compose.play import evaluate, play_episode
from compose.training.build import build_pipeline, shares_training, train_pipeline_at
from environments.registry import make
from symbolic.reasoner import Reasoner, load_reasoner

__all__ = [
    "Job",
    "RunOutcome",
    "check_directory",
    "plan_jobs",
    "plan_tasks",
    "prepare",
    "read_config",
    "run_experiment",
    "run_job",
    "run_task",
    "versions",
]

TRACE_STEPS = 40  # at most this many steps of the example episode are kept
PR_SET_PDEATHSIG = 1  # prctl(2)


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


@dataclass
class RunOutcome:
    """What a call to :func:`run_experiment` did."""

    planned: int
    skipped: int
    ran: int
    failed: list[tuple[str, str]]


def plan_jobs(config: ExperimentConfig) -> list[Job]:
    settings = config.settings_hash()
    jobs = []
    for spec in config.pipelines:
        budgets = {"oracle": [0], "ppo": config.frames}.get(spec.kind, config.budgets)
        for budget in budgets:
            for seed in range(config.seeds):
                key = _digest([settings, spec.key_fields(), budget, seed])
                jobs.append(Job(spec, budget, seed, key))
    return jobs


def plan_tasks(jobs: Sequence[Job]) -> list[tuple[Job, ...]]:
    """What each worker runs: one job, or the jobs one training run serves -- the frame
    budgets of a PPO pipeline and seed are one run, kept at each budget (see
    :func:`compose.training.build.shares_training`). Costliest first, so the longest start first."""
    groups: dict[tuple[Any, ...], list[Job]] = {}
    for job in jobs:
        key = (job.pipeline.label, job.seed) if shares_training(job.pipeline) else (job.key,)
        groups.setdefault(key, []).append(job)
    tasks = [tuple(sorted(group, key=lambda j: j.budget)) for group in groups.values()]
    return sorted(tasks, key=lambda task: max(map(_cost, task)), reverse=True)


def versions() -> dict[str, str]:
    """Versions of what produced a result."""
    import sys
    from importlib.metadata import PackageNotFoundError, version

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

    def __init__(self, reasoner: Reasoner) -> None:
        # Its own reasoner: asking about the true scene must not touch a plan the pipeline's
        # reasoner keeps between decisions.
        self.reasoner = reasoner.fork()
        self.names = reasoner.game.kind_names
        self.cells = np.zeros(len(self.names), dtype=np.int64)
        self.correct = np.zeros(len(self.names), dtype=np.int64)
        self.decisions = 0
        self.wrong_scenes = 0
        self.changed_actions = 0

    def __call__(self, step: Step, info: dict[str, Any]) -> None:
        truth = info["scene"].grid
        seen = step.scene.grid if step.scene is not None else truth
        ok = seen == truth
        self.cells += np.bincount(truth.ravel(), minlength=len(self.names))
        self.correct += np.bincount(truth[ok].ravel(), minlength=len(self.names))
        self.decisions += 1
        if not ok.all():
            self.wrong_scenes += 1
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
            "changed_actions": self.changed_actions,
        }


JobResult = tuple[list[ResultRow], dict[str, Any] | None]  # a job's rows, its example episode


def run_job(config: ExperimentConfig, job: Job) -> JobResult:
    """Train and evaluate one job; returns its rows and (hybrid) an example episode."""
    return run_task(config, (job,))[0]


def run_task(config: ExperimentConfig, jobs: Sequence[Job]) -> list[JobResult]:
    """Train and evaluate ``jobs`` of one pipeline and seed: one job, or the budgets that one
    training run serves (see :func:`plan_tasks`). One result per job, in their order."""
    t0 = time.perf_counter()
    first = jobs[0]
    train_env = make(config.env)
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
        audit = PerceptionAudit(pipe.reasoner) if isinstance(pipe, HybridPipeline) else None
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


# -- many jobs ------------------------------------------------------------------------------------
def _init_worker(parent: int) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to do about it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)
    import torch

    torch.set_num_threads(1)


def _die_with(parent: int) -> None:
    """End this worker when the parent ends, however it ends (``kill -9`` included): Linux
    sends SIGKILL on the parent's death. Elsewhere a worker outlives a killed parent only
    until its current job is done."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)


def _cost(job: Job) -> float:
    """Rough relative cost, to start the longest jobs first."""
    if job.pipeline.kind == "ppo":
        return job.budget / 50  # about 500 frames a second, against ~10 demonstrations
    size = {"large": 8, "pooled": 5, "medium": 2, "small": 1}.get(job.pipeline.size or "", 2)
    return size * (1 + job.budget)


ProgressFn = Callable[[str, Job | None, int, int], None]


def run_experiment(
    config: ExperimentConfig,
    out_dir: Path,
    progress: ProgressFn | None = None,
    *,
    fresh: bool = False,
) -> RunOutcome:
    """Run every job not yet in ``out_dir/results.sqlite``.

    A directory that holds a comparison with other settings is refused (its jobs would not
    count towards this one); ``fresh`` moves what it holds into ``out_dir/replaced-<time>/``
    first. ``progress(event, job, done, total)`` hears of ``start``, ``done`` and ``failed``.
    """
    prepare(config, out_dir, fresh=fresh)
    out_dir.mkdir(parents=True, exist_ok=True)
    with locked(out_dir, "another `neurocomp compare`"):
        if fresh:
            set_aside(out_dir)
        store = ResultStore(out_dir / "results.sqlite")
        _write_config(config, out_dir)
        return _run_pending(config, out_dir, store, progress)


def prepare(config: ExperimentConfig, out_dir: Path, *, fresh: bool = False) -> None:
    """Everything that can refuse a comparison before it starts: the results directory (see
    :func:`check_directory`; unless ``fresh``, one holding a comparison with other settings),
    a missing Ray or an unreachable cluster address, and the rules, loaded once here so that
    a bad rule file fails before any worker starts."""
    check_directory(out_dir)
    if not fresh:
        check_same_settings(config, out_dir)
    if config.executor == "ray":
        from compose.experiments.executors.ray import reachable, require_ray

        require_ray(config.address)
        if config.address is not None:
            reachable(config.address)
    if any(p.kind != "monolithic" for p in config.pipelines):
        load_reasoner(make(config.env).game, config.rules, config.search)


def check_directory(out_dir: Path) -> None:
    """Refuse a results directory that cannot be written, or whose config or database is
    damaged or foreign, or that another comparison is writing to, before anything in it
    changes."""
    check_writable(out_dir, "--out")
    if (out_dir / "config.json").exists():
        read_config(out_dir)
    if (out_dir / "results.sqlite").exists():
        ResultStore(out_dir / "results.sqlite")
    if out_dir.is_dir():
        with locked(out_dir, "another `neurocomp compare`"):
            pass  # in use: say so now rather than after the rules are loaded


def check_same_settings(config: ExperimentConfig, out_dir: Path) -> None:
    """Refuse ``out_dir`` if it holds a comparison whose settings differ from ``config``'s
    (another game, other episodes or splits, ...), saying what differs; a comparison with the
    same settings is resumed (more pipelines, budgets or seeds only add jobs)."""
    if not (out_dir / "config.json").exists():
        return
    old = read_config(out_dir)
    recorded = json.loads((out_dir / "config.json").read_text(encoding="utf-8"))
    if recorded.get("settings_hash") == config.settings_hash():
        return
    changes = settings_changes(old, config) or [
        "the rule file's text, or how this version of neurocomp chooses levels"
    ]
    store = out_dir / "results.sqlite"
    jobs = len(ResultStore(store).finished_jobs()) if store.exists() else 0
    raise ResultsError(
        f"{out_dir} holds another comparison (settings changed: {'; '.join(changes)}); its "
        f"{jobs} recorded job{'s' if jobs != 1 else ''} would not count towards this one. "
        "Give another --out, or pass --fresh to move them to "
        f"{out_dir / 'replaced-<time>'} and start afresh"
    )


def settings_changes(old: ExperimentConfig, new: ExperimentConfig) -> list[str]:
    """What differs between two configs among the settings that decide a result, as
    ``episodes 20 -> 50``; empty if none of them does."""
    out = []
    for name in ("env", "episodes", "search", "rules"):
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            out.append(f"{name} {before} -> {after}")
    if old.resolved_splits() != new.resolved_splits():
        names = [s.name for s in new.resolved_splits()]
        out.append(f"splits {[s.name for s in old.resolved_splits()]} -> {names}")
    before, after = old.train.model_dump(), new.train.model_dump()
    out += [f"train.{k} {before[k]} -> {after[k]}" for k in after if before.get(k) != after[k]]
    return out


def set_aside(out_dir: Path) -> Path | None:
    """Move what ``out_dir`` holds (but its lock) into ``out_dir/replaced-<UTC time>/``,
    so that a comparison starts afresh there and nothing recorded is lost."""
    held = [p for p in out_dir.iterdir() if not p.name.startswith((".lock", "replaced-"))]
    if not held:
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = out_dir / f"replaced-{stamp}"
    for n in itertools.count(2):
        if not target.exists():
            break
        target = out_dir / f"replaced-{stamp}-{n}"
    target.mkdir()
    for path in held:
        path.rename(target / path.name)
    return target


def _run_pending(
    config: ExperimentConfig, out_dir: Path, store: ResultStore, progress: ProgressFn | None
) -> RunOutcome:
    jobs = plan_jobs(config)
    finished = store.finished_jobs()
    pending = [j for j in jobs if j.key not in finished]
    tasks = plan_tasks(pending)
    done = len(jobs) - len(pending)
    notify = progress or (lambda *_: None)
    notify("start", None, done, len(jobs))
    failed: list[tuple[str, str]] = []

    def record(task: tuple[Job, ...], results: list[JobResult]) -> None:
        nonlocal done
        for job, result in zip(task, results, strict=True):
            store.write_job(*result)  # one transaction per job
            done += 1
            notify("done", job, done, len(jobs))

    def fail(task: tuple[Job, ...], message: str) -> None:
        for job in task:
            failed.append((job.name, message))
            notify("failed", job, done, len(jobs))

    if tasks and config.executor == "ray":
        from compose.experiments.executors.ray import run_on_ray

        run_on_ray(config, tasks, record, fail, str(out_dir))
    elif tasks:
        _run_local(config, tasks, record, fail, out_dir)
    return RunOutcome(len(jobs), len(jobs) - len(pending), len(pending) - len(failed), failed)


def _run_local(
    config: ExperimentConfig,
    tasks: list[tuple[Job, ...]],
    record: Callable[[tuple[Job, ...], list[JobResult]], None],
    fail: Callable[[tuple[Job, ...], str], None],
    out_dir: Path,
) -> None:
    """Run ``tasks`` in a pool of spawned worker processes on this machine."""
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=min(config.workers, len(tasks)),
        mp_context=context,
        initializer=_init_worker,
        initargs=(os.getpid(),),
    )
    futures: dict[Future, tuple[Job, ...]] = {pool.submit(run_task, config, t): t for t in tasks}
    try:
        remaining = set(futures)
        while remaining:
            ready, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for future in ready:
                task = futures[future]
                try:
                    results = future.result()
                except BrokenProcessPool as e:
                    raise ResultsError(
                        f"a worker process died while running {task[0].name} ({e}); every "
                        f"finished job is saved in {out_dir}: run again to resume. (Called "
                        "from a script of your own? Worker processes import it, so call "
                        'run_experiment under `if __name__ == "__main__":`.)'
                    ) from e
                except Exception as e:  # one broken job must not lose the others
                    fail(task, f"{type(e).__name__}: {e}")
                    continue
                record(task, results)
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown(wait=True)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop at once: cancel queued jobs and end the workers (their jobs are not recorded)."""
    # The executor has no public way to end running workers; take them before shutdown().
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)


def _write_config(config: ExperimentConfig, out_dir: Path) -> None:
    data = {
        "settings_hash": config.settings_hash(),
        "config": json.loads(config.model_dump_json()),
    }
    write_json(out_dir / "config.json", data)


def read_config(out_dir: Path) -> ExperimentConfig:
    """The config a results directory was last run with; a damaged ``config.json`` is one
    clear ResultsError naming it."""
    path = out_dir / "config.json"
    if not path.is_file():
        raise ResultsError(
            f"{out_dir} is not a comparison directory (no config.json); "
            "run `neurocomp compare --out DIR` first"
        )
    damaged = f"{path} is not a config written by `neurocomp compare`"
    fix = "nothing was changed; move the directory away or give another --out"
    if path.stat().st_size > MAX_CONFIG_BYTES * 10:
        raise ResultsError(f"{damaged} (it is {path.stat().st_size:,} bytes); {fix}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ResultsError(f"{damaged} (not JSON: {e}); {fix}") from None
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise ResultsError(f'{damaged} (it has no "config" table); {fix}') from None
    try:
        return ExperimentConfig.model_validate(data["config"])
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"])) or "config"
        raise ResultsError(f"{damaged} ({where}: {first['msg']}); {fix}") from None

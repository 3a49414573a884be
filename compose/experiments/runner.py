"""Running a comparison: plan the jobs, run them in worker processes, record every result.

A job trains one pipeline on one budget of demonstrations with one seed, then evaluates it on
every split it can play (:mod:`compose.experiments.jobs`). A worker runs a *task*: one job, or
the jobs one training run serves -- PPO's frame budgets of one seed are one run, kept at each
budget, exactly as separate runs would end (:mod:`compose.experiments.plan`). Tasks run in a
local pool of spawned processes (:mod:`compose.experiments.executors.local`) or as Ray tasks
(``executor = "ray"``, :mod:`compose.experiments.executors.ray`). Either way only the parent
writes to SQLite, one transaction per job, so an interrupted run keeps every finished job and
a rerun resumes where it stopped.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from compose.common.errors import ResultsError
from compose.common.files import check_writable, locked, write_json
from compose.experiments.config import ExperimentConfig
from compose.experiments.config_files import MAX_CONFIG_BYTES
from compose.experiments.executors.local import run_local
from compose.experiments.executors.ray import reachable, require_ray, run_on_ray
from compose.experiments.plan import Job, plan_jobs, plan_tasks
from compose.experiments.store import JobResult, ResultStore
from environments.registry import make
from symbolic.reasoner import load_reasoner

__all__ = [
    "RunOutcome",
    "check_directory",
    "prepare",
    "read_config",
    "run_experiment",
    "set_aside",
    "settings_changes",
]


@dataclass
class RunOutcome:
    """What a call to :func:`run_experiment` did."""

    planned: int
    skipped: int
    ran: int
    failed: list[tuple[str, str]]


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
        require_ray(config.address)
        if config.address is not None:
            reachable(config.address)
    if any(p.kind != "monolithic" for p in config.pipelines):
        load_reasoner(make(config.env, **config.env_kwargs()).game, config.rules, config.search)


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
        run_on_ray(config, tasks, record, fail, str(out_dir))
    elif tasks:
        run_local(config, tasks, record, fail, out_dir)
    return RunOutcome(len(jobs), len(jobs) - len(pending), len(pending) - len(failed), failed)


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

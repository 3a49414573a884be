"""Running a comparison's tasks on this machine: a pool of *spawned* worker processes, each with
its own SWI-Prolog (a forked child of a process that has used Prolog's time limits hangs), each
computing on one thread, each ending when the parent ends."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from compose.common.errors import ResultsError
from compose.experiments.config import ExperimentConfig
from compose.experiments.executors import run_task
from compose.experiments.plan import Job
from compose.experiments.store import JobResult

__all__ = ["run_local"]


PR_SET_PDEATHSIG = 1  # prctl(2)


# -- many jobs ------------------------------------------------------------------------------------
def _init_worker(parent: int) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to do about it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker when the parent ends, however it ends (``kill -9`` included): Linux
    sends SIGKILL on the parent's death. Elsewhere a worker outlives a killed parent only
    until its current job is done."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the signal was armed
            os._exit(1)


def run_local(
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

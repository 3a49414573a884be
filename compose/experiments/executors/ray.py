"""Running a comparison's jobs as Ray tasks, on this machine or on a cluster.

Each task (a job, or the budgets one PPO run serves; see
:func:`compose.experiments.plan.plan_tasks`) is one Ray task in a worker process, which starts
its own SWI-Prolog (Ray starts workers fresh, never by forking a process that has used Prolog).
Results come back to the
parent, which stays the only writer of SQLite: resume, "no duplicate rows" and "no lost rows"
hold as with the local pool. A worker that dies mid-job (``kill -9``, a lost node) is retried
by Ray up to :data:`RETRIES` times; a job that raises is recorded as failed, not retried.

Without ``address`` a private Ray instance is started with ``workers`` CPUs and stopped at the
end; with one (``auto``, ``HOST:PORT`` or ``ray://HOST:PORT``) the run joins that cluster. See
``docs/cluster.md``.
"""

from __future__ import annotations

import os
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from compose.common.errors import ConfigError, ResultsError
from compose.experiments.config import ExperimentConfig
from compose.experiments.executors import run_task
from compose.experiments.plan import Job
from compose.experiments.store import JobResult

__all__ = ["RETRIES", "reachable", "run_on_ray"]

RETRIES = 3  # a task whose worker dies is run again this many times
CONNECT_TIMEOUT = 5.0  # seconds to reach a cluster's address before saying it is unreachable
WATCH_EVERY = 5.0  # seconds between checks, while waiting for tasks, that the cluster answers
OBJECT_STORE_BYTES = 256 * 1024**2  # a private instance: results are small
INSTALL_HINT = (
    "Ray is not installed in this environment; install it with "
    "`pip install 'neurocomp[ray]'` (or `pip install 'ray>=2.9'`), or run with "
    "--executor local"
)


def require_ray(address: str | None = None) -> Any:
    """The ``ray`` module, or a ConfigError saying how to install it. Given a cluster's
    ``address``, Ray is set to send this machine's token to it (read when Ray is imported)."""
    if address is not None and address != "auto":
        _token_auth_if_token_here()
    try:
        import ray
    except ImportError:
        raise ConfigError(f"executor ray: {INSTALL_HINT}") from None
    return ray


def reachable(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Refuse, within ``timeout`` seconds, a cluster address nothing answers on (Ray itself
    would retry for a minute or more before giving up)."""
    if address == "auto":
        return  # Ray finds the cluster started on this machine, or says there is none
    host, port = address.removeprefix("ray://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as e:
        raise ConfigError(
            f"address: nothing answers at {address} ({e.strerror or e}) within {timeout:.0f} s; "
            "start the cluster's head with `ray start --head` (see docs/cluster.md), check the "
            "address, or leave --address out to run Ray on this machine"
        ) from None


def _still_answering(head: str, address: str | None, out_dir: str) -> None:
    """Stop with what to do if the cluster's head no longer answers (Ray itself would end
    this process a minute later, saying nothing of the results)."""
    host, port = head.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=WATCH_EVERY):
            return
    except OSError:
        pass
    where = f"at {address}" if address else "started for this run"
    raise ResultsError(
        f"the Ray cluster {where} stopped answering (its head, {head}, is gone); every "
        f"finished job is saved in {out_dir}: run again to resume, on a running cluster or "
        "without --executor ray"
    )


def _connect(ray: Any, address: str | None, workers: int) -> None:
    quiet: dict[str, Any] = {"log_to_driver": False, "logging_level": "ERROR"}
    if address is None:
        ray.init(
            # "local": a Ray of its own, never a cluster that `ray start` left on this machine
            # or RAY_ADDRESS names (those refuse num_cpus, and are not this run's to use).
            address="local",
            num_cpus=workers,
            include_dashboard=False,
            object_store_memory=OBJECT_STORE_BYTES,
            **quiet,
        )
        return
    reachable(address)
    try:
        ray.init(address=address, **quiet)
    except ConnectionError as e:
        if "InvalidAuthToken" in _chain(e):
            raise ConfigError(
                f"address: the Ray cluster at {address} asks for its authentication token, and "
                "the one here is missing or another: copy the head's ~/.ray/auth_token to this "
                "machine, or set RAY_AUTH_TOKEN (see docs/cluster.md)"
            ) from None
        raise ConfigError(f"address: could not join the Ray cluster at {address}: {e}") from None


# Where Ray looks for a cluster's token besides ~/.ray/auth_token. A cluster started with
# `ray start --head` asks for one (recent Ray), but a driver joining an address it was given
# sends it only if RAY_AUTH_MODE says token.
TOKEN_SOURCES = ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")


def _token_auth_if_token_here() -> None:
    """Send this machine's Ray token when joining a cluster, as ``--address auto`` would."""
    if "RAY_AUTH_MODE" in os.environ:
        return  # the user said what they want
    if (
        any(os.environ.get(v) for v in TOKEN_SOURCES)
        or (Path.home() / ".ray" / "auth_token").is_file()
    ):
        os.environ["RAY_AUTH_MODE"] = "token"


def _chain(error: BaseException) -> str:
    """The messages of ``error`` and of what caused it."""
    parts = []
    while error is not None and len(parts) < 10:
        parts.append(str(error))
        error = error.__cause__ or error.__context__
    return " | ".join(parts)


def neurocomp_job(
    config: ExperimentConfig, task: tuple[Job, ...], rules_text: str | None
) -> list[JobResult]:
    """One task (a job, or the budgets one training run serves) in a Ray worker; its process
    is titled ``ray::neurocomp_job`` while it runs."""
    here = Path(config.rules) if config.rules else None
    if rules_text is not None and not (
        here and here.is_file() and here.read_text(encoding="utf-8") == rules_text
    ):
        # A worker on another machine has no copy of the parent's rule file: write the text.
        handle, path = tempfile.mkstemp(suffix=".pl", prefix="neurocomp-rules-")
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(rules_text)
        config = config.model_copy(update={"rules": Path(path)})
    return run_task(config, task)


def run_on_ray(
    config: ExperimentConfig,
    pending: list[tuple[Job, ...]],
    record: Callable[[tuple[Job, ...], list[JobResult]], None],
    fail: Callable[[tuple[Job, ...], str], None],
    out_dir: str,
) -> None:
    """Run ``pending`` tasks (see :func:`compose.experiments.plan.plan_tasks`) as Ray tasks;
    ``record(task, results)`` each finished one (in the order they finish),
    ``fail(task, message)`` each that raised."""
    ray = require_ray(config.address)
    from ray.exceptions import RayError, RayTaskError, TaskCancelledError

    rules_text = Path(config.rules).read_text(encoding="utf-8") if config.rules else None
    _connect(ray, config.address, min(config.workers, len(pending)))
    try:
        remote = ray.remote(num_cpus=1, max_retries=RETRIES, retry_exceptions=False)
        run = remote(neurocomp_job)
        shared = ray.put(config)
        refs = {run.remote(shared, task, rules_text): task for task in pending}
        remaining = list(refs)
        head = ray.get_runtime_context().gcs_address
        try:
            while remaining:
                ready, remaining = ray.wait(remaining, num_returns=1, timeout=WATCH_EVERY)
                if not ready:
                    _still_answering(head, config.address, out_dir)
                for ref in ready:
                    task = refs[ref]
                    try:
                        results = ray.get(ref)
                    except RayTaskError as e:  # the job raised: recorded as failed
                        cause = e.cause if getattr(e, "cause", None) is not None else e
                        fail(task, f"{type(cause).__name__}: {cause}")
                        continue
                    except (RayError, TaskCancelledError) as e:
                        raise ResultsError(
                            f"Ray lost {task[0].name} ({type(e).__name__}: {str(e)[:300]}); "
                            f"every finished job is saved in {out_dir}: run again to resume"
                        ) from e
                    record(task, results)
        except BaseException:
            # Ctrl-C or a lost cluster: stop what still runs on a cluster we joined. A Ray of
            # our own is stopped whole by shutdown() below; force-cancelling its tasks while
            # Ctrl-C reaches its processes too can abort Ray itself ("Tried to complete task
            # that was not pending": seen in 1 of 5 to 3 of 6 interrupted runs).
            for ref in remaining if config.address is not None else ():
                try:
                    ray.cancel(ref, force=True)
                except Exception:  # the cluster may already be gone
                    pass
            raise
    finally:
        try:
            ray.shutdown()
        except Exception:  # shutting down a dead connection
            pass

"""The Ray executor against a real local Ray instance (2 CPUs): the same rows as the local pool,
a worker killed mid-job retried, a cluster that dies mid-run or a Ctrl-C losing nothing that
finished, and clear refusals (unreachable address, missing Ray).

These tests share the machine: they kill, stop and look for only the processes they started
(found through their parents and process groups, never by name across the machine) and the
clusters they started (each in its own temp dir, on its own port, never `ray stop`, which
stops every cluster on the machine). Bystanders -- another Ray cluster, and a process titled
like a worker running a job -- are checked to outlive every test that kills something."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from compose.experiments.config import ExperimentConfig
from compose.experiments.plan import plan_jobs
from compose.experiments.runner import read_config, run_experiment
from compose.experiments.store import ResultStore
from tests.helpers import CLI, one_line_error, run_cli

ENV = "neurocomp/LightsOut-3x3-v0"
TINY = {
    "env": ENV,
    "budgets": [1],
    "seeds": 1,
    "episodes": 3,
    "workers": 2,
    "pipelines": [
        {"kind": "hybrid"},
        {"kind": "monolithic", "size": "small"},
        {"kind": "oracle"},
    ],
    "splits": [
        {"name": "in-distribution"},
        {"name": "larger", "env": "neurocomp/LightsOut-4x4-v0"},
    ],
    "train": {"max_steps": 60, "eval_every": 20},
}
RAY = Path(sys.executable).with_name("ray")
JOB_TITLE = "ray::neurocomp_job"  # a Ray worker's title while it runs a job


# -- the processes a test started, and nothing else ------------------------------------------------
def _stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, process group, start time) of ``pid``; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name before it may hold anything
    return int(fields[1]), int(fields[2]), int(fields[19])


def _family(leader: int) -> dict[int, int]:
    """``leader`` (a process in a session of its own) and what it started: its descendants
    and the members of its process group (which stay in it once their parent exits, where a
    descendant would pass to init), as pid -> start time."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            processes[int(entry.name)] = stat
    children = defaultdict(list)
    for pid, (parent, _, _) in processes.items():
        children[parent].append(pid)
    family: dict[int, int] = {}
    todo = [leader, *(pid for pid, (_, group, _) in processes.items() if group == leader)]
    while todo:
        pid = todo.pop()
        if pid in processes and pid not in family:
            family[pid] = processes[pid][2]
            todo += children[pid]
    return family


def _title(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except (FileNotFoundError, ProcessLookupError):
        return ""


class Started:
    """A process this test started, in a session of its own, and what it starts in turn.

    It is not reaped before :meth:`stop`, even once it has exited: a zombie keeps its pid, so
    its process group's number cannot pass to another process, and :meth:`family` finds what
    it started, and only that."""

    def __init__(self, args: list[str], log: Path, **popen: Any) -> None:
        with open(log, "w") as out:
            self.process = subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **popen
            )
        self.pid, self.log = self.process.pid, log
        self.seen: dict[int, int] = {}  # every member of its family seen so far

    def exit_code(self) -> int | None:
        """Its exit code (minus the signal that ended it), or None while it runs."""
        if self.process.returncode is not None:
            return self.process.returncode
        how = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        if how is None:
            return None
        return how.si_status if how.si_code == os.CLD_EXITED else -how.si_status

    def wait(self, timeout: float) -> int:
        """Its exit code, once it exits (it stays unreaped)."""
        deadline = time.monotonic() + timeout
        while (code := self.exit_code()) is None:
            assert time.monotonic() < deadline, f"still running after {timeout} s\n{self.output()}"
            self.family()  # what it starts until the end (Ray's workers leave its group)
            time.sleep(0.1)
        return code

    def output(self) -> str:
        """What it wrote, stdout and stderr together."""
        return self.log.read_text(errors="replace")

    def family(self) -> dict[int, int]:
        """It and what it started, still running (pids not since reused), as pid -> start
        time."""
        if self.process.returncode is None:  # not reaped: its pid and group are its own
            self.seen.update(_family(self.pid))
        return {p: t for p, t in self.seen.items() if (s := _stat(p)) and s[2] == t}

    def running_a_job(self) -> list[int]:
        return sorted(p for p in self.family() if _title(p).startswith(JOB_TITLE))

    def stop(self) -> None:
        """Kill it and all it started (SIGKILL), and wait until they are gone."""
        if self.process.returncode is None:
            with suppress(ProcessLookupError):  # frozen, its group starts nothing new
                os.killpg(self.pid, signal.SIGSTOP)
            family = self.family()
            with suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            for pid in family:
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while set(self.family()) - {self.pid} and time.monotonic() < deadline:
                time.sleep(0.1)
            self.process.wait(timeout=30)
        left = self.family()
        assert not left, {p: _title(p) for p in left}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A Ray cluster's head, started the way docs/cluster.md says (`ray start --head`), kept in
    the foreground (``--block``) with its own temp dir and port; stopping it kills its own
    processes, and no other Ray on the machine (as `ray stop` would)."""

    def __init__(self, cpus: int) -> None:
        # A short path: Ray's socket paths under it must fit in 107 bytes, which a test's
        # tmp_path can overflow.
        self.temp_dir = Path(tempfile.mkdtemp(prefix="nc-ray-"))
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.head = Started(
            [str(RAY), "start", "--head", "--block", f"--port={self.port}", f"--num-cpus={cpus}",
             f"--temp-dir={self.temp_dir}", "--node-ip-address=127.0.0.1",
             "--include-dashboard=false", "--disable-usage-stats"],
            self.temp_dir / "start.log",
        )  # fmt: skip

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + 180
        # `ray start` writes the address once the head runs, before it blocks
        while not (self.temp_dir / "ray_current_cluster").exists():
            assert self.head.exit_code() is None, self.head.output()
            assert time.monotonic() < deadline, f"no Ray head after 180 s\n{self.head.output()}"
            time.sleep(0.2)
        assert self.alive(), self.head.output()

    def alive(self) -> bool:
        """`ray start --block` runs while all its processes do, and the head answers."""
        if self.head.exit_code() is not None:
            return False
        with suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=5):
            return True
        return False

    def stop(self) -> None:
        self.head.stop()
        shutil.rmtree(self.temp_dir, ignore_errors=True)


class Bystanders:
    """What another user of this machine might run: a Ray cluster, and a process whose command
    line reads like a Ray worker running a job (``pgrep -f ray::neurocomp_job`` finds it)."""

    def __init__(self, logs: Path) -> None:
        self.cluster = Cluster(cpus=0)
        self.decoy = Started([JOB_TITLE, "infinity"], logs / "decoy.log", executable="sleep")

    def assert_alive(self) -> None:
        assert self.decoy.exit_code() is None, "a test killed a process it did not start"
        assert self.cluster.alive(), (
            f"a test stopped a Ray cluster it did not start\n{self.cluster.head.output()}"
        )

    def stop(self) -> None:
        self.decoy.stop()
        self.cluster.stop()


@pytest.fixture(scope="module")
def bystanders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bystanders]:
    others = Bystanders(tmp_path_factory.mktemp("bystanders"))
    try:
        others.cluster.wait_until_up()
        assert _title(others.decoy.pid).startswith(JOB_TITLE)
        yield others
    finally:
        others.stop()


@pytest.fixture
def cluster(bystanders: Bystanders) -> Iterator[Cluster]:
    """A Ray cluster of 2 CPUs, this test's own. Stopped, alone, at the end."""
    ours = Cluster(cpus=2)
    try:
        ours.wait_until_up()
        yield ours
    finally:
        ours.stop()
    bystanders.assert_alive()


@pytest.fixture
def compare(tmp_path: Path) -> Iterator[Callable[..., Started]]:
    """Starts `neurocomp compare --config CONFIG --out OUT [FLAGS]`; at the test's end, each
    run and whatever it started that still runs are killed."""
    runs: list[Started] = []

    def start(config: Path, out: Path, *flags: str) -> Started:
        runs.append(
            Started(
                [str(CLI), "compare", "--config", str(config), "--out", str(out), *flags],
                tmp_path / f"compare-{len(runs)}.log",
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # a terminal's
                env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
            )
        )
        return runs[-1]

    yield start
    for run in runs:
        run.stop()


# -- the same results, a worker killed -------------------------------------------------------------
def _comparable(store: ResultStore) -> dict[tuple[str, str], dict]:
    """Every row, without what measures time (latency, seconds, the moment it was written)."""
    found = {}
    for row in store.rows():
        data = dict(row.__dict__)
        for timed in ("latency", "created_at", "cost"):
            data.pop(timed)
        fit = dict(data.pop("fit"))
        fit.pop("train_seconds")
        fit["extra"] = {k: v for k, v in fit["extra"].items() if "second" not in k}
        data["fit"] = fit
        found[(row.job, row.split)] = data
    return found


@pytest.mark.slow
def test_ray_gives_the_local_pools_results_bit_for_bit(tmp_path, bystanders):
    local = ExperimentConfig.model_validate(TINY)
    ray = ExperimentConfig.model_validate({**TINY, "executor": "ray"})
    assert local.settings_hash() == ray.settings_hash()  # one result, whichever ran it
    outcome = run_experiment(ray, tmp_path / "ray")  # on a Ray of its own, not the bystanders'
    assert outcome.failed == [] and outcome.ran == len(plan_jobs(ray))
    run_experiment(local, tmp_path / "local")
    by_ray = _comparable(ResultStore(tmp_path / "ray" / "results.sqlite"))
    by_pool = _comparable(ResultStore(tmp_path / "local" / "results.sqlite"))
    assert {job for job, _ in by_ray} == {j.key for j in plan_jobs(ray)}
    assert by_ray == by_pool
    # a rerun on Ray resumes: nothing left to run
    assert run_experiment(ray, tmp_path / "ray").ran == 0
    bystanders.assert_alive()


@pytest.mark.slow
def test_a_worker_killed_mid_job_is_retried_and_every_row_is_recorded_once(
    tmp_path, bystanders, compare
):
    out = tmp_path / "killed"
    config = tmp_path / "slow.toml"
    # one job long enough to be caught running: a medium network on many steps
    config.write_text(
        f'env = "{ENV}"\nbudgets = [10]\nseeds = 1\nepisodes = 3\nworkers = 2\n'
        'executor = "ray"\n'
        '[[pipelines]]\nkind = "monolithic"\nsize = "medium"\n'
        '[[pipelines]]\nkind = "oracle"\n'
        "[train]\nmax_steps = 700\neval_every = 350\npatience = 50\n"
    )
    run = compare(config, out)  # its Ray is started for it: its workers are of its family
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and run.exit_code() is None:
        if run.running_a_job():
            time.sleep(1.0)  # well inside the job, not at its first line
            if workers := run.running_a_job():
                os.kill(workers[0], signal.SIGKILL)
                killed = workers[0]
        time.sleep(0.1)
    code = run.wait(timeout=300)
    assert killed is not None, f"no Ray worker was seen running a job\n{run.output()}"
    assert code == 0, run.output()
    with sqlite3.connect(out / "results.sqlite") as db:
        rows = db.execute("SELECT job, split, COUNT(*) FROM results GROUP BY job, split").fetchall()
    jobs = {j.key for j in plan_jobs(read_config(out))}
    assert {job for job, _, _ in rows} == jobs  # every job, the killed one included
    assert all(count == 1 for _, _, count in rows)  # and each row once
    bystanders.assert_alive()


# -- refusals --------------------------------------------------------------------------------------
def test_an_unreachable_address_fails_within_seconds_naming_it(tmp_path):
    started = time.monotonic()
    result = run_cli(
        "compare", "--env", ENV, "--budgets", "1", "--seeds", "1", "--executor", "ray",
        "--address", "127.0.0.1:9", "--out", str(tmp_path / "r"),
    )  # fmt: skip
    line = one_line_error(result)
    assert result.returncode == 2
    assert "127.0.0.1:9" in line and "ray start --head" in line
    assert time.monotonic() - started < 30
    assert not (tmp_path / "r" / "results.sqlite").exists()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        (["--address", "127.0.0.1:9"], "with executor"),  # an address is a Ray cluster's
        (["--executor", "ray", "--address", "not an address"], "is not a Ray address"),
        (["--executor", "ray", "--address", "head:99999"], "at most 65535"),
    ],
)
def test_bad_executor_settings_are_refused_in_one_line(tmp_path, flags, says):
    result = run_cli("compare", "--env", ENV, *flags, "--out", str(tmp_path / "r"))
    assert says in one_line_error(result)
    assert result.returncode == 2


def test_asking_for_ray_where_it_is_missing_says_how_to_install_it(tmp_path):
    hide_ray = "import sys; sys.modules['ray'] = None; from compose.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", hide_ray, "compare", "--env", ENV, "--executor", "ray",
         "--out", str(tmp_path / "r")],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )  # fmt: skip
    line = one_line_error(result)
    assert "pip install 'neurocomp[ray]'" in line and "--executor local" in line
    assert result.returncode == 2


# -- faults: the cluster dies, the user presses Ctrl-C ---------------------------------------------
MANY = f"""
env = "{ENV}"
budgets = [1, 2]
seeds = 2
episodes = 2
workers = 2
pipelines = [{{kind = "monolithic", size = "small"}}, {{kind = "hybrid"}}, {{kind = "oracle"}}]
splits = [{{name = "in-distribution"}}]

[train]
max_steps = 200
eval_every = 20
patience = 50
"""
MANY_JOBS = (2 + 2 + 1) * 2


def _jobs_in(out: Path) -> dict[str, int]:
    if not (out / "results.sqlite").exists():
        return {}
    with sqlite3.connect(out / "results.sqlite", timeout=30) as db:
        # The file exists a moment before the run has created its tables in it.
        made = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'results'").fetchone()
        if made is None:
            return {}
        return dict(db.execute("SELECT job, COUNT(*) FROM results GROUP BY job").fetchall())


def _wait_for_jobs(run: Started, out: Path, jobs: int) -> set[int]:
    """Wait until ``run`` has saved ``jobs`` jobs; the workers of its own seen running one."""
    deadline, computing = time.monotonic() + 240, set()
    while len(_jobs_in(out)) < jobs:
        assert run.exit_code() is None, run.output()
        assert time.monotonic() < deadline, "the comparison made no progress"
        computing.update(run.running_a_job())
        time.sleep(0.1)
    assert run.exit_code() is None, "the run finished before it could be stopped"
    return computing


def _soon(check: Callable[[], object], seconds: float = 30) -> bool:
    """Whether ``check()`` comes true within ``seconds``."""
    deadline = time.monotonic() + seconds
    while not check() and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(check())


def _resumes_to_the_end(config: Path, out: Path, before: dict[str, int]) -> None:
    """A rerun (on the local pool) records every other job once and rewrites none."""
    with sqlite3.connect(out / "results.sqlite") as db:
        kept = db.execute("SELECT job, split, created_at FROM results").fetchall()
    result = run_cli("compare", "--config", str(config), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert f"resuming: {len(before)} of {MANY_JOBS} jobs" in result.stderr
    jobs = _jobs_in(out)
    assert len(jobs) == MANY_JOBS and all(n == 1 for n in jobs.values())
    with sqlite3.connect(out / "results.sqlite") as db:
        assert set(kept) <= set(db.execute("SELECT job, split, created_at FROM results"))


@pytest.mark.slow
def test_a_cluster_that_dies_mid_run_keeps_every_finished_row_and_a_rerun_resumes(
    tmp_path, cluster, compare
):
    config, out = tmp_path / "many.toml", tmp_path / "out"
    config.write_text(MANY)
    run = compare(config, out, "--executor", "ray", "--address", cluster.address)
    _wait_for_jobs(run, out, 2)
    assert _soon(cluster.head.running_a_job)  # the jobs run on this cluster
    cluster.stop()  # every process of it at once, as when its machine dies
    code, said = run.wait(timeout=300), run.output()
    assert code != 0 and "Traceback" not in said, (code, said)
    assert "every finished job is saved" in said and "run again to resume" in said, said
    before = _jobs_in(out)
    assert 2 <= len(before) < MANY_JOBS and all(n == 1 for n in before.values())
    _resumes_to_the_end(config, out, before)


@pytest.mark.slow
def test_ctrl_c_stops_the_ray_workers_and_keeps_what_finished(tmp_path, bystanders, compare):
    config, out = tmp_path / "many.toml", tmp_path / "out"
    config.write_text(MANY)
    run = compare(config, out, "--executor", "ray")
    assert _wait_for_jobs(run, out, 2)  # its Ray, started for it, is of its family
    os.killpg(run.pid, signal.SIGINT)  # as the second job is saved, the next ones run
    code, said = run.wait(timeout=120), run.output()
    assert code == 130 and "run the same command again" in said, (code, said)
    assert "Traceback" not in said, said
    assert _soon(lambda: not run.running_a_job()), run.running_a_job()  # none goes on computing
    before = _jobs_in(out)
    assert 2 <= len(before) < MANY_JOBS and all(n == 1 for n in before.values())
    bystanders.assert_alive()  # (a rerun resumes: the cluster test above shows it)

"""The Ray executor against a real local Ray instance (2 CPUs): the same rows as the local pool,
a worker killed mid-job retried, a cluster that dies mid-run or a Ctrl-C losing nothing that
finished, and clear refusals (unreachable address, missing Ray)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compose.config import ExperimentConfig
from compose.experiment import plan_jobs, read_config, run_experiment
from compose.store import ResultStore
from tests.conftest import CLI, one_line_error, run_cli

ENV = "neurocomp/LightsOut-3x3-v0"
TINY = {
    "env": ENV,
    "budgets": [1, 3],
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


def test_ray_gives_the_local_pools_results_bit_for_bit(tmp_path):
    local = ExperimentConfig.model_validate(TINY)
    ray = ExperimentConfig.model_validate({**TINY, "executor": "ray"})
    assert local.settings_hash() == ray.settings_hash()  # one result, whichever ran it
    outcome = run_experiment(ray, tmp_path / "ray")
    assert outcome.failed == [] and outcome.ran == len(plan_jobs(ray))
    run_experiment(local, tmp_path / "local")
    by_ray = _comparable(ResultStore(tmp_path / "ray" / "results.sqlite"))
    by_pool = _comparable(ResultStore(tmp_path / "local" / "results.sqlite"))
    assert {job for job, _ in by_ray} == {j.key for j in plan_jobs(ray)}
    assert by_ray == by_pool
    # a rerun on Ray resumes: nothing left to run
    assert run_experiment(ray, tmp_path / "ray").ran == 0


def _ray_workers_running_a_job() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "ray::neurocomp_job"], capture_output=True, text=True)
    return [int(p) for p in found.stdout.split()]


def test_a_worker_killed_mid_job_is_retried_and_every_row_is_recorded_once(tmp_path):
    out = tmp_path / "killed"
    config = tmp_path / "slow.toml"
    # one job long enough to be caught running: a medium network on many steps
    config.write_text(
        f'env = "{ENV}"\nbudgets = [10]\nseeds = 2\nepisodes = 3\nworkers = 2\n'
        'executor = "ray"\n'
        '[[pipelines]]\nkind = "monolithic"\nsize = "medium"\n'
        '[[pipelines]]\nkind = "oracle"\n'
        "[train]\nmax_steps = 1500\neval_every = 500\npatience = 50\n"
    )
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    run = subprocess.Popen(
        [str(CLI), "compare", "--config", str(config), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and run.poll() is None:
        workers = _ray_workers_running_a_job()
        if workers:
            time.sleep(1.0)  # well inside the job, not at its first line
            workers = _ray_workers_running_a_job()
            if workers:
                os.kill(workers[0], signal.SIGKILL)
                killed = workers[0]
        time.sleep(0.1)
    stdout, stderr = run.communicate(timeout=300)
    assert killed is not None, f"no Ray worker was seen running a job\n{stdout}\n{stderr}"
    assert run.returncode == 0, stderr
    with sqlite3.connect(out / "results.sqlite") as db:
        rows = db.execute("SELECT job, split, COUNT(*) FROM results GROUP BY job, split").fetchall()
    jobs = {j.key for j in plan_jobs(read_config(out))}
    assert {job for job, _, _ in rows} == jobs  # every job, the killed one included
    assert all(count == 1 for _, _, count in rows)  # and each row once


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
seeds = 8
episodes = 2
workers = 2
pipelines = [{{kind = "monolithic", size = "small"}}, {{kind = "hybrid"}}, {{kind = "oracle"}}]
splits = [{{name = "in-distribution"}}]

[train]
max_steps = 200
eval_every = 20
patience = 50
"""
MANY_JOBS = (2 + 2 + 1) * 8
RAY = Path(sys.executable).with_name("ray")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster():
    """A Ray cluster started the way docs/cluster.md says (`ray start --head`); its address."""
    port = _free_port()
    started = subprocess.run(
        [str(RAY), "start", "--head", f"--port={port}", "--num-cpus=2",
         "--node-ip-address=127.0.0.1", "--include-dashboard=false", "--disable-usage-stats"],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr
    yield f"127.0.0.1:{port}"
    subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=180)


def _jobs_in(out: Path) -> dict[str, int]:
    if not (out / "results.sqlite").exists():
        return {}
    with sqlite3.connect(out / "results.sqlite", timeout=30) as db:
        return dict(db.execute("SELECT job, COUNT(*) FROM results GROUP BY job").fetchall())


def _start(config: Path, out: Path, *flags: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CLI), "compare", "--config", str(config), "--out", str(out), *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as in a terminal
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
    )


def _wait_for_jobs(run: subprocess.Popen, out: Path, jobs: int) -> None:
    deadline = time.monotonic() + 240
    while len(_jobs_in(out)) < jobs:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the comparison made no progress"
        time.sleep(0.05)
    assert run.poll() is None, "the run finished before it could be stopped"


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


def test_a_cluster_that_dies_mid_run_keeps_every_finished_row_and_a_rerun_resumes(
    tmp_path, cluster
):
    config, out = tmp_path / "many.toml", tmp_path / "out"
    config.write_text(MANY)
    run = _start(config, out, "--executor", "ray", "--address", cluster)
    _wait_for_jobs(run, out, 2)
    subprocess.run([str(RAY), "stop", "--force"], capture_output=True, timeout=180)
    _, stderr = run.communicate(timeout=300)
    assert run.returncode not in (0, None)
    assert "Traceback" not in stderr, stderr
    assert "every finished job is saved" in stderr and "run again to resume" in stderr, stderr
    before = _jobs_in(out)
    assert 2 <= len(before) < MANY_JOBS and all(n == 1 for n in before.values())
    _resumes_to_the_end(config, out, before)


def test_ctrl_c_stops_the_ray_workers_and_keeps_what_finished(tmp_path):
    config, out = tmp_path / "many.toml", tmp_path / "out"
    config.write_text(MANY)
    run = _start(config, out, "--executor", "ray")
    _wait_for_jobs(run, out, 2)
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 130 and "run the same command again" in stderr, stderr
    assert "Traceback" not in stderr, stderr
    deadline = time.monotonic() + 30
    while _ray_workers_running_a_job() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _ray_workers_running_a_job() == []  # no worker goes on computing
    before = _jobs_in(out)
    assert 2 <= len(before) < MANY_JOBS and all(n == 1 for n in before.values())
    _resumes_to_the_end(config, out, before)

"""A tiny comparison through the real CLI: report sections, numbers, resume after a kill."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compose.common.stats import success_estimate
from compose.report import SECTIONS
from tests.helpers import CLI, run_cli

TINY_TRAINING = """
[train]
learning_rates = [0.003, 0.001]
max_steps = 60
eval_every = 20
patience = 2
"""

TINY = (
    """
env = "neurocomp/KeyDoor-8x8-v0"
budgets = [1, 2]
seeds = 1
episodes = 3
workers = 1  # the suite keeps both cores busy already: a second worker only costs its start
pipelines = [
  {kind = "hybrid"},
  {kind = "monolithic", size = "small"},
  {kind = "monolithic", size = "pooled"},
  {kind = "oracle"},
]
splits = [
  {name = "in-distribution"},
  {name = "larger-12x12", env = "neurocomp/KeyDoor-12x12-v0"},
]
"""
    + TINY_TRAINING
)


def db_rows(directory: Path) -> list[dict]:
    with sqlite3.connect(directory / "results.sqlite") as conn:
        conn.row_factory = sqlite3.Row
        return [dict(r) for r in conn.execute("SELECT * FROM results")]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny")
    config = root / "tiny.toml"
    config.write_text(TINY)
    result = run_cli("compare", "--config", str(config), "--out", str(root / "out"))
    assert result.returncode == 0, result.stderr
    assert "report:" in result.stdout and "who won" in result.stdout
    return root / "out"


def test_report_has_every_section(tiny):
    markdown = (tiny / "report.md").read_text()
    html = (tiny / "report.html").read_text()
    for section in SECTIONS:
        assert f"## {section}" in markdown, section
        assert f"<h2>{section}</h2>" in html, section
    assert "data:image/png;base64," in html and 'src="figures/' not in html
    assert "http://" not in html and "https://" not in html  # self-contained
    for figure in ("sample_efficiency", "ood", "latency", "size_sweep"):
        assert (tiny / "figures" / f"{figure}.png").stat().st_size > 1000


def test_results_json_matches_the_database(tiny):
    rows = db_rows(tiny)
    data = json.loads((tiny / "results.json").read_text())
    assert len(data["rows"]) == len(rows)
    by_key = {(r["pipeline"], r["budget"], r["seed"], r["split"]): r for r in data["rows"]}
    for row in rows:
        mine = by_key[(row["pipeline"], row["budget"], row["seed"], row["split"])]
        assert mine["success_rate"] == row["success_rate"]
        assert mine["episodes"] == row["episodes"] == 3
        assert mine["mean_return"] == row["mean_return"]
    # fixed-size networks cannot play 12x12, the pooled one can
    splits = {(r["pipeline"], r["split"]) for r in rows}
    assert ("mono-small", "larger-12x12") not in splits
    assert ("mono-pooled", "larger-12x12") in splits
    assert len(rows) == 2 * (2 + 1 + 2) + 2  # budgets x (hybrid, small, pooled) splits + oracle


def test_report_tables_show_the_database_numbers(tiny):
    rows = db_rows(tiny)
    markdown = (tiny / "report.md").read_text()
    for pipeline, budget in (("hybrid", 2), ("mono-pooled", 1), ("oracle", 0)):
        cells = []
        for split in ("in-distribution", "larger-12x12"):
            outcomes = [
                r["outcomes"]
                for r in rows
                if (r["pipeline"], r["budget"], r["split"]) == (pipeline, budget, split)
            ]
            cells.append(success_estimate(outcomes).text())
        label = "—" if budget == 0 else str(budget)
        assert f"| {pipeline} | {label} | {cells[0]} | {cells[1]} |" in markdown


@pytest.mark.slow
def test_report_command_rebuilds_the_same_numbers(tiny):
    before = json.loads((tiny / "results.json").read_text())
    result = run_cli("report", str(tiny))
    assert result.returncode == 0, result.stderr
    after = json.loads((tiny / "results.json").read_text())
    assert after["rows"] == before["rows"] and after["summary"] == before["summary"]


def test_report_on_a_directory_without_results(tmp_path):
    result = run_cli("report", str(tmp_path))
    assert result.returncode == 2 and "not a comparison directory" in result.stderr
    assert "Traceback" not in result.stderr


RESUMABLE = (
    """
budgets = [1, 2]
seeds = 4
episodes = 2
workers = 2
pipelines = [{kind = "monolithic", size = "small"}, {kind = "hybrid"}, {kind = "oracle"}]
splits = [{name = "in-distribution"}, {name = "more-lava", kwargs = {lava = 4}}]
"""
    + TINY_TRAINING
)
JOBS = (2 + 2) * 4 + 4  # enough that a run cannot finish between two polls


def finished_jobs(directory: Path) -> int:
    """Jobs recorded so far (0 before the database exists). A database busy with a write is
    read again, not taken for an empty one: a run must not finish unseen while it is busy."""
    if not (directory / "results.sqlite").exists():
        return 0
    for _ in range(200):
        try:
            with sqlite3.connect(directory / "results.sqlite", timeout=5) as conn:
                return conn.execute("SELECT COUNT(DISTINCT job) FROM results").fetchone()[0]
        except sqlite3.OperationalError as e:
            if "no such table" in str(e):
                return 0
            time.sleep(0.01)
    raise AssertionError("the results database stayed locked")


def _as_in_a_terminal() -> None:
    # A command started in the background of a script inherits SIGINT ignored (and Python
    # then keeps it ignored); the run under test stands for one in a terminal, where Ctrl-C
    # reaches it.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_compare(config: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [str(CLI), "compare", "--config", str(config), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_as_in_a_terminal,
        env={**os.environ, "COLUMNS": "200"},
    )


def stop_after(process: subprocess.Popen, out: Path, jobs: int, sig: int) -> None:
    deadline = time.monotonic() + 240
    while finished_jobs(out) < jobs:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the comparison made no progress"
        time.sleep(0.02)
    assert process.poll() is None, "the run finished before it could be stopped"
    os.killpg(process.pid, sig)
    process.wait(timeout=60)


def check_whole_jobs(out: Path) -> dict[tuple[str, str], str]:
    rows = db_rows(out)
    per_job: dict[str, int] = {}
    for r in rows:
        per_job[r["job"]] = per_job.get(r["job"], 0) + 1
    assert all(n == 2 for n in per_job.values()), per_job  # both splits or nothing
    return {(r["job"], r["split"]): r["created_at"] + str(r["success_rate"]) for r in rows}


@pytest.mark.slow
def test_killed_and_interrupted_runs_resume_without_loss_or_duplicates(tmp_path):
    config = tmp_path / "resumable.toml"
    config.write_text(RESUMABLE)
    out = tmp_path / "out"

    killed = start_compare(config, out)
    stop_after(killed, out, 1, signal.SIGKILL)  # kill -9, workers included
    first = check_whole_jobs(out)
    assert 0 < len(first) // 2 < JOBS

    interrupted = start_compare(config, out)
    stop_after(interrupted, out, len(first) // 2 + 1, signal.SIGINT)  # Ctrl-C
    _, stderr = interrupted.communicate()
    assert interrupted.returncode == 130 and "run the same command again" in stderr
    assert "Traceback" not in stderr
    second = check_whole_jobs(out)
    assert first.items() <= second.items() and len(second) // 2 < JOBS

    result = run_cli("compare", "--config", str(config), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "resuming" in result.stderr
    final = check_whole_jobs(out)
    assert second.items() <= final.items()  # nothing recorded was lost or rewritten
    assert len(final) == 2 * JOBS == len(db_rows(out))  # and nothing is there twice


@pytest.mark.slow
def test_bad_config_and_env_are_clear_errors(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("budgets: [1, 0]\nseeds: 2\n")
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "budgets" in result.stderr and "(got 0)" in result.stderr
    result = run_cli("compare", "--env", "KeyDoor-16x61", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "Did you mean" in result.stderr
    result = run_cli("compare", "--budgets", "1,two", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "--budgets" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_row_records_where_its_jobs_seconds_went(tiny):
    parts = ("levels", "env", "neural", "symbolic", "other")
    for row in db_rows(tiny):
        cost = json.loads(row["cost"])
        assert cost["eval_total_s"] > 0 and cost["budgets_in_run"] == 1
        assert abs(sum(cost[f"eval_{p}_s"] for p in parts) - cost["eval_total_s"]) < 1e-3
        assert cost["train_run_s"] >= cost["train_s"] >= 0
        if row["pipeline"] == "oracle":
            assert cost["eval_neural_s"] == 0 < cost["eval_symbolic_s"]
        elif row["kind"] == "monolithic":
            assert cost["eval_symbolic_s"] == 0 < cost["eval_neural_s"]
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "job_costs.py"
    shown = subprocess.run(
        [sys.executable, str(script), str(tiny), "--json"], capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    table = json.loads(shown.stdout)
    assert set(table) == {r["pipeline"] for r in db_rows(tiny)}
    assert all(c["train_s"] >= 0 and c["eval_s"] > 0 for c in table.values())


@pytest.mark.slow
def test_ppo_frame_budgets_are_one_run_kept_at_each_budget(tmp_path):
    # On MiniGrid's egocentric view, beside the hybrid and a monolith: one comparison checks
    # PPO's budgets and `compare --view egocentric` (see tests/compose/test_egocentric.py).
    config = tmp_path / "ppo.toml"
    config.write_text(
        'env = "MiniGrid-DoorKey-5x5-v0"\nview = "egocentric"\nframes = [1024, 2048]\n'
        "budgets = [1]\nseeds = 1\nepisodes = 2\nworkers = 1\n"
        'pipelines = [{kind = "ppo"}, {kind = "hybrid"}, {kind = "monolithic", size = "small"}]\n'
        'splits = [{name = "in-distribution"}]\n[train]\nmax_steps = 100\n'
    )
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "out" / "report.md").read_text()
    assert "MiniGrid-DoorKey-5x5-v0 (egocentric view)" in report
    assert "seen through its **egocentric** view" in report
    assert (tmp_path / "out" / "figures" / "episode.png").is_file()  # with the hybrid's map
    everyone = db_rows(tmp_path / "out")
    assert {r["pipeline"] for r in everyone} == {"ppo", "hybrid", "mono-small"}
    assert all('"view": "egocentric"' in r["split_env"] for r in everyone)
    assert [r["success_rate"] for r in everyone if r["pipeline"] == "hybrid"] == [1.0]
    rows = sorted((r for r in everyone if r["pipeline"] == "ppo"), key=lambda r: r["budget"])
    assert [r["budget"] for r in rows] == [1024, 2048]
    fits = [json.loads(r["fit"]) for r in rows]
    costs = [json.loads(r["cost"]) for r in rows]
    assert [f["frames"] for f in fits] == [1024, 2048]
    assert all(c["budgets_in_run"] == 2 for c in costs)
    assert costs[0]["train_run_s"] == pytest.approx(costs[1]["train_run_s"], abs=0.5)
    curve = fits[1]["extra"]["curve"]
    assert fits[0]["extra"]["curve"] == curve[: len(fits[0]["extra"]["curve"])]  # a prefix
    assert fits[0]["train_seconds"] < fits[1]["train_seconds"]

"""A results directory holds one comparison: other settings are refused with what changed,
``fresh`` sets the old results aside (nothing recorded is lost), more jobs resume."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from compose import ResultsError, load_config, run_experiment
from compose.experiments.runner import settings_changes
from tests.helpers import run_cli


def oracle_only(**changes):
    settings = {
        "env": "neurocomp/LightsOut-3x3-v0",
        "seeds": 1,
        "episodes": 2,
        "workers": 1,
        "pipelines": [{"kind": "oracle"}],
        "splits": [{"name": "in-distribution"}],
    }
    return load_config(**{**settings, **changes})


def recorded(directory: Path) -> list[tuple]:
    with sqlite3.connect(directory / "results.sqlite") as conn:
        return sorted(conn.execute("SELECT job, split, outcomes FROM results"))


def test_other_settings_are_refused_with_what_changed_and_nothing_is_touched(tmp_path):
    out = tmp_path / "c"
    assert run_experiment(oracle_only(), out).ran == 1
    before = recorded(out), (out / "config.json").read_bytes(), (out / "report.md").exists()
    with pytest.raises(ResultsError) as refused:
        run_experiment(oracle_only(episodes=3), out)
    message = str(refused.value)
    assert "episodes 2 -> 3" in message and "1 recorded job " in message
    assert "--fresh" in message and "\n" not in message
    with pytest.raises(ResultsError, match="env neurocomp/LightsOut-3x3-v0 -> neurocomp/Light"):
        run_experiment(oracle_only(env="neurocomp/LightsOut-4x4-v0"), out)
    after = recorded(out), (out / "config.json").read_bytes(), (out / "report.md").exists()
    assert after == before


@pytest.mark.slow
def test_fresh_sets_the_old_comparison_aside_and_starts_again(tmp_path):
    out = tmp_path / "c"
    run_experiment(oracle_only(), out)
    old = recorded(out)
    outcome = run_experiment(oracle_only(episodes=3), out, fresh=True)
    assert outcome.ran == 1 and outcome.skipped == 0
    (aside,) = out.glob("replaced-*")
    assert recorded(aside) == old  # nothing recorded is lost
    assert [len(o) for _, _, o in recorded(out)] == [3]


@pytest.mark.slow
def test_the_same_settings_resume_and_more_jobs_only_add(tmp_path):
    out = tmp_path / "c"
    run_experiment(oracle_only(), out)
    again = run_experiment(oracle_only(seeds=2), out)  # another seed: one more job
    assert (again.skipped, again.ran) == (1, 1)
    assert not list(out.glob("replaced-*"))


def test_settings_changes_names_each_difference():
    a, b = oracle_only(), oracle_only(episodes=5, train={"max_steps": 7})
    assert settings_changes(a, b) == ["episodes 2 -> 5", "train.max_steps 1500 -> 7"]
    assert settings_changes(a, a) == []


@pytest.mark.slow
def test_the_cli_refuses_in_one_line_and_fresh_starts_again(tmp_path):
    flags = ["compare", "--env", "neurocomp/LightsOut-3x3-v0", "--pipelines", "oracle"]
    flags += ["--seeds", "1", "--out", str(tmp_path / "c")]
    assert run_cli(*flags, "--episodes", "2").returncode == 0
    refused = run_cli(*flags, "--episodes", "3")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    (line,) = refused.stderr.strip().splitlines()
    assert "settings changed: episodes 2 -> 3" in line and "--fresh" in line
    again = run_cli(*flags, "--episodes", "3", "--fresh")
    assert again.returncode == 0, again.stderr
    assert len(list((tmp_path / "c").glob("replaced-*/results.sqlite"))) == 1

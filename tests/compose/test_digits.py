"""Digit addition learned from sums alone, for real: k-means, the rules from SWI-Prolog, and a
network trained on a tiny budget, measured on images it never saw."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from compose.digits.task import AbducedAddition, AdditionConfig, run_addition
from environments.digits import InvalidTaskError, addition_pairs, digit_images
from symbolic.digit_rules import load_sum_rules
from tests.helpers import one_line_error, run_cli

TINY = AdditionConfig(restarts=5, rounds=2, epochs=6, mono_epochs=4)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rules():
    return load_sum_rules()


def test_digits_are_learnt_from_sums_alone(rules):
    train = addition_pairs(500, "train", seed=0)
    learner = AbducedAddition(rules, TINY, seed=0).fit(train.images, train.sums)
    assert learner.first_consistency >= 0.6  # the rules picked a mapping of the clusters
    assert learner.history and learner.history[-1]["explained"] >= 0.8
    images, digits = digit_images("test")
    assert (learner.digits(images) == digits).mean() >= 0.9


def test_the_three_learners_say_what_they_took(rules):
    scores = {s.learner: s for s in run_addition(rules, 200, seed=1, config=TINY, test_pairs=200)}
    assert set(scores) == {"abduced", "labelled", "monolithic"}
    assert scores["abduced"].digit_labels == 0 and scores["labelled"].digit_labels == 400
    assert scores["monolithic"].digit_accuracy is None
    assert all(0.0 <= s.sum_accuracy <= 1.0 and s.seconds > 0 for s in scores.values())


def test_a_sum_out_of_range_is_refused(rules):
    train = addition_pairs(10, "train", seed=0)
    sums = train.sums.copy()
    sums[3] = 25
    with pytest.raises(InvalidTaskError, match="example 3 has sum 25"):
        AbducedAddition(rules, TINY).fit(train.images, sums)
    with pytest.raises(RuntimeError, match="fit the learner first"):
        AbducedAddition(rules, TINY).digits(np.zeros((1, 8, 8)))


@pytest.mark.slow
def test_the_addition_command_runs_every_learner_and_writes_its_rows(tmp_path):
    out = tmp_path / "rows.json"
    done = run_cli(
        "addition",
        *("--seeds", "1", "--pairs", "150", "--test-pairs", "100"),
        *("--rounds", "1", "--epochs", "3", "--json", str(out)),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "abduced" in done.stdout and "of 1 seed;" in done.stdout
    rows = json.loads(out.read_text())
    assert {r["learner"] for r in rows} == {"abduced", "labelled", "monolithic"}
    assert all(r["pairs"] == 150 for r in rows)
    assert next(r for r in rows if r["learner"] == "abduced")["digit_labels"] == 0


@pytest.mark.slow
def test_the_addition_command_refuses_bad_input_in_one_line(tmp_path):
    bad_rules = tmp_path / "sum.pl"
    bad_rules.write_text("adds_up(A, B, S) :- S is A + B.\n", encoding="utf-8")
    line = one_line_error(run_cli("addition", "--seeds", "1", "--rules", str(bad_rules)))
    assert str(bad_rules) in line
    usage = run_cli("addition", "--seeds", "0")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    script = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "digits_vs_ablkit.py"), "--seeds", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert script.returncode == 2 and "must be positive" in script.stderr

"""Bad input through the real CLI: every refusal is one readable line, no traceback, within
bounded time and memory, and a results directory it refuses is left exactly as it was."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.helpers import CLI, one_line_error, run_cli, run_cli_measured, run_main

LIGHTS = "neurocomp/LightsOut-3x3-v0"
TINY = f"""
env = "{LIGHTS}"
budgets = [1]
seeds = 1
episodes = 2
workers = 1
pipelines = [{{kind = "hybrid"}}, {{kind = "oracle"}}]
splits = [{{name = "in-distribution"}}]

[train]
max_steps = 40
eval_every = 20
"""


def billion_laughs() -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefghi", "bcdefghij", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join([*lines, "budgets: *j", ""])


CONFIGS = [
    ("laughs.yaml", billion_laughs(), "aliases expand to more than 100,000 values"),
    ("big.toml", "# " + "x" * 2_000_000 + "\n", "too large for a config"),
    ("latin1.toml", 'env = "caf\xe9"\n'.encode("latin-1"), "not UTF-8 text (byte 0xe9"),
    ("deep.json", "[" * 50_000 + "]" * 50_000, "nests values too deeply"),
    ("long.toml", f'env = "{"x" * 5000}"\n', "… (5002 characters)"),
    ("list.toml", 'pipelines = "hybrid"\n', "pipelines: Input should be a valid list"),
    ("table.toml", "train = [1, 2]\n", "train: Input should be a valid dictionary"),
    ("kwargs.toml", 'splits = [{name = "x", kwargs = [1]}]\n', "splits[0].kwargs: Input should"),
    ("size.toml", 'pipelines = [{kind = "monolithic", size = [1]}]\n', "pipelines[0].size"),
    ("budget.toml", "budgets = [1, 5000]\n", "from 1 to 3,000 (got 5000)"),
    ("steps.toml", "[train]\nmax_steps = 10000000\n", "train.max_steps: Input should be"),
    ("grid.toml", 'splits = [{name = "huge", kwargs = {size = 400}}]\n', "from 6 to 128"),
    ("tile.toml", 'splits = [{name = "t", kwargs = {tile = 6}}]\n', "6-pixel cells"),
    ("top.yaml", "- 1\n- 2\n", "the top level must be a table"),
]


# Configs built to cost time or memory, whose refusal is measured in a process of its own;
# the others call the same entry point in this process.
COSTLY = ("laughs.yaml", "big.toml", "deep.json", "long.toml")


@pytest.mark.slow
@pytest.mark.parametrize("name, text, message", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_a_bad_config_is_one_line_quickly(tmp_path, name, text, message, capsys, monkeypatch):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    args = ("compare", "--config", str(path), "--out", str(tmp_path / "out"))
    if name in COSTLY:
        result, seconds, peak_mb = run_cli_measured(*args)
        assert seconds < 30 and peak_mb < 1000, (seconds, peak_mb)
    else:
        result = run_main(args, tmp_path, capsys, monkeypatch)
    line = one_line_error(result)
    assert message in line and len(line) < 400, line
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_flags_error_is_blamed_on_the_flag(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("budgets = [1, 3]\n")
    line = one_line_error(run_cli("compare", "--config", str(path), "--budgets", "0"))
    assert "--budgets: budgets are numbers of demonstration episodes" in line
    line = one_line_error(run_cli("compare", "--config", str(path), "--env", "neurocomp/Nope"))
    assert "--env: unknown environment id 'neurocomp/Nope'" in line
    path.write_text("budgets = [0]\n")
    assert f"{path}: budgets:" in one_line_error(run_cli("compare", "--config", str(path)))


def test_a_split_keyword_of_the_wrong_type_is_one_line_naming_split_and_field(tmp_path):
    path = tmp_path / "typed.toml"
    path.write_text(
        'env = "neurocomp/KeyDoor-8x8-v0"\nsplits = [{name = "big", kwargs = {size = "8"}}]\n'
    )
    budget = ("--budgets", "1", "--seeds", "1", "--episodes", "1")
    result = run_cli("compare", "--config", str(path), *budget, "--out", str(tmp_path / "out"))
    line = one_line_error(result)  # one line, no traceback
    assert result.returncode == 2
    assert (
        "splits[0] (big): size must be an integer or a pair of integers, got '8' (a string)" in line
    )
    assert not (tmp_path / "out").exists()


def test_messages_are_not_wrapped_at_80_columns(tmp_path):
    result = run_cli("compare", "--env", "neurocomp/KeyDor-8x8-v0", columns=80)
    line = one_line_error(result)
    assert len(line) > 80 and "Did you mean 'neurocomp/KeyDoor-8x8-v0'" in line


# -- results directories ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A real, small comparison directory."""
    root = tmp_path_factory.mktemp("finished")
    (root / "tiny.toml").write_text(TINY)
    result = run_cli("compare", "--config", str(root / "tiny.toml"), "--out", str(root / "out"))
    assert result.returncode == 0, result.stderr
    return root / "out"


def snapshot(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def corrupt_pages(out: Path) -> None:
    with open(out / "results.sqlite", "r+b") as f:
        f.seek(4096)
        f.write(b"\x13" * 8192)


def other_schema(out: Path) -> None:
    (out / "results.sqlite").unlink()
    with sqlite3.connect(out / "results.sqlite") as conn:
        conn.execute("CREATE TABLE results (x INTEGER)")


DAMAGE = {
    "corrupt database pages": (corrupt_pages, "results.sqlite: the results database cannot"),
    "another schema": (other_schema, "its results table has other columns (x)"),
    "config not JSON": (lambda o: (o / "config.json").write_text("{not json"), "not JSON"),
    "config without keys": (lambda o: (o / "config.json").write_text("{}"), 'no "config"'),
    "config a list": (lambda o: (o / "config.json").write_text("[1]"), 'no "config"'),
}


@pytest.mark.slow
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_results_directory_is_refused_and_left_alone(
    finished, tmp_path, damage, capsys, monkeypatch
):
    out = tmp_path / "out"
    shutil.copytree(finished, out)
    spoil, message = DAMAGE[damage]
    spoil(out)
    before = snapshot(out)
    for args in (
        ("report", str(out)),
        ("compare", "--config", str(finished.parent / "tiny.toml"), "--out", str(out)),
    ):
        if damage == next(iter(DAMAGE)):  # the installed command, in a process of its own
            result, seconds, _ = run_cli_measured(*args)
            assert seconds < 60
        else:  # the same entry point, in this process
            result = run_main(args, tmp_path, capsys, monkeypatch)
        line = one_line_error(result)
        assert message in line and str(out) in line, line
        assert snapshot(out) == before, f"{args[0]} changed the directory"


def test_a_results_database_from_before_the_cost_column_is_kept_and_resumed(finished, tmp_path):
    """A database written before rows recorded their costs gets the column (empty for its
    rows), keeps every row, and a rerun resumes: nothing is run again."""
    out = tmp_path / "out"
    shutil.copytree(finished, out)
    with sqlite3.connect(out / "results.sqlite") as conn:
        before = conn.execute("SELECT job, split, outcomes FROM results ORDER BY 1, 2").fetchall()
        conn.execute("ALTER TABLE results DROP COLUMN cost")
    result = run_cli("compare", "--config", str(finished.parent / "tiny.toml"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(out / "results.sqlite") as conn:
        after = conn.execute("SELECT job, split, outcomes FROM results ORDER BY 1, 2").fetchall()
        costs = conn.execute("SELECT cost FROM results").fetchall()
    assert after == before and all(cost is None for (cost,) in costs)
    jobs = len({job for job, _, _ in before})
    said = result.stdout + result.stderr
    assert f"resuming: {jobs} of {jobs} jobs are already recorded" in said, said


@pytest.mark.slow
def test_a_comparison_of_the_oracle_alone_still_writes_a_report(tmp_path):
    path = tmp_path / "oracle.toml"
    path.write_text(
        f'env = "{LIGHTS}"\nseeds = 1\nepisodes = 2\npipelines = [{{kind = "oracle"}}]\n'
    )
    result = run_cli("compare", "--config", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "no learner has results" in result.stdout
    assert "there is no winner to name" in (tmp_path / "out" / "report.md").read_text()


@pytest.mark.slow
def test_a_tie_at_zero_names_no_winner(tmp_path):
    path = tmp_path / "zero.toml"
    path.write_text(
        'env = "neurocomp/LightsOut-7x7-v0"\nseeds = 1\nbudgets = [1]\nepisodes = 2\n'
        'splits = [{name = "in-distribution"}]\n'
        'pipelines = [{kind = "monolithic", size = "small"},\n'
        '  {kind = "monolithic", size = "medium"}]\n'
        "[train]\nmax_steps = 20\neval_every = 10\n"
    )
    result = run_cli("compare", "--config", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"in-distribution +none +0% .* no winner", result.stdout)
    report = (tmp_path / "out" / "report.md").read_text()
    assert "no winner: no learner solved a single level" in report
    assert "wins" not in report.split("## Success rates")[0]


@pytest.mark.slow
def test_a_second_comparison_on_the_same_directory_stops_at_once(tmp_path):
    config = tmp_path / "tiny.toml"
    config.write_text(TINY.replace("budgets = [1]", "budgets = [1, 2, 3]"))
    out = tmp_path / "out"
    args = [str(CLI), "compare", "--config", str(config), "--out", str(out)]
    first = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while "process" not in _read(out / ".lock") and time.monotonic() < deadline:
            time.sleep(0.2)
        result, seconds, _ = run_cli_measured("compare", "--config", str(config), "--out", str(out))
        line = one_line_error(result)
        assert f"{out} is in use by another `neurocomp compare` in process {first.pid}" in line
        assert seconds < 30
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The lock died with its holder: a rerun resumes and finishes, every row once.
    result = run_cli("compare", "--config", str(config), "--out", str(out))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(out / "results.sqlite") as conn:
        rows = conn.execute("SELECT job, split FROM results").fetchall()
    assert len(rows) == len(set(rows)) == 4  # hybrid at 3 budgets and the oracle, one split


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


# -- checkpoints ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("saved")
    result = run_cli(
        "run", "--env", LIGHTS, "--pipeline", "hybrid", "--budget", "1", "--episodes", "1",
        "--save", str(root / "hybrid"), "--out", str(root / "run"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "hybrid"


class _Shell:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


CHECKPOINTS = {
    "a list": (lambda d: (d / "pipeline.json").write_text("[1]"), "not a list"),
    "missing keys": (
        lambda d: (d / "pipeline.json").write_text('{"format": 2, "game": "lightsout"}'),
        "kinds: Field required",
    ),
    "a huge tile": (
        lambda d: (d / "pipeline.json").write_text(
            (d / "pipeline.json").read_text().replace('"tile": 8', '"tile": 100000')
        ),
        "tile: Input should be less than or equal to 32 (got 100000)",
    ),
    "pickled code": (
        lambda d: (d / "weights.pt").write_bytes(pickle.dumps(_Shell())),
        "never runs code from the file",
    ),
}


@pytest.mark.parametrize("case", CHECKPOINTS)
def test_a_bad_checkpoint_is_one_clear_line(saved, tmp_path, case):
    directory = tmp_path / "ck"
    shutil.copytree(saved, directory)
    spoil, message = CHECKPOINTS[case]
    spoil(directory)
    result, _, peak_mb = run_cli_measured(
        "run", "--env", LIGHTS, "--load", str(directory), "--out", str(tmp_path / "o")
    )
    line = one_line_error(result)
    assert message in line and "pwned" not in result.stdout, line
    assert "weights_only=False" not in line and "trusted source" not in line
    assert peak_mb < 1000


def test_load_says_which_flags_it_ignores(saved, tmp_path):
    result = run_cli(
        "run", "--env", LIGHTS, "--load", str(saved), "--pipeline", "monolithic",
        "--size", "large", "--episodes", "1", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "--pipeline, --size are ignored" in result.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["pipeline"] == "hybrid"


# -- output paths -----------------------------------------------------------------------------
@pytest.mark.slow
def test_output_paths_are_checked_before_training(tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    train = ["run", "--env", LIGHTS, "--pipeline", "hybrid", "--budget", "3"]
    for args, message in (
        ([*train, "--save", str(a_file)], f"--save: {a_file} is a file, not a directory"),
        ([*train, "--out", str(a_file / "x")], f"--out: cannot create {a_file / 'x'}"),
        ([*train, "--out", ""], "--out: give a directory (got an empty path)"),
        (["compare", "--env", LIGHTS, "--out", ""], "--out: give a directory"),
        (["compare", "--env", LIGHTS, "--out", str(a_file)], "is a file, not a directory"),
    ):
        result = run_cli(*args, cwd=tmp_path)
        line = one_line_error(result)
        assert message in line, line
        assert "trained" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]  # nothing written


# -- the CLI reads well -----------------------------------------------------------------------
@pytest.mark.slow
def test_version_and_a_default_for_every_option():
    from importlib.metadata import version

    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"neurocomp {version('neurocomp')}"
    for command in ("envs", "run", "compare", "report", "bench"):
        text = run_cli(command, "--help").stdout
        options = [line for line in text.splitlines() if line.strip("│ ").startswith("--")]
        # Each option's help, up to the next option, shows a default (or says it is required).
        blocks = text.split("\n│ ")
        for option in options:
            name = option.strip("│ ").split()[0]
            if name == "--help":
                continue
            block = next(b for b in blocks if b.strip("* ").startswith(name))
            assert "[default:" in block or "[required]" in block, f"{command} {name}"


def test_compare_takes_a_rules_file(tmp_path):
    from symbolic.reasoner import rules_path

    line = one_line_error(
        run_cli("compare", "--env", LIGHTS, "--rules", str(rules_path("keydoor")))
    )
    assert "does not define toggles/3, lit/1, which the LightsOut reasoner asks about" in line


def test_a_size_over_the_memory_ceiling_is_one_line_before_anything_is_written(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("NEUROCOMP_MEMORY_GIB", "0.01")
    out = tmp_path / "out"
    result = run_cli(
        "run", "--env", "neurocomp/KeyDoor-16x16-v0", "--pipeline", "monolithic",
        "--size", "large", "--budget", "1", "--out", str(out),
    )  # fmt: skip
    line = one_line_error(result)
    assert "a large policy for a 16x16 grid (3,306,756 parameters) would need 0.049 GiB" in line
    assert "NEUROCOMP_MEMORY_GIB" in line and not out.exists()

"""Every option of every command, given a bad value through the `neurocomp` entry point: one
line that names what was wrong (and, for a choice, what is accepted), never a traceback.

The first bad value of each command runs the installed command in a subprocess; the others
call the same entry point (``compose.cli.main``) in this process, which saves the start-up of
a fresh interpreter (torch, SWI-Prolog) for each of some fifty values."""

from __future__ import annotations

import pytest

from tests.helpers import one_line_error, run_cli, run_main

KEYDOOR = ["--env", "neurocomp/KeyDoor-8x8-v0"]
MISSING = "/nonexistent/neurocomp-test"
# (arguments, a fragment the one line must hold)
BAD = [
    # run
    (
        ["run", *KEYDOOR, "--search", "astar"],
        "'astar' does not apply to KeyDoor's reasoner; choose networkx or prolog",
    ),
    (["run", "--env", "neurocomp/LightsOut-3x3-v0", "--search", "networkx"], "choose gf2"),
    (["run", "--env", "neurocomp/VisualSudoku-9x9-v0", "--search", "table"], "choose clpfd"),
    (["run", *KEYDOOR, "--pipeline", "monolithic", "--search", "networkx"], "leave out --search"),
    (["run", *KEYDOOR, "--pipeline", "hybird"], "'hybird' is not one of 'oracle', 'hybrid'"),
    (["run", *KEYDOOR, "--size", "huge"], "'huge' is not one of 'small', 'medium'"),
    (["run", *KEYDOOR, "--budget", "0"], "--budget"),
    (["run", *KEYDOOR, "--budget", "x"], "--budget"),
    (["run", *KEYDOOR, "--pipeline", "oracle", "--budget", "3"], "the oracle learns nothing"),
    (["run", *KEYDOOR, "--pipeline", "ppo", "--frames", "5"], "--frames"),
    (["run", *KEYDOOR, "--episodes", "0"], "--episodes"),
    (["run", *KEYDOOR, "--seed", "-1"], "--seed"),
    (["run", *KEYDOOR, "--rules", f"{MISSING}.pl"], "rule file does not exist"),
    (["run", *KEYDOOR, "--out", ""], "--out: give a directory"),
    (["run", *KEYDOOR, "--save", "/dev/null/x"], "--save: cannot"),
    (["run", *KEYDOOR, "--load", MISSING], "holds no saved pipeline"),
    (["run", *KEYDOOR, "--level", MISSING], "--level: cannot read"),
    (["run", *KEYDOOR, "--record", "episode.txt"], "--record: name a .gif file"),
    (["run", "--env", "[bold]KeyDoor"], "unknown environment id '[bold]KeyDoor'"),
    (["run", *KEYDOOR, "--budgte", "3"], "No such option: --budgte"),
    (["run"], "Missing option '--env'"),
    (["run", *KEYDOOR, "--view", "egocentric"], "KeyDoor has no view 'egocentric'"),
    (["run", "--env", "MiniGrid-MemoryS7-v0"], "the mission grammar does not read"),
    (["run", "--env", "MiniGrid-WFC-MazeSimple-v0"], "imageio is missing"),
    (["run", "--env", "BabyAI-GoToLocl-v0"], "Did you mean 'BabyAI-GoToLocal-v0'"),
    (
        [
            "run",
            "--env",
            "MiniGrid-DoorKey-5x5-v0",
            "--view",
            "egocentric",
            "--pipeline",
            "hybrid-induced",
        ],
        "rule learning explains each decision from its screen alone",
    ),
    # compare
    (["compare", "--pipelines", "hybird-abduced"], "did you mean 'hybrid-abduced'"),
    (["compare", "--pipelines", ","], "--pipelines: name at least one pipeline"),
    (
        ["compare", "--env", "MiniGrid-DoorKey-5x5-v0", "--pipelines", "hybrid-abduced"],
        "--pipelines[0] (hybrid-abduced): abduction",
    ),
    (["compare", "--budgets", "x"], "--budgets: expected comma-separated whole numbers"),
    (["compare", "--budgets", "0"], "--budgets: budgets are numbers of demonstration episodes"),
    (["compare", "--frames", "5"], "--frames: frames are PPO's training budgets"),
    (["compare", "--view", "egocentric"], "--view: KeyDoor has no view 'egocentric'"),
    (["compare", "--seeds", "0"], "--seeds"),
    (["compare", "--seeds", "x"], "--seeds"),
    (["compare", "--episodes", "0"], "--episodes"),
    (["compare", "--workers", "0"], "--workers"),
    (["compare", "--executor", "slurm"], "'slurm' is not one of 'local', 'ray'"),
    (["compare", "--address", "nowhere"], "--address: 'nowhere' is not a Ray address"),
    (["compare", "--preset", "huge"], "'huge' is not one of 'demo', 'full', 'cluster'"),
    (["compare", "--config", f"{MISSING}.toml"], "does not exist"),
    (["compare", "--rules", f"{MISSING}.pl"], "--rules: no such file"),
    (["compare", "--env", "KeyDor-8x8"], "Did you mean 'neurocomp/KeyDoor-8x8-v0'"),
    (["compare", "--out", "/dev/null/x"], "--out: cannot"),
    # envs, bench, report, addition, and no command at all
    (["envs", "keydor"], "unknown game 'keydor'. Did you mean 'keydoor'?"),
    (["envs", "--ids=yes"], "does not take a value"),
    (["bench", "--env", "KeyDoor-8x9"], "Did you mean 'neurocomp/KeyDoor-8x8-v0'"),
    (["bench", "--scaling", "--env", "Sudoku"], "no size sweep for Sudoku; choose from KeyDoor"),
    (["bench", "--figure", "costs.png"], "--figure: a figure is drawn of --scaling only"),
    (["bench", "--scaling", "--figure", "costs.svg"], "costs.svg is not a .png file name"),
    (["report", MISSING], "is not a comparison directory"),
    (["report"], "Missing argument"),
    (["addition", "--seeds", "0"], "--seeds"),
    (["addition", "--pairs", "1"], "--pairs: at least 15"),
    (["addition", "--peer", "scallop"], "'scallop' is not one of 'ablkit'"),
    (["addition", "--rules", f"{MISSING}.pl"], "rule file does not exist"),
    (["addition", "--json", "/dev/null/rows.json"], "--json: /dev/null is a file"),
    (["play"], "No such command 'play'"),
]


FIRST = {args[0]: args for args, _ in reversed(BAD)}  # each command's first bad value


@pytest.mark.slow
@pytest.mark.parametrize("args, fragment", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_a_bad_value_is_one_line_naming_it(tmp_path, args, fragment, capsys, monkeypatch):
    if FIRST[args[0]] is args:
        result = run_cli(*args, cwd=tmp_path, timeout=120)
    else:
        result = run_main(args, tmp_path, capsys, monkeypatch)
    line = one_line_error(result)
    assert line.startswith("error: ") and fragment in line, line
    assert result.returncode == 2 and result.stdout == ""
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing trained

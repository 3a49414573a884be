"""VisualSudoku's learners: the abduced hybrid reads handwriting from the expert's writes and
the rules alone; the grid-filling network learns from the written cells only (no given's
digit); both against real SWI-Prolog, real k-means and real training on tiny budgets."""

from __future__ import annotations

import json

import numpy as np
import pytest

import environments
from compose import HybridPipeline, evaluate, load_pipeline
from compose.abduction.reading import abduce
from compose.pipelines.networks import UNWRITTEN, MonolithicPipeline, written_values
from compose.training.build import demonstrations
from neural import TrainConfig
from neural.data import Demonstrations
from symbolic.reasoner import load_reasoner
from tests.helpers import one_line_error, run_cli

TINY = TrainConfig(max_steps=300, eval_every=25, patience=4)


@pytest.fixture(scope="module")
def sudoku():
    env = environments.make("neurocomp/VisualSudoku-4x4-v0")
    return env, load_reasoner(env.game), demonstrations(env, 12, 0)


def test_the_writes_and_the_rules_read_every_handwritten_given(sudoku):
    env, reasoner, demos = sudoku
    reading = abduce(env.game, reasoner, demos, env.tile)
    assert reading.explained.all() and reading.agreement == 1.0
    assert (reading.labels == demos.cells).mean() == 1.0
    # no cell label is read: the same demonstrations with their cells scrambled read the same
    scrambled = Demonstrations(
        demos.frames, demos.actions, np.zeros_like(demos.cells), demos.episodes
    )
    again = abduce(env.game, reasoner, scrambled, env.tile)
    assert np.array_equal(again.labels, reading.labels)


def test_writes_no_solved_board_agrees_with_explain_nothing(sudoku):
    env, reasoner, demos = sudoku
    first = demos.episodes == demos.episodes[0]
    actions = demos.actions.copy()
    rows = np.flatnonzero(first)
    # the first episode writes the same digit in its first two writes: no solved board has it
    # where the two cells share a row, column or box, and the episode is left unexplained
    a, b = actions[rows[0]], actions[rows[1]]
    actions[rows[1]] = b - b % 4 + a % 4
    r0, c0, _ = env.game.actions.cell_value(a, 4)
    r1, c1, _ = env.game.actions.cell_value(b, 4)
    assert r0 == r1 or c0 == c1 or (r0 // 2, c0 // 2) == (r1 // 2, c1 // 2)
    broken = Demonstrations(demos.frames, actions, demos.cells, demos.episodes)
    reading = abduce(env.game, reasoner, broken, env.tile)
    assert not reading.explained[first].any() and reading.explained[~first].all()


def test_the_abduced_hybrid_plays_on_handwriting_it_never_saw(sudoku, tmp_path):
    env, reasoner, demos = sudoku
    pipe = HybridPipeline(reasoner, tile=env.tile, supervision="abduced", perception_kind="conv")
    report = pipe.fit(demos, TINY)
    assert report.cell_labels == 0 and report.actions == len(demos)
    assert report.extra["abduced_cell_accuracy"] == 1.0
    unseen = environments.make("neurocomp/VisualSudoku-4x4-v0", images="test")
    summary = evaluate(unseen, pipe, 10, 0)
    assert summary.success_rate >= 0.5, summary.success_rate
    loaded = load_pipeline(pipe.save(tmp_path / "saved"), env.game)
    obs, info = unseen.reset(seed=4)
    assert loaded.act(obs, info).action == pipe.act(obs, info).action


def test_the_legend_hybrid_is_refused_where_kinds_do_not_look_alike():
    game = environments.make("neurocomp/VisualSudoku-4x4-v0").game
    with pytest.raises(ValueError, match="handwriting"):
        HybridPipeline(load_reasoner(game), supervision="legend")


@pytest.mark.slow
def test_the_grid_filling_network_learns_from_written_cells_only(sudoku, tmp_path):
    env, _reasoner, demos = sudoku
    targets = written_values(env.game, demos, (4, 4))
    given = demos.cells[0] > 0  # the first screen's givens
    first = demos.episodes == demos.episodes[0]
    assert (targets[first][:, given] == UNWRITTEN).all()  # never a given's digit
    final = demos.cells[np.flatnonzero(first)[-1]]
    last_action = env.game.actions.cell_value(int(demos.actions[first][-1]), 4)
    final = final.copy()
    final[last_action[0], last_action[1]] = last_action[2] + 1
    assert (targets[first][0][~given] + 1 == final[~given]).all()  # the digit it writes

    pipe = MonolithicPipeline.for_env(env, "pooled", target="grid")
    report = pipe.fit(demos, TINY)
    assert pipe.label == "mono-pooled-grid" and report.actions == len(demos)
    assert report.cell_labels == 0
    obs, info = env.reset(seed=2)
    pipe.reset()
    cells = [env.game.actions.cell_value(pipe.act(obs, info).action, 4)[:2] for _ in range(16)]
    assert cells == [divmod(i, 4) for i in range(16)]  # every cell, in reading order
    assert len(evaluate(env, pipe, 3, 0).episodes) == 3
    loaded = load_pipeline(pipe.save(tmp_path / "grid"), env.game)
    assert loaded.label == pipe.label
    keydoor = environments.make("neurocomp/KeyDoor-8x8-v0")
    with pytest.raises(ValueError, match="write values into cells"):
        MonolithicPipeline.for_env(keydoor, "pooled", target="grid")


@pytest.mark.slow
def test_compare_runs_visual_sudoku_with_every_kind_of_learner(tmp_path):
    config = tmp_path / "sudoku.toml"
    config.write_text(
        """
env = "neurocomp/VisualSudoku-4x4-v0"
budgets = [3]
seeds = 1
episodes = 3
workers = 1
pipelines = [
  {kind = "hybrid", perception = "conv"},
  {kind = "hybrid", supervision = "abduced", perception = "conv"},
  {kind = "monolithic", size = "pooled", target = "grid"},
  {kind = "monolithic", size = "small"},
  {kind = "oracle"},
]

[train]
max_steps = 60
eval_every = 20
patience = 2
""",
        encoding="utf-8",
    )
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    pipelines = {r["pipeline"] for r in data["rows"]}
    assert pipelines == {
        "hybrid-conv",
        "hybrid-abduced-conv",
        "mono-pooled-grid",
        "mono-small",
        "oracle",
    }
    splits = {r["split"] for r in data["rows"]}
    assert splits == {"in-distribution", "fewer-givens", "novel-appearance"}
    oracle = [r for r in data["rows"] if r["pipeline"] == "oracle"]
    assert all(r["success_rate"] == 1.0 for r in oracle)
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "VisualSudoku" in markdown and "hybrid-abduced-conv" in markdown


@pytest.mark.slow
def test_a_grid_target_where_actions_write_nothing_is_one_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text(
        'env = "neurocomp/KeyDoor-8x8-v0"\n'
        'pipelines = [{kind = "monolithic", size = "small", target = "grid"}]\n',
        encoding="utf-8",
    )
    line = one_line_error(run_cli("compare", "--config", str(config), "--out", str(tmp_path)))
    assert "pipelines[0] (mono-small-grid)" in line and "write values into cells" in line


def test_9x9_writes_and_the_rules_read_every_handwritten_given():
    env = environments.make("neurocomp/VisualSudoku-9x9-v0")
    demos = demonstrations(env, 2, 0)
    reading = abduce(env.game, load_reasoner(env.game), demos, env.tile)
    assert reading.explained.all() and reading.agreement == 1.0
    assert np.array_equal(reading.labels, demos.cells)

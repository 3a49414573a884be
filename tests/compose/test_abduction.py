"""Abduction: perception learned from screens, the expert's actions and the rules, with no cell
label -- against real SWI-Prolog, real clustering and real training on tiny budgets."""

from __future__ import annotations

import json

import numpy as np
import pytest

import environments
from compose import HybridPipeline, evaluate, load_pipeline
from compose.abduction.appearances import legend_of
from compose.abduction.episodes import consistent_steps
from compose.abduction.reading import abduce
from compose.training.build import demonstrations
from neural import TrainConfig
from neural.data import Demonstrations
from symbolic.reasoner import load_reasoner
from tests.helpers import run_cli

TINY = TrainConfig(max_steps=300, eval_every=25, patience=4)


@pytest.fixture(scope="module")
def keydoor():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    game = env.game
    reasoner = load_reasoner(game)
    demos = demonstrations(env, 3, 0)
    return env, game, reasoner, demos, abduce(game, reasoner, demos, env.tile)


@pytest.mark.slow
def test_no_cell_label_is_read(keydoor):
    env, game, reasoner, demos, reading = keydoor
    blind = Demonstrations(demos.frames, demos.actions, np.zeros_like(demos.cells), demos.episodes)
    again = abduce(game, reasoner, blind, env.tile)
    assert np.array_equal(again.labels, reading.labels)


def test_the_reading_explains_the_expert_and_is_the_truth_where_play_tells(keydoor):
    _env, game, reasoner, demos, reading = keydoor
    assert reading.agreement >= 0.9
    assert consistent_steps(game, reasoner, reading.labels, demos).mean() >= 0.9
    assert reading.explained.mean() >= 0.6
    # Lava the expert always walked around reads as well as a wall; every other kind is pinned.
    told = demos.cells != game.index("lava")
    assert (reading.labels == demos.cells)[told].mean() >= 0.98
    assert reading.ambiguous_cells > 0  # walls and lava cannot be told apart by play alone


def test_a_wrong_reading_does_not_explain_the_expert(keydoor):
    _env, game, reasoner, demos, _ = keydoor
    truth = consistent_steps(game, reasoner, demos.cells, demos).mean()
    floor, wall = game.index("floor"), game.index("wall")
    swapped = demos.cells.copy()
    swapped[demos.cells == floor], swapped[demos.cells == wall] = wall, floor
    assert truth >= 0.9
    assert consistent_steps(game, reasoner, swapped, demos).mean() <= 0.3


def test_sleeping_enemies_are_read_as_still_ones_because_the_screens_show_them_still():
    """Awake and sleeping enemies kill alike; only how the screens change tells them apart (an
    awake one would move), and the two sleeping kinds no play can tell apart at all."""
    env = environments.make("neurocomp/PacMaze-5x5-v0")
    game, reasoner = env.game, load_reasoner(env.game)
    demos = demonstrations(env, 10, 0)
    reading = abduce(game, reasoner, demos, env.tile)
    asleep = [game.index("ghost_asleep"), game.index("bat_asleep")]
    enemies = np.isin(demos.cells, asleep)
    assert enemies.sum() > 50
    assert np.isin(reading.labels[enemies], asleep).all()
    alike = reasoner.alike()
    assert alike[asleep[0]] == alike[asleep[1]] and len(set(alike.tolist())) == game.num_kinds - 1
    assert (alike[reading.labels] == alike[demos.cells]).mean() >= 0.98


def test_a_legend_is_one_labelled_cell_per_kind(keydoor):
    env, game, reasoner, demos, _ = keydoor
    legend = legend_of(demos, env.tile)
    assert sorted(k for _, k in legend) == sorted(np.unique(demos.cells).tolist())
    reading = abduce(game, reasoner, demos, env.tile, legend=legend)
    assert (reading.labels == demos.cells).mean() >= 0.98


# Success over 20 levels by training seed 0..4 (TINY's seed; demonstrations and levels of seed
# 0), measured; an untrained pipeline solves at most 1 of the 20 (checked below):
#   PacMaze-Moving, 10 demonstrations, abduced   1.00 1.00 1.00 1.00 1.00
#   LightsOut-3x3,   4 demonstrations, abduced   1.00 1.00 1.00 1.00 1.00
#   KeyDoor-8x8,    10 demonstrations, legend    1.00 1.00 1.00 0.95 1.00
#   (KeyDoor-8x8 on 3 demonstrations: 1.00 0.70 0.95 0.90 0.85 -- a key read as the agent
#   holding one, a door as a wall, on levels unlike the three it saw)
@pytest.mark.parametrize(
    ("env_id", "budget", "supervision", "least"),
    [
        ("neurocomp/PacMaze-Moving-5x5-v0", 10, "abduced", 0.9),
        ("neurocomp/LightsOut-3x3-v0", 4, "abduced", 0.9),
        ("neurocomp/KeyDoor-8x8-v0", 10, "legend", 0.8),
    ],
)
@pytest.mark.slow
def test_hybrids_without_cell_labels_play(env_id, budget, supervision, least, tmp_path):
    env = environments.make(env_id)
    pipe = HybridPipeline(load_reasoner(env.game), tile=env.tile, supervision=supervision)
    assert evaluate(env, pipe, 20, 0).success_rate < least  # the bar is not met untrained
    demos = demonstrations(env, budget, 0)
    report = pipe.fit(demos, TINY)
    assert report.actions == len(demos)
    expected = 0 if supervision == "abduced" else len(np.unique(demos.cells))
    assert report.cell_labels == expected
    assert report.extra["perceived_cell_accuracy"] >= 0.9
    assert report.extra["perceived_alike_accuracy"] >= report.extra["perceived_cell_accuracy"]
    assert pipe.label == f"hybrid-{supervision}"
    summary = evaluate(env, pipe, 20, 0)
    assert summary.success_rate >= least, summary.success_rate
    loaded = load_pipeline(pipe.save(tmp_path / "saved"), env.game)
    assert loaded.label == pipe.label
    obs, info = env.reset(seed=3)
    assert loaded.act(obs, info).action == pipe.act(obs, info).action


def test_an_unknown_supervision_is_refused():
    game = environments.make("neurocomp/KeyDoor-8x8-v0").game
    with pytest.raises(ValueError, match="supervision must be one of"):
        HybridPipeline(load_reasoner(game), supervision="telepathy")  # type: ignore[arg-type]


COMPARE = """
env = "neurocomp/LightsOut-3x3-v0"
budgets = [3]
seeds = 1
episodes = 4
workers = 1
pipelines = [{kind = "hybrid"}, {kind = "hybrid", supervision = "abduced"}, {kind = "oracle"}]

[train]
max_steps = 100
eval_every = 25
"""


@pytest.mark.slow
def test_compare_puts_the_abduced_hybrid_beside_the_labelled_one(tmp_path):
    config = tmp_path / "abduced.toml"
    config.write_text(COMPARE)
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "## Perception without cell labels" in markdown
    assert "The abduced hybrid (no cell label)" in markdown
    rows = json.loads((tmp_path / "out" / "results.json").read_text())["rows"]
    abduced = [r for r in rows if r["pipeline"] == "hybrid-abduced"]
    labelled = [r for r in rows if r["pipeline"] == "hybrid"]
    assert abduced and all(r["cell_labels"] == 0 and r["actions"] > 0 for r in abduced)
    assert labelled and all(r["cell_labels"] > 0 and r["actions"] == 0 for r in labelled)


@pytest.mark.slow
def test_abduction_on_a_game_it_cannot_read_is_one_line(tmp_path):
    config = tmp_path / "minigrid.toml"
    config.write_text(
        'env = "MiniGrid-DoorKey-5x5-v0"\n'
        'pipelines = [{kind = "hybrid", supervision = "abduced"}]\n'
    )
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "pipelines[0] (hybrid-abduced)" in result.stderr and "45" in result.stderr
    result = run_cli("run", "--env", "MiniGrid-DoorKey-5x5-v0", "--pipeline", "hybrid-abduced")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "up to 16 kinds" in result.stderr


@pytest.mark.slow
def test_run_trains_an_abduced_hybrid_and_says_what_it_read(tmp_path):
    result = run_cli(
        "run",
        "--env",
        "neurocomp/LightsOut-3x3-v0",
        "--pipeline",
        "hybrid-abduced",
        "--budget",
        "3",
        "--episodes",
        "4",
        "--out",
        str(tmp_path / "run"),
    )
    assert result.returncode == 0, result.stderr
    assert "with 0 cell labels: 3 of 3 episodes explained" in result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["success_rate"] >= 0.75

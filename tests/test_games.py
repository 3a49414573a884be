"""Every registered game gets these checks for free, driven by the registry: its expert and its
oracle (the game's reasoner and rules on the true scene) solve every generated level, its
pipelines save and load, and a tiny comparison through the real CLI writes a full report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import environments
from compose import (
    HybridPipeline,
    MonolithicPipeline,
    OraclePipeline,
    PPOPipeline,
    load_pipeline,
)
from compose.common.errors import CheckpointError
from compose.common.levels import level_seed
from compose.play import evaluate, play_episode
from compose.report import SECTIONS
from compose.training.build import demonstrations
from neural import TrainConfig
from symbolic.reasoner import load_reasoner, reasoner_class
from tests.helpers import run_cli

GAMES = {game.name: game for game in environments.games()}
IDS = environments.env_ids()
LEVELS = 12  # generated levels per registered id


@pytest.mark.parametrize("env_id", IDS)
def test_the_expert_solves_every_generated_level(env_id):
    env = environments.make(env_id)
    for i in range(LEVELS):
        env.reset(seed=level_seed(7, "eval", i))
        plan = env.expert_plan()
        assert plan, f"{env_id} level {i} has no plan"
        for a in plan:
            _, reward, terminated, _, info = env.step(a)
        assert terminated and info["success"] and reward > 0, f"{env_id} level {i}"


@pytest.fixture(scope="module")
def oracles() -> dict[str, OraclePipeline]:
    return {name: OraclePipeline.for_game(game) for name, game in GAMES.items()}


@pytest.mark.slow
@pytest.mark.parametrize("env_id", IDS)
def test_the_oracle_solves_every_generated_level(env_id, oracles):
    env = environments.make(env_id)
    oracle = oracles[env.game.name]
    for i in range(LEVELS):
        seed = level_seed(7, "eval", i)
        episode = play_episode(env, oracle, seed)
        env.reset(seed=seed)
        assert episode.success, f"{env_id} level {i}"
        assert episode.steps == len(env.expert_plan()), f"{env_id} level {i}: not shortest"


@pytest.mark.parametrize(
    "env_id", [i for i in IDS if reasoner_class(environments.make(i).game).predicts]
)
def test_where_the_reasoner_predicts_screens_the_rules_predict_the_game(env_id, oracles):
    """Abduction trusts ``predict``: on the true scenes of the expert's play, the next screen
    is the one the rules say, on every step of a few episodes (None only where it ends)."""
    env = environments.make(env_id)
    reasoner = oracles[env.game.name].reasoner
    for i in range(3):
        _, info = env.reset(seed=level_seed(7, "eval", i))
        plan = env.expert_plan()
        for step, action in enumerate(plan):
            predicted = reasoner.predict(info["scene"], action)
            _, _, terminated, _, info = env.step(action)
            if step == len(plan) - 1:
                assert predicted is None and terminated
            else:
                assert predicted is not None, f"{env_id} level {i} step {step}"
                seen = predicted >= 0  # the cell the agent left is unseen
                assert seen.sum() >= predicted.size - 1
                assert (predicted[seen] == info["scene"].grid[seen]).all()


def _briefly_trained(game, size):
    """A game's first environment, and a hybrid and a monolith of ``size`` trained a few steps
    on two of its demonstrations."""
    env = environments.make(game.env_ids()[0])
    demos = demonstrations(env, 2, 0)
    hybrid = HybridPipeline.for_game(game)
    hybrid.fit(demos, TrainConfig(max_steps=60, eval_every=20))
    mono = MonolithicPipeline.for_env(env, size)
    mono.fit(demos, TrainConfig(max_steps=30, eval_every=10))
    return env, hybrid, mono


@pytest.mark.slow
@pytest.mark.parametrize("name", GAMES)
def test_pipelines_save_load_and_refuse_another_game(name, tmp_path):
    game = GAMES[name]
    env, hybrid, mono = _briefly_trained(game, "pooled")
    ppo = PPOPipeline.for_env(env)
    ppo.fit_frames(env, 1024, seed=0)
    for pipe in (hybrid, mono, ppo):
        directory = pipe.save(tmp_path / pipe.label)
        loaded = load_pipeline(directory, game)
        assert loaded.label == pipe.label and loaded.game is game
        for i in range(4):
            obs, info = env.reset(seed=i)
            assert loaded.act(obs, info).action == pipe.act(obs, info).action
        for other in GAMES.values():
            if other is not game:
                with pytest.raises(CheckpointError, match=f"trained on {game.title}"):
                    load_pipeline(directory, other)


@pytest.mark.parametrize("name", GAMES)
def test_levels_played_together_play_as_they_would_alone(name, oracles):
    """Evaluation plays levels in lockstep, each pipeline's network reading all their screens
    in one batch and each level keeping its own memory (the hybrid's inventory, the
    reasoner's kept plan): every episode is the one it would be alone."""
    game = GAMES[name]
    env, hybrid, mono = _briefly_trained(game, "small")
    for pipe in (hybrid, mono, oracles[name]):
        alone = evaluate(env, pipe, 6, 0, together=1)
        together = evaluate(env, pipe, 6, 0, together=4)  # two rounds: 4 levels, then 2
        assert _episodes(together) == _episodes(alone), pipe.label
        assert together.seconds["total"] > 0 and set(together.seconds) == set(alone.seconds)
    assert together.success_rate == 1.0  # the oracle's levels were played to their wins


def _episodes(summary):
    return [(e.level_seed, e.success, e.steps, e.ret, e.looped) for e in summary.episodes]


TINY = """
env = "{env}"
budgets = [1]
frames = [1024]
seeds = 1
episodes = 2
workers = 1  # the suite keeps both cores busy already: a second worker only costs its start
pipelines = [
  {{kind = "hybrid"}},
  {{kind = "monolithic", size = "small"}},
  {{kind = "ppo"}},
  {{kind = "oracle"}},
]

[train]
max_steps = 60
eval_every = 20
patience = 2
"""


@pytest.mark.slow
@pytest.mark.parametrize("name", GAMES)
def test_a_tiny_comparison_writes_a_full_report(name, tmp_path):
    game = GAMES[name]
    env_id = game.env_ids()[0]
    config = tmp_path / "tiny.toml"
    config.write_text(TINY.format(env=env_id))
    result = run_cli("compare", "--config", str(config), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    markdown = (out / "report.md").read_text()
    for section in SECTIONS:
        assert f"## {section}" in markdown, section
    assert game.title in markdown and game.legend() in markdown
    assert (out / "figures" / "episode.png").stat().st_size > 1000
    data = json.loads((out / "results.json").read_text())
    splits = {s.name for s in environments.make(env_id).eval_splits()}
    assert {r["split"] for r in data["rows"] if r["pipeline"] == "hybrid"} == splits
    ppo = [r for r in data["rows"] if r["pipeline"] == "ppo"]
    assert ppo and all(r["frames"] == 1024 and r["actions"] == 0 for r in ppo)
    assert (out / "figures" / "frames.png").stat().st_size > 1000
    oracle = [r for r in data["rows"] if r["pipeline"] == "oracle"]
    assert oracle and all(r["success_rate"] == 1.0 for r in oracle)
    assert Path(out / "report.html").read_text().count("data:image/png;base64,") >= 4


TINY_TRAIN = TrainConfig(max_steps=30, eval_every=10, patience=2)


@pytest.mark.slow
@pytest.mark.parametrize("name", GAMES)
def test_the_best_shots_train_play_and_say_what_they_took(name, tmp_path):
    from compose.training.teaching import dagger, distill

    game = GAMES[name]
    env = environments.make(game.env_ids()[0])
    demos = demonstrations(env, 2, 0)
    obs, info = env.reset(seed=level_seed(0, "eval", 0))

    symbolic = MonolithicPipeline.for_env(env, "medium", inputs="symbols")
    report = symbolic.fit(demos, TINY_TRAIN)
    assert report.actions == len(demos) and report.extra["true_grids"] == len(demos)
    # it reads the true grid, not the screen: a blank screen changes nothing
    assert symbolic.act(obs * 0, info).action == symbolic.act(obs, info).action

    # colour maps where kinds differ by shape; where some differ in colour only, perception
    # swaps the game's colours (kinds with them) and a policy is refused
    colour = "symmetry" if game.coloured_kinds else "both"
    if game.coloured_kinds:
        with pytest.raises(ValueError, match="differ in colour only"):
            MonolithicPipeline.for_env(env, "pooled", augment="colour")
        assert game.colours, f"{game.name}: coloured kinds, and no colours to swap"
    augmented = MonolithicPipeline.for_env(env, "pooled", augment=colour)
    augmented.fit(demos, TINY_TRAIN)
    assert augmented.describe()["augmentations"]

    asking = MonolithicPipeline.for_env(env, "medium", training="dagger")
    report = dagger(asking, env, demos, 0, TINY_TRAIN, rounds=1)
    assert report.actions == report.frames > len(demos)
    assert report.extra["expert_queries"] == report.actions - len(demos)

    student = MonolithicPipeline.for_env(env, "medium", training="distilled")
    report = distill(student, env, demos, 0, TINY_TRAIN, levels=3)
    assert report.actions == 0 and report.cell_labels == demos.cells.size
    assert report.rule_clauses > 0 and report.extra["teacher_labels"] > 0
    assert report.frames == len(demos) + report.extra["teacher_labels"]

    turned = HybridPipeline(load_reasoner(game), tile=env.tile, augment="symmetry")
    turned.fit(demos, TINY_TRAIN)
    assert turned.label == "hybrid-sym" and turned.describe()["augmentations"]

    shapes = HybridPipeline(
        load_reasoner(game), tile=env.tile, augment="colour", perception_kind="conv"
    )
    shapes.fit(demos, TINY_TRAIN)
    assert shapes.label == "hybrid-conv-colour" and shapes.describe()["perception"] == "conv"

    for pipe in (symbolic, augmented, asking, student, turned, shapes):
        episode = play_episode(env, pipe, level_seed(0, "eval", 1))
        assert episode.steps > 0
        loaded = load_pipeline(pipe.save(tmp_path / pipe.label), game)
        assert loaded.label == pipe.label
        assert loaded.act(obs, info).action == pipe.act(obs, info).action

"""Evaluation levels are unseen by content, for every registered id at the default settings;
where a game has too few distinct levels for that, every overlap is counted, never hidden."""

from __future__ import annotations

import pytest

import environments
from compose.common.levels import draw_levels, evaluation_levels, level_seed, training_levels
from compose.experiments.config import ExperimentConfig
from compose.pipelines.hybrid import OraclePipeline
from compose.play import evaluate
from compose.training.build import demonstrations
from neural.rl import PPOConfig, train_ppo_at

IDS = environments.env_ids()
FRESH = 200  # levels drawn from an unused stream to show that a game has run out of levels


def exhausted(env, known: set[str]) -> bool:
    """Whether ``FRESH`` levels of a stream nobody uses are all among ``known``."""
    game = env.unwrapped
    return all(game.peek_level(level_seed(12345, "distill", i)) in known for i in range(FRESH))


@pytest.mark.slow
@pytest.mark.parametrize("env_id", IDS)
def test_no_training_level_is_an_evaluation_level_at_the_default_settings(env_id):
    config = ExperimentConfig(env=env_id)  # the episodes, budgets, seeds and splits of compare
    train_env = environments.make(env_id)
    shape = (train_env.height, train_env.width)
    splits = [environments.make(s.env or env_id, **s.kwargs) for s in config.resolved_splits()]
    # A level of another size is never a training level: only these splits can share one.
    same = [e for e in splits if (e.height, e.width) == shape]
    for seed in range(config.seeds):
        evaluation: set[str] = set()
        for env in same:
            levels = evaluation_levels(env, seed, config.episodes)
            if levels.distinct < config.episodes:  # repeats only where nothing else is left
                assert exhausted(env, set(levels.keys)), env_id
            evaluation |= set(levels.keys)
        training = training_levels(train_env, seed, max(config.budgets), evaluation)
        met = set(training.keys) & evaluation
        # Every training level that is an evaluation level is reported as one, and is one
        # only where the game has no level outside the evaluation ones.
        assert met == training.clashes, env_id
        if met:
            assert exhausted(train_env, evaluation), env_id


@pytest.mark.parametrize("env_id", IDS)
def test_a_level_key_is_the_levels_content_whatever_its_look(env_id):
    env = environments.make(env_id)
    scenes, keys = [], []
    for i in range(12):
        _, info = env.reset(seed=level_seed(7, "eval", i % 6))  # each level twice
        scene = info["scene"]
        scenes.append((scene.grid.tobytes(), scene.agent, scene.inventory))
        keys.append(env.unwrapped.level_key())
        assert env.unwrapped.peek_level(level_seed(7, "eval", i % 6)) == keys[-1]
    for a in range(12):
        for b in range(12):
            assert (keys[a] == keys[b]) == (scenes[a] == scenes[b]), env_id
    if any("appearance" in s.kwargs for s in env.unwrapped.eval_splits()):  # a new palette:
        novel = environments.make(env_id, appearance="novel")  # the same levels
        assert [novel.unwrapped.peek_level(level_seed(7, "eval", i)) for i in range(6)] == keys[:6]


def test_doorkey_5x5_keeps_its_48_levels_apart_until_evaluation_takes_them_all():
    env = environments.make("MiniGrid-DoorKey-5x5-v0")
    # 20 evaluation levels of 48: 100 training levels are drawn from the 28 others.
    evaluation = evaluation_levels(env, 0, 20)
    assert evaluation.distinct == 20
    training = training_levels(env, 0, 100, set(evaluation.keys))
    assert not set(training.keys) & set(evaluation.keys) and not training.clashes
    # 50 evaluation levels take all 48: every training level is one of them, and says so.
    evaluation = evaluation_levels(env, 0, 50)
    assert evaluation.distinct == 48
    training = training_levels(env, 0, 100, set(evaluation.keys))
    assert set(training.keys) <= set(evaluation.keys)
    assert training.clashes == set(training.keys)


def test_evaluation_marks_the_levels_a_pipeline_met_in_training():
    env = environments.make("MiniGrid-LavaGapS5-v0")  # three levels in all
    levels = evaluation_levels(env, 0, 6)
    assert levels.distinct == 3
    demos = demonstrations(env, 4, 0, held_out=set(levels.keys))  # nothing else to draw
    oracle = OraclePipeline.for_game(env.game)
    summary = evaluate(env, oracle, 6, 0, met=set(demos.levels))
    assert [e.seen for e in summary.episodes] == [k in demos.levels for k in levels.keys]
    assert summary.seen == 6  # with 4 of 3 levels trained on, each is one of them
    assert evaluate(env, oracle, 6, 0).seen == 0  # nothing met: nothing marked


def test_draws_are_nested_and_repeat_exactly():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    ten = draw_levels(env, 3, "train", 10)
    assert draw_levels(env, 3, "train", 4).seeds == ten.seeds[:4]
    assert draw_levels(env, 3, "train", 10) == ten
    assert ten.seeds[0] == level_seed(3, "train", 0)  # a level drawn once keeps its old seed


def test_ppo_trains_on_no_evaluation_level_where_there_are_others():
    env = environments.make("MiniGrid-DoorKey-5x5-v0")
    evaluation = set(evaluation_levels(env, 0, 20).keys)
    config = PPOConfig(n_envs=8, n_steps=64, n_epochs=1)

    def make():
        return environments.make("MiniGrid-DoorKey-5x5-v0")

    (result,) = train_ppo_at(make, [512], 0, 8, config, held_out=evaluation)
    assert len(result.levels) >= 5 and not result.levels & evaluation
    # Without the evaluation levels held out, the same run meets some of them (48 levels).
    (free,) = train_ppo_at(make, [512], 0, 8, config)
    assert free.levels & evaluation

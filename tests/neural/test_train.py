"""The trainer learns real tasks on tiny real data sets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import environments
from compose.common.levels import level_seed
from neural import (
    CellClassifier,
    TrainConfig,
    collect_demonstrations,
    fit,
    make_policy,
    split_by_episode,
    to_input,
)

FAST = TrainConfig(max_steps=300, eval_every=25, patience=4)


@pytest.fixture(scope="module")
def demos():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    return collect_demonstrations(env, [level_seed(0, "train", i) for i in range(6)])


@pytest.fixture(scope="module")
def held_out():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    return collect_demonstrations(env, [level_seed(0, "eval", i) for i in range(10)])


def test_demonstrations_are_expert_rollouts(demos):
    assert demos.n_episodes == 6 and len(demos) == len(demos.actions) == len(demos.cells)
    assert demos.frames.dtype == np.uint8 and demos.frames.shape[1:] == (64, 64, 3)
    assert demos.first(2).n_episodes == 2
    # every episode starts with the agent holding nothing and ends next to the goal
    starts = np.flatnonzero(np.diff(demos.episodes, prepend=-1))
    agent = environments.KEYDOOR.index("agent")
    assert all((demos.cells[i] == agent).sum() == 1 for i in starts)


def test_split_holds_out_whole_episodes():
    episodes = np.repeat(np.arange(5), 10)
    train, val = split_by_episode(episodes, 0.2, seed=0)
    assert len(val) == 10 and not set(episodes[train]) & set(episodes[val])
    train, val = split_by_episode(np.zeros(20, dtype=int), 0.2, seed=0)
    assert len(val) == 4 and len(train) == 16  # one episode: frames are held out


def _fit_perception(demos, **config):
    """Perception trained on ``demos``' cell labels, at most 400 steps per learning rate."""
    return fit(
        lambda: CellClassifier(8),
        demos.frames,
        demos.cells,
        demos.episodes,
        TrainConfig(max_steps=400, balance_classes=True, **config),
    )


@pytest.fixture(scope="module")
def settled(demos):
    """Perception trained with the default settling."""
    torch.manual_seed(0)
    return _fit_perception(demos)


def test_perception_learns_far_above_chance(settled, held_out):
    result = settled
    with torch.no_grad():
        predicted = result.model(to_input(held_out.frames)).argmax(1).numpy()
    accuracy = (predicted == held_out.cells).mean()
    majority = np.bincount(held_out.cells.ravel()).max() / held_out.cells.size
    assert accuracy > 0.97 and accuracy > majority + 0.3, (accuracy, majority)
    assert result.learning_rate in TrainConfig().learning_rates
    # Every held-out cell right with the first learning rate: training settled there, and
    # the second (which could only tie) was not tried.
    assert result.val_accuracy == 1.0 and list(result.val_loss_by_lr) == [3e-3]
    assert result.steps < 400


@pytest.mark.slow
def test_without_settling_training_runs_to_patience_and_tries_every_rate(demos, settled):
    full = _fit_perception(demos, settle=None)
    assert set(full.val_loss_by_lr) == set(TrainConfig().learning_rates)
    # the loss went on falling (confidence), but nothing more was got right
    assert full.val_accuracy == settled.val_accuracy == 1.0
    assert full.val_loss < settled.val_loss and full.steps > settled.steps


def test_behaviour_cloning_fits_its_training_data(demos):
    # Three levels, validated on an exact copy of themselves: the checkpoint kept is the one
    # that fits the training frames best, so the network and the trainer must fit them.
    # (Validating on 7 frames held out of the same levels instead kept a chance-level early
    # checkpoint at some seeds: 0.85 / 0.77 / 0.44 / 0.59 / 0.91 at training seeds 0-4.)
    # Measured this way: 1.0 at seeds 0-4, chance 0.44.
    one = demos.first(3)
    copies = np.repeat([0, 1], len(one))  # episode 1 is episode 0 again: the validation half
    result = fit(
        lambda: make_policy("medium", (8, 8), actions=4),
        np.concatenate([one.frames, one.frames]),
        np.concatenate([one.actions, one.actions]),
        copies,
        TrainConfig(max_steps=400, learning_rates=(1e-3,), val_fraction=0.5),
    )
    assert result.val_size == len(one)
    with torch.no_grad():
        logits = result.model(to_input(one.frames))
    train_accuracy = (logits.argmax(1).numpy() == one.actions).mean()
    chance = np.bincount(one.actions).max() / len(one.actions)
    assert train_accuracy > max(0.95, chance + 0.3), (train_accuracy, chance)


def test_training_is_seeded(demos):
    a = fit(lambda: CellClassifier(8), demos.frames, demos.cells, demos.episodes, FAST)
    b = fit(lambda: CellClassifier(8), demos.frames, demos.cells, demos.episodes, FAST)
    for pa, pb in zip(a.model.parameters(), b.model.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert a.learning_rate == b.learning_rate and a.steps == b.steps


def test_the_step_budget_grows_with_the_data_only_where_asked():
    from neural.train import step_budget

    base = TrainConfig(max_steps=4000, min_steps=2000, batch_size=64)
    assert step_budget(base, 1_000_000) == (4000, 2000)  # no min_epochs: the config's own
    grown = TrainConfig(max_steps=4000, min_steps=2000, batch_size=64, min_epochs=32)
    assert step_budget(grown, 6400) == (4000, 2000)  # 32 passes fit in 4,000 steps
    assert step_budget(grown, 28_800) == (14_400, 7200)  # they do not: both grow alike

"""Every registered game gets these checks for free."""

from __future__ import annotations

import pickle

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import environments
from environments import Action, InvalidVariantError, UnknownEnvironmentError

IDS = environments.env_ids()


def rollout(env: gym.Env, seed: int, actions: list[int]) -> list[np.ndarray]:
    obs, _ = env.reset(seed=seed)
    frames = [obs]
    for a in actions:
        obs, _, terminated, truncated, _ = env.step(a)
        frames.append(obs)
        if terminated or truncated:
            break
    return frames


def test_registry_lists_required_sizes():
    for n in (6, 8, 12, 16):
        assert f"neurocomp/KeyDoor-{n}x{n}-v0" in IDS


@pytest.mark.parametrize("env_id", IDS)
def test_check_env(env_id):
    check_env(gym.make(env_id).unwrapped)


@pytest.mark.parametrize("env_id", IDS)
def test_same_seed_same_episode(env_id):
    actions = list(np.random.default_rng(0).integers(4, size=60))
    a = rollout(gym.make(env_id), 123, actions)
    b = rollout(gym.make(env_id), 123, actions)
    assert len(a) == len(b)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    c = rollout(gym.make(env_id), 124, actions)
    assert not np.array_equal(a[0], c[0])


@pytest.mark.parametrize("env_id", IDS)
def test_pickled_env_continues_identically(env_id):
    env = gym.make(env_id).unwrapped
    env.reset(seed=5)
    env.step(Action.N)
    clone = pickle.loads(pickle.dumps(env))
    for a in (Action.E, Action.S, Action.W, Action.S):
        o1, r1, t1, u1, i1 = env.step(a)
        o2, r2, t2, u2, i2 = clone.step(a)
        assert np.array_equal(o1, o2) and (r1, t1, u1) == (r2, t2, u2)
        assert i1["scene"] == i2["scene"]
        if t1 or u1:
            break


@pytest.mark.parametrize("env_id", IDS)
def test_render_modes(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    obs, info = env.reset(seed=0)
    h, w = info["scene"].shape
    frame = env.render()
    assert frame.shape == obs.shape == (h * 8, w * 8, 3) and frame.dtype == np.uint8
    text_env = gym.make(env_id, render_mode="ansi")
    text_env.reset(seed=0)
    lines = text_env.render().splitlines()
    assert len(lines) == h and all(len(line) == w for line in lines)
    assert sum(line.count("@") for line in lines) == 1


def test_gymnasium_make_takes_variant_kwargs():
    env = gym.make("neurocomp/KeyDoor-8x8-v0", lava=5, appearance="novel", tile=6)
    obs, info = env.reset(seed=0)
    assert obs.shape == (48, 48, 3)
    assert int((info["scene"].grid == environments.Kind.LAVA).sum()) == 5


def test_unknown_id_suggests_close_match():
    with pytest.raises(UnknownEnvironmentError, match="Did you mean 'neurocomp/KeyDoor-8x8-v0'"):
        environments.make("neurocomp/KeyDor-8x8-v0")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 5}, "from 6 to 16"),
        ({"size": 17}, "from 6 to 16"),
        ({"lava": 99}, "lava must be"),
        ({"appearance": "neon"}, "unknown appearance"),
        ({"colour": 3}, "unexpected keyword"),
    ],
)
def test_bad_variants_are_clear_errors(kwargs, match):
    with pytest.raises(InvalidVariantError, match=match):
        environments.make("neurocomp/KeyDoor-8x8-v0", **kwargs)

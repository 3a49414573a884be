"""KeyDoor's mechanics, level generator, looks and expert."""

from __future__ import annotations

import numpy as np
import pytest

from environments import InvalidVariantError, UnknownKindError, UnsolvableLevelError
from environments.keydoor import KEYDOOR, KeyDoorEnv, Kind
from tests.helpers import play_level, scene_from

N, E, S, W = range(4)


def test_expert_solves_500_levels_across_sizes():
    solved = 0
    for i in range(500):
        env = KeyDoorEnv(size=6 + 2 * (i % 6))
        env.reset(seed=i)
        plan = env.expert_plan()
        assert plan, f"level {i} has no plan"
        for a in plan:
            _, reward, terminated, _, info = env.step(a)
        solved += bool(terminated and info["success"] and reward > 0)
    assert solved == 500


def test_every_level_has_the_pieces():
    for seed in range(50):
        env = KeyDoorEnv(size=8)
        _, info = env.reset(seed=seed)
        scene = info["scene"]
        for kind in ("key", "door", "goal", "agent"):
            assert scene.count(kind) == 1, kind
        assert scene.count("lava") == env.lava == 2
        g = scene.grid
        assert (g[0] == Kind.WALL).all() and (g[:, -1] == Kind.WALL).all()


LEVEL = """
######
#@k#G#
#..D.#
#~...#
#....#
######
"""


def test_walls_and_locked_door_stop_the_agent():
    env = KeyDoorEnv(size=6)
    play_level(env, LEVEL)
    _, reward, terminated, _, info = env.step(N)  # wall
    assert info["scene"].agent == (1, 1) and reward == 0 and not terminated
    env.step(S)
    env.step(E)  # (2, 2), next to the door, no key
    _, _, _, _, info = env.step(E)
    assert info["scene"].agent == (2, 2)


def test_key_is_picked_up_and_opens_the_door():
    env = KeyDoorEnv(size=6)
    play_level(env, LEVEL)
    _, _, _, _, info = env.step(E)
    scene = info["scene"]
    assert scene.inventory == ("key",)
    assert scene.kind_at(1, 2) == "agent_with_key"
    assert scene.count("key") == 0
    for a in (S, E):
        _, _, _, _, info = env.step(a)
    assert info["scene"].agent == (2, 3)  # inside the door
    _, _, _, _, info = env.step(E)
    assert info["scene"].kind_at(2, 3) == "door"  # the door shows again behind the agent
    _, reward, terminated, truncated, info = env.step(N)
    assert terminated and not truncated and info["success"]
    assert reward == pytest.approx(1 - 0.9 * 5 / env.max_steps)


def test_lava_ends_the_episode_as_a_failure():
    env = KeyDoorEnv(size=6)
    play_level(env, LEVEL)
    env.step(S)
    _, reward, terminated, _, info = env.step(S)
    assert terminated and reward == 0 and not info["success"]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(N)


def test_timeout_truncates_with_zero_reward():
    env = KeyDoorEnv(size=6, max_steps=3)
    play_level(env, LEVEL)
    results = [env.step(N) for _ in range(3)]
    _, reward, terminated, truncated, info = results[-1]
    assert truncated and not terminated and reward == 0 and not info["success"]


def test_each_level_has_its_own_look_and_novel_is_new():
    def wall_colour(appearance: str, seed: int) -> np.ndarray:
        env = KeyDoorEnv(size=8, appearance=appearance)
        obs, info = env.reset(seed=seed)
        r, c = np.argwhere(info["scene"].grid == Kind.WALL)[0]
        return obs[r * 8 : (r + 1) * 8, c * 8 : (c + 1) * 8].reshape(-1, 3).mean(0)

    defaults = np.array([wall_colour("default", s) for s in range(20)])
    novel = np.array([wall_colour("novel", s) for s in range(20)])
    assert defaults.std(0).max() > 3  # palettes vary between levels
    gap = np.abs(defaults[:, None, :] - novel[None, :, :]).max(-1)
    assert gap.min() > 30  # no novel wall colour is close to any default one


def test_scene_from_grid_needs_one_agent():
    from environments import Scene

    with pytest.raises(ValueError, match="exactly one agent"):
        Scene.from_grid(KEYDOOR, np.zeros((6, 6), dtype=np.int8))
    scene = scene_from(LEVEL.replace("@", "&"))
    assert scene.inventory == ("key",) and scene.agent == (1, 1)


def test_user_levels_that_cannot_be_played_are_clear_errors():
    env = KeyDoorEnv(size=6)
    with pytest.raises(UnsolvableLevelError, match="cannot be solved"):
        play_level(env, "######\n#@k#G#\n#..###\n#....#\n#....#\n######")
    with pytest.raises(UnknownKindError, match=r"row 2, column 3: 'x' is not a KeyDoor glyph"):
        play_level(env, LEVEL.replace("k", "x"))
    with pytest.raises(InvalidVariantError, match="exactly one agent"):
        play_level(env, LEVEL.replace("@", "."))
    with pytest.raises(InvalidVariantError, match="5x6 but the environment is 6x6"):
        play_level(env, "\n".join(LEVEL.split()[:5]))
    env.reset(seed=0)  # the environment is still usable


def test_kinds_are_the_games_own_and_unknown_ones_are_clear():
    assert KEYDOOR.kind_names[:3] == ("floor", "wall", "lava") and KEYDOOR.num_kinds == 8
    assert KEYDOOR.index("door") == Kind.DOOR
    with pytest.raises(UnknownKindError, match=r"no kind 'dor'.*Did you mean 'door'"):
        KEYDOOR.index("dor")

"""KeyDoor's mechanics, level generator, looks and expert."""

from __future__ import annotations

import numpy as np
import pytest

from environments import Action, KeyDoorEnv, Kind, Scene, expert_plan


def test_expert_solves_500_levels_across_sizes():
    solved = 0
    for i in range(500):
        env = KeyDoorEnv(size=6 + 2 * (i % 6))
        _, info = env.reset(seed=i)
        plan = expert_plan(info["scene"])
        assert plan, f"level {i} has no plan"
        for a in plan:
            _, reward, terminated, _, info = env.step(a)
        solved += bool(terminated and info["success"] and reward > 0)
    assert solved == 500


def test_every_level_has_the_pieces():
    for seed in range(50):
        env = KeyDoorEnv(size=8)
        _, info = env.reset(seed=seed)
        g = info["scene"].grid
        counts = {k: int((g == k).sum()) for k in Kind}
        assert counts[Kind.KEY] == counts[Kind.DOOR] == counts[Kind.GOAL] == counts[Kind.AGENT] == 1
        assert counts[Kind.LAVA] == env.lava == 2
        assert (g[0] == Kind.WALL).all() and (g[:, -1] == Kind.WALL).all()


def scene_from(text: str) -> Scene:
    codes = {
        ".": Kind.FLOOR,
        "#": Kind.WALL,
        "~": Kind.LAVA,
        "k": Kind.KEY,
        "D": Kind.DOOR,
        "G": Kind.GOAL,
        "@": Kind.AGENT,
        "&": Kind.AGENT_WITH_KEY,
    }
    grid = np.array([[codes[ch] for ch in row] for row in text.split()], dtype=np.int8)
    return Scene.from_grid(grid)


class FixedKeyDoor(KeyDoorEnv):
    """KeyDoor with a hand-drawn level, to test the mechanics one by one."""

    def __init__(self, text: str, **kwargs):
        self.scene_text = text
        super().__init__(size=len(text.split()), **kwargs)

    def _generate(self):
        scene = scene_from(self.scene_text)
        terrain = scene.grid.copy()
        terrain[scene.agent] = Kind.FLOOR
        return terrain, scene.agent


LEVEL = """
######
#@k#G#
#..D.#
#~...#
#....#
######
"""


def test_walls_and_locked_door_stop_the_agent():
    env = FixedKeyDoor(LEVEL)
    env.reset(seed=0)
    _, reward, terminated, _, info = env.step(Action.N)  # wall
    assert info["scene"].agent == (1, 1) and reward == 0 and not terminated
    env.step(Action.S)
    env.step(Action.E)  # (2, 2), next to the door, no key
    _, _, _, _, info = env.step(Action.E)
    assert info["scene"].agent == (2, 2)


def test_key_is_picked_up_and_opens_the_door():
    env = FixedKeyDoor(LEVEL)
    env.reset(seed=0)
    _, _, _, _, info = env.step(Action.E)
    scene = info["scene"]
    assert scene.inventory == (Kind.KEY,)
    assert scene.kind_at(1, 2) == Kind.AGENT_WITH_KEY
    assert not (scene.grid == Kind.KEY).any()
    for a in (Action.S, Action.E):
        _, _, _, _, info = env.step(a)
    assert info["scene"].agent == (2, 3)  # inside the door
    _, _, _, _, info = env.step(Action.E)
    assert info["scene"].kind_at(2, 3) == Kind.DOOR  # the door shows again behind the agent
    _, reward, terminated, truncated, info = env.step(Action.N)
    assert terminated and not truncated and info["success"]
    assert reward == pytest.approx(1 - 0.9 * 5 / env.max_steps)


def test_lava_ends_the_episode_as_a_failure():
    env = FixedKeyDoor(LEVEL)
    env.reset(seed=0)
    env.step(Action.S)
    _, reward, terminated, _, info = env.step(Action.S)
    assert terminated and reward == 0 and not info["success"]
    with pytest.raises(RuntimeError, match="reset"):
        env.step(Action.N)


def test_timeout_truncates_with_zero_reward():
    env = FixedKeyDoor(LEVEL, max_steps=3)
    env.reset(seed=0)
    results = [env.step(Action.N) for _ in range(3)]
    _, reward, terminated, truncated, info = results[-1]
    assert truncated and not terminated and reward == 0 and not info["success"]


def test_incremental_rendering_matches_a_full_redraw():
    env = KeyDoorEnv(size=10)
    _, info = env.reset(seed=3)
    for a in expert_plan(info["scene"])[:-1]:
        obs, _, _, _, info = env.step(a)
        assert np.array_equal(obs, env._renderer.compose(info["scene"].grid))


def test_each_level_has_its_own_look_and_novel_is_new():
    def floor_colour(appearance: str, seed: int) -> np.ndarray:
        env = KeyDoorEnv(size=8, appearance=appearance)
        obs, info = env.reset(seed=seed)
        r, c = np.argwhere(info["scene"].grid == Kind.WALL)[0]
        return obs[r * 8 : (r + 1) * 8, c * 8 : (c + 1) * 8].reshape(-1, 3).mean(0)

    defaults = np.array([floor_colour("default", s) for s in range(20)])
    novel = np.array([floor_colour("novel", s) for s in range(20)])
    assert defaults.std(0).max() > 3  # palettes vary between levels
    gap = np.abs(defaults[:, None, :] - novel[None, :, :]).max(-1)
    assert gap.min() > 30  # no novel wall colour is close to any default one


def test_scene_from_grid_needs_one_agent():
    with pytest.raises(ValueError, match="exactly one agent"):
        Scene.from_grid(np.zeros((6, 6), dtype=np.int8))
    scene = scene_from(LEVEL.replace("@", "&"))
    assert scene.inventory == (Kind.KEY,) and scene.agent == (1, 1)


def test_expert_reports_unsolvable():
    assert expert_plan(scene_from("######\n#@k#G#\n#..#.#\n######")) is None

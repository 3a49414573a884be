"""MiniGrid as a game of the toolkit: MiniGrid's own screen and grid, any qualifying id, the
unqualified ones refused with the reason."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from minigrid.wrappers import RGBImgObsWrapper

import environments
from environments import InvalidVariantError, UnknownEnvironmentError, UnsolvableLevelError
from environments.farama_minigrid import MINIGRID, NAMES, kind_of
from tests.helpers import play_level, run_cli

IDS = [f"MiniGrid-{v.suffix}-v0" for v in MINIGRID.variants]


@pytest.mark.parametrize("env_id", IDS)
def test_the_screen_and_the_scene_are_minigrids_own(env_id):
    ours = environments.make(env_id)
    theirs = RGBImgObsWrapper(gym.make(env_id), tile_size=8)
    obs, info = ours.reset(seed=11)
    their_obs, _ = theirs.reset(seed=11)
    inner = theirs.unwrapped
    for action in [*ours.expert_plan()[:-1], 0, 1]:  # every step but the winning one
        assert np.array_equal(obs, their_obs["image"])
        scene = info["scene"]
        for (r, c), kind in np.ndenumerate(scene.grid):
            if (r, c) == scene.agent:
                assert NAMES[kind] == f"agent_{('east', 'south', 'west', 'north')[inner.agent_dir]}"
            else:
                assert NAMES[kind] == kind_of(inner.grid.get(c, r))  # MiniGrid indexes (x, y)
        held = () if inner.carrying is None else (kind_of(inner.carrying),)
        assert scene.inventory == held and scene.agent == tuple(inner.agent_pos)[::-1]
        obs, _, _, _, info = ours.step(action)
        their_obs, *_ = theirs.step(action)


def test_picking_up_the_key_fills_the_hidden_inventory():
    env = environments.make("MiniGrid-DoorKey-5x5-v0")
    _, info = env.reset(seed=3)
    seen = set()
    for action in env.expert_plan():
        _, _, _, _, info = env.step(action)
        seen.add(info["scene"].inventory)
    assert () in seen and any(held and held[0].startswith("key_") for held in seen)


@pytest.mark.parametrize(
    "env_id", ["MiniGrid-Empty-5x5-v0", "MiniGrid-LavaGapS7-v0", "MiniGrid-MultiRoom-N2-S4-v0"]
)
def test_any_qualifying_id_plays_under_its_own_name(env_id):
    env = environments.make(env_id)
    assert env.spec.id == f"neurocomp/{env_id}" and environments.game_of(env_id) is MINIGRID
    for seed in range(3):
        env.reset(seed=seed)
        plan = env.expert_plan()
        for action in plan:
            _, reward, terminated, _, info = env.step(action)
        assert terminated and info["success"] and reward > 0


@pytest.mark.parametrize(
    "env_id, message",
    [
        ("MiniGrid-Dynamic-Obstacles-5x5-v0", "balls move at random"),
        ("MiniGrid-MemoryS7-v0", "mission grammar does not read"),
        ("MiniGrid-Playground-v0", "no goal square"),
    ],
)
def test_ids_with_other_dynamics_are_refused_up_front(env_id, message):
    with pytest.raises(InvalidVariantError, match=message):
        environments.make(env_id)


def test_an_unknown_minigrid_id_gets_close_matches():
    with pytest.raises(UnknownEnvironmentError, match="Did you mean 'MiniGrid-DoorKey-5x5-v0'"):
        environments.make("MiniGrid-DoorKy-5x5-v0")


def test_splits_are_the_harder_ids_of_the_family():
    names = lambda i: [s.name for s in environments.make(i).eval_splits()]  # noqa: E731
    assert names("MiniGrid-DoorKey-5x5-v0") == [
        "in-distribution",
        "doorkey-6x6",
        "doorkey-8x8",
        "doorkey-16x16",
    ]
    assert names("MiniGrid-LavaCrossingS9N1-v0") == [
        "in-distribution",
        "lavacrossings9n2",
        "lavacrossings9n3",
        "lavacrossings11n5",
    ]
    assert names("MiniGrid-LavaGapS5-v0") == ["in-distribution", "lavagaps6", "lavagaps7"]


LEVEL = "#####\n#>.*#\n#####\n"


def test_a_level_drawn_as_text_plays_and_a_hopeless_one_is_refused():
    env = environments.make("MiniGrid-Empty-5x5-v0")
    with pytest.raises(InvalidVariantError, match="3x5 but the environment is 5x5"):
        play_level(env, LEVEL)
    level = "#####\n#>..#\n#.#.#\n#..*#\n#####\n"
    play_level(env, level)
    assert env.expert_plan() == [2, 2, 1, 2, 2]  # forward, forward, right, forward, forward
    with pytest.raises(UnsolvableLevelError):
        play_level(env, "#####\n#>..#\n###.#\n#..S*\n#####\n".replace("S*", "#*"))
    with pytest.raises(UnsolvableLevelError):  # a locked door and no key
        play_level(env, "#####\n#>..#\n###S#\n#..*#\n#####\n")


@pytest.mark.slow
def test_the_cli_plays_a_minigrid_id_by_its_own_name(tmp_path):
    result = run_cli(
        "run", "--env", "MiniGrid-LavaGapS6-v0", "--episodes", "3", "--out", str(tmp_path / "o")
    )
    assert result.returncode == 0, result.stderr
    assert "success rate 100.0% over 3 episodes" in result.stdout
    result = run_cli("run", "--env", "MiniGrid-Dynamic-Obstacles-5x5-v0")
    assert result.returncode == 2 and "balls move at random" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_id_without_a_goal_or_with_an_unknown_object_is_refused_naming_it():
    from minigrid.core.world_object import WorldObj

    from environments.farama_minigrid import _check_objects

    with pytest.raises(InvalidVariantError, match="MiniGrid-Playground-v0 has no goal square"):
        environments.make("MiniGrid-Playground-v0")
    env = environments.make("MiniGrid-Empty-5x5-v0")
    env._inner.grid.set(2, 2, WorldObj("agent", "red"))  # an object type no kind stands for
    with pytest.raises(
        InvalidVariantError, match="object of type 'agent', which the perception and rules"
    ):
        _check_objects("MiniGrid-Empty-5x5-v0", env._inner)

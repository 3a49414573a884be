"""MiniGrid's egocentric view: MiniGrid's own partial image, the view's kinds with the cells out
of sight, levels and their keys the whole grid's, bad view sizes refused."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
from minigrid.wrappers import RGBImgPartialObsWrapper

import environments
from environments import InvalidVariantError
from environments.farama_minigrid import EGOCENTRIC, MINIGRID, kind_of

TARGETS = ["DoorKey-8x8", "MultiRoom-N4-S5", "LavaCrossingS9N1", "SimpleCrossingS9N1"]


@pytest.mark.parametrize("name", TARGETS)
def test_the_view_is_minigrids_own_partial_image_and_its_cells(name):
    env_id = f"MiniGrid-{name}-v0"
    ours = environments.make(env_id, view="egocentric")
    theirs = RGBImgPartialObsWrapper(gym.make(env_id), tile_size=8)
    obs, info = ours.reset(seed=5)
    their_obs, _ = theirs.reset(seed=5)
    assert ours.game is EGOCENTRIC and obs.shape == ours.observation_space.shape == (56, 56, 3)
    inner = theirs.unwrapped
    unseen = EGOCENTRIC.index("unseen")
    for action in ours.expert_plan()[:-1]:
        assert np.array_equal(obs, their_obs["image"])
        grid, seen = inner.gen_obs_grid()
        scene = info["scene"]
        assert scene.agent == (6, 3) and scene.kind_at(6, 3) == "agent_north"
        for (r, c), kind in np.ndenumerate(scene.grid):
            if (r, c) != (6, 3):
                want = kind_of(grid.get(c, r)) if seen[c, r] else "unseen"
                assert EGOCENTRIC.kind_names[kind] == want
        assert (scene.grid == unseen).any() or seen.all()
        obs, _, _, _, info = ours.step(action)
        their_obs, *_ = theirs.step(action)


def test_both_views_play_the_same_levels_and_the_expert_plans_on_the_whole_grid():
    full = environments.make("MiniGrid-DoorKey-8x8-v0")
    ego = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric")
    for seed in range(3):
        assert full.peek_level(seed) == ego.peek_level(seed)
        full.reset(seed=seed)
        ego.reset(seed=seed)
        assert full.expert_plan() == ego.expert_plan()
    assert MINIGRID.views == {"egocentric": "environments.farama_minigrid:EGOCENTRIC"}
    assert environments.game_of("MiniGrid-DoorKey-8x8-v0", "egocentric") is EGOCENTRIC
    assert EGOCENTRIC in environments.specs() and EGOCENTRIC not in environments.games()


@pytest.mark.parametrize("size", [4, 2, 1, -3, 7.0, "7"])
def test_a_view_size_that_is_even_or_under_three_is_refused_at_once(size):
    # A value of another type (7.0, "7") is refused by the type the constructor declares.
    with pytest.raises(InvalidVariantError, match=r"view_size must be an (odd number|integer)"):
        environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric", view_size=size)


def test_another_view_size_and_an_unknown_view():
    env = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric", view_size=5)
    obs, info = env.reset(seed=0)
    assert obs.shape == (40, 40, 3) and info["scene"].agent == (4, 2)
    assert env.eval_splits()[1].kwargs == {"view": "egocentric", "view_size": 5}
    with pytest.raises(InvalidVariantError, match="view must be one of full, egocentric"):
        environments.make("MiniGrid-DoorKey-8x8-v0", view="sideways")
    with pytest.raises(InvalidVariantError, match="KeyDoor has no view 'egocentric'"):
        environments.game_of("neurocomp/KeyDoor-8x8-v0", "egocentric")


def test_a_level_is_drawn_whole_in_the_egocentric_view_and_cannot_hold_unseen():
    env = environments.make("MiniGrid-DoorKey-5x5-v0", view="egocentric")
    level = "#####\n#>..#\n#...#\n#..*#\n#####\n"
    obs, info = env.reset(options={"level": level})
    assert obs.shape == (56, 56, 3) and info["scene"].kind_at(5, 3) == "empty"
    with pytest.raises(InvalidVariantError, match="cannot hold `\\?`"):
        env.reset(options={"level": level.replace(".", "?", 1)})
    with pytest.raises(InvalidVariantError, match="draw the whole grid"):
        env.reset(options={"level": "###\n#>*\n###\n"})

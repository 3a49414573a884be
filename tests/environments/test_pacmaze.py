"""PacMaze's mechanics, movement law, level generator and expert."""

from __future__ import annotations

import numpy as np
import pytest

import environments
from environments import InvalidVariantError, UnsolvableLevelError
from environments.pacmaze import PACMAZE, Kind, PacMazeEnv
from tests.helpers import play_level

N, E, S, W = range(4)
ENEMIES = [Kind.GHOST, Kind.BAT, Kind.GHOST_ASLEEP, Kind.BAT_ASLEEP]


def level(*rows: str) -> str:
    return "\n".join(rows)


SLEEPING = level(
    "@.g..",
    ".....",
    "..b..",
    ".....",
    "....F",
)


def test_a_move_off_the_grid_stays_and_counts():
    env = PacMazeEnv(5)
    play_level(env, SLEEPING)
    _, reward, terminated, truncated, info = env.step(N)
    assert info["scene"].agent == (0, 0) and info["steps"] == 1
    assert reward == 0 and not terminated and not truncated
    assert env.max_steps == 30 and PacMazeEnv(12).max_steps == 36


def test_stepping_onto_an_enemy_loses():
    env = PacMazeEnv(5)
    play_level(env, SLEEPING)
    env.step(E)
    _, reward, terminated, _, info = env.step(E)
    assert terminated and not info["success"] and reward == 0


def test_reaching_the_flag_wins():
    env = PacMazeEnv(5)
    play_level(env, SLEEPING)
    for a in (S, S, S, S, E, E, E):
        _, _, terminated, _, info = env.step(a)
        assert not terminated
    _, reward, terminated, _, info = env.step(E)
    assert terminated and info["success"] and reward == pytest.approx(1 - 0.9 * 8 / 30)


def test_sleeping_enemies_never_move():
    env = PacMazeEnv(5)
    _, info = play_level(env, SLEEPING)
    before = info["scene"].grid
    _, _, _, _, info = env.step(N)
    assert np.array_equal(info["scene"].grid, before)


def test_a_ghost_chases_along_the_farther_axis_rows_first_else_the_other():
    env = PacMazeEnv(5, moving=True)
    play_level(env, level("@....", "..b..", "..G..", ".....", "....F"))
    _, _, _, _, info = env.step(N)  # tie (2 rows, 2 columns): rows, but (1, 2) holds a bat
    assert info["scene"].kind_at(2, 1) == "ghost" and info["scene"].kind_at(2, 2) == "floor"
    _, _, _, _, info = env.step(W)  # 2 rows, 1 column: one row up
    assert info["scene"].kind_at(1, 1) == "ghost" and info["scene"].count("ghost") == 1


def test_bats_fly_clockwise_around_their_ring_and_the_centre_stays():
    env = PacMazeEnv(5, moving=True)
    play_level(env, level("..B..", "...B.", "..B..", ".....", "@...F"))
    _, _, _, _, info = env.step(N)
    assert info["scene"].to_text().splitlines()[:3] == ["...B.", ".....", "..BB."]


def test_an_enemy_stepping_onto_the_agent_loses():
    env = PacMazeEnv(5, moving=True)
    play_level(env, level(".....", ".@...", "B....", ".....", "....F"))
    _, reward, terminated, _, info = env.step(W)  # the bat flies north onto the agent
    assert terminated and not info["success"] and reward == 0


def test_a_level_nobody_can_win_is_refused():
    with pytest.raises(UnsolvableLevelError, match="cannot be solved"):
        play_level(PacMazeEnv(5), level("@....", ".....", ".....", "...g.", "..gFg"))
    # One ghost at equal speed cuts off the far corner.
    with pytest.raises(UnsolvableLevelError):
        play_level(PacMazeEnv(5, moving=True), level("@....", ".....", "..G..", ".....", "....F"))


def test_enemies_start_away_from_the_agent_and_the_flag():
    for i in range(60):
        env = PacMazeEnv(5 + 3 * (i % 3), moving=bool(i % 2), enemies=8)
        _, info = env.reset(seed=i)
        grid = info["scene"].grid
        flag = tuple(np.argwhere(grid == Kind.FLAG)[0])
        awake, asleep = np.isin(grid, ENEMIES[:2]).sum(), np.isin(grid, ENEMIES[2:]).sum()
        assert 1 <= awake + asleep <= 8 and (asleep if env.moving else awake) == 0
        for r, c in np.argwhere(np.isin(grid, ENEMIES)):
            for other in (info["scene"].agent, flag):
                assert abs(r - other[0]) + abs(c - other[1]) > 1


@pytest.mark.slow
def test_expert_solves_200_generated_levels_within_the_step_cap():
    ids = PACMAZE.env_ids()
    for i in range(200):
        env = environments.make(ids[i % len(ids)])
        env.reset(seed=i)
        plan = env.expert_plan()
        assert plan and len(plan) <= env.max_steps, f"{ids[i % len(ids)]} level {i}"
        for a in plan:
            _, reward, terminated, _, info = env.step(a)
        assert terminated and info["success"] and reward > 0


def test_splits_name_registered_environments():
    static = {s.name: s for s in environments.make("neurocomp/PacMaze-5x5-v0").eval_splits()}
    assert list(static) == [
        "in-distribution",
        "larger-8x8",
        "larger-12x12",
        "novel-appearance",
        "more-enemies",
        "moving-enemies",
    ]
    assert static["moving-enemies"].env == "neurocomp/PacMaze-Moving-5x5-v0"
    moving = environments.make("neurocomp/PacMaze-Moving-8x8-v0").eval_splits()
    assert [s.name for s in moving] == [
        "in-distribution",
        "larger-12x12",
        "novel-appearance",
        "more-enemies",
    ]
    for split in [*static.values(), *moving]:
        env = environments.make(split.env or "neurocomp/PacMaze-5x5-v0", **split.kwargs)
        env.reset(seed=0)


def test_novel_colours_are_far_from_the_default_ones():
    default, novel = PACMAZE.palettes["default"], PACMAZE.palettes["novel"]
    for slot, rgb in default.items():
        assert max(abs(a - b) for a, b in zip(rgb, novel[slot], strict=True)) > 60, slot


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 4}, "from 5 to 12"),
        ({"size": 13}, "from 5 to 12"),
        ({"enemies": 0}, "enemies must be"),
        ({"enemies": 9}, "from 1 to 8 at 5x5"),
        ({"moving": "yes"}, "moving must be"),
    ],
)
def test_bad_variants_are_clear_errors(kwargs, match):
    with pytest.raises(InvalidVariantError, match=match):
        PacMazeEnv(**kwargs)

"""LightsOut's mechanics, level generator and exact expert."""

from __future__ import annotations

import numpy as np
import pytest

import environments
from environments import InvalidActionError, InvalidVariantError, UnsolvableLevelError
from environments.lightsout import LIGHTSOUT, LightsOutEnv, shortest_presses
from tests.helpers import play_level

CENTRE_ON = "...\n.o.\n..."


def test_a_press_flips_the_cell_and_its_neighbours_on_the_board():
    env = LightsOutEnv(3)
    play_level(env, CENTRE_ON)
    _, reward, terminated, truncated, info = env.step(0)  # press(0,0): a corner flips 3
    assert info["scene"].to_text() == "oo.\noo.\n..."
    assert reward == 0 and not terminated and not truncated and info["steps"] == 1
    _, _, _, _, info = env.step(0)  # pressing again undoes it
    assert info["scene"].to_text() == CENTRE_ON


def test_turning_the_last_light_off_wins():
    env = LightsOutEnv(3)
    play_level(env, "...\n.o.\n...")
    for a in env.expert_plan()[:-1]:
        assert not env.step(a)[2]
    _, reward, terminated, _, info = env.step(env.expert_plan()[-1])
    assert terminated and info["success"] and info["scene"].count("on") == 0
    assert env.max_steps == 15 and reward == pytest.approx(1 - 0.9 * 5 / 15)


def test_presses_run_out_after_n_squared_plus_a_margin():
    env = LightsOutEnv(3)
    play_level(env, CENTRE_ON)
    for i in range(15):
        _, _, terminated, truncated, info = env.step(8 * (i % 2))  # corner, other corner, ...
    assert truncated and not terminated and not info["success"]
    assert LightsOutEnv(7).max_steps == 63


def every_press_set(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each of the 2^(n*n) sets of presses (rows of 0/1) and the cells it flips, written out
    from the game's description (tiny boards only)."""
    cells = n * n
    flips = np.zeros((cells, cells), dtype=np.int64)  # flips[press, cell]
    for p in range(cells):
        r, c = divmod(p, n)
        for tr, tc in ((r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
            if 0 <= tr < n and 0 <= tc < n:
                flips[p, tr * n + tc] = 1
    sets = (np.arange(1 << cells)[:, None] >> np.arange(cells)) & 1
    return sets, (sets @ flips) & 1


@pytest.mark.parametrize("size, boards", [(3, 60), (4, 60)])
def test_the_expert_presses_the_fewest_cells(size, boards):
    sets, flipped = every_press_set(size)
    rng = np.random.default_rng(size)
    solvable = 0
    for _ in range(boards):
        lit = rng.integers(2, size=(size, size))
        works = (flipped == lit.ravel()).all(1)
        plan = shortest_presses(lit)
        if not works.any():
            assert plan is None
            continue
        solvable += 1
        assert plan == sorted(plan) and works[sum(1 << p for p in plan)]
        assert len(plan) == sets[works].sum(1).min()
    assert solvable >= boards // 20  # 4x4: one board in 16 can be turned off


def _every_first_row(lit: np.ndarray) -> list[int] | None:
    """Light chasing from each of the 2^W first rows: the fewest presses, the lowest first row
    winning ties."""
    h, w = lit.shape
    best = None
    for first in range(1 << w):
        on, presses = lit.astype(bool).copy(), []
        for r in range(h):
            for c in range(w):
                if (first >> c & 1) if r == 0 else on[r - 1, c]:
                    for dr, dc in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
                        if 0 <= r + dr < h and 0 <= c + dc < w:
                            on[r + dr, c + dc] ^= True
                    presses.append(r * w + c)
        if not on.any() and (best is None or len(presses) < len(best)):
            best = presses
    return best


@pytest.mark.parametrize("size", [5, 6, 9])
def test_solving_the_first_row_finds_what_trying_every_first_row_finds(size):
    rng = np.random.default_rng(size)
    for _ in range(15):
        lit = rng.integers(2, size=(size, size))
        assert shortest_presses(lit) == _every_first_row(lit)


def test_a_25x25_board_is_solved_at_once():
    lit = np.random.default_rng(0).integers(2, size=(25, 25))
    plan = shortest_presses(lit)
    assert plan is not None and plan == sorted(plan)
    on = lit.astype(bool)
    for p in plan:
        r, c = divmod(p, 25)
        for dr, dc in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
            if 0 <= r + dr < 25 and 0 <= c + dc < 25:
                on[r + dr, c + dc] ^= True
    assert not on.any()


def test_generated_levels_are_lit_solvable_and_seeded():
    for n in (3, 4, 5, 6, 7):
        env = environments.make(f"neurocomp/LightsOut-{n}x{n}-v0")
        counts = []
        for seed in range(30):
            _, info = env.reset(seed=seed)
            counts.append(info["scene"].count("on"))
            assert counts[-1] > 0 and env.expert_plan() is not None
        assert np.mean(counts) == pytest.approx(n * n / 2, rel=0.35)


def test_a_board_that_cannot_be_turned_off_is_refused():
    with pytest.raises(UnsolvableLevelError, match="cannot be solved"):
        play_level(LightsOutEnv(4), "o...\n....\n....\n....")
    with pytest.raises(InvalidVariantError, match="already off"):
        play_level(LightsOutEnv(3), "...\n...\n...")
    with pytest.raises(InvalidVariantError, match="3x3 but the environment is 4x4"):
        play_level(LightsOutEnv(4), CENTRE_ON)


def test_actions_name_cells_and_outside_the_board_is_refused():
    env = LightsOutEnv(4)
    env.reset(seed=0)
    assert env.action_space.n == 16 and env.action_names[6] == "press(1,2)"
    with pytest.raises(InvalidActionError, match=r"Discrete\(16\) \(0=press\(0,0\)"):
        env.step(16)


def test_splits_are_the_larger_boards_and_an_unseen_look():
    names = [s.name for s in environments.make("neurocomp/LightsOut-5x5-v0").eval_splits()]
    assert names == ["in-distribution", "larger-6x6", "larger-7x7", "novel-appearance"]


def test_novel_colours_are_far_from_the_default_ones():
    default, novel = LIGHTSOUT.palettes["default"], LIGHTSOUT.palettes["novel"]
    for slot, rgb in default.items():
        assert max(abs(a - b) for a, b in zip(rgb, novel[slot], strict=True)) > 60, slot


@pytest.mark.parametrize("size", [2, 26, "5", 4.0])
def test_bad_sizes_are_clear_errors(size):
    with pytest.raises(InvalidVariantError, match="from 3 to 25"):
        LightsOutEnv(size)

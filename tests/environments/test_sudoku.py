"""VisualSudoku: givens in real handwriting (training and test images never meet), writes in a
typed hand, success only on a full and valid board, levels with one solution."""

from __future__ import annotations

import numpy as np
import pytest

from environments.digits import digit_images
from environments.errors import InvalidVariantError, UnsolvableLevelError
from environments.registry import make
from environments.sudoku import SUDOKU, solutions, valid_board


def test_there_are_288_solved_boards_and_each_is_valid():
    table = solutions()
    assert table.shape == (288, 16) and len({t.tobytes() for t in table}) == 288
    assert all(valid_board(t.reshape(4, 4)) for t in table)
    broken = table[0].reshape(4, 4).copy()
    broken[0, [0, 1]] = broken[0, [1, 0]]
    assert not valid_board(broken)


@pytest.mark.parametrize(
    "env_id, low, high",
    [
        ("neurocomp/VisualSudoku-4x4-v0", 6, 6),
        ("neurocomp/VisualSudoku-4x4-sparse-v0", 4, 6),
    ],
)
def test_levels_have_one_solution_and_the_givens_asked_for(env_id, low, high):
    env = make(env_id)
    for seed in range(30):
        env.reset(seed=seed)
        board = env.scene().grid.ravel()
        given = board > 0
        assert low <= given.sum() <= high
        fits = (solutions()[:, given] == board[given]).all(axis=1)
        assert fits.sum() == 1


def test_the_givens_are_handwritten_images_of_their_part_and_writes_are_typed():
    train, _ = digit_images("train")
    test, _ = digit_images("test")
    for part, pool in (("train", train), ("test", test)):
        env = make("neurocomp/VisualSudoku-4x4-v0", images=part)
        env.reset(seed=3)
        ink = env._ink[env._given]  # each given's image, as drawn
        flat = pool.reshape(len(pool), -1)
        for image in ink:
            assert (np.abs(flat - image.ravel()).sum(axis=1) < 1e-6).any()
        other = test if part == "train" else train
        assert not any(
            (np.abs(other.reshape(len(other), -1) - image.ravel()).sum(axis=1) < 1e-6).any()
            for image in ink
        )


def test_the_expert_wins_and_the_screen_is_the_state_redrawn():
    env = make("neurocomp/VisualSudoku-4x4-v0")
    for seed in range(10):
        obs, info = env.reset(seed=seed)
        plan = env.expert_plan()
        assert len(plan) == 10
        for action in plan:
            obs, reward, terminated, _truncated, info = env.step(action)
            assert np.array_equal(obs, env.redraw())
        assert terminated and info["success"] and reward > 0.5


def test_a_wrong_digit_loses_when_the_board_is_full_and_a_given_cannot_be_overwritten():
    env = make("neurocomp/VisualSudoku-4x4-v0")
    env.reset(seed=1)
    plan = env.expert_plan()
    given = int(np.flatnonzero(env.scene().grid.ravel() > 0)[0])
    before = env.scene().grid.copy()
    _obs, *_ = env.step(given * 4 + 0)
    assert np.array_equal(env.scene().grid, before)  # nothing changes on a given
    wrong = plan[0] - plan[0] % 4 + (plan[0] + 1) % 4
    env.step(wrong)
    assert env.expert_plan() is None
    for action in plan[1:]:
        *_, terminated, _truncated, info = env.step(action)
    assert terminated and not info["success"]


def test_a_board_you_draw_is_played_and_one_without_a_solution_is_refused():
    env = make("neurocomp/VisualSudoku-4x4-v0")
    env.reset(seed=0, options={"level": "1...\n..3.\n.4..\n...2"})
    assert len(env.expert_plan()) == 12
    with pytest.raises(UnsolvableLevelError, match="cannot be solved"):
        env.reset(seed=0, options={"level": "11..\n..3.\n.4..\n...2"})
    with pytest.raises(InvalidVariantError, match="no blank"):
        env.reset(seed=0, options={"level": "1234\n3412\n2143\n4321"})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"givens": 2}, "givens must be an integer from 4 to 16"),
        ({"images": "validation"}, "images must be 'train' or 'test'"),
        ({"tile": 12}, "tile must be 8, 16, 24 or 32"),
    ],
)
def test_bad_variants_are_refused_with_the_reason(kwargs, message):
    with pytest.raises(InvalidVariantError, match=message):
        make("neurocomp/VisualSudoku-4x4-v0", **kwargs)


def test_a_larger_tile_scales_the_handwriting():
    env = make("neurocomp/VisualSudoku-4x4-v0", tile=16)
    obs, _ = env.reset(seed=2)
    assert obs.shape == (64, 64, 3) and SUDOKU.actions.count(4, 4) == 64


def test_9x9_levels_have_exactly_one_solution_and_the_expert_fills_it():
    from environments.sudoku_boards import solve

    env = make("neurocomp/VisualSudoku-9x9-sparse-v0")
    for seed in range(3):
        _, info = env.reset(seed=seed)
        board = info["scene"].grid
        assert 17 <= (board > 0).sum() <= 30
        assert len(solve(board, 3, limit=2)) == 1  # minimal or not, one solution
    for action in env.expert_plan():
        *_, terminated, _truncated, info = env.step(action)
    assert terminated and info["success"] and valid_board(env.scene().grid)


def _text(grid: np.ndarray) -> str:
    return "\n".join("".join(str(int(v)) if v else "." for v in row) for row in grid)


def test_a_9x9_board_you_draw_needs_exactly_one_solution():
    env = make("neurocomp/VisualSudoku-9x9-v0")
    _, info = env.reset(seed=0)
    grid = info["scene"].grid.copy()
    env.reset(seed=1, options={"level": _text(grid)})
    assert np.array_equal(env.scene().grid, grid)
    few = np.zeros_like(grid)
    few[0, :2] = (1, 2)  # two givens: many solutions
    with pytest.raises(UnsolvableLevelError, match="more than one solution"):
        env.reset(seed=0, options={"level": _text(few)})
    clash = grid.copy()
    r, c = np.argwhere(clash == 0)[0]
    clash[r, c] = clash[r][clash[r] > 0][0]  # a digit its row holds already
    with pytest.raises(UnsolvableLevelError, match="no digits in its blanks solve it"):
        env.reset(seed=0, options={"level": _text(clash)})

"""The Sudoku reasoner: the plan is the solution CLP(FD) finds under the rules; both searches
agree; a board with no solution gets no plan and says why; bad rules are refused."""

from __future__ import annotations

import numpy as np
import pytest

from environments import Scene
from environments.registry import make
from environments.sudoku import SUDOKU
from symbolic.errors import RuleFileError
from symbolic.reasoner import load_reasoner


@pytest.fixture(scope="module")
def reasoner():
    return load_reasoner(SUDOKU)


def board(text: str) -> Scene:
    return Scene.from_grid(SUDOKU, SUDOKU.parse(text))


def test_the_plan_writes_the_experts_solution_with_either_search(reasoner):
    table = load_reasoner(SUDOKU, search="table")
    env = make("neurocomp/VisualSudoku-4x4-sparse-v0")
    for seed in range(15):
        env.reset(seed=seed)
        expert = env.expert_plan()
        for r in (reasoner, table):
            decision = r.decide(env.scene())
            assert list(decision.plan) == expert and decision.action == expert[0]
    assert "solution/2" in reasoner.decide(env.scene()).summary


def test_every_solved_board_comes_from_the_rules(reasoner):
    boards = reasoner.solved_boards(4, 4)
    assert boards.shape == (288, 4, 4) and (boards > 0).all()


def test_a_board_without_a_solution_gets_no_plan_and_says_so(reasoner):
    decision = reasoner.decide(board("11..\n..3.\n.4..\n...2"))
    assert decision.plan == () and "no solution under these rules" in decision.summary
    full = reasoner.decide(board("1234\n3412\n2143\n4321"))
    assert full.plan == () and "no blank" in full.summary


def test_the_rules_predict_what_a_write_shows(reasoner):
    scene = board("1...\n..3.\n.4..\n...2")
    after = reasoner.predict(scene, (0 * 4 + 1) * 4 + 2)  # write(0,1,3)
    assert after[0, 1] == SUDOKU.index("three") and after[0, 0] == SUDOKU.index("one")
    assert np.array_equal(reasoner.predict(scene, 0), scene.grid)  # (0,0) is given


def test_rules_for_another_game_or_without_digits_are_refused(tmp_path):
    from symbolic.reasoner import rules_path

    with pytest.raises(RuleFileError, match="solution/2"):
        load_reasoner(SUDOKU, rules_path("lightsout"))
    partial = tmp_path / "partial.pl"
    partial.write_text(
        rules_path(SUDOKU).read_text().replace("digit(four, 4).", ""), encoding="utf-8"
    )
    with pytest.raises(RuleFileError, match="digit 4"):
        load_reasoner(SUDOKU, partial)


def test_a_misread_digit_is_read_again_as_the_one_the_rules_allow(reasoner):
    env = make("neurocomp/VisualSudoku-4x4-v0")
    for seed in range(20):
        env.reset(seed=seed)
        truth = env.scene().grid
        # a given misread as the digit of another given in its row: no solution is left
        row = next(r for r in range(4) if (truth[r] > 0).sum() >= 2)
        first, other = np.flatnonzero(truth[row] > 0)[:2]
        seen = truth.copy()
        seen[row, first] = truth[row, other]
        probs = np.where(np.eye(5, dtype=bool)[truth], 0.96, 0.01)  # (4, 4, 5)
        probs[row, first, truth[row, other]] = 0.97  # perception favours the misreading
        assert reasoner.decide(Scene.from_grid(SUDOKU, seen)).plan == ()
        read = reasoner.likeliest(Scene.from_grid(SUDOKU, seen), probs)
        assert np.array_equal(read.grid, truth)
        assert list(reasoner.decide(read).plan) == env.expert_plan()

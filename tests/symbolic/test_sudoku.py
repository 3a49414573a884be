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


@pytest.fixture(scope="module")
def nine():
    from environments.sudoku import SUDOKU9

    return load_reasoner(SUDOKU9), make("neurocomp/VisualSudoku-9x9-v0")


def test_a_9x9_board_is_asked_of_the_rules_once_however_many_writes_fill_it(nine):
    reasoner, env = nine
    asked = []
    ask = reasoner._ask  # every question solution/2 is asked goes through it
    reasoner._ask = lambda grid, limit: asked.append(limit) or ask(grid, limit)
    try:
        _, info = env.reset(seed=3)
        expert = env.expert_plan()
        done = False
        while not done:
            decision = reasoner.decide(info["scene"])
            *_, terminated, truncated, info = env.step(decision.action)
            done = terminated or truncated
    finally:
        del reasoner._ask
    assert info["success"] and decision.plan == (expert[-1],) and len(asked) == 1
    with pytest.raises(Exception, match="too many to list"):
        reasoner.solved_boards(9, 9)


def test_misread_9x9_givens_are_read_again_as_the_board_with_one_solution(nine):
    from environments.sudoku import SUDOKU9

    reasoner, env = nine
    _, info = env.reset(seed=4)
    truth = info["scene"].grid
    given = np.flatnonzero(truth.ravel() > 0)
    seen, probs = truth.copy(), np.where(np.eye(10, dtype=bool)[truth], 0.9, 0.01)
    for cell in given[:2]:  # two givens misread, each as the next digit, a little surer
        wrong = truth.flat[cell] % 9 + 1
        seen.flat[cell] = wrong
        probs.reshape(81, 10)[cell, wrong] = 0.92
    read = reasoner.likeliest(Scene(SUDOKU9, seen, None, ()), probs)
    assert np.array_equal(read.grid, truth)


def test_a_search_past_its_limit_stops_the_episode_and_says_so():
    from dataclasses import replace

    from compose import OraclePipeline, evaluate
    from environments.sudoku import SUDOKU9
    from symbolic.engine import QueryLimits

    reasoner = load_reasoner(SUDOKU9)
    reasoner.rules = replace(reasoner.rules, limits=QueryLimits(inferences=10_000))
    env = make("neurocomp/VisualSudoku-9x9-v0")
    _, info = env.reset(seed=0)
    decision = reasoner.decide(info["scene"])
    assert decision.stop.startswith("solution/2 ran past its limit on this board")
    summary = evaluate(env, OraclePipeline(reasoner), 2, seed=0)
    assert summary.success_rate == 0.0 and all(e.stopped for e in summary.episodes)

"""The mover reasoner: the movement law comes from the rules; plans are as short as the
expert's, with enemies asleep or awake."""

from __future__ import annotations

import pytest

import environments
from environments import KEYDOOR, Scene
from environments.pacmaze import PACMAZE
from symbolic.errors import RuleInterfaceError
from symbolic.reasoner import load_reasoner, rules_path
from symbolic.reasoners.movers import Board, MoverReasoner
from tests.helpers import scene_from

N, E, S, W = range(4)
STATIC = ["neurocomp/PacMaze-5x5-v0", "neurocomp/PacMaze-8x8-v0", "neurocomp/PacMaze-12x12-v0"]
MOVING = [i.replace("PacMaze-", "PacMaze-Moving-") for i in STATIC]


@pytest.fixture(scope="module")
def oracle() -> MoverReasoner:
    reasoner = load_reasoner(PACMAZE)
    assert isinstance(reasoner, MoverReasoner)
    return reasoner


def play(reasoner: MoverReasoner, env_id: str, seed: int) -> tuple[bool, int, int]:
    """Play one generated level by the reasoner: (won, steps, the expert's plan length)."""
    env = environments.make(env_id)
    _, info = env.reset(seed=seed)
    expert = len(env.expert_plan())
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(reasoner.decide(info["scene"]).action)
        done = terminated or truncated
    return bool(info["success"]), info["steps"], expert


@pytest.mark.parametrize("ids, levels", [(STATIC, 100), (MOVING, 60)], ids=["static", "moving"])
def test_the_oracle_wins_every_level_as_fast_as_the_expert(oracle, ids, levels):
    for i in range(levels):
        won, steps, expert = play(oracle, ids[i % 3], 1000 + i)
        assert won and steps == expert, f"{ids[i % 3]} level {1000 + i}"


def test_without_the_ghost_law_the_oracle_walks_into_ghosts(engine):
    text = rules_path(PACMAZE).read_text()
    assert "moves(ghost, R-C" in text
    still = engine.load_rules(
        text=text.replace("moves(ghost, R-C", "moves(nobody, R-C"),
        required=MoverReasoner.questions,
    )
    blind = MoverReasoner(still, PACMAZE)
    lost = sum(not play(blind, "neurocomp/PacMaze-Moving-5x5-v0", i)[0] for i in range(30))
    assert lost >= 3
    assert all(play(blind, STATIC[0], i)[0] for i in range(10))  # asleep, nothing changes


def test_a_rule_file_for_another_game_is_refused():
    with pytest.raises(RuleInterfaceError, match="moves/5, enters/2"):
        load_reasoner(PACMAZE, rules=rules_path(KEYDOOR))


def pac(text: str) -> Scene:
    return scene_from(text, PACMAZE)


def test_with_enemies_asleep_the_search_is_the_plain_bfs_over_cells(oracle):
    decision = oracle.decide(pac("@.g..\n.....\n..b..\n.....\n....F"))
    assert len(decision.plan) == 8 and oracle.last_states <= 25
    assert decision.summary.endswith("wins at flag (4, 4)") and "dodges" not in decision.summary
    assert decision.alternatives["N"].startswith("off the grid, stays in place")


DODGE = """
.....
.@.G.
Bg...
.....
....F
"""


def test_explanations_cite_the_rules_that_make_moves_lose(oracle):
    decision = oracle.decide(pac(DODGE))
    env = environments.make("neurocomp/PacMaze-Moving-5x5-v0")
    env.reset(options={"level": DODGE})
    assert decision.action == N and len(decision.plan) == len(env.expert_plan()) == 11
    assert "dodges 1 ghost, 1 bat, waits 1, wins at flag (4, 4)" in decision.summary
    assert decision.alternatives == {
        "E": "a ghost at (1, 3) moves onto the agent next: moves(ghost, 1-3, 1-2, 5-5, 1-2)",
        "S": "ghost_asleep at (2, 1) kills: kills(ghost_asleep)",
        "W": "a bat at (2, 0) moves onto the agent next: moves(bat, 2-0, 1-0, 5-5, 1-0)",
    }


def test_with_no_way_to_win_it_moves_to_a_safe_cell(oracle):
    decision = oracle.decide(pac("@....\n.....\n.....\n...g.\n..gFg"))
    assert decision.plan == () and decision.summary.startswith("no plan: no winning cell")
    assert decision.action_name in ("E", "S")


def test_a_win_back_where_the_search_started_is_a_plan_not_a_loop():
    """A goal under the agent's starting cell: the winning state is the start itself (the
    search once looped unwinding it, until memory ran out)."""
    board = Board(
        height=1,
        width=2,
        ground=[1, 0],
        blocks=[False, False, False],
        kills=[False, False, False],
        wins=[False, True, False],
        agent_kind=2,
        moves={},
        enters={},
        after=[(0, 1, 0, 0), (1, 1, 1, 0)],
    )
    plan, _ = board.search(0, (), max_depth=4, max_states=100)
    assert plan == [E, W]


def test_a_large_board_asks_only_the_rows_its_movers_reach(oracle):
    """At 24x24 the whole moves/5 table has 331,776 (cell, agent) pairs, more than one query
    may take; the search asks a mover cell's row when it first needs it."""
    rows = ["." * 24 for _ in range(24)]
    rows[0] = "@" + "." * 23
    rows[12] = "." * 6 + "G" + "." * 10 + "B" + "." * 6
    rows[23] = "." * 23 + "F"
    decision = oracle.decide(scene_from("\n".join(rows), PACMAZE))
    assert len(decision.plan) >= 46, decision.summary  # around the movers to the far corner
    rows = oracle.move_rows(24, 24, "ghost")
    assert rows is not None and 0 < rows.asked < 24 * 24
    small = oracle.move_table(5, 5, "ghost")  # rows and the whole table agree
    by_rows = oracle.move_rows(5, 5, "ghost")
    assert small is not None and by_rows is not None
    assert [by_rows[i] for i in range(25 * 25)] == small
    assert oracle.move_rows(24, 24, "flag") is None  # a kind that never moves

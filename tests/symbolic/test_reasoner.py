"""The grid reasoner: rules really drive the plan; plans are as short as the expert's."""

from __future__ import annotations

import pytest

from environments import KEYDOOR, KeyDoorEnv
from environments.spec import MOVE_DELTAS
from symbolic.reasoner import load_reasoner, rules_path
from symbolic.reasoners.grid import GridReasoner
from tests.helpers import scene_from

N, E, S, W = range(4)


def variant_rules(engine, old: str, new: str):
    """The packaged KeyDoor rules with one line changed."""
    text = rules_path(KEYDOOR).read_text()
    assert old in text
    return engine.load_rules(text=text.replace(old, new), required=GridReasoner.questions)


def cells_visited(scene, plan):
    (r, c), cells = scene.agent, []
    for a in plan:
        r, c = r + MOVE_DELTAS[a][0], c + MOVE_DELTAS[a][1]
        cells.append((r, c))
    return cells


LAVA_SHORTCUT = """
########
#&.~..G#
#..~...#
#......#
########
"""


def test_lava_rule_decides_the_route(engine, reasoner):
    scene = scene_from(LAVA_SHORTCUT)
    default = reasoner.decide(scene)
    assert len(default.plan) == 9 and (1, 3) not in cells_visited(scene, default.plan)
    harmless = GridReasoner(variant_rules(engine, "kills(lava).", "kills(nothing)."), KEYDOOR)
    straight = harmless.decide(scene)
    assert straight.plan == (E,) * 5  # straight through
    assert "kills(lava)" not in straight.explain()


DOOR_LEVEL = """
#######
#k.@#G#
#...D.#
#######
"""


def test_door_rule_decides_whether_to_fetch_the_key(engine, reasoner):
    scene = scene_from(DOOR_LEVEL)
    default = reasoner.decide(scene)
    assert default.action == W and "collects key" in default.summary
    assert len(default.plan) == 8
    open_door = GridReasoner(variant_rules(engine, "locked(door).", "locked(nothing)."), KEYDOOR)
    direct = open_door.decide(scene)
    assert direct.plan == (S, E, E, N)
    assert "collects" not in direct.summary


def test_explanation_cites_the_rules_that_forbid_moves(reasoner):
    scene = scene_from("""
######
#.~..#
#k@D.#
#..#G#
######
""")
    decision = reasoner.decide(scene)
    text = decision.explain()
    assert decision.action == W and decision.action_name == "W"
    assert "not N: lava at (1, 2) kills: kills(lava)" in text
    assert "not E: door at (2, 3) blocks: blocks(door, [])" in text
    assert "not S: enterable, but the shortest plan found starts with W" in text


def test_unsolvable_scene_gives_a_safe_fallback(reasoner):
    scene = scene_from("""
######
#@~#G#
#~.#.#
######
""")
    decision = reasoner.decide(scene)
    assert decision.plan == () and "no plan" in decision.summary
    r, c = scene.agent
    dr, dc = MOVE_DELTAS[decision.action]
    assert scene.kind_at(r + dr, c + dc) != "lava"


@pytest.mark.parametrize("search", ["networkx", "prolog"])
def test_plans_are_as_short_as_the_experts(keydoor_rules, search):
    reasoner = GridReasoner(keydoor_rules, KEYDOOR, search)
    levels = 200 if search == "networkx" else 60
    for i in range(levels):
        env = KeyDoorEnv(size=6 + 2 * (i % 6))
        _, info = env.reset(seed=10_000 + i)
        decision = reasoner.decide(info["scene"])
        assert len(decision.plan) == len(env.expert_plan()), f"level {i}"


def test_prolog_search_takes_any_number_of_kinds(engine):
    """A game of 12 kinds: cells are passed as kind positions, not one digit each."""
    rules = engine.load_rules(
        text="kills(k9).\nwins(k11).\n:- dynamic blocks/2, collects/1.\n",
        required=GridReasoner.questions,
    )
    legend = [f"k{i}" for i in range(12)]
    cells = [0, 0, 9, 11, 10, 10, 10, 10]  # 2 rows of 4: a kills cell blocks the way on top
    letters = rules.plan(4, cells, legend, (1, 0), [], ("blocks", "kills", "collects", "wins"))
    assert letters == "EEEN"


def test_search_must_suit_the_reasoner():
    with pytest.raises(ValueError, match="search 'gf2' does not apply"):
        load_reasoner(KEYDOOR, search="gf2")

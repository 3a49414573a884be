"""The reasoner: rules really drive the plan; plans are as short as the expert's."""

from __future__ import annotations

import pytest

from environments import Action, KeyDoorEnv, Kind, expert_plan
from environments.core import MOVES
from symbolic.reasoner import INTERFACE, Reasoner, rules_path
from tests.environments.test_keydoor import scene_from


def variant_rules(engine, old: str, new: str):
    """The packaged KeyDoor rules with one line changed."""
    text = rules_path("keydoor").read_text()
    assert old in text
    return engine.load_rules(text=text.replace(old, new), required=INTERFACE)


def cells_visited(scene, plan):
    (r, c), cells = scene.agent, []
    for a in plan:
        r, c = r + MOVES[a][0], c + MOVES[a][1]
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
    harmless = Reasoner(variant_rules(engine, "kills(lava).", "kills(nothing)."))
    straight = harmless.decide(scene)
    assert straight.plan == (Action.E,) * 5  # straight through
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
    assert default.action == Action.W and "collects key" in default.summary
    assert len(default.plan) == 8
    open_door = Reasoner(variant_rules(engine, "locked(door).", "locked(nothing)."))
    direct = open_door.decide(scene)
    assert direct.plan == (Action.S, Action.E, Action.E, Action.N)
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
    assert decision.action == Action.W
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
    dr, dc = MOVES[decision.action]
    assert scene.kind_at(r + dr, c + dc) not in (Kind.LAVA,)


@pytest.mark.parametrize("search", ["networkx", "prolog"])
def test_plans_are_as_short_as_the_experts(keydoor_rules, search):
    reasoner = Reasoner(keydoor_rules, search)
    levels = 200 if search == "networkx" else 60
    for i in range(levels):
        env = KeyDoorEnv(size=6 + 2 * (i % 6))
        _, info = env.reset(seed=10_000 + i)
        decision = reasoner.decide(info["scene"])
        assert len(decision.plan) == len(expert_plan(info["scene"])), f"level {i}"


def test_oracle_solves_200_levels(keydoor_rules):
    from compose.pipelines import OraclePipeline
    from compose.play import evaluate

    oracle = OraclePipeline(Reasoner(keydoor_rules))
    for size in (8, 16):
        env = KeyDoorEnv(size=size)
        summary = evaluate(env, oracle, episodes=100, seed=size)
        assert summary.success_rate == 1.0
        for episode in summary.episodes:
            _, info = env.reset(seed=episode.level_seed)
            assert episode.steps == len(expert_plan(info["scene"]))

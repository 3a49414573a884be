"""The facing reasoner: MiniGrid's semantics come from minigrid.pl; plans are as short as the
expert's; what is carried is tracked by the rules."""

from __future__ import annotations

import pytest

import environments
from environments import KEYDOOR
from environments.farama_minigrid import MINIGRID
from symbolic.errors import RuleInterfaceError
from symbolic.reasoner import load_reasoner, rules_path
from symbolic.reasoners.facing import FacingReasoner
from tests.helpers import play_level, scene_from

LEFT, RIGHT, FORWARD, PICKUP, DROP, TOGGLE, DONE = range(7)
# The agent faces a locked yellow door; the yellow key lies behind it, to the south.
LOCKED = "######\n#>W.*#\n#y####\n######\n"


@pytest.fixture(scope="module")
def reasoner() -> FacingReasoner:
    loaded = load_reasoner(MINIGRID)
    assert isinstance(loaded, FacingReasoner)
    return loaded


def test_a_plan_fetches_the_key_before_the_locked_door(reasoner):
    decision = reasoner.decide(scene_from(LOCKED, MINIGRID))
    assert decision.action_name == "right"  # turn south, towards the key
    assert "picks up key_yellow at (2, 1)" in decision.summary
    assert "toggles door_yellow_locked at (1, 2) into door_yellow_open" in decision.summary
    assert decision.summary.endswith("wins at goal (1, 4)")
    assert decision.alternatives["forward"] == (
        "door_yellow_locked at (1, 2) blocks: blocks(door_yellow_locked, [])"
    )
    assert decision.alternatives["toggle"] == "toggles(door_yellow_locked, [], _) has no answer"


def test_the_plan_is_the_experts_length_and_is_kept_while_it_holds(reasoner):
    env = environments.make("MiniGrid-DoorKey-8x8-v0")
    for seed in range(5):
        _, info = env.reset(seed=seed)
        expert = env.expert_plan()
        reasoner.reset()
        searched = 0
        for _ in expert:
            decision = reasoner.decide(info["scene"])
            searched += reasoner.last_states > 0
            _, _, terminated, _, info = env.step(decision.action)
        assert terminated and info["success"] and searched == 1, seed


def test_carrying_is_tracked_by_the_rules(reasoner):
    facing_key = scene_from("#####\n#.v.#\n#.y*#\n#####\n", MINIGRID)
    assert reasoner.carried_after(facing_key, PICKUP) == ("key_yellow",)
    assert reasoner.carried_after(facing_key, FORWARD) == ()


def test_the_plan_follows_the_rules_not_the_simulator(engine, reasoner):
    # Rules in which every locked door opens with bare hands: the plan skips the key, and
    # MiniGrid, whose doors need the key, does not open the door.
    text = rules_path(MINIGRID).read_text() + (
        "toggles(Door, [], Open) :- door(Door, C, locked), door(Open, C, open).\n"
    )
    careless = FacingReasoner(
        engine.load_rules(text=text, required=FacingReasoner.questions), MINIGRID
    )
    careless.check()
    scene = scene_from(LOCKED, MINIGRID)
    assert "picks up" not in careless.decide(scene).summary
    assert len(careless.decide(scene).plan) < len(reasoner.decide(scene).plan)
    env = environments.make("MiniGrid-Empty-6x6-v0")
    _, info = play_level(env, LOCKED + "######\n######\n")
    careless.reset()
    for _ in range(len(careless.decide(info["scene"]).plan)):
        _, _, terminated, _, info = env.step(careless.decide(info["scene"]).action)
    assert not terminated and info["scene"].kind_at(1, 2) == "door_yellow_locked"


def test_a_rule_file_for_another_game_is_refused():
    with pytest.raises(RuleInterfaceError, match="carries/1, toggles/3, heading/2"):
        load_reasoner(MINIGRID, rules=rules_path(KEYDOOR))


def test_with_no_way_to_the_goal_it_turns(reasoner):
    decision = reasoner.decide(scene_from("#####\n#>.##\n###*#\n#####\n", MINIGRID))
    assert decision.plan == () and decision.action_name == "left"
    assert decision.summary.startswith("no plan: no winning cell can be reached")


def test_an_episode_on_a_level_drawn_as_text(reasoner):
    env = environments.make("MiniGrid-Empty-5x5-v0")
    _, info = play_level(env, "#####\n#>..#\n#.#.#\n#..*#\n#####\n")
    reasoner.reset()
    done = False
    while not done:
        _, _, terminated, truncated, info = env.step(reasoner.decide(info["scene"]).action)
        done = terminated or truncated
    assert info["success"] and info["steps"] == 5

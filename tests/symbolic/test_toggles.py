"""The toggle reasoner: what a press flips comes from the rules; GF(2) elimination finds the
fewest presses, as few as the expert's light chasing."""

from __future__ import annotations

import numpy as np
import pytest

import environments
from environments import KEYDOOR, Scene
from environments.lightsout import LIGHTSOUT, shortest_presses
from symbolic.errors import RuleFileError, RuleInterfaceError
from symbolic.reasoner import load_reasoner, rules_path
from symbolic.reasoners.toggles import ParitySystem, ToggleReasoner
from tests.helpers import scene_from


@pytest.fixture(scope="module")
def reasoner() -> ToggleReasoner:
    loaded = load_reasoner(LIGHTSOUT)
    assert isinstance(loaded, ToggleReasoner)
    return loaded


def board(lit: np.ndarray) -> Scene:
    return Scene.from_grid(LIGHTSOUT, lit.astype(np.int8))


@pytest.mark.parametrize("size", [3, 4, 5, 6, 7])
def test_plans_are_as_short_as_the_experts_and_turn_everything_off(reasoner, size):
    rng = np.random.default_rng(size)
    system = reasoner.system(size, size)
    assert system.rank == size * size - {4: 4, 5: 2}.get(size, 0)  # the known nullities
    for _ in range(40):
        lit = rng.integers(2, size=(size, size))
        decision = reasoner.decide(board(lit))
        expert = shortest_presses(lit)
        if expert is None:
            assert decision.plan == () and decision.summary.startswith("no plan")
            continue
        assert len(decision.plan) == len(expert) and decision.action == decision.plan[0]
        presses = np.zeros(size * size, dtype=np.int64)
        presses[list(decision.plan)] = 1
        assert not ((system.toggles @ presses + lit.ravel()) % 2).any()


def test_elimination_finds_the_fewest_presses_among_many_solutions():
    toggles = np.eye(4, dtype=np.uint8)
    toggles[:, 3] = 1  # press 3 flips everything; 0, 1 and 2 flip themselves
    toggles[3, :3] = 0
    system = ParitySystem.reduce(toggles)
    assert system.rank == 4
    assert system.solve(np.array([1, 1, 1, 1], dtype=np.uint8)).tolist() == [0, 0, 0, 1]
    singular = ParitySystem.reduce(np.array([[1, 1], [1, 1]], dtype=np.uint8))
    assert singular.rank == 1 and len(singular.null) == 1
    assert singular.solve(np.array([1, 0], dtype=np.uint8)) is None
    assert singular.solve(np.array([1, 1], dtype=np.uint8)).sum() == 1


def test_the_plan_follows_the_rules_not_the_simulator(engine, reasoner):
    # A rule file in which a press also flips the diagonal neighbours.
    text = rules_path(LIGHTSOUT).read_text() + (
        "neighbour(R-C, R1-C1) :- member(DR, [-1, 1]), member(DC, [-1, 1]), "
        "R1 is R + DR, C1 is C + DC.\n"
    )
    kings = ToggleReasoner(
        engine.load_rules(text=text, required=ToggleReasoner.questions), LIGHTSOUT
    )
    kings.check()
    lit = scene_from("...\n.o.\n...", LIGHTSOUT)
    assert reasoner.decide(lit).plan != kings.decide(lit).plan
    assert int(kings.system(3, 3).toggles[:, 4].sum()) == 9  # the centre press flips all 9


def test_explanations_name_the_plan_and_the_rule(reasoner):
    decision = reasoner.decide(scene_from("o..\n...\n...", LIGHTSOUT))
    assert decision.action_name == "press(0,0)" and len(decision.plan) == 5
    assert decision.summary.startswith("plan of 5 presses press(0,0), press(0,2), press(1,2)")
    assert "toggles/3, solved over GF(2)" in decision.summary
    assert decision.alternatives["the other 4 cells"] == "no shortest solution presses them"
    stuck = reasoner.decide(scene_from("o...\n....\n....\n....", LIGHTSOUT))
    assert stuck.plan == () and "cannot all be turned off" in stuck.summary
    assert stuck.action_name in ("press(0,0)", "press(0,1)", "press(1,0)")


def test_a_rule_file_for_another_game_is_refused():
    with pytest.raises(RuleInterfaceError, match="toggles/3, lit/1"):
        load_reasoner(LIGHTSOUT, rules=rules_path(KEYDOOR))


@pytest.mark.parametrize(
    "rules, message",
    [
        ("toggles(P, _, P).\ntoggles(P, S, C) :- toggles(P, S, C).\nlit(on).\n", "terminate"),
        ("toggles(_, _, somewhere).\nlit(on).\n", "somewhere"),
    ],
)
def test_rules_that_loop_or_answer_nonsense_fail_when_loaded(tmp_path, rules, message):
    path = tmp_path / "bad.pl"
    path.write_text(rules)
    with pytest.raises(RuleFileError, match=message):
        load_reasoner(LIGHTSOUT, rules=path)


def test_oracle_plays_every_size_to_the_end(reasoner):
    for n in (3, 5, 7):
        env = environments.make(f"neurocomp/LightsOut-{n}x{n}-v0")
        _, info = env.reset(seed=11)
        steps = len(env.expert_plan())
        for _ in range(steps):
            _, _, terminated, _, info = env.step(reasoner.decide(info["scene"]).action)
        assert terminated and info["success"]

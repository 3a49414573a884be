"""The rule learner against real SWI-Prolog and clingo: from a few scripted transitions of the
real game it recovers what the packaged rule file says; it reports what it cannot explain; it
refuses a malformed or unbounded language before searching."""

from __future__ import annotations

import random

import gymnasium as gym
import pytest

import environments  # noqa: F401  (registers the games)
from symbolic import load_reasoner
from symbolic.errors import InductionError, LanguageError
from symbolic.induction import (
    InductionSettings,
    Transition,
    agent_evidence,
    background_clauses,
    induce,
    learn,
    load_language,
)
from symbolic.induction.audit import contradictions
from symbolic.induction.language import MOVERS_LANGUAGE_PATH
from symbolic.induction.movers import learn_movers
from symbolic.reasoner import RULES_DIR
from symbolic.reasoners.grid import GridReasoner

# Two rooms: the key in the west, the door in the dividing wall, lava and the goal east.
LEVEL = """
######
#k#.~#
#.D..#
#@#.G#
#.#..#
######
"""
# Scripted walks (moves N, E, S, W) and what each shows: bumping the wall and the locked
# door, fetching the key, crossing the door, and the two ways the episode ends.
WALKS = {
    "bump wall, bump door twice, key, bump wall, through the door, goal": "WNEENNSEESE",
    "key, through the door, into the lava": "NNSEENE",
}


def scripted(walk: str) -> list[Transition]:
    """The transitions of ``walk`` on LEVEL, played by the real KeyDoor game."""
    env = gym.make("neurocomp/KeyDoor-6x6-v0").unwrapped
    _, info = env.reset(seed=0, options={"level": LEVEL})
    out = []
    for letter in walk:
        scene, action = info["scene"], "NESW".index(letter)
        _, reward, terminated, truncated, info = env.step(action)
        ended = terminated or truncated
        out.append(Transition(scene, action, None if ended else info["scene"], reward, terminated))
        if ended:
            break
    return out


@pytest.fixture(scope="module")
def transitions():
    return [t for walk in WALKS.values() for t in scripted(walk)]


def tables(rules_text: str | None):
    """What the grid reasoner reads of a rule file, for every kind and inventory of KeyDoor."""
    env = gym.make("neurocomp/KeyDoor-6x6-v0").unwrapped
    game = env.game
    reasoner = (
        load_reasoner(game, text=rules_text, name="learned")
        if rules_text
        else (load_reasoner(game))
    )
    terrain = [k.name for i, k in enumerate(game.kinds) if i not in game.agent_kinds]
    out = {}
    for table in reasoner.rules.semantics(terrain, [], GridReasoner.questions, "collects"):
        out[table.inventory] = {k: sorted(v) for k, v in table.kinds.items() if k in terrain}
    reasoner.rules.close()
    return out


def test_the_learner_recovers_the_keydoor_rules_from_two_scripted_episodes(transitions):
    evidence = agent_evidence(transitions)
    assert evidence.unexplained == 0 and evidence.transitions == len(transitions)
    theory = learn(evidence.examples, load_language(), evidence.constants)
    learned = {q: [c.text() for c in cs] for q, cs in theory.clauses.items()}
    assert learned == {
        "blocks/2": ["blocks(wall, _)", "blocks(door, B) :- \\+ holds(B, key)"],
        "kills/1": ["kills(lava)"],
        "collects/1": ["collects(key)"],
        "wins/1": ["wins(goal)"],
    }
    assert theory.unexplained == 0 and theory.learned_clauses == 5 and not theory.stopped
    # Loaded through the sandbox like a user's file, it answers every question about every
    # kind and inventory as the packaged file does.
    text = theory.rule_text("KeyDoor")
    assert tables(text) == tables(None)


def test_what_no_transition_decided_is_listed_not_guessed(transitions):
    evidence = agent_evidence(transitions[:4])  # the bumps and the first steps only
    theory = learn(
        evidence.examples, load_language(), evidence.constants, unidentified=evidence.unidentified
    )
    assert theory.clauses["kills/1"] == [] and theory.clauses["wins/1"] == []
    assert "kills(lava)" in theory.unidentified and "wins(goal)" in theory.unidentified
    text = theory.rule_text("KeyDoor")
    assert ":- dynamic kills/1." in text and "kills(lava)" in text.split("*/")[0]


def test_a_misread_transition_is_left_unexplained_not_learned(transitions):
    """A screen read wrong once (the agent seen to bump into floor) costs an unexplained
    example, not a clause: the floor was entered many times."""
    bumped = next(t for t in transitions if t.after is not None and t.after.agent != t.scene.agent)
    misread = Transition(bumped.scene, bumped.action, bumped.scene, 0.0, False)
    evidence = agent_evidence([*transitions, misread])
    theory = learn(evidence.examples, load_language(), evidence.constants)
    assert [c.text() for c in theory.clauses["blocks/2"]] == [
        "blocks(wall, _)",
        "blocks(door, B) :- \\+ holds(B, key)",
    ]
    assert theory.unexplained == 1 and theory.wrong[0].startswith("+blocks(")


def test_shuffled_frames_end_in_one_line_with_the_count(transitions):
    """Shuffled frames: the agent jumps about, and the learner says so before searching."""
    shuffled = [
        Transition(a.scene, a.action, b.scene, 0.0, False)
        for a, b in zip(transitions, reversed(transitions), strict=True)
    ]
    evidence = agent_evidence(shuffled)
    n = len(shuffled)
    with pytest.raises(InductionError, match=rf"^{evidence.unexplained} of {n} transitions are no"):
        induce(evidence, load_language())
    assert evidence.unexplained > n // 2


def test_examples_no_theory_explains_end_in_one_line_with_the_count(transitions):
    """Every atom seen to hold and not to hold about as often: the best theory is wrong about
    half of them, and the learner refuses to write it."""
    evidence = agent_evidence(transitions)
    both_ways = [
        type(e)(e.head, e.args, e.positive + e.negative, e.positive + e.negative + 1)
        for e in evidence.examples
    ]
    with pytest.raises(InductionError, match=r"the best leaves \d+ of \d+ examples unexplained"):
        learn(both_ways, load_language(), evidence.constants)


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ({"heads": {"blocks": ["kind", "inventory"]}, "max_body": 9}, "max_body"),
        ({"heads": {"Blocks": ["kind"]}}, "not a predicate name"),
        ({"heads": {"blocks": ["kind", "colour"]}}, "unknown argument type 'colour'"),
        ({"heads": {}}, "heads"),
        ({"heads": {"wins": ["kind"]}, "surprise": 1}, "surprise"),
    ],
)
def test_a_malformed_language_is_refused_before_searching(language, message):
    with pytest.raises(LanguageError, match=message):
        load_language(language)


def test_a_language_file_that_is_not_toml_is_refused_with_its_name(tmp_path):
    path = tmp_path / "bias.toml"
    path.write_text("max_body = [\n")
    with pytest.raises(LanguageError, match=r"bias\.toml: not a TOML file"):
        load_language(path)
    with pytest.raises(LanguageError, match="no such file"):
        load_language(tmp_path / "missing.toml")


def test_a_language_without_a_question_the_reasoner_asks_is_refused():
    with pytest.raises(LanguageError, match="asks about kills/1"):
        load_language({"heads": {"blocks": ["kind", "inventory"]}}, needs=("kills/1",))


def test_a_search_past_the_ceiling_is_refused_before_it_starts(transitions):
    evidence = agent_evidence(transitions)
    wide = load_language(
        {
            "heads": {"blocks": ["kind", "inventory"]},
            "body": {"holds": ["inventory", "kind"]},
            "max_body": 3,
        }
    )
    with pytest.raises(LanguageError, match="ceiling"):
        learn(evidence.examples, wide, evidence.constants, InductionSettings(max_candidates=100))


def test_the_shared_background_is_small():
    assert background_clauses() <= 40


def test_the_audit_finds_nothing_against_the_packaged_rules(transitions, keydoor_rules):
    assert contradictions(keydoor_rules, agent_evidence(transitions)) == []


def test_the_audit_names_what_a_rule_file_gets_wrong(transitions, engine):
    """kills(lava) taken out and a wrong wins(key) put in: the lava walk ended in failure on
    lava, and every fetch of the key went on."""
    packaged = (RULES_DIR / "keydoor.pl").read_text()
    text = packaged.replace("kills(lava).", ":- dynamic kills/1.") + "\nwins(key).\n"
    rules = engine.load_rules(text=text, name="mine.pl")
    try:
        found = contradictions(rules, agent_evidence(transitions))
    finally:
        rules.close()
    assert [(c.atom, c.rules_say, c.count) for c in found] == [
        ("wins(key)", True, 2),
        ("kills(lava)", False, 1),
    ]
    assert found[1].sentence() == (
        "your rules say lava does not kill, but episodes ended in failure on it: 1 transition"
    )


def test_invented_symbols_are_learned_as_the_names_are(transitions):
    """The learner never reads a kind's name: the same evidence over appearance groups with
    no names (g0, g1, ...) gives the same theory, renamed."""
    evidence = agent_evidence(transitions)
    names = {k: f"g{i}" for i, k in enumerate(evidence.constants["kind"])}

    def rename(arg):
        return tuple(names[a] for a in arg) if isinstance(arg, tuple) else names[arg]

    invented = [
        type(e)(e.head, tuple(rename(a) for a in e.args), e.positive, e.negative)
        for e in evidence.examples
    ]
    theory = learn(invented, load_language(), {"kind": tuple(names.values())})
    named = learn(evidence.examples, load_language(), evidence.constants)
    as_named = {q: [c.text() for c in cs] for q, cs in named.clauses.items()}
    for old, new in sorted(names.items(), key=lambda kv: -len(kv[0])):
        as_named = {q: [t.replace(old, new) for t in ts] for q, ts in as_named.items()}
    assert {q: [c.text() for c in cs] for q, cs in theory.clauses.items()} == as_named


def test_the_learner_recovers_lightsout_from_four_presses_that_solve_a_board(engine):
    """The centre twice, an edge, the centre again: the last press turns the last light off.
    The learner writes that a press flips its own cell and the cell one step away in any
    direction (a direction no head names: a body variable of its own), and that the kind on
    every board the episode went on with, and on none after the win, is the lit one; the
    reasoner builds from it the same system of presses as from the packaged file."""
    from symbolic.induction import TOGGLES_LANGUAGE_PATH, toggle_evidence
    from symbolic.reasoners.toggles import ToggleReasoner

    env = gym.make("neurocomp/LightsOut-3x3-v0").unwrapped
    _, info = env.reset(seed=0, options={"level": "o.o\no.o\n.o."})
    steps = []
    for press in (4, 4, 1, 4):
        scene = info["scene"]
        _, reward, terminated, _, info = env.step(press)
        steps.append(
            Transition(scene, press, None if terminated else info["scene"], reward, terminated)
        )
    assert steps[-1].after is None and steps[-1].reward > 0  # solved by the last press
    evidence = toggle_evidence(steps)
    assert evidence.unexplained == 0
    theory = learn(
        evidence.examples,
        load_language(TOGGLES_LANGUAGE_PATH),
        evidence.constants,
        any_of=evidence.any_of,
    )
    assert {q: [c.text() for c in cs] for q, cs in theory.clauses.items()} == {
        "toggles/3": ["toggles(A, _, A)", "toggles(A, _, C) :- step(A, _, C)"],
        "lit/1": ["lit(on)"],
    }
    assert theory.unexplained == 0
    game = env.game
    ours = ToggleReasoner(engine.load_rules(text=theory.rule_text("LightsOut"), name="l"), game)
    packaged = ToggleReasoner(load_reasoner(game).rules, game)
    for size in (3, 5):
        assert (ours.system(size, size).toggles == packaged.system(size, size).toggles).all()
    _, info = env.reset(seed=3)
    assert ours.decide(info["scene"]).plan == packaged.decide(info["scene"]).plan


def random_play(env_id: str, count: int, seed: int = 0) -> list[Transition]:
    """``count`` transitions of uniformly random moves on the real game, in its true scenes."""
    env = gym.make(env_id).unwrapped
    rng = random.Random(seed)
    out: list[Transition] = []
    level = 0
    while len(out) < count:
        _, info = env.reset(seed=level)
        level += 1
        done = False
        while not done and len(out) < count:
            scene, action = info["scene"], rng.randrange(4)
            _, reward, terminated, truncated, info = env.step(action)
            done = terminated or truncated
            after = None if done else info["scene"]
            out.append(Transition(scene, action, after, reward, terminated))
    return out


def test_the_pieces_laws_are_chosen_by_what_they_predict_from_random_play():
    """PacMaze-Moving: ghosts step towards the agent, bats fly clockwise round their ring, and
    both enter floor and the agent's cell; none of it given, all of it learned from 150 random
    moves (each law chosen among the background's by how well it predicts the next screens)."""
    env_id = "neurocomp/PacMaze-Moving-5x5-v0"
    game = gym.make(env_id).unwrapped.game
    transitions = random_play(env_id, 150)
    language = load_language(MOVERS_LANGUAGE_PATH)
    agent = language.model_copy(
        update={
            "heads": {h: t for h, t in language.heads.items() if h in ("blocks", "kills", "wins")}
        }
    )
    evidence = agent_evidence(transitions)
    theory = induce(evidence, agent, InductionSettings())
    loaded = []

    def predictor(text):
        reasoner = load_reasoner(game, text=text, name="a law", trusted=True)
        loaded.append(reasoner)
        return reasoner.predict, reasoner.move_table

    try:
        laws = learn_movers(
            transitions, language, theory.clauses, predictor, None, evidence.constants
        )
    finally:
        for reasoner in loaded:
            reasoner.rules.close()
    texts = sorted(c.text() for c in laws.moves)
    assert texts == [
        "moves(bat, B, _, D, E) :- clockwise(B, D, E)",
        "moves(ghost, B, C, _, E) :- towards(B, C, E)",
    ]
    assert laws.scores["ghost"]["no law"] < laws.scores["ghost"][texts[1]] == 1.0
    assert sorted(c.text() for c in laws.enters) == ["enters(_, agent)", "enters(_, floor)"]
    assert laws.accuracy == 1.0

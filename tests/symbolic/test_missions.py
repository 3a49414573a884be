"""Missions: the grammar (symbolic/rules/missions.pl) reads every mission the playable MiniGrid
and BabyAI ids give, into the goals they mean; the mission planner does them, on the whole
screen and on the egocentric map; a mission outside the grammar ends the episode in one line."""

from __future__ import annotations

import gymnasium as gym
import pytest

import environments
from compose import OraclePipeline
from compose.common.levels import level_seed
from compose.play import play_episode
from environments.core import Scene
from environments.errors import NeurocompError
from environments.farama_minigrid import EGOCENTRIC, MINIGRID
from environments.minigrid_ids import SUITES, on_mission, playable
from symbolic.errors import MissionError
from symbolic.missions import Goal, Thing, load_grammar, read_mission
from symbolic.reasoner import load_reasoner


@pytest.fixture(scope="module")
def grammar():
    return load_grammar()


@pytest.mark.parametrize(
    "text, meant",
    [
        ("open the door", "open the door"),
        ("you must fetch a purple key", "pick up the purple key"),
        ("put the blue ball near the green box", "put the blue ball next to the green box"),
        ("open the red door then the blue door", "open the red door, then open the blue door"),
        (
            "put the red box next to a grey door and open a purple door after you pick up a "
            "key and go to the yellow box",
            "pick up the key and go to the yellow box, then put the red box next to the grey "
            "door and open the purple door",
        ),
        ("pick up the ball on your left", "pick up the ball on your left"),
        ("use the key to open the door and then get to the goal", "reach the goal"),
        ("avoid the lava and get to the green goal square", "reach the goal"),
    ],
)
def test_the_grammar_reads_what_a_mission_means(grammar, text, meant):
    assert str(read_mission(grammar, text)) == meant


def test_where_a_thing_lies_is_read_from_the_agent_at_its_start(grammar):
    mission = read_mission(grammar, "go to the red ball behind you, then open a door")
    assert mission.stages == (
        (Goal("goto", Thing("ball", "red", "behind")),),
        (Goal("open", Thing("door")),),
    )


def test_the_grammar_reads_the_missions_of_every_id_that_plays(grammar):
    ids = [i for i in gym.registry if i.startswith(SUITES) and on_mission(i)]
    read = 0
    for env_id in ids[::3]:  # a third of them, every class among them
        if playable(env_id) is not None:
            continue
        env = environments.make(env_id)
        for seed in range(2):
            env.reset(seed=seed)
            mission = read_mission(grammar, env.unwrapped._inner.mission)
            assert not mission.only_reach, env_id
            read += 1
    assert read >= 40


@pytest.mark.parametrize(
    "text, unread",
    [
        ("go to the matching object at the end of the hallway", "matching object at the end"),
        ("dance with the red ball", "dance with the red ball"),
        ("pick up the ball 7", "7"),
        ("go to the red", "ends too soon"),
    ],
)
def test_a_mission_outside_the_grammar_names_the_words_it_could_not_read(grammar, text, unread):
    with pytest.raises(MissionError, match=unread):
        read_mission(grammar, text)


@pytest.mark.parametrize("game", [MINIGRID, EGOCENTRIC], ids=lambda g: g.name)
def test_an_unreadable_mission_stops_the_episode_in_one_line(game):
    reasoner = load_reasoner(game)
    env = environments.make(
        "MiniGrid-Unlock-v0", view="egocentric" if game is EGOCENTRIC else "full"
    )
    _, info = env.reset(seed=0)
    scene = info["scene"]
    said = Scene(scene.game, scene.grid, scene.agent, scene.inventory, "dance with the red ball")
    decision = reasoner.decide(said)
    assert decision.stop.startswith("cannot read the mission 'dance with the red ball'")
    assert "\n" not in decision.stop


def test_the_ledger_counts_the_grammar_beside_the_rules():
    known = load_reasoner(MINIGRID).knowledge()
    assert known["grammar"] == "missions.pl" and known["grammar_clauses"] > 40
    assert load_reasoner(MINIGRID).clauses() == known["rule_clauses"] + known["grammar_clauses"]


# The oracle (the game's reasoner on the true scene, the packaged rules and grammar) and the
# expert (MiniGrid's BabyAI bot) win levels of every kind of mission, on both views.
MISSION_IDS = [
    "MiniGrid-Unlock-v0",
    "MiniGrid-BlockedUnlockPickup-v0",
    "MiniGrid-KeyCorridorS3R3-v0",
    "MiniGrid-ObstructedMaze-1Dlhb-v0",
    "MiniGrid-Fetch-8x8-N3-v0",
    "MiniGrid-GoToDoor-8x8-v0",
    "MiniGrid-PutNear-8x8-N3-v0",
    "MiniGrid-RedBlueDoors-8x8-v0",
    "BabyAI-GoToLocal-v0",
    "BabyAI-PickupLoc-v0",
    "BabyAI-PutNextLocal-v0",
    "BabyAI-BossLevel-v0",
]


@pytest.fixture(scope="module")
def oracles():
    return {g.name: OraclePipeline.for_game(g) for g in (MINIGRID, EGOCENTRIC)}


@pytest.mark.parametrize("view", ["full", "egocentric"])
@pytest.mark.parametrize("env_id", MISSION_IDS)
def test_the_oracle_and_the_expert_do_the_mission(env_id, view, oracles):
    env = environments.make(env_id, view=view)
    oracle = oracles[env.game.name]
    for i in range(2):
        seed = level_seed(3, "eval", i)
        episode = play_episode(env, oracle, seed)
        assert episode.success, f"{env_id} ({view}) level {i}: {episode.steps} steps"
        env.reset(seed=seed)
        plan = env.expert_plan()
        assert plan, f"the expert has no plan for {env_id} level {i}"
        for action in plan:
            _, reward, *_, info = env.step(action)
        assert info["success"] and reward > 0


def test_a_blocked_door_and_a_key_in_a_box_are_handled_by_the_rules():
    # ObstructedMaze-1Dlhb: the locked door's key is in a box and a ball stands before the
    # door. The plan opens the box (toggles/3 says it shows what it hid), moves the ball,
    # fetches the key, opens the door and picks up the ball the mission names.
    env = environments.make("MiniGrid-ObstructedMaze-1Dlhb-v0")
    oracle = OraclePipeline.for_game(env.game)
    obs, info = env.reset(seed=0)
    oracle.reset()
    said = []
    for _ in range(env.unwrapped.max_steps):
        step = oracle.act(obs, info)
        said.append(step.decision.summary)
        obs, _, terminated, truncated, info = env.step(step.action)
        if terminated or truncated:
            break
    assert info["success"]
    told = " | ".join(said)
    for event in ("look inside a box", "out of the way", "fetch key_", "pick up the blue ball"):
        assert event in told, event


def test_at_least_sixty_minigrid_ids_play_and_the_rest_say_why():
    ids = [i for i in gym.registry if i.startswith("MiniGrid-")]
    plays, refused = [], {}
    for env_id in ids:
        try:
            environments.make(env_id)
            plays.append(env_id)
        except NeurocompError as e:  # a refusal is one of ours, and says why in words
            refused[env_id] = str(e)
    assert len(plays) >= 60, len(plays)
    assert all(len(why) > 40 and "\n" not in why for why in refused.values()), refused


def test_a_door_that_did_not_open_is_taken_for_the_locked_door_of_its_colour():
    # A door read as closed that a toggle did not open, or read as open that the agent could
    # not enter, is the shut door of the same colour: the grammar says the colour, the rules
    # which door of that colour opens without a key.
    reasoner = load_reasoner(EGOCENTRIC)
    planner, index = reasoner.planner(), EGOCENTRIC.index
    assert planner.door_like(index("door_red_closed"), locked=True) == index("door_red_locked")
    assert planner.door_like(index("door_grey_open"), locked=False) == index("door_grey_closed")
    assert planner.door_like(index("key_red"), locked=True) is None

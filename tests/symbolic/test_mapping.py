"""The mapping reasoner: from MiniGrid's egocentric views alone, a map that matches the true
grid, plans that win, and rules that contradict the screen stopped with one line."""

from __future__ import annotations

import re

import numpy as np
import pytest

import environments
from environments.farama_minigrid import EGOCENTRIC, kind_of
from symbolic.errors import RuleFileError
from symbolic.reasoner import load_reasoner, rules_path
from symbolic.reasoners.mapping import _turned

TARGETS = ["DoorKey-8x8", "MultiRoom-N4-S5", "LavaCrossingS9N1", "SimpleCrossingS9N1"]
NORTH = 3  # MiniGrid's agent_dir facing up


def _check_map(belief, inner, start_dir: int) -> int:
    """Every cell the map holds is the true grid's cell there (turned and moved from the
    map's frame, the agent's own frame at the start). Returns how many cells were checked."""
    ar, ac = belief.agent
    x, y = inner.agent_pos
    turns = (start_dir - NORTH) % 4  # the map's up is where the agent first faced
    checked = 0
    for (r, c), kind in np.ndenumerate(belief.grid):
        name = EGOCENTRIC.kind_names[kind]
        if name == "unseen" or (r, c) == (ar, ac):
            continue
        dr, dc = _turned((r - ar, c - ac), turns)
        wr, wc = y + dr, x + dc
        inside = 0 <= wr < inner.height and 0 <= wc < inner.width
        truth = kind_of(inner.grid.get(wc, wr)) if inside else "wall"  # MiniGrid shows walls
        assert name == truth, f"map says {name} at {(r, c)}, the grid has {truth}"
        checked += 1
    return checked


@pytest.mark.parametrize("name", TARGETS)
def test_from_the_true_views_alone_the_map_is_the_grid_and_the_plan_wins(name):
    env = environments.make(f"MiniGrid-{name}-v0", view="egocentric")
    reasoner = load_reasoner(EGOCENTRIC)
    for seed in range(2):
        _, info = env.reset(seed=seed)
        reasoner.reset()
        start_dir = env.unwrapped._inner.agent_dir
        done, success, checked = False, False, 0
        while not done:
            decision = reasoner.decide(info["scene"])
            checked += _check_map(decision.belief, env.unwrapped._inner, start_dir)
            _, _, terminated, truncated, info = env.step(decision.action)
            done, success = terminated or truncated, info["success"]
        assert success and checked > 0


def test_the_agent_explores_before_it_knows_the_goal_and_says_so():
    env = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric")
    reasoner = load_reasoner(EGOCENTRIC)
    _, info = env.reset(seed=1)
    first = reasoner.decide(info["scene"])
    assert first.summary.startswith("exploring") and first.plan
    assert (first.belief.grid == EGOCENTRIC.index("unseen")).any()


def test_rules_that_let_the_agent_walk_through_walls_stop_the_episode_saying_where(tmp_path):
    walls = tmp_path / "walls.pl"
    walls.write_text(rules_path(EGOCENTRIC).read_text() + "\nenterable(wall).\n")
    reasoner = load_reasoner(EGOCENTRIC, rules=walls)
    env = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric")
    _, info = env.reset(seed=1)
    for _ in range(env.max_steps):
        decision = reasoner.decide(info["scene"])
        if decision.stop:
            break
        _, _, terminated, truncated, info = env.step(decision.action)
        assert not (terminated or truncated)
    assert re.match(r"the map and the screen disagree after forward into wall at \(", decision.stop)
    assert decision.action_name == "done" and env.steps < 20  # at once, not at the time limit


def test_a_fork_keeps_its_own_map():
    env = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric")
    reasoner = load_reasoner(EGOCENTRIC)
    _, info = env.reset(seed=2)
    for _ in range(5):
        _, _, _, _, info = env.step(reasoner.decide(info["scene"]).action)
    twin = reasoner.fork()
    assert twin.memory() != reasoner.memory()
    unseen = EGOCENTRIC.index("unseen")
    fresh, kept = (r.decide(info["scene"]).belief for r in (twin, reasoner))
    assert (fresh.grid != unseen).sum() < (kept.grid != unseen).sum()


def test_rules_whose_headings_are_no_quarter_turns_are_refused_before_play(tmp_path):
    skewed = tmp_path / "skewed.pl"
    text = rules_path(EGOCENTRIC).read_text().replace("ahead(east, 0, 1).", "ahead(east, 1, 1).")
    skewed.write_text(text)
    with pytest.raises(RuleFileError, match="a quarter turn apart"):
        load_reasoner(EGOCENTRIC, rules=skewed)

"""MiniGrid's egocentric view end to end: a hybrid that wins with nothing privileged, `run
--view egocentric --record` drawing the map, rules that walk through walls stopped in one line,
a BabyAI mission explained goal by goal, and (in test_compare.py) `compare --view egocentric`
with PPO and a monolith beside it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import environments
from compose.pipelines.spec import PipelineSpec
from compose.training.build import obtain_pipeline
from neural.train import TrainConfig
from symbolic.reasoner import rules_path
from tests.helpers import run_cli

GUARDED = ("grid", "agent_pos", "agent_dir", "carrying")


class Privileged:
    """Turns MiniGrid's state (its grid, the agent's position and heading, what it carries)
    into attributes that raise while ``forbidden``: the environment steps and draws as ever,
    a pipeline that reads them fails."""

    def __init__(self, inner) -> None:
        self.forbidden = False
        guard = self

        def attribute(name):
            key = f"_guarded_{name}"

            def get(obj):
                if guard.forbidden:
                    raise AssertionError(f"the pipeline read the environment's {name}")
                return obj.__dict__[key]

            def put(obj, value):
                obj.__dict__[key] = value

            return property(get, put)

        values = {name: inner.__dict__.pop(name) for name in GUARDED}
        inner.__class__ = type("Guarded", (type(inner),), {n: attribute(n) for n in GUARDED})
        for name, value in values.items():
            setattr(inner, name, value)


def test_the_hybrid_wins_without_reading_the_grid_the_position_or_the_inventory():
    env = environments.make("MiniGrid-DoorKey-8x8-v0", view="egocentric")
    tiny = TrainConfig(max_steps=300, learning_rates=(3e-3,))
    pipe, _ = obtain_pipeline(env, PipelineSpec.of("hybrid"), budget=3, seed=0, train=tiny)
    guard = Privileged(env.unwrapped._inner)
    wins = 0
    for seed in range(100, 104):
        obs, info = env.reset(seed=seed)
        pipe.reset()
        done = False
        while not done:
            guard.forbidden = True
            step = pipe.act(obs, {"steps": info["steps"]})  # no scene: only the screen
            guard.forbidden = False
            obs, _, terminated, truncated, info = env.step(step.action)
            done = terminated or truncated
        wins += info["success"]
    assert wins == 4
    guard.forbidden = True
    with pytest.raises(AssertionError, match="read the environment's agent_pos"):
        env.unwrapped._inner.agent_pos  # noqa: B018  (the guard itself works)


def test_run_view_egocentric_records_the_map_filling_in(tmp_path):
    gif, out = tmp_path / "m.gif", tmp_path / "run"
    args = ["--view", "egocentric", "--pipeline", "oracle", "--episodes", "3"]  # no training
    result = run_cli(
        "run",
        "--env",
        "MiniGrid-MultiRoom-N2-S4-v0",
        *args,
        "--record",
        str(gif),
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "(egocentric view): success rate 100.0%" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["view"] == "egocentric" and summary["game"] == "minigrid-egocentric"
    image = Image.open(gif)
    assert image.size[0] > 56 * 4  # the view, upscaled, and the map beside it
    known = []
    for i in range(image.n_frames):
        image.seek(i)
        frame = np.asarray(image.convert("RGB"))
        drawn = frame[:, 56 * 4 + 8 :].sum(-1)
        known.append(int(((drawn > 0) & (drawn < 3 * 255)).sum()))  # lit cells, not padding
    assert known[-1] > known[0]  # the map fills in


def test_rules_that_walk_through_walls_stop_each_episode_with_one_line(tmp_path):
    walls = tmp_path / "walls.pl"
    walls.write_text(rules_path("minigrid").read_text() + "\nenterable(wall).\n")
    result = run_cli(
        "run", "--env", "MiniGrid-DoorKey-8x8-v0", "--view", "egocentric",
        "--pipeline", "oracle", "--rules", str(walls), "--episodes", "2", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "success rate 0.0% over 2 episodes" in result.stdout
    note = [line for line in result.stderr.splitlines() if "stopped" in line]
    assert len(note) == 1 and "disagree after forward into wall at (" in note[0]
    assert "the screen shows the agent did not move" in note[0]
    episodes = json.loads((tmp_path / "summary.json").read_text())["results"]
    assert all(e["steps"] < 20 for e in episodes)  # stopped at once, not at the time limit


# `compare --view egocentric` with PPO and a monolith beside the hybrid: in
# tests/compose/test_compare.py, with PPO's frame budgets (one comparison for both).


def test_run_explains_a_babyai_mission_its_goals_and_its_plan(tmp_path):
    result = run_cli(
        "run", "--env", "BabyAI-BossLevel-v0", "--view", "egocentric", "--pipeline", "hybrid",
        "--budget", "2", "--episodes", "1", "--explain", "--record", str(tmp_path / "b.gif"),
        "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if ": mission: " in line]
    assert lines, result.stdout[-2000:]
    said = lines[0].split(": mission: ")[1].split(";")[0]  # the goals, as the grammar read them
    assert any(verb in said for verb in ("go to", "pick up", "open", "put"))
    assert " actions (" in result.stdout  # and a plan for them
    assert "map so far:" in result.stdout
    with Image.open(tmp_path / "b.gif") as gif:  # the mission is written over every frame
        first = np.asarray(gif.convert("RGB"))
    assert (first[:8] == 255).mean() > 0.5 and (first[:20] < 100).any()

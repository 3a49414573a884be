"""Pipelines composed in a few lines, trained for real on tiny budgets, saved and loaded."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch

import environments
from compose import (
    CheckpointError,
    HybridPipeline,
    MonolithicPipeline,
    OraclePipeline,
    evaluate,
    level_seed,
    load_pipeline,
)
from compose.symbols import scene_from_probs
from environments import Kind
from neural import TrainConfig, collect_demonstrations
from symbolic.reasoner import Reasoner

FAST = TrainConfig(max_steps=400)


@pytest.fixture(scope="module")
def demos():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    return collect_demonstrations(env, [level_seed(0, "train", i) for i in range(10)])


@pytest.fixture(scope="module")
def hybrid(demos, keydoor_rules):
    pipe = HybridPipeline(Reasoner(keydoor_rules))
    report = pipe.fit(demos, FAST)
    assert report.frames == len(demos) and report.actions == 0
    assert report.cell_labels == demos.cells.size and report.rule_clauses == 8
    return pipe


def test_hybrid_from_ten_demonstrations_solves_levels_of_any_size(hybrid):
    for size in (8, 16):
        env = environments.make(f"neurocomp/KeyDoor-{size}x{size}-v0")
        summary = evaluate(env, hybrid, episodes=20, seed=1)
        assert summary.success_rate >= 0.9, (size, summary.success_rate)
        lat = summary.latency_ms()
        assert lat["neural_p50"] > 0 and lat["symbolic_p50"] > 0


def test_hybrid_explains_itself_and_reports_what_it_saw(hybrid):
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    obs, info = env.reset(seed=level_seed(1, "eval", 0))
    step = hybrid.act(obs, info)
    assert step.scene == info["scene"]
    assert "plan of" in step.explain()


def test_monolithic_consumes_actions_not_cells(demos):
    pipe = MonolithicPipeline("small")
    report = pipe.fit(demos.first(3), TrainConfig(max_steps=100))
    assert report.actions == report.frames == len(demos.first(3)) and report.cell_labels == 0
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    obs, info = env.reset(seed=0)
    step = pipe.act(obs, info)
    assert step.decision is None and step.symbolic_s == 0 and "network" in step.explain()


def test_save_and_load_give_the_same_actions(hybrid, demos, tmp_path):
    mono = MonolithicPipeline("pooled")
    mono.fit(demos.first(2), TrainConfig(max_steps=50))
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    for pipe, name in ((hybrid, "h"), (mono, "m")):
        loaded = load_pipeline(pipe.save(tmp_path / name))
        assert loaded.label == pipe.label
        for i in range(5):
            obs, info = env.reset(seed=i)
            assert loaded.act(obs, info).action == pipe.act(obs, info).action


class Payload:
    def __reduce__(self):
        return (print, ("a checkpoint ran code",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_a_checkpoint_cannot_run_code(hybrid, tmp_path, capsys):
    directory = hybrid.save(tmp_path / "h")
    (directory / "weights.pt").write_bytes(pickle.dumps({"w": Payload()}))
    with pytest.raises(CheckpointError, match="cannot load"):
        load_pipeline(directory)
    assert "ran code" not in capsys.readouterr().out


def test_load_errors(tmp_path, hybrid):
    with pytest.raises(CheckpointError, match=r"pipeline\.json is missing"):
        load_pipeline(tmp_path)
    directory = hybrid.save(tmp_path / "h")
    torch.save({"bogus": torch.zeros(1)}, directory / "weights.pt")
    with pytest.raises(CheckpointError, match="cannot load"):
        load_pipeline(directory)


def test_oracle_needs_no_training():
    oracle = OraclePipeline.for_game("keydoor")
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    assert evaluate(env, oracle, episodes=5, seed=0).success_rate == 1.0


def test_decoder_keeps_exactly_one_agent():
    probs = np.zeros((3, 3, len(Kind)))
    probs[..., Kind.FLOOR] = 0.6
    probs[..., Kind.AGENT] = 0.4  # every cell a little agent-like
    probs[1, 2, Kind.AGENT_WITH_KEY] = 0.9
    probs[0, 0, Kind.KEY] = 0.7
    scene = scene_from_probs(probs)
    assert scene.agent == (1, 2) and scene.inventory == (Kind.KEY,)
    assert scene.kind_at(0, 0) == Kind.KEY and (scene.grid >= Kind.AGENT).sum() == 1

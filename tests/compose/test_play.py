"""Playing episodes: shared level seeds, and loop cutting that changes no result."""

from __future__ import annotations

import numpy as np

import environments
from compose import EvalSummary, Pipeline, Step, evaluate, level_seed
from environments import KEYDOOR

E, W = 1, 3


class Pendulum(Pipeline):
    """Goes east, then west, forever: a memoryless loop."""

    name = "pendulum"
    game = KEYDOOR

    def act(self, obs, info):
        return Step(E if info["steps"] % 2 == 0 else W)


class PendulumWithMemory(Pendulum):
    deterministic = False  # must be played to the very end


def test_level_seeds_are_shared_and_streams_disjoint():
    assert level_seed(0, "eval", 3) == level_seed(0, "eval", 3)
    train = {level_seed(s, "train", i) for s in range(3) for i in range(100)}
    test = {level_seed(s, "eval", i) for s in range(3) for i in range(100)}
    assert len(train) == len(test) == 300 and not train & test


def test_cutting_a_loop_records_exactly_the_timeout():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    cut = evaluate(env, Pendulum(), episodes=10, seed=0)
    full = evaluate(env, PendulumWithMemory(), episodes=10, seed=0)
    for a, b in zip(cut.episodes, full.episodes, strict=True):
        assert (a.success, a.ret, a.steps) == (b.success, b.ret, b.steps)
        if a.looped:
            assert b.steps == env.max_steps and not b.looped
    assert any(e.looped for e in cut.episodes)
    assert sum(len(e.neural_s) for e in cut.episodes) < sum(len(e.neural_s) for e in full.episodes)


def test_summary_statistics():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    summary: EvalSummary = evaluate(env, Pendulum(), episodes=3, seed=1)
    assert 0 <= summary.success_rate <= 1 and summary.mean_steps > 0
    lat = summary.latency_ms()
    assert set(lat) == {f"{p}_{q}" for p in ("total", "neural", "symbolic") for q in ("p50", "p95")}
    assert np.isfinite(list(lat.values())).all()

"""Speed measurements printed by ``neurocomp bench`` (never asserted by tests).

Every game is measured the same way, on the variants its specification names (``bench``):
environment steps per second with pixels, the oracle's decision latency with each search its
reasoner offers, training time of a hybrid and two monolithic policies on the first variant,
and those pipelines' decision latency on every measured variant they can play.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from compose.common.levels import level_seed
from compose.common.stats import percentiles
from compose.pipelines.base import Pipeline
from compose.pipelines.spec import PipelineSpec
from compose.play import evaluate
from compose.training.build import build_pipeline, demonstrations
from environments.core import GridGame
from environments.registry import game_of, games, make
from neural.train import TrainConfig
from symbolic.reasoner import Reasoner, load_reasoner, reasoner_class

__all__ = ["env_steps_per_second", "oracle_latency", "run_benchmarks", "steps_per_second"]

LEARNERS = (
    PipelineSpec(kind="hybrid"),
    PipelineSpec(kind="monolithic", size="medium"),
    PipelineSpec(kind="monolithic", size="pooled"),
)


def env_steps_per_second(env_id: str, steps: int = 20_000, seed: int = 0) -> float:
    """Random-action steps per second of ``env_id`` with pixel rendering (resets included)."""
    return steps_per_second(make(env_id), steps, seed)


def steps_per_second(env: Any, steps: int = 20_000, seed: int = 0) -> float:
    """Random-action steps per second of ``env`` with pixel rendering (resets included)."""
    rng = np.random.default_rng(seed)
    actions = rng.integers(env.action_space.n, size=steps)
    env.reset(seed=seed)
    t0 = time.perf_counter()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - t0)


def oracle_latency(
    env: GridGame, reasoner: Reasoner, decisions: int = 300, seed: int = 0
) -> dict[str, float]:
    """Decision latency (ms) on ground-truth scenes along the oracle's own rollouts."""
    total, prolog, search = [], [], []
    level = 0
    while len(total) < decisions:
        _, info = env.reset(seed=level_seed(seed, "eval", level))
        level += 1
        done = False
        while not done and len(total) < decisions:
            t0 = time.perf_counter()
            decision = reasoner.decide(info["scene"])
            total.append(time.perf_counter() - t0)
            prolog.append(decision.prolog_s)
            search.append(decision.search_s)
            _, _, terminated, truncated, info = env.step(decision.action)
            done = terminated or truncated
    ms = {name: np.array(v) * 1e3 for name, v in (("total", total), ("prolog", prolog))}
    ms["search"] = np.array(search) * 1e3
    return percentiles(ms)


def run_benchmarks(quick: bool = False, env_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """Measure every game (or the games of ``env_ids``, on those ids)."""
    torch.set_num_threads(1)  # as in the comparison's workers
    out: dict[str, Any] = {
        "env_steps_per_s": {},
        "oracle_latency_ms": {},
        "decision_latency_ms": {},
        "train_seconds": {},
    }
    plan: dict[str, list[str]] = {}
    for env_id in env_ids or [i for g in games() for i in g.bench_ids()]:
        env_id = make(env_id).spec.id
        plan.setdefault(game_of(env_id).name, []).append(env_id)
    for ids in plan.values():
        _bench_game(ids, quick, out)
    return out


def _bench_game(ids: list[str], quick: bool, out: dict[str, Any]) -> None:
    steps = 3_000 if quick else 20_000
    decisions = 60 if quick else 400
    episodes = 5 if quick else 30
    budgets = (1,) if quick else (1, 3, 10)
    train = TrainConfig(max_steps=200) if quick else TrainConfig()
    game = game_of(ids[0])
    for env_id in ids:
        name = env_id.removeprefix("neurocomp/")
        out["env_steps_per_s"][name] = env_steps_per_second(env_id, steps)
        for search in reasoner_class(game).searches_for(game):
            reasoner = load_reasoner(game, search=search)
            out["oracle_latency_ms"][f"{name}/{search}"] = oracle_latency(
                make(env_id), reasoner, decisions
            )
    train_env = make(ids[0])
    demos = demonstrations(train_env, max(budgets), 0)
    trained: dict[str, Pipeline] = {}
    for budget in budgets:
        for spec in LEARNERS:
            pipe = build_pipeline(spec, train_env)
            report = pipe.fit(demos.first(budget), train)
            out["train_seconds"][f"{game.title} {spec.label} @{budget} demos"] = (
                report.train_seconds
            )
            trained[spec.label] = pipe
    for env_id in ids:
        env = make(env_id)
        for label, pipe in trained.items():
            if pipe.cannot_play(env):
                continue  # a fixed-size network cannot take another grid size
            summary = evaluate(env, pipe, episodes, 0, together=1)  # one screen a decision
            key = f"{label} {env_id.removeprefix('neurocomp/')}"
            out["decision_latency_ms"][key] = summary.latency_ms()

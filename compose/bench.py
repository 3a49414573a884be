"""Speed measurements printed by ``neurocomp bench`` (never asserted by tests)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch

from compose.pipelines import HybridPipeline, MonolithicPipeline, Pipeline
from compose.play import evaluate, level_seed
from environments.core import Action
from environments.registry import make
from neural.data import collect_demonstrations
from neural.train import TrainConfig
from symbolic.reasoner import Reasoner

__all__ = ["env_steps_per_second", "oracle_latency", "pipeline_latency", "run_benchmarks"]


def env_steps_per_second(env_id: str, steps: int = 20_000, seed: int = 0) -> float:
    """Random-action steps per second with pixel rendering (resets included)."""
    env = make(env_id)
    rng = np.random.default_rng(seed)
    actions = rng.integers(len(Action), size=steps)
    env.reset(seed=seed)
    t0 = time.perf_counter()
    for a in actions:
        _, _, terminated, truncated, _ = env.step(int(a))
        if terminated or truncated:
            env.reset()
    return steps / (time.perf_counter() - t0)


def oracle_latency(
    env_id: str, reasoner: Reasoner, decisions: int = 300, seed: int = 0
) -> dict[str, float]:
    """Decision latency (ms) on ground-truth scenes along expert-free rollouts of the oracle."""
    env = make(env_id)
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
            _, _, terminated, truncated, info = env.step(int(decision.action))
            done = terminated or truncated
    ms = {
        name: np.array(v) * 1e3
        for name, v in (("total", total), ("prolog", prolog), ("search", search))
    }
    return {
        f"{name}_{q}": float(np.percentile(v, p))
        for name, v in ms.items()
        for q, p in (("p50", 50), ("p95", 95))
    }


def pipeline_latency(env_id: str, pipe: Pipeline, episodes: int, seed: int = 0) -> dict[str, float]:
    """Decision latency (ms) of a trained pipeline over evaluation episodes."""
    summary = evaluate(make(env_id), pipe, episodes, seed)
    return summary.latency_ms()


def run_benchmarks(quick: bool = False) -> dict[str, Any]:
    """Env speed, oracle latency (both searches), hybrid and monolithic latency, training time."""
    torch.set_num_threads(1)  # as in the comparison's workers
    steps = 3_000 if quick else 20_000
    decisions = 60 if quick else 400
    episodes = 5 if quick else 30
    budgets = (1, 3) if quick else (1, 3, 10)
    train = TrainConfig(max_steps=200) if quick else TrainConfig()
    reasoner = Reasoner.for_game("keydoor")
    prolog_search = Reasoner(reasoner.rules, "prolog")
    out: dict[str, Any] = {
        "env_steps_per_s": {},
        "oracle_latency_ms": {},
        "decision_latency_ms": {},
        "train_seconds": {},
    }
    for size in (8, 16):
        env_id = f"neurocomp/KeyDoor-{size}x{size}-v0"
        out["env_steps_per_s"][f"{size}x{size}"] = env_steps_per_second(env_id, steps)
        for r in (reasoner, prolog_search):
            out["oracle_latency_ms"][f"{size}x{size}/{r.search}"] = oracle_latency(
                env_id, r, decisions
            )
    train_env = make("neurocomp/KeyDoor-8x8-v0")
    demos = collect_demonstrations(
        train_env, [level_seed(0, "train", i) for i in range(max(budgets))]
    )
    trained: dict[str, Pipeline] = {}
    for budget in budgets:
        for label, build in (
            ("hybrid", lambda: HybridPipeline(reasoner)),
            ("mono-medium", lambda: MonolithicPipeline("medium")),
            ("mono-pooled", lambda: MonolithicPipeline("pooled")),
        ):
            pipe = build()
            report = pipe.fit(demos.first(budget), train)
            out["train_seconds"][f"{label} @{budget} demos"] = report.train_seconds
            trained[label] = pipe
    for size in (8, 16):
        env_id = f"neurocomp/KeyDoor-{size}x{size}-v0"
        for label, pipe in trained.items():
            if label == "mono-medium" and size != 8:
                continue  # a fixed-size network cannot take a 16x16 screen
            out["decision_latency_ms"][f"{label} {size}x{size}"] = pipeline_latency(
                env_id, pipe, episodes
            )
    return out

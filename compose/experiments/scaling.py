"""How costs grow with the size of the world, printed by ``neurocomp bench --scaling`` (never
asserted by tests).

For each game of the sweep (``SWEEPS``) and each size, smallest first: environment steps per
second with pixels; the oracle's decision latency, split into the Prolog question and the
search; a labelled hybrid trained once, at the smallest size, on ``BUDGET`` demonstrations,
then played at every size (success, decision latency split into perception and reasoning);
the seconds it takes to train the same hybrid at that size; and the process's peak resident
memory once the size is done (sizes run smallest first, so it is the largest size's so far).
Then, for each cost, the growth exponent in the number of cells: the slope of log cost
against log cells, least squares, with a 95% interval (Student's t on n - 2 degrees of
freedom; none with two sizes).
"""

from __future__ import annotations

import math
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from compose.experiments.bench import oracle_latency, steps_per_second
from compose.pipelines.spec import PipelineSpec
from compose.play import evaluate
from compose.training.build import build_pipeline, demonstrations
from environments.registry import make
from neural.train import TrainConfig
from symbolic.reasoner import load_reasoner

__all__ = ["COSTS", "SWEEPS", "Sweep", "growth", "run_scaling"]

BUDGET = 10  # demonstrations the hybrid trains on, at the smallest size and at each size


@dataclass(frozen=True)
class Sweep:
    """One game's sizes, from smallest to largest, made from ``env_id`` with the ``size``
    keyword (sizes past the registered ones are measured, not registered: a large monolith's
    weights there would not fit the checkpoint cap); ``quick`` runs the first few."""

    game: str
    env_id: str
    sizes: tuple[int, ...]
    quick: int = 3


SWEEPS = (
    Sweep("KeyDoor", "neurocomp/KeyDoor-8x8-v0", (8, 16, 32, 64)),
    # PacMaze stops at 12x12: drawing a larger level with enemies in proportion (9 awake
    # enemies at 16x16) and checking it can be won takes minutes.
    Sweep("PacMaze-Moving", "neurocomp/PacMaze-Moving-5x5-v0", (5, 8, 12)),
    Sweep("LightsOut", "neurocomp/LightsOut-5x5-v0", (5, 10, 15, 20, 25)),
)
EPISODES = 20
# The costs fitted against cells: (column, what it is).
COSTS = (
    ("env_step_us", "one environment step with pixels (µs)"),
    ("oracle_p50_ms", "oracle decision, p50 (ms)"),
    ("prolog_p50_ms", "oracle's Prolog question, p50 (ms)"),
    ("search_p50_ms", "oracle's search, p50 (ms)"),
    ("hybrid_p50_ms", "hybrid decision, p50 (ms)"),
    ("neural_p50_ms", "hybrid perception, p50 (ms)"),
    ("symbolic_p50_ms", "hybrid reasoning, p50 (ms)"),
    ("train_s", f"hybrid training at {BUDGET} demonstrations (quick: 3) (s)"),
)


@dataclass
class Row:
    """One game at one size."""

    game: str
    env_id: str
    cells: int
    figures: dict[str, float] = field(default_factory=dict)


def run_scaling(
    quick: bool = False,
    games: Sequence[str] | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Measure every sweep (or those of ``games``, by name, any case); ``progress`` hears what
    is being measured. Returns ``{"rows": [...], "growth": {game: {cost: fit}}}``."""
    torch.set_num_threads(1)  # as in the comparison's workers
    wanted = {g.lower() for g in games or ()}
    unknown = wanted - {s.game.lower() for s in SWEEPS}
    if unknown:
        names = ", ".join(s.game for s in SWEEPS)
        raise ValueError(f"no size sweep for {', '.join(sorted(unknown))}; choose from {names}")
    rows: list[Row] = []
    fits: dict[str, dict[str, dict[str, float | None]]] = {}
    for sweep in SWEEPS:
        if wanted and sweep.game.lower() not in wanted:
            continue
        mine = _sweep(sweep, quick, progress)
        rows += mine
        fits[sweep.game] = {
            cost: growth([r.cells for r in mine], [r.figures.get(cost, math.nan) for r in mine])
            for cost, _ in COSTS
        }
    return {
        "rows": [{"game": r.game, "env": r.env_id, "cells": r.cells, **r.figures} for r in rows],
        "growth": fits,
    }


def _sweep(sweep: Sweep, quick: bool, progress: Callable[[str], None]) -> list[Row]:
    sizes = sweep.sizes[: sweep.quick] if quick else sweep.sizes
    budget = 3 if quick else BUDGET
    train = TrainConfig(max_steps=100, learning_rates=(3e-3,)) if quick else TrainConfig()
    first = make(sweep.env_id, size=sizes[0])
    progress(f"{sweep.game}: training the hybrid on {budget} demonstrations at {sizes[0]}")
    spec = PipelineSpec(kind="hybrid")
    hybrid = build_pipeline(spec, first)
    hybrid.fit(demonstrations(first, budget, 0), train)
    rows = []
    for n in sizes:
        env, name = make(sweep.env_id, size=n), f"{sweep.game} {n}x{n}"
        row = Row(sweep.game, f"{sweep.game}-{n}x{n}", n * n)
        progress(f"{name}: environment steps")
        row.figures["env_step_us"] = 1e6 / steps_per_second(env, 300 if quick else 2000)
        progress(f"{name}: the oracle")
        oracle = oracle_latency(env, load_reasoner(env.unwrapped.game), 30 if quick else 200)
        row.figures |= {
            "oracle_p50_ms": oracle["total_p50"],
            "oracle_p95_ms": oracle["total_p95"],
            "prolog_p50_ms": oracle["prolog_p50"],
            "search_p50_ms": oracle["search_p50"],
        }
        episodes = 5 if quick else EPISODES
        progress(f"{name}: the hybrid on {episodes} levels")
        hybrid.reset()
        summary = evaluate(env, hybrid, episodes, 0, together=1)
        latency = summary.latency_ms()
        row.figures |= {
            "success": summary.success_rate,
            "episodes": episodes,
            "hybrid_p50_ms": latency["total_p50"],
            "hybrid_p95_ms": latency["total_p95"],
            "neural_p50_ms": latency["neural_p50"],
            "symbolic_p50_ms": latency["symbolic_p50"],
        }
        progress(f"{name}: training a hybrid at this size")
        t0 = time.perf_counter()
        here = build_pipeline(spec, env)
        demos = demonstrations(env, budget, 0)
        row.figures["demo_s"] = time.perf_counter() - t0
        row.figures["train_s"] = here.fit(demos, train).train_seconds
        row.figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(row)
        del here, demos
    return rows


def growth(cells: Sequence[float], costs: Sequence[float]) -> dict[str, float | None]:
    """The slope of log cost against log cells and its 95% interval (None where the data
    cannot give one: fewer than three sizes, or a cost that is 0 or missing somewhere)."""
    x, y = np.log(np.asarray(cells, float)), np.asarray(costs, float)
    if len(x) < 2 or not np.all(np.isfinite(y)) or not np.all(y > 0):
        return {"exponent": None, "low": None, "high": None}
    y = np.log(y)
    slope, intercept = np.polyfit(x, y, 1)
    if len(x) < 3:
        return {"exponent": float(slope), "low": None, "high": None}
    from scipy.stats import t  # scikit-learn's dependency: loaded when fitting

    residual = y - (slope * x + intercept)
    se = math.sqrt(float(residual @ residual) / (len(x) - 2) / float(((x - x.mean()) ** 2).sum()))
    half = float(t.ppf(0.975, len(x) - 2)) * se
    return {"exponent": float(slope), "low": float(slope - half), "high": float(slope + half)}

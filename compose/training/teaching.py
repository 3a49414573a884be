"""Monolithic networks that get more than the demonstrations: DAgger and distillation.

- **DAgger** (Ross et al., 2011): clone the demonstrations, then let the network play the same
  training levels and ask the expert what it would do in every state the network visits;
  add those labels and clone again, for ``DAGGER_ROUNDS`` rounds. It sees no level beyond its
  budget, but every query is an action label, and the consumption table counts them.
- **Distillation**: a labelled hybrid is trained on the demonstrations (the teacher); it then
  plays ``DISTILL_LEVELS`` freshly generated levels and the network clones *its* actions. The
  student gets no expert action at all; what it owes the teacher -- the teacher's cell labels
  and rule clauses -- is carried into its fit report, so the ledger shows it.
"""

from __future__ import annotations

import time
from collections.abc import Collection

import numpy as np

from compose.common.levels import draw_levels, level_seed
from compose.pipelines.base import FitReport, Pipeline
from compose.pipelines.hybrid import HybridPipeline
from compose.pipelines.networks import MonolithicPipeline
from environments.core import GridGame
from neural.data import Demonstrations
from neural.train import TrainConfig
from symbolic.reasoner import load_reasoner

__all__ = ["DAGGER_ROUNDS", "DISTILL_LEVELS", "dagger", "distill", "fit_with_play"]

DAGGER_ROUNDS = 3  # rounds of play-and-ask after the first cloning
DISTILL_LEVELS = 200  # generated levels the teacher plays for its student
STEPS_PER_PLAN = 2  # a rollout stops after this many times the expert's plan length (+ 4)


def fit_with_play(
    pipe: MonolithicPipeline,
    env: GridGame,
    demos: Demonstrations,
    seed: int,
    config: TrainConfig,
    held_out: Collection[str] = frozenset(),
) -> FitReport:
    """Train ``pipe`` as its ``training`` says, playing ``env`` where it needs to (never on
    a ``held_out`` level where the game has enough others; see :mod:`compose.common.levels`)."""
    if pipe.training == "dagger":
        return dagger(pipe, env, demos, seed, config)
    if pipe.training == "distilled":
        return distill(pipe, env, demos, seed, config, held_out=held_out)
    return pipe.fit(demos, config)


def dagger(
    pipe: MonolithicPipeline,
    env: GridGame,
    demos: Demonstrations,
    seed: int,
    config: TrainConfig,
    rounds: int = DAGGER_ROUNDS,
) -> FitReport:
    """Clone, then ``rounds`` times: play the budget's own levels, ask the expert, clone all."""
    t0 = time.perf_counter()
    # The demonstrations' own levels (rows gathered without them: the train stream's first).
    levels = list(demos.level_seeds) or [
        level_seed(seed, "train", i) for i in range(demos.n_episodes)
    ]
    data = demos
    report = pipe.fit(data, config)
    for _ in range(rounds):
        asked = _play_and_ask(pipe, env, levels)
        if len(asked):
            data = _concat(data, asked)
        report = pipe.fit(data, config)
    report.train_seconds = time.perf_counter() - t0
    report.extra.update(
        {"dagger_rounds": rounds, "expert_queries": len(data) - len(demos), "levels": len(levels)}
    )
    return report


def distill(
    pipe: MonolithicPipeline,
    env: GridGame,
    demos: Demonstrations,
    seed: int,
    config: TrainConfig,
    levels: int = DISTILL_LEVELS,
    held_out: Collection[str] = frozenset(),
) -> FitReport:
    """Train a labelled hybrid on ``demos``, let it play ``levels`` new levels (none of them
    ``held_out`` where the game has enough others), clone it."""
    t0 = time.perf_counter()
    teacher = HybridPipeline(load_reasoner(env.game), tile=env.tile)
    taught = teacher.fit(demos, config)
    drawn = draw_levels(env, seed, "distill", levels, avoid=held_out)
    played, won = _play(teacher, env, list(drawn.seeds))
    report = pipe.fit(played, config)
    report.levels = frozenset(demos.levels) | frozenset(drawn.keys)
    report.train_seconds = time.perf_counter() - t0
    report.frames = len(demos) + len(played)
    report.actions = 0  # no expert action: every label is the teacher's
    report.cell_labels = taught.cell_labels
    report.rule_clauses = taught.rule_clauses
    report.extra.update(
        {
            "teacher": teacher.label,
            "teacher_levels": levels,
            "teacher_success": won / max(levels, 1),
            "teacher_labels": len(played),
            "demonstration_frames": len(demos),
        }
    )
    return report


def _play_and_ask(pipe: Pipeline, env: GridGame, levels: list[int]) -> Demonstrations:
    """Every state ``pipe`` visits on ``levels`` (until it wins, dies, or wanders), labelled
    with the expert's next action from that state."""
    game = env.unwrapped
    rows: list[tuple[np.ndarray, np.ndarray, int, int]] = []
    for episode, seed in enumerate(levels):
        obs, info = env.reset(seed=seed)
        pipe.reset()
        first = game.expert_plan() or []
        for _ in range(STEPS_PER_PLAN * len(first) + 4):
            plan = game.expert_plan()
            if not plan:
                break  # lost beyond help (or won): nothing left to ask
            rows.append((obs, info["scene"].grid.astype(np.int64), int(plan[0]), episode))
            obs, _, terminated, truncated, info = env.step(pipe.act(obs, info).action)
            if terminated or truncated:
                break
    return _rows(rows)


def _play(pipe: Pipeline, env: GridGame, levels: list[int]) -> tuple[Demonstrations, int]:
    """``pipe``'s own play of ``levels`` (cut short where it wanders), its actions as labels;
    and how many it won."""
    rows: list[tuple[np.ndarray, np.ndarray, int, int]] = []
    won = 0
    game = env.unwrapped
    for episode, seed in enumerate(levels):
        obs, info = env.reset(seed=seed)
        pipe.reset()
        done = False
        for _ in range(STEPS_PER_PLAN * len(game.expert_plan() or []) + 4):
            if done:
                break
            action = pipe.act(obs, info).action
            rows.append((obs, info["scene"].grid.astype(np.int64), int(action), episode))
            obs, _, terminated, truncated, info = env.step(action)
            done = terminated or truncated
        won += bool(info.get("success"))
    return _rows(rows), won


def _rows(rows: list[tuple[np.ndarray, np.ndarray, int, int]]) -> Demonstrations:
    if not rows:
        return Demonstrations(
            np.zeros((0, 1, 1, 3), np.uint8),
            np.zeros(0, np.int64),
            np.zeros((0, 1, 1), np.int64),
            np.zeros(0, np.int64),
        )
    frames, cells, actions, episodes = zip(*rows, strict=True)
    return Demonstrations(
        np.stack(frames),
        np.asarray(actions, np.int64),
        np.stack(cells),
        np.asarray(episodes, np.int64),
    )


def _concat(a: Demonstrations, b: Demonstrations) -> Demonstrations:
    """Rows of both; ``b``'s episode numbers are its levels', so a level's rows stay together
    when validation holds out whole episodes."""
    return Demonstrations(
        np.concatenate([a.frames, b.frames]),
        np.concatenate([a.actions, b.actions]),
        np.concatenate([a.cells, b.cells]),
        np.concatenate([a.episodes, b.episodes]),
        a.level_seeds,
        a.levels,
    )

"""Playing episodes: level seeds shared by every pipeline, one episode, many episodes.

Many episodes are played in lockstep (:data:`TOGETHER` levels at a time): every level takes
its next step before any takes the one after, so the pipeline's network reads all their
screens in one batch (``Pipeline.sense``) while each level keeps a pipeline of its own for
what it remembers (``Pipeline.fork``). Every episode plays as it would alone: a network's
output for a screen in a batch is its output for the screen alone up to float rounding (bit for
bit for the hybrids' perception on KeyDoor's grids), which changes a decision only at a tie.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from compose.common.levels import Levels, evaluation_levels
from compose.common.stats import percentiles
from compose.pipelines.base import Pipeline, Step

__all__ = ["EpisodeResult", "EvalSummary", "evaluate", "play_episode"]

StepObserver = Callable[[Step, dict[str, Any]], None]
TOGETHER = 64  # levels played in lockstep at most


@dataclass
class EpisodeResult:
    """What happened in one episode."""

    level_seed: int
    success: bool
    ret: float
    steps: int
    neural_s: list[float] = field(default_factory=list)
    symbolic_s: list[float] = field(default_factory=list)
    trace: list[tuple[Step, dict]] | None = None  # (step, info before it) when recorded
    looped: bool = False  # stopped early: the pipeline came back to a state it left, with the
    # same memory, so it would have gone round that loop until time ran out
    seen: bool = False  # the level's content is one the pipeline met in training
    stopped: str = ""  # why the pipeline ended the episode itself (Decision.stop), if it did


@dataclass
class EvalSummary:
    """Aggregates over episodes."""

    episodes: list[EpisodeResult]
    # Where the evaluation's wall time went, in seconds: ``levels`` (drawing and resetting
    # levels), ``env`` (stepping them), ``neural`` and ``symbolic`` (the pipeline's decisions,
    # as its steps report them), ``other`` (the rest: loop checks, observers, bookkeeping).
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def success_rate(self) -> float:
        return float(np.mean([e.success for e in self.episodes])) if self.episodes else 0.0

    @property
    def seen(self) -> int:
        """Levels whose content the pipeline met in training (0 where the game has enough
        levels to keep them apart; see :mod:`compose.common.levels`)."""
        return sum(e.seen for e in self.episodes)

    @property
    def mean_return(self) -> float:
        return float(np.mean([e.ret for e in self.episodes])) if self.episodes else 0.0

    @property
    def mean_steps(self) -> float:
        return float(np.mean([e.steps for e in self.episodes])) if self.episodes else 0.0

    def latency_ms(self) -> dict[str, float]:
        """p50/p95 per decision in ms: ``total``, ``neural`` and ``symbolic`` parts."""
        neural = np.concatenate([e.neural_s for e in self.episodes] or [[0.0]]) * 1e3
        symbolic = np.concatenate([e.symbolic_s for e in self.episodes] or [[0.0]]) * 1e3
        return percentiles({"total": neural + symbolic, "neural": neural, "symbolic": symbolic})


def play_episode(
    env: gym.Env,
    pipeline: Pipeline,
    seed: int,
    *,
    record: bool = False,
    observe: StepObserver | None = None,
    level: str | None = None,
    clock: Clock | None = None,
) -> EpisodeResult:
    """Play one level to its end. ``record`` keeps every step with the info before it;
    ``observe(step, info)`` is called after every decision (``info`` holds the true scene);
    ``level`` plays a level drawn as text (see ``GameSpec.parse``) instead of a generated one.

    In a game whose true scene holds the whole state (``GameSpec.cut_loops``), a deterministic
    pipeline that comes back to a state it has been in, with the same memory, will go round
    the same loop until time runs out. The episode is then stopped at once and recorded
    exactly as that timeout: no success, return 0, ``max_steps`` steps. This keeps the
    evaluation of failing pipelines cheap.
    """
    clock = clock or Clock()
    game = _Game(env, pipeline, seed, record, level, clock)
    while not game.done and not game.cut():
        game.play(pipeline.act(game.obs, game.info), observe)
    return game.result


class Clock:
    """Adds up where an evaluation's time goes (see ``EvalSummary.seconds``)."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.parts = {"levels": 0.0, "env": 0.0, "neural": 0.0, "symbolic": 0.0}

    def seconds(self) -> dict[str, float]:
        total = time.perf_counter() - self.start
        return {**self.parts, "other": max(0.0, total - sum(self.parts.values())), "total": total}


class _Game:
    """One level being played: the environment, what the pipeline last saw, the result."""

    def __init__(
        self,
        env: gym.Env,
        pipeline: Pipeline,
        seed: int,
        record: bool,
        level: str | None,
        clock: Clock,
    ) -> None:
        self.env, self.pipeline, self.clock = env, pipeline, clock
        t0 = time.perf_counter()
        options = None if level is None else {"level": level}
        self.obs, self.info = env.reset(seed=seed, options=options)
        clock.parts["levels"] += time.perf_counter() - t0
        pipeline.reset()
        self.result = EpisodeResult(seed, False, 0.0, 0, trace=[] if record else None)
        self.seen: set[tuple] = set()
        self.cuts = pipeline.deterministic and env.unwrapped.game.cut_loops and not record
        self.done = False

    def cut(self) -> bool:
        """End the episode here, as its timeout, if it came back to a state it left."""
        if not self.cuts:
            return False
        state = (_state_key(self.info), self.pipeline.memory())
        if state in self.seen:
            result = self.result
            result.looped, result.steps, result.ret = True, int(self.env.unwrapped.max_steps), 0.0
            self.done = True
            return True
        self.seen.add(state)
        return False

    def play(self, step: Step, observe: StepObserver | None, shared_neural_s: float = 0.0) -> None:
        """Record ``step`` (its neural seconds plus its share of a batch's) and take it; a
        decision that stops the episode (``Decision.stop``) ends it there, a failure."""
        result, info = self.result, self.info
        if result.trace is not None:
            result.trace.append((step, info))
        if observe is not None:
            observe(step, info)
        if step.decision is not None and step.decision.stop:
            result.stopped, self.done = step.decision.stop, True
            return
        result.neural_s.append(step.neural_s + shared_neural_s)
        result.symbolic_s.append(step.symbolic_s)
        self.clock.parts["neural"] += step.neural_s + shared_neural_s
        self.clock.parts["symbolic"] += step.symbolic_s
        t0 = time.perf_counter()
        self.obs, reward, terminated, truncated, self.info = self.env.step(int(step.action))
        self.clock.parts["env"] += time.perf_counter() - t0
        result.ret += float(reward)
        result.steps += 1
        if terminated or truncated:
            result.success = bool(self.info.get("success", False))
            self.done = True


def _state_key(info: dict[str, Any]) -> tuple:
    scene = info["scene"]
    return (scene.grid.tobytes(), scene.inventory)


def evaluate(
    env: gym.Env,
    pipeline: Pipeline,
    episodes: int,
    seed: int,
    *,
    on_episode: Callable[[EpisodeResult], None] | None = None,
    observe: StepObserver | None = None,
    level: str | None = None,
    together: int = TOGETHER,
    levels: Levels | None = None,
    met: Collection[str] = frozenset(),
    record: bool = False,
) -> EvalSummary:
    """Play the ``episodes`` evaluation levels of ``seed`` (or, with ``level``, that level
    drawn as text, each time with the look of another evaluation level); ``on_episode`` is
    told after each, in the order they end.

    The levels are :func:`compose.common.levels.evaluation_levels` (pass ``levels`` if they are
    drawn already); every pipeline evaluated with the same seed meets the same ones. ``met``
    holds the content keys of the levels the pipeline trained on (``FitReport.levels``):
    each episode on one of them is marked ``seen``.

    Up to ``together`` levels are played in lockstep, the pipeline's network reading their
    screens in one batch; each decision's neural seconds are then its share of the batch's.
    ``together=1`` plays one level after another, every decision timed alone. ``record``
    keeps every episode's steps (``EpisodeResult.trace``)."""
    clock = Clock()
    if levels is None:
        levels = evaluation_levels(env, seed, episodes)
        clock.parts["levels"] += time.perf_counter() - clock.start
    elif len(levels) != episodes:
        raise ValueError(f"{episodes} episodes need {episodes} levels, not {len(levels)}")
    seeds = list(levels.seeds)
    pairs = zip(seeds, levels.keys, strict=True)
    seen = set() if level is not None else {s for s, k in pairs if k in met}

    def done(result: EpisodeResult) -> None:
        result.seen = result.level_seed in seen
        if on_episode is not None:
            on_episode(result)

    results: list[EpisodeResult] = []
    if together > 1 and episodes > 1:
        for start in range(0, episodes, together):
            chunk = seeds[start : start + together]
            results += _lockstep(env, pipeline, chunk, clock, observe, level, done, record)
    else:
        for seed_i in seeds:
            result = play_episode(
                env, pipeline, seed_i, record=record, observe=observe, level=level, clock=clock
            )
            results.append(result)
            done(result)
    return EvalSummary(results, clock.seconds())


def _lockstep(
    env: gym.Env,
    pipeline: Pipeline,
    seeds: list[int],
    clock: Clock,
    observe: StepObserver | None,
    level: str | None,
    on_episode: Callable[[EpisodeResult], None] | None,
    record: bool = False,
) -> list[EpisodeResult]:
    """Play the levels of ``seeds`` side by side, each with its own copy of ``env`` and fork
    of ``pipeline``; the pipeline senses every screen still in play in one batch."""
    games = [
        _Game(copy.deepcopy(env), pipeline.fork(), seed, record, level, clock) for seed in seeds
    ]

    def finish(game: _Game) -> None:
        if on_episode is not None:
            on_episode(game.result)

    playing = games
    while playing:
        live = []
        for game in playing:
            if game.cut():
                finish(game)
            else:
                live.append(game)
        if not live:
            break
        t0 = time.perf_counter()
        sensed = pipeline.sense([g.obs for g in live], [g.info for g in live])
        # Each level's share of the batch's network time (none: there is no network).
        share = 0.0 if sensed is None else (time.perf_counter() - t0) / len(live)
        playing = []
        for i, game in enumerate(live):
            if sensed is None:
                step = game.pipeline.act(game.obs, game.info)
            else:
                step = game.pipeline.act(game.obs, game.info, sensed=sensed[i])
            game.play(step, observe, share)
            if game.done:
                finish(game)
            else:
                playing.append(game)
    return [g.result for g in games]

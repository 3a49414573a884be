"""Playing episodes: level seeds shared by every pipeline, one episode, many episodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np

from compose.pipelines import Pipeline, Step
from compose.stats import percentiles

__all__ = ["EpisodeResult", "EvalSummary", "evaluate", "level_seed", "play_episode"]

# Streams keep the levels of different uses apart: a pipeline is never evaluated on a level
# it was trained on, and every pipeline meets the same evaluation levels.
STREAMS = {"train": 1, "rl": 2, "eval": 3, "distill": 4}  # disjoint level streams

StepObserver = Callable[[Step, dict[str, Any]], None]


def level_seed(seed: int, stream: str, index: int) -> int:
    """The reset seed of level ``index`` of ``stream`` (``"train"`` or ``"eval"``)."""
    state = np.random.SeedSequence([seed, STREAMS[stream], index]).generate_state(1)
    return int(state[0])


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


@dataclass
class EvalSummary:
    """Aggregates over episodes."""

    episodes: list[EpisodeResult]

    @property
    def success_rate(self) -> float:
        return float(np.mean([e.success for e in self.episodes])) if self.episodes else 0.0

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
    obs, info = env.reset(seed=seed, options=None if level is None else {"level": level})
    pipeline.reset()
    result = EpisodeResult(seed, False, 0.0, 0, trace=[] if record else None)
    seen: set[tuple] = set()
    cut = pipeline.deterministic and env.unwrapped.game.cut_loops and not record
    while True:
        if cut:
            state = (_state_key(info), pipeline.memory())
            if state in seen:
                result.looped, result.steps, result.ret = True, int(env.unwrapped.max_steps), 0.0
                return result
            seen.add(state)
        step = pipeline.act(obs, info)
        if result.trace is not None:
            result.trace.append((step, info))
        if observe is not None:
            observe(step, info)
        result.neural_s.append(step.neural_s)
        result.symbolic_s.append(step.symbolic_s)
        obs, reward, terminated, truncated, info = env.step(int(step.action))
        result.ret += float(reward)
        result.steps += 1
        if terminated or truncated:
            result.success = bool(info.get("success", False))
            return result


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
) -> EvalSummary:
    """Play ``episodes`` evaluation levels of ``seed`` (or, with ``level``, that level drawn
    as text, each time with the look of another evaluation level); ``on_episode`` is told
    after each."""
    results = []
    for i in range(episodes):
        seed_i = level_seed(seed, "eval", i)
        result = play_episode(env, pipeline, seed_i, observe=observe, level=level)
        results.append(result)
        if on_episode is not None:
            on_episode(result)
    return EvalSummary(results)

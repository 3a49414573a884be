"""Playing episodes: level seeds shared by every pipeline, one episode, many episodes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from compose.pipelines import Pipeline, Step

__all__ = ["EpisodeResult", "EvalSummary", "evaluate", "level_seed", "play_episode"]

# Streams keep the levels of different uses apart: a pipeline is never evaluated on a level
# it was trained on, and every pipeline meets the same evaluation levels.
STREAMS = {"train": 1, "validation": 2, "eval": 3}


def level_seed(seed: int, stream: str, index: int) -> int:
    """The reset seed of level ``index`` of ``stream`` ("train", "validation", "eval")."""
    state = np.random.SeedSequence([seed, STREAMS[stream], index]).generate_state(1)
    return int(state[0])


@dataclass
class EpisodeResult:
    """What happened in one episode."""

    level_seed: int
    success: bool
    ret: float
    steps: int
    latencies_s: list[float] = field(default_factory=list)
    perception_s: list[float] = field(default_factory=list)
    reasoning_s: list[float] = field(default_factory=list)
    trace: list[tuple[Step, dict]] | None = None  # (step, info before it) when recorded


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

    def latency_ms(self, which: str = "latencies_s") -> dict[str, float]:
        """p50 and p95 in milliseconds over all decisions (``perception_s``, ``reasoning_s``)."""
        values = np.concatenate([getattr(e, which) for e in self.episodes] or [[0.0]]) * 1e3
        return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95))}


def play_episode(
    env: gym.Env, pipeline: Pipeline, seed: int, *, record: bool = False
) -> EpisodeResult:
    """Play one level to its end; ``record`` keeps every step and the info before it."""
    obs, info = env.reset(seed=seed)
    pipeline.reset()
    result = EpisodeResult(seed, False, 0.0, 0, trace=[] if record else None)
    while True:
        step = pipeline.act(obs, info)
        if result.trace is not None:
            result.trace.append((step, info))
        result.latencies_s.append(step.latency_s)
        result.perception_s.append(step.perception_s)
        result.reasoning_s.append(step.reasoning_s)
        obs, reward, terminated, truncated, info = env.step(int(step.action))
        result.ret += float(reward)
        result.steps += 1
        if terminated or truncated:
            result.success = bool(info.get("success", False))
            return result


def evaluate(
    env: gym.Env,
    pipeline: Pipeline,
    episodes: int,
    seed: int,
    *,
    on_episode: Callable[[EpisodeResult], None] | None = None,
) -> EvalSummary:
    """Play ``episodes`` evaluation levels of ``seed``; ``on_episode`` is told after each."""
    results = []
    for i in range(episodes):
        result = play_episode(env, pipeline, level_seed(seed, "eval", i))
        results.append(result)
        if on_episode is not None:
            on_episode(result)
    return EvalSummary(results)

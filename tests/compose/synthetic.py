"""Synthetic result rows whose answers are known in advance: three seeds of 20 levels each.

``solved(k)`` is one seed's outcome string with its first ``k`` levels solved; a pipeline's
rows are built per budget and split from one outcome string per seed.
"""

from __future__ import annotations

from compose.experiments.config import ExperimentConfig, SplitSpec
from compose.experiments.store import ResultRow
from compose.pipelines.spec import PipelineSpec

ENV = "neurocomp/KeyDoor-8x8-v0"
LEVELS = 20
SEEDS = 3
SPLITS = ("in-distribution", "larger")

HYBRID = PipelineSpec(kind="hybrid")
ABDUCED = PipelineSpec(kind="hybrid", supervision="abduced")
SMALL = PipelineSpec(kind="monolithic", size="small")
MEDIUM = PipelineSpec(kind="monolithic", size="medium")
LARGE_AUG = PipelineSpec(kind="monolithic", size="large", augment="both")
PPO = PipelineSpec(kind="ppo")
ORACLE = PipelineSpec(kind="oracle")


def solved(k: int) -> str:
    """One seed's outcomes: the first ``k`` of its levels solved."""
    return "1" * k + "0" * (LEVELS - k)


def row(
    spec: PipelineSpec,
    budget: int,
    seed: int,
    split: str,
    outcomes: str,
    mean_return: float | None = None,
) -> ResultRow:
    """One evaluated cell; its mean return is its success rate unless given."""
    wins = outcomes.count("1")
    return ResultRow(
        job=f"{spec.label}-{budget}-{seed}",
        settings_hash="synthetic",
        env=ENV,
        pipeline=spec.label,
        kind=spec.kind,
        budget=budget,
        seed=seed,
        split=split,
        split_env=ENV,
        episodes=len(outcomes),
        successes=wins,
        success_rate=wins / len(outcomes),
        mean_return=wins / len(outcomes) if mean_return is None else mean_return,
        mean_steps=10.0,
        outcomes=outcomes,
        latency={
            f"{part}_{q}": 1.0 for part in ("total", "neural", "symbolic") for q in ("p50", "p95")
        },
        fit={"params": 1000, "frames": 10 * max(budget, 1), "train_seconds": 1.0},
        attribution=None,
        versions={"neurocomp": "test"},
        created_at="2024-01-01T00:00:00",
    )


def rows_of(
    spec: PipelineSpec,
    budget: int,
    per_seed: str | list[str],
    split: str = SPLITS[0],
    mean_return: float | None = None,
) -> list[ResultRow]:
    """One pipeline's rows at one budget on one split: one outcome string per seed (one string:
    the same on every seed)."""
    per_seed = [per_seed] * SEEDS if isinstance(per_seed, str) else per_seed
    return [row(spec, budget, s, split, o, mean_return) for s, o in enumerate(per_seed)]


def config(
    *pipelines: PipelineSpec,
    budgets: list[int] | None = None,
    frames: list[int] | None = None,
    splits: tuple[str, ...] = SPLITS,
) -> ExperimentConfig:
    """A comparison of ``pipelines`` on ``splits`` (all of them the training environment)."""
    return ExperimentConfig(
        env=ENV,
        pipelines=list(pipelines),
        budgets=budgets or [1, 10],
        frames=frames or [1000, 5000],
        seeds=SEEDS,
        episodes=LEVELS,
        splits=[SplitSpec(name=s) for s in splits],
    )

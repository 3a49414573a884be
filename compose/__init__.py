"""Pipelines, experiments, results, reports and the ``neurocomp`` CLI: where the parts meet."""

from __future__ import annotations

from compose.pipelines import OraclePipeline, Pipeline, Step
from compose.play import EpisodeResult, EvalSummary, evaluate, level_seed, play_episode

__all__ = [
    "EpisodeResult",
    "EvalSummary",
    "OraclePipeline",
    "Pipeline",
    "Step",
    "evaluate",
    "level_seed",
    "play_episode",
]

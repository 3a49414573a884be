"""Pipelines, experiments, results, reports and the ``neurocomp`` CLI: where the parts meet.

Names are imported on first use (PEP 562), so ``neurocomp --help`` does not wait for torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "build_pipeline": "compose.training.build",
    "demonstrations": "compose.training.build",
    "ExperimentConfig": "compose.experiments.config",
    "PipelineSpec": "compose.pipelines.spec",
    "SplitSpec": "compose.experiments.config",
    "load_config": "compose.experiments.config_files",
    "CheckpointError": "compose.common.errors",
    "ConfigError": "compose.common.errors",
    "DirectoryInUseError": "compose.common.errors",
    "ResultsError": "compose.common.errors",
    "run_experiment": "compose.experiments.runner",
    "FitReport": "compose.pipelines.base",
    "HybridPipeline": "compose.pipelines.hybrid",
    "InducedHybridPipeline": "compose.pipelines.induced",
    "AutonomousHybridPipeline": "compose.pipelines.autonomous",
    "MonolithicPipeline": "compose.pipelines.networks",
    "OraclePipeline": "compose.pipelines.hybrid",
    "PPOPipeline": "compose.pipelines.networks",
    "Pipeline": "compose.pipelines.base",
    "Step": "compose.pipelines.base",
    "load_pipeline": "compose.pipelines.loading",
    "EpisodeResult": "compose.play",
    "EvalSummary": "compose.play",
    "evaluate": "compose.play",
    "evaluation_levels": "compose.common.levels",
    "level_seed": "compose.common.levels",
    "play_episode": "compose.play",
    "build_report": "compose.report",
    "dagger": "compose.training.teaching",
    "distill": "compose.training.teaching",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'compose' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__

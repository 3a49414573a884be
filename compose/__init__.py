"""Pipelines, experiments, results, reports and the ``neurocomp`` CLI: where the parts meet.

Names are imported on first use (PEP 562), so ``neurocomp --help`` does not wait for torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "build_pipeline": "compose.build",
    "demonstrations": "compose.build",
    "ExperimentConfig": "compose.config",
    "PipelineSpec": "compose.config",
    "SplitSpec": "compose.config",
    "load_config": "compose.config_files",
    "CheckpointError": "compose.errors",
    "ConfigError": "compose.errors",
    "DirectoryInUseError": "compose.errors",
    "ResultsError": "compose.errors",
    "run_experiment": "compose.experiment",
    "FitReport": "compose.pipelines",
    "HybridPipeline": "compose.pipelines",
    "MonolithicPipeline": "compose.networks",
    "OraclePipeline": "compose.pipelines",
    "PPOPipeline": "compose.networks",
    "Pipeline": "compose.pipelines",
    "Step": "compose.pipelines",
    "load_pipeline": "compose.loading",
    "EpisodeResult": "compose.play",
    "EvalSummary": "compose.play",
    "evaluate": "compose.play",
    "evaluation_levels": "compose.levels",
    "level_seed": "compose.levels",
    "play_episode": "compose.play",
    "build_report": "compose.report",
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

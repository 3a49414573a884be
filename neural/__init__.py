"""Small PyTorch modules for perception and monolithic baselines, and how they learn.

Names are imported on first use (PEP 562): ``neural.settings`` (sizes, augmentations, the
trainer's knobs) can be read without loading torch.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOME = {
    "Demonstrations": "neural.data",
    "collect_demonstrations": "neural.data",
    "POLICY_NAMES": "neural.settings",
    "POLICY_SIZES": "neural.settings",
    "TrainConfig": "neural.settings",
    "CellClassifier": "neural.modules",
    "ConvPolicy": "neural.modules",
    "PooledConvPolicy": "neural.modules",
    "count_parameters": "neural.modules",
    "make_policy": "neural.modules",
    "to_input": "neural.modules",
    "PPOConfig": "neural.rl",
    "RLResult": "neural.rl",
    "make_ppo_policy": "neural.rl",
    "train_ppo": "neural.rl",
    "train_ppo_at": "neural.rl",
    "TrainResult": "neural.train",
    "fit": "neural.train",
    "split_by_episode": "neural.train",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> Any:
    if name in _HOME:
        value = getattr(importlib.import_module(_HOME[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'neural' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__

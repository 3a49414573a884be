"""Small PyTorch modules for perception and monolithic baselines, and how they learn."""

from __future__ import annotations

from neural.data import Demonstrations, collect_demonstrations
from neural.modules import (
    POLICY_NAMES,
    POLICY_SIZES,
    CellClassifier,
    ConvPolicy,
    PooledConvPolicy,
    count_parameters,
    make_policy,
    to_input,
)
from neural.rl import PPOConfig, RLResult, make_ppo_policy, train_ppo, train_ppo_at
from neural.train import TrainConfig, TrainResult, fit, split_by_episode

__all__ = [
    "POLICY_NAMES",
    "POLICY_SIZES",
    "CellClassifier",
    "ConvPolicy",
    "Demonstrations",
    "PPOConfig",
    "PooledConvPolicy",
    "RLResult",
    "TrainConfig",
    "TrainResult",
    "collect_demonstrations",
    "count_parameters",
    "fit",
    "make_policy",
    "make_ppo_policy",
    "split_by_episode",
    "to_input",
    "train_ppo",
    "train_ppo_at",
]

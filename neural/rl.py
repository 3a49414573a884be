"""Reinforcement learning from reward alone: Stable-Baselines3's PPO with a small CNN on the
same pixels the other pipelines see.

The features extractor reads the screen the way every network here does, one cell per
position (a convolution whose kernel and stride are the tile), then mixes cells with 3x3
convolutions and a linear layer; SB3's actor and critic heads sit on top. The hyperparameters
are those RL Baselines3 Zoo uses for MiniGrid (8 environments, 128 steps each per update, 10
epochs of minibatches of 64, learning rate 2.5e-4, no entropy bonus). Training is budgeted in
environment frames; the curve of the mean return of the last 100 training episodes is kept,
with the first frame count at which it reached 0.9 (how MiniGrid results are usually quoted).

Stable-Baselines3 is imported on first use, so the rest of the toolkit starts without it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

__all__ = ["PPOConfig", "RLResult", "make_ppo_policy", "train_ppo"]

RETURN_GOAL = 0.9  # "frames to 0.9 mean return"


@dataclass(frozen=True)
class PPOConfig:
    """PPO's settings; one line per knob."""

    n_envs: int = 8  # environments stepped together
    n_steps: int = 128  # steps per environment between updates
    batch_size: int = 64
    n_epochs: int = 10
    learning_rate: float = 2.5e-4
    gamma: float = 0.99
    gae_lambda: float = 0.95
    clip_range: float = 0.2
    ent_coef: float = 0.0
    features: int = 128  # width of the features extractor's output


@dataclass
class RLResult:
    """A trained policy and what training cost."""

    policy: nn.Module
    frames: int
    seconds: float
    curve: list[tuple[int, float]] = field(default_factory=list)  # (frames, mean return)
    frames_to_goal: int | None = None  # first frames at which the mean return reached 0.9


def _extractor() -> type:
    from stable_baselines3.common.torch_layers import BaseFeaturesExtractor

    class CellCNN(BaseFeaturesExtractor):
        """Screen ``(B, 3, H*t, W*t)`` → features ``(B, features)``: one conv per cell, two
        3x3 convs over cells, a linear layer."""

        def __init__(self, space: gym.spaces.Box, tile: int = 8, features: int = 128) -> None:
            super().__init__(space, features)
            channels, height, width = space.shape
            self.cells = nn.Sequential(
                nn.Conv2d(channels, 16, tile, tile),
                nn.ReLU(),
                nn.Conv2d(16, 32, 3, padding=1),
                nn.ReLU(),
                nn.Conv2d(32, 64, 3, padding=1),
                nn.ReLU(),
                nn.Flatten(),
            )
            flat = 64 * (height // tile) * (width // tile)
            self.head = nn.Sequential(nn.Linear(flat, features), nn.ReLU())

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.head(self.cells(x))

    return CellCNN


def _policy_kwargs(tile: int, config: PPOConfig) -> dict[str, Any]:
    return {
        "features_extractor_class": _extractor(),
        "features_extractor_kwargs": {"tile": tile, "features": config.features},
        "normalize_images": True,
    }


def make_ppo_policy(
    observation_space: gym.spaces.Box,
    action_space: gym.spaces.Discrete,
    tile: int,
    config: PPOConfig = PPOConfig(),
) -> nn.Module:
    """An untrained policy of the shape :func:`train_ppo` trains, for loading saved weights.
    ``observation_space`` is the screen's, ``(H, W, 3)``."""
    from stable_baselines3.common.policies import ActorCriticCnnPolicy

    h, w, c = observation_space.shape
    channels_first = gym.spaces.Box(0, 255, (c, h, w), np.uint8)
    return ActorCriticCnnPolicy(
        channels_first, action_space, lambda _: config.learning_rate, **_policy_kwargs(tile, config)
    )


def train_ppo(
    make_env: Callable[[], gym.Env],
    frames: int,
    seed: int,
    tile: int,
    config: PPOConfig = PPOConfig(),
) -> RLResult:
    """Train PPO for ``frames`` environment steps (over all environments) from reward alone."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.logger import Logger

    class Curve(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.points: list[tuple[int, float]] = []
            self.first: int | None = None

        def _on_rollout_end(self) -> None:
            episodes = self.model.ep_info_buffer
            if episodes:
                mean = float(np.mean([e["r"] for e in episodes]))
                self.points.append((self.num_timesteps, mean))
                if self.first is None and len(episodes) >= 20 and mean >= RETURN_GOAL:
                    self.first = self.num_timesteps

        def _on_step(self) -> bool:
            return True

    t0 = time.perf_counter()
    venv = make_vec_env(make_env, n_envs=config.n_envs, seed=seed)
    model = PPO(
        "CnnPolicy",
        venv,
        n_steps=config.n_steps,
        batch_size=config.batch_size,
        n_epochs=config.n_epochs,
        learning_rate=config.learning_rate,
        gamma=config.gamma,
        gae_lambda=config.gae_lambda,
        clip_range=config.clip_range,
        ent_coef=config.ent_coef,
        seed=seed,
        device="cpu",
        policy_kwargs=_policy_kwargs(tile, config),
    )
    # PPO's default logger makes an empty directory in /tmp for every run; ours writes nowhere
    model.set_logger(Logger(folder=None, output_formats=[]))
    curve = Curve()
    model.learn(total_timesteps=frames, callback=curve)
    venv.close()
    policy = model.policy
    policy.set_training_mode(False)
    return RLResult(
        policy=policy,
        frames=int(model.num_timesteps),
        seconds=time.perf_counter() - t0,
        curve=curve.points,
        frames_to_goal=curve.first,
    )

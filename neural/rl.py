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

import copy
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import gymnasium as gym
import numpy as np
import torch
from torch import nn

__all__ = ["PPOConfig", "RLResult", "make_ppo_policy", "train_ppo", "train_ppo_at"]

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
    levels: frozenset[str] = frozenset()  # content keys of the levels played in training


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
    held_out: Collection[str] = frozenset(),
) -> RLResult:
    """Train PPO for ``frames`` environment steps (over all environments) from reward alone."""
    return train_ppo_at(make_env, [frames], seed, tile, config, held_out)[0]


def train_ppo_at(
    make_env: Callable[[], gym.Env],
    budgets: Sequence[int],
    seed: int,
    tile: int,
    config: PPOConfig = PPOConfig(),
    held_out: Collection[str] = frozenset(),
    redraws: int = 32,
) -> list[RLResult]:
    """One PPO run to the largest of ``budgets`` (environment steps), with the policy kept at
    each smaller one: a result per budget, in the order given.

    A level whose content key (``GridGame.level_key``) is ``held_out`` -- an evaluation
    level -- is drawn again, up to ``redraws`` times, when an episode starts on it.

    The policy kept at a budget is the one a run of that budget alone ends with, bit for bit:
    a run ends after the update whose rollout reached its budget, and nothing before then
    depends on the total (learning rate and clip range are constant). So a sweep over frame
    budgets costs one run of the largest."""
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import BaseCallback
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.logger import Logger

    if not budgets:
        raise ValueError("train_ppo_at needs at least one budget of frames")
    order = sorted(set(budgets))
    t0 = time.perf_counter()

    class Curve(BaseCallback):
        def __init__(self) -> None:
            super().__init__()
            self.points: list[tuple[int, float]] = []
            self.first: int | None = None
            self.kept: dict[int, RLResult] = {}

        def _on_rollout_end(self) -> None:
            episodes = self.model.ep_info_buffer
            if episodes:
                mean = float(np.mean([e["r"] for e in episodes]))
                self.points.append((self.num_timesteps, mean))
                if self.first is None and len(episodes) >= 20 and mean >= RETURN_GOAL:
                    self.first = self.num_timesteps

        def _on_rollout_start(self) -> None:
            # The update before this rollout has been trained: the policy a run of any budget
            # reached by now would have ended with.
            for budget in order:
                if budget not in self.kept and 0 < budget <= self.num_timesteps:
                    self.keep(budget)

        def _on_training_end(self) -> None:
            for budget in order:
                if budget not in self.kept:
                    self.keep(budget)

        def keep(self, budget: int) -> None:
            trained = self.model.policy
            with torch.random.fork_rng(devices=[]):  # building draws weights: not from training
                policy = type(trained)(
                    trained.observation_space, trained.action_space, lambda _: 0.0, **policy_kwargs
                )
            policy.load_state_dict(copy.deepcopy(trained.state_dict()))
            policy.set_training_mode(False)
            self.kept[budget] = RLResult(
                policy=policy,
                frames=int(self.num_timesteps),
                seconds=time.perf_counter() - t0,
                curve=list(self.points),
                frames_to_goal=self.first,
                levels=frozenset(met),
            )

        def _on_step(self) -> bool:
            return True

    met: set[str] = set()
    venv = make_vec_env(
        lambda: _Training(make_env(), frozenset(held_out), met, redraws),
        n_envs=config.n_envs,
        seed=seed,
    )
    policy_kwargs = _policy_kwargs(tile, config)
    # SB3's own Adam settings (eps 1e-5), stepping every parameter at once: the same numbers
    # as one parameter at a time, in less time.
    policy_kwargs["optimizer_kwargs"] = {"eps": 1e-5, "foreach": True}
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
        policy_kwargs=policy_kwargs,
    )
    # PPO's default logger makes an empty directory in /tmp for every run; ours writes nowhere
    model.set_logger(Logger(folder=None, output_formats=[]))
    curve = Curve()
    model.learn(total_timesteps=order[-1], callback=curve)
    venv.close()
    return [curve.kept[b] for b in budgets]


class _Training(gym.Wrapper):
    """The game as PPO trains on it: a level that is ``held_out`` is drawn again (up to
    ``redraws`` times), the content key of every level started goes into ``met``, and
    ``info["scene"]``, which PPO never reads and its vectorised environment would deep-copy on
    every step, is dropped."""

    def __init__(self, env: gym.Env, held_out: frozenset[str], met: set[str], redraws: int) -> None:
        super().__init__(env)
        self.held_out, self.met, self.redraws = held_out, met, redraws

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(**kwargs)
        # A game of ours names its levels by content; another Gymnasium env trains as it is.
        key = getattr(self.env.unwrapped, "level_key", None)
        if key is not None:
            for _ in range(self.redraws - 1):
                if key() not in self.held_out:
                    break
                obs, info = self.env.reset()  # the next level of the same stream
            self.met.add(key())
        return obs, _lean(info)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, reward, terminated, truncated, _lean(info)


def _lean(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k != "scene"}

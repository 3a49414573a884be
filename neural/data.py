"""Data sets built from expert rollouts: the demonstrations every pipeline's budget counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

__all__ = ["Demonstrations", "collect_demonstrations"]


@dataclass(frozen=True)
class Demonstrations:
    """Expert episodes, one row per decision: the screen, the expert's action, the true cells."""

    frames: np.ndarray  # (N, H*t, W*t, 3) uint8
    actions: np.ndarray  # (N,) int64
    cells: np.ndarray  # (N, H, W) int64 kinds, from info["scene"]
    episodes: np.ndarray  # (N,) int64 index of the episode each row came from

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def n_episodes(self) -> int:
        return len(np.unique(self.episodes))

    def first(self, n_episodes: int) -> Demonstrations:
        """The rows of the first ``n_episodes`` episodes (budgets are nested)."""
        keep = self.episodes < n_episodes
        return Demonstrations(
            self.frames[keep], self.actions[keep], self.cells[keep], self.episodes[keep]
        )


def collect_demonstrations(env: gym.Env, level_seeds: Sequence[int]) -> Demonstrations:
    """Play the game's exact expert on each level and record every decision."""
    game = env.unwrapped
    frames, actions, cells, episodes = [], [], [], []
    for episode, seed in enumerate(level_seeds):
        obs, info = env.reset(seed=int(seed))
        plan = game.expert_plan()
        if not plan:
            raise ValueError(f"level seed {seed} has no solution; cannot demonstrate it")
        for action in plan:
            frames.append(obs)
            cells.append(info["scene"].grid.astype(np.int64))
            actions.append(int(action))
            episodes.append(episode)
            obs, _, _, _, info = env.step(action)
    return Demonstrations(
        np.stack(frames),
        np.asarray(actions, dtype=np.int64),
        np.stack(cells),
        np.asarray(episodes, dtype=np.int64),
    )

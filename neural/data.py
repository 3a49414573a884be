"""Data sets built from expert rollouts: the demonstrations every pipeline's budget counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

from neural.settings import check_memory

__all__ = ["Demonstrations", "cell_patches", "collect_demonstrations"]


@dataclass(frozen=True)
class Demonstrations:
    """Expert episodes, one row per decision: the screen, the expert's action, the true cells."""

    frames: np.ndarray  # (N, H*t, W*t, 3) uint8
    actions: np.ndarray  # (N,) int64
    cells: np.ndarray  # (N, H, W) int64 kinds, from info["scene"]
    episodes: np.ndarray  # (N,) int64 index of the episode each row came from
    # Per episode: the reset seed of its level and the level's content key
    # (GridGame.level_key); empty for rows gathered otherwise (e.g. DAgger's queries).
    level_seeds: tuple[int, ...] = ()
    levels: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.actions)

    @property
    def n_episodes(self) -> int:
        return len(np.unique(self.episodes))

    def first(self, n_episodes: int) -> Demonstrations:
        """The rows of the first ``n_episodes`` episodes (budgets are nested)."""
        keep = self.episodes < n_episodes
        return Demonstrations(
            self.frames[keep],
            self.actions[keep],
            self.cells[keep],
            self.episodes[keep],
            self.level_seeds[:n_episodes],
            self.levels[:n_episodes],
        )


def collect_demonstrations(env: gym.Env, level_seeds: Sequence[int]) -> Demonstrations:
    """Play the game's exact expert on each level and record every decision. Refused once the
    first episode shows that all of them would take more memory than the ceiling allows
    (their screens, kept twice while they are stacked)."""
    game = env.unwrapped
    frames, actions, cells, episodes, levels = [], [], [], [], []
    for episode, seed in enumerate(level_seeds):
        obs, info = env.reset(seed=int(seed))
        levels.append(game.level_key())
        plan = game.expert_plan()
        if not plan:
            raise ValueError(f"level seed {seed} has no solution; cannot demonstrate it")
        for action in plan:
            frames.append(obs)
            cells.append(info["scene"].grid.astype(np.int64))
            actions.append(int(action))
            episodes.append(episode)
            obs, _, _, _, info = env.step(action)
        _check_room(frames[-1].nbytes + cells[-1].nbytes, len(frames), episode + 1, level_seeds)
    return Demonstrations(
        np.stack(frames),
        np.asarray(actions, dtype=np.int64),
        np.stack(cells),
        np.asarray(episodes, dtype=np.int64),
        tuple(int(s) for s in level_seeds),
        tuple(levels),
    )


def _check_room(row: int, rows: int, done: int, level_seeds: Sequence[int]) -> None:
    """Refuse demonstrations whose screens would take more memory than the ceiling allows,
    projected from the episodes played so far (kept twice while they are stacked)."""
    per_episode = rows / done
    check_memory(
        2 * row * per_episode * len(level_seeds),
        f"{len(level_seeds):,} demonstration episodes of about {per_episode:,.0f} screens "
        f"({row / 2**20:,.2f} MiB each)",
    )


def cell_patches(
    frames: np.ndarray, cells: np.ndarray, episodes: np.ndarray, tile: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct labelled cells of some screens, for a perception that reads each cell
    alone: ``(M, tile, tile, 3)`` uint8 one-cell screens, their ``(M, 1, 1)`` kinds and the
    episode each was first seen in (so validation still holds out whole levels).

    Consecutive screens of an episode repeat almost every cell; keeping each distinct
    (pixels, kind) pair once makes a data set a few hundred times smaller and lets every
    batch show many different cells.
    """
    n, ht, wt, _ = frames.shape
    h, w = ht // tile, wt // tile
    patches = frames.reshape(n, h, tile, w, tile, 3).transpose(0, 1, 3, 2, 4, 5)
    patches = np.ascontiguousarray(patches).reshape(-1, tile * tile * 3)
    kinds = np.asarray(cells, dtype=np.int64).reshape(-1)
    if kinds.size and (kinds.min() < 0 or kinds.max() > 255):
        raise ValueError("cell kinds must lie in 0..255")
    rows = np.concatenate([patches, kinds.astype(np.uint8)[:, None]], axis=1)
    keys = rows.view(np.dtype((np.void, rows.shape[1]))).ravel()
    _, first = np.unique(keys, return_index=True)
    first.sort()  # keep the order in which the cells were seen
    owner = np.repeat(np.asarray(episodes, dtype=np.int64), h * w)
    return (
        patches[first].reshape(-1, tile, tile, 3),
        kinds[first].reshape(-1, 1, 1),
        owner[first],
    )

"""Which levels a seed trains and evaluates on: seeded streams, and levels kept apart by content.

Levels are drawn from seeded streams (``train``, ``rl``, ``eval``, ``distill``), so every
pipeline of a comparison meets the same levels. Disjoint seeds are not disjoint levels: a game
with few distinct levels (MiniGrid's DoorKey-5x5 has 48) draws the same level from many seeds.
So levels are compared by content (:meth:`environments.core.GridGame.level_key`):

- the evaluation levels of a seed are drawn first, each one distinct from the ones before it
  where the game has enough levels;
- every level a pipeline trains on (demonstrations, DAgger's replays of them, distillation's
  levels, PPO's own play) is redrawn while its content is one of the evaluation levels.

Training avoids evaluation rather than the other way round because the evaluation levels are
fixed by the settings alone (episodes, splits, seed): every pipeline and every budget of a
comparison then meets the same evaluation levels, and a bigger budget never moves them. A level
that cannot be kept apart in :data:`REDRAWS` draws (the game has too few levels) is taken
anyway and counted, so a report can state the overlap instead of hiding it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass

import gymnasium as gym
import numpy as np

__all__ = [
    "LEVEL_CHOICE",
    "REDRAWS",
    "STREAMS",
    "Levels",
    "draw_levels",
    "evaluation_levels",
    "held_out",
    "level_seed",
    "training_levels",
]

# Streams keep the levels of different uses apart by seed; content is checked on top of that.
STREAMS = {"train": 1, "rl": 2, "eval": 3, "distill": 4, "play": 5}
# Draws a level gets to differ from what it must avoid: a game whose levels are at least a
# few times more than those to avoid succeeds on the first draws; one where every draw fails
# this often has run out of levels (the chance a free level is missed 32 times running, when
# half the levels are free, is 2e-10).
REDRAWS = 32
# The way levels are chosen, in every comparison's settings hash: 2 keeps training off the
# evaluation levels by content (1, before it, kept only the seed streams apart).
LEVEL_CHOICE = 2


def level_seed(seed: int, stream: str, index: int, draw: int = 0) -> int:
    """The reset seed of level ``index`` of ``stream`` (``draw`` > 0: its redraws)."""
    entropy = [seed, STREAMS[stream], index] + ([draw] if draw else [])
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


@dataclass(frozen=True)
class Levels:
    """Levels drawn for one use: their reset seeds and content keys, and which of them could
    not be kept apart from what they were to avoid."""

    seeds: tuple[int, ...]
    keys: tuple[str, ...]
    clashes: frozenset[str] = frozenset()  # keys taken although they were to be avoided

    def __len__(self) -> int:
        return len(self.seeds)

    @property
    def distinct(self) -> int:
        return len(set(self.keys))


def draw_levels(
    env: gym.Env,
    seed: int,
    stream: str,
    count: int,
    *,
    avoid: Collection[str] = frozenset(),
    distinct: bool = False,
) -> Levels:
    """``count`` levels of ``stream`` for ``seed``, each redrawn while its content is in
    ``avoid`` (or, with ``distinct``, repeats one drawn before it). Leaves ``env`` needing
    a reset."""
    seeds: list[int] = []
    keys: list[str] = []
    clashes: set[str] = set()
    for index in range(count):
        chosen = repeat = None  # (seed, key): a fresh level; one that repeats an earlier one
        for draw in range(REDRAWS):
            candidate = level_seed(seed, stream, index, draw)
            key = _key(env, candidate)
            if key in avoid:
                continue
            if distinct and key in keys:
                repeat = repeat or (candidate, key)
                continue
            chosen = (candidate, key)
            break
        chosen = chosen or repeat
        if chosen is None:  # every draw was a level to avoid: take the first, and say so
            candidate = level_seed(seed, stream, index)
            chosen = (candidate, _key(env, candidate))
            clashes.add(chosen[1])
        seeds.append(chosen[0])
        keys.append(chosen[1])
    return Levels(tuple(seeds), tuple(keys), frozenset(clashes))


def _key(env: gym.Env, seed: int) -> str:
    return env.unwrapped.peek_level(seed)


def evaluation_levels(env: gym.Env, seed: int, episodes: int) -> Levels:
    """The ``episodes`` evaluation levels of ``seed`` on ``env``: each distinct from the
    ones before it where the game has enough levels. Every pipeline meets these."""
    return draw_levels(env, seed, "eval", episodes, distinct=True)


def training_levels(
    env: gym.Env, seed: int, count: int, held_out: Collection[str] = frozenset()
) -> Levels:
    """The first ``count`` training levels of ``seed``, none of them a ``held_out`` level
    where the game has enough levels (budgets are nested: 3 levels are the first 3 of 10)."""
    return draw_levels(env, seed, "train", count, avoid=held_out)


def held_out(envs: Iterable[gym.Env], seed: int, episodes: int) -> frozenset[str]:
    """The content keys of every evaluation level of ``seed`` on each of ``envs`` (a
    comparison's splits): what no training level of that seed may be."""
    return frozenset(k for env in envs for k in evaluation_levels(env, seed, episodes).keys)

"""What abduction is asked and what it concludes, for every way it reads a game: how hard it
looks (``AbductionConfig``), the reading it returns (``Reading``), the demonstrations cut into
their episodes, and the check of a reading by the rules (``consistent_steps``: at which steps
the reasoner, shown the screens as read, plans the expert's action). Both readers,
:mod:`compose.abduction.reading` (kinds that look alike) and :mod:`compose.abduction.clusters`
(handwriting), build on this module and on nothing of each other's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from compose.common.symbols import reading_decoder
from environments.core import Scene
from environments.spec import GameSpec
from neural.data import Demonstrations
from symbolic.reasoner import Reasoner

__all__ = [
    "DEFAULT_ABDUCTION",
    "MAX_KINDS",
    "AbductionConfig",
    "Reading",
    "consistent_steps",
    "episode_part",
    "episode_rows",
]

# The search tries every kind for every appearance group: beyond this many kinds (MiniGrid has
# 45: eleven objects in six colours and three door states) it is too slow to offer.
MAX_KINDS = 16


@dataclass(frozen=True)
class AbductionConfig:
    """How hard abduction looks; one line per knob."""

    threshold: float = 60.0  # widest appearance group (distance between cell descriptions)
    sample_steps: int = 40  # steps of an episode its reading is scored on, at most
    passes: int = 4  # coordinate-ascent passes over the groups, at most
    joint: int = 6000  # readings of the objects and the agent tried jointly, at most


DEFAULT_ABDUCTION = AbductionConfig()


@dataclass
class Reading:
    """What abduction concluded about a set of demonstrations."""

    labels: np.ndarray  # (N, H, W) the abduced kind of every demonstration cell
    agreement: float  # share of scored steps where the reasoner chose the expert's action
    groups: int  # appearance groups found
    ambiguous_cells: int  # cells whose group's kind no decision pinned down
    evaluations: int  # readings scored
    seconds: float
    # (N,) the rows of the episodes the reading explains (see ``Scorer.explained``)
    explained: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    extra: dict[str, float] = field(default_factory=dict)


def episode_rows(demos: Demonstrations) -> list[np.ndarray]:
    """The rows of every episode of ``demos``, in order of episode number."""
    return [np.flatnonzero(demos.episodes == e) for e in np.unique(demos.episodes)]


def episode_part(demos: Demonstrations, rows: np.ndarray) -> Demonstrations:
    """The demonstrations' ``rows`` (one episode's) as demonstrations of their own."""
    return Demonstrations(
        demos.frames[rows], demos.actions[rows], demos.cells[rows], demos.episodes[rows]
    )


def consistent_steps(
    game: GameSpec, reasoner: Reasoner, grids: np.ndarray, demos: Demonstrations
) -> np.ndarray:
    """Which demonstration steps the reasoner, given ``grids`` (``(N, H, W)`` kinds), plans the
    expert's action for (what the agent holds tracked through each episode where hidden)."""
    decoder = reading_decoder(game)
    eye = np.eye(game.num_kinds, dtype=np.float32)
    ok = np.zeros(len(demos), dtype=bool)
    carry: tuple[str, ...] = ()
    for i in range(len(demos)):
        if i == 0 or demos.episodes[i] != demos.episodes[i - 1]:
            carry = ()
        try:
            scene = decoder(game, eye[grids[i]])
            if game.hidden_inventory:
                scene = Scene(game, scene.grid, scene.agent, carry)
            reasoner.reset()
            decision = reasoner.decide(scene)
            ok[i] = bool(decision.plan) and decision.action == int(demos.actions[i])
            if game.hidden_inventory:
                carry = reasoner.carried_after(scene, int(demos.actions[i]))
        except (ValueError, KeyError, IndexError, AssertionError):
            ok[i] = False
    return ok

"""Grid-world games with a pixel observation and a ground-truth symbolic scene.

Each game is a :class:`GameSpec` declared in its own file; importing this package registers
every variant of every game with Gymnasium under ``neurocomp/<Game>-<variant>-v0``.
"""

from __future__ import annotations

from environments.appearance import APPEARANCES, Brush
from environments.core import AgentGame, GridGame, Scene
from environments.errors import (
    InvalidActionError,
    InvalidVariantError,
    NeurocompError,
    UnknownEnvironmentError,
    UnknownKindError,
    UnsolvableLevelError,
)
from environments.keydoor import KEYDOOR, KeyDoorEnv
from environments.registry import (
    describe,
    env_ids,
    game_of,
    games,
    make,
    register_envs,
    seen_as,
    specs,
)
from environments.spec import MOVES, Actions, GameSpec, KindSpec, Split, Traits, Variant

__all__ = [
    "APPEARANCES",
    "KEYDOOR",
    "MOVES",
    "Actions",
    "AgentGame",
    "Brush",
    "GameSpec",
    "GridGame",
    "InvalidActionError",
    "InvalidVariantError",
    "KeyDoorEnv",
    "KindSpec",
    "NeurocompError",
    "Scene",
    "Split",
    "Traits",
    "UnknownEnvironmentError",
    "UnknownKindError",
    "UnsolvableLevelError",
    "Variant",
    "describe",
    "env_ids",
    "game_of",
    "games",
    "make",
    "register_envs",
    "seen_as",
    "specs",
]

register_envs()

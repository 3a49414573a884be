"""Grid-world games with a pixel observation and a ground-truth symbolic scene.

Importing this package registers every game with Gymnasium under ``neurocomp/<Game>-<variant>-v0``.
"""

from __future__ import annotations

from environments.appearance import APPEARANCES
from environments.core import MOVES, Action, GridWorldEnv, Kind, Scene
from environments.errors import (
    InvalidVariantError,
    NeurocompError,
    UnknownEnvironmentError,
    UnsolvableLevelError,
)
from environments.expert import expert_action, expert_plan
from environments.keydoor import KeyDoorEnv
from environments.registry import describe, env_ids, make, register_envs

__all__ = [
    "APPEARANCES",
    "MOVES",
    "Action",
    "GridWorldEnv",
    "InvalidVariantError",
    "KeyDoorEnv",
    "Kind",
    "NeurocompError",
    "Scene",
    "UnknownEnvironmentError",
    "UnsolvableLevelError",
    "describe",
    "env_ids",
    "expert_action",
    "expert_plan",
    "make",
    "register_envs",
]

register_envs()

"""Which MiniGrid ids play as the MiniGrid game, made how, and how they group into families
of larger or harder ids (the game's evaluation splits)."""

from __future__ import annotations

import difflib
import re
import warnings

import gymnasium as gym

from environments.errors import InvalidVariantError, UnknownEnvironmentError, clip

with warnings.catch_warnings():  # MiniGrid registers a few deprecated ids on import
    warnings.simplefilter("ignore")
    import minigrid  # noqa: F401  (registers MiniGrid's ids with Gymnasium)
    from minigrid.minigrid_env import MiniGridEnv

__all__ = ["family", "make_inner", "playable", "split_name"]


def make_inner(env_id: str, max_steps: int | None) -> MiniGridEnv:
    if env_id not in gym.registry or not env_id.startswith("MiniGrid-"):
        known = [i for i in gym.registry if i.startswith("MiniGrid-")]
        close = difflib.get_close_matches(env_id, known, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise UnknownEnvironmentError(f"{clip(env_id)} is not a registered MiniGrid id.{hint}")
    reason = playable(env_id)
    if reason:
        raise InvalidVariantError(
            f"{env_id} cannot be played as a MiniGrid game of Neurocomp: {reason}"
        )
    kwargs = {} if max_steps is None else {"max_steps": max_steps}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gym.make(env_id, disable_env_checker=True, **kwargs).unwrapped


def playable(env_id: str) -> str | None:
    """Why a MiniGrid id cannot be played (None: it can), from its class alone."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entry = gym.spec(env_id).entry_point
    cls = gym.envs.registration.load_env_creator(entry) if isinstance(entry, str) else entry
    if isinstance(cls, type) and cls.step is not MiniGridEnv.step:
        return (
            f"its class {cls.__name__} overrides step(), so it moves things or wins in ways the "
            "rules here do not state (only walls, floors, doors, keys, balls, boxes, lava and "
            "a goal to reach are modelled)"
        )
    return None


def family(env_id: str) -> tuple[str, tuple[int, ...]]:
    """``MiniGrid-DoorKey-8x8-v0`` -> ``("MiniGrid-DoorKey-#x#", (8, 8))``."""
    stem = re.sub(r"-v\d+$", "", env_id)
    return re.sub(r"\d+", "#", stem), tuple(int(n) for n in re.findall(r"\d+", stem))


def split_name(env_id: str) -> str:
    """``MiniGrid-DoorKey-8x8-v0`` -> ``doorkey-8x8``."""
    return re.sub(r"-v\d+$", "", env_id).removeprefix("MiniGrid-").lower()

"""Registration of every Neurocomp game with Gymnasium, in one place.

``import environments`` registers the ids below, so ``gymnasium.make("neurocomp/KeyDoor-8x8-v0")``
works. :func:`make` adds what Gymnasium lacks: a typed error with a "did you mean" for unknown ids
and bad variant keywords.
"""

from __future__ import annotations

import difflib
from typing import Any

import gymnasium as gym

from environments.errors import InvalidVariantError, NeurocompError, UnknownEnvironmentError

__all__ = ["NAMESPACE", "describe", "env_ids", "make", "register_envs", "spec"]

NAMESPACE = "neurocomp"

# id suffix -> (entry point, kwargs, one-line description)
_GAMES: dict[str, tuple[str, dict[str, Any], str]] = {
    f"KeyDoor-{n}x{n}-v0": (
        "environments.keydoor:KeyDoorEnv",
        {"size": n},
        f"{n}x{n} room split by a wall: fetch the key, open the door, reach the goal, avoid lava",
    )
    for n in (6, 8, 10, 12, 14, 16)
}


def register_envs() -> None:
    """Register every game with Gymnasium (safe to call more than once)."""
    for name, (entry_point, kwargs, _) in _GAMES.items():
        env_id = f"{NAMESPACE}/{name}"
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=entry_point, kwargs=kwargs)


def env_ids() -> list[str]:
    """Every registered Neurocomp id, in registration order."""
    return [f"{NAMESPACE}/{name}" for name in _GAMES]


def describe(env_id: str) -> str:
    """The one-line description of a registered id."""
    return _GAMES[_check(env_id).removeprefix(f"{NAMESPACE}/")][2]


def spec(env_id: str) -> gym.envs.registration.EnvSpec:
    """Gymnasium's spec for a registered id (raises UnknownEnvironmentError otherwise)."""
    return gym.spec(_check(env_id))


def make(env_id: str, **kwargs: Any) -> gym.Env:
    """Create a registered environment, unwrapped, with variant keywords such as ``lava=4``.

    Raises :class:`UnknownEnvironmentError` (with close matches) for an unknown id and
    :class:`InvalidVariantError` for keywords the game does not take or values it rejects.
    """
    env_spec = spec(env_id)
    try:
        return gym.make(env_spec, disable_env_checker=True, **kwargs).unwrapped
    except NeurocompError:
        raise
    except TypeError as err:  # an unexpected keyword argument
        raise InvalidVariantError(f"{env_id}: {err}") from err


def _check(env_id: str) -> str:
    known = env_ids()
    if env_id in known:
        return env_id
    # Let people leave out the namespace.
    if f"{NAMESPACE}/{env_id}" in known:
        return f"{NAMESPACE}/{env_id}"
    close = difflib.get_close_matches(env_id, known, n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownEnvironmentError(
        f"unknown environment id {env_id!r}.{hint} Run `neurocomp envs` to list them all."
    )

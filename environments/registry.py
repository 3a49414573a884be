"""Registration of every Neurocomp game with Gymnasium, in one place.

A game is registered by naming its specification below (one line per game); every variant it
declares becomes an id ``neurocomp/<Title>-<variant>-v0``, so ``gymnasium.make(...)`` works.
:func:`make` adds what Gymnasium lacks: a typed error with a "did you mean" for unknown ids and
bad variant keywords, and values of the wrong type refused by the types the game's constructor
declares (see :mod:`environments.keywords`) before it runs.
"""

from __future__ import annotations

import difflib
import importlib
from functools import cache
from typing import Any

import gymnasium as gym

from environments.errors import (
    InvalidVariantError,
    NeurocompError,
    UnknownEnvironmentError,
    clip,
)
from environments.keywords import check_keywords
from environments.spec import GameSpec, Variant

__all__ = [
    "GAMES",
    "NAMESPACE",
    "describe",
    "env_ids",
    "find_game",
    "game_of",
    "games",
    "make",
    "seen_as",
    "spec",
    "specs",
]

NAMESPACE = "neurocomp"

# One line per game: where its specification lives.
GAMES = (
    "environments.keydoor:KEYDOOR",
    "environments.pacmaze:PACMAZE",
    "environments.lightsout:LIGHTSOUT",
    "environments.sudoku:SUDOKU",
    "environments.sudoku:SUDOKU9",
    "environments.farama_minigrid:MINIGRID",
)


@cache
def games() -> tuple[GameSpec, ...]:
    """Every registered game's specification, in registration order."""
    found = []
    for entry in GAMES:
        module, _, name = entry.partition(":")
        found.append(getattr(importlib.import_module(module), name))
    return tuple(found)


def seen_as(game: GameSpec, view: str = "full") -> GameSpec:
    """The specification of ``game`` seen through ``view`` (``full``: the game itself)."""
    if view == "full":
        return game
    if view not in game.views:
        have = ", ".join(["full", *game.views])
        raise InvalidVariantError(
            f"{game.title} has no view {clip(view)}; its views: {have}"
            + ("" if game.views else " (only MiniGrid ids are seen any other way)")
        )
    module, _, name = game.views[view].partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


@cache
def specs() -> tuple[GameSpec, ...]:
    """Every game's specification and every view's (checkpoints name either)."""
    return tuple(s for g in games() for s in (g, *(seen_as(g, v) for v in g.views)))


@cache
def _variants() -> dict[str, tuple[GameSpec, Variant]]:
    return {game.env_id(v): (game, v) for game in games() for v in game.variants}


_adopted: dict[str, tuple[GameSpec, Variant]] = {}  # ids of other suites, as they are asked for


def _known() -> dict[str, tuple[GameSpec, Variant]]:
    return {**_variants(), **_adopted}


def register_envs() -> None:
    """Register every variant of every game with Gymnasium (safe to call more than once)."""
    for env_id, (game, variant) in _known().items():
        if env_id not in gym.registry:
            gym.register(id=env_id, entry_point=game.entry_point, kwargs=dict(variant.kwargs))


def _adopt(env_id: str) -> str | None:
    """``neurocomp/<env_id>`` for an id of a suite a game adopts (e.g. any MiniGrid id),
    registered on first use; None if no game adopts it."""
    for game in games():
        if game.adopts and env_id.startswith(game.adopts) and env_id in gym.registry:
            ours = f"{NAMESPACE}/{env_id}"
            suffix = env_id.removeprefix(game.adopts[0]).rsplit("-v", 1)[0]
            variant = Variant(suffix, {"env_id": env_id}, f"{suffix} (adopted from {game.title})")
            _adopted[ours] = (game, variant)
            register_envs()
            return ours
    return None


def env_ids() -> list[str]:
    """Every id a game declares, in registration order (adopted ids are made on first use)."""
    return list(_variants())


def describe(env_id: str) -> str:
    """A one-line description of a registered id."""
    key = _check(env_id)  # first: adopting an id adds it to what is known
    game, variant = _known()[key]
    return f"{game.title} {variant.summary}: {game.summary}".replace(" :", ":")


def game_of(env_id: str, view: str = "full") -> GameSpec:
    """The specification of the game a registered id plays, seen through ``view``."""
    key = _check(env_id)  # first: adopting an id adds it to what is known
    return seen_as(_known()[key][0], view)


def find_game(name: str) -> tuple[GameSpec, str | None]:
    """The game ``name`` means -- its name (``keydoor``), its title (``KeyDoor``, in any case)
    or one of its ids -- and the id, if an id was given.

    Raises :class:`UnknownEnvironmentError` with close matches for anything else.
    """
    for game in games():
        if str(name).lower() in (game.name, game.title.lower()):
            return game, None
    try:
        env_id = _check(name)
    except UnknownEnvironmentError:
        pass
    else:
        return _known()[env_id][0], env_id
    words = {w.lower(): w for g in games() for w in (g.title, g.name)}  # sudoku, VisualSudoku
    words |= {i.lower(): i for i in _known()}
    close = difflib.get_close_matches(str(name)[:200].lower(), list(words), n=3, cutoff=0.5)
    close = [words[c] for c in close]
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownEnvironmentError(
        f"unknown game {clip(name)}.{hint} Name a game ({', '.join(g.name for g in games())}) "
        "or one of its ids."
    )


def spec(env_id: str) -> gym.envs.registration.EnvSpec:
    """Gymnasium's spec for a registered id (raises UnknownEnvironmentError otherwise)."""
    return gym.spec(_check(env_id))


def make(env_id: str, **kwargs: Any) -> gym.Env:
    """Create a registered environment, unwrapped, with variant keywords such as ``lava=4``.

    Raises :class:`UnknownEnvironmentError` (with close matches) for an unknown id and
    :class:`InvalidVariantError` for keywords the game does not take, values not of the types
    its constructor declares (refused before it runs) or values it rejects.
    """
    key = _check(env_id)
    game = _known()[key][0]
    check_keywords(game.title, game.entry_point, kwargs)
    env_spec = gym.spec(key)
    try:
        return gym.make(env_spec, disable_env_checker=True, **kwargs).unwrapped
    except NeurocompError:
        raise
    except TypeError as err:  # a keyword or value the check above did not foresee
        raise InvalidVariantError(f"{env_id}: {err}") from err
    except (ValueError, ArithmeticError, LookupError, AttributeError) as err:
        if not kwargs:
            raise
        # A keyword of the right name and the wrong kind of value (size = "8").
        given = ", ".join(f"{k}={clip(v)}" for k, v in kwargs.items())
        raise InvalidVariantError(
            f"{env_id} cannot be made with {given} ({type(err).__name__}: {clip(str(err))}); "
            "`neurocomp envs GAME` lists its ids and the keywords its splits use"
        ) from err


def _check(env_id: str) -> str:
    known = _known()
    if not isinstance(env_id, str):
        raise UnknownEnvironmentError(f"an environment id is a string, not {clip(env_id)}")
    if env_id in known:
        return env_id
    # Let people leave out the namespace, and name the ids of an adopted suite as it does.
    if f"{NAMESPACE}/{env_id}" in known:
        return f"{NAMESPACE}/{env_id}"
    adopted = _adopt(env_id.removeprefix(f"{NAMESPACE}/"))
    if adopted is not None:
        return adopted
    suites = tuple(p for g in games() for p in g.adopts)
    foreign = [i for i in gym.registry if i.startswith(suites)]
    close = difflib.get_close_matches(str(env_id)[:200], [*known, *foreign], n=3, cutoff=0.5)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownEnvironmentError(
        f"unknown environment id {clip(env_id)}.{hint} Run `neurocomp envs` to list them all."
    )

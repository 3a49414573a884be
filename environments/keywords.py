"""The variant keywords a game takes, as the types its constructor declares, and the check that
refuses a keyword it does not take, or a value of the wrong type, in one line before it runs.

A game declares its keywords once: as the typed parameters of its environment class's
``__init__``, and, through ``**kwargs``, its base classes' keyword-only ones (``GridGame``'s
appearance, tile, max_steps and render_mode). A parameter a class fills in for its base (the
``height`` and ``width`` a game passes on) is positional there, so it is not one of the game's
keywords. Whether a value of the right type is in range stays the constructor's to judge.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import types
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

import numpy as np

from environments.errors import InvalidVariantError, clip

__all__ = ["check_keywords", "keywords"]


@cache
def keywords(entry_point: str) -> dict[str, Any]:
    """Each keyword the class ``entry_point`` (``"module:Class"``) takes -> its declared type."""
    module, _, name = entry_point.partition(":")
    cls = getattr(importlib.import_module(module), name)
    found: dict[str, Any] = {}
    mine = True  # the class's own parameters, then those its **kwargs pass on
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if klass is object or init is None:
            continue
        hints = typing.get_type_hints(init)
        params = list(inspect.signature(init).parameters.values())[1:]  # after self
        for p in params:
            if p.kind is p.KEYWORD_ONLY or (mine and p.kind is p.POSITIONAL_OR_KEYWORD):
                found.setdefault(p.name, hints.get(p.name, Any))
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
        mine = False
    return found


def check_keywords(title: str, entry_point: str, given: Mapping[str, Any]) -> None:
    """Raise :class:`InvalidVariantError` for the first keyword in ``given`` that the game
    (``title``, made by ``entry_point``) does not take or whose value is not of its type."""
    declared = keywords(entry_point)
    for name, value in given.items():
        if name not in declared:
            close = difflib.get_close_matches(str(name), list(declared), n=1, cutoff=0.6)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise InvalidVariantError(
                f"{title} takes no keyword {clip(name)}.{hint} Its keywords: {', '.join(declared)}"
            )
        if not _fits(value, declared[name]):
            raise InvalidVariantError(
                f"{name} must be {_words(declared[name])}, got {clip(value)}{_kind(value)}"
            )


def _fits(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the type ``hint`` (True for a hint this check does not read)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_fits(value, h) for h in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if hint is None or hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool | np.bool_)
    if hint is int:  # numpy's integers are integers; True is not
        return isinstance(value, int | np.integer) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
            value, bool
        )
    if origin is tuple:
        if not isinstance(value, tuple | list):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_fits(v, args[0]) for v in value)
        return len(value) == len(args) and all(map(_fits, value, args))
    if isinstance(hint, type) and hint is not object:
        return isinstance(value, hint)
    return True


_WORDS = {int: "an integer", bool: "True or False", str: "a string", float: "a number"}


def _words(hint: Any) -> str:
    """The type ``hint`` in words: ``int | tuple[int, int]`` -> an integer or a pair of integers."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_words(h) for h in args)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in args)
    if hint is None or hint is type(None):
        return "None"
    if origin is tuple and args:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a sequence of {_plural(args[0])}"
        if len(set(args)) == 1:
            many = "pair" if len(args) == 2 else f"tuple of {len(args)}"
            return f"a {many} of {_plural(args[0])}"
    return _WORDS.get(hint, f"a {getattr(hint, '__name__', hint)}")


def _plural(hint: Any) -> str:
    return {int: "integers", str: "strings", float: "numbers"}.get(hint, f"{_words(hint)}s")


def _kind(value: Any) -> str:
    """What a value given is, in words, to follow it: `` (a string)``."""
    if value is None:
        return ""
    words = {bool: "a boolean", str: "a string", int: "an integer", float: "a float"}
    name = type(value).__name__
    return f" ({words.get(type(value), ('an ' if name[0] in 'aeiou' else 'a ') + name)})"

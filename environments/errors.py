"""The root of Neurocomp's error hierarchy and the errors raised by the grid worlds.

Every error a user can cause derives from :class:`NeurocompError`, so the CLI catches one class
and prints its message instead of a traceback. The other packages (``symbolic``, ``neural``,
``compose``) add their own subclasses in their own ``errors`` modules; this one sits here because
``environments`` is the package every other one may import.
"""

from __future__ import annotations

__all__ = [
    "InvalidActionError",
    "InvalidVariantError",
    "MemoryCeilingError",
    "NeurocompError",
    "UnknownEnvironmentError",
    "UnknownKindError",
    "UnsolvableLevelError",
    "clip",
]

QUOTE_LIMIT = 60  # characters of a user's value a message quotes


def clip(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` for a message, cut to ``limit`` characters: a 5,000-character id quoted
    back in full helps nobody."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text)} characters)"


class NeurocompError(Exception):
    """Base class for every error Neurocomp raises on bad input or a failed run."""


class UnknownEnvironmentError(NeurocompError, KeyError):
    """An environment id that is not registered."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class InvalidVariantError(NeurocompError, ValueError):
    """A variant keyword (size, lava count, appearance, ...) outside what the game supports."""


class MemoryCeilingError(NeurocompError, MemoryError):
    """Work that would take more memory than the ceiling allows, refused before it does."""


class UnsolvableLevelError(NeurocompError, RuntimeError):
    """The level generator could not produce a solvable level with the requested settings."""


class UnknownKindError(NeurocompError, ValueError):
    """A kind of cell (or a glyph standing for one) that the game's specification does not know."""


class InvalidActionError(NeurocompError, ValueError):
    """An action outside the game's action space."""

"""Python values as Prolog text that cannot be anything but data.

Every value from outside (a file name, a kind, a user's string) reaches Prolog through
:func:`to_prolog`: strings become quoted atoms with every quote, backslash, control and non-ASCII
character escaped, so no input can close the quote and add a goal (``a), halt, (b`` stays one
atom). Query text is therefore pure ASCII whatever the data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "PrologString",
    "Term",
    "Var",
    "conjunction",
    "position",
    "quote_atom",
    "quote_string",
    "show",
    "to_prolog",
]

_VAR_NAME = re.compile(r"[A-Z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class Var:
    """A named Prolog variable, e.g. ``Var("X")``."""

    name: str

    def __post_init__(self) -> None:
        if not _VAR_NAME.match(self.name):
            raise ValueError(f"{self.name!r} is not a Prolog variable name")


@dataclass(frozen=True)
class Term:
    """A compound term ``functor(args...)``; with no args, the atom ``functor``."""

    functor: str
    args: tuple[object, ...] = ()

    def __init__(self, functor: str, *args: object) -> None:
        object.__setattr__(self, "functor", functor)
        object.__setattr__(self, "args", args)


def conjunction(*goals: Term) -> Term:
    """``(G1, G2, ..., Gn)`` as one goal."""
    out = goals[-1]
    for goal in reversed(goals[:-1]):
        out = Term(",", goal, out)
    return out


def position(value: object) -> tuple[int, int] | None:
    """A ``Row-Col`` answer (as :meth:`RuleSet.ask` returns it) as ``(row, col)``; None if the
    answer is anything else."""
    if isinstance(value, dict) and value.get("functor") == "-" and len(value["args"]) == 2:
        row, col = value["args"]
        if isinstance(row, int) and isinstance(col, int):
            return row, col
    return None


def show(value: object) -> str:
    """A JSON answer of :meth:`RuleSet.ask` written back roughly as Prolog, for messages."""
    if isinstance(value, dict) and "functor" in value:
        args = value["args"]
        if value["functor"] == "-" and len(args) == 2:
            return f"{show(args[0])}-{show(args[1])}"
        return f"{value['functor']}({', '.join(show(a) for a in args)})"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return "_" if value is None else str(value)


@dataclass(frozen=True)
class PrologString:
    """A Prolog string object (``"text"``), rather than an atom."""

    text: str


def _unpassable(code: int) -> bool:
    """NUL, lone surrogates, and U+D8000..U+DFFFF, which SWI-Prolog 9.0's reader rejects as
    "Illegal character code" even when escaped (unassigned code points; measured)."""
    return code == 0 or 0xD800 <= code <= 0xDFFF or 0xD8000 <= code <= 0xDFFFF


def _escape(text: str, quote: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if _unpassable(code):
            raise ValueError(
                f"character U+{code:04X} cannot be passed to Prolog "
                "(NUL, lone surrogates and U+D8000..U+DFFFF are refused)"
            )
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= code < 0x7F:
            out.append(ch)
        else:
            out.append(f"\\x{code:x}\\")
    return "".join(out)


def quote_atom(text: str) -> str:
    """``text`` as a quoted Prolog atom."""
    return "'" + _escape(text, "'") + "'"


def quote_string(text: str) -> str:
    """``text`` as a Prolog string."""
    return '"' + _escape(text, '"') + '"'


def to_prolog(value: object) -> str:
    """Serialise a Python value as Prolog text.

    ``str`` → quoted atom, ``bool`` → ``true``/``false``, ``int``/``float`` → number,
    ``list``/``tuple`` → list, :class:`Term` → compound, :class:`Var` → variable,
    :class:`PrologString` → string.
    """
    if isinstance(value, Var):
        return value.name
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return quote_atom(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{value} has no Prolog representation")
        return repr(value)
    if isinstance(value, PrologString):
        return quote_string(value.text)
    if isinstance(value, Term):
        if not value.args:
            return quote_atom(value.functor)
        return quote_atom(value.functor) + "(" + ",".join(to_prolog(a) for a in value.args) + ")"
    if isinstance(value, Sequence):
        return "[" + ",".join(to_prolog(v) for v in value) + "]"
    raise TypeError(f"cannot pass a {type(value).__name__} to Prolog")

"""The hypothesis language: which clauses the rule learner may write, declared in a file.

A language names the head predicates to learn (the questions a reasoner asks) and the
background predicates a body may use, each with its argument types, and bounds the search:
body literals and variables per clause, clauses per head. A file that is malformed or asks for
a search with no bound is refused (:class:`~symbolic.errors.LanguageError`) before anything is
searched. The packaged language for agent games is ``symbolic/induction/language.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from symbolic.errors import LanguageError

__all__ = [
    "FACING_LANGUAGE_PATH",
    "GROUPS_LANGUAGE_PATH",
    "LANGUAGE_PATH",
    "MOVERS_LANGUAGE_PATH",
    "TOGGLES_LANGUAGE_PATH",
    "TYPES",
    "Language",
    "language_path",
    "load_language",
    "refusal",
]

LANGUAGE_PATH = Path(__file__).with_name("language.toml")  # agent games
TOGGLES_LANGUAGE_PATH = Path(__file__).with_name("toggles.toml")  # games that press cells
MOVERS_LANGUAGE_PATH = Path(__file__).with_name("movers.toml")  # agent games with moving pieces
GROUPS_LANGUAGE_PATH = Path(__file__).with_name("groups.toml")  # games that write values
FACING_LANGUAGE_PATH = Path(__file__).with_name("facing.toml")  # agents with a heading
# Argument types: a kind (a constant seen in the transitions, or a variable), the agent's
# inventory (a list of kinds), a position Row-Col, a size Height-Width, a direction (its
# constants given by the language), a value (an integer an action writes), an action (as
# named by the game) and an integer (a step along an axis). Constants of a type come from the
# transitions and from the language's ``constants``.
TYPES = ("kind", "inventory", "pos", "size", "direction", "value", "action", "int")
_NAME = re.compile(r"[a-z][a-z0-9_]*\Z")
MAX_BODY = 3  # more literals per clause than this is not a search this learner can bound


class Language(BaseModel):
    """A declared hypothesis language (see ``language.toml`` for what each field means)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    heads: dict[str, tuple[str, ...]] = Field(min_length=1)
    body: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    max_body: int = Field(1, ge=0, le=MAX_BODY)
    max_vars: int = Field(2, ge=1, le=6)
    max_clauses: int = Field(12, ge=1, le=64)
    negation: bool = True
    error_cost: int = Field(3, ge=1, le=1000)
    # types of which a body may introduce a variable the head lacks (e.g. a direction)
    fresh: tuple[str, ...] = ()
    # constants of a type, given by the language (e.g. the four directions)
    constants: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    # questions of the reasoner the shared background answers from the heads (solution/2)
    derived: tuple[str, ...] = ()

    @field_validator("derived")
    @classmethod
    def _derived_indicators(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [q for q in v if not re.fullmatch(r"[a-z][a-z0-9_]*/[0-9]", q)]
        if bad:
            raise ValueError(f"{bad[0]!r} is not a predicate indicator such as solution/2")
        return v

    @field_validator("fresh")
    @classmethod
    def _fresh_types(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [t for t in v if t not in TYPES]
        if unknown:
            raise ValueError(f"unknown type {unknown[0]!r}; types are {', '.join(TYPES)}")
        return v

    @field_validator("constants")
    @classmethod
    def _constant_names(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for t, values in v.items():
            if t not in TYPES:
                raise ValueError(f"unknown type {t!r}; types are {', '.join(TYPES)}")
            bad = [c for c in values if not _NAME.match(c)]
            if bad or len(values) > 64:
                raise ValueError(f"{t}: constants are up to 64 lower-case names, not {bad[:1]}")
        return v

    # per predicate, each argument's mode: "+" bound when called, "-" bound by the call, ""
    # either (written as a prefix of the type in the file: "+pos")
    modes: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _split_modes(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        modes: dict[str, tuple[str, ...]] = {}
        for part in ("heads", "body"):
            table = data.get(part)
            if not isinstance(table, dict):
                continue
            plain = {}
            for name, types in table.items():
                if not isinstance(types, list | tuple) or not all(
                    isinstance(t, str) for t in types
                ):
                    plain[name] = types
                    continue
                plain[name] = [t.lstrip("+-") for t in types]
                modes[name] = tuple(t[0] if t[:1] in ("+", "-") else "" for t in types)
            data[part] = plain
        data.setdefault("modes", modes)
        return data

    @field_validator("heads", "body")
    @classmethod
    def _predicates(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for name, types in v.items():
            if not _NAME.match(name):
                raise ValueError(f"{name!r} is not a predicate name (lower case, a-z0-9_)")
            if not 1 <= len(types) <= 5:
                raise ValueError(f"{name} takes 1 to 5 arguments, not {len(types)}")
            unknown = [t for t in types if t not in TYPES]
            if unknown:
                raise ValueError(
                    f"{name}: unknown argument type {unknown[0]!r}; types are {', '.join(TYPES)}"
                )
        return v

    def indicators(self) -> tuple[str, ...]:
        """The head predicates as indicators (``blocks/2``), as a reasoner's questions are."""
        return tuple(f"{name}/{len(types)}" for name, types in self.heads.items())

    def describe(self) -> dict[str, Any]:
        """The language as the ledger counts it."""
        return {
            "heads": list(self.indicators()),
            "body": [f"{name}/{len(types)}" for name, types in self.body.items()],
            "max_body": self.max_body,
            "max_vars": self.max_vars,
            "negation": self.negation,
        }


def load_language(
    source: str | Path | Mapping[str, Any] | None = None, *, needs: tuple[str, ...] = ()
) -> Language:
    """A language from a TOML file (default: the packaged one) or a mapping. ``needs`` lists
    the head indicators a reasoner asks about (``blocks/2``): a language lacking one of them
    could not learn a usable rule file, so it is refused too."""
    name = "hypothesis language"
    if source is None or isinstance(source, str | Path):
        path = Path(source or LANGUAGE_PATH)
        name = str(path)
        try:
            data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LanguageError(f"{name}: no such file") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise LanguageError(f"{name}: not a TOML file ({e})") from None
    else:
        data = dict(source)
    try:
        language = Language.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise LanguageError(f"{name}: {where}: {first['msg']}") from None
    missing = [q for q in needs if q not in (*language.indicators(), *language.derived)]
    if missing:
        raise LanguageError(
            f"{name}: the reasoner asks about {', '.join(missing)}, which the language has no "
            "head for"
        )
    return language


PACKAGED = (
    LANGUAGE_PATH,
    TOGGLES_LANGUAGE_PATH,
    MOVERS_LANGUAGE_PATH,
    GROUPS_LANGUAGE_PATH,
    FACING_LANGUAGE_PATH,
)


def language_path(questions: tuple[str, ...]) -> Path | None:
    """The packaged language that answers exactly a reasoner's ``questions`` (None if there is
    none: the rules of that game cannot be learned yet)."""
    for path in PACKAGED:
        language = load_language(path)
        heads = set(language.indicators())
        # every question a head or answered by the background; a head no question names
        # only where the background answers a question from it
        if set(questions) <= heads | set(language.derived) and (
            heads <= set(questions) or language.derived
        ):
            return path
    return None


def refusal(
    title: str, questions: tuple[str, ...], supervision: str | None = None, values: int = 0
) -> str | None:
    """Why rules cannot be learned for a game whose reasoner asks ``questions`` (with
    perception learned by ``supervision``; its actions writing one of ``values`` values), or
    None: a packaged language must have a head for every question."""
    if values > 4:  # a board of n values is n x n
        return (
            f"rules are learned for {title} on 4x4 boards so far, not {values}x{values} (the "
            "language's examples of a solved board are written for 4x4)"
        )
    if supervision not in (None, "labels"):
        return (
            "hybrid-induced learns its rules beside perception trained on labelled cells; "
            f"leave out supervision = {supervision!r} (with no cell label at all, "
            "supervision = 'abduced' and rules = 'induced' is hybrid-autonomous)"
        )
    if language_path(questions) is None:
        return (
            "rules are learned so far for KeyDoor (blocks/2, kills/1, collects/1, wins/1), "
            "PacMaze (those but collects/1, with moves/5 and enters/2), LightsOut "
            "(toggles/3, lit/1), Visual Sudoku (digit/2, solution/2) and MiniGrid (blocks/2, "
            "kills/1, wins/1, carries/1, toggles/3, heading/2, turns/3, ahead/3); "
            f"{title}'s reasoner asks {', '.join(questions)}: add a language file for it"
        )
    return None

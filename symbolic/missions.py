"""Missions read by the grammar: what MiniGrid and BabyAI ask of the agent, as goals.

The grammar is a rule file (``symbolic/rules/missions.pl``, a DCG): hand-written knowledge
like the game's rules, and counted in the ledger with them. :func:`read_mission` turns a
mission's words into :class:`Mission` stages: each stage's goals may be done in any order
("go to the red ball and open a door"), and a stage starts when the one before it is done
("..., then ...", "... after you ...").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from symbolic.engine import PrologEngine, RuleSet
from symbolic.errors import MissionError, QueryError
from symbolic.terms import Term, Var, conjunction

__all__ = ["GRAMMAR", "Goal", "Mission", "Thing", "load_grammar", "read_mission", "words"]

GRAMMAR = Path(__file__).with_name("rules") / "missions.pl"
QUESTIONS = ("mission/3", "describes/2", "bounds/1")
PLACES = {"front": "in front of you", "behind": "behind you", "left": "on your left",
          "right": "on your right"}  # fmt: skip


@dataclass(frozen=True)
class Thing:
    """What a mission names: ``type`` (key, ball, box, door, goal), ``colour`` and ``where``
    (left, right, front, behind: from where the agent starts, the way it faces then); any
    part left out is ``"any"``."""

    type: str = "any"
    colour: str = "any"
    where: str = "any"

    def __str__(self) -> str:
        words = [w for w in (self.colour, "object" if self.type == "any" else self.type)]
        place = f" {PLACES[self.where]}" if self.where in PLACES else ""
        return " ".join(w for w in words if w != "any") + place


@dataclass(frozen=True)
class Goal:
    """One thing to do: ``reach`` (a cell that wins), ``goto``, ``pickup``, ``open`` or
    ``put`` (``thing`` next to ``other``)."""

    verb: str
    thing: Thing | None = None
    other: Thing | None = None

    def __str__(self) -> str:
        said = {"reach": "reach the goal", "goto": "go to", "pickup": "pick up", "open": "open"}
        if self.verb == "put":
            return f"put the {self.thing} next to the {self.other}"
        return said[self.verb] + (f" the {self.thing}" if self.thing else "")


@dataclass(frozen=True)
class Mission:
    """A mission's text and its stages of goals."""

    text: str
    stages: tuple[tuple[Goal, ...], ...]

    @property
    def goals(self) -> tuple[Goal, ...]:
        return tuple(g for stage in self.stages for g in stage)

    @property
    def only_reach(self) -> bool:
        return all(g.verb == "reach" for g in self.goals)

    def __str__(self) -> str:
        return ", then ".join(" and ".join(map(str, stage)) for stage in self.stages)


def load_grammar(path: str | None = None) -> RuleSet:
    """The packaged grammar (or a user's), loaded and checked like a rule file."""
    return PrologEngine.get().load_rules(
        path or GRAMMAR,
        required=QUESTIONS,
        asker="the mission reader",
        name=None if path else GRAMMAR.name,
    )


def words(text: str) -> list[str]:
    """``"open a door, then go to the key"`` -> ``open a door , then go to the key``."""
    return re.findall(r"[a-z]+|,|[^\sa-z,]+", text.lower())


def read_mission(grammar: RuleSet, text: str) -> Mission:
    """The goals of ``text``; :class:`MissionError` naming the words the grammar could not
    read if it reads none."""
    said = words(text)
    goal = Var("G")
    try:
        found = grammar.ask(Term("phrase", Term("mission", goal), said), goal)
    except QueryError as e:
        raise MissionError(f"reading the mission {text!r} failed: {e}") from e
    if not found:
        unread = " ".join(said[_readable(grammar, said) :]) or "(nothing: it ends too soon)"
        raise MissionError(
            f"cannot read the mission {text!r}: the grammar ({grammar.source}) reads no "
            f"instruction in {unread!r}"
        )
    return Mission(text, _stages(found[0]))


def _readable(grammar: RuleSet, said: list[str]) -> int:
    """How many of the first words start some instruction the grammar reads."""
    rest, n, sentence = Var("R"), Var("N"), Var("S")
    for k in range(len(said), 0, -1):
        goal = conjunction(
            Term("between", 0, 12, n),
            Term("length", rest, n),
            Term("append", said[:k], rest, sentence),
            Term("phrase", Term("instructions", Var("_")), sentence),
        )
        try:
            if grammar.ask(Term("once", goal), n):
                return k
        except QueryError:
            continue
    return 0


def _stages(term: Any) -> tuple[tuple[Goal, ...], ...]:
    if term == "reach":
        return ((Goal("reach"),),)
    functor, args = term["functor"], term["args"]
    if functor == "then":
        return _stages(args[0]) + _stages(args[1])
    if functor == "both":
        return (tuple(g for part in args for stage in _stages(part) for g in stage),)
    things = [Thing(*t["args"]) for t in args]
    return ((Goal(functor, *things),),)

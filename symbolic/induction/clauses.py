"""The hypothesis side of the rule learner: examples, clauses, and how a clause is made one
step more specific.

An example is a ground atom of a head predicate with how many transitions say it holds and how
many say it does not (an :class:`AnyOf` says one of several atoms holds). A clause is a head with
each argument a typed variable or a constant, and a body of literals over its variables; the
refinement operator binds a head variable to a constant, makes two head variables one, or adds
a literal (with at most one new variable of a type the language lets a body introduce). Kind
constants are whatever names the transitions carry: nothing here reads a name's meaning.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from math import comb

from symbolic.induction.language import Language
from symbolic.terms import quote_atom

__all__ = [
    "AnyOf",
    "Clause",
    "Example",
    "Pair",
    "atom",
    "estimate",
    "most_general",
    "refinements",
    "tally",
]

_VARS = "ABCDEF"


@dataclass(frozen=True)
class Example:
    """A ground atom of a head predicate, e.g. ``blocks(door, [])``, with how many transitions
    say it holds (``positive``) and how many say it does not (``negative``)."""

    head: str  # the predicate's name
    args: tuple[object, ...]  # str (a kind) or tuple[str, ...] (an inventory)
    positive: int = 0
    negative: int = 0

    def atom(self) -> str:
        return f"{self.head}({', '.join(_ground(a) for a in self.args)})"


def tally(counted: Iterable[tuple[str, tuple[object, ...], bool, int]]) -> list[Example]:
    """Examples from counts of ``(head, args, holds, transitions)``: one per atom, its
    positive and negative transitions summed (a count of 0 says nothing)."""
    examples: dict[tuple[str, tuple[object, ...]], Example] = {}
    for head, args, holds, k in counted:
        if not k:
            continue
        e = examples.get((head, args), Example(head, args))
        examples[(head, args)] = Example(
            head, args, e.positive + (k if holds else 0), e.negative + (0 if holds else k)
        )
    return list(examples.values())


@dataclass(frozen=True)
class Pair:
    """A ground ``A-B`` term: a position Row-Col or a size Height-Width."""

    first: int
    second: int

    def __str__(self) -> str:
        return f"{self.first}-{self.second}"


def _ground(value: object) -> str:
    if isinstance(value, Pair | int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(atom(str(v)) for v in value) + "]"
    return atom(str(value))


_PLAIN = re.compile(r"[a-z][a-zA-Z0-9_]*\Z")
_OPERATORS = frozenset({"is", "mod", "rem", "xor", "rdiv", "div", "dynamic", "discontiguous"})


def atom(name: str) -> str:
    """A kind's name as a Prolog atom: bare where that reads the same, quoted otherwise."""
    return name if _PLAIN.match(name) and name not in _OPERATORS else quote_atom(name)


@dataclass(frozen=True)
class AnyOf:
    """An example that says one of several ground atoms of a head holds, ``count`` times:
    "a kind on this board is lit" (the episode went on), without saying which."""

    head: str
    options: tuple[tuple[object, ...], ...]  # the args of each atom, one of which holds
    count: int = 1

    def text(self) -> str:
        return " or ".join(Example(self.head, a).atom() for a in self.options)


# An argument of a clause: ("var", i) is the head's i-th variable, ("const", name) a kind.
Arg = tuple[str, object]
# A body literal: (negated, predicate, args).
Literal = tuple[bool, str, tuple[Arg, ...]]


@dataclass(frozen=True)
class Clause:
    """A candidate or learned clause: a head predicate with variable or constant arguments and
    a body of literals over the head's variables."""

    head: str
    args: tuple[Arg, ...]
    body: tuple[Literal, ...] = ()
    types: tuple[str, ...] = ()  # the type of each variable number (head's first)
    rank: tuple[str, ...] = ()  # body predicates in the order a body calls them

    @property
    def size(self) -> int:
        """What the description length counts: its literals (the head included) and its
        constants, so that a rule over variables costs less than the facts it stands for
        (``turns(left, A, B) :- rightof(B, A)`` against four ``turns(left, east, north)``)."""
        return 1 + len(self.body) + self.constants

    @property
    def constants(self) -> int:
        """How many of its arguments are constants."""
        return sum(a[0] == "const" for a in self._all_args())

    def key(self) -> tuple[object, ...]:
        return (self.head, self.args, frozenset(self.body))

    def variables(self) -> set[int]:
        used = {a[1] for a in self.args if a[0] == "var"}
        for _, _, args in self.body:
            used |= {a[1] for a in args if a[0] == "var"}
        return used  # type: ignore[return-value]

    def text(self) -> str:
        """The clause as Prolog text; a variable that occurs once is written ``_``."""
        counts: dict[object, int] = {}
        for arg in self._all_args():
            if arg[0] == "var":
                counts[arg[1]] = counts.get(arg[1], 0) + 1

        def show(arg: Arg) -> str:
            if arg[0] == "const":
                return str(arg[1]) if isinstance(arg[1], int) else atom(str(arg[1]))
            return _VARS[int(arg[1])] if counts[arg[1]] > 1 else "_"  # type: ignore[index]

        head = f"{self.head}({', '.join(show(a) for a in self.args)})"
        if not self.body:
            return head
        negation = "\\+ "
        order = {p: i for i, p in enumerate(self.rank)}
        lits = [
            (negation if neg else "") + f"{pred}({', '.join(show(a) for a in args)})"
            for neg, pred, args in sorted(self.body, key=lambda lit: (order.get(lit[1], 0), lit))
        ]
        return f"{head} :- {', '.join(lits)}"

    def callable_in(self, modes: dict[str, tuple[str, ...]]) -> bool:
        """Whether the clause runs as written when called with its head's ``+`` arguments
        bound: every ``+`` argument of a body literal (in the order the text calls them) is
        bound by then, and every ``-`` argument of the head is bound at the end."""
        head_modes = modes.get(self.head, ())
        bound = {
            a
            for a, m in zip(self.args, head_modes or ("+",) * len(self.args), strict=True)
            if m != "-"
        }
        order = {p: i for i, p in enumerate(self.rank)}
        for _, pred, args in sorted(self.body, key=lambda lit: (order.get(lit[1], 0), lit)):
            for a, m in zip(args, modes.get(pred, ("",) * len(args)), strict=True):
                if m == "+" and a[0] == "var" and a not in bound:
                    return False
            bound |= {a for a in args if a[0] == "var"}
        return all(
            a[0] == "const" or a in bound
            for a, m in zip(self.args, head_modes or ("",) * len(self.args), strict=True)
            if m == "-"
        )

    def _all_args(self) -> Iterable[Arg]:
        yield from self.args
        for _, _, args in self.body:
            yield from args


def most_general(head: str, types: Sequence[str], language: Language) -> Clause:
    args = tuple(("var", i) for i in range(len(types)))
    return Clause(head, args, (), tuple(types), tuple(language.body))


def refinements(
    clause: Clause, language: Language, constants: dict[str, tuple[str, ...]]
) -> Iterable[Clause]:
    """One step more specific: a head variable bound to a constant of its type (in the body
    too); two head variables of one type made one; or one more body literal over the clause's
    variables, its constants, and at most one new variable of a type the language lets a body
    introduce (``fresh``)."""

    def swap(old: Arg, new: Arg) -> Clause:
        args = tuple(new if a == old else a for a in clause.args)
        body = tuple(
            (neg, pred, tuple(new if a == old else a for a in lits))
            for neg, pred, lits in clause.body
        )
        return Clause(clause.head, args, body, clause.types, clause.rank)

    head_vars = list(dict.fromkeys(a for a in clause.args if a[0] == "var"))
    for arg in head_vars:
        for value in constants.get(clause.types[int(arg[1])], ()):  # type: ignore[call-overload]
            yield swap(arg, ("const", value))
    for i, first in enumerate(head_vars):
        for second in head_vars[i + 1 :]:
            if clause.types[int(first[1])] == clause.types[int(second[1])]:  # type: ignore[call-overload]
                yield swap(second, first)
    if len(clause.body) >= language.max_body:
        return
    used = sorted(clause.variables())
    if len(used) > language.max_vars:
        return
    fresh_number = len(clause.types)
    for pred, types in language.body.items():
        choices = []
        for t in types:
            options: list[Arg] = [("var", v) for v in used if clause.types[v] == t]
            options += [("const", c) for c in constants.get(t, ())]
            if t in language.fresh and len(used) < language.max_vars:
                options.append(("var", fresh_number))
            choices.append(options)
        for args in itertools.product(*choices):
            new = sum(a == ("var", fresh_number) for a in args)
            if new > 1 or not any(a[0] == "var" and a[1] != fresh_number for a in args):
                continue  # one new variable at most, and the literal must touch the clause
            types_after = clause.types + (
                (types[[a == ("var", fresh_number) for a in args].index(True)],) if new else ()
            )
            for neg in (False, True) if language.negation else (False,):
                literal: Literal = (neg, pred, tuple(args))
                if literal in clause.body or (not neg, pred, tuple(args)) in clause.body:
                    continue
                yield Clause(
                    clause.head, clause.args, (*clause.body, literal), types_after, clause.rank
                )


def estimate(language: Language, constants: dict[str, tuple[str, ...]]) -> int:
    """An upper bound on the candidates the language allows one head (the search holds one
    head's at a time): head bindings (and variables made one) times bodies of literals over
    the head's variables, one new variable of a ``fresh`` type and the constants."""
    total = 0
    for types in language.heads.values():
        heads = 2 ** max(len(types) - 1, 0)
        for t in types:
            heads *= 1 + len(constants.get(t, ()))
        literals = 0
        for body_types in language.body.values():
            n = 1
            for t in body_types:
                n *= types.count(t) + (t in language.fresh) + len(constants.get(t, ()))
            literals += n * (2 if language.negation else 1)
        bodies = sum(comb(literals, k) for k in range(min(language.max_body, max(literals, 0)) + 1))
        total = max(total, heads * bodies)  # heads are searched one at a time
    return total

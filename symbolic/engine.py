"""One SWI-Prolog per process, rule sets in modules of their own, every query under a limit.

``PrologEngine.get()`` starts Prolog on first use and loads ``bridge.pl``; the bridge does the
loading, checking and querying (see its header). Each :class:`RuleSet` lives in its own module
(``nc_rs_<n>``) based on ``system``, so two pipelines in one process never see each other's
clauses, nor anything asserted into ``user``; a rule file or query that names a module
(``nc_rs_9:secret(X)``) is refused, trusted or not, so that nothing can reach past its own rule
set. Rules must also be pure -- no assert, retract, global state, random numbers or clocks --
because the reasoners keep the answers they get. Values travel as quoted terms (``terms.py``)
and every reply is one JSON atom, which keeps pyswip's per-solution conversion cost out of the
way.

pyswip allows one open query per process, so calls are serialised by a lock.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from symbolic.errors import (
    INSTALL_HINT,
    PrologUnavailableError,
    QueryError,
    QueryLimitError,
    RuleFileError,
    RuleInterfaceError,
    RuleSyntaxError,
    UndefinedPredicateError,
    UnsafeRuleError,
)
from symbolic.terms import PrologString, Term, Var, to_prolog

__all__ = ["KindTable", "PrologEngine", "QueryLimits", "RuleLedger", "RuleSet"]

BRIDGE = Path(__file__).with_name("bridge.pl")
# A small stack makes runaway recursion fail in ~0.1 s instead of ~4 s and 1 GB.
STACK_LIMIT_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class QueryLimits:
    """Bounds on one query: a deterministic inference budget and a wall-clock backstop."""

    inferences: int = 2_000_000
    seconds: float = 5.0

    def term(self) -> Term:
        return Term("limits", int(self.inferences), float(self.seconds))


@dataclass(frozen=True)
class KindTable:
    """Which of the reasoner's questions hold for each kind, under one inventory."""

    inventory: frozenset[str]
    kinds: dict[str, set[str]]  # kind -> the names of the questions that hold of it


@dataclass(frozen=True)
class RuleLedger:
    """How much hand-written knowledge a rule set holds."""

    clauses: int
    predicates: int
    lines: int  # non-blank lines outside comments


class PrologEngine:
    """The process's SWI-Prolog, with Neurocomp's bridge loaded. Use :meth:`get`."""

    _instance: ClassVar[PrologEngine | None] = None
    _create_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        try:
            from pyswip import Prolog
        except Exception as err:  # pyswip raises its own error class, not ImportError
            raise PrologUnavailableError(
                f"cannot start SWI-Prolog ({err}). {INSTALL_HINT}"
            ) from err
        self._prolog = Prolog
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        # An error in a directive must raise, not start the interactive tracer.
        self._run("set_prolog_flag(debug_on_error, false)")
        self._run(f"set_prolog_flag(stack_limit, {STACK_LIMIT_BYTES})")
        self._run(f"use_module({to_prolog(str(BRIDGE))})")

    @classmethod
    def get(cls) -> PrologEngine:
        """The engine of this process, started on first use."""
        with cls._create_lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    # -- low level ------------------------------------------------------------------------------
    def _run(self, query: str) -> list[dict[str, Any]]:
        from pyswip.prolog import PrologError

        with self._lock:
            try:
                return list(self._prolog.query(query, catcherrors=True))
            except PrologError as err:
                raise QueryError(f"Prolog rejected a bridge call: {err}") from err

    def call_text(self, goal: Term) -> str:
        """Run a bridge goal whose last argument is bound to an atom, and return that atom."""
        rows = self._run(to_prolog(Term(goal.functor, *goal.args, Var("J"))))
        if len(rows) != 1:
            raise QueryError(f"bridge call {goal.functor} gave {len(rows)} answers, expected 1")
        return str(rows[0]["J"])

    def call_json(self, goal: Term) -> dict[str, Any]:
        """Run a bridge goal whose last argument is bound to a JSON atom, and decode it."""
        return json.loads(self.call_text(goal))

    # -- rule sets ------------------------------------------------------------------------------
    def load_rules(
        self,
        path: str | Path | None = None,
        *,
        text: str | None = None,
        name: str | None = None,
        trusted: bool = False,
        required: Iterable[str] = (),
        asker: str = "the reasoner",
    ) -> RuleSet:
        """Load a rule file (or ``text``) into a fresh module and return its :class:`RuleSet`.

        Untrusted rules (the default) are proven safe with ``library(sandbox)`` before anything
        in them can run; every file, trusted or not, must keep to its own module and be pure
        (:class:`UnsafeRuleError` otherwise). ``required`` lists predicate indicators
        (``"blocks/2"``) the caller will query (``asker`` names who, for the message); a file
        lacking one is rejected with :class:`RuleInterfaceError`.
        """
        if (path is None) == (text is None):
            raise ValueError("give exactly one of path or text")
        if path is not None:
            file = Path(path)
            source_name = name or str(path)
            if not file.is_file():
                what = "is a directory" if file.is_dir() else "does not exist"
                raise RuleFileError(f"rule file {what}", source=source_name)
            try:
                text_for_ledger = file.read_text(encoding="utf-8")
            except UnicodeDecodeError as err:
                raise RuleFileError(f"not UTF-8 text ({err})", source=source_name) from err
            source = Term("file", str(file.resolve()))
        else:
            assert text is not None
            source_name = name or "<rules>"
            text_for_ledger = text
            source = Term("text", PrologString(text))
        module = f"nc_rs_{next(self._ids)}"
        reply = self.call_json(Term("nc_load", module, source, bool(not trusted)))
        if not reply["ok"]:
            raise _load_error(reply, source_name)
        rules = RuleSet(
            engine=self,
            module=module,
            source=source_name,
            predicates=tuple(reply["predicates"]),
            ledger=RuleLedger(
                clauses=int(reply["clauses"]),
                predicates=len(reply["predicates"]),
                lines=count_rule_lines(text_for_ledger),
            ),
            text=text,
        )
        missing = [p for p in required if p not in rules.predicates]
        if missing:
            rules.close()
            raise RuleInterfaceError(
                f"does not define {', '.join(missing)}, which {asker} asks about; is it a rule "
                "file for another game? (declare a predicate with no clauses as "
                "`:- dynamic name/arity.`)",
                source=source_name,
            )
        return rules


@dataclass(eq=False)
class RuleSet:
    """A loaded rule file: query it with :meth:`ask`; the reasoner uses the bridge calls."""

    engine: PrologEngine
    module: str
    source: str
    predicates: tuple[str, ...]
    ledger: RuleLedger
    limits: QueryLimits = QueryLimits()
    text: str | None = None  # the rules' text when they were given as text, not as a file

    def ask(self, goal: Term, template: object | None = None) -> list[Any]:
        """All solutions of ``goal`` as JSON values of ``template`` (default: the goal itself).

        Compound terms come back as ``{"functor": name, "args": [...]}``, atoms as strings,
        unbound variables as None.
        """
        reply = self.engine.call_json(
            Term(
                "nc_ask",
                self.module,
                goal,
                goal if template is None else template,
                self.limits.term(),
            )
        )
        return self._check(reply)["solutions"]

    def semantics(
        self,
        kinds: Sequence[str],
        inventory: Sequence[str],
        questions: Sequence[str],
        collect: str = "",
    ) -> list[KindTable]:
        """Which ``questions`` (``"name/arity"``) hold of each kind, for every inventory
        reachable by collecting kinds on the grid (those of which the ``collect`` question
        holds). A question of arity 1 is asked as ``name(Kind)``, of arity 2 as
        ``name(Kind, Inventory)``. Returns one :class:`KindTable` per inventory; the current one
        is among them.
        """
        kinds = list(dict.fromkeys([*kinds, *inventory]))  # held kinds need a position too
        indicators = [_indicator(q) for q in questions]
        reply = self.engine.call_text(
            Term(
                "nc_semantics",
                self.module,
                kinds,
                list(inventory),
                indicators,
                collect,
                self.limits.term(),
            )
        )
        if not reply.startswith("ok"):
            self._check(json.loads(reply))
        names = [q.split("/")[0] for q in questions]
        tables = []
        for group in reply.split()[1:]:
            flags, held = group.split("/")
            table = {
                k: {q for bit, q in enumerate(names) if int(f) >> bit & 1}
                for k, f in zip(kinds, flags.split(","), strict=True)
            }
            tables.append(KindTable(frozenset(kinds[int(i)] for i in held.split(",") if i), table))
        return tables

    def plan(
        self,
        width: int,
        cells: Sequence[int],
        legend: Sequence[str],
        start: tuple[int, int],
        inventory: Sequence[str],
        roles: tuple[str, str, str, str],
    ) -> str | None:
        """Breadth-first search in Prolog; returns moves as letters (``"ESSW"``) or None.

        ``cells`` holds one position in ``legend`` per cell, row-major; ``roles`` names the
        predicates that say what blocks, kills, is collected and wins.
        """
        reply = self.engine.call_json(
            Term(
                "nc_plan",
                self.module,
                width,
                [int(c) for c in cells],
                list(legend),
                Term("-", start[0], start[1]),
                list(inventory),
                Term("roles", *roles),
                self.limits.term(),
            )
        )
        plan = self._check(reply)["plan"]
        return None if plan in (None, "null") else str(plan)

    def close(self) -> None:
        """Forget this rule set's clauses."""
        self.engine._run(to_prolog(Term("nc_drop", self.module)))

    def _check(self, reply: dict[str, Any]) -> dict[str, Any]:
        if reply["ok"]:
            return reply
        kind, message = reply["error"], reply["message"]
        text = f"{self.source}: {message}"
        if kind == "undefined":
            raise UndefinedPredicateError(text)
        if kind in ("inference_limit", "time_limit", "resource"):
            raise QueryLimitError(
                f"{text} — the rules may not terminate; check recursive predicates"
            )
        raise QueryError(text)


def _indicator(question: str) -> Term:
    name, _, arity = question.partition("/")
    return Term("/", name, int(arity))


def _load_error(reply: dict[str, Any], source: str) -> RuleFileError:
    kind, message, line = reply["error"], reply["message"], reply.get("line")
    line = int(line) if line else None
    if kind == "syntax":
        return RuleSyntaxError(message, source=source, line=line)
    if kind in ("unsafe", "directive", "head", "not_a_clause", "module", "impure"):
        return UnsafeRuleError(message, source=source, line=line)
    if kind == "undefined":
        return RuleFileError(
            f"calls {reply.get('predicate', '?')}, which no clause defines "
            "(define it, or declare it with `:- dynamic name/arity.`)",
            source=source,
            line=line,
        )
    if kind in ("inference_limit", "time_limit", "resource"):
        return RuleFileError(f"loading stopped: {message}", source=source, line=line)
    return RuleFileError(message, source=source, line=line)


_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def count_rule_lines(text: str) -> int:
    """Non-blank lines of Prolog outside ``/* */`` and ``%`` comments."""
    text = _BLOCK_COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return sum(1 for line in text.splitlines() if line.split("%", 1)[0].strip())

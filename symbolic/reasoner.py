"""What every reasoner is: a game's rule set plus a way of planning, mapping a Scene to a Decision.

A game names its reasoner in its specification (``GameSpec.reasoner``, an entry point such as
``"symbolic.reasoners.grid:GridReasoner"``); :func:`load_reasoner` builds it with the game's
packaged rules (``symbolic/rules/<game>.pl``) or a user's rule file. A reasoner declares the
questions it asks of the rules (``questions``, as predicate indicators), so that a rule file
missing one of them -- a rule file for another game -- is refused before anything runs.
"""

from __future__ import annotations

import copy
import importlib
from abc import ABC, abstractmethod
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar, Self

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import PrologEngine, RuleSet
from symbolic.errors import QueryError, RuleFileError
from symbolic.missions import QUESTIONS as GRAMMAR_QUESTIONS
from symbolic.missions import Mission, read_mission

__all__ = [
    "RULES_DIR",
    "Decision",
    "Reasoner",
    "load_reasoner",
    "one_screen_refusal",
    "reasoner_class",
    "rules_path",
    "stopped",
]

RULES_DIR = Path(__file__).with_name("rules")


def rules_path(game: GameSpec | str) -> Path:
    """The packaged rule file of a game, e.g. ``symbolic/rules/keydoor.pl``."""
    return RULES_DIR / (game.rules if isinstance(game, GameSpec) else f"{game}.pl")


@dataclass(frozen=True)
class Decision:
    """An action with the reasoning behind it."""

    action: int
    action_name: str
    plan: tuple[int, ...]  # from the current state to a win; () if none was found
    summary: str  # one line: what the plan does, or why there is none
    alternatives: dict[str, str] = field(default_factory=dict)  # other action -> why it lost
    prolog_s: float = 0.0
    search_s: float = 0.0
    # The map the decision was planned on, for a reasoner that keeps one (an egocentric view's
    # MappingReasoner): drawn beside the screen in recordings. None for the others.
    belief: Scene | None = None
    # Why the episode cannot go on (what the reasoner holds and what the screen shows cannot
    # both be true), in one line; the episode then ends as a failure. "" for every other.
    stop: str = ""

    def explain(self) -> str:
        """A few lines a person can read: the plan and what ruled out every other action."""
        lines = [f"{self.action_name}: {self.summary}"]
        lines += [f"  not {a}: {why}" for a, why in self.alternatives.items()]
        return "\n".join(lines)


class Reasoner(ABC):
    """Maps a :class:`Scene` of one game to a :class:`Decision`, with rules and a search."""

    questions: ClassVar[tuple[str, ...]]  # what it asks of the rules, e.g. ("kills/1", ...)
    # Plans around cells whose kind kills (see ``deadly_kinds``): a hybrid can then keep away
    # from cells its perception is unsure of.
    avoids_deadly: ClassVar[bool] = False
    searches: ClassVar[tuple[str, ...]] = ("python",)  # ways to search; the first is default
    # Says what the next screen shows after an action (see ``predict``): abduction can then
    # check a reading against how the screens change, not only against the expert's choices.
    predicts: ClassVar[bool] = False
    # Knows which scenes can occur at all (VisualSudoku's solved boards): a hybrid then plans
    # on the likeliest of them by its perception's probabilities (see ``likeliest``).
    reads_likeliest: ClassVar[bool] = False
    # Decides from what it keeps of earlier screens (a map), not from the screen alone:
    # learners that read one screen at a time (abduction, rule learning) cannot use it.
    remembers: ClassVar[bool] = False
    # What it assumes beyond the rules, for the ledger of hand-written knowledge.
    assumptions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        searches = self.searches_for(game)
        if search is not None and search not in searches:
            raise ValueError(
                f"search {search!r} does not apply to {type(self).__name__} "
                f"({game.title}); choose {' or '.join(map(repr, searches))}"
            )
        self.rules = rules
        self.game = game
        self.search = search or searches[0]
        # The grammar that reads the game's missions (``GameSpec.grammar``), set by
        # ``load_reasoner``; None for a game without missions.
        self.grammar: RuleSet | None = None
        self._missions: dict[str, Mission] = {}

    @classmethod
    def searches_for(cls, game: GameSpec) -> tuple[str, ...]:
        """The plan searches this reasoner offers for ``game`` (the first is the default)."""
        return cls.searches

    def mission(self, scene: Scene) -> Mission | None:
        """The goals of the scene's mission, read by the grammar once per text (None without
        a grammar or a mission); :class:`~symbolic.errors.MissionError` if it cannot be read."""
        if self.grammar is None or not scene.mission:
            return None
        if scene.mission not in self._missions:
            self._missions[scene.mission] = read_mission(self.grammar, scene.mission)
        return self._missions[scene.mission]

    def clauses(self) -> int:
        """The hand-written clauses it reasons with: the rules' and the grammar's."""
        grammar = self.grammar.ledger.clauses if self.grammar is not None else 0
        return self.rules.ledger.clauses + grammar

    @abstractmethod
    def decide(self, scene: Scene) -> Decision:
        """The next action for ``scene``, with the plan and the rules behind it."""

    def reset(self) -> None:  # noqa: B027  (optional hook, empty by default)
        """Forget anything kept from the last episode (e.g. a plan being followed)."""

    def memory(self) -> Hashable:
        """What the reasoner keeps between decisions (nothing, by default)."""
        return ()

    def fork(self) -> Self:
        """A reasoner for another episode played at the same time: the same rules and cached
        tables, its own memory (``reset`` must rebind, not mutate, what it keeps)."""
        twin = copy.copy(self)
        twin.reset()
        return twin

    def deadly_kinds(self) -> frozenset[int]:
        """The kinds that kill an agent entering them and stay where they are, by the rules
        (none by default)."""
        return frozenset()

    def alike(self) -> np.ndarray:
        """``(K,)`` ints: kinds that every question this reasoner asks answers alike share a
        number (no play can tell them apart, so a reading that swaps them decides the same).
        By default every kind has its own."""
        return np.arange(self.game.num_kinds)

    def carried_after(self, scene: Scene, action: int) -> tuple[str, ...]:
        """What the agent holds after ``action`` in ``scene``, by the rules: for games whose
        screen does not show it (``GameSpec.hidden_inventory``). By default, what it held."""
        return scene.inventory

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The grid of kinds the next screen shows after ``action`` in ``scene``, by the rules,
        or None if the episode ends there (won or lost). Only for reasoners that ``predicts``."""
        raise NotImplementedError(f"{type(self).__name__} does not predict the next screen")

    def likeliest(self, scene: Scene, probs: np.ndarray) -> Scene:
        """The scene to plan on, given perception's ``(H, W, K)`` probabilities for the
        ``scene`` it read: the scene as read, by default. Only for reasoners that
        ``reads_likeliest``."""
        return scene

    @abstractmethod
    def probe(self) -> None:
        """Ask the rules each question about every kind, so that bad rules fail early."""

    def check(self) -> None:
        """Ask the rules about every kind once, so that rules which loop or raise fail now,
        with a message that says so, rather than in the middle of a run."""
        try:
            self.probe()
        except QueryError as e:
            raise RuleFileError(
                f"asking {', '.join(self.questions)} about each kind failed: {e}"
            ) from e

    def knowledge(self) -> dict[str, object]:
        """What this reasoner relies on, for ledgers: its rules and the questions it asks."""
        ledger = self.rules.ledger
        known: dict[str, object] = {
            "rules": self.rules.source,
            "search": self.search,
            "questions": list(self.questions),
            "rule_clauses": ledger.clauses,
            "rule_predicates": ledger.predicates,
            "rule_lines": ledger.lines,
        }
        if self.grammar is not None:
            known.update(
                grammar=self.grammar.source,
                grammar_clauses=self.grammar.ledger.clauses,
                grammar_lines=self.grammar.ledger.lines,
            )
        return known


def stopped(game: GameSpec, why: str) -> Decision:
    """A decision that ends the episode (``Decision.stop``), saying why in one line."""
    names = game.actions.names
    done = names.index("done") if "done" in names else 0
    return Decision(done, names[done], (), f"stopped: {why}", stop=why)


def reasoner_class(game: GameSpec) -> type[Reasoner]:
    """The reasoner class a game's specification names."""
    module, _, name = game.reasoner.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Reasoner)):
        raise TypeError(f"{game.name}: {game.reasoner} is not a Reasoner")
    return cls


def one_screen_refusal(game: GameSpec, what: str) -> str | None:
    """Why ``what`` (a learner that explains one screen at a time) cannot learn ``game``, whose
    reasoner decides from a map of earlier screens; None if it can."""
    if not reasoner_class(game).remembers:
        return None
    return (
        f"{what} explains each decision from its screen alone, and {game.name}'s decisions "
        "come from a map of the screens before it; use the labelled hybrid"
    )


def load_reasoner(
    game: GameSpec,
    rules: str | Path | None = None,
    search: str | None = None,
    *,
    trusted: bool = False,
    text: str | None = None,
    name: str | None = None,
) -> Reasoner:
    """The game's reasoner with its packaged rules, with a user's ``rules`` file, or with rules
    given as ``text`` (named ``name`` in messages; learned rules), checked with the sandbox
    unless ``trusted``. Rules lacking a predicate the reasoner asks about are refused with
    :class:`~symbolic.errors.RuleInterfaceError`."""
    cls = reasoner_class(game)
    source = {"text": text, "name": name} if text is not None else {}
    loaded = PrologEngine.get().load_rules(
        None if text is not None else rules or rules_path(game),
        required=cls.questions,
        trusted=trusted,
        asker=f"the {game.title} reasoner",
        **source,  # type: ignore[arg-type]
    )
    reasoner = cls(loaded, game, search)
    if game.grammar:
        reasoner.grammar = PrologEngine.get().load_rules(
            RULES_DIR / game.grammar,
            required=GRAMMAR_QUESTIONS,
            trusted=True,
            asker="the mission reader",
            name=game.grammar,
        )
    reasoner.check()
    return reasoner

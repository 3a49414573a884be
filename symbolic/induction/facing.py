"""From play to examples for an agent with a heading that acts on the cell ahead (MiniGrid):
``left``/``right`` turn it, ``forward`` steps into the cell ahead, ``pickup`` takes what is
there, ``toggle`` changes it, ``drop`` puts down what it carries.

Which heading each agent kind shows is read from the screens: a kind that stepped forward by a
direction's step (``offset/3`` of the shared background) faces that direction. A kind never
seen stepping forward gets the direction, among those left, under which the turns seen are
described most compactly (the turns learned for each assignment, by minimum description
length): turning left four times from a known heading shows the rest. Then every transition
says something about the cell ahead (kind K, with what the agent carries, I):

- ``forward``: as an agent game's move (``blocks(K, I)`` if it stayed; else not, and ``wins``
  or ``kills`` if the episode ended there, with the reward's sign); ``heading(A, D)`` for the
  agent kind and the direction it stepped, ``ahead(D, DR, DC)`` for that step;
- ``left``/``right``: ``turns(Action, D, D2)`` from the heading shown before to the one after;
- ``pickup`` with empty hands: ``carries(K)`` if the cell emptied, else not;
- ``toggle``: ``toggles(K, I, K2)`` if the cell turned into K2 (and into nothing else), else
  no ``toggles(K, I, _)``.

What the agent carries is not on the screen: it is tracked the way the screens show it (a
pickup that emptied a cell: it holds what was there; a drop that filled one: nothing).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache

import numpy as np

from environments.core import Scene
from symbolic.engine import PrologEngine
from symbolic.induction.clauses import Example, tally
from symbolic.induction.language import Language
from symbolic.induction.learner import BACKGROUND_PATH, InductionSettings, learn
from symbolic.induction.transitions import (
    Evidence,
    Transition,
    terrain_kinds,
    unidentified_moves,
)
from symbolic.terms import Term, Var

__all__ = ["FacingEvidence", "background_offsets"]

TURNS = ("left", "right")


@cache
def background_offsets() -> dict[str, tuple[int, int]]:
    """The step of each direction, as the shared background's ``offset/3`` says."""
    rules = PrologEngine.get().load_rules(BACKGROUND_PATH, trusted=True)
    try:
        d, r, c = Var("D"), Var("R"), Var("C")
        return {
            str(a): (int(b), int(e)) for a, b, e in rules.ask(Term("offset", d, r, c), [d, r, c])
        }
    finally:
        rules.close()


def _changed(t: Transition) -> list[tuple[int, int]]:
    """The cells that changed, but the agent's before and after."""
    if t.after is None or t.after.grid.shape != t.scene.grid.shape:
        return []
    mine = {t.scene.agent, t.after.agent}
    return [
        (int(r), int(c))
        for r, c in zip(*np.nonzero(t.scene.grid != t.after.grid), strict=True)
        if (r, c) not in mine
    ]


class FacingEvidence:
    """Transitions gathered one at a time, with what the agent carries tracked; the examples
    of the facing reasoner's questions (see the module's text) on :meth:`evidence`."""

    def __init__(self, language: Language, settings: InductionSettings | None = None) -> None:
        self.language = language
        self.settings = settings or InductionSettings()
        self.transitions: list[Transition] = []
        self.held: tuple[str, ...] = ()  # what the agent carries after the last transition
        self._last: Scene | None = None
        self._cached: Evidence | None = None
        self._heading: dict[str, str] = {}
        self._acted: set[tuple[str, str, tuple[str, ...]]] = set()
        self._terrain: set[str] = set()
        self._read: set[int] = set()  # transitions read by a perception
        self._headings: tuple[int, dict[str, str]] | None = None  # (labelled, headings)

    @staticmethod
    def is_move(t: Transition) -> bool:
        """Whether ``t`` can be a step of such a game: the agent stays, or steps to a
        neighbouring cell on ``forward``, and at most one other cell changes."""
        if t.scene.agent is None:
            return False
        if t.after is None:
            return True
        if t.after.agent is None:
            return False
        (r, c), (r2, c2) = t.scene.agent, t.after.agent
        return abs(r - r2) + abs(c - c2) <= 1 and len(_changed(t)) <= 1

    def add(self, t: Transition, read: bool = False) -> Transition:
        """Keep ``t`` with what the agent carries (tracked) as its inventory; returns it.
        ``read``: its screens were read by a perception (own play), not labelled (a
        demonstration): it says nothing of headings and turns (see :meth:`headings`)."""
        if read:
            self._read.add(len(self.transitions))
        if self._last is None or not np.array_equal(self._last.grid, t.scene.grid):
            self.held = ()  # a new episode
        before = self.held
        after_held = before
        changed = _changed(t)
        names = t.scene.game.kind_names
        action = t.scene.game.actions.names[int(t.action)]
        if t.after is not None and len(changed) == 1:
            cell = changed[0]
            if action == "pickup" and not before:
                after_held = (names[int(t.scene.grid[cell])],)
            elif action == "drop" and before:
                after_held = ()
        scene = Scene(t.scene.game, t.scene.grid, t.scene.agent, before)
        after = (
            None
            if t.after is None
            else Scene(t.after.game, t.after.grid, t.after.agent, after_held)
        )
        kept = Transition(scene, t.action, after, t.reward, t.terminated)
        self.transitions.append(kept)
        self._last = t.after
        self.held = after_held if t.after is not None else ()
        self._cached = None
        return kept

    @property
    def tried(self) -> set[tuple[str, tuple[str, ...]]]:
        """(kind, carried) stepped into, and (action, kind, carried) picked up or toggled."""
        self.evidence()
        return self.evidence().entered | self._acted  # type: ignore[operator]

    def untried_kinds(self, held: tuple[str, ...]) -> set[str]:
        """Kinds never toggled carrying ``held``, or (hands empty) never picked up."""
        self.evidence()
        acts = ("toggle", "pickup") if not held else ("toggle",)
        return {k for k in self._terrain if any((a, k, held) not in self._acted for a in acts)}

    def untried_here(self, scene: Scene) -> int | None:
        """The action (toggle, then pickup with empty hands) never tried on the kind of the
        cell ahead carrying what the agent carries; None if both were, or nothing is ahead."""
        self.evidence()
        names = scene.game.kind_names
        facing = self._heading.get(names[int(scene.grid[scene.agent])]) if scene.agent else None
        if facing is None:
            return None
        (r, c), (dr, dc) = scene.agent, background_offsets()[facing]  # type: ignore[misc]
        h, w = scene.shape
        if not (0 <= r + dr < h and 0 <= c + dc < w):
            return None
        kind = names[int(scene.grid[r + dr, c + dc])]
        for action in ("toggle", "pickup"):
            if action == "pickup" and scene.inventory:
                continue
            if (action, kind, scene.inventory) not in self._acted:
                return scene.game.actions.names.index(action)
        return None

    # -- the examples ---------------------------------------------------------------------------
    def evidence(self) -> Evidence:
        if self._cached is None:
            self._cached = self._evidence()
        return self._cached

    def headings(self) -> dict[str, str]:
        """Agent kind -> direction: by the steps it took forward, the rest by the turns; from
        the labelled transitions alone. A perception that learned from the demonstrations has
        never seen an agent kind they do not show, and reads it as one they do: what its own
        play shows of turning would be wrong exactly where it is new."""
        labelled = len(self.transitions) - len(self._read)
        if self._headings is None or self._headings[0] != labelled:  # read ones change nothing
            self._headings = (labelled, self._find_headings())
        return dict(self._headings[1])

    def _find_headings(self) -> dict[str, str]:
        offsets = background_offsets()
        direction_of = {v: k for k, v in offsets.items()}
        stepped: dict[str, Counter[str]] = {}
        turned: list[tuple[str, str, str]] = []  # (action, kind before, kind after)
        seen: dict[str, None] = {}
        for i, t in enumerate(self.transitions):
            if not self.is_move(t) or t.after is None or i in self._read:
                continue
            names = t.scene.game.kind_names
            a, b = (names[int(s.grid[s.agent])] for s in (t.scene, t.after))  # type: ignore[index]
            seen.setdefault(a, None)
            seen.setdefault(b, None)
            action = t.scene.game.actions.names[int(t.action)]
            step = (t.after.agent[0] - t.scene.agent[0], t.after.agent[1] - t.scene.agent[1])  # type: ignore[index]
            if action == "forward" and step in direction_of:
                stepped.setdefault(a, Counter())[direction_of[step]] += 1
            elif action in TURNS:
                turned.append((action, a, b))
        known = {a: c.most_common(1)[0][0] for a, c in stepped.items()}
        unknown = [a for a in seen if a not in known]
        free = [d for d in offsets if d not in known.values()]
        if not unknown or len(unknown) > len(free) or not turned:
            return known
        best: tuple[float, dict[str, str]] | None = None
        for chosen in itertools.permutations(free, len(unknown)):
            trial = {**known, **dict(zip(unknown, chosen, strict=True))}
            cost = self._turns_cost(turned, trial)
            if best is None or cost < best[0]:
                best = (cost, trial)
        assert best is not None
        return best[1]

    def _turns_cost(self, turned: list[tuple[str, str, str]], heading: dict[str, str]) -> float:
        """The description length of the turns learned under ``heading``."""
        examples = _turn_examples(turned, heading)
        if not examples:
            return 0.0
        language = self.language.model_copy(
            update={"heads": {"turns": self.language.heads["turns"]}}
        )
        settings = InductionSettings(
            seconds=self.settings.seconds,
            max_candidates=self.settings.max_candidates,
            max_unexplained=1.0,
        )
        theory = learn(examples, language, {}, settings)
        size = sum(c.size for cs in theory.clauses.values() for c in cs)
        return size + self.language.error_cost * theory.unexplained

    def _evidence(self) -> Evidence:
        offsets = background_offsets()
        heading = self.headings()
        self._heading = heading
        self._acted: set[tuple[str, str, tuple[str, ...]]] = set()
        counts: Counter[tuple[tuple[str, tuple[object, ...]], bool]] = Counter()
        kinds: dict[str, None] = {}
        inventories: dict[tuple[str, ...], None] = {}
        tried: set[tuple[str, tuple[str, ...]]] = set()
        moved_on: set[str] = set()
        ended_on: set[str] = set()
        turned: list[tuple[str, str, str]] = []
        unexplained = 0

        def count(head: str, args: tuple[object, ...], holds: bool) -> None:
            counts[((head, args), holds)] += 1

        for i, t in enumerate(self.transitions):
            if not self.is_move(t):
                unexplained += 1
                continue
            scene = t.scene
            game = scene.game
            names = game.kind_names
            action = game.actions.names[int(t.action)]
            agent = names[int(scene.grid[scene.agent])]  # type: ignore[index]
            held = scene.inventory
            inventories.setdefault(held, None)
            for k in terrain_kinds(scene):
                kinds.setdefault(k, None)
            kinds.setdefault(agent, None)
            if action in TURNS:
                if t.after is not None and i not in self._read:
                    turned.append((action, agent, names[int(t.after.grid[t.after.agent])]))  # type: ignore[index]
                continue
            ahead = _ahead(t, heading.get(agent), offsets)
            if ahead is None:
                continue  # the cell ahead is not known
            kind = names[int(scene.grid[ahead])]
            if action == "forward":
                tried.add((kind, held))
                if t.after is None:
                    if not t.terminated:
                        continue
                    ended_on.add(kind)
                    count("blocks", (kind, held), False)
                    count("wins", (kind,), t.reward > 0)
                    count("kills", (kind,), t.reward <= 0)
                elif t.after.agent == scene.agent:
                    count("blocks", (kind, held), True)
                else:
                    moved_on.add(kind)
                    count("blocks", (kind, held), False)
                    count("kills", (kind,), False)
                    count("wins", (kind,), False)
                    facing = heading.get(agent)
                    for d in offsets:
                        if i not in self._read and facing is not None:
                            count("heading", (agent, d), d == facing)
            elif action == "pickup" and not held and t.after is not None:
                self._acted.add((action, kind, held))
                count("carries", (kind,), t.after.grid[ahead] != scene.grid[ahead])
            elif action == "toggle" and t.after is not None:
                self._acted.add((action, kind, held))
                became = names[int(t.after.grid[ahead])]
                for other in kinds:
                    if other != kind:
                        count("toggles", (kind, held, other), other == became)
        for d in set(heading.values()):
            for other in offsets:
                count("ahead", (d, *offsets[other]), other == d)
        for a, d in heading.items():  # the kinds placed by the turns: one example each
            if ("heading", (a, d)) not in {key for key, _ in counts}:
                for other in offsets:
                    count("heading", (a, other), other == d)
        for e in _turn_examples(turned, heading):
            counts[(("turns", e.args), True)] += e.positive
            counts[(("turns", e.args), False)] += e.negative
        terrain = [k for k in kinds if not _is_agent(k, self.transitions)]
        self._terrain = set(terrain)
        unidentified = []
        if self.transitions:  # every agent kind of the game no labelled step showed
            game = self.transitions[0].scene.game
            agents = [game.kind_names[i] for i in game.agent_kinds]
            unidentified += [f"heading({a}, _)" for a in agents if a not in heading]
        # The frame assumption: an action never tried on a kind is taken to change nothing
        # (one example against each change), and is listed as unidentified.
        frame: Counter[tuple[tuple[str, tuple[object, ...]], bool]] = Counter()
        for kind in terrain:
            for held in inventories:
                if ("toggle", kind, held) not in self._acted:
                    unidentified.append(f"toggles({kind}, [{', '.join(held)}], _)")
                    for other in kinds:
                        if other != kind:
                            frame[(("toggles", (kind, held, other)), False)] += 1
            if ("pickup", kind, ()) not in self._acted:
                unidentified.append(f"carries({kind})")
                frame[(("carries", (kind,)), False)] += 1
        counts.update(frame)
        # what forward steps left open (collects/1, which no facing reasoner asks, is dropped
        # with the other heads the language lacks)
        unidentified += unidentified_moves(terrain, tuple(inventories), tried, moved_on, ended_on)
        return Evidence(
            tally((head, args, holds, k) for ((head, args), holds), k in counts.items()),
            {"kind": tuple(kinds)},
            tuple(inventories),
            unexplained,
            len(self.transitions),
            tried,
            unidentified,
        )


def _ahead(
    t: Transition, facing: str | None, offsets: dict[str, tuple[int, int]]
) -> tuple[int, int] | None:
    """The cell ahead of the agent in ``t``: where it stepped, the one cell that changed,
    or else the one its heading points to (None if off the grid or not known)."""
    scene = t.scene
    assert scene.agent is not None
    if t.after is not None and t.after.agent is not None and t.after.agent != scene.agent:
        return t.after.agent
    changed = _changed(t)
    if len(changed) == 1:
        return changed[0]
    if facing is None:
        return None
    (r, c), (dr, dc) = scene.agent, offsets[facing]
    h, w = scene.shape
    return (r + dr, c + dc) if 0 <= r + dr < h and 0 <= c + dc < w else None


def _is_agent(kind: str, transitions: Sequence[Transition]) -> bool:
    if not transitions:
        return False
    game = transitions[0].scene.game
    return game.index(kind) in game.agent_kinds


def _turn_examples(
    turned: Iterable[tuple[str, str, str]], heading: dict[str, str]
) -> list[Example]:
    counts: Counter[tuple[tuple[object, ...], bool]] = Counter()
    directions = background_offsets()
    for action, a, b in turned:
        if a in heading and b in heading:
            for d in directions:
                counts[((action, heading[a], d), d == heading[b])] += 1
    return tally(("turns", args, holds, k) for (args, holds), k in counts.items())

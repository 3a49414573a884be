"""From play to examples: what each transition of an agent game says about the rule clauses.

A transition is a scene (as perception read it, or as a test scripts it), the action taken,
the next scene (None when the episode ended there: a terminal screen is not read), the reward
and whether the episode ended. In an agent game the action names a move; the cell it moves
into is of some kind, entered with some inventory. What followed decides atoms of the grid
reasoner's questions:

- the agent stayed where it was: ``blocks(Kind, Inventory)``;
- it moved there: not ``blocks``, not ``kills``, not ``wins``; ``collects(Kind)`` if the kind
  joined its inventory, else not;
- the episode ended as it moved: not ``blocks``; ``wins(Kind)`` with a positive reward, else
  ``kills(Kind)``.

A transition that fits none of these (the agent jumped, or moved against its action) is
counted as unexplained: it cannot be a move of an agent game.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from environments.core import Scene
from environments.spec import MOVE_DELTAS
from symbolic.errors import InductionError
from symbolic.induction.clauses import AnyOf, Example, Pair, tally
from symbolic.induction.language import Language
from symbolic.induction.learner import InductionSettings, Theory, learn

__all__ = [
    "AgentEvidence",
    "Evidence",
    "Transition",
    "agent_evidence",
    "board_evidence",
    "induce",
    "terrain_kinds",
    "toggle_evidence",
    "unidentified_moves",
]


@dataclass(frozen=True)
class Transition:
    """One step of play, in symbols."""

    scene: Scene
    action: int
    after: Scene | None  # the next scene; None if the episode ended on this step
    reward: float = 0.0
    terminated: bool = False


@dataclass
class Evidence:
    """The examples a set of transitions gives, and what they leave open."""

    examples: list[Example]
    constants: dict[str, tuple[str, ...]]  # argument type -> values seen
    inventories: tuple[tuple[str, ...], ...]  # the inventories seen
    unexplained: int  # transitions that are no move of an agent game
    transitions: int
    entered: set[tuple[str, tuple[str, ...]]]  # (kind, inventory) tried, entered or not
    unidentified: list[str]  # atoms of seen kinds no transition decided
    any_of: list[AnyOf] = field(default_factory=list)  # "one of these atoms holds"

    def open_cases(self, margin: int = 2) -> list[tuple[str, tuple[str, ...]]]:
        """(kind, inventory) pairs seen on a screen with that inventory whose entering is not
        yet decided: never tried, or tried with outcomes that disagree (a misread screen) by
        fewer than ``margin`` transitions: whether it blocks, or, for a kind that can be
        entered, whether entering it kills, wins or collects."""

        def unsure(e: Example | None) -> bool:
            return (
                e is not None
                and bool(e.positive and e.negative)
                and (abs(e.positive - e.negative) < margin)
            )

        blocks = {e.args: e for e in self.examples if e.head == "blocks"}
        # what entering a kind did (killed, won, collected), where the transitions disagree
        unsettled = {str(e.args[0]) for e in self.examples if e.head != "blocks" and unsure(e)}
        out = []
        for held in self.inventories:
            for kind in self.constants["kind"]:
                e = blocks.get((kind, held))
                if e is None or unsure(e) or (kind in unsettled and not e.positive):
                    out.append((kind, held))
        return out


def agent_evidence(transitions: Iterable[Transition]) -> Evidence:
    """The examples of ``blocks/2``, ``kills/1``, ``collects/1`` and ``wins/1`` that
    ``transitions`` give (see the module's text), with counts."""
    gathered = AgentEvidence()
    for t in transitions:
        gathered.add(t)
    return gathered.evidence()


class AgentEvidence:
    """Evidence gathered one transition at a time (play asks for it after every step)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, tuple[object, ...], bool]] = Counter()
        self.kinds: dict[str, None] = {}
        self.inventories: dict[tuple[str, ...], None] = {}
        self.tried: set[tuple[str, tuple[str, ...]]] = set()
        self.ended_on: set[str] = set()
        self.moved_on: set[str] = set()
        self.unexplained = self.transitions = 0

    @staticmethod
    def is_move(t: Transition) -> bool:
        """Whether ``t`` can be a move of an agent game: the agent stayed, stepped where its
        action points, or ended the episode stepping onto the grid (else it is unexplained:
        the agent jumped, vanished, or a screen was misread)."""
        scene = t.scene
        if scene.agent is None:
            return False
        (r, c), (dr, dc) = scene.agent, MOVE_DELTAS[t.action]
        h, w = scene.shape
        inside = 0 <= r + dr < h and 0 <= c + dc < w
        if t.after is None:
            return inside or not t.terminated
        return t.after.agent == scene.agent or (inside and t.after.agent == (r + dr, c + dc))

    def add(self, t: Transition) -> None:
        """Count what ``t`` says (see the module's text); a transition that is no move is
        counted as unexplained and says nothing else."""
        self.transitions += 1
        if not self.is_move(t):
            self.unexplained += 1
            return
        scene = t.scene
        assert scene.agent is not None
        self.inventories.setdefault(scene.inventory, None)
        for kind in terrain_kinds(scene):
            self.kinds.setdefault(kind, None)
        (r, c), (dr, dc) = scene.agent, MOVE_DELTAS[t.action]
        h, w = scene.shape
        target = (r + dr, c + dc)
        if not (0 <= target[0] < h and 0 <= target[1] < w):
            return  # a move off the grid: the agent stays, and no kind is tried
        kind, held = scene.kind_at(*target), scene.inventory
        if t.after is None:
            if not t.terminated:
                return  # cut short by the step limit: nothing was decided
            self.tried.add((kind, held))
            self.ended_on.add(kind)
            won = t.reward > 0
            self._count("blocks", (kind, held), False)
            self._count("wins", (kind,), won)
            self._count("kills", (kind,), not won)
            return
        self.tried.add((kind, held))
        if t.after.agent == scene.agent:
            self._count("blocks", (kind, held), True)
            return
        self.moved_on.add(kind)
        self._count("blocks", (kind, held), False)
        self._count("kills", (kind,), False)
        self._count("wins", (kind,), False)
        self._count("collects", (kind,), kind in t.after.inventory and kind not in held)

    def _count(self, head: str, args: tuple[object, ...], holds: bool) -> None:
        self.counts[(head, args, holds)] += 1

    def evidence(self) -> Evidence:
        kinds, inventories = tuple(self.kinds), tuple(self.inventories)
        return Evidence(
            tally((head, args, holds, k) for (head, args, holds), k in self.counts.items()),
            {"kind": kinds},
            inventories,
            self.unexplained,
            self.transitions,
            set(self.tried),
            unidentified_moves(kinds, inventories, self.tried, self.moved_on, self.ended_on),
        )


def terrain_kinds(scene: Scene) -> list[str]:
    """The kinds a scene shows outside the agent's cell."""
    names = scene.game.kind_names
    r, c = scene.agent  # type: ignore[misc]
    flat = scene.grid.copy()
    flat[r, c] = -1
    return [names[int(k)] for k in sorted(set(flat.ravel().tolist())) if k >= 0]


def unidentified_moves(
    kinds: Sequence[str],
    inventories: Sequence[tuple[str, ...]],
    tried: set[tuple[str, tuple[str, ...]]],
    moved_on: set[str],
    ended_on: set[str],
) -> list[str]:
    """The atoms of an agent's moves no transition decided: ``blocks`` of a kind never tried
    with an inventory, ``kills`` and ``wins`` of one never entered, ``collects`` of one never
    moved onto."""
    out = []
    for kind in kinds:
        for held in inventories:
            if (kind, held) not in tried:
                out.append(f"blocks({kind}, [{', '.join(held)}])")
        if kind not in moved_on and kind not in ended_on:
            out += [f"kills({kind})", f"wins({kind})"]
        if kind not in moved_on:
            out.append(f"collects({kind})")
    return out


def induce(
    evidence: Evidence, language: Language, settings: InductionSettings | None = None
) -> Theory:
    """Learn a theory from ``evidence``; transitions that are no move of an agent game (a
    screen sequence of another game, shuffled frames) beyond the share ``settings`` tolerates
    end here with how many there were, before anything is searched."""
    settings = settings or InductionSettings()
    if evidence.unexplained > settings.tolerated(evidence.transitions):
        raise InductionError(
            f"{evidence.unexplained} of {evidence.transitions} transitions are no step of this "
            "kind of game (an agent jumped, vanished or moved against its action, or a write "
            "changed other cells), so no rule file could explain them; are the screens from "
            "this game, and in order?"
        )
    return learn(
        evidence.examples,
        language,
        evidence.constants,
        settings,
        [u for u in evidence.unidentified if u.partition("(")[0] in language.heads],
        evidence.any_of,
    )


def toggle_evidence(
    transitions: Iterable[Transition],
    flipped_by: Callable[[int, int, int], np.ndarray | None] | None = None,
) -> Evidence:
    """The examples that transitions of a game whose action presses a cell (LightsOut: action
    ``r * W + c`` presses ``(r, c)``) give:

    - ``toggles/3``: after a press, every cell of the board that changed is flipped by it,
      every other is not;
    - ``lit/1``: a board on which the episode went on shows a kind that is lit (one of its
      kinds: an any-of example); the board a winning press leaves shows none. That last board
      is not on the screen: it is the board before the press, but for the cells the same press
      flipped on another board of that size (where one was seen; else ``flipped_by(h, w, press)``,
      e.g. by ``toggles/3`` as learned so far), whose kinds are left out. A kind neither seen
      on such a board nor alone on a board the episode went on with is unidentified.

    A board that changed size, or a press off the board, is unexplained."""
    transitions = list(transitions)
    flips: Counter[tuple[tuple[object, ...], bool]] = Counter()
    boards: Counter[tuple[str, ...]] = Counter()
    dark: Counter[str] = Counter()
    patterns: dict[tuple[int, int, int], np.ndarray] = {}
    unexplained = 0
    for t in transitions:
        names = t.scene.game.kind_names
        before = t.scene.grid
        if not 0 <= t.action < before.size or (
            t.after is not None and t.after.grid.shape != before.shape
        ):
            unexplained += 1
            continue
        h, w = before.shape
        boards[_kinds_on(before, names)] += 1
        if t.after is None:
            continue
        boards[_kinds_on(t.after.grid, names)] += 1
        changed = before != t.after.grid
        patterns[(h, w, int(t.action))] = changed
        press, size = Pair(*divmod(int(t.action), w)), Pair(h, w)
        for r in range(h):
            for c in range(w):
                flips[((press, size, Pair(r, c)), bool(changed[r, c]))] += 1
    for t in transitions:  # the boards winning presses left
        h, w = t.scene.grid.shape
        pattern = patterns.get((h, w, int(t.action)))
        if pattern is None and flipped_by is not None:
            pattern = flipped_by(h, w, int(t.action))
        if t.after is None and t.terminated and t.reward > 0 and pattern is not None:
            names = t.scene.game.kind_names
            kept = t.scene.grid[~pattern]  # the cells the press left as they were
            for kind in {names[int(k)] for k in np.unique(kept)}:
                dark[kind] += 1
    examples = tally(
        [("toggles", a, holds, k) for (a, holds), k in flips.items()]
        + [("lit", (kind,), False, k) for kind, k in dark.items()]
    )
    kinds = tuple(sorted({k for board in boards for k in board}))
    any_of = [AnyOf("lit", tuple((k,) for k in board), n) for board, n in boards.items()]
    alone = {board[0] for board in boards if len(board) == 1}
    unidentified = [f"lit({k})" for k in kinds if k not in dark and k not in alone]
    return Evidence(
        examples,
        {"kind": kinds},
        (),
        unexplained,
        len(transitions),
        set(),
        unidentified,
        any_of,
    )


def _kinds_on(grid: np.ndarray, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted({names[int(k)] for k in np.unique(grid)}))


def board_evidence(transitions: Iterable[Transition]) -> Evidence:
    """The examples that transitions of a game whose action writes a value in a cell (Visual
    Sudoku: ``write(r,c,v)``) give:

    - ``digit/2``: a value written into a blank cell that the next screen shows as a kind says
      ``digit(Kind, Value)`` holds, and that the kind shows no other value;
    - ``differ/3``: the board a winning write left (the board before it, with the kind the
      same value showed elsewhere in the cell written) is solved. Two cells (the first before
      the second in reading order) that show the same kind on a solved board need not differ,
      once for every such board; two that differ on every solved board must (an example each).

    A write that changed any other cell, or a board that changed size, is unexplained; a value
    never seen written leaves its ``digit/2`` unidentified, and no solved board ``differ/3``."""
    transitions = list(transitions)
    counts: Counter[tuple[tuple[str, tuple[object, ...]], bool]] = Counter()
    shows: dict[object, str] = {}  # value -> the kind that showed it
    values: dict[object, None] = {}
    kinds: dict[str, None] = {}
    unexplained = 0
    finals = []
    for t in transitions:
        game = t.scene.game
        names = game.kind_names
        before = t.scene.grid
        h, w = before.shape
        try:
            r, c, v = game.actions.cell_value(int(t.action), w)
            value: object = _value(game.actions.values[v])
        except (IndexError, ValueError):
            unexplained += 1
            continue
        values.setdefault(value, None)
        for k in np.unique(before):
            kinds.setdefault(names[int(k)], None)
        if t.after is None:
            if t.terminated and t.reward > 0:
                finals.append((before, r, c, value, names))
            continue
        after = t.after.grid
        changed = before != after
        if (
            after.shape != before.shape
            or changed.sum() > 1
            or (changed.any() and not changed[r, c])
        ):
            unexplained += 1
            continue
        if changed[r, c]:
            kind = names[int(after[r, c])]
            kinds.setdefault(kind, None)
            shows[value] = kind
            counts[(("digit", (kind, value)), True)] += 1
    for value, kind in shows.items():  # a kind shows one value
        for other in values:
            if other != value:
                counts[(("digit", (kind, other)), False)] += 1
    solved = []
    for before, r, c, value, names in finals:
        if value in shows:
            board = np.array([[names[int(k)] for k in row] for row in before], dtype=object)
            board[r, c] = shows[value]
            solved.append(board)
    for board in solved:
        h, w = board.shape
        cells = [(i, j) for i in range(h) for j in range(w)]
        for a, p in enumerate(cells):
            for q in cells[a + 1 :]:
                args = (Pair(*p), Pair(*q), Pair(h, w))
                counts[(("differ", args), False)] += int(board[p] == board[q])
    if solved:
        shapes = {b.shape for b in solved}
        for h, w in shapes:
            cells = [(i, j) for i in range(h) for j in range(w)]
            equal = {
                (p, q)
                for b in solved
                if b.shape == (h, w)
                for a, p in enumerate(cells)
                for q in cells[a + 1 :]
                if b[p] == b[q]
            }
            for a, p in enumerate(cells):
                for q in cells[a + 1 :]:
                    if (p, q) not in equal:
                        counts[(("differ", (Pair(*p), Pair(*q), Pair(h, w))), True)] += 1
    examples = tally((head, args, holds, k) for ((head, args), holds), k in counts.items())
    unidentified = [f"digit(_, {v})" for v in values if v not in shows]
    if not solved:
        unidentified.append("differ/3 (no solved board was seen)")
    return Evidence(
        examples,
        {"kind": tuple(kinds), "value": tuple(values)},  # type: ignore[dict-item]
        (),
        unexplained,
        len(transitions),
        set(),
        unidentified,
    )


def _value(text: str) -> object:
    """A written value as the rules see it: an integer where it reads as one."""
    return int(text) if text.lstrip("-").isdigit() else text

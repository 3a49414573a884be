"""Planning for a game whose action presses a cell: Prolog says which cells a press flips and
which kinds are lit; linear algebra over GF(2) finds the fewest presses that leave nothing lit.

Flipping twice undoes a flip and presses commute, so a set of presses turns the lit cells ``b``
dark exactly when ``A x = b (mod 2)``, where column ``p`` of ``A`` marks the cells that pressing
``p`` flips. ``A`` is built from the rules' ``toggles/3`` over every cell of a board size (one
query per size, kept: rules are pure) and reduced once by Gauss–Jordan elimination; a decision
then costs a matrix-vector product and, where ``A`` is singular (4x4 and 5x5 LightsOut), a look
through the ``2^k`` solutions for the one with the fewest presses. The plan presses them in
reading order.

Solving the same system with SWI-Prolog's CLP(B) (``sat/1`` and ``weighted_maximum/3``) took 7 to
10 s per 7x7 board on these machines, against well under a millisecond here, so it is not
offered as a search.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import RuleSet
from symbolic.errors import QueryError
from symbolic.reasoner import Decision, Reasoner
from symbolic.terms import Term, Var, conjunction, position, show

__all__ = ["ParitySystem", "ToggleReasoner"]

QUESTIONS = ("toggles/3", "lit/1")
MAX_FREE = 16  # beyond 2^16 solutions, take one without looking for the fewest presses


@dataclass(frozen=True)
class ParitySystem:
    """``A x = b (mod 2)`` for one board size, reduced once: ``E A = R`` with ``R`` in reduced
    row echelon form (``rank`` pivot rows, then zero rows)."""

    toggles: np.ndarray  # (N, N) uint8: toggles[cell, press] = 1 if press flips cell
    transform: np.ndarray  # (N, N) uint8: E
    pivots: np.ndarray  # (rank,) the pivot column of each nonzero row of R
    null: np.ndarray  # (k, N) uint8: a basis of the presses that flip nothing

    @classmethod
    def reduce(cls, toggles: np.ndarray) -> ParitySystem:
        n = toggles.shape[0]
        r = toggles.copy()
        e = np.eye(n, dtype=np.uint8)
        pivots: list[int] = []
        for col in range(n):
            row = len(pivots)
            below = np.flatnonzero(r[row:, col]) + row
            if len(below) == 0:
                continue
            p = int(below[0])
            r[[row, p]], e[[row, p]] = r[[p, row]], e[[p, row]]
            hit = np.flatnonzero(r[:, col])
            hit = hit[hit != row]
            r[hit] ^= r[row]
            e[hit] ^= e[row]
            pivots.append(col)
            if len(pivots) == n:
                break
        free = [c for c in range(n) if c not in set(pivots)]
        null = np.zeros((len(free), n), dtype=np.uint8)
        for i, f in enumerate(free):
            null[i, f] = 1
            null[i, pivots] = r[: len(pivots), f]
        return cls(toggles, e, np.asarray(pivots, dtype=np.intp), null)

    @property
    def rank(self) -> int:
        return len(self.pivots)

    def solve(self, lit: np.ndarray) -> np.ndarray | None:
        """The fewest presses ``x`` (0/1 per cell) with ``A x = lit``; None if there are none.

        Ties go to the first combination of the null basis counted in binary."""
        eb = (self.transform.astype(np.int32) @ lit.astype(np.int32)) & 1
        if eb[self.rank :].any():
            return None
        x = np.zeros(len(lit), dtype=np.uint8)
        x[self.pivots] = eb[: self.rank]
        k = len(self.null)
        if k == 0 or k > MAX_FREE:
            return x
        combos = (np.arange(1 << k)[:, None] >> np.arange(k)) & 1  # (2^k, k)
        candidates = ((combos @ self.null.astype(np.int64)) & 1).astype(np.uint8) ^ x
        return candidates[int(candidates.sum(1).argmin())]


class ToggleReasoner(Reasoner):
    """Maps a Scene of a press-a-cell game to a Decision: the fewest presses, first in
    reading order."""

    questions = QUESTIONS
    searches = ("gf2",)

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        if not game.actions.per_cell or game.agent_kinds:
            raise TypeError(
                f"the toggle reasoner plays press-a-cell games without an agent, not {game}"
            )
        super().__init__(rules, game, search)
        self._names = game.kind_names
        self._lit: np.ndarray | None = None
        self._systems: dict[tuple[int, int], ParitySystem] = {}

    def probe(self) -> None:
        self.lit_kinds()
        self.system(3, 3)

    # -- the rule tables ------------------------------------------------------------------------
    def lit_kinds(self) -> np.ndarray:
        """``(K,)`` bool: which kinds ``lit/1`` says must be turned off."""
        if self._lit is None:
            k = Var("K")
            goal = conjunction(Term("member", k, list(self._names)), Term("lit", k))
            lit = set(self.rules.ask(goal, k))
            self._lit = np.array([name in lit for name in self._names])
        return self._lit

    def system(self, height: int, width: int) -> ParitySystem:
        """The reduced system of a board size, from ``toggles/3`` over every press."""
        if (height, width) not in self._systems:
            r, c, flipped = Var("R"), Var("C"), Var("F")
            goal = conjunction(
                Term("between", 0, height - 1, r),
                Term("between", 0, width - 1, c),
                Term("toggles", Term("-", r, c), Term("-", height, width), flipped),
            )
            n = height * width
            toggles = np.zeros((n, n), dtype=np.uint8)
            for r0, c0, answer in self.rules.ask(goal, [r, c, flipped]):
                cell = position(answer)
                if cell is None:
                    raise QueryError(f"toggles/3 gave the cell {show(answer)}, not Row-Col")
                if 0 <= cell[0] < height and 0 <= cell[1] < width:
                    toggles[cell[0] * width + cell[1], r0 * width + c0] = 1
            self._systems[(height, width)] = ParitySystem.reduce(toggles)
        return self._systems[(height, width)]

    # ``predict`` is there for checking learned rules; ``predicts`` stays False so that
    # abduction reads LightsOut as it always has (a change to measure on its own).
    predicts = False

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The next board after pressing ``action``, by the rules: every cell the press flips
        (``toggles/3``) turns from a lit kind to the one kind that is not, or back (a game of
        two kinds); None if no lit cell is left, which ends the episode."""
        lit = self.lit_kinds()
        if lit.sum() != 1 or len(lit) != 2:
            raise NotImplementedError("predicting a press needs one lit kind and one dark kind")
        h, w = scene.shape
        flipped = self.system(h, w).toggles[:, int(action)].reshape(h, w).astype(bool)
        grid = np.where(flipped, 1 - scene.grid, scene.grid).astype(scene.grid.dtype)
        return None if not lit[grid.ravel().astype(np.intp)].any() else grid

    # -- deciding -------------------------------------------------------------------------------
    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        h, w = scene.shape
        system = self.system(h, w)
        lit = self.lit_kinds()[scene.grid.ravel().astype(np.intp)].astype(np.uint8)
        t1 = time.perf_counter()
        presses = system.solve(lit) if lit.any() else None
        t2 = time.perf_counter()
        name = self.game.actions.name
        if presses is not None and presses.any():
            plan = [int(p) for p in np.flatnonzero(presses)]
            action = plan[0]
            shown = ", ".join(name(p, h, w) for p in plan[:12]) + (
                ", ..." if len(plan) > 12 else ""
            )
            summary = (
                f"plan of {len(plan)} press{'es' * (len(plan) != 1)} {shown}: each lit cell is "
                "flipped an odd number of times, every other cell an even number (toggles/3, "
                "solved over GF(2))"
            )
            alternatives = {}
            if len(plan) > 1:
                later = ", ".join(name(p, h, w) for p in plan[1:4]) + (
                    ", ..." if len(plan) > 4 else ""
                )
                alternatives[later] = (
                    "in the plan too; presses commute, so they follow in reading order"
                )
            others = h * w - len(plan)
            if others:
                alternatives[f"the other {others} cells"] = "no shortest solution presses them"
        else:
            plan = []
            after = (lit[:, None] ^ system.toggles).sum(0)  # lights left on after each press
            action = int(after.argmin())
            if not lit.any():
                summary = "no plan: nothing is lit under these rules; pressing the first cell"
            else:
                summary = (
                    "no plan: these lights cannot all be turned off under these rules (toggles/3); "
                    f"pressing the cell that leaves the fewest on ({int(after[action])}) instead"
                )
            alternatives = {}
        return Decision(
            action=action,
            action_name=name(action, h, w),
            plan=tuple(plan),
            summary=summary,
            alternatives=alternatives,
            prolog_s=t1 - t0,
            search_s=t2 - t1,
        )

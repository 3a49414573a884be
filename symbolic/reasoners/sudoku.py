"""Planning for a game whose action writes a value in a cell (VisualSudoku): the rules, in
CLP(FD), say what a solved board is; the plan writes the solution's digit in every blank. A
hybrid plans on the likeliest board the rules solve (:meth:`SudokuReasoner.likeliest`), not
on its perception's first guess.

Two searches, both asking the rules and nothing else:

- ``clpfd`` (the default) asks ``solution(Board, Solved)`` of each distinct board it is shown
  (kept: a rule set is pure, so the same board always has the same answer) and takes the first
  solution.
- ``table`` asks once, of the board with every cell blank, for every solved board of a size
  (288 for 4x4), and answers a board with the first solved board that agrees with its digits.
  That is the same answer where a board's solutions are the solved boards that agree with it,
  as in Sudoku; rules under which adding a digit could open a new solution would differ.

:meth:`SudokuReasoner.solved_boards` (the table) is also what abduction asks when it works out
which digits a board's handwriting shows (see :mod:`compose.abduction.clusters`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import QueryLimits, RuleSet
from symbolic.errors import QueryError
from symbolic.reasoner import Decision, Reasoner
from symbolic.terms import Term, Var, show

__all__ = ["SudokuReasoner"]

QUESTIONS = ("digit/2", "solution/2")
TABLE_LIMITS = QueryLimits(inferences=50_000_000, seconds=60.0)  # one query for every board


class SudokuReasoner(Reasoner):
    """Maps a Scene of a write-a-digit game to a Decision: the solution's digit in the first
    blank, in reading order."""

    questions = QUESTIONS
    searches = ("clpfd", "table")
    predicts = True
    reads_likeliest = True

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        if not game.actions.values or game.agent_kinds:
            raise TypeError(f"the Sudoku reasoner plays games that write values, not {game}")
        super().__init__(rules, game, search)
        self._names = game.kind_names
        self._blank = game.index(game.background)
        self._value_kind: np.ndarray | None = None  # (V,) the kind of each action's value
        self._solved: dict[bytes, np.ndarray | None] = {}
        self._tables: dict[tuple[int, int], np.ndarray] = {}

    def probe(self) -> None:
        self.value_kinds()
        blank = self._names[self._blank]
        solved = Var("S")
        self.rules.ask(Term("once", Term("solution", [[blank] * 4] * 4, solved)), solved)

    # -- the rules ------------------------------------------------------------------------------
    def value_kinds(self) -> np.ndarray:
        """``(V,)``: the kind that shows each value an action writes, by ``digit/2``."""
        if self._value_kind is None:
            kind, value = Var("K"), Var("V")
            answers = self.rules.ask(Term("digit", kind, value), [kind, value])
            by_value = {str(v): k for k, v in answers if k in self._names}
            missing = [v for v in self.game.actions.values if v not in by_value]
            if missing:
                raise QueryError(
                    f"digit/2 names no kind for the digit{'s' * (len(missing) > 1)} "
                    f"{', '.join(missing)}; every digit an action writes needs one"
                )
            self._value_kind = np.array(
                [self._names.index(by_value[v]) for v in self.game.actions.values]
            )
        return self._value_kind

    def _solve(self, grid: np.ndarray) -> np.ndarray | None:
        """The first solution ``solution/2`` gives for ``grid`` (kinds), or None."""
        key = grid.astype(np.int8).tobytes() + bytes(grid.shape)
        if key not in self._solved:
            if self.search == "table":
                table = self.solved_boards(*grid.shape).reshape(-1, grid.size)
                flat = grid.ravel()
                given = flat != self._blank
                fits = np.flatnonzero((table[:, given] == flat[given]).all(axis=1))
                self._solved[key] = table[fits[0]].reshape(grid.shape) if len(fits) else None
            else:
                solved = Var("S")
                board = [[self._names[int(k)] for k in row] for row in grid]
                answers = self.rules.ask(Term("once", Term("solution", board, solved)), solved)
                self._solved[key] = self._board(answers[0], grid.shape) if answers else None
        return self._solved[key]

    def _board(self, answer: object, shape: tuple[int, ...]) -> np.ndarray:
        """A ``solution/2`` answer (rows of kind atoms) as a grid of kinds, checked."""
        rows = answer if isinstance(answer, list) else []
        if len(rows) != shape[0] or any(
            not isinstance(row, list) or len(row) != shape[1] for row in rows
        ):
            raise QueryError(f"solution/2 gave {show(answer)}, not a {shape[0]}x{shape[1]} board")
        bad = [k for row in rows for k in row if k not in self._names or k == self._names[0]]
        if bad:
            raise QueryError(f"solution/2 filled a cell with {show(bad[0])}, not a digit kind")
        return np.array([[self._names.index(k) for k in row] for row in rows], dtype=np.int8)

    def solved_boards(self, height: int, width: int) -> np.ndarray:
        """``(B, H, W)``: every solved board of a size, as the rules give them for the board
        with every cell blank (asked once per size)."""
        if (height, width) not in self._tables:
            solved = Var("S")
            blank = [[self._names[self._blank]] * width for _ in range(height)]
            # Every solved 4x4 board takes the CLP(FD) rules about 2.3M inferences (0.25 s).
            rules = replace(self.rules, limits=TABLE_LIMITS)
            answers = rules.ask(Term("solution", blank, solved), solved)
            boards = [self._board(a, (height, width)) for a in answers]
            self._tables[(height, width)] = (
                np.stack(boards) if boards else np.zeros((0, height, width), dtype=np.int8)
            )
        return self._tables[(height, width)]

    # -- deciding -------------------------------------------------------------------------------
    def _write(self, cell: int, kind: int) -> int:
        return cell * self.game.actions.per_value + int(
            np.flatnonzero(self.value_kinds() == kind)[0]
        )

    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        h, w = scene.shape
        solved = self._solve(scene.grid)
        t1 = time.perf_counter()
        name = self.game.actions.name
        blanks = np.flatnonzero(scene.grid.ravel() == self._blank)
        if solved is not None and len(blanks):
            plan = [self._write(int(c), int(solved.flat[c])) for c in blanks]
            shown = ", ".join(name(a, h, w) for a in plan[:8]) + (", ..." if len(plan) > 8 else "")
            r, c, _ = self.game.actions.cell_value(plan[0], w)
            summary = (
                f"plan of {len(plan)} write{'s' * (len(plan) != 1)} {shown}: the board's "
                "solution (solution/2), its blanks in reading order"
            )
            alternatives = {
                f"another digit in ({r},{c})": "the solution holds this one there",
            }
            if len(plan) > 1:
                alternatives["another blank first"] = "writes follow in reading order"
            return Decision(
                plan[0], name(plan[0], h, w), tuple(plan), summary, alternatives, t1 - t0, 0.0
            )
        action = int(blanks[0]) * self.game.actions.per_value if len(blanks) else 0
        why = (
            "no blank is left to fill"
            if not len(blanks)
            else "this board has no solution under these rules (solution/2)"
        )
        summary = f"no plan: {why}; writing {name(action, h, w)}"
        return Decision(action, name(action, h, w), (), summary, {}, t1 - t0, 0.0)

    def likeliest(self, scene: Scene, probs: np.ndarray) -> Scene:
        """The board as read, its digits replaced by those of the solved board (from the
        rules' table) under which perception's ``probs`` find them likeliest: a misread digit
        that leaves the board without a solution is read again as the digit the rules
        allow. Blanks stay blank."""
        h, w = scene.shape
        flat = scene.grid.ravel()
        filled = np.flatnonzero(flat != self._blank)
        table = self.solved_boards(h, w).reshape(-1, h * w)
        if not len(filled) or not len(table):
            return scene
        logp = np.log(np.clip(probs.reshape(h * w, -1), 1e-9, 1.0))
        score = logp[filled[None, :], table[:, filled]].sum(axis=1)
        grid = flat.copy()
        grid[filled] = table[int(score.argmax()), filled]
        return Scene(self.game, grid.reshape(h, w).astype(np.int8), None, ())

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The board after ``action``: a blank takes the digit written, any other cell stays;
        None once no blank is left (the episode ends)."""
        r, c, v = self.game.actions.cell_value(action, scene.shape[1])
        grid = scene.grid.copy()
        if grid[r, c] == self._blank:
            grid[r, c] = self.value_kinds()[v]
        return None if not (grid == self._blank).any() else grid

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
  as in Sudoku; rules under which adding a digit could open a new solution would differ. A
  9x9 board has about 6.7e21 solved boards: the table is refused there.

Both searches take ``solution/2`` at its word: a solution fills a board's blanks. So a board
that only adds digits to the last board solved, each the digit that solution holds there, has
that solution, and it is the first the rules give (a board's solutions are among those of
any board it adds digits to): as the expert's writes fill a board, the rules are asked once
per board, not once per write. A search that runs past the rule set's limits
(:class:`~symbolic.engine.QueryLimits`) stops the episode, saying so.

:meth:`SudokuReasoner.completions` (a board's solutions: from the table up to 4x4, from
``solution/2`` beyond) is what abduction asks when it works out which digits a board's
handwriting shows (see :mod:`compose.abduction.clusters`).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import QueryLimits, RuleSet
from symbolic.errors import QueryError, QueryLimitError
from symbolic.reasoner import Decision, Reasoner
from symbolic.terms import Term, Var, show

__all__ = ["SudokuReasoner"]

QUESTIONS = ("digit/2", "solution/2")
TABLE_LIMITS = QueryLimits(inferences=50_000_000, seconds=60.0)  # one query for every board
TABLED = 16  # the most cells a board may have for its size's solved boards to be listed
DOUBTS = (1, 2, 3, 4, 5, 6, 8, 10, 12)  # how many digits read least surely are left blank
REREADS = 32  # readings with one or two digits read as others that are tried first
READINGS = 64  # the most solutions listed for each, to choose the likeliest among
READING_SECONDS = 0.3  # the most time spent reading a board again


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
        self._last: tuple[np.ndarray, np.ndarray] | None = None  # a board and its solution
        self._single: dict[bytes, bool] = {}  # whether a board has exactly one solution
        self._last_single: tuple[np.ndarray, np.ndarray] | None = None  # the last such board
        self._unread: np.ndarray | None = None  # the last board no reading of was solved
        self._none: np.ndarray | None = None  # the last board the rules gave no solution
        self._none_read: np.ndarray | None = None  # the last board read that had none
        self._reading: tuple[np.ndarray, np.ndarray] | None = None  # a board read, read again

    @classmethod
    def searches_for(cls, game: GameSpec) -> tuple[str, ...]:
        """Both searches up to 4x4; beyond, ``clpfd`` only (the table of every solved 9x9
        board would hold about 6.7e21)."""
        n = len(game.actions.values)  # a board of n values is n x n
        return cls.searches if n * n <= TABLED else ("clpfd",)

    def probe(self) -> None:
        self.value_kinds()
        blank = self._names[self._blank]  # a blank 4x4 board: a blank 9x9 takes CLP(FD) over
        solved = Var("S")  # the rules' inference limit
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
            if self._last is not None and self._adds_to(grid, *self._last):
                self._solved[key] = self._last[1]
            elif self._holds(grid, self._none):
                self._solved[key] = None  # it adds digits to a board with no solution
            else:  # the table search is offered up to 4x4 only, where completions read it
                ask = self.completions if self.search == "table" else self._ask
                solved = ask(grid, 1)
                self._solved[key] = solved[0] if len(solved) else None
            if self._solved[key] is not None:
                self._last = (grid.copy(), self._solved[key])
            else:
                self._none = grid.copy()
        return self._solved[key]

    def _one_solution(self, grid: np.ndarray) -> bool:
        """Whether the rules give ``grid`` exactly one solution (asked for two; kept)."""
        key = grid.astype(np.int8).tobytes() + bytes(grid.shape)
        if key not in self._single:
            last = self._last_single
            if last is not None and self._adds_to(grid, *last):
                self._single[key], self._solved[key] = True, last[1]
            elif self._holds(grid, self._none):
                self._single[key], self._solved[key] = False, None
            else:
                found = self.completions(grid, 2)
                self._single[key] = len(found) == 1
                self._solved.setdefault(key, found[0] if len(found) else None)
                if not len(found):
                    self._none = grid.copy()
            if self._single[key]:
                self._last_single = self._last = (grid.copy(), self._solved[key])
        return self._single[key]

    def _holds(self, grid: np.ndarray, before: np.ndarray | None) -> bool:
        """``grid`` holds every digit of ``before`` where ``before`` holds it."""
        if before is None or before.shape != grid.shape:
            return False
        was = before != self._blank
        return bool((grid[was] == before[was]).all())

    def _adds_to(self, grid: np.ndarray, before: np.ndarray, solution: np.ndarray) -> bool:
        """``grid`` holds every digit of ``before``, and beyond them only digits of
        ``solution`` (a solution of ``before``)."""
        now = grid != self._blank
        return self._holds(grid, before) and bool((grid[now] == solution[now]).all())

    def _fitting(self, table: np.ndarray, flat: np.ndarray) -> np.ndarray:
        given = flat != self._blank
        return np.flatnonzero((table[:, given] == flat[given]).all(axis=1))

    def completions(self, grid: np.ndarray, limit: int) -> np.ndarray:
        """``(B, H, W)``: up to ``limit`` solutions of ``grid`` (kinds), the rules' first
        first: from the table of solved boards up to 4x4, by ``solution/2`` beyond."""
        if grid.size <= TABLED:
            table = self.solved_boards(*grid.shape)
            return table[self._fitting(table.reshape(len(table), -1), grid.ravel())[:limit]]
        return self._ask(grid, limit)

    def _ask(self, grid: np.ndarray, limit: int) -> np.ndarray:
        """``(B, H, W)``: up to ``limit`` solutions of ``grid``, by ``solution/2``."""
        solved = Var("S")
        board = [[self._names[int(k)] for k in row] for row in grid]
        answers = self.rules.ask(Term("limit", limit, Term("solution", board, solved)), solved)
        boards = [self._board(a, grid.shape) for a in answers]
        return np.stack(boards) if boards else np.zeros((0, *grid.shape), dtype=np.int8)

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
        if height * width > TABLED:
            raise QueryError(
                f"the solved {height}x{width} boards are too many to list (a 9x9 has about "
                "6.7e21); ask for a board's solutions instead (search 'clpfd')"
            )
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
        try:
            solved = self._solve(scene.grid)
        except QueryLimitError as e:
            why = f"solution/2 ran past its limit on this board ({e})"
            return Decision(0, self.game.actions.name(0, h, w), (), f"stopped: {why}", stop=why)
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
        """The board as read, its digits replaced by those of the solved board under which
        perception's ``probs`` find them likeliest: a misread digit that leaves the board
        without a solution is read again as the digit the rules allow. Blanks stay blank.

        Up to 4x4 every solved board is scored (the rules' table). Beyond, the digits read
        least surely are read again (:meth:`_likeliest_reading`); if the rules solve nothing
        within ``READING_SECONDS``, the board stays as read."""
        h, w = scene.shape
        flat = scene.grid.ravel()
        filled = np.flatnonzero(flat != self._blank)
        if not len(filled):
            return scene
        logp = np.log(np.clip(probs.reshape(h * w, -1), 1e-9, 1.0))
        grid = flat.copy()
        if h * w <= TABLED:
            table = self.solved_boards(h, w).reshape(-1, h * w)
            if not len(table):
                return scene
            score = logp[filled[None, :], table[:, filled]].sum(axis=1)
            grid[filled] = table[int(score.argmax()), filled]
        else:
            found = self._likeliest_reading(scene.grid, logp, filled)
            if found is None:
                return scene
            grid = found.ravel()
        return Scene(self.game, grid.reshape(h, w).astype(np.int8), None, ())

    def _likeliest_reading(
        self, grid: np.ndarray, logp: np.ndarray, filled: np.ndarray
    ) -> np.ndarray | None:
        """The likeliest reading of ``grid``'s digits (``logp``: ``(cells, kinds)``) that the
        rules solve: the digits as read if the rules solve them; else the digits read least
        surely are left blank, one more at a time (``DOUBTS``), the rules list solutions of
        what is left, and the solution under which the digits left blank are likeliest wins.
        A Sudoku has one solution: a reading the rules solve more than one way is read again."""
        if not self._holds(grid, self._none_read):  # else it has no solution either
            try:
                if self._one_solution(grid):
                    return grid
            except QueryLimitError:
                return None  # the board as read is past the limit: decide will say so
            if self._solve(grid) is None:
                self._none_read = grid.copy()
        if self._holds(grid, self._unread):
            return None  # it adds digits to a board no reading of was solved: nor is it
        if self._reading is not None and self._holds(grid, self._reading[0]):
            read, again = self._reading  # the digits read again last time, read so again
            trial = np.where(read != again, again, grid)
            try:
                if self._one_solution(trial):
                    return trial
            except QueryLimitError:
                pass
        deadline = time.perf_counter() + READING_SECONDS
        found = self._reread(grid, logp, filled, deadline)
        if found is None:
            found = self._doubt(grid, logp, filled, deadline)
        if found is None:
            self._unread = grid.copy()
        else:
            self._reading = (grid.copy(), found)
        return found

    def _doubt(
        self, grid: np.ndarray, logp: np.ndarray, filled: np.ndarray, deadline: float
    ) -> np.ndarray | None:
        """The likeliest solution with the digits read least surely left blank, one more at
        a time (``DOUBTS``), scored on those digits."""
        sure = logp[filled, grid.ravel()[filled]]
        order = filled[np.argsort(sure)]  # least sure first
        for doubts in DOUBTS:
            if doubts > len(order) or time.perf_counter() > deadline:
                break
            doubted = order[:doubts]
            trial = grid.copy()
            trial.flat[doubted] = self._blank
            try:
                found = self.completions(trial, READINGS)
            except QueryLimitError:
                continue
            if len(found):
                flat = found.reshape(len(found), -1)
                score = logp[doubted[None, :], flat[:, doubted]].sum(axis=1)
                trial.flat[doubted] = flat[int(score.argmax()), doubted]
                return trial
        return None

    def _reread(
        self, grid: np.ndarray, logp: np.ndarray, filled: np.ndarray, deadline: float
    ) -> np.ndarray | None:
        """The likeliest reading the rules solve one way only with one or two digits read as
        others (the ``REREADS`` likeliest such readings are tried)."""
        digits = self.value_kinds()
        read = grid.ravel()[filled]
        cost = logp[filled, read][:, None] - logp[filled[:, None], digits[None, :]]
        cost[read[:, None] == digits[None, :]] = np.inf
        ranked = np.argsort(cost, axis=None)[:REREADS]
        singles = [(float(cost.flat[k]), *divmod(int(k), len(digits))) for k in ranked]
        tries = [(c, ((i, j),)) for c, i, j in singles] + [
            (a[0] + b[0], ((a[1], a[2]), (b[1], b[2])))
            for n, a in enumerate(singles)
            for b in singles[n + 1 :]
            if a[1] != b[1]
        ]
        tries.sort(key=lambda t: t[0])
        for _, changes in tries[:REREADS]:
            trial = grid.copy()
            for i, j in changes:
                trial.flat[filled[i]] = digits[j]
            try:
                if self._one_solution(trial):
                    return trial
            except QueryLimitError:
                pass
            if time.perf_counter() > deadline:
                break
        return None

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The board after ``action``: a blank takes the digit written, any other cell stays;
        None once no blank is left (the episode ends)."""
        r, c, v = self.game.actions.cell_value(action, scene.shape[1])
        grid = scene.grid.copy()
        if grid[r, c] == self._blank:
            grid[r, c] = self.value_kinds()[v]
        return None if not (grid == self._blank).any() else grid

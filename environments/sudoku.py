"""Visual Sudoku 4x4: fill the blanks so that every row, column and 2x2 box holds 1 to 4 once.

The board's givens are handwritten: each is one of scikit-learn's bundled handwritten digits
(:mod:`environments.digits`: training images for the training levels, test images for the
evaluation splits, never both), so a pipeline must read handwriting before it can reason. The
digits a player writes appear in a typed hand, in another colour.

## Description
A level is one of the 288 solved 4x4 boards, drawn uniformly, with cells removed in a random
order for as long as the board keeps exactly one solution, until ``givens`` remain (fewer
cannot always be reached: a board keeps more givens where removing any of them would admit a
second solution). Each given shows a handwritten image of its digit drawn from the level's part
of the images (``images``); blanks show the paper.

## Action Space
``Discrete(64)``: action ``(r * 4 + c) * 4 + (v - 1)`` writes the digit ``v`` in the cell of row
``r``, column ``c`` (named ``write(r,c,v)``). Writing in a cell that is not blank changes
nothing (the step counts).

## Observation
An RGB ``uint8`` image of shape ``(4 * tile, 4 * tile, 3)``: each handwritten 8x8 image scaled
to the tile (``tile`` a multiple of 8, 8 by default), in ink on paper, with a per-level jitter
of the colours and a fixed field of per-pixel noise. ``info["scene"]`` holds the ground-truth
:class:`~environments.core.Scene`; it says which digit a cell holds, not whether it was given.

## Rewards
``1 - 0.9 * steps / max_steps`` when the last blank is filled and the board is valid; 0
otherwise.

## Termination
Terminated when no blank is left: ``info["success"]`` tells whether every row, column and box
then holds each digit once. Truncated after ``max_steps`` writes (default 20: a board has at
most 12 blanks, and a player that writes every cell in reading order needs 16).

## Registered Configurations
``neurocomp/VisualSudoku-4x4-v0`` (6 givens) and ``neurocomp/VisualSudoku-4x4-sparse-v0`` (as
few as keep one solution, aiming at 4). Keyword variants: ``givens`` (4 to 16), ``images``
(``"train"`` or ``"test"``), ``appearance`` (``"default"`` or ``"novel"``), ``tile``,
``max_steps``, ``render_mode``.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from math import isqrt
from typing import Any

import numpy as np

from environments.appearance import APPEARANCES
from environments.core import GridGame
from environments.digits import digit_images
from environments.errors import InvalidVariantError, clip
from environments.spec import Actions, GameSpec, KindSpec, Split, Variant
from environments.sudoku_boards import carve, solve, solved_board

__all__ = ["SUDOKU", "SUDOKU9", "Sudoku9Env", "SudokuEnv", "solutions", "valid_board"]

SIZE, BOX = 4, 2
DIGITS = (1, 2, 3, 4)  # the value each digit kind stands for, in the order of the kinds
BLANK = 0  # kind index; kind d (1..4) is the digit d

# The typed hand of the digits a player writes, one 8x8 bitmap per digit.
TYPED = {
    1: ("...##...", "..###...", ".####...", "...##...", "...##...", "...##...", ".######.", ""),
    2: ("..####..", ".##..##.", ".....##.", "....##..", "...##...", "..##....", ".######.", ""),
    3: (".#####..", ".....##.", ".....##.", "..####..", ".....##.", ".....##.", ".#####..", ""),
    4: ("....##..", "...###..", "..#.##..", ".#..##..", ".######.", "....##..", "....##..", ""),
    5: (".######.", ".##.....", ".#####..", ".....##.", ".....##.", ".##..##.", "..####..", ""),
    6: ("..####..", ".##.....", ".##.....", ".#####..", ".##..##.", ".##..##.", "..####..", ""),
    7: (".######.", ".....##.", "....##..", "...##...", "..##....", "..##....", "..##....", ""),
    8: ("..####..", ".##..##.", ".##..##.", "..####..", ".##..##.", ".##..##.", "..####..", ""),
    9: ("..####..", ".##..##.", ".##..##.", "..#####.", ".....##.", ".....##.", "..####..", ""),
}


def _bitmap(rows: tuple[str, ...]) -> np.ndarray:
    return np.array([[ch == "#" for ch in row.ljust(8, ".")] for row in rows], dtype=np.float32)


SUDOKU = GameSpec(
    name="sudoku",
    title="VisualSudoku",
    summary="fill the blanks of a 4x4 Sudoku whose givens are handwritten digits",
    entry_point="environments.sudoku:SudokuEnv",
    kinds=(
        KindSpec("blank", ".", None, doc="an empty cell"),
        KindSpec("one", "1", None, doc="the digit 1, handwritten (given) or typed (written)"),
        KindSpec("two", "2", None, doc="the digit 2"),
        KindSpec("three", "3", None, doc="the digit 3"),
        KindSpec("four", "4", None, doc="the digit 4"),
    ),
    actions=Actions(
        per_cell="write",
        values=tuple(str(d) for d in DIGITS),
        doc="write a digit in one cell",
        symmetry="compass",  # a written digit moves with its cell; rows, columns and boxes
        # map onto rows, columns and boxes under every symmetry of the square board
    ),
    palettes={
        "default": {"paper": (235, 232, 222), "ink": (25, 25, 30), "pen": (30, 60, 200)},
        # Every colour is far (> 60 per channel somewhere) from its default.
        "novel": {"paper": (40, 70, 50), "ink": (250, 230, 90), "pen": (240, 120, 160)},
    },
    reasoner="symbolic.reasoners.sudoku:SudokuReasoner",
    decoder="argmax",
    background="blank",
    cut_loops=True,
    abduction="clusters",
    variants=(
        Variant("4x4", {"givens": 6}, "4x4 board, 6 handwritten givens"),
        Variant("4x4-sparse", {"givens": 4}, "4x4 board, as few givens as keep one solution"),
    ),
)


_NINE = (("five", "5"), ("six", "6"), ("seven", "7"), ("eight", "8"), ("nine", "9"))
SUDOKU9 = replace(
    SUDOKU,
    name="sudoku9",  # checkpoints and reports; the rules are the 4x4's (sudoku.pl)
    summary="fill the blanks of a 9x9 Sudoku whose givens are handwritten digits",
    entry_point="environments.sudoku:Sudoku9Env",
    kinds=(
        *SUDOKU.kinds,
        *(KindSpec(name, symbol, None, doc=f"the digit {symbol}") for name, symbol in _NINE),
    ),
    actions=replace(SUDOKU.actions, values=tuple(str(d) for d in range(1, 10))),
    rules="sudoku.pl",
    variants=(
        Variant("9x9", {"givens": 30}, "9x9 board, 30 handwritten givens"),
        Variant("9x9-sparse", {"givens": 17}, "9x9 board, as few givens as keep one solution"),
    ),
    bench=("9x9",),
)


def valid_board(board: np.ndarray) -> bool:
    """Every row, column and box of a full ``(N, N)`` board of digits holds 1 to N once."""
    n = len(board)
    box = isqrt(n)
    want = set(range(1, n + 1))
    if any(set(row) != want for row in board.tolist()):
        return False
    if any(set(col) != want for col in board.T.tolist()):
        return False
    boxes = board.reshape(box, box, box, box).transpose(0, 2, 1, 3).reshape(n, n)
    return all(set(box) == want for box in boxes.tolist())


@cache
def solutions() -> np.ndarray:
    """Every solved 4x4 board, ``(288, 16)`` digits in reading order: the simulator's own
    knowledge of the game, independent of the rules."""
    from itertools import permutations

    rows = [np.array(p) for p in permutations(DIGITS)]
    found: list[np.ndarray] = []

    def extend(board: list[np.ndarray]) -> None:
        if len(board) == SIZE:
            found.append(np.concatenate(board))
            return
        for row in rows:
            trial = np.stack([*board, row])
            if any(len(set(col)) < len(col) for col in trial.T.tolist()):
                continue
            if len(board) % BOX == 1:  # a band of boxes is complete
                band = trial[-BOX:].reshape(BOX, BOX, BOX).transpose(1, 0, 2).reshape(BOX, -1)
                if any(len(set(box)) < len(box) for box in band.tolist()):
                    continue
            extend([*board, row])

    extend([])
    return np.stack(found).astype(np.int8)


class SudokuEnv(GridGame):
    """Write digits in the blanks until the board is full."""

    game = SUDOKU
    n, box, fewest = SIZE, BOX, 4  # the board's side, its boxes' and the fewest givens asked

    def __init__(self, givens: int = 6, images: str = "train", **kwargs: Any) -> None:
        n = self.n
        if not isinstance(givens, int | np.integer) or not self.fewest <= givens <= n * n:
            raise InvalidVariantError(
                f"VisualSudoku {n}x{n} givens must be an integer from {self.fewest} to "
                f"{n * n}, got {clip(givens)}"
            )
        if images not in ("train", "test"):
            raise InvalidVariantError(
                f"images must be 'train' or 'test' (the part of the handwritten digits the "
                f"givens are drawn from), got {clip(images)}"
            )
        tile = kwargs.get("tile", 8)
        if isinstance(tile, int | np.integer) and tile % 8:
            raise InvalidVariantError(
                f"VisualSudoku draws 8x8 handwritten images: tile must be 8, 16, 24 or 32, "
                f"got {clip(tile)}"
            )
        super().__init__(n, n, **kwargs)
        self.givens, self.images = int(givens), images
        pool, labels = digit_images(images)
        self._pool = {d: pool[labels == d] for d in range(1, n + 1)}
        self._board = np.zeros((n, n), dtype=np.int8)  # digits; 0 for a blank
        self._given = np.zeros((n, n), dtype=bool)
        self._solvable = False
        self._why = ""  # why the board loaded cannot be played, if it cannot
        self._solution = np.zeros((n, n), dtype=np.int8)
        self._ink = np.zeros((n, n, 8, 8), dtype=np.float32)  # each given's image
        self._look = APPEARANCES[self.appearance]
        self._colours: dict[str, np.ndarray] = {}
        self._noise = np.zeros((0,), dtype=np.float32)
        self._screen = np.zeros((n * self.tile, n * self.tile, 3), dtype=np.uint8)

    def _default_max_steps(self) -> int:
        return self.n * self.n + 4

    def eval_splits(self) -> list[Split]:
        """Handwriting never trained on, on boards like the training ones and on boards with
        fewer givens; and unseen colours."""
        unseen = {"images": "test"}
        return [
            Split("in-distribution", None, unseen),
            Split("fewer-givens", self.game.env_id(self.game.variants[-1]), unseen),  # sparse
            Split("novel-appearance", None, {**unseen, "appearance": "novel"}),
        ]

    # -- levels ---------------------------------------------------------------------------------
    def _generate(self) -> None:
        table = solutions()
        solution = table[int(self.np_random.integers(len(table)))]
        keep = np.ones(SIZE * SIZE, dtype=bool)
        for cell in self.np_random.permutation(SIZE * SIZE):
            if keep.sum() <= self.givens:
                break
            keep[cell] = False
            if (table[:, keep] == solution[keep]).all(axis=1).sum() > 1:
                keep[cell] = True  # another solution would fit: the cell stays given
        self._set(np.where(keep, solution, 0).reshape(SIZE, SIZE))

    def _load(self, grid: np.ndarray) -> None:
        if grid.all():
            raise InvalidVariantError("this VisualSudoku level has no blank cell left to fill")
        self._set(grid.astype(np.int8))  # kind d is the digit d

    def _set(self, board: np.ndarray) -> None:
        self._board = board.copy()
        self._given = board > 0
        self._solve(board)
        for r, c in zip(*np.nonzero(self._given), strict=True):
            pool = self._pool[int(board[r, c])]
            self._ink[r, c] = pool[int(self.np_random.integers(len(pool)))]

    def _solve(self, board: np.ndarray) -> None:
        """The solution of a board just set (the first of the table's that fit)."""
        fits = (solutions()[:, self._given.ravel()] == board[self._given]).all(axis=1)
        match = np.flatnonzero(fits)
        self._solution = (
            (solutions()[match[0]] if len(match) else np.zeros(16))
            .reshape(SIZE, SIZE)
            .astype(np.int8)
        )
        self._solvable = bool(len(match))
        self._why = "" if self._solvable else "no digits in its blanks solve it"

    def _why_unsolvable(self) -> str:
        return self._why or super()._why_unsolvable()

    def _visible(self) -> np.ndarray:
        return self._board.copy()

    def _apply(self, action: int) -> tuple[float, bool, bool]:
        r, c, v = self.game.actions.cell_value(action, self.n)
        if self._board[r, c] == 0:
            self._board[r, c] = v + 1
            self._draw(r, c)
        if (self._board == 0).any():
            return 0.0, False, False
        if valid_board(self._board):
            return self.win_reward(), True, True
        return 0.0, True, False

    def expert_plan(self) -> list[int] | None:
        """The solution's digit in every blank, in reading order, if no written digit departs
        from it and the writes fit in the steps left."""
        filled = self._board > 0
        if not self._solvable or (self._board[filled] != self._solution[filled]).any():
            return None
        blanks = np.flatnonzero(self._board.ravel() == 0)
        plan = [int(cell) * self.n + int(self._solution.flat[cell]) - 1 for cell in blanks]
        return plan if len(plan) <= self.max_steps - self._steps else None

    # -- the screen -----------------------------------------------------------------------------
    def _new_screen(self) -> None:
        self._colours = self._look.sample_palette(
            self.game.palettes[self.appearance], self.np_random
        )
        shape = self._screen.shape
        self._noise = self.np_random.normal(0.0, self._look.noise, size=shape).astype(np.float32)
        self._screen = self.redraw()

    def _update_screen(self) -> None:
        pass  # each write draws its own cell

    def _draw(self, r: int, c: int) -> None:
        t = self.tile
        ys, xs = slice(r * t, (r + 1) * t), slice(c * t, (c + 1) * t)
        self._screen[ys, xs] = self._cell(r, c, self._noise[ys, xs])

    def _cell(self, r: int, c: int, noise: np.ndarray) -> np.ndarray:
        digit = int(self._board[r, c])
        if digit == 0:
            mark, slot = np.zeros((8, 8), dtype=np.float32), "ink"
        elif self._given[r, c]:
            mark, slot = self._ink[r, c], "ink"
        else:
            mark, slot = _bitmap(TYPED[digit]), "pen"
        scale = self.tile // 8
        mark = np.kron(mark, np.ones((scale, scale), dtype=np.float32))[..., None]
        paper, ink = self._colours["paper"], self._colours[slot]
        return np.clip(paper * (1 - mark) + ink * mark + noise, 0, 255).astype(np.uint8)

    def _frame(self) -> np.ndarray:
        return self._screen.copy()

    def redraw(self) -> np.ndarray:
        t = self.tile
        screen = np.empty_like(self._screen)
        for r in range(self.n):
            for c in range(self.n):
                ys, xs = slice(r * t, (r + 1) * t), slice(c * t, (c + 1) * t)
                screen[ys, xs] = self._cell(r, c, self._noise[ys, xs])
        return screen


class Sudoku9Env(SudokuEnv):
    """Visual Sudoku 9x9: the same game on a board of nine 3x3 boxes. A level is a random
    solved board (:func:`~environments.sudoku_boards.solved_board`) blanked while one solution
    remains (22 to 27 givens are left at most where ``givens`` asks for fewer); a board drawn
    as text (``--level``) must have exactly one solution."""

    game = SUDOKU9
    n, box, fewest = 9, 3, 17  # no 9x9 board with fewer than 17 givens has one solution

    def __init__(self, givens: int = 30, images: str = "train", **kwargs: Any) -> None:
        super().__init__(givens, images, **kwargs)

    def _generate(self) -> None:
        solution = solved_board(self.n, self.box, self.np_random)
        self._set(carve(solution, self.box, self.givens, self.np_random))

    def _solve(self, board: np.ndarray) -> None:
        found = solve(board, self.box, limit=2)
        self._solvable = len(found) == 1
        self._solution = (found[0] if found else np.zeros_like(board)).astype(np.int8)
        self._why = (
            ""
            if self._solvable
            else "no digits in its blanks solve it"
            if not found
            else "it has more than one solution (a level must have exactly one)"
        )

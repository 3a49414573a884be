"""The simulator's own knowledge of Sudoku boards of any square size (9x9 and up), independent
of the rules: solving a board, drawing a solved one, and blanking cells while one solution
remains. The 4x4 game lists its 288 solved boards instead (:func:`environments.sudoku.solutions`);
9x9 has about 6.7e21.

A board is an ``(N, N)`` array of digits 1..N with 0 for a blank; boxes are ``B x B`` with
``B * B == N``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["carve", "solve", "solved_board"]


def _units(board: np.ndarray, box: int) -> tuple[list[int], list[int], list[int]] | None:
    """The digits each row, column and box holds, as bit masks; None if a unit holds one
    digit twice."""
    n = len(board)
    rows, cols, boxes = [0] * n, [0] * n, [0] * n
    for r, c in zip(*np.nonzero(board), strict=True):
        bit, b = 1 << int(board[r, c]), (r // box) * box + c // box
        if (rows[r] | cols[c] | boxes[b]) & bit:
            return None
        rows[r] |= bit
        cols[c] |= bit
        boxes[b] |= bit
    return rows, cols, boxes


def solve(
    board: np.ndarray, box: int, limit: int = 1, exclude: tuple[int, int, int] | None = None
) -> list[np.ndarray]:
    """Up to ``limit`` solutions of ``board`` (a depth-first search, the blank with the fewest
    digits left first). ``exclude = (r, c, v)`` forbids the digit ``v`` in cell ``(r, c)``:
    a board has another solution than ``s`` exactly when it has one without ``s``'s digit in
    one of its blanks."""
    units = _units(board, box)
    if units is None:
        return []
    rows, cols, boxes = units
    n = len(board)
    everything = (1 << (n + 1)) - 2
    grid = board.astype(np.int64).copy()
    banned = {exclude[:2]: 1 << exclude[2]} if exclude else {}
    blanks = zip(*np.nonzero(board == 0), strict=True)
    todo = [
        (int(r), int(c), int((r // box) * box + c // box), banned.get((int(r), int(c)), 0))
        for r, c in blanks
    ]
    found: list[np.ndarray] = []

    def search(todo: list[tuple[int, int, int, int]]) -> bool:
        if not todo:
            found.append(grid.copy())
            return len(found) >= limit
        best, fewest, options = 0, n + 1, 0
        for i, (r, c, b, ban) in enumerate(todo):
            left = everything & ~(rows[r] | cols[c] | boxes[b] | ban)
            count = left.bit_count()
            if count < fewest:
                best, fewest, options = i, count, left
                if count <= 1:
                    break
        r, c, b, _ = todo[best]
        rest = todo[:best] + todo[best + 1 :]
        while options:
            bit = options & -options
            options ^= bit
            rows[r] |= bit
            cols[c] |= bit
            boxes[b] |= bit
            grid[r, c] = bit.bit_length() - 1
            if search(rest):
                return True
            rows[r] ^= bit
            cols[c] ^= bit
            boxes[b] ^= bit
        grid[r, c] = 0
        return False

    search(todo)
    return found


def solved_board(n: int, box: int, rng: np.random.Generator) -> np.ndarray:
    """A random solved ``(n, n)`` board: a pattern that solves, with its bands, the rows in
    each band, its stacks, the columns in each stack and its digits shuffled, and transposed
    half the time (every operation keeps a board solved)."""
    pattern = np.array([[(box * (r % box) + r // box + c) % n for c in range(n)] for r in range(n)])
    rows = np.concatenate([b * box + rng.permutation(box) for b in rng.permutation(box)])
    cols = np.concatenate([s * box + rng.permutation(box) for s in rng.permutation(box)])
    board = pattern[rows][:, cols]
    if rng.integers(2):
        board = board.T
    return (rng.permutation(n) + 1)[board].astype(np.int8)


def carve(solution: np.ndarray, box: int, givens: int, rng: np.random.Generator) -> np.ndarray:
    """``solution`` with cells blanked in a random order for as long as the board keeps one
    solution, until ``givens`` remain (or no cell can go: a minimal board keeps more)."""
    board = solution.copy()
    n = len(board)
    for cell in rng.permutation(n * n):
        if (board > 0).sum() <= givens:
            break
        r, c = divmod(int(cell), n)
        digit = int(board[r, c])
        board[r, c] = 0
        if solve(board, box, 1, exclude=(r, c, digit)):
            board[r, c] = digit  # another solution would fit: the cell stays given
    return board

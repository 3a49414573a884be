"""LightsOut: turn every light off; pressing a cell toggles it and its four neighbours.

The sparse-parity barrier in game form: which cells to press is a linear system over GF(2),
easy for a solver that knows the rule and, by Barak et al. (NeurIPS 2022), a problem whose
sample cost for gradient descent grows like ``n^k`` with the number of cells ``k`` an answer
depends on.

## Description
An n×n board of lights, each on or off. Pressing a cell toggles that cell and its (up to four)
orthogonal neighbours on the board. A level is drawn by pressing each cell with probability 1/2
on a dark board (drawn again if that leaves every light off), so every level is solvable and
every solvable board is equally likely. There is no agent: an action names the cell to press.

## Action Space
``Discrete(n * n)``: action ``r * n + c`` presses the cell in row ``r``, column ``c`` (named
``press(r,c)``). Pressing a cell twice undoes the first press (the step counts).

## Observation
An RGB ``uint8`` image of shape ``(n * tile, n * tile, 3)``, one ``tile``×``tile`` lamp per cell
(``tile=8`` by default), with the per-level palette jitter, sprite shifts and noise of every
game. ``info["scene"]`` holds the ground-truth :class:`~environments.core.Scene`.

## Rewards
``1 - 0.9 * steps / max_steps`` when the last light goes off; 0 otherwise.

## Termination
Terminated when every light is off (``info["success"]`` is True); truncated after
``max_steps`` presses (default ``n * n + 2 * n``: a board never needs more than ``n * n``).

## Registered Configurations
``neurocomp/LightsOut-{3x3,4x4,5x5,6x6,7x7}-v0``. Keyword variants: ``size`` (3 to 25: larger
boards are measured, not registered),
``appearance`` (``"default"`` or ``"novel"``), ``tile``, ``max_steps``, ``render_mode``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from environments.appearance import Brush
from environments.core import GridGame
from environments.errors import InvalidVariantError, clip
from environments.spec import Actions, GameSpec, KindSpec, Split, Variant

__all__ = ["LIGHTSOUT", "LightsOutEnv", "shortest_presses"]

MIN_SIZE, MAX_SIZE = 3, 25
REGISTERED = (3, 4, 5, 6, 7)  # and the splits of larger boards a comparison plays


def _off(b: Brush) -> np.ndarray:
    """A dark lamp in a rim."""
    img = b.fill("board")
    img[b.disc(0.5, 0.5, 0.4)] = b.color("rim")
    img[b.disc(0.5, 0.5, 0.3)] = b.color("off")
    return img


def _on(b: Brush) -> np.ndarray:
    """A lit lamp with a bright core, in the same rim."""
    img = b.fill("board")
    img[b.disc(0.5, 0.5, 0.4)] = b.color("rim")
    img[b.disc(0.5, 0.5, 0.3)] = b.color("on")
    img[b.disc(0.42, 0.42, 0.1)] = np.minimum(b.color("on") * 1.2 + 30, 255)
    return img


LIGHTSOUT = GameSpec(
    name="lightsout",
    title="LightsOut",
    summary="turn every light off; a press toggles a cell and its four neighbours",
    entry_point="environments.lightsout:LightsOutEnv",
    kinds=(
        KindSpec("off", ".", _off, doc="a light that is off"),
        KindSpec("on", "o", _on, doc="a light that is on"),
    ),
    actions=Actions(per_cell="press", doc="press one cell"),
    palettes={
        "default": {
            "board": (30, 30, 36),
            "rim": (90, 90, 100),
            "off": (50, 46, 40),
            "on": (250, 220, 60),
        },
        # Every colour is far (> 60 per channel somewhere) from its default.
        "novel": {
            "board": (120, 160, 200),
            "rim": (30, 20, 120),
            "off": (140, 20, 120),
            "on": (60, 250, 200),
        },
    },
    reasoner="symbolic.reasoners.toggles:ToggleReasoner",
    decoder="argmax",
    background="off",
    bench=("3x3", "7x7"),
    variants=tuple(Variant(f"{n}x{n}", {"size": n}, f"{n}x{n} board") for n in REGISTERED),
)
OFF, ON = 0, 1


def _press_rows(rows: list[int], r: int, c: int, width: int) -> None:
    """Press (r, c) on a board held as one bit mask per row (bit c: column c)."""
    full = (1 << width) - 1
    bit = 1 << c
    rows[r] ^= (bit | bit << 1 | bit >> 1) & full
    if r > 0:
        rows[r - 1] ^= bit
    if r + 1 < len(rows):
        rows[r + 1] ^= bit


def shortest_presses(lit: np.ndarray) -> list[int] | None:
    """The fewest presses (cells ``r * W + c``, in reading order) that turn every light of
    ``lit`` off, or None if no presses do.

    Light chasing: once the first row's presses are chosen, every later press is forced (a
    light left on in row ``r - 1`` can only be turned off by pressing the cell below it), and
    the last row left on is an affine function of the first row's choice over GF(2). So the
    first rows that clear the board are the solutions of one ``W x W`` system: a particular
    one plus the system's null space, ``2^k`` of them (``k`` is 2 at 5x5, 16 at 19x19), where
    trying every first row would be ``2^W``. Of the fewest presses, the first row lowest in
    binary wins. This is the simulator's own knowledge of the game, independent of the rules
    and of the reasoner's algebra.
    """
    h, w = lit.shape
    start = [int(sum(1 << c for c in range(w) if lit[r, c])) for r in range(h)]
    offset = _chase(start, 0, w)[1]  # the last row left on with no first-row press
    columns = [_chase([0] * h, 1 << c, w)[1] for c in range(w)]  # each press's effect on it
    best: tuple[int, int] | None = None
    for first in _solutions(columns, offset, w):
        presses = _chase(start, first, w)[0]
        if best is None or (len(presses), first) < (len(best[1]), best[0]):
            best = (first, presses)  # type: ignore[assignment]
    return None if best is None else list(best[1])


def _chase(start: list[int], first: int, w: int) -> tuple[list[int], int]:
    """Press ``first`` (a bit mask) on the first row of ``start``, then chase the lights down:
    the presses in reading order and the last row left on."""
    rows, presses = list(start), []
    for r in range(len(rows)):
        mask = first if r == 0 else rows[r - 1]
        for c in range(w):
            if mask >> c & 1:
                _press_rows(rows, r, c, w)
                presses.append(r * w + c)
    return presses, rows[-1]


def _solutions(columns: list[int], target: int, w: int) -> list[int]:
    """Every first row ``x`` (bit mask) whose presses' effects XOR to ``target``: the bit mask
    ``columns[c]`` is what pressing column ``c`` changes. Gaussian elimination over GF(2),
    as an XOR basis keyed by each effect's leading bit."""
    basis: dict[int, tuple[int, int]] = {}  # leading bit -> (effect, first row that makes it)
    free: list[int] = []  # first rows that change nothing: the null space
    for c in range(w):
        effect, made = columns[c], 1 << c
        while effect and (lead := effect.bit_length() - 1) in basis:
            effect, made = effect ^ basis[lead][0], made ^ basis[lead][1]
        if effect:
            basis[lead] = (effect, made)
        else:
            free.append(made)
    particular, left = 0, target
    while left:
        lead = left.bit_length() - 1
        if lead not in basis:
            return []
        left, particular = left ^ basis[lead][0], particular ^ basis[lead][1]
    found = [particular]
    for null in free:
        found += [x ^ null for x in found]
    return found


class LightsOutEnv(GridGame):
    """Press cells until every light is off."""

    game = LIGHTSOUT

    def __init__(self, size: int = 5, **kwargs: Any) -> None:
        if not isinstance(size, int | np.integer) or not MIN_SIZE <= size <= MAX_SIZE:
            raise InvalidVariantError(
                f"LightsOut size must be an integer from {MIN_SIZE} to {MAX_SIZE}, got {clip(size)}"
            )
        super().__init__(int(size), int(size), **kwargs)
        self._lit = np.zeros((self.height, self.width), dtype=np.int8)

    def _default_max_steps(self) -> int:
        return self.height * self.width + 2 * self.height

    def eval_splits(self) -> list[Split]:
        """In distribution, every larger registered board, an unseen look."""
        return [
            Split("in-distribution"),
            *(
                Split(f"larger-{n}x{n}", f"neurocomp/LightsOut-{n}x{n}-v0")
                for n in REGISTERED
                if n > self.height
            ),
            Split("novel-appearance", None, {"appearance": "novel"}),
        ]

    def _generate(self) -> None:
        self._lit[:] = OFF
        while not self._lit.any():
            for cell in np.flatnonzero(self.np_random.integers(2, size=self.height * self.width)):
                self._toggle(*divmod(int(cell), self.width))

    def _load(self, grid: np.ndarray) -> None:
        if not grid.any():
            raise InvalidVariantError("every light of this LightsOut level is already off")
        self._lit = grid.astype(np.int8)

    def _visible(self) -> np.ndarray:
        return self._lit.copy()

    def _toggle(self, r: int, c: int) -> None:
        for dr, dc in ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)):
            tr, tc = r + dr, c + dc
            if 0 <= tr < self.height and 0 <= tc < self.width:
                self._lit[tr, tc] ^= 1

    def _apply(self, action: int) -> tuple[float, bool, bool]:
        self._toggle(*divmod(action, self.width))
        if self._lit.any():
            return 0.0, False, False
        return self.win_reward(), True, True

    def expert_plan(self) -> list[int] | None:
        """The fewest presses that turn every light off, in reading order, if they fit in the
        steps left."""
        plan = shortest_presses(self._lit)
        if plan is None or len(plan) > self.max_steps - self._steps:
            return None
        return plan

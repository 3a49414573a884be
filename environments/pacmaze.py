"""PacMaze: reach the flag on an open grid without touching a ghost or a bat.

The analogue of the PacMan-Maze task of Scallop (PLDI 2023), with enemies that may move.

## Description
An H×W grid without walls holds the agent, one goal flag and 1 to ``enemies`` enemies (the
number is drawn uniformly per level), each a ghost or a bat, never within Manhattan distance 1
of the agent's start or of the flag; the flag lies at least ``max(2, (H + W) // 3)`` cells
from the start. In static levels the enemies sleep (closed eyes, dimmer) and never move. In
moving levels they are awake, and after every agent move that did not end the episode they
move one at a time, in reading order of their positions before moving, each seeing those
already moved:

- a ghost chases the agent: it steps one cell toward it along the axis on which it is farther
  away (rows on a tie), or along the other axis if that cell is not free, else it stays;
- a bat flies one cell clockwise around the ring of cells it is on (ring ``k = min(r, c,
  H-1-r, W-1-c)``); the centre cell of an odd grid is a ring of one, where a bat stays.

A cell is free for an enemy if it is on the grid and shows floor or the agent (entering the
agent's cell kills it), never the flag or another enemy; an enemy whose target is not free
stays. Every generated level can be won within the step cap (the exact expert checks; a level
that cannot is drawn again). Ghosts chase from anywhere at the agent's speed, which keeps the
game fair and not trivial: with up to 5 enemies about a quarter of drawn moving levels cannot
be won, and a plan that ignores the motion loses about half of the others.

## Action Space
``Discrete(4)``: ``N=0, E=1, S=2, W=3`` move one cell. A move off the grid leaves the agent where
it is (the step counts, and the enemies move).

## Observation
An RGB ``uint8`` image of shape ``(H * tile, W * tile, 3)``, one ``tile``×``tile`` sprite per cell
(``tile=8`` by default), with the per-level palette jitter, sprite shifts and noise of every
game. ``info["scene"]`` holds the ground-truth :class:`~environments.core.Scene`.

## Rewards
``1 - 0.9 * steps / max_steps`` on reaching the flag; 0 otherwise.

## Termination
Terminated on reaching the flag (``info["success"]`` is True), on stepping onto an enemy or
being stepped onto by one; truncated after ``max_steps`` steps (default ``max(30, 3 * max(H,
W))``: 30 as in Scallop's 5×5 task, more on grids whose crossing alone needs more).

## Registered Configurations
``neurocomp/PacMaze-{5x5,8x8,12x12}-v0`` (sleeping enemies) and
``neurocomp/PacMaze-Moving-{5x5,8x8,12x12}-v0`` (awake enemies). Keyword variants: ``size`` (5 to
12), ``enemies`` (the most enemies a level holds; default 5, at most ``size * size // 3``),
``moving`` (bool), ``appearance`` (``"default"`` or ``"novel"``), ``tile``, ``max_steps``,
``render_mode``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from environments.appearance import Brush
from environments.core import AgentGame, unwind
from environments.errors import InvalidVariantError, UnsolvableLevelError, clip
from environments.spec import MOVE_DELTAS, MOVES, GameSpec, KindSpec, Split, Traits, Variant

__all__ = ["PACMAZE", "PacMazeEnv"]

MIN_SIZE, MAX_SIZE = 5, 12
MAX_DRAWS = 200  # levels drawn before giving up on a solvable one

Cell = tuple[int, int]
Enemies = tuple[tuple[int, int, int], ...]  # (row, col, kind), sorted in reading order


# -- sprites ----------------------------------------------------------------------------------
def _floor(b: Brush) -> np.ndarray:
    return b.fill("floor")


def _flag(b: Brush) -> np.ndarray:
    """A pole and a triangular pennant."""
    img = b.fill("floor")
    img[(np.abs(b.v - 0.28) < max(b.px / 2, 0.06)) & (b.u > 0.1) & (b.u < 0.92)] = b.color("eye")
    img[(b.v > 0.28) & (b.v - 0.28 < 0.6 * (1 - np.abs(b.u - 0.33) / 0.22))] = b.color("flag")
    return img


def _agent(b: Brush) -> np.ndarray:
    """A disc with a mouth open to the east."""
    img = b.fill("floor")
    mouth = np.abs(np.arctan2(b.u - 0.5, b.v - 0.5)) < 0.65
    img[b.disc(0.5, 0.5, 0.42) & ~mouth] = b.color("agent")
    return img


def _eyes(b: Brush, img: np.ndarray, row: float, awake: bool) -> np.ndarray:
    """Two open eyes (white, dark pupils) or two closed ones (dark dashes)."""
    for col in (0.36, 0.64):
        if awake:
            img[b.disc(row, col, 0.12)] = b.color("eye")
            img[b.disc(row, col + 0.03, 0.06)] = b.color("pupil")
        else:
            img[b.box(row - max(b.px, 0.05), col - 0.12, row + 0.04, col + 0.12)] = b.color("pupil")
    return img


def _enemy(b: Brush, slot: str, body: np.ndarray, eye_row: float, awake: bool) -> np.ndarray:
    """An enemy's body in its colour (dimmer asleep) with its eyes."""
    img = b.fill("floor")
    img[body] = b.color(slot) * (1.0 if awake else 0.5)
    return _eyes(b, img, eye_row, awake)


def _ghost(b: Brush) -> np.ndarray:
    return _enemy(b, "ghost", _ghost_body(b), 0.45, awake=True)


def _ghost_asleep(b: Brush) -> np.ndarray:
    return _enemy(b, "ghost", _ghost_body(b), 0.45, awake=False)


def _bat(b: Brush) -> np.ndarray:
    return _enemy(b, "bat", _bat_body(b), 0.48, awake=True)


def _bat_asleep(b: Brush) -> np.ndarray:
    return _enemy(b, "bat", _bat_body(b), 0.48, awake=False)


def _ghost_body(b: Brush) -> np.ndarray:
    """A dome over a skirt with a ragged hem."""
    skirt = b.box(0.42, 0.12, 0.9, 0.88) & ~((b.u > 0.76) & (np.mod(b.v * 3, 1) < 0.35))
    return b.disc(0.44, 0.5, 0.38) | skirt


def _bat_body(b: Brush) -> np.ndarray:
    """A round body with ears between two wings that rise to pointed tips."""
    side = np.abs(b.v - 0.5)
    hem = 0.78 - 0.45 * side - 0.12 * np.abs(np.sin(3 * np.pi * side))
    wings = (side < 0.49) & (b.u > 0.62 - 0.7 * side) & (b.u < hem)
    ears = (side > 0.08) & (side < 0.2) & (b.u > 0.22) & (b.u < 0.5 - side)
    return b.disc(0.52, 0.5, 0.24) | wings | ears


DEADLY = Traits(deadly=True)
PACMAZE = GameSpec(
    name="pacmaze",
    title="PacMaze",
    summary="reach the flag on an open grid; ghosts and bats kill, and awake ones move",
    entry_point="environments.pacmaze:PacMazeEnv",
    kinds=(
        KindSpec("floor", ".", _floor, doc="empty floor"),
        KindSpec("flag", "F", _flag, Traits(goal=True), doc="the goal"),
        KindSpec("agent", "@", _agent, holds=(), doc="the agent"),
        KindSpec("ghost", "G", _ghost, DEADLY, doc="awake ghost: chases the agent"),
        KindSpec("bat", "B", _bat, DEADLY, doc="awake bat: circles its ring clockwise"),
        KindSpec("ghost_asleep", "g", _ghost_asleep, DEADLY, doc="sleeping ghost: never moves"),
        KindSpec("bat_asleep", "b", _bat_asleep, DEADLY, doc="sleeping bat: never moves"),
    ),
    actions=MOVES,
    palettes={
        "default": {
            "floor": (24, 24, 48),
            "flag": (40, 200, 80),
            "agent": (240, 210, 40),
            "ghost": (230, 60, 60),
            "bat": (160, 90, 230),
            "eye": (235, 235, 235),
            "pupil": (20, 20, 110),
        },
        # Every colour is far (> 60 per channel somewhere) from its default.
        "novel": {
            "floor": (130, 120, 96),
            "flag": (220, 40, 170),
            "agent": (40, 200, 230),
            "ghost": (60, 150, 60),
            "bat": (240, 140, 20),
            "eye": (40, 40, 40),
            "pupil": (240, 240, 80),
        },
    },
    reasoner="symbolic.reasoners.movers:MoverReasoner",
    decoder="structured",
    counts={"flag": (1, 1)},  # reaching the flag ends the episode: every screen shows it
    bench=("5x5", "Moving-5x5"),
    variants=(
        *(Variant(f"{n}x{n}", {"size": n}, f"{n}x{n}, sleeping enemies") for n in (5, 8, 12)),
        *(
            Variant(f"Moving-{n}x{n}", {"size": n, "moving": True}, f"{n}x{n}, moving enemies")
            for n in (5, 8, 12)
        ),
    ),
)
Kind = PACMAZE.enum()
AWAKE = (Kind.GHOST, Kind.BAT)
ENEMY_KINDS = (Kind.GHOST, Kind.BAT, Kind.GHOST_ASLEEP, Kind.BAT_ASLEEP)


# -- the movement law -----------------------------------------------------------------------
def _targets(kind: int, r: int, c: int, agent: Cell, h: int, w: int) -> list[Cell]:
    """Where an enemy at (r, c) would go, in order of preference (empty: it stays)."""
    if kind == Kind.GHOST:
        dr, dc = agent[0] - r, agent[1] - c
        rows = [(r + (dr > 0) - (dr < 0), c)] if dr else []
        cols = [(r, c + (dc > 0) - (dc < 0))] if dc else []
        return rows + cols if abs(dr) >= abs(dc) else cols + rows
    if kind == Kind.BAT:
        k = min(r, c, h - 1 - r, w - 1 - c)
        if r == k and c < w - 1 - k:
            return [(r, c + 1)]
        if c == w - 1 - k and r < h - 1 - k:
            return [(r + 1, c)]
        if r == h - 1 - k and c > k:
            return [(r, c - 1)]
        if c == k and r > k:
            return [(r - 1, c)]
    return []


def _move_enemies(
    size: Cell, closed: frozenset[Cell], enemies: Enemies, agent: Cell
) -> tuple[Enemies, bool]:
    """One world step: the enemies after moving, and whether one stepped onto the agent.

    ``closed`` holds the cells no enemy enters besides the enemies' own (the flag);
    ``enemies`` are sorted in reading order.
    """
    h, w = size
    taken = {(r, c) for r, c, _ in enemies}
    out = []
    caught = False
    for r, c, kind in enemies:
        for cell in _targets(kind, r, c, agent, h, w):
            if 0 <= cell[0] < h and 0 <= cell[1] < w and cell not in closed and cell not in taken:
                taken.remove((r, c))
                taken.add(cell)
                r, c = cell
                caught |= cell == agent
                break
        out.append((r, c, kind))
    return tuple(sorted(out)), caught


class PacMazeEnv(AgentGame):
    """Reach the flag; ghosts and bats kill, and in moving levels they move by a fixed law."""

    game = PACMAZE

    def __init__(
        self, size: int = 5, *, enemies: int = 5, moving: bool = False, **kwargs: Any
    ) -> None:
        if not isinstance(size, int | np.integer) or not MIN_SIZE <= size <= MAX_SIZE:
            raise InvalidVariantError(
                f"PacMaze size must be an integer from {MIN_SIZE} to {MAX_SIZE}, got {clip(size)}"
            )
        self.max_enemies = int(size) * int(size) // 3
        if not isinstance(enemies, int | np.integer) or not 1 <= enemies <= self.max_enemies:
            raise InvalidVariantError(
                f"enemies must be an integer from 1 to {self.max_enemies} at {size}x{size}, "
                f"got {clip(enemies)}"
            )
        if not isinstance(moving, bool | np.bool_):
            raise InvalidVariantError(f"moving must be True or False, got {clip(moving)}")
        self.enemies, self.moving = int(enemies), bool(moving)
        super().__init__(int(size), int(size), **kwargs)

    def _default_max_steps(self) -> int:
        return max(30, 3 * max(self.height, self.width))

    def eval_splits(self) -> list[Split]:
        """In distribution, larger grids, an unseen look, more enemies; and, for a static
        variant, the same size with awake enemies (sprites its perception has never seen)."""
        n, prefix = self.height, "Moving-" if self.moving else ""
        splits = [
            Split("in-distribution"),
            *(
                Split(f"larger-{m}x{m}", f"neurocomp/PacMaze-{prefix}{m}x{m}-v0")
                for m in (8, 12)
                if m > n
            ),
            Split("novel-appearance", None, {"appearance": "novel"}),
            Split("more-enemies", None, {"enemies": self._more_enemies()}),
        ]
        if not self.moving:
            splits.append(Split("moving-enemies", f"neurocomp/PacMaze-Moving-{n}x{n}-v0"))
        return splits

    def _more_enemies(self) -> int:
        """8, or more than in training, as far as the grid allows (8 at 5x5)."""
        return min(self.max_enemies, max(8, self.enemies + 3))

    # -- levels ---------------------------------------------------------------------------------
    def _generate(self) -> None:
        for _ in range(MAX_DRAWS):
            self._set_level(*self._draw())
            if self.expert_plan() is not None:
                return
        raise UnsolvableLevelError(
            f"no PacMaze level solvable within {self.max_steps} steps at {self.height}x"
            f"{self.width} with up to {self.enemies} enemies in {MAX_DRAWS} draws; "
            "use fewer enemies or more max_steps"
        )

    def _draw(self) -> tuple[np.ndarray, Cell]:
        rng, h, w = self.np_random, self.height, self.width
        cells = [(r, c) for r in range(h) for c in range(w)]
        agent = cells[int(rng.integers(len(cells)))]
        far = [p for p in cells if _distance(p, agent) >= max(2, (h + w) // 3)]
        flag = far[int(rng.integers(len(far)))]
        free = [p for p in cells if _distance(p, agent) > 1 and _distance(p, flag) > 1]
        count = min(int(rng.integers(1, self.enemies + 1)), len(free))
        kinds = AWAKE if self.moving else (Kind.GHOST_ASLEEP, Kind.BAT_ASLEEP)
        terrain = np.full((h, w), Kind.FLOOR, dtype=np.int8)
        terrain[flag] = Kind.FLAG
        for i in rng.choice(len(free), size=count, replace=False):
            terrain[free[i]] = kinds[int(rng.integers(2))]
        return terrain, agent

    # -- the world ------------------------------------------------------------------------------
    def _split(self) -> tuple[np.ndarray, Enemies]:
        """The terrain as ground (floor and flag) and the enemies on it."""
        where = np.isin(self._terrain, ENEMY_KINDS)
        ground = np.where(where, np.int8(Kind.FLOOR), self._terrain).astype(np.int8)
        enemies = tuple((int(r), int(c), int(self._terrain[r, c])) for r, c in np.argwhere(where))
        return ground, enemies

    def _world_step(self) -> tuple[float, bool, bool]:
        ground, enemies = self._split()
        moved, caught = _move_enemies(ground.shape, _closed(ground), enemies, self._agent)
        for r, c, kind in moved:
            ground[r, c] = kind
        self._terrain = ground
        return 0.0, caught, False

    def expert_plan(self) -> list[int] | None:
        """A shortest winning plan within the steps left: BFS over (agent, enemies) with the
        simulator's own step; with no awake enemy, the ordinary BFS over cells."""
        budget = self.max_steps - self._steps
        if not np.isin(self._terrain, AWAKE).any():
            plan = super().expert_plan()
            return plan if plan is not None and len(plan) <= budget else None
        ground, enemies = self._split()
        (h, w), closed = ground.shape, _closed(ground)
        flags = {(int(r), int(c)) for r, c in np.argwhere(ground == Kind.FLAG)}
        start = (self._agent, enemies)
        parent: dict[Any, Any] = {start: None}
        frontier = [start]
        for _ in range(budget):
            nxt = []
            for state in frontier:
                (r, c), now = state
                taken = {(er, ec) for er, ec, _ in now}
                for action, (dr, dc) in enumerate(MOVE_DELTAS):
                    to = (r + dr, c + dc) if 0 <= r + dr < h and 0 <= c + dc < w else (r, c)
                    if to in taken:
                        continue
                    if to in flags:
                        parent[(to, now)] = (state, action)
                        return unwind(parent, (to, now))
                    moved, caught = _move_enemies((h, w), closed, now, to)
                    if not caught and (to, moved) not in parent:
                        parent[(to, moved)] = (state, action)
                        nxt.append((to, moved))
            frontier = nxt
            if not frontier:
                break
        return None


def _closed(ground: np.ndarray) -> frozenset[Cell]:
    """The cells of ``ground`` that are not floor (the flag): no enemy enters them."""
    return frozenset((int(r), int(c)) for r, c in np.argwhere(ground != Kind.FLOOR))


def _distance(a: Cell, b: Cell) -> int:
    return abs(a[0] - b[0]) + abs(a[1] - b[1])

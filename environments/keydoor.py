"""KeyDoor: fetch the key, open the door in the dividing wall, reach the goal, avoid the lava.

## Description
An H×W room with border walls is split in two by a wall (vertical or horizontal) holding one
locked door. The agent and a key start on one side, the goal lies on the other, and lava cells
are scattered over both. Stepping on the key picks it up; the door can be entered only while the
key is held. Every generated level is solvable (checked with the exact expert).

## Action Space
``Discrete(4)``: ``N=0, E=1, S=2, W=3`` move one cell. A move into a wall, or into the door
without the key, leaves the agent where it is (the step counts).

## Observation
An RGB ``uint8`` image of shape ``(H * tile, W * tile, 3)``, one ``tile``×``tile`` sprite per cell
(``tile=8`` by default). Each level jitters the palette, shifts sprites by up to ``tile // 8``
pixels and adds per-pixel noise. ``info["scene"]`` holds the ground-truth
:class:`~environments.core.Scene` (grid of kinds and inventory).

## Rewards
``1 - 0.9 * steps / max_steps`` on reaching the goal; 0 on lava, on timeout, and for every other
step.

## Termination
Terminated on reaching the goal (``info["success"]`` is True) or entering lava; truncated after
``max_steps`` steps (default ``4 * H * W``).

## Registered Configurations
``neurocomp/KeyDoor-{6x6,8x8,10x10,12x12,14x14,16x16}-v0``. Keyword variants: ``size`` (6 to
128: larger rooms are measured, not registered,
or a ``(height, width)`` pair), ``lava`` (number of lava cells; default about 6% of the floor),
``appearance`` (``"default"`` or ``"novel"``), ``tile``, ``max_steps``, ``render_mode``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from environments.appearance import Brush
from environments.core import AgentGame
from environments.errors import InvalidVariantError, UnsolvableLevelError, clip
from environments.spec import MOVES, GameSpec, KindSpec, Split, Traits, Variant

__all__ = ["KEYDOOR", "KeyDoorEnv", "default_lava"]

MIN_SIZE, MAX_SIZE = 6, 128


# -- sprites ----------------------------------------------------------------------------------
def _floor(b: Brush) -> np.ndarray:
    return b.fill("floor")


def _wall(b: Brush) -> np.ndarray:
    """Bricks with darker mortar lines, alternate rows offset by half a brick."""
    wall = b.fill("wall")
    row = np.floor(b.u * 2).astype(int)
    mortar = (np.mod(b.u, 0.5) < b.px) | (np.mod(b.v + 0.25 * row, 0.5) < b.px)
    wall[mortar] *= 0.55
    return wall


def _lava(b: Brush) -> np.ndarray:
    """Diagonal bright waves."""
    lava = b.fill("lava")
    u, v = b.u, b.v
    lava[np.sin(2 * np.pi * (2 * u + v + 0.3 * np.sin(2 * np.pi * v))) > 0.4] *= 1.25
    return np.minimum(lava, 255)


def _key(b: Brush) -> np.ndarray:
    """A ring and a shaft with one tooth, on the floor."""
    key = b.fill("floor")
    u, v, px = b.u, b.v, b.px
    ring = np.abs(np.hypot(u - 0.3, v - 0.5) - 0.17) < max(px, 0.08)
    shaft = (np.abs(v - 0.5) < max(px / 2, 0.07)) & (u > 0.42) & (u < 0.9)
    tooth = (u > 0.7) & (u < 0.85) & (v > 0.5) & (v < 0.72)
    key[ring | shaft | tooth] = b.color("key")
    return key


def _door(b: Brush) -> np.ndarray:
    """A filled panel, a dark frame, a dark keyhole in the middle."""
    door = b.fill("door")
    door[b.frame()] *= 0.5
    door[b.disc(0.5, 0.5, max(b.px, 0.12))] *= 0.3
    return door


def _goal(b: Brush) -> np.ndarray:
    goal = b.fill("floor")
    goal[(np.abs(b.u - 0.5) < 0.36) & (np.abs(b.v - 0.5) < 0.36)] = b.color("goal")
    return goal


def _agent(b: Brush) -> np.ndarray:
    agent = b.fill("floor")
    agent[b.disc(0.5, 0.5, 0.38)] = b.color("agent")
    return agent


def _agent_with_key(b: Brush) -> np.ndarray:
    agent = _agent(b)
    agent[b.disc(0.5, 0.5, 0.2)] = b.color("key")
    return agent


KEYDOOR = GameSpec(
    name="keydoor",
    title="KeyDoor",
    summary="fetch the key, open the door in the dividing wall, reach the goal, avoid lava",
    entry_point="environments.keydoor:KeyDoorEnv",
    kinds=(
        KindSpec("floor", ".", _floor, doc="empty floor"),
        KindSpec("wall", "#", _wall, Traits(enterable=False), doc="a wall: blocks the way"),
        KindSpec("lava", "~", _lava, Traits(deadly=True), doc="lava: entering it loses"),
        KindSpec("key", "k", _key, Traits(pickup=True), doc="the key: picked up by stepping on it"),
        KindSpec(
            "door",
            "D",
            _door,
            Traits(enterable=False, unlocked_by="key"),
            doc="the locked door: passable while holding the key",
        ),
        KindSpec("goal", "G", _goal, Traits(goal=True), doc="the goal: entering it wins"),
        KindSpec("agent", "@", _agent, holds=(), doc="the agent"),
        KindSpec(
            "agent_with_key", "&", _agent_with_key, holds=("key",), doc="the agent, holding the key"
        ),
    ),
    actions=MOVES,
    palettes={
        "default": {
            "floor": (34, 36, 44),
            "wall": (128, 128, 128),
            "lava": (222, 84, 24),
            "key": (232, 200, 36),
            "door": (142, 84, 36),
            "goal": (40, 180, 64),
            "agent": (204, 36, 44),
        },
        # Every colour is far (> 60 per channel somewhere) from its default.
        "novel": {
            "floor": (96, 88, 60),
            "wall": (52, 80, 160),
            "lava": (168, 40, 170),
            "key": (40, 210, 230),
            "door": (40, 150, 120),
            "goal": (236, 236, 236),
            "agent": (250, 150, 0),
        },
    },
    reasoner="symbolic.reasoners.grid:GridReasoner",
    decoder="structured",
    border="wall",
    counts={"door": (1, 1), "goal": (1, 1), "key": (0, 1)},
    bench=("8x8", "16x16"),
    variants=tuple(
        Variant(f"{n}x{n}", {"size": n}, f"{n}x{n} room") for n in (6, 8, 10, 12, 14, 16)
    ),
)
Kind = KEYDOOR.enum()


def default_lava(height: int, width: int) -> int:
    """Default number of lava cells: about 6% of the interior (2 at 8x8, 12 at 16x16)."""
    return max(1, round(0.06 * (height - 2) * (width - 2)))


class KeyDoorEnv(AgentGame):
    """Fetch the key, open the door, reach the goal; lava is deadly."""

    game = KEYDOOR

    def __init__(
        self,
        size: int | tuple[int, int] = 8,
        *,
        lava: int | None = None,
        **kwargs: Any,
    ) -> None:
        height, width = (size, size) if isinstance(size, int | np.integer) else tuple(size)
        for name, n in (("height", height), ("width", width)):
            if not isinstance(n, int | np.integer) or not MIN_SIZE <= n <= MAX_SIZE:
                raise InvalidVariantError(
                    f"KeyDoor {name} must be an integer from {MIN_SIZE} to {MAX_SIZE}, "
                    f"got {clip(n)}"
                )
        self.lava = default_lava(height, width) if lava is None else lava
        # Keep at least half of one side free so that a solvable layout is easy to draw.
        max_lava = (height - 2) * (width - 2) // 4
        if not isinstance(self.lava, int | np.integer) or not 0 <= self.lava <= max_lava:
            raise InvalidVariantError(
                f"lava must be an integer from 0 to {max_lava} at {height}x{width}, "
                f"got {clip(self.lava)}"
            )
        super().__init__(int(height), int(width), **kwargs)

    def eval_splits(self) -> list[Split]:
        """In distribution, larger rooms, an unseen appearance, more lava."""
        more = min(3 * self.lava, (self.height - 2) * (self.width - 2) // 4)
        return [
            Split("in-distribution"),
            *(
                Split(f"larger-{n}x{n}", f"neurocomp/KeyDoor-{n}x{n}-v0")
                for n in (12, 16)
                if n > self.height
            ),
            Split("novel-appearance", None, {"appearance": "novel"}),
            Split("more-lava", None, {"lava": more}),
        ]

    def _generate(self) -> None:
        for _ in range(200):
            self._set_level(*self._draw_layout())
            if self.expert_plan() is not None:
                return
        raise UnsolvableLevelError(
            f"no solvable {self.height}x{self.width} KeyDoor level with {self.lava} lava cells "
            "in 200 draws; use fewer lava cells"
        )

    def _draw_layout(self) -> tuple[np.ndarray, tuple[int, int]]:
        rng = self.np_random
        vertical = bool(rng.integers(2))
        # Draw in (rows, cols) where the divider is a column; transpose for a horizontal one.
        rows, cols = (self.height, self.width) if vertical else (self.width, self.height)
        g = np.full((rows, cols), Kind.FLOOR, dtype=np.int8)
        g[[0, -1], :] = Kind.WALL
        g[:, [0, -1]] = Kind.WALL
        split = int(rng.integers(2, cols - 2))
        g[:, split] = Kind.WALL
        g[int(rng.integers(1, rows - 1)), split] = Kind.DOOR
        inner_rows = np.arange(1, rows - 1)
        left = [(r, c) for r in inner_rows for c in range(1, split)]
        right = [(r, c) for r in inner_rows for c in range(split + 1, cols - 1)]
        near, far = (left, right) if rng.integers(2) else (right, left)
        agent_i, key_i = rng.choice(len(near), size=2, replace=False)
        agent, key = near[agent_i], near[key_i]
        goal = far[int(rng.integers(len(far)))]
        g[key] = Kind.KEY
        g[goal] = Kind.GOAL
        free = [p for p in left + right if g[p] == Kind.FLOOR and p != agent]
        for i in rng.choice(len(free), size=self.lava, replace=False):
            g[free[i]] = Kind.LAVA
        if not vertical:
            g, agent = g.T.copy(), (agent[1], agent[0])
        return g, (int(agent[0]), int(agent[1]))

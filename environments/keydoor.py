"""KeyDoor: fetch the key, open the door in the dividing wall, reach the goal, avoid the lava.

## Description
An H×W room with border walls is split in two by a wall (vertical or horizontal) holding one
locked door. The agent and a key start on one side, the goal lies on the other, and lava cells
are scattered over both. Stepping on the key picks it up; the door can be entered only while the
key is held. Every generated level is solvable (checked with the exact expert).

## Action Space
``Discrete(4)``: :class:`~environments.core.Action` ``N=0, E=1, S=2, W=3`` move one cell. A move
into a wall, or into the door without the key, leaves the agent where it is (the step counts).

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
``neurocomp/KeyDoor-{6x6,8x8,10x10,12x12,14x14,16x16}-v0``. Keyword variants: ``size`` (6 to 16,
or a ``(height, width)`` pair), ``lava`` (number of lava cells; default about 6% of the floor),
``appearance`` (``"default"`` or ``"novel"``), ``tile``, ``max_steps``, ``render_mode``.
"""

from __future__ import annotations

import numpy as np

from environments.core import GridWorldEnv, Kind, Scene
from environments.errors import InvalidVariantError, UnsolvableLevelError
from environments.expert import expert_plan

__all__ = ["KeyDoorEnv", "default_lava"]

MIN_SIZE, MAX_SIZE = 6, 16


def default_lava(height: int, width: int) -> int:
    """Default number of lava cells: about 6% of the interior (2 at 8x8, 12 at 16x16)."""
    return max(1, round(0.06 * (height - 2) * (width - 2)))


class KeyDoorEnv(GridWorldEnv):
    """Fetch the key, open the door, reach the goal; lava is deadly."""

    game = "keydoor"

    def __init__(
        self,
        size: int | tuple[int, int] = 8,
        *,
        lava: int | None = None,
        appearance: str = "default",
        tile: int = 8,
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        height, width = (size, size) if isinstance(size, int) else tuple(size)
        for name, n in (("height", height), ("width", width)):
            if not isinstance(n, int | np.integer) or not MIN_SIZE <= n <= MAX_SIZE:
                raise InvalidVariantError(
                    f"KeyDoor {name} must be an integer from {MIN_SIZE} to {MAX_SIZE}, got {n!r}"
                )
        self.lava = default_lava(height, width) if lava is None else lava
        # Keep at least half of one side free so that a solvable layout is easy to draw.
        max_lava = (height - 2) * (width - 2) // 4
        if not isinstance(self.lava, int | np.integer) or not 0 <= self.lava <= max_lava:
            raise InvalidVariantError(
                f"lava must be an integer from 0 to {max_lava} at {height}x{width}, "
                f"got {self.lava!r}"
            )
        super().__init__(
            int(height),
            int(width),
            appearance=appearance,
            tile=tile,
            max_steps=max_steps,
            render_mode=render_mode,
        )

    def _generate(self) -> tuple[np.ndarray, tuple[int, int]]:
        for _ in range(200):
            terrain, agent = self._draw_layout()
            grid = terrain.copy()
            grid[agent] = Kind.AGENT
            if expert_plan(Scene(grid, agent, ())) is not None:
                return terrain, agent
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

"""How a grid of kinds becomes pixels: sprites, palettes and a fast numpy renderer.

Each level draws its own look from ``np_random`` so that perception has something real to learn:
every colour is jittered, each cell's sprite is shifted by up to ``tile // 8`` pixels, and a
fixed field of per-pixel noise lies over the screen. The ``novel`` appearance uses a palette
whose colours never occur under ``default`` (an out-of-distribution split for perception).

Sprites are drawn from masks in tile-relative coordinates, so any tile size from 4 pixels works.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["APPEARANCES", "NUM_KINDS", "Appearance", "Renderer"]

NUM_KINDS = 8  # FLOOR, WALL, LAVA, KEY, DOOR, GOAL, AGENT, AGENT_WITH_KEY (see core.Kind)

# Colour slots of a palette. A sprite paints some of them; a palette gives each an RGB value.
_SLOTS = ("floor", "wall", "lava", "key", "door", "goal", "agent")


@dataclass(frozen=True)
class Appearance:
    """A named look: base colours for each slot and how much each level varies around them."""

    name: str
    colors: dict[str, tuple[int, int, int]]
    jitter: int = 18  # each channel of each colour moves by up to this much per level
    noise: float = 6.0  # standard deviation of the per-pixel noise
    shift: bool = True  # sprites move by up to tile // 8 pixels per cell

    def sample_palette(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        base = np.array([self.colors[s] for s in _SLOTS], dtype=np.float32)
        jittered = base + rng.uniform(-self.jitter, self.jitter, size=base.shape)
        return dict(zip(_SLOTS, np.clip(jittered, 0, 255), strict=True))


APPEARANCES: dict[str, Appearance] = {
    "default": Appearance(
        "default",
        {
            "floor": (34, 36, 44),
            "wall": (128, 128, 128),
            "lava": (222, 84, 24),
            "key": (232, 200, 36),
            "door": (142, 84, 36),
            "goal": (40, 180, 64),
            "agent": (204, 36, 44),
        },
    ),
    # Out of distribution: every colour is far (> 60 per channel somewhere) from its default.
    "novel": Appearance(
        "novel",
        {
            "floor": (96, 88, 60),
            "wall": (52, 80, 160),
            "lava": (168, 40, 170),
            "key": (40, 210, 230),
            "door": (40, 150, 120),
            "goal": (236, 236, 236),
            "agent": (250, 150, 0),
        },
    ),
}


def _coords(tile: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates in [0, 1): ``(u, v)`` = (down, across), each ``(tile, tile)``."""
    g = (np.arange(tile, dtype=np.float32) + 0.5) / tile
    return np.meshgrid(g, g, indexing="ij")


def _sprites(tile: int, pal: dict[str, np.ndarray]) -> np.ndarray:
    """All sprites for one palette: ``(NUM_KINDS, tile, tile, 3)`` float32."""
    u, v = _coords(tile)
    px = 1.0 / tile
    out = np.empty((NUM_KINDS, tile, tile, 3), dtype=np.float32)

    def fill(color: np.ndarray) -> np.ndarray:
        return np.broadcast_to(color, (tile, tile, 3)).copy()

    floor = fill(pal["floor"])
    out[0] = floor
    # WALL: bricks with darker mortar lines, alternate rows offset by half a brick.
    wall = fill(pal["wall"])
    row = np.floor(u * 2).astype(int)
    mortar = (np.mod(u, 0.5) < px) | (np.mod(v + 0.25 * row, 0.5) < px)
    wall[mortar] *= 0.55
    out[1] = wall
    # LAVA: diagonal bright waves.
    lava = fill(pal["lava"])
    lava[np.sin(2 * np.pi * (2 * u + v + 0.3 * np.sin(2 * np.pi * v))) > 0.4] *= 1.25
    out[2] = np.minimum(lava, 255)
    # KEY: a ring and a shaft with one tooth on the floor.
    key = floor.copy()
    ring = np.abs(np.hypot(u - 0.3, v - 0.5) - 0.17) < max(px, 0.08)
    shaft = (np.abs(v - 0.5) < max(px / 2, 0.07)) & (u > 0.42) & (u < 0.9)
    tooth = (u > 0.7) & (u < 0.85) & (v > 0.5) & (v < 0.72)
    key[ring | shaft | tooth] = pal["key"]
    out[3] = key
    # DOOR: a filled panel, dark frame, dark keyhole in the middle.
    door = fill(pal["door"])
    frame = (u < px) | (u > 1 - px) | (v < px) | (v > 1 - px)
    door[frame] *= 0.5
    door[np.hypot(u - 0.5, v - 0.5) < max(px, 0.12)] *= 0.3
    out[4] = door
    # GOAL: a filled inset square.
    goal = floor.copy()
    goal[(np.abs(u - 0.5) < 0.36) & (np.abs(v - 0.5) < 0.36)] = pal["goal"]
    out[5] = goal
    # AGENT: a disc; AGENT_WITH_KEY: the same disc with a key-coloured centre.
    agent = floor.copy()
    disc = np.hypot(u - 0.5, v - 0.5) < 0.38
    agent[disc] = pal["agent"]
    out[6] = agent
    agent_key = agent.copy()
    agent_key[np.hypot(u - 0.5, v - 0.5) < 0.2] = pal["key"]
    out[7] = agent_key
    return out


class Renderer:
    """Keeps the screen of the current level and redraws only the cells that change."""

    def __init__(self, appearance: Appearance, tile: int) -> None:
        self.appearance = appearance
        self.tile = tile
        self.max_shift = tile // 8 if appearance.shift else 0
        self.frame = np.zeros((0, 0, 3), dtype=np.uint8)
        self._bank = np.zeros((0,), dtype=np.int16)
        self._noise = np.zeros((0,), dtype=np.int16)
        self._shift = np.zeros((0,), dtype=np.int8)

    def new_level(self, rng: np.random.Generator, grid: np.ndarray) -> None:
        """Draw this level's palette, sprite shifts and noise, then render ``grid`` in full."""
        t, m = self.tile, self.max_shift
        h, w = grid.shape
        sprites = _sprites(t, self.appearance.sample_palette(rng))
        # bank[kind, dy, dx] = sprite rolled by (dy - m, dx - m) pixels.
        span = range(-m, m + 1)
        self._bank = np.stack(
            [
                np.stack([np.roll(sprites, (dy, dx), axis=(1, 2)) for dx in span], axis=1)
                for dy in span
            ],
            axis=1,
        ).astype(np.int16)  # (K, 2m+1, 2m+1, t, t, 3)
        self._shift = rng.integers(0, 2 * m + 1, size=(h, w, 2), dtype=np.int8)
        noise = rng.normal(0.0, self.appearance.noise, size=(h * t, w * t, 3))
        self._noise = np.rint(noise).astype(np.int16)
        self.frame = self.compose(grid)

    def compose(self, grid: np.ndarray) -> np.ndarray:
        """Render ``grid`` in full with this level's look (``update`` must agree with it)."""
        h, w = grid.shape
        t = self.tile
        cells = self._bank[grid, self._shift[..., 0], self._shift[..., 1]]  # (H, W, t, t, 3)
        full = cells.transpose(0, 2, 1, 3, 4).reshape(h * t, w * t, 3) + self._noise
        return np.clip(full, 0, 255).astype(np.uint8)

    def update(self, *cells: tuple[tuple[int, int], int]) -> None:
        """Redraw the given ``((row, col), kind)`` cells."""
        t = self.tile
        for (r, c), kind in cells:
            dy, dx = self._shift[r, c]
            ys, xs = slice(r * t, (r + 1) * t), slice(c * t, (c + 1) * t)
            block = self._bank[kind, dy, dx] + self._noise[ys, xs]
            np.clip(block, 0, 255, out=block)
            self.frame[ys, xs] = block

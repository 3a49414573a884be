"""How a grid of kinds becomes pixels: palettes, a brush for sprites, and a fast numpy renderer.

Each game paints its own sprites (in its own file) with a :class:`Brush`, from colour slots its
palettes fill. Each level draws its own look from ``np_random`` so that perception has something
real to learn: every colour is jittered, each cell's sprite is shifted by up to ``tile // 8``
pixels, and a fixed field of per-pixel noise lies over the screen. The ``novel`` appearance uses
each game's second palette, whose colours never occur under ``default`` (an out-of-distribution
split for perception).

Sprites are drawn from masks in tile-relative coordinates, so any tile size from 4 pixels works.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from environments.spec import RGB, KindSpec

__all__ = ["APPEARANCES", "Appearance", "Brush", "Renderer"]


@dataclass(frozen=True)
class Appearance:
    """A named look: which of a game's palettes, and how much each level varies around it."""

    name: str
    jitter: int = 18  # each channel of each colour moves by up to this much per level
    noise: float = 6.0  # standard deviation of the per-pixel noise
    shift: bool = True  # sprites move by up to tile // 8 pixels per cell

    def sample_palette(
        self, colors: Mapping[str, RGB], rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        slots = list(colors)
        base = np.array([colors[s] for s in slots], dtype=np.float32)
        jittered = base + rng.uniform(-self.jitter, self.jitter, size=base.shape)
        return dict(zip(slots, np.clip(jittered, 0, 255), strict=True))


# Every game gives a palette for each of these names.
APPEARANCES: dict[str, Appearance] = {name: Appearance(name) for name in ("default", "novel")}


class Brush:
    """What a sprite painter draws with: pixel-centre coordinates in [0, 1) and the palette.

    ``u`` runs down the tile and ``v`` across it, each ``(tile, tile)``; ``px`` is one pixel.
    """

    def __init__(self, tile: int, palette: Mapping[str, np.ndarray]) -> None:
        g = (np.arange(tile, dtype=np.float32) + 0.5) / tile
        self.u, self.v = np.meshgrid(g, g, indexing="ij")
        self.px = 1.0 / tile
        self.tile = tile
        self.palette = palette

    def color(self, slot: str) -> np.ndarray:
        return self.palette[slot]

    def fill(self, slot: str) -> np.ndarray:
        """A tile filled with one colour, ``(tile, tile, 3)`` float32."""
        return np.broadcast_to(self.palette[slot], (self.tile, self.tile, 3)).copy()

    def disc(self, cy: float, cx: float, radius: float) -> np.ndarray:
        """Mask of a disc centred at ``(cy, cx)`` in tile coordinates."""
        return np.hypot(self.u - cy, self.v - cx) < radius

    def box(self, top: float, left: float, bottom: float, right: float) -> np.ndarray:
        """Mask of an axis-aligned rectangle in tile coordinates."""
        return (self.u > top) & (self.u < bottom) & (self.v > left) & (self.v < right)

    def frame(self, width: float | None = None) -> np.ndarray:
        """Mask of the tile's outermost ring of pixels (or of ``width``)."""
        w = self.px if width is None else width
        return (self.u < w) | (self.u > 1 - w) | (self.v < w) | (self.v > 1 - w)


def sprites(kinds: Sequence[KindSpec], tile: int, palette: Mapping[str, np.ndarray]) -> np.ndarray:
    """Every kind's sprite for one palette: ``(K, tile, tile, 3)`` float32."""
    brush = Brush(tile, palette)
    return np.stack([np.asarray(k.sprite(brush), dtype=np.float32) for k in kinds])


class Renderer:
    """Keeps the screen of the current level and redraws only the cells that change."""

    def __init__(
        self,
        kinds: Sequence[KindSpec],
        colors: Mapping[str, RGB],
        appearance: Appearance,
        tile: int,
    ) -> None:
        self.kinds = tuple(kinds)
        self.colors = colors
        self.appearance = appearance
        self.tile = tile
        self.max_shift = tile // 8 if appearance.shift else 0
        self.frame = np.zeros((0, 0, 3), dtype=np.uint8)
        self.shown = np.zeros((0, 0), dtype=np.int8)
        self._bank = np.zeros((0,), dtype=np.int16)
        self._noise = np.zeros((0,), dtype=np.int16)
        self._shift = np.zeros((0,), dtype=np.int8)

    def new_level(self, rng: np.random.Generator, grid: np.ndarray) -> None:
        """Draw this level's palette, sprite shifts and noise, then render ``grid`` in full."""
        t, m = self.tile, self.max_shift
        h, w = grid.shape
        art = sprites(self.kinds, t, self.appearance.sample_palette(self.colors, rng))
        # bank[kind, dy, dx] = sprite rolled by (dy - m, dx - m) pixels.
        span = range(-m, m + 1)
        self._bank = np.stack(
            [np.stack([np.roll(art, (dy, dx), axis=(1, 2)) for dx in span], axis=1) for dy in span],
            axis=1,
        ).astype(np.int16)  # (K, 2m+1, 2m+1, t, t, 3)
        self._shift = rng.integers(0, 2 * m + 1, size=(h, w, 2), dtype=np.int8)
        noise = rng.normal(0.0, self.appearance.noise, size=(h * t, w * t, 3))
        self._noise = np.rint(noise).astype(np.int16)
        self.frame = self.compose(grid)
        self.shown = grid.copy()

    def compose(self, grid: np.ndarray) -> np.ndarray:
        """Render ``grid`` in full with this level's look (``show`` must agree with it)."""
        h, w = grid.shape
        t = self.tile
        cells = self._bank[grid, self._shift[..., 0], self._shift[..., 1]]  # (H, W, t, t, 3)
        full = cells.transpose(0, 2, 1, 3, 4).reshape(h * t, w * t, 3) + self._noise
        return np.clip(full, 0, 255).astype(np.uint8)

    def show(self, grid: np.ndarray) -> None:
        """Bring the screen up to ``grid``, redrawing only the cells whose kind changed."""
        t = self.tile
        for r, c in zip(*np.nonzero(grid != self.shown), strict=True):
            dy, dx = self._shift[r, c]
            ys, xs = slice(r * t, (r + 1) * t), slice(c * t, (c + 1) * t)
            block = self._bank[grid[r, c], dy, dx] + self._noise[ys, xs]
            np.clip(block, 0, 255, out=block)
            self.frame[ys, xs] = block
        self.shown = grid.copy()

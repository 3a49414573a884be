"""Training-batch augmentation: the board's symmetries (with targets remapped) and colour.

Both are declared wherever they are used (the report's ledger lists them), because each one is
knowledge handed to the learner:

- **Symmetry.** A rotation or reflection of the whole screen maps tiles onto tiles, so it is a
  screen of another level of the same game, provided the game's rules do not depend on
  direction. Targets follow: a grid of cell kinds turns with the screen (a kind drawn facing
  a way, such as MiniGrid's agent, becomes the kind facing the turned way); actions are remapped
  as the game's :class:`~environments.spec.Actions` declare (``compass`` moves turn with the
  board, ``egocentric`` turns swap left and right under a reflection, a ``per_cell`` action
  moves with its cell). Square boards have eight symmetries, others four.
- **Colour.** Each screen of a batch gets its own random map of the colour space: a random
  rotation of the colour cube about its centre, then for each channel a random monotone curve
  (piecewise linear through ``CURVE_KNOTS`` levels, rising or falling), so colours land on
  unrelated colours, brightness order is not kept, and two different colours mostly stay
  different; ``KEEP_COLOURS`` of the screens keep theirs. Kinds must then be told apart by
  shape and by where colour changes, which is what reading an unseen palette needs. The map is drawn
  at random, never from any palette of the game.
- **Colour, where kinds are named by colour** (MiniGrid's ``key_red``, ``door_blue_locked``):
  a random map would make a red and a blue key one kind, so instead each cell of such a kind
  gets a colour of the game's own, drawn at random, and its kind changes with it (a red key
  drawn blue is the blue key). The game declares the colours (``GameSpec.colours``) and the
  screen draws a cell of colour ``c`` as ``a * c + b * (1, 1, 1)`` per pixel (shading, grid
  lines and highlight are grey), so recolouring ``c`` as ``d`` is the linear map that keeps
  ``a`` and ``b``. A colour drawn grey is a target only (its ``a`` and ``b`` cannot be told
  apart). It lets perception read a key of a colour the demonstrations never showed.

Augmentation touches training batches only; validation data is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import torch

from environments.spec import MOVE_DELTAS, RGB, Actions, GameSpec, KindSpec
from neural.settings import AUGMENTS, augment_parts, colour_refusal, colour_words

__all__ = [
    "AUGMENTS",
    "Augment",
    "Symmetry",
    "action_table",
    "augment_parts",
    "colour_curves",
    "colour_of",
    "colour_refusal",
    "colour_swaps",
    "describe_augment",
    "kind_table",
    "make_augment",
    "swap_colours",
    "symmetries",
]

COMPASS = ("N", "E", "S", "W")  # the names of MOVE_DELTAS, in order


def describe_augment(
    augment: str | None, what: str, game: GameSpec | None = None
) -> tuple[str, ...]:
    """The ledger's words for an ``augment`` setting; ``what`` is what turns with the board
    (``actions remapped``, ``facing kinds turned``)."""
    symmetry, colour = augment_parts(augment)
    return ((f"the board's symmetries, {what}",) if symmetry else ()) + (
        (colour_words(game),) if colour else ()
    )


@dataclass(frozen=True)
class Symmetry:
    """Reflect left-right (``flip``), then rotate ``turns`` quarter turns counter-clockwise."""

    turns: int = 0
    flip: bool = False

    def __str__(self) -> str:
        return f"{'flip+' if self.flip else ''}rot{90 * self.turns}"

    def cell(self, r: int, c: int, h: int, w: int) -> tuple[int, int]:
        """Where cell ``(r, c)`` of an ``h`` x ``w`` board lands."""
        if self.flip:
            c = w - 1 - c
        for _ in range(self.turns):
            r, c, h, w = w - 1 - c, r, w, h
        return r, c

    def delta(self, dr: int, dc: int) -> tuple[int, int]:
        """Where a step ``(dr, dc)`` points after the symmetry."""
        if self.flip:
            dc = -dc
        for _ in range(self.turns):
            dr, dc = -dc, dr
        return dr, dc

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """The symmetry applied to the last two dimensions (rows, columns) of ``x``."""
        if self.flip:
            x = torch.flip(x, dims=(-1,))
        return torch.rot90(x, self.turns, dims=(-2, -1)) if self.turns else x


def symmetries(height: int, width: int) -> tuple[Symmetry, ...]:
    """The board's symmetries: eight for a square, four (keeping the shape) otherwise."""
    turns = (0, 1, 2, 3) if height == width else (0, 2)
    return tuple(Symmetry(t, f) for f in (False, True) for t in turns)


def action_table(actions: Actions, sym: Symmetry, height: int, width: int) -> torch.Tensor:
    """``table[a]`` is the action that does on the transformed board what ``a`` does on the
    original one. Raises ValueError for actions that declare no symmetry."""
    if actions.per_cell:
        values = actions.per_value
        table = [0] * (height * width * values)
        h2, w2 = (width, height) if sym.turns % 2 else (height, width)
        for a in range(len(table)):
            r0, c0, v = actions.cell_value(a, width)
            r, c = sym.cell(r0, c0, height, width)
            assert 0 <= r < h2 and 0 <= c < w2
            table[a] = (r * w2 + c) * values + v
        return torch.tensor(table)
    if actions.symmetry == "compass":
        names = list(actions.names)
        table = list(range(len(names)))
        for i, name in enumerate(names):
            if name in COMPASS:
                turned = sym.delta(*MOVE_DELTAS[COMPASS.index(name)])
                table[i] = names.index(COMPASS[MOVE_DELTAS.index(turned)])
        return torch.tensor(table)
    if actions.symmetry == "egocentric":
        names = list(actions.names)
        table = list(range(len(names)))
        if sym.flip:
            table[names.index("left")], table[names.index("right")] = (
                names.index("right"),
                names.index("left"),
            )
        return torch.tensor(table)
    raise ValueError(
        "this game's actions declare no symmetry (compass, egocentric or per cell), so the "
        "board's symmetries cannot remap them"
    )


def kind_table(kinds: tuple[KindSpec, ...], sym: Symmetry) -> torch.Tensor:
    """``table[k]`` is the kind cell kind ``k`` shows after the symmetry: itself, or for a kind
    drawn facing a way, the kind like it (same holdings) that faces the turned way."""
    table = list(range(len(kinds)))
    for i, kind in enumerate(kinds):
        if kind.facing is None:
            continue
        turned = sym.delta(*kind.facing)
        match = [j for j, k in enumerate(kinds) if k.facing == turned and k.holds == kind.holds]
        if not match:
            raise ValueError(f"no kind like {kind.name} faces {turned}")
        table[i] = match[0]
    return torch.tensor(table)


CURVE_KNOTS = 9  # levels of each channel's random curve, evenly spaced over [0, 1]
KEEP_COLOURS = 0.2  # share of screens whose colours are left as they are
MIN_SLOPE = 0.25  # a curve's pieces rise by 0.25 to 1.25 before scaling: none is flat


def colour_curves(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """A random colour map per screen of ``x`` (``(B, 3, H, W)`` in [-0.5, 0.5]): a random
    rotation of the colour cube about its centre, then a random monotone curve per channel,
    rising or falling; a share ``KEEP_COLOURS`` of the screens is left as it is (so the
    colours' own contrasts are seen too). One screen's pixels of one colour keep one colour,
    and two different colours stay different unless the rotation takes both outside the
    cube."""
    b = x.shape[0]
    rotation, _ = torch.linalg.qr(torch.randn(b, 3, 3, generator=generator))
    u = torch.einsum("bij,bjhw->bihw", rotation, x) + 0.5
    steps = torch.rand(b, 3, CURVE_KNOTS - 1, generator=generator) + MIN_SLOPE
    levels = torch.cat([torch.zeros(b, 3, 1), steps.cumsum(2)], 2)
    levels = levels / levels[..., -1:]
    falling = torch.rand(b, 3, 1, generator=generator) < 0.5
    levels = torch.where(falling, 1.0 - levels, levels)
    at = u.clamp(0.0, 1.0) * (CURVE_KNOTS - 1)
    lo = at.floor().long().clamp(0, CURVE_KNOTS - 2)
    frac = at - lo
    below = torch.gather(levels, 2, lo.flatten(2)).view_as(u)
    above = torch.gather(levels, 2, (lo + 1).flatten(2)).view_as(u)
    mapped = below + frac * (above - below) - 0.5
    keep = torch.rand(b, 1, 1, 1, generator=generator) < KEEP_COLOURS
    return torch.where(keep, x, mapped)


Augment = Callable[[torch.Tensor, torch.Tensor, torch.Generator], tuple[torch.Tensor, torch.Tensor]]


def colour_of(name: str, colours: Mapping[str, RGB]) -> str | None:
    """The colour a kind is named with (``door_red_open`` -> ``red``), or None."""
    named = [part for part in name.split("_") if part in colours]
    return named[0] if len(named) == 1 else None


def colour_swaps(
    kinds: tuple[KindSpec, ...], colours: Mapping[str, RGB]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Tables for swapping colours between cells: ``source[k]``, the colour index kind ``k``
    can be recoloured from (-1: none: no colour in its name, or its colour is drawn grey);
    ``swapped[k, d]``, the kind ``k`` becomes in colour ``d``; ``maps[s, d]``, the ``3x3``
    map of a pixel (RGB in [0, 1]) from colour ``s`` to ``d`` (``maps[-1]``: identity)."""
    names, order = [k.name for k in kinds], list(colours)
    n = len(order)
    source, swapped = torch.full((len(kinds),), -1), torch.arange(len(kinds)).repeat(n, 1).T
    basis = [torch.tensor([[*map(float, colours[c])], [255.0] * 3]).T / 255.0 for c in order]
    for k, name in enumerate(names):
        colour = colour_of(name, colours)
        if colour is None:
            continue
        parts = name.split("_")
        for d, other in enumerate(order):
            recoloured = "_".join(other if p == colour else p for p in parts)
            if recoloured not in names:
                raise ValueError(f"kind {name} has no kind like it in {other} ({recoloured})")
            swapped[k, d] = names.index(recoloured)
        if torch.linalg.matrix_rank(basis[order.index(colour)]) == 2:
            source[k] = order.index(colour)
    maps = torch.eye(3).repeat(n + 1, n, 1, 1)
    for s in range(n):
        if torch.linalg.matrix_rank(basis[s]) == 2:
            inverse = torch.linalg.pinv(basis[s])
            for d in range(n):
                maps[s, d] = basis[d] @ inverse
    return source, swapped, maps


def swap_colours(
    x: torch.Tensor,
    y: torch.Tensor,
    tables: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each cell of ``y`` (``(B, H, W)`` kinds) whose kind is named by colour gets a colour
    drawn at random (its own among them), its pixels in ``x`` (``(B, 3, H*t, W*t)`` in
    [-0.5, 0.5]) and its kind with it; other cells are left as they are."""
    source, swapped, maps = tables
    b, h, w = y.shape
    t = x.shape[-1] // w
    to = torch.randint(maps.shape[1], (b, h, w), generator=generator)
    fro = source[y]
    cell_maps = maps[fro, to]  # fro == -1 picks the identity row
    cells = (x + 0.5).reshape(b, 3, h, t, w, t)
    mapped = torch.einsum("bhwij,bjhpwq->bihpwq", cell_maps, cells)
    x = mapped.reshape(b, 3, h * t, w * t).clamp(0.0, 1.0) - 0.5
    return x, torch.where(fro >= 0, swapped[y, to], y)


def make_augment(
    *,
    symmetry: bool,
    colour: bool,
    targets: str,
    actions: Actions | None = None,
    kinds: tuple[KindSpec, ...] | None = None,
    grid: tuple[int, int] | None = None,
    colours: Mapping[str, RGB] | None = None,
) -> Augment | None:
    """A batch augmentation for ``targets`` ``"cells"`` (``(B, H, W)`` kinds; symmetry needs
    the game's ``kinds``) or ``"actions"`` (``(B,)``; symmetry needs the game's ``actions``),
    or None when nothing is asked. ``grid`` is the board's size, when every screen has one
    (perception trains on one size too).

    Each batch gets one symmetry (drawn uniformly) and, with ``colour``, every screen its own
    colour map; or, given the game's ``colours`` (its kinds are named by colour), every cell
    of such a kind a colour of those, its kind changing with it (cells only)."""
    if not (symmetry or colour):
        return None
    swaps = None
    if colour and colours:
        if targets != "cells" or kinds is None:
            raise ValueError("swapping colours between kinds needs cells and the game's kinds")
        swaps = colour_swaps(kinds, colours)
    syms: tuple[Symmetry, ...] = (Symmetry(),)
    tables: list[torch.Tensor] = []
    if symmetry:
        if grid is None or (kinds if targets == "cells" else actions) is None:
            needs = "kinds" if targets == "cells" else "actions"
            raise ValueError(
                f"symmetry augmentation of {targets} needs the game's {needs} and grid"
            )
        syms = symmetries(*grid)
        if targets == "cells":
            assert kinds is not None
            tables = [kind_table(kinds, s) for s in syms]
        else:
            assert actions is not None
            tables = [action_table(actions, s, *grid) for s in syms]

    def augment(
        x: torch.Tensor, y: torch.Tensor, generator: torch.Generator
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if symmetry:
            i = int(torch.randint(len(syms), (1,), generator=generator))
            x = syms[i].apply(x)
            y = tables[i][syms[i].apply(y) if targets == "cells" else y]
        if swaps is not None:
            x, y = swap_colours(x, y, swaps, generator)
        elif colour:
            x = colour_curves(x, generator)
        return x, y

    return augment

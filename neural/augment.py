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

Augmentation touches training batches only; validation data is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from environments.spec import MOVE_DELTAS, Actions, KindSpec
from neural.settings import AUGMENTS, augment_parts, colour_refusal

__all__ = [
    "AUGMENTS",
    "Augment",
    "Symmetry",
    "action_table",
    "augment_parts",
    "colour_curves",
    "colour_refusal",
    "describe_augment",
    "kind_table",
    "make_augment",
    "symmetries",
]

COMPASS = ("N", "E", "S", "W")  # the names of MOVE_DELTAS, in order


def describe_augment(augment: str | None, what: str) -> tuple[str, ...]:
    """The ledger's words for an ``augment`` setting; ``what`` is what turns with the board
    (``actions remapped``, ``facing kinds turned``)."""
    symmetry, colour = augment_parts(augment)
    return ((f"the board's symmetries, {what}",) if symmetry else ()) + (
        ("random colour maps",) if colour else ()
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


def make_augment(
    *,
    symmetry: bool,
    colour: bool,
    targets: str,
    actions: Actions | None = None,
    kinds: tuple[KindSpec, ...] | None = None,
    grid: tuple[int, int] | None = None,
) -> Augment | None:
    """A batch augmentation for ``targets`` ``"cells"`` (``(B, H, W)`` kinds; symmetry needs
    the game's ``kinds``) or ``"actions"`` (``(B,)``; symmetry needs the game's ``actions``),
    or None when nothing is asked. ``grid`` is the board's size, when every screen has one
    (perception trains on one size too).

    Each batch gets one symmetry (drawn uniformly) and, with ``colour``, every screen its own
    colour map."""
    if not (symmetry or colour):
        return None
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
        if colour:
            x = colour_curves(x, generator)
        return x, y

    return augment

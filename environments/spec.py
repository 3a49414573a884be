"""What a game is: one frozen specification that every other package reads.

A game declares, in its own file, a :class:`GameSpec`: its kinds of cell (their names are the
Prolog atoms its rules speak of, with a glyph for text pictures and a sprite for the screen),
its actions, the reasoner that plans for it and the decoder that turns perception into a scene
(both named by strings, so that ``environments`` imports neither ``symbolic`` nor ``compose``,
as Gymnasium's entry points keep packages apart), its palettes and its registered variants.
Networks size themselves from it, checkpoints record it, reports and the CLI print it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import Any

import numpy as np

from environments.errors import InvalidVariantError, UnknownKindError, clip

__all__ = [
    "MOVES",
    "Actions",
    "GameSpec",
    "KindSpec",
    "Split",
    "Traits",
    "Variant",
]

RGB = tuple[int, int, int]
# A sprite painter: given a brush (tile coordinates and this level's palette), the tile's pixels.
Painter = Callable[[Any], np.ndarray]


@dataclass(frozen=True)
class Traits:
    """How the simulator of an agent game treats a kind of cell when the agent tries to enter it.

    Simulation only: what a kind *means* to an agent is written in the game's Prolog rules, and
    no reasoner reads these flags.
    """

    enterable: bool = True
    unlocked_by: str | None = None  # enterable only while holding this kind
    deadly: bool = False
    pickup: bool = False
    goal: bool = False


@dataclass(frozen=True)
class KindSpec:
    """One kind of cell: its Prolog atom, its glyph, its sprite, and how it is simulated."""

    name: str  # the atom the rules use, e.g. ``key``
    glyph: str  # one character in text pictures, e.g. ``k``
    sprite: Painter | None  # None: the game draws its screens itself
    traits: Traits = Traits()
    holds: tuple[str, ...] | None = None  # an agent, shown holding these kinds; None: not one
    doc: str = ""  # what it is, for legends
    # The way it faces on the screen, as a (row, column) step, for a kind drawn turned (an
    # agent facing east); None: it looks the same whichever way the board is turned.
    facing: tuple[int, int] | None = None


@dataclass(frozen=True)
class Actions:
    """A game's actions: a fixed list of named actions, or one action per cell of the grid."""

    names: tuple[str, ...] = ()  # fixed actions, e.g. ("N", "E", "S", "W")
    per_cell: str = ""  # e.g. "press": action r * W + c is named press(r,c)
    # A per-cell action that puts one of these values into its cell (e.g. "write" with
    # ("1", "2", "3", "4")): action (r * W + c) * V + v is named write(r,c,<values[v]>).
    values: tuple[str, ...] = ()
    doc: str = ""
    # How the actions turn with the board, for symmetry augmentation: "compass" (N/E/S/W
    # moves turn with it), "egocentric" (left and right swap under a reflection), "" (not
    # declared). A per-cell action always moves with its cell.
    symmetry: str = ""

    def __post_init__(self) -> None:
        if self.values and not self.per_cell:
            raise ValueError("values apply to per-cell actions only")

    @property
    def per_value(self) -> int:
        """Actions per cell: one for each value, or one."""
        return max(1, len(self.values))

    def count(self, height: int, width: int) -> int:
        return height * width * self.per_value if self.per_cell else len(self.names)

    def cell_value(self, action: int, width: int) -> tuple[int, int, int]:
        """``(row, column, value index)`` of a per-cell action (value index 0 without values)."""
        cell, value = divmod(int(action), self.per_value)
        return (*divmod(cell, width), value)

    def name(self, action: int, height: int, width: int) -> str:
        if self.per_cell:
            r, c, v = self.cell_value(action, width)
            value = f",{self.values[v]}" if self.values else ""
            return f"{self.per_cell}({r},{c}{value})"
        return self.names[int(action)]

    def names_for(self, height: int, width: int) -> tuple[str, ...]:
        return tuple(self.name(a, height, width) for a in range(self.count(height, width)))


MOVES = Actions(
    ("N", "E", "S", "W"), doc="move one cell north, east, south or west", symmetry="compass"
)
# (row, column) offset of each move, in the order of MOVES.names.
MOVE_DELTAS: tuple[tuple[int, int], ...] = ((-1, 0), (0, 1), (1, 0), (0, -1))


@dataclass(frozen=True)
class Split:
    """A named evaluation split: an environment id (None: the training env's) and keywords."""

    name: str
    env: str | None = None
    kwargs: Mapping[str, int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    """A registered id: ``neurocomp/<Title>-<suffix>-v0`` with these constructor keywords."""

    suffix: str
    kwargs: Mapping[str, Any]
    summary: str = ""


@dataclass(frozen=True)
class GameSpec:
    """Everything the toolkit needs to know about a game, declared once in the game's file."""

    name: str  # e.g. "keydoor": rule file symbolic/rules/keydoor.pl, checkpoints, reports
    title: str  # e.g. "KeyDoor": ids neurocomp/KeyDoor-<variant>-v0
    summary: str  # one line for `neurocomp envs`
    entry_point: str  # "environments.keydoor:KeyDoorEnv"
    kinds: tuple[KindSpec, ...]
    actions: Actions
    palettes: Mapping[str, Mapping[str, RGB]]  # appearance -> colour slot -> RGB
    reasoner: str  # "symbolic.reasoners.grid:GridReasoner"
    decoder: str  # "one-agent" or "argmax" (see compose.common.symbols)
    variants: tuple[Variant, ...]
    background: str = "floor"  # what a cell shows when nothing is on it (under the agent)
    cut_loops: bool = True  # the true scene holds the whole state, so a deterministic pipeline
    # that comes back to a state with the same memory will loop until time runs out
    rules: str = ""  # rule file under symbolic/rules/ (default: <name>.pl)
    # A grammar under symbolic/rules/ that reads the words the game gives beside the screen
    # (``Scene.mission``) into goals; "" for a game without them.
    grammar: str = ""
    bench: tuple[str, ...] = ()  # variant suffixes `neurocomp bench` measures (default: the
    # first and the last)
    hidden_inventory: bool = False  # the screen does not show what the agent holds, so a
    # pipeline that reads screens must remember what it picked up
    adopts: tuple[str, ...] = ()  # prefixes of ids of other suites this game plays (e.g.
    # "MiniGrid-"): any such id registered with Gymnasium becomes neurocomp/<id>, made with
    # {"env_id": id}
    # The structure every screen has, for the "structured" decoder: the kind on every border
    # cell ("" for none), and the least and most cells of a kind on a screen (the agent's own
    # cell counted as the agent).
    border: str = ""
    counts: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # Some kinds differ in colour only (MiniGrid's red and blue keys, named ``key_red`` and
    # ``key_blue``): random colour maps would make them one kind. Colour augmentation then
    # swaps the colours in ``colours`` (colour name -> the RGB the screen draws it in) between
    # the cells of such kinds, each cell's kind changing with its colour; a game that declares
    # no colours is trained without colour augmentation.
    coloured_kinds: bool = False
    colours: Mapping[str, RGB] = field(default_factory=dict)
    # How abduction groups the cells it reads: "appearances" (within a level a kind looks one
    # way: each level's cells are grouped by colour) or "clusters" (a kind's cells look
    # different from one another, as handwritten digits do: every demonstration's cells are
    # clustered together, and the rules decide what each cluster is).
    abduction: str = "appearances"
    # Other ways of seeing the game's levels, each its own specification (the environment
    # keyword ``view``): view name -> "module:NAME" of that specification.
    views: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [k.name for k in self.kinds]
        glyphs = [k.glyph for k in self.kinds]
        if len(set(names)) != len(names) or len(set(glyphs)) != len(glyphs):
            raise ValueError(f"{self.name}: kind names and glyphs must be unique")
        if any(len(g) != 1 for g in glyphs):
            raise ValueError(f"{self.name}: a glyph is one character")
        if self.background not in names:
            raise ValueError(f"{self.name}: background {self.background!r} is not a kind")
        for kind, (low, high) in self.counts.items():
            if kind not in names or not 0 <= low <= high:
                raise ValueError(
                    f"{self.name}: counts[{kind!r}] must name a kind, 0 <= low <= high"
                )
        if self.border and self.border not in names:
            raise ValueError(f"{self.name}: border {self.border!r} is not a kind")
        if self.abduction not in ("appearances", "clusters"):
            raise ValueError(f"{self.name}: unknown abduction {self.abduction!r}")
        if self.actions.symmetry not in ("", "compass", "egocentric"):
            raise ValueError(f"{self.name}: unknown action symmetry {self.actions.symmetry!r}")
        if self.colours and not self.coloured_kinds:
            raise ValueError(f"{self.name}: colours name the colours of coloured_kinds")
        slots = {tuple(p) for p in self.palettes.values()}
        if "default" not in self.palettes or len(slots) != 1:
            raise ValueError(f"{self.name}: palettes need 'default' and the same slots in each")
        if not self.rules:
            object.__setattr__(self, "rules", f"{self.name}.pl")
        if not self.bench:
            ends = (self.variants[0].suffix, self.variants[-1].suffix)
            object.__setattr__(self, "bench", tuple(dict.fromkeys(ends)))

    # -- kinds ------------------------------------------------------------------------------------
    @cached_property
    def kind_names(self) -> tuple[str, ...]:
        return tuple(k.name for k in self.kinds)

    @property
    def num_kinds(self) -> int:
        return len(self.kinds)

    def index(self, name: str) -> int:
        """The index of a kind by name; an unknown name is a clear error with close matches."""
        try:
            return self.kind_names.index(name)
        except ValueError:
            close = difflib.get_close_matches(name, self.kind_names, n=2, cutoff=0.5)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise UnknownKindError(
                f"{self.title} has no kind {clip(name)}; its kinds are "
                f"{', '.join(self.kind_names)}.{hint}"
            ) from None

    def enum(self) -> type[IntEnum]:
        """The kinds as an IntEnum (``FLOOR = 0, ...``), for a game's own code and tests."""
        return IntEnum(f"{self.title}Kind", [n.upper() for n in self.kind_names], start=0)

    @cached_property
    def agent_kinds(self) -> tuple[int, ...]:
        """Indices of the kinds that show the agent (none: the game has no agent)."""
        return tuple(i for i, k in enumerate(self.kinds) if k.holds is not None)

    @cached_property
    def shows_agent(self) -> np.ndarray:
        """``(K,)`` bools: whether each kind shows the agent (a lookup table for grids)."""
        table = np.zeros(len(self.kinds), dtype=bool)
        table[list(self.agent_kinds)] = True
        table.flags.writeable = False
        return table

    def agent_kind(self, held: frozenset[str] | tuple[str, ...]) -> int:
        """The kind that shows the agent holding ``held``."""
        for i in self.agent_kinds:
            if frozenset(self.kinds[i].holds or ()) == frozenset(held):
                return i
        raise UnknownKindError(f"{self.title} has no kind showing the agent holding {held}")

    def legend(self) -> str:
        """E.g. ``@ agent, # wall, ...``: every glyph and what it stands for."""
        return ", ".join(f"`{k.glyph}` {k.name}" for k in self.kinds)

    # -- levels as text -----------------------------------------------------------------------
    def parse(self, text: str) -> np.ndarray:
        """A text picture (one glyph per cell, one row per line) → a grid of kind indices."""
        rows = [row.strip() for row in text.strip().splitlines() if row.strip()]
        if not rows:
            raise InvalidVariantError(f"a {self.title} level needs at least one row of glyphs")
        if len({len(r) for r in rows}) != 1:
            raise InvalidVariantError(
                f"every row of a {self.title} level must have the same length "
                f"(got {sorted({len(r) for r in rows})})"
            )
        by_glyph = {k.glyph: i for i, k in enumerate(self.kinds)}
        grid = np.empty((len(rows), len(rows[0])), dtype=np.int8)
        for r, row in enumerate(rows):
            for c, ch in enumerate(row):
                if ch not in by_glyph:
                    raise UnknownKindError(
                        f"row {r + 1}, column {c + 1}: {ch!r} is not a {self.title} glyph; "
                        f"use {self.legend().replace('`', '')}"
                    )
                grid[r, c] = by_glyph[ch]
        return grid

    def to_text(self, grid: np.ndarray) -> str:
        glyphs = [k.glyph for k in self.kinds]
        return "\n".join("".join(glyphs[int(k)] for k in row) for row in grid)

    # -- ids --------------------------------------------------------------------------------------
    def env_id(self, variant: Variant) -> str:
        return f"neurocomp/{self.title}-{variant.suffix}-v0"

    def env_ids(self) -> list[str]:
        return [self.env_id(v) for v in self.variants]

    def bench_ids(self) -> list[str]:
        return [f"neurocomp/{self.title}-{suffix}-v0" for suffix in self.bench]

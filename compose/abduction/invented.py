"""Invented symbols: a game's kinds named by appearance alone, for the hybrid that learns its
perception and its rules together (``hybrid-autonomous``).

Nothing here reads a true kind. The demonstrations' screens are cut into cells; each cell is
described as abduction describes it (:func:`compose.abduction.appearances.cell_features`) and
each level's cells are grouped by appearance. A level's groups are then matched to the symbols
found so far, one to one (two groups of one level look different, so they are two symbols
unless the play says otherwise), by the least total distance between their appearances; a group
too far from every symbol starts a new one. Symbols are named ``k0``, ``k1``, ... by how many
cells show them.

What the game's declared structure gives, and is counted as given: whether it has an agent,
that the screen shows it in exactly one cell, and that it moves as its move actions say. The
agent's symbols are those that together show one cell on every screen and move so; the one it
shows at the start of an episode holds nothing (an episode starts empty-handed); a symbol it
changes to as it enters a cell holds what it held plus the symbol of that cell. What a cell
shows where the agent left it is the *background*.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from compose.abduction.appearances import appearance_groups, cell_features, group_centres
from compose.abduction.episodes import episode_rows
from environments.spec import MOVE_DELTAS, GameSpec, KindSpec
from neural.data import Demonstrations
from symbolic.induction.language import refusal as induction_refusal
from symbolic.reasoner import reasoner_class

__all__ = [
    "GLYPHS",
    "MATCH_DISTANCE",
    "MAX_SYMBOLS",
    "SymbolTable",
    "Symbols",
    "autonomy_refusal",
    "invent_symbols",
    "screen_structure",
    "symbol_names",
    "translate_clause",
]

MAX_SYMBOLS = 16  # beyond this many the reasoner's search over them is too slow to offer
MATCH_DISTANCE = 200.0  # a level's group this far from every symbol is a symbol of its own
GLYPHS = "0123456789abcdefghijklmnopqrstuvwxyz"


def autonomy_refusal(game: GameSpec) -> str | None:
    """Why ``hybrid-autonomous`` cannot learn ``game``, or None."""
    if why := induction_refusal(game.title, reasoner_class(game).questions):
        return why
    if game.abduction == "clusters":
        return (
            f"a kind's cells look unlike one another in {game.title} (handwriting), so no "
            "appearance can name it; use hybrid-abduced (the rules given) or hybrid-induced "
            "(the cells labelled)"
        )
    if any(k.facing is not None for k in game.kinds):
        return (
            f"{game.title}'s agent faces four ways that differ only by rotation, which the "
            "appearance features do not see; use hybrid-induced (the cells labelled)"
        )
    if game.num_kinds > MAX_SYMBOLS:
        return (
            f"{game.title} has {game.num_kinds} kinds, and invented symbols cover games of up "
            f"to {MAX_SYMBOLS}; use hybrid-induced (the cells labelled)"
        )
    return None


def symbol_names(count: int) -> tuple[str, ...]:
    return tuple(f"k{i}" for i in range(count))


def translate_clause(text: str, names: Mapping[str, str | Sequence[str]]) -> str:
    """``text`` (Prolog, a clause a line) with every invented symbol (an atom ``k<n>``)
    replaced by its name in ``names``. A symbol that stands for several kinds (a list: two
    kinds the rules answer alike, merged) makes a line of each of its lines' clauses per
    kind; one that stands for none (it covered no cell) is left as it is."""
    out = []
    for line in text.split("\n"):
        found = sorted(set(re.findall(r"\bk\d+\b", line)))
        options = [_kinds(names.get(s, s)) or [s] for s in found]  # kept where it maps to none
        for combo in itertools.product(*options):
            chosen = dict(zip(found, combo, strict=True))
            out.append(re.sub(r"\bk\d+\b", lambda m, c=chosen: c[m.group(0)], line))
    return "\n".join(out)


def _kinds(name: str | Sequence[str]) -> list[str]:
    return [name] if isinstance(name, str) else list(name)


@dataclass(frozen=True)
class SymbolTable:
    """What an invented game is made of, enough to rebuild it (and saved with a pipeline):
    the symbols' names, which of them show the agent and what it holds when they do, the
    background, and the structure every demonstration screen shares: the symbol on every
    border cell ("" if none is), and the symbols never seen twice on one screen, with how
    few of them a screen showed (a screen shows at most one)."""

    names: tuple[str, ...]
    agents: dict[str, tuple[str, ...]] = field(default_factory=dict)
    background: str = "k0"
    border: str = ""
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)

    def game(self, true: GameSpec) -> GameSpec:
        """``true``'s game with these symbols for its kinds: the same actions, reasoner,
        variants and palettes; the structured decoder, on the structure the demonstrations
        share, where it has an agent, else argmax; none of the structure its specification
        states in the true kinds' names."""
        kinds = tuple(
            KindSpec(name, GLYPHS[i], None, holds=self.agents.get(name))
            for i, name in enumerate(self.names)
        )
        return replace(
            true,
            kinds=kinds,
            decoder="structured" if self.agents else "argmax",
            background=self.background,
            border=self.border,
            counts=dict(self.counts),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "agents": {k: list(v) for k, v in self.agents.items()},
            "background": self.background,
            "border": self.border,
            "counts": {k: list(v) for k, v in self.counts.items()},
        }


@dataclass
class Symbols:
    """The demonstrations read in invented symbols."""

    table: SymbolTable
    grid: np.ndarray  # (N, H, W): the symbol of every demonstration cell
    centres: np.ndarray  # (S, F): each symbol's mean appearance
    # per episode: its rows, its cells' appearance groups, each group's symbol
    episodes: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.table.names)


class SymbolError(ValueError):
    """The demonstrations cannot be read in invented symbols (the message says why)."""


def invent_symbols(
    game: GameSpec, demos: Demonstrations, tile: int, threshold: float = 60.0
) -> Symbols:
    """Every demonstration cell as an invented symbol (``demos.cells`` is never read)."""
    features = cell_features(demos.frames, tile)
    levels = []
    for rows in episode_rows(demos):
        groups = appearance_groups(features[rows], threshold)
        levels.append((rows, groups, group_centres(features[rows], groups)))
    order = sorted(range(len(levels)), key=lambda e: -len(levels[e][2]))
    sums: list[np.ndarray] = []
    weights: list[int] = []
    assigned: dict[int, np.ndarray] = {}
    for e in order:
        rows, groups, centres = levels[e]
        sizes = np.bincount(groups.ravel(), minlength=len(centres))
        assigned[e] = _match(centres, sums, weights)
        for g, s in enumerate(assigned[e]):
            if s == len(sums):
                sums.append(centres[g] * sizes[g])
                weights.append(int(sizes[g]))
            else:
                sums[s] = sums[s] + centres[g] * sizes[g]
                weights[s] += int(sizes[g])
            if len(sums) > MAX_SYMBOLS:
                raise SymbolError(
                    f"the demonstration screens show more than {MAX_SYMBOLS} kinds of cell by "
                    f"appearance ({len(sums)} after {len(assigned)} of {len(levels)} episodes): "
                    "too many to name (are they noise? a cell must look alike within a level)"
                )
    grid = np.zeros(features.shape[:3], dtype=np.int64)
    for e, (rows, groups, _) in enumerate(levels):
        grid[rows] = assigned[e][groups]
    # named by how many cells show them, most first
    rank = np.argsort(-np.bincount(grid.ravel(), minlength=len(sums)), kind="stable")
    rename = np.empty(len(sums), dtype=np.int64)
    rename[rank] = np.arange(len(sums))
    grid = rename[grid]
    centres = np.stack([sums[s] / max(1, weights[s]) for s in rank])
    episodes = [(rows, groups, rename[assigned[e]]) for e, (rows, groups, _) in enumerate(levels)]
    names = symbol_names(len(sums))
    notes: list[str] = []
    agents: dict[str, tuple[str, ...]] = {}
    background = 0
    if game.agent_kinds:
        agent, notes = _agent(grid, demos)
        agents = _holds(grid, demos, agent, names)
        background = _background(grid, demos, set(agent))
    else:
        background = int(np.bincount(grid.ravel()).argmax())
    border, counts = screen_structure(grid, set(agents))
    table = SymbolTable(names, agents, names[background], border, counts)
    return Symbols(table, grid, centres, episodes, notes)


def screen_structure(grid: np.ndarray, agents: set[str]) -> tuple[str, dict[str, tuple[int, int]]]:
    """What every demonstration screen shares: the one symbol on every border cell of every
    screen (or ""), and, of the symbols other than the agent's, those never shown twice on one
    screen, with the fewest cells of them a screen showed (0 or 1)."""
    names = symbol_names(int(grid.max()) + 1)
    edge = np.concatenate([grid[:, 0, :], grid[:, -1, :], grid[:, :, 0], grid[:, :, -1]], axis=1)
    border = names[int(edge.flat[0])] if (edge == edge.flat[0]).all() else ""
    counts = {}
    for s, name in enumerate(names):
        per_screen = (grid == s).sum(axis=(1, 2))
        if name not in agents and per_screen.max() == 1:
            counts[name] = (int(per_screen.min()), 1)
    return border, counts


def _match(centres: np.ndarray, sums: list[np.ndarray], weights: list[int]) -> np.ndarray:
    """Each of a level's groups' symbol: the one-to-one matching to the symbols so far of
    least total distance; a group matched farther than ``MATCH_DISTANCE`` (or left over) gets
    a new symbol (numbered from ``len(sums)``)."""
    from scipy.optimize import linear_sum_assignment

    out = np.full(len(centres), -1, dtype=np.int64)
    if sums:
        known = np.stack([s / max(1, w) for s, w in zip(sums, weights, strict=True)])
        dist = np.sqrt(((centres[:, None, :] - known[None, :, :]) ** 2).sum(-1))
        for g, s in zip(*linear_sum_assignment(dist), strict=True):
            if dist[g, s] <= MATCH_DISTANCE:
                out[g] = s
    fresh = itertools.count(len(sums))
    for g in np.flatnonzero(out < 0):
        out[g] = next(fresh)
    return out


def _positions(grid: np.ndarray, symbols: tuple[int, ...]) -> np.ndarray | None:
    """``(N, 2)``: the one cell ``symbols`` show on each screen; None if some screen shows
    none or more than one."""
    shown = np.isin(grid, symbols)
    if not (shown.sum(axis=(1, 2)) == 1).all():
        return None
    _, r, c = np.nonzero(shown)
    return np.stack([r, c], 1)


def _agent(grid: np.ndarray, demos: Demonstrations) -> tuple[tuple[int, ...], list[str]]:
    """The agent's symbols: of the sets of symbols that together show exactly one cell on every
    screen, the set whose cell moves most often as the expert's move actions say."""
    count = int(grid.max()) + 1
    per_screen = np.stack([(grid == s).sum(axis=(1, 2)) for s in range(count)], 1)
    lone = [s for s in range(count) if per_screen[:, s].max() <= 1]
    same = demos.episodes[1:] == demos.episodes[:-1]
    best: tuple[int, tuple[int, ...]] = (0, ())
    for size in range(1, min(len(lone), 4) + 1):
        for subset in itertools.combinations(lone, size):
            at = _positions(grid, subset)
            if at is None:
                continue
            moved = at[1:] - at[:-1]
            deltas = np.array(
                [MOVE_DELTAS[a] if a < len(MOVE_DELTAS) else (0, 0) for a in demos.actions[:-1]]
            )
            agree = int((same & (moved != 0).any(1) & (moved == deltas).all(1)).sum())
            if agree > best[0]:
                best = (agree, subset)
    if not best[1]:
        raise SymbolError(
            "no appearance shows one cell on every screen and moves as the expert's moves say: "
            "the agent cannot be found"
        )
    return best[1], []


def _holds(
    grid: np.ndarray, demos: Demonstrations, agent: tuple[int, ...], names: tuple[str, ...]
) -> dict[str, tuple[str, ...]]:
    """What the agent holds when each of its symbols shows it: nothing at the start of an
    episode; a symbol it changes to as it enters a cell holds what it held, plus that cell's
    symbol. A symbol no change explains holds nothing."""
    at = _positions(grid, agent)
    assert at is not None
    shown = grid[np.arange(len(grid)), at[:, 0], at[:, 1]]
    holds: dict[int, tuple[str, ...]] = {}
    for rows in episode_rows(demos):
        holds.setdefault(int(shown[rows[0]]), ())
    for _ in range(len(agent)):
        for i in range(len(grid) - 1):
            if demos.episodes[i] != demos.episodes[i + 1]:
                continue
            before, after = int(shown[i]), int(shown[i + 1])
            if before == after or before not in holds or after in holds:
                continue
            r, c = at[i + 1]
            entered = names[int(grid[i, r, c])]
            holds[after] = tuple(sorted({*holds[before], entered}))
    return {names[s]: holds.get(s, ()) for s in agent}


def _background(grid: np.ndarray, demos: Demonstrations, agent: set[int]) -> int:
    """The symbol a cell shows once the agent has left it (the most common such)."""
    at = _positions(grid, tuple(agent))
    assert at is not None
    left = [
        int(grid[i + 1, at[i, 0], at[i, 1]])
        for i in range(len(grid) - 1)
        if demos.episodes[i] == demos.episodes[i + 1] and (at[i] != at[i + 1]).any()
    ]
    left = [s for s in left if s not in agent]
    if not left:
        return int(np.bincount(grid.ravel()).argmax())
    return int(np.bincount(left).argmax())

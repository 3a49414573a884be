"""Where neural outputs become symbols: per-cell kind probabilities → a Scene.

A game's specification names its decoder. Each decoder states the structural assumptions it
makes about every screen of the game; the report counts them as hand-written knowledge of the
hybrid, beside the rule clauses.

- ``argmax``: every cell takes its most likely kind; assumes nothing.
- ``one-agent``: the screen shows exactly one agent. The agent is the cell most likely to be an
  agent (its kind tells what it holds), and every other cell takes its most likely non-agent
  kind.
- ``structured``: ``one-agent``, plus the structure the game's specification declares: the
  kind on every border cell, and how few and how many cells of a kind a screen shows. A kind
  with too many cells keeps its most likely ones (the others take their next most likely kind
  that still has room); a kind with too few takes the free cells most likely to be it, unless
  even the best of them is below ``PROMOTE_AT`` (the missing one is then taken to be hidden
  under the agent). Greedy, kind by kind, in the order the specification lists them.

A hybrid whose reasoner plans around deadly cells is also **cautious**: a cell that is at
least ``CAUTION`` likely to be of a kind the rules say kills (and that stays put) is read as
that kind for planning, as long as a plan around it exists; if none does, the hybrid plans on
the decoded scene as it is. One misread lava cell then costs a detour, not the episode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.reasoner import reasoner_class

__all__ = [
    "CAUTION",
    "DECODERS",
    "Decoder",
    "cautious_scene",
    "decoder_for",
    "hybrid_assumptions",
    "reading_decoder",
]


@dataclass(frozen=True)
class Decoder:
    """Per-cell probabilities ``(H, W, K)`` (or logits) → the most likely Scene of a game."""

    name: str
    assumptions: tuple[str, ...]
    decode: Callable[[GameSpec, np.ndarray], Scene]

    def __call__(self, game: GameSpec, probs: np.ndarray) -> Scene:
        return self.decode(game, probs)


def _argmax(game: GameSpec, probs: np.ndarray) -> Scene:
    return Scene.from_grid(game, probs.argmax(-1).astype(np.int8))


def _one_agent(game: GameSpec, probs: np.ndarray) -> Scene:
    return Scene.from_grid(game, _one_agent_grid(game, probs))


def _one_agent_grid(game: GameSpec, probs: np.ndarray) -> np.ndarray:
    agents = list(game.agent_kinds)
    others = np.flatnonzero(~game.shows_agent)
    grid = others[probs[..., others].argmax(-1)].astype(np.int8)  # best non-agent kind per cell
    agent_scores = probs[..., agents]  # (H, W, A)
    r, c = np.unravel_index(int(agent_scores.max(-1).argmax()), grid.shape)
    grid[r, c] = agents[int(agent_scores[r, c].argmax())]
    return grid


PROMOTE_AT = 0.01  # a missing kind is read into a cell only if it is at least this likely there


def _structured(game: GameSpec, probs: np.ndarray) -> Scene:
    h, w, k = probs.shape
    agents = set(game.agent_kinds)
    grid = _one_agent_grid(game, probs) if agents else probs.argmax(-1).astype(np.int8)
    fixed = game.shows_agent[grid]  # cells no constraint may change
    if game.border:
        border = np.ones((h, w), bool)
        border[1:-1, 1:-1] = False
        grid[border & ~fixed] = game.index(game.border)
        fixed |= border
    full: set[int] = set()  # kinds at their most: no other cell may take them
    for name, (low, high) in game.counts.items():
        kind = game.index(name)
        score = np.where(fixed, -1.0, probs[..., kind])
        have = np.flatnonzero((grid == kind) & ~fixed)
        order = have[np.argsort(-score.flat[have])]
        keep, demote = order[:high], order[high:]
        if len(keep) < low:
            free = np.flatnonzero((grid != kind) & ~fixed)
            best = free[np.argsort(-score.flat[free])][: low - len(keep)]
            keep = np.concatenate([keep, best[score.flat[best] >= PROMOTE_AT]])
        full.add(kind)
        allowed = [j for j in range(k) if j not in full and j not in agents]
        for cell in demote:
            grid.flat[cell] = allowed[int(probs.reshape(-1, k)[cell, allowed].argmax())]
        grid.flat[keep] = kind
        fixed.flat[keep] = True
        fixed.flat[demote] = True
    return Scene.from_grid(game, grid)


def _structure_assumptions(game: GameSpec) -> tuple[str, ...]:
    said = [f"every border cell is {game.border}"] if game.border else []
    for name, (low, high) in game.counts.items():
        many = (
            f"exactly {low}"
            if low == high
            else f"at most {high}"
            if not low
            else f"{low} to {high}"
        )
        hidden = " (or one hidden under the agent)" if low else ""
        said.append(f"{many} {name} cell{'s' if high > 1 else ''} on the screen{hidden}")
    return tuple(said)


DECODERS: dict[str, Decoder] = {
    "argmax": Decoder("argmax", (), _argmax),
    "one-agent": Decoder("one-agent", ("exactly one agent on the screen",), _one_agent),
    "structured": Decoder("structured", ("exactly one agent on the screen",), _structured),
}


CAUTION = 0.25  # a cell at least this likely to be deadly is planned around
CAUTIOUS = (
    f"a cell at least {CAUTION:.0%} likely to be of a kind the rules say kills is kept away "
    "from while a plan around it exists"
)


def cautious_scene(
    scene: Scene, probs: np.ndarray, deadly: frozenset[int], at: float = CAUTION
) -> Scene | None:
    """``scene`` with every cell that is at least ``at`` likely (by ``probs``, ``(H, W, K)``)
    to be of a ``deadly`` kind, but was not read as one, read as its likeliest deadly kind;
    None when there is no such cell (or no deadly kind)."""
    if not deadly:
        return None
    kinds = np.array(sorted(deadly))
    risk = probs[..., kinds]  # (H, W, D)
    is_deadly = np.zeros(scene.game.num_kinds, dtype=bool)
    is_deadly[kinds] = True
    suspect = (risk.sum(-1) >= at) & ~is_deadly[scene.grid]
    if scene.agent is not None:
        suspect[scene.agent] = False
    if not suspect.any():
        return None
    grid = scene.grid.copy()
    grid[suspect] = kinds[risk[suspect].argmax(-1)]
    return Scene(scene.game, grid, scene.agent, scene.inventory, scene.mission)


TRACKS_INVENTORY = (
    "what the agent carries, which the screen does not show, is tracked from its own pickups "
    "and drops"
)


LIKELIEST = (
    "the scene planned on is the likeliest the rules allow by perception's probabilities "
    "(the solved board under which the digits read are likeliest)"
)


def hybrid_assumptions(game: GameSpec) -> tuple[str, ...]:
    """What a hybrid of ``game`` assumes beyond its rules, for the ledger: its decoder's
    assumptions, where the screen hides the inventory that it tracks it itself, and what its
    reasoner assumes (a map kept from egocentric views)."""
    decoder = decoder_for(game)
    structure = _structure_assumptions(game) if decoder.name == "structured" else ()
    inventory = (TRACKS_INVENTORY,) if game.hidden_inventory else ()
    caution = (CAUTIOUS,) if reasoner_class(game).avoids_deadly else ()
    likeliest = (LIKELIEST,) if reasoner_class(game).reads_likeliest else ()
    mapping = reasoner_class(game).assumptions
    return decoder.assumptions + structure + inventory + caution + likeliest + mapping


def reading_decoder(game: GameSpec) -> Decoder:
    """The decoder without the declared structure, for a reading that must stay as it was
    read (abduction scores each reading as it is; the structure would rewrite it)."""
    decoder = decoder_for(game)
    if decoder.name != "structured":
        return decoder
    return DECODERS["one-agent" if game.agent_kinds else "argmax"]


def decoder_for(game: GameSpec) -> Decoder:
    """The decoder a game's specification names."""
    try:
        return DECODERS[game.decoder]
    except KeyError:
        raise ValueError(
            f"{game.name}: unknown decoder {game.decoder!r}; choose one of {sorted(DECODERS)}"
        ) from None

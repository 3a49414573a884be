"""Where neural outputs become symbols: per-cell kind probabilities → a Scene.

A game's specification names its decoder. Each decoder states the structural assumptions it
makes about every screen of the game; the report counts them as hand-written knowledge of the
hybrid, beside the rule clauses.

- ``argmax``: every cell takes its most likely kind; assumes nothing.
- ``one-agent``: the screen shows exactly one agent. The agent is the cell most likely to be an
  agent (its kind tells what it holds), and every other cell takes its most likely non-agent
  kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec

__all__ = ["DECODERS", "Decoder", "decoder_for", "hybrid_assumptions"]


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
    agents = list(game.agent_kinds)
    others = np.array([k for k in range(game.num_kinds) if k not in agents])
    grid = others[probs[..., others].argmax(-1)].astype(np.int8)  # best non-agent kind per cell
    agent_scores = probs[..., agents]  # (H, W, A)
    r, c = np.unravel_index(int(agent_scores.max(-1).argmax()), grid.shape)
    grid[r, c] = agents[int(agent_scores[r, c].argmax())]
    return Scene.from_grid(game, grid)


DECODERS: dict[str, Decoder] = {
    "argmax": Decoder("argmax", (), _argmax),
    "one-agent": Decoder("one-agent", ("exactly one agent on the screen",), _one_agent),
}


TRACKS_INVENTORY = (
    "what the agent carries, which the screen does not show, is tracked from its own pickups "
    "and drops"
)


def hybrid_assumptions(game: GameSpec) -> tuple[str, ...]:
    """What a hybrid of ``game`` assumes beyond its rules, for the ledger: its decoder's
    assumptions, and, where the screen hides the inventory, that it tracks it itself."""
    return decoder_for(game).assumptions + ((TRACKS_INVENTORY,) if game.hidden_inventory else ())


def decoder_for(game: GameSpec) -> Decoder:
    """The decoder a game's specification names."""
    try:
        return DECODERS[game.decoder]
    except KeyError:
        raise ValueError(
            f"{game.name}: unknown decoder {game.decoder!r}; choose one of {sorted(DECODERS)}"
        ) from None

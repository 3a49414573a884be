"""Where neural outputs become symbols: per-cell kind probabilities → a Scene.

The decoder knows one structural fact about every game — the screen shows exactly one agent —
and uses it: the agent is the cell most likely to be an agent, and every other cell takes its
most likely non-agent kind. The report counts this as hand-written knowledge of the hybrid.
"""

from __future__ import annotations

import numpy as np

from environments.core import Kind, Scene

__all__ = ["DECODER_ASSUMPTIONS", "scene_from_probs"]

DECODER_ASSUMPTIONS = ("exactly one agent on the screen",)
_AGENT_KINDS = [Kind.AGENT, Kind.AGENT_WITH_KEY]


def scene_from_probs(probs: np.ndarray) -> Scene:
    """``(H, W, K)`` probabilities (or logits) over :class:`Kind` → the most likely Scene."""
    grid = probs[..., : Kind.AGENT].argmax(-1).astype(np.int8)  # best non-agent kind per cell
    agent_scores = probs[..., _AGENT_KINDS]  # (H, W, 2)
    r, c = np.unravel_index(int(agent_scores.max(-1).argmax()), grid.shape)
    grid[r, c] = _AGENT_KINDS[int(agent_scores[r, c].argmax())]
    return Scene.from_grid(grid)

"""The exact expert: a shortest plan over (position, inventory) using the simulator's own traits.

It knows the game the way the simulator does (``core.TRAITS``), not through Prolog, so it is an
independent upper bound for the symbolic reasoner and the source of demonstrations.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from environments.core import MOVES, TRAITS, Action, Kind, Scene

__all__ = ["expert_action", "expert_plan"]


def expert_plan(scene: Scene) -> list[Action] | None:
    """Return a shortest list of actions from ``scene`` to a goal, or None if there is none.

    States are (row, col, held kinds); picking up an object changes the state's inventory and
    removes the object, which is safe here because an object lies in exactly one cell.
    """
    terrain = scene.grid.copy()
    terrain[scene.agent] = Kind.FLOOR
    kinds = [Kind(int(k)) for k in np.unique(terrain)]
    traits = {k: TRAITS[k] for k in kinds}
    h, w = terrain.shape
    start = (scene.agent, frozenset(scene.inventory))
    parent: dict[tuple[tuple[int, int], frozenset[Kind]], tuple | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        (r, c), held = state
        for action, (dr, dc) in MOVES.items():
            tr, tc = r + dr, c + dc
            if not (0 <= tr < h and 0 <= tc < w):
                continue
            kind = Kind(int(terrain[tr, tc]))
            t = traits[kind]
            if t.deadly or not (t.enterable or t.unlocked_by in held):
                continue
            picked = kind in held or not t.pickup
            nxt = ((tr, tc), held if picked else held | {kind})
            if nxt in parent:
                continue
            parent[nxt] = (state, action)
            if t.goal:
                return _unwind(parent, nxt)
            queue.append(nxt)
    return None


def _unwind(parent: dict, state: tuple) -> list[Action]:
    plan: list[Action] = []
    while parent[state] is not None:
        state, action = parent[state]
        plan.append(action)
    return plan[::-1]


def expert_action(scene: Scene) -> Action:
    """The first action of a shortest plan. Raises ValueError if the scene has no solution."""
    plan = expert_plan(scene)
    if not plan:
        raise ValueError(f"the expert found no plan for {scene!r}")
    return plan[0]

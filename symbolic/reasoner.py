"""From a Scene to a Decision: Prolog says what each kind means, a graph search plans.

One decision makes one Prolog call (``nc_semantics``): for every kind on the screen and every
inventory the agent could reach by collecting things, which of ``blocks/2``, ``kills/1``,
``collects/1`` and ``wins/1`` hold. The search then runs over states (cell, inventory): with
networkx on a graph built from those tables (default), or as a breadth-first search written in
Prolog (``search="prolog"``), kept for comparison (``neurocomp bench`` measures both).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np

from environments.core import MOVES, Action, Kind, Scene
from symbolic.engine import PrologEngine, RuleSet
from symbolic.errors import QueryError, RuleFileError

__all__ = ["INTERFACE", "Decision", "Reasoner", "rules_path"]

# The questions a reasoner asks of every game's rules.
INTERFACE = ("blocks/2", "kills/1", "collects/1", "wins/1")
RULES_DIR = Path(__file__).with_name("rules")
SearchMethod = Literal["networkx", "prolog"]
_LETTER = {a.name: a for a in Action}


def rules_path(game: str) -> Path:
    """The packaged rule file of a game, e.g. ``symbolic/rules/keydoor.pl``."""
    return RULES_DIR / f"{game}.pl"


@dataclass(frozen=True)
class Decision:
    """An action with the reasoning behind it."""

    action: Action
    plan: tuple[Action, ...]  # from the current state to a winning cell; () if none was found
    summary: str  # one line: what the plan does, or why there is none
    alternatives: dict[Action, str] = field(default_factory=dict)  # why each other move lost
    prolog_s: float = 0.0
    search_s: float = 0.0

    def explain(self) -> str:
        """A few lines a person can read: the plan and what ruled out every other move."""
        lines = [f"{self.action.name}: {self.summary}"]
        lines += [f"  not {a.name}: {why}" for a, why in sorted(self.alternatives.items())]
        return "\n".join(lines)


@dataclass(frozen=True)
class _Semantics:
    """The rule tables of one decision, as arrays indexed by inventory and kind code."""

    inventories: list[frozenset[str]]
    blocks: np.ndarray  # (I, K) bool
    kills: np.ndarray  # (K,) bool
    collects: np.ndarray  # (K,) bool
    wins: np.ndarray  # (K,) bool


class Reasoner:
    """Maps a :class:`Scene` to a :class:`Decision` with a rule set and a graph search."""

    def __init__(self, rules: RuleSet, search: SearchMethod = "networkx") -> None:
        if search not in ("networkx", "prolog"):
            raise ValueError(f"search must be 'networkx' or 'prolog', got {search!r}")
        self.rules = rules
        self.search = search

    @classmethod
    def from_file(
        cls, path: str | Path, search: SearchMethod = "networkx", *, trusted: bool = False
    ) -> Reasoner:
        """Load a rule file (sandbox-checked unless ``trusted``) and reason with it."""
        rules = PrologEngine.get().load_rules(path, required=INTERFACE, trusted=trusted)
        reasoner = cls(rules, search)
        reasoner.check()
        return reasoner

    @classmethod
    def for_game(cls, game: str, search: SearchMethod = "networkx") -> Reasoner:
        """The reasoner with a game's packaged rules."""
        return cls.from_file(rules_path(game), search)

    def check(self) -> None:
        """Ask the rules about every kind once, so that rules which loop or raise fail now,
        with a message that says so, rather than in the middle of a run."""
        try:
            self.rules.semantics([k.symbol for k in Kind if k < Kind.AGENT], [])
        except QueryError as e:
            raise RuleFileError(f"asking {', '.join(INTERFACE)} about each kind failed: {e}") from e

    # -- deciding -------------------------------------------------------------------------------
    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        terrain = scene.grid.copy()
        terrain[scene.agent] = Kind.FLOOR  # the cell under the agent is not visible
        held = [k.symbol for k in scene.inventory]
        sem = self._semantics(terrain, held)
        t1 = time.perf_counter()
        if self.search == "networkx":
            plan = _plan_networkx(terrain, scene.agent, frozenset(held), sem)
        else:
            cells = "".join(str(int(k)) for k in terrain.ravel())
            letters = self.rules.plan(
                terrain.shape[1], cells, [k.symbol for k in Kind], scene.agent, held
            )
            plan = None if letters is None else [_LETTER[ch] for ch in letters]
        t2 = time.perf_counter()
        return _decision(scene, terrain, held, sem, plan, t1 - t0, t2 - t1)

    def _semantics(self, terrain: np.ndarray, held: list[str]) -> _Semantics:
        codes = [int(k) for k in np.unique(terrain)]
        tables = self.rules.semantics([Kind(k).symbol for k in codes], held)
        n = len(Kind)
        blocks = np.zeros((len(tables), n), dtype=bool)
        kills, collects, wins = (np.zeros(n, dtype=bool) for _ in range(3))
        for i, table in enumerate(tables):
            for code in codes:
                props = table.kinds[Kind(code).symbol]
                blocks[i, code] = "blocks" in props
                kills[code] |= "kills" in props
                collects[code] |= "collects" in props
                wins[code] |= "wins" in props
        invs = [t.inventory for t in tables]
        return _Semantics(invs, blocks, kills, collects, wins)


def _plan_networkx(
    terrain: np.ndarray, start: tuple[int, int], held: frozenset[str], sem: _Semantics
) -> list[Action] | None:
    """Shortest plan over (cell, inventory) nodes; node id = layer * H * W + row * W + col."""
    h, w = terrain.shape
    hw = h * w
    layer_of = {inv: i for i, inv in enumerate(sem.inventories)}
    flat = terrain.ravel().astype(np.intp)
    idx = np.arange(hw).reshape(h, w)
    deadly = sem.kills[flat]
    winning = sem.wins[flat]
    graph = nx.DiGraph()
    sink = -1
    for layer, inv in enumerate(sem.inventories):
        open_ = ~sem.blocks[layer][flat] & ~deadly  # (H*W,) cells enterable in this layer
        base = layer * hw
        # Where entering a cell collects something new, the move changes layer.
        target_layer = np.full(hw, layer)
        for code in np.flatnonzero(sem.collects):
            name = Kind(int(code)).symbol
            if name not in inv:
                target_layer[flat == code] = layer_of.get(inv | {name}, layer)
        for dr, dc in MOVES.values():
            src = idx[max(0, -dr) : h - max(0, dr), max(0, -dc) : w - max(0, dc)].ravel()
            dst = src + dr * w + dc
            ok = open_[dst] & ~winning[src]  # nothing moves on from a winning cell
            src, dst = src[ok], dst[ok]
            graph.add_edges_from(
                zip((base + src).tolist(), (target_layer[dst] * hw + dst).tolist(), strict=True)
            )
        wins_here = np.flatnonzero(winning & open_)
        graph.add_edges_from((int(base + c), sink) for c in wins_here)
    first = layer_of.get(held, 0) * hw + start[0] * w + start[1]
    if first not in graph or sink not in graph:
        return None
    try:
        path = nx.shortest_path(graph, first, sink)[:-1]
    except nx.NetworkXNoPath:
        return None
    cells = [divmod(node % hw, w) for node in path]
    step_to_action = {delta: a for a, delta in MOVES.items()}
    return [step_to_action[(r1 - r0, c1 - c0)] for (r0, c0), (r1, c1) in pairwise(cells)]


def _decision(
    scene: Scene,
    terrain: np.ndarray,
    held: list[str],
    sem: _Semantics,
    plan: list[Action] | None,
    prolog_s: float,
    search_s: float,
) -> Decision:
    h, w = terrain.shape
    r, c = scene.agent
    layer = sem.inventories.index(frozenset(held)) if frozenset(held) in sem.inventories else 0
    inv_text = "[" + ", ".join(sorted(held)) + "]"
    verdicts: dict[Action, str] = {}
    for action, (dr, dc) in MOVES.items():
        tr, tc = r + dr, c + dc
        if not (0 <= tr < h and 0 <= tc < w):
            verdicts[action] = "off the grid"
            continue
        code = int(terrain[tr, tc])
        kind = Kind(code).symbol
        if sem.blocks[layer, code]:
            verdicts[action] = f"{kind} at {(tr, tc)} blocks: blocks({kind}, {inv_text})"
        elif sem.kills[code]:
            verdicts[action] = f"{kind} at {(tr, tc)} kills: kills({kind})"
    if plan:
        action = plan[0]
        summary = _describe_plan(scene.agent, terrain, plan, sem)
        for a in Action:
            if a != action and a not in verdicts:
                verdicts[a] = f"enterable, but the shortest plan found starts with {action.name}"
    else:
        safe = [a for a in Action if a not in verdicts]
        action = safe[0] if safe else Action.N
        reason = "no cell that wins is reachable" if sem.wins.any() else "no cell wins"
        summary = f"no plan: {reason} under these rules; moving to a safe cell instead"
        plan = []
    verdicts.pop(action, None)
    return Decision(action, tuple(plan), summary, verdicts, prolog_s, search_s)


def _describe_plan(
    start: tuple[int, int], terrain: np.ndarray, plan: list[Action], sem: _Semantics
) -> str:
    """E.g. ``plan of 12 moves: collects key at (3, 1) after 2, wins at goal (6, 6)``."""
    r, c = start
    events = []
    for i, action in enumerate(plan, 1):
        dr, dc = MOVES[action]
        r, c = r + dr, c + dc
        code = int(terrain[r, c])
        kind = Kind(code).symbol
        if sem.collects[code]:
            events.append(f"collects {kind} at {(r, c)} after {i}")
        if sem.wins[code]:
            events.append(f"wins at {kind} {(r, c)}")
    moves = "".join(a.name for a in plan)
    return f"plan of {len(plan)} moves {moves}: " + ", ".join(events)

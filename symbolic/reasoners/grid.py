"""Planning for a grid in which one agent moves: Prolog says what each kind means, a graph
search plans.

Prolog (``nc_semantics``) says, for every kind on the screen and every inventory the agent could
reach by collecting things, which of the questions below hold. It is asked once per distinct
set of kinds and inventory: a rule set is pure, so the answers are kept. The
search then runs over states (cell, inventory): with networkx on a graph built from those
tables (default), or as a breadth-first search written in Prolog (``search="prolog"``), kept
for comparison (``neurocomp bench`` measures both).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import networkx as nx
import numpy as np

from environments.core import Scene
from environments.spec import MOVE_DELTAS, MOVES, GameSpec
from symbolic.engine import RuleSet
from symbolic.reasoner import Decision, Reasoner

__all__ = ["UNSEEN", "GridReasoner", "GridSemantics"]

UNSEEN = -1  # in a predicted grid: a cell whose kind the screens never showed

# The questions, in the order of their roles in the Prolog search: what blocks (kind,
# inventory), what kills, what is collected on entering, what wins on entering.
QUESTIONS = ("blocks/2", "kills/1", "collects/1", "wins/1")
BLOCKS, KILLS, COLLECTS, WINS = (q.split("/")[0] for q in QUESTIONS)


@dataclass(frozen=True)
class GridSemantics:
    """The rule tables of one decision, as arrays indexed by inventory and kind index."""

    names: tuple[str, ...]  # kind index -> name
    inventories: list[frozenset[str]]
    blocks: np.ndarray  # (I, K) bool
    kills: np.ndarray  # (K,) bool
    collects: np.ndarray  # (K,) bool
    wins: np.ndarray  # (K,) bool

    def layer(self, held: frozenset[str]) -> int:
        return self.inventories.index(held) if held in self.inventories else 0


class GridReasoner(Reasoner):
    """Maps a Scene of an agent game to a Decision: rule tables, then a shortest plan."""

    questions = QUESTIONS
    searches = ("networkx", "prolog")
    avoids_deadly = True

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        if game.actions != MOVES or not game.agent_kinds:
            raise TypeError(f"the grid reasoner plays games with one agent and MOVES, not {game}")
        super().__init__(rules, game, search)
        self._background = game.index(game.background)
        self._names = game.kind_names
        self._semantics: dict[tuple[tuple[int, ...], tuple[str, ...]], GridSemantics] = {}
        # The search graph of a terrain under its tables: the same on every step on which the
        # agent only moves, so it is built once per distinct terrain (see ``_graph``).
        self._graphs: dict[
            tuple[bytes, tuple[int, int], int], tuple[nx.DiGraph, GridSemantics]
        ] = {}
        self._deadly: frozenset[int] | None = None

    def probe(self) -> None:
        terrain = [k.name for i, k in enumerate(self.game.kinds) if i not in self.game.agent_kinds]
        self.rules.semantics(terrain, [], QUESTIONS, COLLECTS)

    def deadly_kinds(self) -> frozenset[int]:
        if self._deadly is None:
            codes = [i for i in range(len(self._names)) if i not in self.game.agent_kinds]
            kills = self._ask_semantics(codes, []).kills
            self._deadly = frozenset(int(k) for k in np.flatnonzero(kills))
        return self._deadly

    predicts = True

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The next screen's kinds after ``action``, by the rules and the conventions of agent
        games: the agent moves unless the cell is off the grid or blocks; entering a cell that
        kills or wins ends the episode (None); a collected object leaves the screen for the
        inventory, and the agent's kind shows what it holds. The cell the agent leaves is
        ``UNSEEN`` (-1): what lay under it was never on the screen."""
        terrain, held = self.terrain(scene)
        sem = self.semantics(terrain, held)
        assert scene.agent is not None
        (r, c), (dr, dc) = scene.agent, MOVE_DELTAS[action]
        h, w = terrain.shape
        grid = scene.grid.copy()
        if not (0 <= r + dr < h and 0 <= c + dc < w):
            return grid
        to = (r + dr, c + dc)
        kind = int(terrain[to])
        if sem.blocks[sem.layer(frozenset(held)), kind]:
            return grid
        if sem.kills[kind] or sem.wins[kind]:
            return None
        carried = frozenset(held) | ({self._names[kind]} if sem.collects[kind] else set())
        grid[to] = self.game.agent_kind(carried)
        grid[r, c] = UNSEEN  # what the agent stood on shows again, and was never seen
        return grid

    def alike(self) -> np.ndarray:
        """Kinds alike by the rules: neither the agent nor collected, and alike in what blocks
        under every inventory, what kills and what wins (see :meth:`meaning`)."""
        codes = [i for i in range(len(self._names)) if i not in self.game.agent_kinds]
        sem = self._ask_semantics(codes, [])
        meanings = [self.meaning(k, sem) for k in range(len(self._names))]
        return np.array([meanings.index(m) if m is not None else k for k, m in enumerate(meanings)])

    def meaning(self, kind: int, sem: GridSemantics) -> tuple | None:
        """What the rules say of ``kind``, comparable between kinds; None for a kind that is
        like no other (the agent's, and a collected one: what it adds to the inventory is
        not in the tables)."""
        if kind in self.game.agent_kinds or sem.collects[kind]:
            return None
        return (tuple(sem.blocks[:, kind]), bool(sem.kills[kind]), bool(sem.wins[kind]))

    # -- deciding -------------------------------------------------------------------------------
    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        terrain, held = self.terrain(scene)
        sem = self.semantics(terrain, held)
        t1 = time.perf_counter()
        assert scene.agent is not None
        if self.search == "networkx":
            plan = _plan_networkx(terrain, scene.agent, frozenset(held), sem, self._graph)
        else:
            letters = self.rules.plan(
                terrain.shape[1],
                terrain.ravel().tolist(),
                self._names,
                scene.agent,
                held,
                (BLOCKS, KILLS, COLLECTS, WINS),
            )
            plan = None if letters is None else [MOVES.names.index(ch) for ch in letters]
        t2 = time.perf_counter()
        return self._decision(scene, terrain, held, sem, plan, t1 - t0, t2 - t1)

    def _graph(self, terrain: np.ndarray, sem: GridSemantics) -> nx.DiGraph:
        """The search graph of ``terrain`` under ``sem``, built once and kept (a plan from it
        is the same as from a graph built anew: the graph depends on nothing else)."""
        key = (terrain.tobytes(), terrain.shape, id(sem))
        known = self._graphs.get(key)
        if known is None or known[1] is not sem:
            if len(self._graphs) >= 1024:
                self._graphs.clear()
            known = self._graphs[key] = (_search_graph(terrain, sem), sem)
        return known[0]

    def terrain(self, scene: Scene) -> tuple[np.ndarray, list[str]]:
        """The grid with the agent's cell shown as background (what lies under the agent is
        not visible), and what the agent holds."""
        terrain = scene.grid.copy()
        terrain[scene.agent] = self._background
        return terrain, list(scene.inventory)

    def semantics(self, terrain: np.ndarray, held: list[str]) -> GridSemantics:
        """What every kind on ``terrain`` means, under every reachable inventory. A rule set is
        pure: the same kinds and inventory get the same answers, so Prolog is asked once per
        distinct question and the tables are kept (``prolog_s`` then counts a lookup)."""
        codes = tuple(int(k) for k in np.unique(terrain))
        key = (codes, tuple(sorted(held)))
        known = self._semantics.get(key)
        if known is None:
            if len(self._semantics) >= 4096:
                self._semantics.clear()
            known = self._semantics[key] = self._ask_semantics(list(codes), held)
        return known

    def _ask_semantics(self, codes: list[int], held: list[str]) -> GridSemantics:
        """Ask the rules what each kind of ``codes`` means, under every reachable inventory."""
        tables = self.rules.semantics([self._names[k] for k in codes], held, QUESTIONS, COLLECTS)
        n = len(self._names)
        blocks = np.zeros((len(tables), n), dtype=bool)
        kills, collects, wins = (np.zeros(n, dtype=bool) for _ in range(3))
        for i, table in enumerate(tables):
            for code in codes:
                props = table.kinds[self._names[code]]
                blocks[i, code] = BLOCKS in props
                kills[code] |= KILLS in props
                collects[code] |= COLLECTS in props
                wins[code] |= WINS in props
        invs = [t.inventory for t in tables]
        return GridSemantics(self._names, invs, blocks, kills, collects, wins)

    def verdicts(
        self, scene: Scene, terrain: np.ndarray, held: list[str], sem: GridSemantics
    ) -> dict[int, str]:
        """Why each move the rules forbid is forbidden (off the grid, blocks, kills)."""
        h, w = terrain.shape
        assert scene.agent is not None
        r, c = scene.agent
        layer = sem.layer(frozenset(held))
        inv_text = "[" + ", ".join(sorted(held)) + "]"
        out: dict[int, str] = {}
        for action, (dr, dc) in enumerate(MOVE_DELTAS):
            tr, tc = r + dr, c + dc
            if not (0 <= tr < h and 0 <= tc < w):
                out[action] = "off the grid"
                continue
            code = int(terrain[tr, tc])
            kind = self._names[code]
            if sem.blocks[layer, code]:
                out[action] = f"{kind} at {(tr, tc)} blocks: {BLOCKS}({kind}, {inv_text})"
            elif sem.kills[code]:
                out[action] = f"{kind} at {(tr, tc)} kills: {KILLS}({kind})"
        return out

    def _decision(
        self,
        scene: Scene,
        terrain: np.ndarray,
        held: list[str],
        sem: GridSemantics,
        plan: list[int] | None,
        prolog_s: float,
        search_s: float,
    ) -> Decision:
        verdicts = self.verdicts(scene, terrain, held, sem)
        if plan:
            action = plan[0]
            summary = self._describe_plan(scene.agent, terrain, plan, sem)
            for a in range(len(MOVES.names)):
                if a != action and a not in verdicts:
                    verdicts[a] = (
                        f"enterable, but the shortest plan found starts with {MOVES.names[action]}"
                    )
        else:
            safe = [a for a in range(len(MOVES.names)) if a not in verdicts]
            action = safe[0] if safe else 0
            reason = "no cell that wins is reachable" if sem.wins.any() else "no cell wins"
            summary = f"no plan: {reason} under these rules; moving to a safe cell instead"
            plan = []
        verdicts.pop(action, None)
        return Decision(
            action,
            MOVES.names[action],
            tuple(plan),
            summary,
            {MOVES.names[a]: why for a, why in sorted(verdicts.items())},
            prolog_s,
            search_s,
        )

    def _describe_plan(
        self,
        start: tuple[int, int] | None,
        terrain: np.ndarray,
        plan: list[int],
        sem: GridSemantics,
    ) -> str:
        """E.g. ``plan of 12 moves: collects key at (3, 1) after 2, wins at goal (6, 6)``."""
        assert start is not None
        r, c = start
        events = []
        for i, action in enumerate(plan, 1):
            dr, dc = MOVE_DELTAS[action]
            r, c = r + dr, c + dc
            code = int(terrain[r, c])
            kind = self._names[code]
            if sem.collects[code]:
                events.append(f"collects {kind} at {(r, c)} after {i}")
            if sem.wins[code]:
                events.append(f"wins at {kind} {(r, c)}")
        moves = "".join(MOVES.names[a] for a in plan)
        return f"plan of {len(plan)} move{'s' * (len(plan) != 1)} {moves}: " + ", ".join(events)


def _search_graph(terrain: np.ndarray, sem: GridSemantics) -> nx.DiGraph:
    """The graph over (cell, inventory) nodes; node id = layer * H * W + row * W + col, and
    ``-1`` the sink every winning cell leads to."""
    h, w = terrain.shape
    hw = h * w
    layer_of = {inv: i for i, inv in enumerate(sem.inventories)}
    flat = terrain.ravel().astype(np.intp)
    idx = np.arange(hw).reshape(h, w)
    deadly = sem.kills[flat]
    winning = sem.wins[flat]
    collectable = [int(k) for k in np.flatnonzero(sem.collects)]
    graph = nx.DiGraph()
    sink = -1
    for layer, inv in enumerate(sem.inventories):
        open_ = ~sem.blocks[layer][flat] & ~deadly  # (H*W,) cells enterable in this layer
        base = layer * hw
        # Where entering a cell collects something new, the move changes layer.
        target_layer = np.full(hw, layer)
        for code in collectable:
            name = sem.names[code]
            if name not in inv:
                target_layer[flat == code] = layer_of.get(inv | {name}, layer)
        for dr, dc in MOVE_DELTAS:
            src = idx[max(0, -dr) : h - max(0, dr), max(0, -dc) : w - max(0, dc)].ravel()
            dst = src + dr * w + dc
            ok = open_[dst] & ~winning[src]  # nothing moves on from a winning cell
            src, dst = src[ok], dst[ok]
            graph.add_edges_from(
                zip((base + src).tolist(), (target_layer[dst] * hw + dst).tolist(), strict=True)
            )
        wins_here = np.flatnonzero(winning & open_)
        graph.add_edges_from((int(base + c), sink) for c in wins_here)
    return graph


def _plan_networkx(
    terrain: np.ndarray,
    start: tuple[int, int],
    held: frozenset[str],
    sem: GridSemantics,
    graph_of: Callable[[np.ndarray, GridSemantics], nx.DiGraph] | None = None,
) -> list[int] | None:
    """Shortest plan over (cell, inventory) nodes from ``start`` holding ``held``, on the graph
    ``graph_of(terrain, sem)`` gives (default: built anew)."""
    h, w = terrain.shape
    hw = h * w
    layer_of = {inv: i for i, inv in enumerate(sem.inventories)}
    graph = (graph_of or _search_graph)(terrain, sem)
    sink = -1
    first = layer_of.get(held, 0) * hw + start[0] * w + start[1]
    if first not in graph or sink not in graph:
        return None
    try:
        path = nx.bidirectional_shortest_path(graph, first, sink)[:-1]  # what shortest_path
        # calls for an unweighted graph, without its dispatch
    except nx.NetworkXNoPath:
        return None
    cells = [divmod(node % hw, w) for node in path]
    step_to_action = {delta: a for a, delta in enumerate(MOVE_DELTAS)}
    return [step_to_action[(r1 - r0, c1 - c0)] for (r0, c0), (r1, c1) in pairwise(cells)]

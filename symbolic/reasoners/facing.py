"""Planning for an agent with a heading, as in MiniGrid: it turns, steps forward into the cell
ahead, picks up what is ahead and toggles it. Prolog says what every kind means; a
breadth-first search in Python plans over (cell, heading, what is carried, changed cells).

The rules answer eight questions (see ``symbolic/rules/minigrid.pl``): what blocks, kills,
wins, can be carried and what toggling turns a kind into, and how headings turn and where the
cell ahead lies. A game's kinds are fixed and rules are pure, so every table is asked once per
reasoner, over every kind and every way of carrying, and kept. The plan of a decision is kept
too: while the scenes that follow are the ones it predicts, the next decisions take its next
actions without searching again.

The search never drops what it carries, and does not toggle boxes (what a box holds cannot be
seen): none of the MiniGrid ids this plays needs either.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import RuleSet
from symbolic.errors import MissionError, QueryError
from symbolic.missions import Goal, Mission
from symbolic.reasoner import Decision, Reasoner, stopped
from symbolic.reasoners.missions import MissionPlanner, follow
from symbolic.terms import Term, Var, conjunction

__all__ = ["FacingReasoner", "FacingTables"]

QUESTIONS = (
    "blocks/2",
    "kills/1",
    "wins/1",
    "carries/1",
    "toggles/3",
    "heading/2",
    "turns/3",
    "ahead/3",
)
PLANNED = ("left", "right", "forward", "pickup", "toggle")  # the actions the search uses
MAX_STATES = 400_000  # bounds one search to a few seconds


@dataclass(frozen=True)
class FacingTables:
    """Every answer the search needs, by kind index (``held``: -1 for empty hands)."""

    blocks: dict[int, np.ndarray]  # held -> (K,) bool
    kills: np.ndarray  # (K,) bool
    wins: np.ndarray  # (K,) bool
    carries: np.ndarray  # (K,) bool
    toggles: dict[tuple[int, int], int]  # (kind, held) -> kind after
    reveals: frozenset[int]  # kinds whose toggle shows what they hid (``unseen`` after)
    headings: tuple[str, ...]  # heading index -> name
    facing: dict[int, int]  # agent kind -> heading index
    turns: dict[tuple[str, int], int]  # (action, heading) -> heading
    ahead: tuple[tuple[int, int], ...]  # heading -> (drow, dcol)


class FacingReasoner(Reasoner):
    """Maps a Scene of a game with a heading agent to a Decision: a shortest plan to a winning
    cell, from rule tables asked once."""

    questions = QUESTIONS
    searches = ("python",)
    avoids_deadly = True

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        missing = [a for a in (*PLANNED, "drop", "done") if a not in game.actions.names]
        if missing or not game.agent_kinds:
            raise TypeError(f"the facing reasoner plays games with {PLANNED} actions, not {game}")
        super().__init__(rules, game, search)
        self._names = game.kind_names
        self._action = {name: game.actions.names.index(name) for name in game.actions.names}
        self._background = game.index(game.background)
        self._tables: FacingTables | None = None
        self._kept: list[tuple[Any, int]] = []  # (the state expected next, its action)
        self._kept_summary = ""
        self._start = 0  # the cell the kept plan started from
        self.last_states = 0
        self._planner: MissionPlanner | None = None
        self.reset()

    def probe(self) -> None:
        self._tables = None
        self.tables()

    # -- the rule tables ------------------------------------------------------------------------
    def deadly_kinds(self) -> frozenset[int]:
        return frozenset(int(k) for k in np.flatnonzero(self.tables().kills))

    def tables(self) -> FacingTables:
        if self._tables is None:
            self._tables = self._ask_tables()
        return self._tables

    def _ask_tables(self) -> FacingTables:
        names = list(self._names)
        index = {n: i for i, n in enumerate(names)}
        agents = [names[i] for i in self.game.agent_kinds]
        terrain = [n for n in names if n not in agents]
        k, h, i, a, d, dr, dc = (Var(v) for v in ("K", "H", "I", "A", "D", "DR", "DC"))

        def holding(question: str) -> np.ndarray:
            goal = conjunction(Term("member", k, terrain), Term(question, k))
            found = set(self.rules.ask(goal, k))
            return np.array([n in found for n in names])

        carries = holding("carries")
        hands = [[], *([n] for n in terrain if carries[index[n]])]
        held_of = lambda inv: index[inv[0]] if inv else -1  # noqa: E731
        goal = conjunction(
            Term("member", k, terrain), Term("member", i, hands), Term("blocks", k, i)
        )
        blocks = {held_of(inv): np.zeros(len(names), dtype=bool) for inv in hands}
        for kind, inv in self.rules.ask(goal, [k, i]):
            blocks[held_of(inv)][index[kind]] = True
        goal = conjunction(
            Term("member", k, terrain), Term("member", i, hands), Term("toggles", k, i, a)
        )
        toggles, reveals = {}, set()
        for kind, inv, after in self.rules.ask(goal, [k, i, a]):
            if after == "unseen":  # what it hid is seen only then: searched for, not planned
                reveals.add(index[kind])
                continue
            if after not in index:
                raise QueryError(f"toggles/3 turned {kind} into {after}, which is not a kind")
            toggles.setdefault((index[kind], held_of(inv)), index[after])
        facing_names = dict(
            self.rules.ask(conjunction(Term("member", k, agents), Term("heading", k, h)), [k, h])
        )
        if not facing_names:
            raise QueryError(f"heading/2 must give a heading for {' or '.join(agents)}")
        # The headings: those agent kinds show, and those turning leads to from them (an agent
        # kind with none is one the rules cannot say more of: rules learned from screens
        # that never showed it; a scene showing it cannot be planned).
        headings: list[str] = list(dict.fromkeys(facing_names.values()))
        answers: dict[tuple[str, str], str] = {}
        new = list(headings)
        while new:
            goal = conjunction(
                Term("member", a, ["left", "right"]),
                Term("member", h, new),
                Term("turns", a, h, d),
            )
            new = []
            for action, before, after in self.rules.ask(goal, [a, h, d]):
                if not isinstance(after, str):
                    raise QueryError(f"turns/3 turned {before} into {after}, which is no heading")
                answers.setdefault((action, before), after)
                if after not in headings and len(headings) < 16:
                    headings.append(after)
                    new.append(after)
        turns = {
            (action, headings.index(b)): headings.index(c) for (action, b), c in answers.items()
        }
        steps = dict(
            (hd, (r, c))
            for hd, r, c in self.rules.ask(
                conjunction(Term("member", h, list(headings)), Term("ahead", h, dr, dc)),
                [h, dr, dc],
            )
        )
        if len(turns) != 2 * len(headings) or set(steps) != set(headings):
            raise QueryError("turns/3 and ahead/3 must answer for every heading heading/2 gives")
        return FacingTables(
            blocks=blocks,
            kills=holding("kills"),
            wins=holding("wins"),
            carries=carries,
            toggles=toggles,
            reveals=frozenset(reveals),
            headings=tuple(headings),
            facing={index[n]: headings.index(hd) for n, hd in facing_names.items()},
            turns=turns,
            ahead=tuple(steps[hd] for hd in headings),
        )

    # -- deciding -------------------------------------------------------------------------------
    def reset(self) -> None:
        self._kept = []
        self._done: set[Goal] = set()  # the mission's goals done so far
        self._first: tuple[tuple[int, int], int] | None = None  # where the episode started

    def memory(self) -> tuple:
        return (tuple(self._kept), tuple(sorted(map(str, self._done))), self._first)

    def planner(self, unknown: int = -1) -> MissionPlanner:
        """The planner of missions other than reaching a cell that wins (needs a grammar)."""
        if self._planner is None or self._planner.unknown != unknown:
            assert self.grammar is not None
            self._planner = MissionPlanner(self.tables(), self.game, self.grammar, unknown)
        return self._planner

    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        tables = self.tables()
        try:
            mission = self.mission(scene)
        except MissionError as e:
            return stopped(self.game, str(e))
        if mission is not None and not mission.only_reach:
            return self._decide_mission(scene, mission, t0)
        try:
            state, terrain = self._state(scene, tables)
        except QueryError as e:  # an agent kind the rules give no heading for
            left = self._action["left"]
            return Decision(
                action=left,
                action_name="left",
                plan=(),
                summary=f"no plan: {e}; turning left instead",
                alternatives={},
                prolog_s=time.perf_counter() - t0,
                search_s=0.0,
            )
        t1 = time.perf_counter()
        if self._kept and self._kept[0][0] == self._seen(state, terrain):
            _, action = self._kept.pop(0)
            plan = [action, *(a for _, a in self._kept)]
            summary = self._kept_summary
            self.last_states = 0
        else:
            plan, summary = self._search(terrain, state, tables)
        t2 = time.perf_counter()
        names = self.game.actions.names
        if plan:
            action = plan[0]
        else:
            action = self._action["left"]  # turning never ends an episode
        why = self._why_not(terrain, state, tables, action, bool(plan))
        return Decision(
            action=action,
            action_name=names[action],
            plan=tuple(plan),
            summary=summary,
            alternatives=why,
            prolog_s=t1 - t0,
            search_s=t2 - t1,
        )

    def _decide_mission(self, scene: Scene, mission: Mission, t0: float) -> Decision:
        tables = self.tables()
        try:
            (_, heading, held, _), terrain = self._state(scene, tables)
        except QueryError as e:
            return stopped(self.game, str(e))
        assert scene.agent is not None
        if self._first is None:
            self._first = (scene.agent, heading)
        t1 = time.perf_counter()
        planned = self.planner().plan(
            terrain, scene.agent, heading, held, mission, self._done, self._first
        )
        decision = follow(self.game, planned, mission, self._done)
        return replace(decision, prolog_s=t1 - t0, search_s=time.perf_counter() - t1)

    def carried_after(self, scene: Scene, action: int) -> tuple[str, ...]:
        """What the agent carries after ``action`` in ``scene``, by the rules: a pickup with
        empty hands takes a kind ``carries/1`` allows; a drop onto an empty cell empties them."""
        tables = self.tables()
        try:
            (cell, heading, held, _), terrain = self._state(scene, tables)
        except QueryError:  # no heading for this agent kind: nothing can be said
            return scene.inventory
        ahead = self._ahead(cell, heading, terrain.shape, tables)
        kind = int(terrain.flat[ahead]) if ahead is not None else -1
        name = self.game.actions.names[action]
        if name == "pickup" and held < 0 and kind >= 0 and tables.carries[kind]:
            return (self._names[kind],)
        if name == "drop" and held >= 0 and kind == self._background:
            return ()
        return scene.inventory

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The next screen's kinds after ``action``, as the search plays it (the cell the agent
        leaves is -1: what lies under the agent is never shown); None if the step ends the
        episode. For checking rules (learned ones) against play; decisions do not use it."""
        tables = self.tables()
        (cell, heading, held, _), terrain = self._state(scene, tables)
        w = terrain.shape[1]
        ahead = self._ahead(cell, heading, terrain.shape, tables)
        kind = int(terrain.flat[ahead]) if ahead is not None else -1
        grid = terrain.copy()
        name = self.game.actions.names[action]
        agent_kind = {h: k for k, h in tables.facing.items()}
        if name in ("left", "right"):
            heading = tables.turns[(name, heading)]
        elif name == "forward" and kind >= 0 and not tables.blocks[held][kind]:
            if tables.wins[kind] or tables.kills[kind]:
                return None
            grid.flat[cell] = -1
            cell = ahead  # type: ignore[assignment]
        elif name == "pickup" and held < 0 and kind >= 0 and tables.carries[kind]:
            grid.flat[ahead] = self._background
        elif name == "toggle" and kind >= 0 and (kind, held) in tables.toggles:
            grid.flat[ahead] = tables.toggles[(kind, held)]
        elif name == "drop" and held >= 0 and kind == self._background:
            grid.flat[ahead] = held
        r, c = divmod(cell, w)
        grid[r, c] = agent_kind.get(heading, -1)  # -1: no agent kind shows that heading
        return grid

    def _state(self, scene: Scene, tables: FacingTables) -> tuple[Any, np.ndarray]:
        assert scene.agent is not None
        r, c = scene.agent
        terrain = scene.grid.copy()
        heading = tables.facing.get(int(terrain[r, c]))
        if heading is None:
            raise QueryError(f"the rules give no heading for {self._names[int(terrain[r, c])]}")
        terrain[r, c] = self._background
        held = self._names.index(scene.inventory[0]) if scene.inventory else -1
        return (r * terrain.shape[1] + c, heading, held, terrain.tobytes()), terrain

    def _ahead(
        self, cell: int, heading: int, shape: tuple[int, int], t: FacingTables
    ) -> int | None:
        h, w = shape
        dr, dc = t.ahead[heading]
        r, c = divmod(cell, w)
        r, c = r + dr, c + dc
        return r * w + c if 0 <= r < h and 0 <= c < w else None

    def _search(self, terrain: np.ndarray, start: Any, t: FacingTables) -> tuple[list[int], str]:
        """A shortest plan and what it does; keeps the plan's predicted states."""
        act = self._action
        shape = terrain.shape
        flat = terrain.ravel().tolist()
        first = (start[0], start[1], start[2], ())
        parent: dict[Any, Any] = {first: None}
        frontier = deque([first])
        won = None
        while frontier and won is None:
            state = frontier.popleft()
            cell, heading, held, changes = state
            ahead = self._ahead(cell, heading, shape, t)
            kind = flat[ahead] if ahead is not None else -1
            if changes and ahead is not None:
                kind = dict(changes).get(ahead, kind)
            moves = [
                ("left", (cell, t.turns[("left", heading)], held, changes)),
                ("right", (cell, t.turns[("right", heading)], held, changes)),
            ]
            if kind >= 0 and not t.blocks[held][kind]:
                if t.wins[kind]:
                    won = (state, act["forward"])
                    break
                if not t.kills[kind]:
                    moves.append(("forward", (ahead, heading, held, changes)))
            if kind >= 0 and held < 0 and t.carries[kind]:
                moves.append(
                    ("pickup", (cell, heading, kind, _set(changes, ahead, self._background)))
                )
            if kind >= 0 and (kind, held) in t.toggles:
                after = t.toggles[(kind, held)]
                moves.append(("toggle", (cell, heading, held, _set(changes, ahead, after))))
            for name, nxt in moves:
                if nxt not in parent:
                    parent[nxt] = (state, act[name])
                    frontier.append(nxt)
            if len(parent) > MAX_STATES:
                break
        self.last_states = len(parent)
        if won is None:
            if len(parent) > MAX_STATES:
                reason = f"the search gave up after {len(parent):,} states"
            elif t.wins[np.asarray(flat)].any():
                reason = "no winning cell can be reached under these rules"
            else:
                reason = "no cell wins under these rules"
            self._kept = []
            return [], f"no plan: {reason}; turning left instead"
        path = [won[0]]
        actions = [won[1]]
        while parent[path[-1]] is not None:
            prev, action = parent[path[-1]]
            path.append(prev)
            actions.append(action)
        path.reverse()
        actions.reverse()
        summary = self._describe(terrain, path, actions, t)
        # States after each action but the last, as decide() will see them.
        self._kept = []
        self._start = start[0]
        for state, action in zip(path[1:], actions[1:], strict=True):
            after = terrain.copy().ravel()
            for c, k in state[3]:
                after[c] = k
            self._kept.append((self._seen(state, after.reshape(terrain.shape)), action))
        self._kept_summary = summary
        return actions, summary

    def _seen(self, state: Any, terrain: np.ndarray) -> tuple[Any, ...]:
        """What of a state the screens show and the plan predicts: the agent, what it holds,
        and every cell but the one it stands on and the one it started the plan on (what lies
        under the agent is not shown, so the plan cannot know it)."""
        masked = terrain.copy().ravel()
        masked[[state[0], self._start]] = -1
        return (state[0], state[1], state[2], masked.tobytes())

    def _describe(
        self, terrain: np.ndarray, path: list[Any], actions: list[int], t: FacingTables
    ) -> str:
        """E.g. ``plan of 14 actions: picks up key_yellow at (2, 1), opens door_yellow_locked
        ... with toggle at (3, 2), wins at goal (3, 3)``."""
        w = terrain.shape[1]
        names = self.game.actions.names
        events = []
        for state, action in zip(path, actions, strict=True):
            cell, heading, held, changes = state
            ahead = self._ahead(cell, heading, terrain.shape, t)
            if ahead is None:
                continue
            kind = dict(changes).get(ahead, int(terrain.flat[ahead]))
            where = divmod(ahead, w)
            if names[action] == "pickup":
                events.append(f"picks up {self._names[kind]} at {where}")
            elif names[action] == "toggle":
                after = self._names[t.toggles[(kind, held)]]
                events.append(f"toggles {self._names[kind]} at {where} into {after}")
            elif names[action] == "forward" and t.wins[kind]:
                events.append(f"wins at {self._names[kind]} {where}")
        return (
            f"plan of {len(actions)} action{'s' * (len(actions) != 1)} "
            + " ".join(names[a] for a in actions[:12])
            + (" ..." if len(actions) > 12 else "")
            + ": "
            + ", ".join(events)
        )

    def _why_not(
        self, terrain: np.ndarray, state: Any, t: FacingTables, chosen: int, planned: bool
    ) -> dict[str, str]:
        names = self.game.actions.names
        cell, heading, held, _ = state
        ahead = self._ahead(cell, heading, terrain.shape, t)
        kind = int(terrain.flat[ahead]) if ahead is not None else -1
        kind_name = self._names[kind] if kind >= 0 else "the edge"
        where = divmod(ahead, terrain.shape[1]) if ahead is not None else None
        inv = f"[{self._names[held]}]" if held >= 0 else "[]"
        later = f"the shortest plan found starts with {names[chosen]}" if planned else "no plan"
        why = {}
        for action, name in enumerate(names):
            if action == chosen:
                continue
            if name == "forward" and kind >= 0 and t.blocks[held][kind]:
                why[name] = f"{kind_name} at {where} blocks: blocks({kind_name}, {inv})"
            elif name == "forward" and kind >= 0 and t.kills[kind]:
                why[name] = f"{kind_name} at {where} kills: kills({kind_name})"
            elif name == "pickup" and not (held < 0 and kind >= 0 and t.carries[kind]):
                why[name] = (
                    f"hands are full: {inv}" if held >= 0 else f"carries({kind_name}) does not hold"
                )
            elif name == "toggle" and (kind, held) not in t.toggles:
                why[name] = f"toggles({kind_name}, {inv}, _) has no answer"
            elif name in ("drop", "done"):
                why[name] = "no plan here needs it"
            else:
                why[name] = later
        return why


def _set(changes: tuple, cell: int, kind: int) -> tuple:
    """``changes`` (sorted (cell, kind) pairs) with ``cell`` now showing ``kind``."""
    return tuple(sorted({**dict(changes), cell: kind}.items()))

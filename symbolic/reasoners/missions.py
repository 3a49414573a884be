"""Planning a mission (go to, pick up, open, put next to; in stages) for an agent with a
heading, on a grid of kinds: a whole screen, or a map with cells not seen yet.

Every decision plans again from the grid. The current stage's goals are tried in turn, and
the one with the shortest route is taken; a route is a breadth-first search over (cell,
heading, doors opened on the way) with the rules' tables (what blocks, kills, wins, what
toggling a door turns it into). A goal that needs more first gets a step of its own: hands
that are full are emptied on a cell out of the way (``drop``); a locked door is opened with a
key the rules say opens it, fetched first. When no goal has a route, the agent explores, in
this order: the nearest cell not seen yet (through doors it can open); a locked door whose key
it has seen; a box no goal names (toggling a box shows what it hid, ``reveals``); an object
that stands in the way, picked up to be put down elsewhere.

What the mission names comes from the grammar's ``describes/2``, and "on your left" and the
like count only things in the room the agent started in (cells reached from its start cell
without crossing a kind that ``bounds/1`` says bounds a room, and those bounds).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from environments.spec import GameSpec
from symbolic.engine import RuleSet
from symbolic.missions import Goal, Mission, Thing
from symbolic.reasoner import Decision
from symbolic.terms import Term, Var, conjunction

__all__ = ["MissionPlanner", "Planned", "follow"]

if TYPE_CHECKING:
    from symbolic.reasoners.facing import FacingTables

MAX_STATES = 200_000
BLOCKERS = 8  # objects tried as the one in the way, nearest first


@dataclass(frozen=True)
class Planned:
    """The actions planned from here, what they are for, and the goal the first action
    completes (None: it does not complete one)."""

    actions: tuple[int, ...]
    summary: str
    completes: Goal | None = None
    drops: bool = False  # it starts by putting down what is held, for another purpose


@dataclass
class _Grid:
    """One decision's grid: kinds by flat cell (the agent's cell as the background)."""

    kinds: list[int]
    h: int
    w: int
    cell: int
    heading: int
    held: int
    start: tuple[int, int]  # the agent's first cell this episode, and its first heading


class MissionPlanner:
    """The next action towards a mission, on a grid of a game's kinds (see the module)."""

    def __init__(
        self, tables: FacingTables, game: GameSpec, grammar: RuleSet, unknown: int = -1
    ) -> None:
        self.t = tables
        self.game = game
        self.grammar = grammar
        self.unknown = unknown  # the kind of a cell not seen yet (-1: the grid has none)
        self.names = game.kind_names
        self.background = game.index(game.background)
        self.act = {name: i for i, name in enumerate(game.actions.names)}
        terrain = [n for i, n in enumerate(self.names) if i not in game.agent_kinds]
        k = Var("K")
        asked = self.grammar.ask(conjunction(Term("member", k, terrain), Term("bounds", k)), k)
        self.bounds = frozenset(self.names.index(n) for n in asked)
        self.doors = self.kinds(Thing("door"))
        self.boxes = self.kinds(Thing("box"))

    def door_like(self, kind: int, locked: bool) -> int | None:
        """The door of ``kind``'s colour (by the grammar) that blocks and that the rules open
        with empty hands (``locked`` False) or only with a key (True); None if ``kind`` is no
        door. For a door that did not do what the kind it was read as does."""
        if kind not in self.doors:
            return None
        c = Var("C")
        for colour in self.grammar.ask(Term("colour", c), c):
            same = self.kinds(Thing("door", colour))
            if kind not in same:
                continue
            for door in sorted(same):
                after = self.t.toggles.get((door, -1))
                if self.t.blocks[-1][door] and locked == (after is None or not self._passes(after)):
                    return door
        return None

    @cache  # noqa: B019  (one planner per reasoner; the grammar's answers never change)
    def kinds(self, thing: Thing) -> frozenset[int]:
        """The kinds a thing can be, by the grammar's ``describes/2``."""
        k = Var("K")
        term = Term("thing", thing.type, thing.colour, thing.where)
        found = self.grammar.ask(Term("describes", term, k), k)
        return frozenset(self.names.index(n) for n in found if n in self.names)

    # -- one decision -----------------------------------------------------------------------
    def plan(
        self,
        grid: np.ndarray,
        agent: tuple[int, int],
        heading: int,
        held: int,
        mission: Mission,
        done: set[Goal],
        start: tuple[tuple[int, int], int],
        under: int | None = None,
    ) -> Planned:
        """The next actions from ``agent`` facing ``heading`` holding ``held`` (-1: nothing)
        on ``grid``, towards the first stage of ``mission`` with goals not in ``done``
        (``under``: the kind of the agent's cell, if known; else the background)."""
        flat = grid.astype(int).ravel().tolist()
        w = grid.shape[1]
        cell = agent[0] * w + agent[1]
        flat[cell] = self.background if under is None else under  # what the agent stands on
        (sr, sc), sh = start
        g = _Grid(flat, grid.shape[0], w, cell, heading, held, (sr * w + sc, sh))
        if all(x in done for x in mission.goals):  # the episode goes on: a goal was not done
            done.clear()
        at = next(i for i, s in enumerate(mission.stages) if any(x not in done for x in s))
        stage = mission.stages[at]
        later = {x for s in mission.stages[at + 1 :] for x in s}
        avoid = frozenset(
            c
            for x in later
            if x.verb == "open" and x.thing is not None
            for c in self._cells(g, x.thing)
        )
        wanted = " and ".join(str(x) for x in stage if x not in done)
        for keep_shut in (avoid, frozenset()):  # doors opened later, passed only if need be
            options = [
                (p.drops, len(p.actions), i, p)
                for i, x in enumerate(stage)
                if x not in done
                and not self._takes_away(x, stage, done)
                and (p := self._goal(g, x, keep_shut))
            ]
            if options:
                return min(options)[-1]
            if self.unknown >= 0 and (route := self._unseen(g, keep_shut)):
                return Planned(tuple(route), f"exploring for {wanted}: the nearest cell not seen")
        named = {k for x in mission.goals for t in (x.thing, x.other) if t for k in self.kinds(t)}
        return self._explore(g, frozenset(), named, stage, wanted, done)

    def _takes_away(self, goal: Goal, stage: tuple[Goal, ...], done: set[Goal]) -> bool:
        """Whether doing ``goal`` picks up a thing another goal of the stage still names (it
        waits for that one: "pick up the ball and put the box next to the ball")."""
        if goal.verb != "pickup" or goal.thing is None:
            return False
        mine = self.kinds(goal.thing)
        return any(
            mine & self.kinds(t)
            for x in stage
            if x != goal and x not in done
            for t in (x.thing, x.other)
            if t is not None
        )

    def _unseen(self, g: _Grid, avoid: frozenset[int]) -> list[int] | None:
        """A route to face the nearest cell not seen yet."""
        return self._route(g, lambda c, k: k == self.unknown, avoid)

    # -- goals ------------------------------------------------------------------------------
    def _goal(self, g: _Grid, goal: Goal, avoid: frozenset[int]) -> Planned | None:
        t, act, what = self.t, self.act, str(goal)
        if goal.verb == "reach":
            route = self._route(g, lambda c, k: t.wins[k], avoid)
            return self._planned(route, act["forward"], f"{what}", goal)
        assert goal.thing is not None
        cells = self._cells(g, goal.thing)
        if goal.verb == "goto":
            route = self._route(g, lambda c, k: c in cells, avoid)
            return self._planned(route, act["done"], what, goal)
        if goal.verb == "pickup":
            return self._take(g, cells, avoid, what, goal)
        if goal.verb == "open":
            shut = [c for c in cells if self._shut(g, c)]
            if shut or not cells:
                return self._open(g, shut, avoid, what, goal)
            route = self._route(g, lambda c, k: c in cells, avoid)  # open: close it first
            return self._planned(
                route, act["toggle"], f"{what}: it is open, so first close it", None
            )
        # put: carry the thing, then drop it on a free cell next to the other (once seen)
        assert goal.other is not None
        near = set(self._cells(g, goal.other))
        spots = {c for n in near for c in self._around(g, n) if g.kinds[c] == self.background}
        route = self._route(g, lambda c, k: c in spots, avoid)
        if route is None:  # nowhere known to put it yet: find the other first
            return None
        if g.held in self.kinds(goal.thing):
            return self._planned(route, act["drop"], what, goal)
        return self._take(g, cells, avoid, f"{what}: first pick it up", None)

    def _take(
        self, g: _Grid, cells: Iterable[int], avoid: frozenset[int], what: str, goal: Goal | None
    ) -> Planned | None:
        """Pick up what is in one of ``cells``, first putting down what is held, if a route
        leads there."""
        cells = set(cells)
        route = self._route(g, lambda c, k: c in cells, avoid)
        if route is None:
            return None
        if g.held >= 0 and self.act["toggle"] in route:  # what is held opens the way there
            return self._planned(route, self.act["pickup"], f"{what}: first open the way", None)
        if g.held >= 0:
            return self._drop(g, avoid, f"to {what}", cells)
        return self._planned(route, self.act["pickup"], what, goal)

    def _open(
        self, g: _Grid, doors: list[int], avoid: frozenset[int], what: str, goal: Goal | None
    ) -> Planned | None:
        """Toggle one of ``doors`` open, with the key in hand that the rules say opens it."""
        t, act = self.t, self.act
        doors = [d for d in doors if self._route(g, lambda c, k, d=d: c == d, avoid) is not None]
        if not doors:
            return None  # none can be faced: a key would not help
        opens = {
            d: {h for (k, h), after in t.toggles.items() if k == g.kinds[d] and self._passes(after)}
            for d in doors
        }
        ready = {d for d in doors if g.held in opens[d]}
        if ready:
            route = self._route(g, lambda c, k: c in ready, avoid - ready)
            if (found := self._planned(route, act["toggle"], what, goal)) is not None:
                return found
        keys = {h for d in doors for h in opens[d] if h >= 0}
        if not keys or not any(g.kinds[c] in keys for c in range(len(g.kinds))):
            return None
        route = self._route(g, lambda c, k: k in keys, avoid)
        if route is None:
            return None
        key = self.names[g.kinds[self._ahead_after(g, route)]]
        return self._take(
            g, [self._ahead_after(g, route)], avoid, f"{what}: first fetch {key}", None
        )

    def _drop(
        self, g: _Grid, avoid: frozenset[int], why: str, keep: set[int] | None = None
    ) -> Planned | None:
        """Put what is held down on the nearest cell out of the way; where there is none
        (a narrow level), on a near free cell that leaves ``keep`` within reach."""
        route = self._route(g, self._out_of_the_way(g), avoid)
        if route is None and keep:
            r0, c0 = divmod(g.cell, g.w)
            near = sorted(
                (abs(c // g.w - r0) + abs(c % g.w - c0), c)
                for c, k in enumerate(g.kinds)
                if k == self.background and c != g.cell
            )
            for _, cell in near[:BLOCKERS]:
                kinds = list(g.kinds)
                kinds[cell] = g.held
                after = _Grid(kinds, g.h, g.w, g.cell, g.heading, -1, g.start)
                if self._route(after, lambda c, k: c in keep, avoid) is not None:
                    route = self._route(g, lambda c, k, x=cell: c == x, avoid)
                    if route is not None:
                        break
        found = self._planned(route, self.act["drop"], f"drop {self.names[g.held]} {why}", None)
        return None if found is None else replace(found, drops=True)

    # -- exploring --------------------------------------------------------------------------
    def _explore(
        self,
        g: _Grid,
        avoid: frozenset[int],
        named: set[int],
        stage: tuple[Goal, ...],
        wanted: str,
        done: set[Goal],
    ) -> Planned:
        """When no goal and no cell not seen has a route (see the module)."""
        locked = [c for c in self._locked(g) if c not in avoid]
        if locked and (found := self._open(g, locked, avoid, "a locked door", None)):
            return Planned(found.actions, f"exploring for {wanted}: open {found.summary}")
        # A box may hide the key of a locked door whose key is nowhere to be seen.
        keys = {
            h
            for (k, h), _ in self.t.toggles.items()
            if h >= 0 and k in {g.kinds[c] for c in locked}
        }
        hidden = bool(locked) and g.held not in keys and not keys & set(g.kinds)
        boxes = {c for c, k in enumerate(g.kinds) if k in self.boxes and k not in named}
        if boxes and hidden and self.t.reveals:
            if g.held >= 0:
                found = self._drop(g, avoid, "to look inside a box")
            else:
                route = self._route(g, lambda c, k: c in boxes, avoid)
                found = self._planned(route, self.act["toggle"], "look inside a box", None)
            if found is not None:
                return Planned(found.actions, f"exploring for {wanted}: {found.summary}")
        wants = {
            k
            for x in stage
            if x not in done
            for t in (x.thing, x.other)
            if t
            for k in self.kinds(t)
        }
        pending = tuple(x for x in stage if x not in done)
        if (found := self._unblock(g, avoid, wants, pending)) is not None:
            return Planned(found.actions, f"exploring for {wanted}: {found.summary}")
        return Planned((), f"no plan for {wanted}: nothing left to explore")

    def _unblock(
        self, g: _Grid, avoid: frozenset[int], named: set[int], stage: tuple[Goal, ...]
    ) -> Planned | None:
        """Pick up the nearest object whose cell, were it free, opens a route; else the
        nearest whose cell, were it free, lets the agent reach more cells (one of two in a
        row)."""
        t = self.t
        r0, c0 = divmod(g.cell, g.w)
        objects = sorted(
            (abs(r - r0) + abs(c - c0), i)
            for i, k in enumerate(g.kinds)
            if k >= 0 and t.carries[k] and k not in named
            for r, c in [divmod(i, g.w)]
        )[:BLOCKERS]
        reached = len(self._reached(g, avoid))
        for helps in (self._opens_up, lambda c, a, s: len(self._reached(c, a)) > reached + 1):
            for _, cell in objects:
                if self._route(g, lambda c, k, x=cell: c == x, avoid) is None:
                    continue
                kinds = list(g.kinds)
                kinds[cell] = self.background
                held = g.held if g.held >= 0 else g.kinds[cell]  # picked up, it is held
                cleared = _Grid(kinds, g.h, g.w, g.cell, g.heading, held, g.start)
                if not helps(cleared, avoid, stage):
                    continue
                if g.held >= 0:
                    return self._drop(g, avoid, "to move what is in the way")
                route = self._route(g, lambda c, k, x=cell: c == x, avoid)
                what = f"move {self.names[g.kinds[cell]]} out of the way"
                return self._planned(route, self.act["pickup"], what, None)
        return None

    def _reached(self, g: _Grid, avoid: frozenset[int]) -> set[int]:
        """The cells the agent can stand on (opening the doors it can on the way)."""
        blocks = self.t.blocks[g.held]
        seen, frontier = {g.cell}, [g.cell]
        while frontier:
            for c in self._around(g, frontier.pop()):
                k = g.kinds[c]
                if c in seen or k < 0 or k == self.unknown or self.t.kills[k]:
                    continue
                opens = k in self.doors and c not in avoid and (k, g.held) in self.t.toggles
                if not blocks[k] or (opens and self._passes(self.t.toggles[(k, g.held)])):
                    seen.add(c)
                    frontier.append(c)
        return seen

    def _opens_up(self, g: _Grid, avoid: frozenset[int], stage: tuple[Goal, ...]) -> bool:
        """Whether a thing a goal names, a cell not seen, or a locked door with its key on
        the grid or in hand, can be faced on ``g``."""
        empty = replace(g, held=-1)  # once the thing in the way is put down elsewhere
        if any((p := self._goal(empty, x, avoid)) and not p.drops for x in stage):
            return True
        if self.unknown >= 0 and self._unseen(g, avoid):
            return True
        openers = {
            c
            for c in self._locked(g)
            if any(h == g.held or h in g.kinds for (k, h) in self.t.toggles if k == g.kinds[c])
        }
        return bool(openers) and self._route(g, lambda c, k: c in openers, avoid) is not None

    def _locked(self, g: _Grid) -> list[int]:
        """The doors that open only with a key in hand."""
        shut = [c for c, k in enumerate(g.kinds) if k in self.doors and self._shut(g, c)]
        return [c for c in shut if not self._opens_without_key(g, c)]

    # -- routes -----------------------------------------------------------------------------
    def _route(
        self, g: _Grid, accept: Callable[[int, int], bool], avoid: frozenset[int]
    ) -> list[int] | None:
        """The shortest actions after which the cell ahead is one ``accept(cell, kind)``
        takes, turning, stepping forward and opening doors on the way (not those in
        ``avoid``); None if there is none."""
        t, act = self.t, self.act
        blocks = t.blocks[g.held]
        first = (g.cell, g.heading, ())
        parent: dict[tuple, tuple | None] = {first: None}
        frontier = deque([first])
        while frontier:
            state = frontier.popleft()
            cell, heading, opened = state
            ahead = self._step(g, cell, heading)
            kind = -1 if ahead is None else dict(opened).get(ahead, g.kinds[ahead])
            if ahead is not None and kind >= 0 and accept(ahead, kind):
                return _unwind(parent, state)
            moves = [
                (act["left"], (cell, t.turns[("left", heading)], opened)),
                (act["right"], (cell, t.turns[("right", heading)], opened)),
            ]
            if ahead is not None and kind >= 0 and kind != self.unknown:
                if not blocks[kind] and not t.kills[kind] and not t.wins[kind]:
                    moves.append((act["forward"], (ahead, heading, opened)))
                after = t.toggles.get((kind, g.held))
                if kind in self.doors and ahead not in avoid and after is not None:
                    if self._passes(after, g.held):
                        changed = tuple(sorted({**dict(opened), ahead: after}.items()))
                        moves.append((act["toggle"], (cell, heading, changed)))
            for action, nxt in moves:
                if nxt not in parent:
                    parent[nxt] = (state, action)
                    frontier.append(nxt)
            if len(parent) > MAX_STATES:
                return None
        return None

    def _planned(
        self, route: list[int] | None, final: int, what: str, goal: Goal | None
    ) -> Planned | None:
        if route is None:
            return None
        actions = (*route, final)
        names = self.game.actions.names
        shown = " ".join(names[a] for a in actions[:10]) + (" ..." if len(actions) > 10 else "")
        return Planned(
            actions, f"{what}: {len(actions)} actions ({shown})", goal if not route else None
        )

    # -- the grid ---------------------------------------------------------------------------
    def _step(self, g: _Grid, cell: int, heading: int) -> int | None:
        dr, dc = self.t.ahead[heading]
        r, c = divmod(cell, g.w)
        r, c = r + dr, c + dc
        return r * g.w + c if 0 <= r < g.h and 0 <= c < g.w else None

    def _ahead_after(self, g: _Grid, route: list[int]) -> int:
        """The cell ahead after ``route`` from the agent's state."""
        t, names = self.t, self.game.actions.names
        cell, heading = g.cell, g.heading
        for a in route:
            if names[a] in ("left", "right"):
                heading = t.turns[(names[a], heading)]
            elif names[a] == "forward":
                cell = self._step(g, cell, heading) or cell
        return self._step(g, cell, heading) or cell

    def _around(self, g: _Grid, cell: int) -> Iterable[int]:
        r, c = divmod(cell, g.w)
        for dr, dc in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            if 0 <= r + dr < g.h and 0 <= c + dc < g.w:
                yield (r + dr) * g.w + c + dc

    def _passes(self, kind: int, held: int = -1) -> bool:
        return not self.t.blocks[held][kind]

    def _shut(self, g: _Grid, cell: int) -> bool:
        return not self._passes(g.kinds[cell])

    def _opens_without_key(self, g: _Grid, cell: int) -> bool:
        after = self.t.toggles.get((g.kinds[cell], -1))
        return after is not None and self._passes(after)

    def _out_of_the_way(self, g: _Grid) -> Callable[[int, int], bool]:
        """Whether a free cell is one where something put down is in nobody's way: it touches
        only walls and free cells (no door, object or unseen cell), and the free cells around
        it still reach one another without it. Asked of the cells a route meets, nearest
        first, and remembered."""
        blocks = self.t.blocks[-1]
        plain = (self.background, *(self.bounds - self.doors))
        known: dict[int, bool] = {}

        def free(cell: int, kind: int) -> bool:
            if kind != self.background:
                return False
            if cell not in known:
                near = list(self._around(g, cell))
                open_ = [c for c in near if g.kinds[c] == self.background]
                known[cell] = all(g.kinds[c] in plain for c in near) and self._joined(
                    g, open_, cell, blocks
                )
            return known[cell]

        return free

    def _joined(self, g: _Grid, cells: list[int], without: int, blocks: np.ndarray) -> bool:
        """Whether ``cells`` reach one another through cells that do not block, ``without``
        (a search of at most 400 cells)."""
        if len(cells) < 2:
            return True
        seen, frontier = {cells[0], without}, [cells[0]]
        while frontier and len(seen) < 400:
            for c in self._around(g, frontier.pop()):
                k = g.kinds[c]
                if c not in seen and k >= 0 and k != self.unknown and not blocks[k]:
                    seen.add(c)
                    frontier.append(c)
        return all(c in seen for c in cells[1:])

    def _cells(self, g: _Grid, thing: Thing) -> list[int]:
        """The cells showing ``thing``; for one named by where it lies, only those in the
        room the agent started in, on that side of where it started."""
        kinds = self.kinds(thing)
        cells = [c for c, k in enumerate(g.kinds) if k in kinds]
        if thing.where == "any":
            return cells
        room = self._room(g)
        cell, heading = g.start
        r0, c0 = divmod(cell, g.w)
        fr, fc = self.t.ahead[heading]
        rr, rc = self.t.ahead[self.t.turns[("right", heading)]]
        sides = {
            "front": lambda dr, dc: dr * fr + dc * fc > 0,
            "behind": lambda dr, dc: dr * fr + dc * fc < 0,
            "right": lambda dr, dc: dr * rr + dc * rc > 0,
            "left": lambda dr, dc: dr * rr + dc * rc < 0,
        }
        side = sides[thing.where]
        return [c for c in cells if c in room and side(c // g.w - r0, c % g.w - c0)]

    def _room(self, g: _Grid) -> set[int]:
        """The start room: cells reached from the start cell through known cells that do not
        bound a room, and the cells bounding them. The agent's own cell (which may be a
        doorway: what lies under the agent is not shown) is not crossed."""
        inside = {g.start[0]}
        frontier = [g.start[0]]
        while frontier:
            cell = frontier.pop()
            for c in self._around(g, cell):
                k = g.kinds[c]
                if c in inside or c == g.cell:
                    continue
                if k >= 0 and k != self.unknown and k not in self.bounds:
                    inside.add(c)
                    frontier.append(c)
        edge = set()
        for cell in inside:
            r, c = divmod(cell, g.w)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    if 0 <= r + dr < g.h and 0 <= c + dc < g.w:
                        edge.add((r + dr) * g.w + c + dc)
        return inside | edge


def follow(game: GameSpec, planned: Planned, mission: Mission, done: set[Goal]) -> Decision:
    """The decision to take the first of ``planned``'s actions (turning left if there are
    none); the goal it completes joins ``done``."""
    if planned.completes is not None:
        done.add(planned.completes)
    names = game.actions.names
    action = planned.actions[0] if planned.actions else names.index("left")
    left = [str(g) for s in mission.stages for g in s if g not in done]
    return Decision(
        action=action,
        action_name=names[action],
        plan=planned.actions,
        summary=f"mission: {mission}; {planned.summary}"
        + (f" (left to do: {'; '.join(left)})" if left else " (the last goal)"),
    )


def _unwind(parent: dict[tuple, tuple | None], state: tuple) -> list[int]:
    actions = []
    while (step := parent[state]) is not None:
        state, action = step
        actions.append(action)
    return actions[::-1]

"""Planning from an egocentric view, as MiniGrid's agents see: a map kept as the agent goes.

Each decision gets one view: the cells ahead of the agent, the agent shown facing the view's
way, cells out of sight shown as ``unseen``. Nothing says where the agent is. The reasoner
keeps its pose in a frame of its own (where it started, facing the way it first faced) by
dead reckoning from its own actions and the rules: a turn turns it (``turns/3``); ``forward``
moves it one cell (``ahead/3``) only into a cell the map holds and ``blocks/2`` lets it enter;
``pickup`` and ``toggle`` change the cell ahead as ``carries/1`` and ``toggles/3`` say. Every
cell a view shows is written into the map; the rest stay unknown.

It then plans, with :class:`~symbolic.reasoners.facing.FacingReasoner`'s search, over the map
with unknown cells blocking: to a cell the rules say wins, if the map shows a way; else to the
nearest unknown cell (through doors the rules open, with keys the map shows), as if unknown
cells won. A cell is seen before it is entered (the cell ahead is always in view), so an
unknown cell is never stepped into: it is seen, and the plan is made again.

A view that contradicts the map is believed, and the map rewritten. When a view after a
``forward`` matches the map from where the agent stood and not from where the rules moved it,
the agent did not move: if the cell ahead still shows the kind the rules let it enter, the rules
(or the reading of that cell) are wrong about what blocks, and the decision stops the episode
(``Decision.stop``) with one line saying where, rather than walk into it until time runs out; if
it now shows another kind, the map held a misread cell, and is mended.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace

import numpy as np

from environments.core import Scene
from environments.spec import GameSpec
from symbolic.engine import RuleSet
from symbolic.errors import MissionError, QueryError
from symbolic.missions import Goal
from symbolic.reasoner import Decision, Reasoner, stopped
from symbolic.reasoners.facing import QUESTIONS, FacingReasoner, FacingTables
from symbolic.reasoners.missions import MissionPlanner, follow

__all__ = ["MappingReasoner"]

Cell = tuple[int, int]
UNKNOWN = "unseen"  # the kind a view shows for a cell out of sight, and the map for one unknown


def _turned(offset: Cell, quarter_turns: int) -> Cell:
    """``offset`` (row, column) turned clockwise on the screen ``quarter_turns`` times."""
    dr, dc = offset
    for _ in range(quarter_turns % 4):
        dr, dc = dc, -dr
    return dr, dc


class MappingReasoner(Reasoner):
    """Egocentric view → map by dead reckoning → a plan to the goal, or to the nearest unknown
    cell while none is known. Keeps the map between decisions (``reset`` forgets it)."""

    questions = QUESTIONS
    searches = ("python",)
    avoids_deadly = False  # perception's doubts do not carry over between views; the map's do
    remembers = True
    assumptions = (
        "the view is drawn in the agent's own frame: where the agent's cell is and which way "
        "it faces on the screen orient every cell of the view",
        "the agent's pose is dead-reckoned from its own actions by the rules, from a start "
        "cell it stands on (read as the background)",
        "a cell not seen yet blocks a plan; while the map shows no way to a cell that wins, "
        "the agent goes to see the nearest cell not seen yet",
        "a cell seen again is as it is seen now (the map is mended)",
    )

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        if UNKNOWN not in game.kind_names:
            raise TypeError(
                f"the mapping reasoner plays views with an {UNKNOWN!r} kind, not {game}"
            )
        super().__init__(rules, game, search)
        self._to_goal = FacingReasoner(rules, game, search)
        self._to_unknown = FacingReasoner(rules, game, search)
        self._unknown = game.index(UNKNOWN)
        self._background = game.index(game.background)
        self._action = {name: i for i, name in enumerate(game.actions.names)}
        self._planner: MissionPlanner | None = None
        self.reset()

    def probe(self) -> None:
        self._to_goal.probe()
        self._to_unknown = self._to_goal.fork()  # the same tables
        ahead = self.tables().ahead
        if not all(any(_turned(ahead[0], k) == step for k in range(4)) for step in ahead):
            raise QueryError(
                "ahead/3 must give headings a quarter turn apart from one another (a view "
                f"turns with the agent), not {', '.join(map(str, ahead))}"
            )

    def tables(self) -> FacingTables:
        return self._to_goal.tables()

    def planner(self) -> MissionPlanner:
        """The planner of missions other than reaching a cell that wins, on the map."""
        if self._planner is None:
            assert self.grammar is not None
            self._planner = MissionPlanner(self.tables(), self.game, self.grammar, self._unknown)
        return self._planner

    # -- memory -----------------------------------------------------------------------------------
    def reset(self) -> None:
        self._map: dict[Cell, int] = {}
        self._pose: Cell = (0, 0)
        self._heading = -1  # -1: no view seen yet this episode
        self._held = -1
        self._pending: int | None = None  # the action decided last, not yet applied
        self._done: set[Goal] = set()  # the mission's goals done so far
        self._doubted: dict[Cell, tuple[int, int]] = {}  # cell -> (read as, turned out to be)
        self._first = -1  # the heading of the first view: the map's own
        self._to_goal = self._to_goal.fork()
        self._to_unknown = self._to_unknown.fork()

    def memory(self) -> Hashable:
        done = tuple(sorted(map(str, self._done)))
        return (self._pose, self._heading, self._held, tuple(sorted(self._map.items())), done)

    def carried_after(self, scene: Scene, action: int) -> tuple[str, ...]:
        held = self._held
        name = self.game.actions.names[action]
        if self._heading >= 0 and name in ("pickup", "drop"):
            _, held, _ = self._after(name)
        return () if held < 0 else (self.game.kind_names[held],)

    # -- dead reckoning ---------------------------------------------------------------------------
    def _ahead(self) -> Cell:
        dr, dc = self.tables().ahead[self._heading]
        return self._pose[0] + dr, self._pose[1] + dc

    def _after(self, name: str) -> tuple[Cell, int, dict[Cell, int]]:
        """Where the agent stands, what it holds and which cells change after ``name``, by the
        rules and the map."""
        t = self.tables()
        ahead = self._ahead()
        kind = self._map.get(ahead, self._unknown)
        pose, held, changes = self._pose, self._held, {}
        if name == "forward" and kind != self._unknown and not t.blocks[held][kind]:
            pose = ahead
        elif name == "pickup" and held < 0 and t.carries[kind]:
            held, changes = kind, {ahead: self._background}
        elif name == "toggle" and (kind, held) in t.toggles:
            changes = {ahead: t.toggles[(kind, held)]}
        elif name == "drop" and held >= 0 and kind == self._background:
            held, changes = -1, {ahead: held}
        return pose, held, changes

    def _apply(self, name: str, view: Scene, h0: int) -> str:
        """Play the last action on the pose and the map; check the new view against it.
        Returns why the episode cannot go on, or ""."""
        t = self.tables()
        if name in ("left", "right"):
            self._heading = t.turns[(name, self._heading)]
            return ""
        before, ahead = self._pose, self._ahead()
        read = self._map.get(ahead)
        self._pose, self._held, changes = self._after(name)
        self._map.update(changes)
        if name == "toggle" and changes and self._placed(view, h0, before).get(ahead) == read:
            self._misread(ahead, read, locked=True)  # it did not open: it is locked
            return ""
        if self._pose == before or not self._disagree(view, h0, self._pose):
            return ""
        if self._disagree(view, h0, before):
            return ""  # neither fits: a misread view; it is believed where the rules put it
        # The view fits where the agent stood: it did not move. If the cell ahead looks as it
        # did, the rules were wrong about it; if not, the map was (a misread), and is mended.
        self._pose = before
        kind = self._map[self._ahead()]
        if self._placed(view, h0, before).get(self._ahead()) != kind:
            return ""
        if self._misread(self._ahead(), kind, locked=False):
            return ""  # a door read as open that is shut: mended, to be opened
        name = self.game.kind_names[kind]
        inv = f"[{self.game.kind_names[self._held]}]" if self._held >= 0 else "[]"
        return (
            f"the map and the screen disagree after forward into {name} at {self._ahead()} "
            f"of the map (rows down, columns right of where the agent started): the rules say "
            f"{name} does not block (blocks({name}, {inv}) fails), but the screen shows the "
            "agent did not move; the rules, or the reading of that cell, are wrong"
        )

    def _placed(self, view: Scene, h0: int, pose: Cell) -> dict[Cell, int]:
        """The view's cells (not the agent's own, not unseen ones) where they lie on the map
        if the agent stands at ``pose`` facing the map's heading."""
        t = self.tables()
        turns = next(k for k in range(4) if _turned(t.ahead[h0], k) == t.ahead[self._heading])
        assert view.agent is not None
        ar, ac = view.agent
        placed = {}
        for (r, c), kind in np.ndenumerate(view.grid):
            if int(kind) == self._unknown or (r, c) == (ar, ac):
                continue
            dr, dc = _turned((r - ar, c - ac), turns)
            placed[(pose[0] + dr, pose[1] + dc)] = int(kind)
        return placed

    def _disagree(self, view: Scene, h0: int, pose: Cell) -> int:
        """How many cells the map holds that the view, seen from ``pose``, shows otherwise."""
        placed = self._placed(view, h0, pose)
        return sum(1 for cell, kind in placed.items() if self._map.get(cell, kind) != kind)

    def _misread(self, cell: Cell, read: int | None, locked: bool) -> bool:
        """A door read as ``read`` that did not do what the rules say ``read`` does: it is
        the shut (``locked``: locked) door of its colour, whenever it is read as ``read``
        again. False if ``read`` is no door (or there is no grammar to say its colour)."""
        if read is None or self.grammar is None:
            return False
        door = self.planner().door_like(read, locked)
        if door is None or door == read:
            return False
        self._map[cell] = door
        self._doubted[cell] = (read, door)
        return True

    def _look(self, view: Scene, h0: int) -> None:
        placed = self._placed(view, h0, self._pose)
        for cell, (read, door) in list(self._doubted.items()):
            if placed.get(cell, read) == read:
                placed[cell] = door  # read as before: still the door it turned out to be
            else:
                del self._doubted[cell]  # it changed (opened): read it afresh
        self._map.update(placed)
        self._map.setdefault(self._pose, self._background)  # it stands there: it can

    # -- deciding ---------------------------------------------------------------------------------
    def decide(self, scene: Scene) -> Decision:
        t = self.tables()
        assert scene.agent is not None
        h0 = t.facing.get(int(scene.grid[scene.agent]))
        if h0 is None:
            return self._to_goal.decide(scene)  # says the rules give no heading, turns left
        stop = ""
        if self._heading < 0:
            self._heading = self._first = h0
        elif self._pending is not None:
            stop = self._apply(self.game.actions.names[self._pending], scene, h0)
        self._look(scene, h0)
        belief = self.belief()
        if stop:
            done = self._action["done"]
            return Decision(done, "done", (), f"stopped: {stop}", belief=belief, stop=stop)
        try:
            mission = self.mission(scene)
        except MissionError as e:
            return replace(stopped(self.game, str(e)), belief=belief)
        if mission is not None and not mission.only_reach:
            origin = (belief.agent[0] - self._pose[0], belief.agent[1] - self._pose[1])
            planned = self.planner().plan(
                belief.grid, belief.agent, self._heading, self._held, mission, self._done,
                (origin, self._first), self._map.get(self._pose),
            )  # fmt: skip
            decision = follow(self.game, planned, mission, self._done)
        else:
            decision = self._plan(belief)
        self._pending = decision.action
        return replace(decision, belief=belief)

    def belief(self) -> Scene:
        """The map as a scene: every cell known so far, unknown ones ``unseen``, the agent
        where dead reckoning puts it, facing its heading, holding what it picked up."""
        t = self.tables()
        cells = [*self._map, self._pose]
        top = min(r for r, _ in cells) - 1
        left = min(c for _, c in cells) - 1
        h = max(r for r, _ in cells) - top + 2
        w = max(c for _, c in cells) - left + 2
        grid = np.full((h, w), self._unknown, dtype=np.int8)
        for (r, c), kind in self._map.items():
            grid[r - top, c - left] = kind
        agent = (self._pose[0] - top, self._pose[1] - left)
        shows = {heading: kind for kind, heading in t.facing.items()}
        grid[agent] = shows[self._heading]
        held = () if self._held < 0 else (self.game.kind_names[self._held],)
        return Scene(self.game, grid, agent, held)

    def _plan(self, belief: Scene) -> Decision:
        t = self.tables()
        goal = None
        if t.wins[belief.grid].any():
            goal = self._to_goal.decide(belief)
            if goal.plan:
                return replace(goal, summary=f"to the goal: {goal.summary}")
        wins = int(np.flatnonzero(t.wins)[0])
        hidden = belief.grid == self._unknown
        grid = np.where(hidden, wins, belief.grid).astype(np.int8)
        look = self._to_unknown.decide(Scene(self.game, grid, belief.agent, belief.inventory))
        if not look.plan:
            why = goal.summary if goal is not None else "no cell the rules say wins is known"
            return replace(look, summary=f"{why}; and no unknown cell can be reached")
        known = "" if goal is None else " (the goal is known, but no way to it yet)"
        return replace(
            look,
            summary=f"exploring{known}: {len(look.plan)} actions to see the nearest unknown "
            f"cell ({' '.join(self.game.actions.names[a] for a in look.plan[:8])}"
            f"{' ...' if len(look.plan) > 8 else ''})",
        )

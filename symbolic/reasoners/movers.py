"""Planning for an agent game whose other pieces move by rule: Prolog says what each kind means
and where each mover heads, a breadth-first search in Python plays the moves out.

The rules fill in these conventions, which are the same in every game this reasoner plays:

- The agent moves first. A move off the grid, or into a cell whose kind ``blocks/2``, leaves it
  in place (the step counts). Entering a cell whose kind ``kills/1`` loses; one whose kind
  ``wins/1`` wins, before anything else moves.
- Then every mover (a kind for which ``moves/5`` has an answer) moves once, one at a time in
  reading order of the positions before moving, each seeing those already moved: to the first
  of its ``moves/5`` targets that is on the grid and free, i.e. shows a kind the mover
  ``enters/2`` (a cell holding another mover is never free, one kind shows per cell); else it
  stays. A mover that enters the agent's cell kills it. The cell it leaves shows the background.

One decision asks the rules one question (what blocks, kills and wins, for the kinds on the
screen). The ``moves/5`` table of a kind is asked one mover cell at a time, over every agent
cell, the first time the search needs that cell, and kept (rules are pure): the whole table,
every (position, agent) pair, grows as the square of the cells. Its ``enters/2`` table is one
query, asked once. The search
runs over states (agent cell, movers' cells and kinds); with no mover it is the plain BFS over
cells. It is bounded in depth and states, so that a decision never hangs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from environments.core import Scene, unwind
from environments.spec import MOVE_DELTAS, MOVES, GameSpec
from symbolic.engine import RuleSet
from symbolic.errors import QueryError
from symbolic.reasoner import Decision
from symbolic.reasoners.grid import GridReasoner, GridSemantics
from symbolic.terms import Term, Var, conjunction, position, show

__all__ = ["Board", "MoveRows", "MoverReasoner"]

QUESTIONS = ("blocks/2", "kills/1", "wins/1", "moves/5", "enters/2")
MEANINGS = QUESTIONS[:3]  # asked of every kind on the screen, once per decision
GOING, WON, LOST = range(3)

Movers = tuple[tuple[int, int], ...]  # (cell, kind) sorted by cell; a cell is r * W + c


class MoveRows:
    """A mover kind's ``moves/5`` table on one board size, ``rows[cell * H * W + agent]``: the
    row of a mover cell (its targets for every agent cell) is asked in one query the first
    time it is needed, and kept (rules are pure)."""

    def __init__(self, ask_row: Callable[[int], list[tuple[int, ...]]], cells: int) -> None:
        self._ask_row, self._cells = ask_row, cells
        self._rows: dict[int, list[tuple[int, ...]]] = {}

    def __getitem__(self, index: int) -> tuple[int, ...]:
        cell, agent = divmod(index, self._cells)
        row = self._rows.get(cell)
        if row is None:
            row = self._rows[cell] = self._ask_row(cell)
        return row[agent]

    @property
    def asked(self) -> int:
        """Mover cells whose row has been asked."""
        return len(self._rows)


@dataclass(frozen=True)
class Board:
    """What the search knows about one screen, as flat lists (cells r * W + c, kind codes)."""

    height: int
    width: int
    ground: list[int]  # the kind of each cell without the agent and the movers
    blocks: list[bool]  # by kind code
    kills: list[bool]
    wins: list[bool]
    agent_kind: int
    moves: dict[int, MoveRows]  # mover kind -> targets, by cell * H * W + agent
    enters: dict[int, frozenset[int]]  # mover kind -> the kinds it may step into
    after: list[tuple[int, ...]]  # cell -> the cell each action leads to (itself: off the grid)

    def advance(self, agent: int, movers: Movers, action: int) -> tuple[int, Movers, int, Any]:
        """One step: ``(agent, movers, status, detail)``; ``detail`` says what won or killed:
        ``(cell, kind)`` entered by the agent, or ``(from, kind, to)`` of a mover."""
        at = dict(movers)
        to = self.after[agent][action]
        kind = at.get(to, self.ground[to])
        if to != agent and not self.blocks[kind]:
            agent = to
            if self.kills[kind]:
                return agent, movers, LOST, (to, kind)
            if self.wins[kind]:
                return agent, movers, WON, (to, kind)
        cells = self.height * self.width
        for cell, mover in movers:
            for target in self.moves[mover][cell * cells + agent]:
                shows = self.agent_kind if target == agent else self.ground[target]
                if target not in at and shows in self.enters[mover]:
                    del at[cell]
                    at[target] = mover
                    if target == agent:
                        return agent, tuple(sorted(at.items())), LOST, (cell, mover, target)
                    break
        return agent, tuple(sorted(at.items())), GOING, None

    def search(
        self, agent: int, movers: Movers, max_depth: int, max_states: int
    ) -> tuple[list[int] | None, int]:
        """A shortest winning plan (None if there is none within the bounds) and how many
        states the breadth-first search visited."""
        start = (agent, movers)
        parent: dict[Any, Any] = {start: None}
        frontier = [start]
        for _ in range(max_depth):
            nxt = []
            for state in frontier:
                for action in range(len(MOVE_DELTAS)):
                    a, m, status, _ = self.advance(*state, action)
                    child = (a, m)
                    if status == WON:  # (the won state may be one seen before: a move
                        # that wins without moving the agent; its parent is left as it was)
                        return [*unwind(parent, state), action], len(parent) + 1
                    if status == GOING and child not in parent:
                        parent[child] = (state, action)
                        nxt.append(child)
                if len(parent) > max_states:
                    return None, len(parent)
            frontier = nxt
            if not frontier:
                break
        return None, len(parent)


class MoverReasoner(GridReasoner):
    """Maps a Scene of an agent game with moving pieces to a Decision: rule tables, then a
    shortest plan that plays the movers' moves out. It reads scenes and explains forbidden
    moves as the grid reasoner does (``terrain``, ``verdicts``)."""

    questions = QUESTIONS
    searches = ("python",)
    predicts = True
    # Bounds one search to about 3 s, so that a decision never hangs. The hardest generated
    # PacMaze level measured (Moving-12x12, 8 enemies, 1 in 300) needs 140,000 states.
    max_states = 250_000

    def __init__(self, rules: RuleSet, game: GameSpec, search: str | None = None) -> None:
        super().__init__(rules, game, search)
        self._moves: dict[tuple[int, int, str], list[tuple[int, ...]] | None] = {}
        self._rows: dict[tuple[int, int, str], MoveRows] = {}
        self._enters: dict[str, frozenset[int]] = {}
        self.last_states = 0  # states the last search visited

    def probe(self) -> None:
        kinds = [k.name for i, k in enumerate(self.game.kinds) if i not in self.game.agent_kinds]
        self.rules.semantics(kinds, [], MEANINGS)
        for name in kinds:
            self.move_table(3, 3, name)
            self.enters_table(name)

    # -- the rule tables --------------------------------------------------------------------
    def _ask_semantics(self, codes: list[int], held: list[str]) -> GridSemantics:
        """What blocks, kills and wins, for every kind of ``codes`` (one Prolog call)."""
        (table,) = self.rules.semantics([self._names[k] for k in codes], held, MEANINGS)
        n = len(self._names)
        holds = {q: np.zeros(n, dtype=bool) for q in ("blocks", "kills", "wins", "collects")}
        for code in codes:
            for question in table.kinds[self._names[code]]:
                holds[question][code] = True
        return GridSemantics(
            names=self._names,
            inventories=[table.inventory],
            blocks=holds["blocks"][None],
            kills=holds["kills"],
            collects=holds["collects"],  # never: this reasoner does not ask collects/1
            wins=holds["wins"],
        )

    def deadly_kinds(self) -> frozenset[int]:
        """The deadly kinds that never move (a mover is where the screen shows it)."""
        deadly = super().deadly_kinds()
        return frozenset(k for k in deadly if self.move_table(3, 3, self._names[k]) is None)

    def meaning(self, kind: int, sem: GridSemantics) -> tuple | None:
        """What the rules say of ``kind``, with where it moves and what it may enter."""
        base = super().meaning(kind, sem)
        if base is None:
            return None
        name = self._names[kind]
        moves = self.move_table(3, 3, name)
        return (*base, None if moves is None else tuple(moves), self.enters_table(name))

    def move_table(self, height: int, width: int, kind: str) -> list[tuple[int, ...]] | None:
        """Where a ``kind`` at each cell heads for each agent cell (targets on the grid, in
        order of preference), by ``cell * H * W + agent``; None if it never moves. One query
        over every pair: for comparing laws on small boards (the search asks by rows)."""
        key = (height, width, kind)
        if key not in self._moves:
            table = self._ask_moves(height, width, kind)
            self._moves[key] = table if any(table) else None
        return self._moves[key]

    def move_rows(self, height: int, width: int, kind: str) -> MoveRows | None:
        """The same table, asked one mover cell at a time when the search first needs it;
        None if ``kind`` moves nowhere on a 3x3 board (a kind that never moves, as
        :meth:`deadly_kinds` takes it). The whole table has ``(H * W)^2`` entries, 1M at
        32x32, more than one query may take; a search needs the rows of the cells its movers
        reach."""
        if self.move_table(3, 3, kind) is None:
            return None
        key = (height, width, kind)
        if key not in self._rows:
            self._rows[key] = MoveRows(
                lambda cell: self._ask_row(height, width, kind, cell), height * width
            )
        return self._rows[key]

    def _ask_row(self, height: int, width: int, kind: str, cell: int) -> list[tuple[int, ...]]:
        """One mover cell's row: its targets on the grid for every agent cell, as cell
        indices computed in Prolog (the 3x3 table has checked the targets' form)."""
        ar, ac, tr, tc, agent, target = (Var(v) for v in ("AR", "AC", "TR", "TC", "A", "T"))
        goal = conjunction(
            Term("between", 0, height - 1, ar),
            Term("between", 0, width - 1, ac),
            Term(
                "moves",
                kind,
                Term("-", cell // width, cell % width),
                Term("-", ar, ac),
                Term("-", height, width),
                Term("-", tr, tc),
            ),
            Term("integer", tr),
            Term("integer", tc),
            Term("between", 0, height - 1, tr),
            Term("between", 0, width - 1, tc),
            Term("is", agent, Term("+", Term("*", ar, width), ac)),
            Term("is", target, Term("+", Term("*", tr, width), tc)),
        )
        row: list[list[int]] = [[] for _ in range(height * width)]
        for a, t in self.rules.ask(goal, [agent, target]):
            row[a].append(t)
        return [tuple(t) for t in row]

    def _ask_moves(self, height: int, width: int, kind: str) -> list[tuple[int, ...]]:
        """``moves/5`` of ``kind`` on a ``height x width`` board, every (cell, agent) pair in
        one query, each target checked to be a Row-Col."""
        r, c, ar, ac, target = (Var(v) for v in ("R", "C", "AR", "AC", "T"))
        pos, agent, size = (Term("-", *p) for p in ((r, c), (ar, ac), (height, width)))
        goal = conjunction(
            Term("between", 0, height - 1, r),
            Term("between", 0, width - 1, c),
            Term("between", 0, height - 1, ar),
            Term("between", 0, width - 1, ac),
            Term("moves", kind, pos, agent, size, target),
        )
        cells = height * width
        table: list[list[int]] = [[] for _ in range(cells * cells)]
        for r0, c0, r1, c1, answer in self.rules.ask(goal, [r, c, ar, ac, target]):
            at = position(answer)
            if at is None:
                raise QueryError(f"moves/5 of {kind} gave the target {show(answer)}, not Row-Col")
            if 0 <= at[0] < height and 0 <= at[1] < width:
                table[(r0 * width + c0) * cells + r1 * width + c1].append(at[0] * width + at[1])
        return [tuple(t) for t in table]

    def enters_table(self, mover: str) -> frozenset[int]:
        """The kinds a ``mover`` may step into."""
        if mover not in self._enters:
            k = Var("K")
            goal = conjunction(Term("member", k, list(self._names)), Term("enters", mover, k))
            self._enters[mover] = frozenset(self._names.index(n) for n in self.rules.ask(goal, k))
        return self._enters[mover]

    def board(self, scene: Scene, terrain: np.ndarray, sem: GridSemantics) -> tuple[Board, Movers]:
        """The search's view of ``scene``: its Board and the movers on it."""
        h, w = terrain.shape
        moves = {
            code: table
            for code in map(int, np.unique(terrain))
            if (table := self.move_rows(h, w, self._names[code])) is not None
        }
        flat = terrain.ravel()
        moving = np.isin(flat, list(moves))
        movers = tuple((int(cell), int(flat[cell])) for cell in np.flatnonzero(moving))
        ground = np.where(moving, self._background, flat)
        after = [
            tuple(
                (r + dr) * w + c + dc if 0 <= r + dr < h and 0 <= c + dc < w else r * w + c
                for dr, dc in MOVE_DELTAS
            )
            for r in range(h)
            for c in range(w)
        ]
        assert scene.agent is not None
        board = Board(
            height=h,
            width=w,
            ground=ground.tolist(),
            blocks=sem.blocks[0].tolist(),
            kills=sem.kills.tolist(),
            wins=sem.wins.tolist(),
            agent_kind=int(scene.grid[scene.agent]),
            moves=moves,
            enters={code: self.enters_table(self._names[code]) for code in moves},
            after=after,
        )
        return board, movers

    def predict(self, scene: Scene, action: int) -> np.ndarray | None:
        """The next screen's kinds after ``action``: the agent's move, then every mover's, as
        the search plays them; None if the step wins or loses."""
        terrain, held = self.terrain(scene)
        board, movers = self.board(scene, terrain, self.semantics(terrain, held))
        assert scene.agent is not None
        start = scene.agent[0] * board.width + scene.agent[1]
        agent, movers, status, _ = board.advance(start, movers, action)
        if status != GOING:
            return None
        grid = np.array(board.ground, dtype=np.int64)
        for cell, kind in movers:
            grid[cell] = kind
        grid[agent] = board.agent_kind
        return grid.reshape(board.height, board.width)

    # -- deciding -----------------------------------------------------------------------------
    def decide(self, scene: Scene) -> Decision:
        t0 = time.perf_counter()
        terrain, held = self.terrain(scene)
        sem = self.semantics(terrain, held)
        board, movers = self.board(scene, terrain, sem)
        t1 = time.perf_counter()
        assert scene.agent is not None
        start = scene.agent[0] * board.width + scene.agent[1]
        depth = 4 * board.height * board.width
        plan, self.last_states = None, 0
        if sem.wins.any():
            plan, self.last_states = board.search(start, movers, depth, self.max_states)
        t2 = time.perf_counter()
        outcomes = [board.advance(start, movers, a) for a in range(len(MOVES.names))]
        if plan:
            action, summary = plan[0], self._describe(board, start, movers, plan)
        else:
            safe = [a for a, out in enumerate(outcomes) if out[2] != LOST]
            safe.sort(key=lambda a: outcomes[a][0] == start)  # a move that stays comes last
            action, plan = (safe[0] if safe else 0), []
            if not sem.wins.any():
                reason = "no cell wins under these rules"
            elif self.last_states > self.max_states:
                reason = f"the search gave up after {self.last_states} states"
            else:
                reason = "no winning cell can be reached under these rules"
            fallback = "moving to a safe cell instead" if safe else "every move loses"
            summary = f"no plan: {reason}; {fallback}"
        verdicts = self.verdicts(scene, terrain, held, sem)
        why = {
            MOVES.names[a]: self._why_not(board, out, verdicts.get(a), MOVES.names[action], plan)
            for a, out in enumerate(outcomes)
            if a != action
        }
        return Decision(
            action=action,
            action_name=MOVES.names[action],
            plan=tuple(plan),
            summary=summary,
            alternatives=why,
            prolog_s=t1 - t0,
            search_s=t2 - t1,
        )

    def _why_not(
        self,
        board: Board,
        outcome: tuple[int, Movers, int, Any],
        verdict: str | None,
        chosen: str,
        plan: list[int],
    ) -> str:
        """Why a move was not taken: what kills or blocks it (the grid reasoner's verdict), the
        mover that would step onto the agent, or that the plan starts otherwise."""
        agent, _, status, detail = outcome
        if status == LOST and len(detail) == 3:
            return self._caught(board, detail, agent)
        if verdict is not None and verdict != "off the grid":
            return verdict
        place = "off the grid, stays in place" if verdict else "safe"
        return f"{place}, but the shortest plan found starts with {chosen}" if plan else place

    def _caught(self, board: Board, detail: tuple[int, int, int], agent: int) -> str:
        """E.g. ``a ghost at (1, 2) moves onto the agent next: moves(ghost, 1-2, ...)``."""
        w = board.width
        (r, c), (ar, ac) = divmod(detail[0], w), divmod(agent, w)
        kind, (tr, tc) = self._names[detail[1]], divmod(detail[2], w)
        size = f"{board.height}-{w}"
        return (
            f"a {kind} at {(r, c)} moves onto the agent next: "
            f"moves({kind}, {r}-{c}, {ar}-{ac}, {size}, {tr}-{tc})"
        )

    def _describe(self, board: Board, start: int, movers: Movers, plan: list[int]) -> str:
        """E.g. ``plan of 7 moves EESSWEE: dodges 2 ghosts, waits 1, wins at flag (4, 4)``."""
        events = []
        if movers:
            counts = Counter(self._names[k] for _, k in movers)
            dodged = (f"{n} {kind}{'s' * (n != 1)}" for kind, n in counts.items())
            events.append("dodges " + ", ".join(dodged))
        agent, waits, detail = start, 0, None
        for action in plan:
            nxt, movers, _, detail = board.advance(agent, movers, action)
            waits += nxt == agent
            agent = nxt
        if waits:
            events.append(f"waits {waits}")
        if detail is not None:
            cell, kind = detail[:2]
            events.append(f"wins at {self._names[kind]} {divmod(cell, board.width)}")
        moves = "".join(MOVES.names[a] for a in plan)
        return f"plan of {len(plan)} move{'s' * (len(plan) != 1)} {moves}: " + ", ".join(events)

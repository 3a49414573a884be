"""MiniGrid: Farama's grid worlds, fully observed from MiniGrid's own RGB screen, as one game.

## Description
Any MiniGrid id whose level is made of walls, floors, doors (any colour; open, closed or
locked), keys, balls and boxes, lava and a goal, and whose environment class keeps MiniGrid's
own ``step`` (so nothing moves but the agent, and reaching the goal is the only way to win),
plays as this game: ``MiniGrid-DoorKey-5x5-v0``, ``MiniGrid-LavaCrossingS9N1-v0``, ... MiniGrid
generates the levels; this class wraps the environment, draws MiniGrid's full screen and reads
its true grid. An id that breaks these conditions (Dynamic-Obstacles moves balls, Unlock is won
by opening a door, KeyCorridor by picking up a ball, ...) is refused when made, with the reason.

## Action Space
``Discrete(7)``, MiniGrid's: ``left=0, right=1`` turn, ``forward=2`` steps into the cell ahead
if it can be entered, ``pickup=3`` picks up the key, ball or box ahead (hands empty),
``drop=4`` puts what is carried into the empty cell ahead, ``toggle=5`` opens or closes the door
ahead (a locked one opens only with the key of its colour, which stays in hand), ``done=6``
does nothing.

## Observation
MiniGrid's fully observed RGB screen, as its ``RGBImgObsWrapper`` draws it: ``(H * tile, W *
tile, 3)`` ``uint8`` with ``tile=8``, the agent a triangle pointing where it faces and the cells
it can see lightened. The screen does not show what the agent carries. ``info["scene"]`` holds
the true :class:`~environments.core.Scene`: the grid of kinds from MiniGrid's grid, the agent's
cell showing its heading, and what it carries as the inventory.

## Rewards
MiniGrid's: ``1 - 0.9 * steps / max_steps`` on reaching the goal; 0 otherwise.

## Termination
Terminated on reaching the goal (``info["success"]`` is True) or entering lava; truncated after
MiniGrid's ``max_steps`` for the id (e.g. 250 for DoorKey-5x5).

## Views
``view="full"`` (the default) is the screen above. ``view="egocentric"`` is what MiniGrid's users
train on: its ``RGBImgPartialObsWrapper`` image, the ``view_size`` x ``view_size`` cells ahead of
the agent (7, MiniGrid's ``agent_view_size``), the agent at the bottom centre facing up, cells
behind walls and closed doors unseen (drawn dark), what it carries drawn under it. It is its own
game specification, :data:`EGOCENTRIC` (``minigrid-egocentric``): MiniGrid's kinds plus
``unseen``, the same rules, and a reasoner that maps as it goes
(:class:`symbolic.reasoners.mapping.MappingReasoner`). Its ``info["scene"]`` is the view's
kinds; levels, their keys and the exact expert are the whole grid's.

## Registered Configurations
``neurocomp/MiniGrid-{DoorKey-5x5,DoorKey-8x8,LavaCrossingS9N1,SimpleCrossingS9N1,LavaGapS5}-v0``,
and any other MiniGrid id that qualifies, under its own name. Keywords: ``env_id``, ``view``,
``view_size``, ``tile``, ``max_steps``, ``render_mode``.
"""

from __future__ import annotations

import hashlib
import warnings
from collections import deque
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import gymnasium as gym
import numpy as np

from environments.core import GridGame, Scene, unwind
from environments.errors import (
    InvalidVariantError,
    UnsolvableLevelError,
    clip,
)
from environments.minigrid_experts import bot_plan, quiet
from environments.minigrid_ids import SUITES, family, make_inner, on_mission, playable, split_name
from environments.spec import Actions, GameSpec, KindSpec, Split, Variant

with warnings.catch_warnings():  # MiniGrid registers a few deprecated ids on import
    warnings.simplefilter("ignore")
    import minigrid  # noqa: F401  (registers MiniGrid's ids with Gymnasium)
    from minigrid.core.constants import (
        COLOR_NAMES,
        COLORS,
        DIR_TO_VEC,
        IDX_TO_COLOR,
        IDX_TO_OBJECT,
    )
    from minigrid.core.grid import Grid
    from minigrid.core.world_object import Door, Key, WorldObj
    from minigrid.minigrid_env import MiniGridEnv

__all__ = ["EGOCENTRIC", "MINIGRID", "VIEWS", "MiniGridGame"]

COLOURS = ("red", "green", "blue", "purple", "yellow", "grey")
assert sorted(COLOURS) == sorted(COLOR_NAMES)
HEADINGS = ("east", "south", "west", "north")  # MiniGrid's agent_dir 0..3
FACING = ((0, 1), (1, 0), (0, -1), (-1, 0))  # each heading as a (row, column) step
DEVELOPMENT = ("DoorKey-5x5", "DoorKey-8x8", "LavaCrossingS9N1", "SimpleCrossingS9N1", "LavaGapS5")


def _kinds() -> tuple[KindSpec, ...]:
    kinds = [
        KindSpec("empty", ".", None, doc="nothing: the agent can walk here"),
        KindSpec("wall", "#", None, doc="a wall: blocks the way"),
        KindSpec("floor", ",", None, doc="a coloured floor tile: the agent can walk here"),
        KindSpec("lava", "~", None, doc="lava: entering it loses"),
        KindSpec("goal", "*", None, doc="the goal: entering it wins"),
    ]
    for i, colour in enumerate(COLOURS):
        held = "picked up from the cell ahead and carried; blocks the way"
        kinds += [
            KindSpec(f"key_{colour}", "rgbpye"[i], None, doc=f"a {colour} key: {held}"),
            KindSpec(f"ball_{colour}", "RGBPYE"[i], None, doc=f"a {colour} ball: {held}"),
            KindSpec(
                f"box_{colour}",
                "123456"[i],
                None,
                doc=f"a {colour} box: {held}; toggling opens it, and it is gone: what it held "
                "(a key, or nothing) is then seen in its cell",
            ),
            KindSpec(
                f"door_{colour}_open",
                "hijklm"[i],
                None,
                doc=f"an open {colour} door: the agent passes; toggling closes it",
            ),
            KindSpec(
                f"door_{colour}_closed",
                "HIJKLM"[i],
                None,
                doc=f"a closed {colour} door: blocks the way; toggling opens it",
            ),
            KindSpec(
                f"door_{colour}_locked",
                "STUVWX"[i],
                None,
                doc=f"a locked {colour} door: toggling opens it while carrying the {colour} key",
            ),
        ]
    kinds += [
        KindSpec(f"agent_{h}", ">v<^"[i], None, holds=(), doc=f"the agent, facing {h}", facing=step)
        for i, (h, step) in enumerate(zip(HEADINGS, FACING, strict=True))
    ]
    return tuple(kinds)


MINIGRID = GameSpec(
    name="minigrid",
    title="MiniGrid",
    summary="Farama's MiniGrid ids (DoorKey, crossings, LavaGap, ...) from MiniGrid's own screen",
    entry_point="environments.farama_minigrid:MiniGridGame",
    kinds=_kinds(),
    actions=Actions(
        ("left", "right", "forward", "pickup", "drop", "toggle", "done"), symmetry="egocentric"
    ),
    palettes={"default": {}},  # MiniGrid draws its own screen
    reasoner="symbolic.reasoners.facing:FacingReasoner",
    decoder="one-agent",
    background="empty",
    hidden_inventory=True,
    coloured_kinds=True,
    colours={name: tuple(int(v) for v in COLORS[name]) for name in COLOURS},
    adopts=("MiniGrid-", "BabyAI-"),
    bench=("DoorKey-5x5", "DoorKey-8x8"),
    variants=tuple(Variant(s, {"env_id": f"MiniGrid-{s}-v0"}, s) for s in DEVELOPMENT),
    views={"egocentric": "environments.farama_minigrid:EGOCENTRIC"},
    grammar="missions.pl",
)
# The egocentric view: the same kinds plus the cells out of sight, the same rules, a reasoner
# that keeps a map. The view shows no whole state (cut_loops off) and turns with the agent
# (no symmetry of the board is a symmetry of the view).
EGOCENTRIC = replace(
    MINIGRID,
    name="minigrid-egocentric",
    summary="MiniGrid ids seen as MiniGrid's agents see them: 7x7 cells ahead, walls hide",
    kinds=(
        *MINIGRID.kinds,
        KindSpec("unseen", "?", None, doc="out of sight: behind a wall or a closed door"),
    ),
    actions=replace(MINIGRID.actions, symmetry=""),
    reasoner="symbolic.reasoners.mapping:MappingReasoner",
    rules="minigrid.pl",
    cut_loops=False,
    views={},
)
VIEWS = ("full", "egocentric")
NAMES = MINIGRID.kind_names
UNSEEN = EGOCENTRIC.index("unseen")
INDEX = {name: i for i, name in enumerate(NAMES)}
AGENT = [INDEX[f"agent_{h}"] for h in HEADINGS]
LEFT, RIGHT, FORWARD, PICKUP, DROP, TOGGLE, DONE = range(7)


# -- kinds <-> MiniGrid objects ---------------------------------------------------------------
def kind_of(obj: WorldObj | None) -> str:
    """The kind a MiniGrid object shows as (None: an empty cell)."""
    if obj is None:
        return "empty"
    if obj.type in ("wall", "floor", "lava", "goal"):
        return obj.type
    if obj.type == "door":
        state = "open" if obj.is_open else "locked" if obj.is_locked else "closed"
        return f"door_{obj.color}_{state}"
    if obj.type in ("key", "ball", "box"):
        return f"{obj.type}_{obj.color}"
    raise InvalidVariantError(f"MiniGrid object {obj.type!r} is not a kind of this game")


def object_of(kind: str) -> WorldObj | None:
    """A fresh MiniGrid object for a kind (None: empty)."""
    if kind == "empty":
        return None
    parts = kind.split("_")
    type_idx = {v: k for k, v in IDX_TO_OBJECT.items()}[parts[0]]
    colour = parts[1] if len(parts) > 1 else "grey"
    if parts[0] == "goal":
        colour = "green"
    elif parts[0] == "lava":
        colour = "red"
    color_idx = {v: k for k, v in IDX_TO_COLOR.items()}[colour]
    state = {"open": 0, "closed": 1, "locked": 2}.get(parts[2], 0) if len(parts) > 2 else 0
    return WorldObj.decode(type_idx, color_idx, state)


def _semantics() -> SimpleNamespace:
    """What MiniGrid's own objects say of each kind: the simulator's knowledge, which the
    expert uses; the reasoner reads the rules instead."""
    n = len(NAMES)
    enter, pick, kills, wins = (np.zeros(n, dtype=bool) for _ in range(4))
    toggled: dict[tuple[int, int], int] = {}  # (kind, carried kind or -1) -> kind after
    for i, name in enumerate(NAMES):
        if name.startswith("agent_"):
            continue
        obj = object_of(name)
        enter[i] = obj is None or obj.can_overlap()
        pick[i] = obj is not None and obj.can_pickup()
        kills[i] = obj is not None and obj.type == "lava"
        wins[i] = obj is not None and obj.type == "goal"
        if isinstance(obj, Door):
            for carried in [-1, *(INDEX[f"key_{c}"] for c in COLOURS)]:
                door = object_of(name)
                env = SimpleNamespace(carrying=Key(NAMES[carried][4:]) if carried >= 0 else None)
                if door.toggle(env, (0, 0)):
                    toggled[(i, carried)] = INDEX[kind_of(door)]
    return SimpleNamespace(enter=enter, pick=pick, kills=kills, wins=wins, toggled=toggled)


SEMANTICS = _semantics()
MAX_EXPERT_STATES = 2_000_000


class MiniGridGame(GridGame):
    """A MiniGrid id, fully observed from MiniGrid's RGB screen, with its true grid as the scene."""

    game = MINIGRID

    def __init__(
        self,
        env_id: str = "MiniGrid-DoorKey-5x5-v0",
        *,
        max_steps: int | None = None,
        view: str = "full",
        view_size: int = 7,
        **kwargs: Any,
    ) -> None:
        if view not in VIEWS:
            raise InvalidVariantError(f"view must be one of {', '.join(VIEWS)}, not {clip(view)}")
        if not isinstance(view_size, int | np.integer) or view_size < 3 or view_size % 2 == 0:
            raise InvalidVariantError(
                f"view_size must be an odd number of cells, 3 or more (MiniGrid's default is "
                f"7), not {clip(view_size)}: the agent sits at the centre of the view's last row"
            )
        self.env_id, self.view, self.view_size = str(env_id), view, int(view_size)
        self._inner = make_inner(self.env_id, max_steps)
        self._inner.agent_view_size = self.view_size
        self.on_mission = on_mission(self.env_id)  # won by its mission, not a goal square
        try:
            with quiet():
                self._inner.reset(seed=0)  # refuse, now, a level this game cannot hold
        except gym.error.DependencyNotInstalled as e:
            raise InvalidVariantError(
                f"{self.env_id} cannot be made here: {e} (Neurocomp does not install it; "
                "install it into the project's virtualenv to play this id)"
            ) from None
        _check_objects(self.env_id, self._inner, goal=not self.on_mission)
        if view == "egocentric":
            self.game = EGOCENTRIC  # type: ignore[misc]  # this instance's game
            shape = (self.view_size, self.view_size)
        else:
            shape = (self._inner.height, self._inner.width)
        # BabyAI sets each level's step limit when it makes the level (see ``_reset_inner``).
        super().__init__(*shape, max_steps=self._inner.max_steps, **kwargs)

    def eval_splits(self) -> list[Split]:
        """In distribution, then every larger or harder id of the same family (DoorKey-5x5:
        DoorKey-6x6, -8x8, -16x16), as MiniGrid registers them, seen the same way."""
        mine, numbers = family(self.env_id)
        harder = sorted(
            (n, i)
            for i in gym.registry
            if i.startswith(SUITES)
            and (f := family(i))[0] == mine
            and (n := f[1]) > numbers
            and playable(i) is None
        )
        seen: dict[str, int | str] = {}
        if self.view != "full":
            seen = {"view": self.view}
            if self.view_size != 7:
                seen["view_size"] = self.view_size
        return [Split("in-distribution"), *(Split(split_name(i), i, seen) for _, i in harder)]

    # -- levels --------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        gym.Env.reset(self, seed=seed)
        self._steps, self._done = 0, False
        self._reset_inner(seed)  # the same level as MiniGrid's own env with this seed
        level = (options or {}).get("level")
        if level is not None:
            self._load_level(str(level))
        else:
            _check_objects(self.env_id, self._inner, goal=not self.on_mission)
        return self._frame(), self._info()

    def peek_level(self, seed: int) -> str:
        gym.Env.reset(self, seed=seed)
        self._reset_inner(seed)
        return self.level_key()

    def _reset_inner(self, seed: int | None) -> None:
        with quiet():
            self._inner.reset(seed=seed)
        self.max_steps = self._inner.max_steps

    def level_key(self) -> str:
        """The whole grid's key, whatever the view shows of it."""
        inner = self._inner
        digest = hashlib.blake2b(digest_size=10)
        held = "" if inner.carrying is None else kind_of(inner.carrying)
        digest.update(f"minigrid|{inner.height}x{inner.width}|{held}|{inner.mission}|".encode())
        digest.update(np.ascontiguousarray(self._whole(), dtype=np.int8).tobytes())
        return digest.hexdigest()

    def _load_level(self, text: str) -> None:
        """A level is drawn whole, in either view (``unseen`` is no kind of a level)."""
        grid = self.game.parse(text)
        inner = self._inner
        if grid.shape != (inner.height, inner.width):
            raise InvalidVariantError(
                f"this level is {grid.shape[0]}x{grid.shape[1]} but the environment is "
                f"{inner.height}x{inner.width}; draw the whole grid, whatever the view, or "
                "make the environment with that size"
            )
        if self.view != "full" and (grid == UNSEEN).any():
            raise InvalidVariantError(
                "a level cannot hold `?` (unseen): that is how the egocentric view shows a "
                "cell out of sight; draw what is there"
            )
        self._load(grid)
        if self.expert_plan() is None:
            raise UnsolvableLevelError(
                f"the {self.game.title} level you gave cannot be solved: {self._why_unsolvable()}"
            )

    def _load(self, grid: np.ndarray) -> None:
        agents = np.argwhere(np.isin(grid, AGENT))
        if len(agents) != 1:
            raise InvalidVariantError(
                f"a MiniGrid level shows exactly one agent, not {len(agents)}"
            )
        inner = self._inner
        inner.grid = Grid(inner.width, inner.height)
        for (r, c), k in np.ndenumerate(grid):
            if int(k) not in AGENT:
                inner.grid.set(c, r, object_of(NAMES[int(k)]))
        r, c = (int(v) for v in agents[0])
        inner.agent_pos = (c, r)
        inner.agent_dir = AGENT.index(int(grid[r, c]))
        inner.carrying = None
        inner.step_count = 0

    def _whole(self) -> np.ndarray:
        return _whole(self._inner)

    def _view(self) -> np.ndarray:
        """The kinds the egocentric view shows: MiniGrid's own view grid and visibility mask
        (cells beyond the grid's edge show as walls, as MiniGrid draws them)."""
        view, seen = self._inner.gen_obs_grid()
        size = self.view_size
        grid = np.full((size, size), UNSEEN, dtype=np.int8)
        for r in range(size):
            for c in range(size):
                if seen[c, r]:
                    grid[r, c] = INDEX[kind_of(view.get(c, r))]
        grid[size - 1, size // 2] = INDEX["agent_north"]
        return grid

    def _visible(self) -> np.ndarray:
        return self._whole() if self.view == "full" else self._view()

    def scene(self) -> Scene:
        carried = self._inner.carrying
        held = () if carried is None else (kind_of(carried),)
        said = self._inner.mission
        if self.view != "full":
            agent = (self.view_size - 1, self.view_size // 2)
            return Scene(self.game, self._view(), agent, held, said)
        x, y = self._inner.agent_pos
        return Scene(MINIGRID, self._whole(), (int(y), int(x)), held, said)

    def _info(self) -> dict[str, Any]:
        return {**super()._info(), "mission": self._inner.mission}

    # -- the world ---------------------------------------------------------------------------
    def _apply(self, action: int) -> tuple[float, bool, bool]:
        _, reward, terminated, _, _ = self._inner.step(action)
        success = bool(terminated and reward > 0)
        return (self.win_reward() if success else 0.0), bool(terminated), success

    def _new_screen(self) -> None:
        pass  # MiniGrid draws every screen itself

    def _update_screen(self) -> None:
        pass

    def _frame(self) -> np.ndarray:
        if self.view != "full":
            return self._inner.get_frame(tile_size=self.tile, agent_pov=True)
        return self._inner.get_frame(highlight=self._inner.highlight, tile_size=self.tile)

    def redraw(self) -> np.ndarray:
        return self._frame()

    def draw_map(self, grid: np.ndarray) -> np.ndarray:
        """A grid of this game's kinds of any size (the map an egocentric agent keeps) drawn
        with MiniGrid's tiles: cells known lit as MiniGrid lights what its agent sees, cells
        of kind ``unseen`` dark."""
        t, names = self.tile, self.game.kind_names
        h, w = grid.shape
        out = np.zeros((h * t, w * t, 3), dtype=np.uint8)
        for (r, c), k in np.ndenumerate(grid):
            name = names[int(k)]
            if name == "unseen":
                continue
            if name.startswith("agent_"):
                heading = HEADINGS.index(name.removeprefix("agent_"))
                tile = Grid.render_tile(None, agent_dir=heading, highlight=True, tile_size=t)
            else:
                tile = Grid.render_tile(object_of(name), highlight=True, tile_size=t)
            out[r * t : (r + 1) * t, c * t : (c + 1) * t] = tile
        return out

    def expert_plan(self) -> list[int] | None:
        """An id won by its mission: MiniGrid's BabyAI bot (see ``minigrid_experts``).
        Otherwise, a shortest plan to the goal within the steps left (see ``_shortest``)."""
        if self.on_mission:
            return bot_plan(self._inner, self.max_steps - self._steps)
        return self._shortest()

    def _shortest(self) -> list[int] | None:
        """A shortest plan to the goal within the steps left, by breadth-first search over
        (cell, heading, carried kind, changed cells) with MiniGrid's own object semantics:
        what can be entered, picked up, and what toggling a door does. It never drops what it
        carries (none of the supported ids needs it)."""
        inner, sem = self._inner, SEMANTICS
        w = inner.width
        base = self._whole()
        x, y = inner.agent_pos
        base[y, x] = INDEX["empty"]
        flat = base.ravel().tolist()
        carried = -1 if inner.carrying is None else INDEX[kind_of(inner.carrying)]
        start = (y * w + x, int(inner.agent_dir), carried, frozenset())
        steps = [tuple((int(dy) * w + int(dx)) for dx, dy in [DIR_TO_VEC[d]]) for d in range(4)]
        parent: dict[Any, Any] = {start: None}
        frontier, depth = deque([start]), {start: 0}
        budget = self.max_steps - self._steps
        while frontier:
            state = frontier.popleft()
            if depth[state] >= budget or len(parent) > MAX_EXPERT_STATES:
                continue
            cell, heading, held, changes = state
            ahead = cell + steps[heading][0]
            kind = dict(changes).get(ahead, flat[ahead])
            for action in (LEFT, RIGHT, FORWARD, PICKUP, TOGGLE):
                nxt = None
                if action == LEFT:
                    nxt = (cell, (heading - 1) % 4, held, changes)
                elif action == RIGHT:
                    nxt = (cell, (heading + 1) % 4, held, changes)
                elif action == FORWARD and sem.enter[kind]:
                    if sem.wins[kind]:
                        parent[("won",)] = (state, action)
                        return unwind(parent, ("won",))
                    if not sem.kills[kind]:
                        nxt = (ahead, heading, held, changes)
                elif action == PICKUP and sem.pick[kind] and held < 0:
                    nxt = (cell, heading, kind, _changed(changes, ahead, INDEX["empty"]))
                elif action == TOGGLE and (kind, held) in sem.toggled:
                    after = sem.toggled[(kind, held)]
                    nxt = (cell, heading, held, _changed(changes, ahead, after))
                if nxt is not None and nxt not in parent:
                    parent[nxt] = (state, action)
                    depth[nxt] = depth[state] + 1
                    frontier.append(nxt)
        return None


def _whole(inner: MiniGridEnv) -> np.ndarray:
    """The whole grid's kinds, the agent's cell showing its heading."""
    grid = np.array(
        [[INDEX[kind_of(inner.grid.get(c, r))] for c in range(inner.width)]
         for r in range(inner.height)],
        dtype=np.int8,
    )  # fmt: skip
    x, y = inner.agent_pos
    grid[y, x] = AGENT[inner.agent_dir]
    return grid


def _changed(changes: frozenset, cell: int, kind: int) -> frozenset:
    return frozenset({**dict(changes), cell: kind}.items())


def _check_objects(env_id: str, inner: MiniGridEnv, goal: bool = True) -> None:
    """Refuse a level with objects this game has no kind for, or (``goal``) no goal."""
    kinds = set()
    for obj in inner.grid.grid:
        try:
            kinds.add(kind_of(obj))
        except InvalidVariantError:
            raise InvalidVariantError(
                f"{env_id} holds a MiniGrid object of type {obj.type!r}, which the perception "
                "and rules of the MiniGrid game do not cover"
            ) from None
    if goal and "goal" not in kinds:
        raise InvalidVariantError(
            f"{env_id} has no goal square: its episodes are won some other way, which the rules "
            "here do not state"
        )

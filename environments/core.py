"""Grid-world primitives: kinds of cell, actions, the symbolic Scene, and the shared simulator.

The simulator only *simulates*: each kind of cell has a few capability flags (can the agent enter
it, does it end the episode, can it be picked up, ...). What those kinds *mean* to an agent is
written separately as Prolog rules in ``symbolic/rules/<game>.pl``; a reasoner never reads the
flags below.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from environments.appearance import APPEARANCES, Renderer
from environments.errors import InvalidVariantError

__all__ = ["MOVES", "TRAITS", "Action", "GridWorldEnv", "Kind", "KindTraits", "Scene"]


class Kind(IntEnum):
    """What one cell of the screen shows. The agent's cell shows the agent (and what it holds)."""

    FLOOR = 0
    WALL = 1
    LAVA = 2
    KEY = 3
    DOOR = 4
    GOAL = 5
    AGENT = 6
    AGENT_WITH_KEY = 7

    @property
    def symbol(self) -> str:
        """The lower-case name used as a Prolog atom, e.g. ``key``."""
        return self.name.lower()


class Action(IntEnum):
    """Moves of the agent: one cell north, east, south or west."""

    N = 0
    E = 1
    S = 2
    W = 3


# (row, column) offset of each action.
MOVES: dict[Action, tuple[int, int]] = {
    Action.N: (-1, 0),
    Action.E: (0, 1),
    Action.S: (1, 0),
    Action.W: (0, -1),
}


@dataclass(frozen=True)
class KindTraits:
    """How the simulator treats a kind of cell when the agent tries to enter it."""

    enterable: bool = True
    unlocked_by: Kind | None = None  # enterable only while holding this kind
    deadly: bool = False
    pickup: bool = False
    goal: bool = False


TRAITS: dict[Kind, KindTraits] = {
    Kind.FLOOR: KindTraits(),
    Kind.WALL: KindTraits(enterable=False),
    Kind.LAVA: KindTraits(deadly=True),
    Kind.KEY: KindTraits(pickup=True),
    Kind.DOOR: KindTraits(enterable=False, unlocked_by=Kind.KEY),
    Kind.GOAL: KindTraits(goal=True),
}

# What the agent's cell shows, by what the agent holds.
AGENT_KIND: dict[frozenset[Kind], Kind] = {
    frozenset(): Kind.AGENT,
    frozenset({Kind.KEY}): Kind.AGENT_WITH_KEY,
}
_HELD_BY_AGENT_KIND = {kind: held for held, kind in AGENT_KIND.items()}


class Scene:
    """The symbolic state of one screen: a grid of kinds plus what the agent holds.

    ``grid`` is an ``(H, W)`` ``int8`` array of :class:`Kind` values as the screen shows them: the
    agent's cell shows ``AGENT`` or ``AGENT_WITH_KEY`` (the cell under the agent is not visible).
    ``inventory`` repeats what the agent's kind implies, as a sorted tuple of kinds.
    """

    __slots__ = ("agent", "grid", "inventory")

    def __init__(self, grid: np.ndarray, agent: tuple[int, int], inventory: tuple[Kind, ...]):
        self.grid = grid
        self.agent = agent
        self.inventory = inventory

    @classmethod
    def from_grid(cls, grid: np.ndarray) -> Scene:
        """Build a Scene from a grid of visible kinds (e.g. a perception module's argmax).

        The grid must show exactly one agent; its kind tells what the agent holds.
        """
        grid = np.asarray(grid, dtype=np.int8)
        agents = np.argwhere(grid >= Kind.AGENT)
        if len(agents) != 1:
            raise ValueError(f"a scene needs exactly one agent cell, this grid has {len(agents)}")
        r, c = (int(v) for v in agents[0])
        held = _HELD_BY_AGENT_KIND[Kind(int(grid[r, c]))]
        return cls(grid, (r, c), tuple(sorted(held)))

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.grid.shape[0]), int(self.grid.shape[1]))

    def kind_at(self, r: int, c: int) -> Kind:
        return Kind(int(self.grid[r, c]))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scene):
            return NotImplemented
        return (
            self.agent == other.agent
            and self.inventory == other.inventory
            and np.array_equal(self.grid, other.grid)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable array inside

    def __getstate__(self) -> tuple[np.ndarray, tuple[int, int], tuple[Kind, ...]]:
        return (self.grid, self.agent, self.inventory)

    def __setstate__(self, state: tuple[np.ndarray, tuple[int, int], tuple[Kind, ...]]) -> None:
        self.grid, self.agent, self.inventory = state

    def to_text(self) -> str:
        """A text picture of the grid, one character per cell (see ``ASCII``)."""
        return "\n".join("".join(ASCII[Kind(int(k))] for k in row) for row in self.grid)

    def __repr__(self) -> str:
        held = ",".join(k.symbol for k in self.inventory) or "nothing"
        return f"Scene({self.shape[0]}x{self.shape[1]}, agent at {self.agent}, holding {held})"


ASCII: dict[Kind, str] = {
    Kind.FLOOR: ".",
    Kind.WALL: "#",
    Kind.LAVA: "~",
    Kind.KEY: "k",
    Kind.DOOR: "D",
    Kind.GOAL: "G",
    Kind.AGENT: "@",
    Kind.AGENT_WITH_KEY: "&",
}


class GridWorldEnv(gym.Env[np.ndarray, np.int64]):
    """Shared simulator for the grid games: a subclass only generates levels.

    A level is a terrain grid (kinds without the agent), the agent's start and an empty
    inventory. Each step moves the agent one cell if the target cell can be entered; entering a
    deadly cell ends the episode as a failure, entering a goal ends it as a success with reward
    ``1 - 0.9 * steps / max_steps``, entering a pickup cell moves its object into the inventory.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array", "ansi"], "render_fps": 8}

    def __init__(
        self,
        height: int,
        width: int,
        *,
        appearance: str = "default",
        tile: int = 8,
        max_steps: int | None = None,
        render_mode: str | None = None,
    ) -> None:
        if appearance not in APPEARANCES:
            raise InvalidVariantError(
                f"unknown appearance {appearance!r}; choose one of {sorted(APPEARANCES)}"
            )
        if not 4 <= tile <= 32:
            raise InvalidVariantError(f"tile must be between 4 and 32 pixels, got {tile}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise InvalidVariantError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {render_mode!r}"
            )
        self.height, self.width = height, width
        self.tile = tile
        self.appearance = appearance
        self.max_steps = max_steps if max_steps is not None else 4 * height * width
        if self.max_steps < 1:
            raise InvalidVariantError(f"max_steps must be positive, got {self.max_steps}")
        self.render_mode = render_mode
        self.action_space = spaces.Discrete(len(Action))
        self.observation_space = spaces.Box(
            0, 255, shape=(height * tile, width * tile, 3), dtype=np.uint8
        )
        self._renderer = Renderer(APPEARANCES[appearance], tile)
        self._terrain = np.zeros((height, width), dtype=np.int8)
        self._agent = (0, 0)
        self._held: frozenset[Kind] = frozenset()
        self._steps = 0
        self._done = False

    # -- what a subclass provides -------------------------------------------------------------
    def _generate(self) -> tuple[np.ndarray, tuple[int, int]]:
        """Return a new level ``(terrain, agent_start)`` drawn from ``self.np_random``."""
        raise NotImplementedError  # abstract: each game generates its own levels

    # -- Gymnasium API ------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new level. Returns ``(observation, info)``; ``info["scene"]`` is the truth."""
        super().reset(seed=seed)
        self._terrain, self._agent = self._generate()
        self._held = frozenset()
        self._steps = 0
        self._done = False
        self._renderer.new_level(self.np_random, self.scene().grid)
        return self._renderer.frame.copy(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Move the agent. Returns ``(observation, reward, terminated, truncated, info)``.

        ``terminated`` is true when the agent reached the goal (reward > 0) or died in lava
        (reward 0); ``truncated`` when ``max_steps`` ran out (reward 0). ``info["success"]``
        tells whether the goal was reached.
        """
        if self._done:
            raise RuntimeError("step() called after the episode ended; call reset() first")
        act = Action(int(action))
        self._steps += 1
        r, c = self._agent
        dr, dc = MOVES[act]
        tr, tc = r + dr, c + dc
        reward, terminated, success = 0.0, False, False
        traits = TRAITS[Kind(int(self._terrain[tr, tc]))]
        if traits.enterable or traits.unlocked_by in self._held:
            self._agent = (tr, tc)
            if traits.pickup:
                self._held = self._held | {Kind(int(self._terrain[tr, tc]))}
                self._terrain[tr, tc] = Kind.FLOOR
            if traits.deadly:
                terminated = True
            elif traits.goal:
                terminated, success = True, True
                reward = 1.0 - 0.9 * self._steps / self.max_steps
            self._renderer.update(
                ((r, c), self._terrain[r, c]), ((tr, tc), self._visible_agent_kind())
            )
        truncated = not terminated and self._steps >= self.max_steps
        self._done = terminated or truncated
        info = self._info()
        info["success"] = success
        return self._renderer.frame.copy(), reward, terminated, truncated, info

    def render(self) -> np.ndarray | str | None:  # type: ignore[override]
        """``rgb_array``: the current screen; ``ansi``: a text picture of the grid."""
        if self.render_mode == "rgb_array":
            return self._renderer.frame.copy()
        if self.render_mode == "ansi":
            return self.scene().to_text() + "\n"
        return None

    # -- helpers ------------------------------------------------------------------------------
    def scene(self) -> Scene:
        """The ground-truth Scene of the current state."""
        grid = self._terrain.copy()
        grid[self._agent] = self._visible_agent_kind()
        return Scene(grid, self._agent, tuple(sorted(self._held)))

    @property
    def steps(self) -> int:
        return self._steps

    def _visible_agent_kind(self) -> Kind:
        return AGENT_KIND[self._held]

    def _info(self) -> dict[str, Any]:
        return {"scene": self.scene(), "steps": self._steps}

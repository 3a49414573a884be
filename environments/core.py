"""Grid-game primitives: the symbolic Scene and the simulators every game builds on.

- :class:`GridGame` is any game played on a grid of kinds, with a pixel screen and the true
  :class:`Scene` in ``info["scene"]``. A subclass generates levels, applies an action, and plans
  as the exact expert.
- :class:`AgentGame` is a grid game in which one agent moves N/E/S/W through cells whose
  simulated behaviour is given by each kind's :class:`~environments.spec.Traits`.

The simulators only *simulate*. What the kinds *mean* to an agent is written separately, as
Prolog rules in ``symbolic/rules/<game>.pl``; a reasoner never reads the traits.
"""

from __future__ import annotations

import hashlib
from collections import deque
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from environments.appearance import APPEARANCES, Renderer
from environments.errors import (
    InvalidActionError,
    InvalidVariantError,
    UnsolvableLevelError,
    clip,
)
from environments.spec import MOVE_DELTAS, MOVES, GameSpec, Split

__all__ = ["MAX_STEPS", "AgentGame", "GridGame", "Scene"]

MAX_STEPS = 100_000  # the longest episode a game may be asked to allow


class Scene:
    """The symbolic state of one screen: a grid of kinds, where the agent is, what it holds.

    ``grid`` is an ``(H, W)`` ``int8`` array of kind indices of ``game`` as the screen shows them:
    the agent's cell shows an agent kind (the cell under the agent is not visible). ``agent`` is
    its ``(row, col)`` (None in a game without an agent) and ``inventory`` the sorted names of
    the kinds it holds, which its kind on the screen implies. ``mission`` is the words the
    game gives the agent beside the screen (MiniGrid's and BabyAI's ``mission``; "" if none).
    """

    __slots__ = ("agent", "game", "grid", "inventory", "mission")

    def __init__(
        self,
        game: GameSpec,
        grid: np.ndarray,
        agent: tuple[int, int] | None,
        inventory: tuple[str, ...] = (),
        mission: str = "",
    ) -> None:
        self.game = game
        self.grid = grid
        self.agent = agent
        self.inventory = inventory
        self.mission = mission

    @classmethod
    def from_grid(cls, game: GameSpec, grid: np.ndarray) -> Scene:
        """Build a Scene from a grid of visible kinds (e.g. a perception module's argmax).

        In a game with an agent the grid must show exactly one; its kind tells what it holds.
        """
        grid = np.asarray(grid, dtype=np.int8)
        if grid.size and (grid.min() < 0 or grid.max() >= game.num_kinds):
            raise ValueError(f"{game.title} has {game.num_kinds} kinds; this grid has others")
        if not game.agent_kinds:
            return cls(game, grid, None, ())
        agents = np.flatnonzero(game.shows_agent[grid])
        if len(agents) != 1:
            raise ValueError(f"a scene needs exactly one agent cell, this grid has {len(agents)}")
        r, c = divmod(int(agents[0]), grid.shape[1])
        held = game.kinds[int(grid[r, c])].holds or ()
        return cls(game, grid, (r, c), tuple(sorted(held)))

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.grid.shape[0]), int(self.grid.shape[1]))

    def kind_at(self, r: int, c: int) -> str:
        """The name of the kind shown at ``(r, c)``."""
        return self.game.kinds[int(self.grid[r, c])].name

    def count(self, kind: str) -> int:
        """How many cells show ``kind``."""
        return int((self.grid == self.game.index(kind)).sum())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scene):
            return NotImplemented
        return (
            self.game.name == other.game.name
            and self.agent == other.agent
            and self.inventory == other.inventory
            and self.mission == other.mission
            and np.array_equal(self.grid, other.grid)
        )

    __hash__ = None  # type: ignore[assignment]  # mutable array inside

    def __getstate__(self) -> tuple[Any, ...]:
        return (self.game, self.grid, self.agent, self.inventory, self.mission)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.game, self.grid, self.agent, self.inventory, *said = state
        self.mission = said[0] if said else ""

    def to_text(self) -> str:
        """A text picture of the grid, one glyph per cell (see the game's ``legend``)."""
        return self.game.to_text(self.grid)

    def __repr__(self) -> str:
        h, w = self.shape
        if self.agent is None:
            return f"Scene({self.game.title} {h}x{w})"
        held = ",".join(self.inventory) or "nothing"
        return f"Scene({self.game.title} {h}x{w}, agent at {self.agent}, holding {held})"


class GridGame(gym.Env[np.ndarray, np.int64]):
    """Shared machinery of every game: variants, screen, seeding, action checks, user levels.

    A subclass sets ``game`` and implements ``_generate`` (a new level from ``self.np_random``),
    ``_load`` (set the state from a grid of kinds), ``_visible`` (the grid the screen shows),
    ``_apply`` (one action), ``expert_plan`` and ``eval_splits``.

    ``reset(options={"level": TEXT})`` plays a level you drew: one glyph per cell (see
    ``game.legend()``); a level the expert cannot solve is refused with UnsolvableLevelError.
    """

    game: ClassVar[GameSpec]
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
        if appearance not in APPEARANCES or appearance not in self.game.palettes:
            raise InvalidVariantError(
                f"unknown appearance {clip(appearance)}; choose one of {sorted(self.game.palettes)}"
            )
        if not isinstance(tile, int | np.integer) or not 4 <= tile <= 32:
            raise InvalidVariantError(f"tile must be between 4 and 32 pixels, got {clip(tile)}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise InvalidVariantError(
                f"render_mode must be one of {self.metadata['render_modes']} or None, "
                f"got {clip(render_mode)}"
            )
        self.height, self.width = int(height), int(width)
        self.tile = int(tile)
        self.appearance = appearance
        self.max_steps = max_steps if max_steps is not None else self._default_max_steps()
        if not isinstance(self.max_steps, int | np.integer) or not 1 <= self.max_steps <= MAX_STEPS:
            raise InvalidVariantError(
                f"max_steps must be an integer from 1 to {MAX_STEPS:,}, got {clip(max_steps)}"
            )
        self.render_mode = render_mode
        self.action_space = spaces.Discrete(self.game.actions.count(self.height, self.width))
        self.observation_space = spaces.Box(
            0, 255, shape=(self.height * self.tile, self.width * self.tile, 3), dtype=np.uint8
        )
        self._renderer = Renderer(
            self.game.kinds, self.game.palettes[appearance], APPEARANCES[appearance], self.tile
        )
        self._steps = 0
        self._done = False

    # -- what a subclass provides ---------------------------------------------------------------
    def _default_max_steps(self) -> int:
        return 4 * self.height * self.width

    def _generate(self) -> None:
        """Set up a new level drawn from ``self.np_random``."""
        raise NotImplementedError  # abstract: each game generates its own levels

    def _load(self, grid: np.ndarray) -> None:
        """Set up the level a grid of visible kinds shows (raise InvalidVariantError if bad)."""
        raise NotImplementedError  # abstract

    def _visible(self) -> np.ndarray:
        """The grid of kinds the screen shows now."""
        raise NotImplementedError  # abstract

    def _apply(self, action: int) -> tuple[float, bool, bool]:
        """Play one valid action; return ``(reward, terminated, success)``."""
        raise NotImplementedError  # abstract

    def expert_plan(self) -> list[int] | None:
        """A shortest list of actions from the current state to success, or None."""
        raise NotImplementedError  # abstract

    def eval_splits(self) -> list[Split]:
        """The game's evaluation splits for a pipeline trained on this variant."""
        return [Split("in-distribution"), Split("novel-appearance", None, {"appearance": "novel"})]

    # -- Gymnasium API --------------------------------------------------------------------------
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Start a new level. Returns ``(observation, info)``; ``info["scene"]`` is the truth.

        ``options={"level": TEXT}`` plays the level drawn in TEXT instead of a generated one.
        """
        super().reset(seed=seed)
        self._steps = 0
        self._done = False
        level = (options or {}).get("level")
        if level is None:
            self._generate()
        else:
            self._load_level(str(level))
        self._new_screen()
        return self._frame(), self._info()

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """Play one action. Returns ``(observation, reward, terminated, truncated, info)``.

        ``terminated`` is true when the episode was won (reward > 0) or lost (reward 0);
        ``truncated`` when ``max_steps`` ran out (reward 0). ``info["success"]`` tells whether it
        was won. A win pays ``1 - 0.9 * steps / max_steps``.
        """
        if self._done:
            raise RuntimeError("step() called after the episode ended; call reset() first")
        act = self._check_action(action)
        self._steps += 1
        reward, terminated, success = self._apply(act)
        truncated = not terminated and self._steps >= self.max_steps
        self._done = terminated or truncated
        self._update_screen()
        info = self._info()
        info["success"] = success
        return self._frame(), reward, terminated, truncated, info

    def render(self) -> np.ndarray | str | None:  # type: ignore[override]
        """``rgb_array``: the current screen; ``ansi``: a text picture of the grid."""
        if self.render_mode == "rgb_array":
            return self._frame()
        if self.render_mode == "ansi":
            return self.scene().to_text() + "\n"
        return None

    # -- the screen (a game that draws itself overrides these) ---------------------------------
    def _new_screen(self) -> None:
        """Draw a new level's look (palette, shifts, noise) and its first screen."""
        self._renderer.new_level(self.np_random, self._visible())

    def _update_screen(self) -> None:
        """Bring the screen up to date after a step."""
        self._renderer.show(self._visible())

    def _frame(self) -> np.ndarray:
        """A copy of the current screen."""
        return self._renderer.frame.copy()

    def redraw(self) -> np.ndarray:
        """The current state drawn again from scratch (equal to the screen; for checks)."""
        return self._renderer.compose(self._visible())

    # -- helpers --------------------------------------------------------------------------------
    def scene(self) -> Scene:
        """The ground-truth Scene of the current state."""
        return Scene.from_grid(self.game, self._visible())

    def level_key(self) -> str:
        """What makes the current level this level, whatever its look: a digest of the game,
        the grid's size and the true scene (every kind, where the agent is, what it holds).
        Taken right after ``reset``, two levels with the same key are the same level by
        content (a new palette, sprite shift or handwriting does not make a new level)."""
        scene = self.scene()
        digest = hashlib.blake2b(digest_size=10)
        head = f"{self.game.name}|{self.height}x{self.width}|{','.join(scene.inventory)}|"
        digest.update(head.encode())
        digest.update(np.ascontiguousarray(scene.grid, dtype=np.int8).tobytes())
        return digest.hexdigest()

    def peek_level(self, seed: int) -> str:
        """The :meth:`level_key` of the level ``reset(seed=seed)`` starts, without drawing its
        screen: a quick look for choosing levels. Call ``reset`` before playing."""
        gym.Env.reset(self, seed=seed)
        self._generate()
        return self.level_key()

    @property
    def steps(self) -> int:
        return self._steps

    @property
    def action_names(self) -> tuple[str, ...]:
        return self.game.actions.names_for(self.height, self.width)

    def win_reward(self) -> float:
        return 1.0 - 0.9 * self._steps / self.max_steps

    def _check_action(self, action: Any) -> int:
        n = int(self.action_space.n)
        try:
            act = int(action)
            ok = act == action and 0 <= act < n
        except (TypeError, ValueError):
            ok = False
        if not ok:
            shown = ", ".join(f"{i}={a}" for i, a in enumerate(self.action_names[:6]))
            more = ", ..." if n > 6 else ""
            raise InvalidActionError(
                f"action {clip(action)} is outside {self.game.title}'s action space "
                f"Discrete({n}) ({shown}{more})"
            )
        return act

    def _load_level(self, text: str) -> None:
        grid = self.game.parse(text)
        if grid.shape != (self.height, self.width):
            raise InvalidVariantError(
                f"this level is {grid.shape[0]}x{grid.shape[1]} but the environment is "
                f"{self.height}x{self.width}; make the environment with that size"
            )
        self._load(grid)
        if self.expert_plan() is None:
            raise UnsolvableLevelError(
                f"the {self.game.title} level you gave cannot be solved: {self._why_unsolvable()}"
            )

    def _why_unsolvable(self) -> str:
        """Why the level just loaded cannot be won, as far as the game can tell."""
        return f"the exact expert found no way to win within {self.max_steps} steps"

    def _info(self) -> dict[str, Any]:
        return {"scene": self.scene(), "steps": self._steps}


class AgentGame(GridGame):
    """A grid game in which one agent moves N/E/S/W through cells with simulated traits.

    A level is a terrain grid (kinds without the agent), the agent's start and an empty
    inventory. Each step moves the agent one cell if the target cell is on the grid and can be
    entered; entering a deadly cell ends the episode as a failure, entering a goal ends it as a
    success, entering a pickup cell moves its object into the inventory (the cell becomes the
    background). A game with moving parts overrides ``_world_step``.
    """

    def __init__(self, height: int, width: int, **kwargs: Any) -> None:
        if self.game.actions != MOVES:
            raise TypeError(f"{type(self).__name__}: an agent game's actions are MOVES")
        super().__init__(height, width, **kwargs)
        self._terrain = np.zeros((self.height, self.width), dtype=np.int8)
        self._agent = (0, 0)
        self._held: frozenset[str] = frozenset()
        self._traits = [k.traits for k in self.game.kinds]
        self._background = self.game.index(self.game.background)

    def _set_level(self, terrain: np.ndarray, agent: tuple[int, int]) -> None:
        self._terrain, self._agent, self._held = terrain, agent, frozenset()

    def _load(self, grid: np.ndarray) -> None:
        agents = np.argwhere(np.isin(grid, self.game.agent_kinds))
        if len(agents) != 1:
            raise InvalidVariantError(
                f"a {self.game.title} level shows exactly one agent; this one has {len(agents)}"
            )
        r, c = (int(v) for v in agents[0])
        held = frozenset(self.game.kinds[int(grid[r, c])].holds or ())
        terrain = grid.copy()
        terrain[r, c] = self._background
        self._terrain, self._agent, self._held = terrain, (r, c), held

    def _visible(self) -> np.ndarray:
        grid = self._terrain.copy()
        grid[self._agent] = self.game.agent_kind(self._held)
        return grid

    def _why_unsolvable(self) -> str:
        """What stops the agent, by the kinds' traits: no goal, walls or deadly cells in the
        way, or a locked cell whose opener is missing or out of reach."""
        kinds = self.game.kinds
        goal = [i for i, k in enumerate(kinds) if k.traits.goal]
        if not np.isin(self._terrain, goal).any():
            return f"it has no {self._named(goal)}"
        why = self._cut_off(goal, through_locks=True)
        if why:
            return why
        for i, lock in enumerate(kinds):
            opener = lock.traits.unlocked_by
            if opener is None or opener in self._held:
                continue
            key = [self.game.index(opener)]
            needs = f"the {self._named([i])} opens only for the {self._named(key)}"
            if not np.isin(self._terrain, key).any():
                return f"{needs}, and the level has none"
            why = self._cut_off(key, through_locks=False)
            if why:
                return f"{needs}, and {why}"
        return super()._why_unsolvable()

    def _named(self, kinds: list[int]) -> str:
        return " or ".join(f"{self.game.kinds[i].name} ({self.game.kinds[i].glyph})" for i in kinds)

    def _cut_off(self, targets: list[int], through_locks: bool) -> str | None:
        """Why the agent cannot enter a cell of one of ``targets`` (None if it can): deadly
        cells or walls in the way (locked cells count as open if ``through_locks``)."""

        def reaches(through_deadly: bool) -> bool:
            seen, queue = {self._agent}, deque([self._agent])
            while queue:
                r, c = queue.popleft()
                for dr, dc in MOVE_DELTAS:
                    cell = (r + dr, c + dc)
                    if cell in seen or not (
                        0 <= cell[0] < self.height and 0 <= cell[1] < self.width
                    ):
                        continue
                    kind = int(self._terrain[cell])
                    if kind in targets:
                        return True
                    t = self._traits[kind]
                    opens = t.enterable or (through_locks and t.unlocked_by is not None)
                    if opens and not t.goal and (through_deadly or not t.deadly):
                        seen.add(cell)
                        queue.append(cell)
            return False

        if reaches(through_deadly=False):
            return None
        what = self._named(targets)
        if reaches(through_deadly=True):
            present = np.unique(self._terrain)
            deadly = [int(i) for i in present if self.game.kinds[int(i)].traits.deadly]
            return f"every way to the {what} crosses {self._named(deadly)}"
        return f"no way leads from the agent to the {what}"

    def _apply(self, action: int) -> tuple[float, bool, bool]:
        r, c = self._agent
        dr, dc = MOVE_DELTAS[action]
        tr, tc = r + dr, c + dc
        if not (0 <= tr < self.height and 0 <= tc < self.width):
            return self._world_step()
        kind = int(self._terrain[tr, tc])
        traits = self._traits[kind]
        if not (traits.enterable or traits.unlocked_by in self._held):
            return self._world_step()
        self._agent = (tr, tc)
        if traits.pickup:
            self._held = self._held | {self.game.kinds[kind].name}
            self._terrain[tr, tc] = self._background
        if traits.deadly:
            return 0.0, True, False
        if traits.goal:
            return self.win_reward(), True, True
        return self._world_step()

    def _world_step(self) -> tuple[float, bool, bool]:
        """What the world does after the agent moved (nothing, in a static game)."""
        return 0.0, False, False

    def expert_plan(self) -> list[int] | None:
        """A shortest plan over (position, inventory), using the simulator's own traits.

        It knows the game the way the simulator does, not through Prolog, so it is an
        independent upper bound for the symbolic reasoner and the source of demonstrations.
        Picking an object up removes it, which is safe here because an object lies in one cell.
        """
        terrain, traits, names = self._terrain, self._traits, self.game.kind_names
        h, w = terrain.shape
        start = (self._agent, self._held)
        parent: dict[tuple[tuple[int, int], frozenset[str]], Any] = {start: None}
        queue = deque([start])
        while queue:
            state = queue.popleft()
            (r, c), held = state
            for action, (dr, dc) in enumerate(MOVE_DELTAS):
                tr, tc = r + dr, c + dc
                if not (0 <= tr < h and 0 <= tc < w):
                    continue
                kind = int(terrain[tr, tc])
                t = traits[kind]
                if t.deadly or not (t.enterable or t.unlocked_by in held):
                    continue
                picked = names[kind] in held or not t.pickup
                nxt = ((tr, tc), held if picked else held | {names[kind]})
                if nxt in parent:
                    continue
                parent[nxt] = (state, action)
                if t.goal:
                    return unwind(parent, nxt)
                queue.append(nxt)
        return None


def unwind(parent: dict[Any, Any], state: Any) -> list[int]:
    """The actions that lead from the search's start to ``state`` (parent: state → (prev, a))."""
    plan: list[int] = []
    while parent[state] is not None:
        state, action = parent[state]
        plan.append(action)
    return plan[::-1]

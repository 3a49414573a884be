"""Pipelines that are one network: screen (or true grid) → CNN → action.

- ``MonolithicPipeline``: trained on the expert's actions (behaviour cloning), with the
  variants that give it its best shot: augmentation, the true grid, DAgger, distillation.
- ``PPOPipeline``: trained by PPO from the game's reward alone.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

import gymnasium as gym
import numpy as np
import torch

from compose.common.levels import REDRAWS
from compose.pipelines.base import (
    DEFAULT_TRAINING,
    FitReport,
    Pipeline,
    Step,
    fit_report,
    patient,
)
from compose.pipelines.checkpoints import save_checkpoint
from compose.pipelines.spec import PipelineSpec
from environments.core import GridGame
from environments.spec import GameSpec
from neural.augment import (
    Augment,
    augment_parts,
    colour_refusal,
    describe_augment,
    make_augment,
)
from neural.data import Demonstrations
from neural.modules import count_parameters, make_policy, one_hot_cells, to_input
from neural.rl import make_ppo_policy, train_ppo_at
from neural.train import TrainConfig, fit

__all__ = [
    "TRAININGS",
    "GridHead",
    "MonolithicPipeline",
    "PPOPipeline",
    "network_description",
    "written_values",
]


Inputs = Literal["pixels", "symbols"]
Training = Literal["bc", "dagger", "distilled"]
TRAININGS: tuple[str, ...] = ("bc", "dagger", "distilled")
Target = Literal["action", "grid"]
UNWRITTEN = -100  # a cell the expert never writes into: no target (cross-entropy ignores it)


class GridHead(torch.nn.Module):
    """A policy's ``H*W*V`` outputs as ``(B, V, H, W)`` scores: a value for every cell."""

    def __init__(self, policy: torch.nn.Module, grid: tuple[int, int], values: int) -> None:
        super().__init__()
        self.policy, self.grid, self.values = policy, grid, values

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, w = self.grid
        return self.policy(x).reshape(-1, h, w, self.values).permute(0, 3, 1, 2)


def written_values(game: GameSpec, demos: Demonstrations, grid: tuple[int, int]) -> np.ndarray:
    """``(N, H, W)``: for every demonstration row, the value index the expert writes into each
    cell in that episode (``UNWRITTEN`` where it writes none), read off its actions alone."""
    n, (h, width) = len(demos), grid
    out = np.full((n, h * width), UNWRITTEN, dtype=np.int64)
    for episode in np.unique(demos.episodes):
        rows = np.flatnonzero(demos.episodes == episode)
        for action in demos.actions[rows][::-1]:  # the first write into a cell wins
            r, c, v = game.actions.cell_value(int(action), width)
            out[rows, r * width + c] = v
    return out.reshape(n, h, width)


class MonolithicPipeline(Pipeline):
    """Screen → one CNN → action, trained by behaviour cloning on the expert's actions.

    Variants, each declared in its label and the ledger: ``inputs="symbols"`` reads the true
    grid of kinds (one-hot per cell) instead of the screen, which separates "cannot see" from
    "cannot plan"; ``augment`` trains on the board's symmetries (actions remapped) and, from
    pixels, on random colour maps; ``training`` ``dagger`` or ``distilled`` gathers more action
    labels by playing (see :mod:`compose.training.teaching`; plain ``fit`` is behaviour cloning).

    ``target="grid"``, for a game whose actions write values into cells (VisualSudoku), maps
    the screen straight to the filled grid: a value for every cell, trained on the cells the
    expert writes into (read off its actions; never on a given, whose value would be a label
    of what the screen shows), and played by writing its value for each cell in reading order
    (writing into a cell that is not blank changes nothing).
    """

    name = "monolithic"

    def __init__(
        self,
        game: GameSpec,
        size: str = "medium",
        grid: tuple[int, int] = (8, 8),
        tile: int = 8,
        *,
        inputs: Inputs = "pixels",
        augment: str | None = None,
        training: Training = "bc",
        target: Target = "action",
    ) -> None:
        if inputs not in ("pixels", "symbols"):
            raise ValueError("inputs must be pixels or symbols")
        if training not in TRAININGS:
            raise ValueError(f"training must be one of {', '.join(TRAININGS)}")
        if target not in ("action", "grid"):
            raise ValueError("target must be action or grid")
        self.game, self.size, self.grid, self.tile = game, size, tuple(grid), tile
        self.inputs, self.augment, self.training, self.target = inputs, augment, training, target
        if target == "grid":
            if not game.actions.values:
                raise ValueError(
                    f"{self.label}: a network that fills the grid plays games whose actions "
                    f"write values into cells; {game.title}'s do not"
                )
            if training != "bc" or augment:
                raise ValueError(
                    f"{self.label}: a network that fills the grid trains on the written cells "
                    "as they are (no DAgger, distillation or augmentation)"
                )
        self._next = 0  # the cell a grid-filling network writes next
        self.policy = self._make()
        self._augmenter = self._make_augment()  # refuses a game without declared symmetries

    @classmethod
    def for_env(cls, env: GridGame, size: str = "medium", **variant: Any) -> MonolithicPipeline:
        """A policy sized for ``env``'s game, grid and tile."""
        return cls(env.game, size, (env.height, env.width), env.tile, **variant)

    @property
    def symbolic(self) -> bool:
        return self.inputs == "symbols"

    def _make(self) -> torch.nn.Module:
        h, w = self.grid
        policy = make_policy(
            self.size,
            (h, w),
            self.game.actions.count(h, w),
            1 if self.symbolic else self.tile,
            spatial=bool(self.game.actions.per_cell),
            channels=self.game.num_kinds if self.symbolic else 3,
            values=self.game.actions.per_value,
        )
        if self.target == "grid":
            return GridHead(policy, (h, w), self.game.actions.per_value)
        return policy

    def _make_augment(self) -> Augment | None:
        symmetry, colour = augment_parts(self.augment)
        if colour and self.symbolic:
            raise ValueError(f"{self.label}: a network that reads the true grid sees no colour")
        if colour and (why := colour_refusal(self.game, "actions")):
            raise ValueError(f"{self.label}: {why}")
        try:
            return make_augment(
                symmetry=symmetry,
                colour=colour,
                targets="actions",
                actions=self.game.actions,
                grid=self.grid,
            )
        except ValueError as e:
            raise ValueError(f"{self.label}: {e}") from None

    def _encode(self, x: np.ndarray) -> torch.Tensor:
        return one_hot_cells(x, self.game.num_kinds) if self.symbolic else to_input(x)

    @property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.of(
            "monolithic",
            size=self.size,
            inputs=self.inputs,
            augment=self.augment,
            training=self.training,
            target=self.target,
        )

    def augmentations(self) -> tuple[str, ...]:
        """What the training batches were augmented with, for the ledger."""
        return describe_augment(self.augment, "actions remapped")

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Behaviour cloning on ``demos`` (for every ``training``: DAgger and distillation
        call this on the rows they gather)."""
        x = demos.cells if self.symbolic else demos.frames
        config = patient(config, self.augment)
        targets = (
            written_values(self.game, demos, self.grid) if self.target == "grid" else demos.actions
        )
        result = fit(self._make, x, targets, demos.episodes, config, self._augmenter, self._encode)
        self.policy = result.model
        report = fit_report(result, frames=len(demos), actions=len(demos))
        if self.symbolic:
            report.extra["true_grids"] = len(demos)  # it reads the truth, not screens
        return report

    def cannot_play(self, env: GridGame) -> str | None:
        if self.size != "pooled" and (env.height, env.width) != self.grid:
            return (
                f"{self.label} was built for {self.grid[0]}x{self.grid[1]} screens and cannot "
                f"play {env.height}x{env.width}; the pooled size (--size pooled) takes any size"
            )
        if env.tile != self.tile and not self.symbolic:
            return f"{self.label} reads {self.tile}-pixel cells, this screen has {env.tile}"
        return super().cannot_play(env)

    def reset(self) -> None:
        self._next = 0

    def memory(self) -> Any:
        return self._next

    @torch.inference_mode()
    def sense(self, screens: Sequence[np.ndarray], infos: Sequence[dict[str, Any]]) -> Any:
        if self.symbolic:
            return self.policy(self._encode(np.stack([i["scene"].grid for i in infos])))
        return self.policy(to_input(np.stack(screens)))

    @torch.inference_mode()
    def act(self, obs: np.ndarray, info: dict[str, Any], sensed: Any = None) -> Step:
        t0 = time.perf_counter()
        if sensed is None:
            x = self._encode(info["scene"].grid) if self.symbolic else to_input(obs)
            sensed = self.policy(x)[0]
        h, w = obs.shape[0] // self.tile, obs.shape[1] // self.tile
        if self.target == "grid":  # (V, H, W): this cell's likeliest value
            cell = self._next % (h * w)
            self._next += 1
            value = int(sensed.reshape(-1, h * w)[:, cell].argmax())
            action = cell * self.game.actions.per_value + value
        else:
            action = int(sensed.argmax())
        name = self.game.actions.name(action, h, w)
        return Step(action, neural_s=time.perf_counter() - t0, action_name=name)

    def describe(self) -> dict[str, Any]:
        return network_description(self)

    def save(self, directory: str | Path) -> Path:
        settings = {**self.spec.key_fields(), "grid": list(self.grid), "tile": self.tile}
        return save_checkpoint(directory, self.game, self.policy, settings)


class PPOPipeline(Pipeline):
    """Screen → a CNN policy → action, trained by PPO from the game's reward alone."""

    name = "ppo"

    def __init__(self, game: GameSpec, grid: tuple[int, int], tile: int = 8) -> None:
        self.game, self.grid, self.tile = game, tuple(grid), tile
        h, w = self.grid
        screen = gym.spaces.Box(0, 255, (h * tile, w * tile, 3), np.uint8)
        self.policy = make_ppo_policy(screen, gym.spaces.Discrete(game.actions.count(h, w)), tile)

    @classmethod
    def for_env(cls, env: GridGame) -> PPOPipeline:
        return cls(env.game, (env.height, env.width), env.tile)

    def fit_frames(
        self, env: GridGame, frames: int, seed: int, held_out: Collection[str] = frozenset()
    ) -> FitReport:
        """Train on ``frames`` steps of copies of ``env`` (its levels drawn from ``seed``,
        never a ``held_out`` one where the game has enough others)."""
        return next(self.fit_frames_at(env, [frames], seed, held_out))

    def fit_frames_at(
        self,
        env: GridGame,
        budgets: Sequence[int],
        seed: int,
        held_out: Collection[str] = frozenset(),
    ) -> Iterator[FitReport]:
        """One run to the largest of ``budgets``; then, for each budget in the order given,
        this pipeline holds the policy that run had at that budget (the policy a run of that
        budget alone ends with) and its report is yielded."""
        results = train_ppo_at(
            lambda: copy.deepcopy(env),
            budgets,
            seed,
            self.tile,
            held_out=held_out,
            redraws=REDRAWS,
        )
        for result in results:
            self.policy = result.policy
            yield FitReport(
                frames=result.frames,
                params=count_parameters(self.policy),
                train_seconds=result.seconds,
                extra={
                    "frames_to_0.9": result.frames_to_goal,
                    "curve": [[f, round(r, 4)] for f, r in result.curve],
                },
                levels=result.levels,
            )

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        raise TypeError("PPO learns from reward, not demonstrations: use fit_frames")

    @torch.inference_mode()
    def sense(self, screens: Sequence[np.ndarray], infos: Sequence[dict[str, Any]]) -> Any:
        actions, _ = self.policy.predict(np.stack(screens), deterministic=True)
        return actions

    @torch.inference_mode()
    def act(self, obs: np.ndarray, info: dict[str, Any], sensed: Any = None) -> Step:
        t0 = time.perf_counter()
        action = self.policy.predict(obs, deterministic=True)[0] if sensed is None else sensed
        h, w = obs.shape[0] // self.tile, obs.shape[1] // self.tile
        name = self.game.actions.name(int(action), h, w)
        return Step(int(action), neural_s=time.perf_counter() - t0, action_name=name)

    def cannot_play(self, env: GridGame) -> str | None:
        if (env.height, env.width) != self.grid or env.tile != self.tile:
            return (
                f"ppo was built for {self.grid[0]}x{self.grid[1]} screens of {self.tile}-pixel "
                f"cells and cannot play {env.height}x{env.width} of {env.tile}"
            )
        return super().cannot_play(env)

    def describe(self) -> dict[str, Any]:
        return network_description(self)

    def save(self, directory: str | Path) -> Path:
        settings = {**self.spec.key_fields(), "grid": list(self.grid), "tile": self.tile}
        return save_checkpoint(directory, self.game, self.policy, settings)

    @property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.of("ppo")

    def augmentations(self) -> tuple[str, ...]:
        """PPO trains on its own play, as it comes."""
        return ()


def network_description(pipe: MonolithicPipeline | PPOPipeline) -> dict[str, Any]:
    """What a pipeline that is one network is made of, for summaries and reports."""
    return {
        "pipeline": pipe.label,
        "game": pipe.game.name,
        "params": count_parameters(pipe.policy),
        "grid": list(pipe.grid),
        **({"augmentations": list(a)} if (a := pipe.augmentations()) else {}),
    }

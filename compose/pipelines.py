"""Pipelines: something that looks at a screen and picks an action, and can say why.

- ``HybridPipeline``: screen → ``CellClassifier`` → Scene → Prolog rules + search → action.
- ``MonolithicPipeline``: screen → one CNN → action (behaviour cloning).
- ``OraclePipeline``: the true Scene (``info["scene"]``) → the same reasoner. An upper bound
  that separates reasoning errors from perception errors.

Each is built in a line, trained with ``fit(demos)`` on a budget of expert demonstrations,
and can be saved and loaded (weights are read with ``torch.load(..., weights_only=True)``).
"""

from __future__ import annotations

import copy
import json
import pickle
import time
import warnings
from abc import ABC, abstractmethod
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

import gymnasium as gym
import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from compose.abduction import AbductionConfig, abduce, legend_of
from compose.abduction import refusal as abduction_refusal
from compose.errors import CheckpointError
from compose.files import replacing, write_json, write_text
from compose.symbols import decoder_for, hybrid_assumptions
from environments.core import GridGame, Scene
from environments.errors import clip
from environments.registry import games
from environments.spec import GameSpec
from neural.augment import AUGMENTS, Augment, augment_parts, describe_augment, make_augment
from neural.data import Demonstrations
from neural.modules import (
    POLICY_NAMES,
    CellClassifier,
    count_parameters,
    make_policy,
    one_hot_cells,
    to_input,
)
from neural.rl import make_ppo_policy, train_ppo
from neural.train import TrainConfig, TrainResult, fit
from symbolic.reasoner import Decision, Reasoner, load_reasoner

__all__ = [
    "FitReport",
    "HybridPipeline",
    "MonolithicPipeline",
    "OraclePipeline",
    "PPOPipeline",
    "Pipeline",
    "Step",
    "load_pipeline",
]

CHECKPOINT_FORMAT = 2
DEFAULT_TRAINING = TrainConfig()


@dataclass(frozen=True)
class Step:
    """One decision of a pipeline, with where its time went."""

    action: int
    decision: Decision | None = None  # symbolic pipelines explain themselves
    scene: Scene | None = None  # the Scene the pipeline reasoned about (perceived or true)
    neural_s: float = 0.0  # time in networks (perception, or the whole monolithic policy)
    symbolic_s: float = 0.0  # time in rules and search
    action_name: str = ""

    @property
    def latency_s(self) -> float:
        return self.neural_s + self.symbolic_s

    def explain(self) -> str:
        if self.decision is None:
            return f"{self.action_name or self.action}: chosen by a network (no explanation)"
        return self.decision.explain()


@dataclass
class FitReport:
    """What a pipeline consumed and what training cost."""

    frames: int = 0  # screens seen in training
    actions: int = 0  # expert action labels used
    cell_labels: int = 0  # per-cell kind labels used
    rule_clauses: int = 0  # hand-written clauses the pipeline reasons with
    params: int = 0
    train_seconds: float = 0.0
    learning_rate: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    steps: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class Pipeline(ABC):
    """Maps observations of one game to actions. ``name`` says what it is in reports."""

    name: ClassVar[str] = "pipeline"
    # Acts as a function of the screen and of memory() alone: coming back to a state with the
    # same memory repeats a loop, which lets evaluation cut it short.
    deterministic: ClassVar[bool] = True
    game: GameSpec

    def memory(self) -> Hashable:
        """What the pipeline carries from one decision to the next (nothing, by default)."""
        return ()

    @property
    def label(self) -> str:
        """Distinguishes variants (e.g. ``mono-large``) in reports."""
        return self.name

    def reset(self) -> None:  # noqa: B027  (optional hook, empty by default)
        """Called at the start of every episode."""

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Learn from demonstrations; a pipeline with nothing to learn reports what it uses."""
        return FitReport()

    @abstractmethod
    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        """Choose the next action for ``obs`` (``info`` is the environment's info dict)."""

    def describe(self) -> dict[str, Any]:
        """What the pipeline is made of, for summaries and reports."""
        return {"pipeline": self.label}

    def save(self, directory: str | Path) -> Path:
        raise CheckpointError(f"the {self.label} pipeline has nothing to save")

    def cannot_play(self, env: GridGame) -> str | None:
        """Why this pipeline cannot play ``env`` at all (another game, ...), or None."""
        if env.game.name != self.game.name:
            return (
                f"{self.label} plays {self.game.title}, not {env.game.title}: "
                "a pipeline plays the game it was built for"
            )
        return None


class _ReasoningPipeline(Pipeline):
    """A pipeline that acts through the symbolic reasoner."""

    reasoner: Reasoner

    def reset(self) -> None:
        self.reasoner.reset()

    def memory(self) -> Hashable:
        return self.reasoner.memory()

    @classmethod
    def for_game(
        cls,
        game: GameSpec | str,
        rules: str | Path | None = None,
        search: str | None = None,
    ) -> Self:
        """Built with ``game``'s packaged rules, or with a user's ``rules`` file (checked)."""
        spec = game if isinstance(game, GameSpec) else game_named(game)
        return cls(load_reasoner(spec, rules, search))  # type: ignore[call-arg]


class OraclePipeline(_ReasoningPipeline):
    """Ground-truth Scene → symbolic reasoner. Reads ``info["scene"]``, never the pixels."""

    name = "oracle"

    def __init__(self, reasoner: Reasoner) -> None:
        self.reasoner = reasoner
        self.game = reasoner.game

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        return self.fit_report()

    def fit_report(self) -> FitReport:
        """What the oracle uses: no data, the rule clauses."""
        return FitReport(rule_clauses=self.reasoner.rules.ledger.clauses)

    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        scene = info["scene"]
        decision = self.reasoner.decide(scene)
        return Step(decision.action, decision, scene, symbolic_s=time.perf_counter() - t0)

    def describe(self) -> dict[str, Any]:
        return {"pipeline": self.label, "game": self.game.name, **self.reasoner.knowledge()}


Supervision = Literal["labels", "abduced", "legend"]
SUPERVISIONS: tuple[str, ...] = ("labels", "abduced", "legend")


class HybridPipeline(_ReasoningPipeline):
    """Screen → per-cell perception → Scene → the symbolic reasoner.

    ``supervision`` says how perception learns: from the true kind of every demonstration
    cell (``labels``), from no cell label at all -- the screens, the expert's actions and the
    rules, by abduction (``abduced``) -- or from one labelled cell per kind (``legend``).
    """

    name = "hybrid"

    def __init__(
        self,
        reasoner: Reasoner,
        perception: CellClassifier | None = None,
        tile: int = 8,
        supervision: Supervision = "labels",
        augment: str | None = None,
    ) -> None:
        if supervision not in SUPERVISIONS:
            raise ValueError(f"supervision must be one of {', '.join(SUPERVISIONS)}")
        if supervision != "labels" and (why := abduction_refusal(reasoner.game)):
            raise ValueError(f"hybrid-{supervision}: {why}")
        self.supervision = supervision
        augment_parts(augment)  # refuses an unknown setting
        self.augment = augment  # how perception's training screens are augmented
        self.reasoner = reasoner
        self.game = reasoner.game
        self.decoder = decoder_for(self.game)
        self.perception = perception or CellClassifier(self.game.num_kinds, tile=tile)
        # The screen does not show what the agent holds: remember it from our own actions.
        self._held: tuple[str, ...] = ()

    def reset(self) -> None:
        super().reset()
        self._held = ()

    def memory(self) -> Hashable:
        return (self._held, self.reasoner.memory())

    @property
    def label(self) -> str:
        label = self.name if self.supervision == "labels" else f"{self.name}-{self.supervision}"
        return f"{label}-{AUGMENTS[self.augment]}" if self.augment else label

    def _augment(self, demos: Demonstrations) -> Augment | None:
        symmetry, colour = augment_parts(self.augment)
        return make_augment(
            symmetry=symmetry,
            colour=colour,
            targets="cells",
            kinds=self.game.kinds,
            grid=demos.cells.shape[1:],
        )

    def augmentations(self) -> tuple[str, ...]:
        """What perception's training screens were augmented with, for the ledger."""
        return describe_augment(self.augment, "kinds that face a way turned with it")

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Train perception: on the demonstrations' true cell kinds (``labels``), or on the
        kinds abduction reads off screens, actions and rules (``abduced``, ``legend``)."""
        if self.supervision != "labels":
            return self._fit_abduced(demos, config)
        tile, kinds = self.perception.tile, self.game.num_kinds
        config = _patient(TrainConfig(**{**asdict(config), "balance_classes": True}), self.augment)
        result = fit(
            lambda: CellClassifier(kinds, tile=tile),
            demos.frames,
            demos.cells,
            demos.episodes,
            config,
            self._augment(demos),
        )
        self.perception = result.model  # type: ignore[assignment]
        return _fit_report(
            result,
            frames=len(demos),
            cell_labels=int(demos.cells.size),
            rule_clauses=self.reasoner.rules.ledger.clauses,
        )

    def _fit_abduced(self, demos: Demonstrations, config: TrainConfig) -> FitReport:
        """Abductive learning: read the cells off the screens, the expert's actions and the
        rules; train perception on the reading of the episodes it explains; read again with
        perception's probabilities deciding ties (ABL's revision); train again."""
        t0 = time.perf_counter()
        tile, kinds = self.perception.tile, self.game.num_kinds
        config = _patient(TrainConfig(**{**asdict(config), "balance_classes": True}), self.augment)
        settings = AbductionConfig()
        legend = legend_of(demos, tile) if self.supervision == "legend" else None
        reading = abduce(self.game, self.reasoner, demos, tile, settings, legend=legend)
        first = reading
        # The first perception only has to break ties for the revision: a short training.
        quick = TrainConfig(
            **{
                **asdict(config),
                "learning_rates": config.learning_rates[:1],
                "max_steps": min(config.max_steps, 300),
            }
        )
        result = None
        for round_config in (quick, config):  # abduce, train; revise with its help, train
            rows = reading.explained if reading.explained.any() else np.ones(len(demos), bool)
            result = fit(
                lambda: CellClassifier(kinds, tile=tile),
                demos.frames[rows],
                reading.labels[rows],
                demos.episodes[rows],
                round_config,
                self._augment(demos),
            )
            self.perception = result.model  # type: ignore[assignment]
            if reading is not first:
                break
            probs = self.perceive_batch(demos.frames)
            reading = abduce(self.game, self.reasoner, demos, tile, settings, probabilities=probs)
        assert result is not None
        seen = self.perceive_batch(demos.frames).argmax(-1)
        report = _fit_report(
            result,
            frames=len(demos),
            actions=len(demos),
            cell_labels=len(legend or ()),
            rule_clauses=self.reasoner.rules.ledger.clauses,
        )
        report.train_seconds = time.perf_counter() - t0
        report.extra.update(
            {
                # Measured against the game's truth after training, never trained on:
                "abduced_cell_accuracy": float((reading.labels == demos.cells).mean()),
                "perceived_cell_accuracy": float((seen == demos.cells).mean()),
                "abduction_agreement": reading.agreement,
                "episodes_explained": int(reading.extra["episodes_explained"]),
                "ambiguous_cells": reading.ambiguous_cells,
                "abduction_seconds": first.seconds + reading.seconds,
            }
        )
        return report

    @torch.inference_mode()
    def perceive(self, obs: np.ndarray) -> np.ndarray:
        """Per-cell kind probabilities, ``(H, W, K)``."""
        logits = self.perception(to_input(obs))[0]  # (K, H, W)
        return torch.softmax(logits, 0).permute(1, 2, 0).numpy()

    @torch.inference_mode()
    def perceive_batch(self, frames: np.ndarray, batch: int = 256) -> np.ndarray:
        """Per-cell kind probabilities of many screens, ``(N, H, W, K)``."""
        out = [
            torch.softmax(self.perception(to_input(frames[i : i + batch])), 1)
            .permute(0, 2, 3, 1)
            .numpy()
            for i in range(0, len(frames), batch)
        ]
        return np.concatenate(out) if out else np.zeros((0,))

    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        scene = self.decoder(self.game, self.perceive(obs))
        if self.game.hidden_inventory:
            scene = Scene(self.game, scene.grid, scene.agent, self._held)
        t1 = time.perf_counter()
        decision = self.reasoner.decide(scene)
        if self.game.hidden_inventory:
            self._held = self.reasoner.carried_after(scene, decision.action)
        return Step(
            decision.action,
            decision,
            scene,
            t1 - t0,
            time.perf_counter() - t1,
            decision.action_name,
        )

    def cannot_play(self, env: GridGame) -> str | None:
        if env.tile != self.perception.tile:
            return (
                f"{self.label}'s perception reads {self.perception.tile}-pixel cells, and "
                f"this screen has {env.tile}-pixel cells"
            )
        return super().cannot_play(env)

    def describe(self) -> dict[str, Any]:
        return {
            "pipeline": self.label,
            "game": self.game.name,
            "perception_params": count_parameters(self.perception),
            "decoder_assumptions": list(hybrid_assumptions(self.game)),
            "augmentations": list(self.augmentations()),
            **self.reasoner.knowledge(),
        }

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        write_text(directory / "rules.pl", _rules_text(self.reasoner))
        _save_weights(self.perception, directory)
        _write_manifest(
            directory,
            self.game,
            {
                "kind": "hybrid",
                "tile": self.perception.tile,
                "search": self.reasoner.search,
                "supervision": self.supervision,
                "augment": self.augment,
            },
        )
        return directory


Inputs = Literal["pixels", "symbols"]
Training = Literal["bc", "dagger", "distilled"]
TRAININGS: tuple[str, ...] = ("bc", "dagger", "distilled")


class MonolithicPipeline(Pipeline):
    """Screen → one CNN → action, trained by behaviour cloning on the expert's actions.

    Variants, each declared in its label and the ledger: ``inputs="symbols"`` reads the true
    grid of kinds (one-hot per cell) instead of the screen, which separates "cannot see" from
    "cannot plan"; ``augment`` trains on the board's symmetries (actions remapped) and, from
    pixels, on random colour maps; ``training`` ``dagger`` or ``distilled`` gathers more action
    labels by playing (see :mod:`compose.teaching`; plain ``fit`` is behaviour cloning).
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
    ) -> None:
        if inputs not in ("pixels", "symbols"):
            raise ValueError("inputs must be pixels or symbols")
        if training not in TRAININGS:
            raise ValueError(f"training must be one of {', '.join(TRAININGS)}")
        self.game, self.size, self.grid, self.tile = game, size, tuple(grid), tile
        self.inputs, self.augment, self.training = inputs, augment, training
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
        return make_policy(
            self.size,
            (h, w),
            self.game.actions.count(h, w),
            1 if self.symbolic else self.tile,
            spatial=bool(self.game.actions.per_cell),
            channels=self.game.num_kinds if self.symbolic else 3,
        )

    def _make_augment(self) -> Augment | None:
        symmetry, colour = augment_parts(self.augment)
        if colour and self.symbolic:
            raise ValueError(f"{self.label}: a network that reads the true grid sees no colour")
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
    def label(self) -> str:
        parts = [f"mono-{self.size}"]
        parts += ["symbolic"] if self.symbolic else []
        parts += [AUGMENTS[self.augment]] if self.augment else []
        parts += [self.training] if self.training != "bc" else []
        return "-".join(parts)

    def augmentations(self) -> tuple[str, ...]:
        """What the training batches were augmented with, for the ledger."""
        return describe_augment(self.augment, "actions remapped")

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Behaviour cloning on ``demos`` (for every ``training``: DAgger and distillation
        call this on the rows they gather)."""
        x = demos.cells if self.symbolic else demos.frames
        config = _patient(config, self.augment)
        result = fit(
            self._make, x, demos.actions, demos.episodes, config, self._augmenter, self._encode
        )
        self.policy = result.model
        report = _fit_report(result, frames=len(demos), actions=len(demos))
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

    @torch.inference_mode()
    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        x = self._encode(info["scene"].grid) if self.symbolic else to_input(obs)
        action = int(self.policy(x)[0].argmax())
        h, w = obs.shape[0] // self.tile, obs.shape[1] // self.tile
        name = self.game.actions.name(action, h, w)
        return Step(action, neural_s=time.perf_counter() - t0, action_name=name)

    def describe(self) -> dict[str, Any]:
        return _network_description(self)

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _save_weights(self.policy, directory)
        _write_manifest(
            directory,
            self.game,
            {
                "kind": "monolithic",
                "size": self.size,
                "grid": list(self.grid),
                "tile": self.tile,
                "inputs": self.inputs,
                "augment": self.augment,
                "training": self.training,
            },
        )
        return directory


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

    def fit_frames(self, env: GridGame, frames: int, seed: int) -> FitReport:
        """Train on ``frames`` steps of copies of ``env`` (its levels drawn from ``seed``)."""
        result = train_ppo(lambda: copy.deepcopy(env), frames, seed, self.tile)
        self.policy = result.policy
        return FitReport(
            frames=result.frames,
            params=count_parameters(self.policy),
            train_seconds=result.seconds,
            extra={
                "frames_to_0.9": result.frames_to_goal,
                "curve": [[f, round(r, 4)] for f, r in result.curve],
            },
        )

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        raise TypeError("PPO learns from reward, not demonstrations: use fit_frames")

    @torch.inference_mode()
    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        action, _ = self.policy.predict(obs, deterministic=True)
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
        return _network_description(self)

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        _save_weights(self.policy, directory)
        _write_manifest(
            directory, self.game, {"kind": "ppo", "grid": list(self.grid), "tile": self.tile}
        )
        return directory


def game_named(name: str) -> GameSpec:
    """A registered game's specification by its name (``keydoor``)."""
    for game in games():
        if game.name == name:
            return game
    known = ", ".join(g.name for g in games())
    raise CheckpointError(f"no registered game is named {name!r}; the games are {known}")


class Manifest(BaseModel):
    """``pipeline.json``: what built a saved pipeline, checked before anything is allocated."""

    model_config = ConfigDict(extra="ignore")

    format: int
    game: str = Field(max_length=64)
    kinds: list[str] = Field(max_length=256)
    kind: Literal["hybrid", "monolithic", "ppo"]
    tile: int = Field(ge=4, le=32)
    search: str | None = Field(None, max_length=64)
    size: str | None = Field(None, max_length=64)
    grid: tuple[int, int] | None = None
    supervision: Literal["labels", "abduced", "legend"] = "labels"
    augment: Literal["symmetry", "colour", "both"] | None = None
    inputs: Literal["pixels", "symbols"] = "pixels"
    training: Literal["bc", "dagger", "distilled"] = "bc"

    @field_validator("grid")
    @classmethod
    def _grid(cls, v: tuple[int, int] | None) -> tuple[int, int] | None:
        if v is not None and not all(1 <= n <= 64 for n in v):
            raise ValueError("a grid side is from 1 to 64 cells")
        return v


def read_manifest(directory: Path) -> Manifest:
    """The checked ``pipeline.json`` of a saved pipeline (CheckpointError if it is not one)."""
    path = directory / "pipeline.json"
    if not path.is_file():
        raise CheckpointError(f"{directory} holds no saved pipeline (pipeline.json is missing)")
    if path.stat().st_size > 1_000_000:
        raise CheckpointError(f"{path}: {path.stat().st_size:,} bytes is not a pipeline.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise CheckpointError(f"{path} is not JSON ({e}); save the pipeline again") from None
    if not isinstance(data, dict):
        raise CheckpointError(
            f"{path} must hold a table of settings, not a {type(data).__name__}; save the "
            "pipeline again"
        )
    if data.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(
            f"{path}: unsupported checkpoint format {clip(data.get('format'))} "
            f"(this Neurocomp reads format {CHECKPOINT_FORMAT}); train and save it again"
        )
    try:
        return Manifest.model_validate(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(map(str, first["loc"])) or "pipeline.json"
        got = f" (got {clip(first['input'])})" if first["type"] != "missing" else ""
        raise CheckpointError(
            f"{path}: {where}: {first['msg']}{got}; save the pipeline again"
        ) from None


def load_pipeline(
    directory: str | Path, game: GameSpec | None = None
) -> HybridPipeline | MonolithicPipeline | PPOPipeline:
    """Load a pipeline saved with ``save``. Rules are re-checked; weights cannot run code.

    With ``game``, a pipeline saved for another game (or for other kinds) is refused.
    """
    directory = Path(directory)
    manifest = read_manifest(directory)
    manifest_path = directory / "pipeline.json"
    saved = game_named(manifest.game)
    if manifest.kinds != list(saved.kind_names):
        raise CheckpointError(
            f"{manifest_path}: saved with the kinds {manifest.kinds}, but "
            f"{saved.title} now has {list(saved.kind_names)}; train and save it again"
        )
    if game is not None and game.name != saved.name:
        raise CheckpointError(
            f"the pipeline in {directory} was trained on {saved.title} and cannot play "
            f"{game.title} (its kinds are {', '.join(saved.kind_names)})"
        )
    try:
        if manifest.kind == "hybrid":
            reasoner = load_reasoner(saved, directory / "rules.pl", manifest.search)
            pipe: HybridPipeline | MonolithicPipeline | PPOPipeline = HybridPipeline(
                reasoner,
                tile=manifest.tile,
                supervision=manifest.supervision,
                augment=manifest.augment,
            )
            module = pipe.perception
        elif manifest.kind == "ppo":
            if manifest.grid is None:
                raise CheckpointError(f"{manifest_path}: a ppo pipeline needs its grid")
            pipe = PPOPipeline(saved, manifest.grid, manifest.tile)
            module = pipe.policy
        else:
            if manifest.size not in POLICY_NAMES or manifest.grid is None:
                raise CheckpointError(
                    f"{manifest_path}: a monolithic pipeline needs a size (one of "
                    f"{', '.join(POLICY_NAMES)}) and a grid; save the pipeline again"
                )
            pipe = MonolithicPipeline(
                saved,
                manifest.size,
                manifest.grid,
                manifest.tile,
                inputs=manifest.inputs,
                augment=manifest.augment,
                training=manifest.training,
            )
            module = pipe.policy
        try:
            with warnings.catch_warnings():  # torch's advice on pickle protocols is not ours
                warnings.simplefilter("ignore", UserWarning)
                state = torch.load(directory / "weights.pt", weights_only=True, map_location="cpu")
        except (pickle.UnpicklingError, EOFError) as e:
            raise CheckpointError(
                f"cannot load the pipeline in {directory}: weights.pt holds something other "
                "than plain tensors (or is cut short). Neurocomp reads weights with "
                "torch.load(weights_only=True), which never runs code from the file, and "
                f"refuses anything else ({type(e).__name__}); save the pipeline again"
            ) from None
        module.load_state_dict(state)
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, OSError) as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"cannot load the pipeline in {directory}: {first_line}") from e
    module.eval()
    return pipe


def _network_description(pipe: MonolithicPipeline | PPOPipeline) -> dict[str, Any]:
    """What a pipeline that is one network is made of, for summaries and reports."""
    return {
        "pipeline": pipe.label,
        "game": pipe.game.name,
        "params": count_parameters(pipe.policy),
        "grid": list(pipe.grid),
        **({"augmentations": list(a)} if (a := getattr(pipe, "augmentations", tuple)()) else {}),
    }


def _patient(config: TrainConfig, augment: str | None) -> TrainConfig:
    """Augmented data is learnt more slowly (for hundreds of steps a network can sit at chance
    on it): no early stop before half the steps."""
    if not augment:
        return config
    return TrainConfig(**{**asdict(config), "min_steps": config.max_steps // 2})


def _fit_report(result: TrainResult, **consumed: int) -> FitReport:
    return FitReport(
        params=count_parameters(result.model),
        train_seconds=result.seconds,
        learning_rate=result.learning_rate,
        val_loss=result.val_loss,
        val_accuracy=result.val_accuracy,
        steps=result.steps,
        **consumed,
    )


def _write_manifest(directory: Path, game: GameSpec, data: dict[str, Any]) -> None:
    head = {"format": CHECKPOINT_FORMAT, "game": game.name, "kinds": list(game.kind_names)}
    write_json(directory / "pipeline.json", {**head, **data})


def _save_weights(module: torch.nn.Module, directory: Path) -> None:
    with replacing(directory / "weights.pt") as tmp:
        torch.save(module.state_dict(), tmp)


def _rules_text(reasoner: Reasoner) -> str:
    source = Path(reasoner.rules.source)
    if not source.is_file():
        raise CheckpointError(f"the rules ({reasoner.rules.source}) are not a file to save")
    return source.read_text(encoding="utf-8")

"""The pipelines that reason with rules someone wrote: ``HybridPipeline`` (screen → per-cell
perception, ``CellClassifier`` or ``PatchClassifier``, → Scene → Prolog rules + search →
action), whose perception learns from labelled cells, by abduction from none
(:mod:`compose.abduction`), or from one labelled cell per kind; and ``OraclePipeline`` (the true
Scene, ``info["scene"]``, → the same reasoner: an upper bound that separates reasoning errors
from perception errors). What every pipeline is lives in :mod:`compose.pipelines.base`; the
monolithic networks in :mod:`compose.pipelines.networks`; saving and loading in
:mod:`compose.pipelines.checkpoints` and :mod:`compose.pipelines.loading` (weights are read with
``torch.load(..., weights_only=True)``).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Hashable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Literal, Self

import numpy as np
import torch

from compose.abduction.appearances import legend_of
from compose.abduction.episodes import AbductionConfig
from compose.abduction.reading import abduce
from compose.abduction.reading import refusal as abduction_refusal
from compose.common.symbols import cautious_scene, decoder_for, hybrid_assumptions
from compose.pipelines.base import DEFAULT_TRAINING, FitReport, Pipeline, Step, fit_report, patient
from compose.pipelines.checkpoints import game_named, save_checkpoint
from compose.pipelines.spec import PipelineSpec
from environments.core import GridGame, Scene
from environments.spec import GameSpec
from neural.augment import (
    Augment,
    augment_parts,
    colour_refusal,
    describe_augment,
    make_augment,
)
from neural.data import Demonstrations, cell_patches
from neural.modules import PERCEPTIONS, count_parameters, make_perception, to_input
from neural.train import TrainConfig, TrainResult, fit
from symbolic.reasoner import Decision, Reasoner, load_reasoner

__all__ = ["SUPERVISIONS", "HybridPipeline", "OraclePipeline"]


class _ReasoningPipeline(Pipeline):
    """A pipeline that acts through the symbolic reasoner."""

    reasoner: Reasoner

    def reset(self) -> None:
        self.reasoner.reset()

    def memory(self) -> Hashable:
        return self.reasoner.memory()

    def fork(self) -> Self:
        twin = copy.copy(self)
        twin.reasoner = self.reasoner.fork()
        twin.reset()
        return twin

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

    @property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.of("oracle")

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        return self.fit_report()

    def fit_report(self) -> FitReport:
        """What the oracle uses: no data, the rule clauses."""
        return FitReport(rule_clauses=self.reasoner.clauses())

    def act(self, obs: np.ndarray, info: dict[str, Any], sensed: Any = None) -> Step:
        t0 = time.perf_counter()
        scene = info["scene"]
        decision = self.reasoner.decide(scene)
        return Step(decision.action, decision, scene, symbolic_s=time.perf_counter() - t0)

    def describe(self) -> dict[str, Any]:
        return {"pipeline": self.label, "game": self.game.name, **self.reasoner.knowledge()}


Supervision = Literal["labels", "abduced", "legend"]
PATCH_BATCH = 256  # cells per training batch of a perception that reads each cell alone
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
        perception: torch.nn.Module | None = None,
        tile: int = 8,
        supervision: Supervision = "labels",
        augment: str | None = None,
        perception_kind: str = "linear",
    ) -> None:
        if perception_kind not in PERCEPTIONS:
            raise ValueError(
                f"perception must be one of {', '.join(PERCEPTIONS)}, not {perception_kind!r}"
            )
        if supervision not in SUPERVISIONS:
            raise ValueError(f"supervision must be one of {', '.join(SUPERVISIONS)}")
        if supervision != "labels" and (why := abduction_refusal(reasoner.game, supervision)):
            raise ValueError(f"hybrid-{supervision}: {why}")
        self.supervision = supervision
        _, colour = augment_parts(augment)  # refuses an unknown setting
        if colour and (why := colour_refusal(reasoner.game)):
            raise ValueError(f"hybrid: {why}")
        self.augment = augment  # how perception's training screens are augmented
        self.reasoner = reasoner
        self.game = reasoner.game
        self.decoder = decoder_for(self.game)
        self.perception_kind = perception_kind
        self.perception = perception or make_perception(perception_kind, self.game.num_kinds, tile)
        # The screen does not show what the agent holds: remember it from our own actions.
        self._held: tuple[str, ...] = ()

    def reset(self) -> None:
        super().reset()
        self._held = ()

    def memory(self) -> Hashable:
        return (self._held, self.reasoner.memory())

    @property
    def spec(self) -> PipelineSpec:
        return PipelineSpec.of(
            "hybrid",
            supervision=self.supervision,
            augment=self.augment,
            perception=self.perception_kind,
        )

    def _augment(self, grid: tuple[int, ...]) -> Augment | None:
        symmetry, colour = augment_parts(self.augment)
        return make_augment(
            symmetry=symmetry,
            colour=colour,
            targets="cells",
            kinds=self.game.kinds,
            grid=grid,
            colours=self.game.colours,
        )

    def _train(
        self, frames: np.ndarray, labels: np.ndarray, episodes: np.ndarray, config: TrainConfig
    ) -> TrainResult:
        """Train a fresh perception on screens and their cells' kinds. A ``conv`` perception
        reads each cell alone, so it trains on the distinct cells (much less data than the
        screens, which repeat most cells) in batches of ``PATCH_BATCH`` cells."""
        tile, kinds, name = self.perception.tile, self.game.num_kinds, self.perception_kind
        if name == "conv":
            frames, labels, episodes = cell_patches(frames, labels, episodes, tile)
            config = TrainConfig(
                **{**asdict(config), "batch_size": PATCH_BATCH, "augment_validation": True}
            )
        result = fit(
            lambda: make_perception(name, kinds, tile),
            frames,
            labels,
            episodes,
            config,
            self._augment(labels.shape[1:]),
        )
        self.perception = result.model  # type: ignore[assignment]
        return result

    def augmentations(self) -> tuple[str, ...]:
        """What perception's training screens were augmented with, for the ledger."""
        return describe_augment(self.augment, "kinds that face a way turned with it", self.game)

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Train perception: on the demonstrations' true cell kinds (``labels``), or on the
        kinds abduction reads off screens, actions and rules (``abduced``, ``legend``)."""
        if self.supervision != "labels":
            return self._fit_abduced(demos, config)
        config = patient(TrainConfig(**{**asdict(config), "balance_classes": True}), self.augment)
        result = self._train(demos.frames, demos.cells, demos.episodes, config)
        return fit_report(
            result,
            frames=len(demos),
            cell_labels=int(demos.cells.size),
            rule_clauses=self.reasoner.clauses(),
        )

    def _fit_abduced(self, demos: Demonstrations, config: TrainConfig) -> FitReport:
        """Abductive learning: read the cells off the screens, the expert's actions and the
        rules; train perception on the reading of the episodes it explains; read again with
        perception's probabilities deciding ties (ABL's revision); train again."""
        t0 = time.perf_counter()
        tile = self.perception.tile
        config = patient(TrainConfig(**{**asdict(config), "balance_classes": True}), self.augment)
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
            result = self._train(
                demos.frames[rows], reading.labels[rows], demos.episodes[rows], round_config
            )
            if reading is not first:
                break
            probs = self.perceive_batch(demos.frames)
            reading = abduce(self.game, self.reasoner, demos, tile, settings, probabilities=probs)
        assert result is not None
        seen = self.perceive_batch(demos.frames).argmax(-1)
        alike = self.reasoner.alike()
        report = fit_report(
            result,
            frames=len(demos),
            actions=len(demos),
            cell_labels=len(legend or ()),
            rule_clauses=self.reasoner.clauses(),
        )
        report.train_seconds = time.perf_counter() - t0
        report.extra.update(
            {
                # Measured against the game's truth after training, never trained on:
                "abduced_cell_accuracy": float((reading.labels == demos.cells).mean()),
                "perceived_cell_accuracy": float((seen == demos.cells).mean()),
                # ... and counting a kind read as one the rules treat alike as right
                "perceived_alike_accuracy": float((alike[seen] == alike[demos.cells]).mean()),
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

    def sense(self, screens: Sequence[np.ndarray], infos: Sequence[dict[str, Any]]) -> Any:
        return self.perceive_batch(np.stack(screens))

    def act(self, obs: np.ndarray, info: dict[str, Any], sensed: Any = None) -> Step:
        t0 = time.perf_counter()
        probs = self.perceive(obs) if sensed is None else sensed
        scene = self.decoder(self.game, probs)
        if self.game.hidden_inventory:
            scene = Scene(self.game, scene.grid, scene.agent, self._held)
        scene.mission = str(info.get("mission", ""))  # the words beside the screen
        t1 = time.perf_counter()
        read = None
        if self.reasoner.reads_likeliest:  # the rules' work: symbolic seconds
            read, scene = scene, self.reasoner.likeliest(scene, probs)
        decision = self._decide(scene, probs)
        if read is not None and (changed := int((read.grid != scene.grid).sum())):
            note = f" (read as the likeliest scene the rules allow: {changed} cell"
            decision = replace(
                decision, summary=f"{decision.summary}{note}{'s' * (changed > 1)} changed)"
            )
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

    def _decide(self, scene: Scene, probs: np.ndarray) -> Decision:
        """Plan around the cells that might kill, if a plan around them exists; else plan on
        the scene as read (see ``compose.common.symbols.cautious_scene``)."""
        careful = cautious_scene(scene, probs, self.reasoner.deadly_kinds())
        if careful is not None:
            decision = self.reasoner.decide(careful)
            if decision.plan:
                avoided = int((careful.grid != scene.grid).sum())
                note = f" (keeping away from {avoided} cell{'s' * (avoided > 1)} that might kill)"
                return replace(decision, summary=decision.summary + note)
        return self.reasoner.decide(scene)

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
            "perception": self.perception_kind,
            "perception_params": count_parameters(self.perception),
            "decoder_assumptions": list(hybrid_assumptions(self.game)),
            "augmentations": list(self.augmentations()),
            **self.reasoner.knowledge(),
        }

    def save(self, directory: str | Path) -> Path:
        return save_checkpoint(
            directory, self.game, self.perception, self.manifest(), self.reasoner
        )

    def manifest(self) -> dict[str, Any]:
        """What a saved hybrid's ``pipeline.json`` says built it: its spec, its cells' size
        and its search."""
        where = {"tile": self.perception.tile, "search": self.reasoner.search}
        return {**self.spec.key_fields(), **where}

"""Pipelines: something that looks at a screen and picks an action, and can say why.

- ``HybridPipeline``: screen → ``CellClassifier`` → Scene → Prolog rules + search → action.
- ``MonolithicPipeline``: screen → one CNN → action (behaviour cloning).
- ``OraclePipeline``: the true Scene (``info["scene"]``) → the same reasoner. An upper bound
  that separates reasoning errors from perception errors.

Each is built in a line, trained with ``fit(demos)`` on a budget of expert demonstrations,
and can be saved and loaded (weights are read with ``torch.load(..., weights_only=True)``).
"""

from __future__ import annotations

import json
import pickle
import time
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import torch

from compose.errors import CheckpointError
from compose.symbols import DECODER_ASSUMPTIONS, scene_from_probs
from environments.core import Action, Kind, Scene
from neural.data import Demonstrations
from neural.modules import CellClassifier, count_parameters, make_policy, to_input
from neural.train import TrainConfig, TrainResult, fit
from symbolic.reasoner import Decision, Reasoner, rules_path

__all__ = [
    "FitReport",
    "HybridPipeline",
    "MonolithicPipeline",
    "OraclePipeline",
    "Pipeline",
    "Step",
    "load_pipeline",
]

CHECKPOINT_FORMAT = 1
DEFAULT_TRAINING = TrainConfig()


@dataclass(frozen=True)
class Step:
    """One decision of a pipeline, with where its time went."""

    action: Action
    decision: Decision | None = None  # symbolic pipelines explain themselves
    scene: Scene | None = None  # the Scene the pipeline reasoned about (perceived or true)
    neural_s: float = 0.0  # time in networks (perception, or the whole monolithic policy)
    symbolic_s: float = 0.0  # time in rules and search

    @property
    def latency_s(self) -> float:
        return self.neural_s + self.symbolic_s

    def explain(self) -> str:
        if self.decision is None:
            return f"{self.action.name}: chosen by a network (no explanation)"
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
    """Maps observations to actions. ``name`` says what it is in reports and run names."""

    name: ClassVar[str] = "pipeline"
    # Acts on the current screen alone, deterministically (lets evaluation cut loops short).
    memoryless: ClassVar[bool] = True

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


class _ReasoningPipeline(Pipeline):
    """A pipeline that acts through the symbolic reasoner."""

    reasoner: Reasoner

    @classmethod
    def for_game(cls, game: str, rules: str | Path | None = None, search: str = "networkx") -> Self:
        """Built with ``game``'s packaged rules, or with a user's ``rules`` file (checked)."""
        return cls(Reasoner.from_file(rules or rules_path(game), search))  # type: ignore[arg-type,call-arg]


class OraclePipeline(_ReasoningPipeline):
    """Ground-truth Scene → symbolic reasoner. Reads ``info["scene"]``, never the pixels."""

    name = "oracle"

    def __init__(self, reasoner: Reasoner) -> None:
        self.reasoner = reasoner

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        return FitReport(rule_clauses=self.reasoner.rules.ledger.clauses)

    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        scene = info["scene"]
        decision = self.reasoner.decide(scene)
        return Step(decision.action, decision, scene, symbolic_s=time.perf_counter() - t0)

    def describe(self) -> dict[str, Any]:
        return {"pipeline": self.label, **_rules_description(self.reasoner)}


class HybridPipeline(_ReasoningPipeline):
    """Screen → per-cell perception → Scene → the symbolic reasoner."""

    name = "hybrid"

    def __init__(self, reasoner: Reasoner, perception: CellClassifier | None = None) -> None:
        self.reasoner = reasoner
        self.perception = perception or CellClassifier(kinds=len(Kind))

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Train perception on the demonstrations' screens and true cell kinds (not actions)."""
        tile = self.perception.tile
        config = TrainConfig(**{**asdict(config), "balance_classes": True})
        result = fit(
            lambda: CellClassifier(tile=tile, kinds=len(Kind)),
            demos.frames,
            demos.cells,
            demos.episodes,
            config,
        )
        self.perception = result.model  # type: ignore[assignment]
        return _fit_report(
            result,
            frames=len(demos),
            cell_labels=int(demos.cells.size),
            rule_clauses=self.reasoner.rules.ledger.clauses,
        )

    @torch.inference_mode()
    def perceive(self, obs: np.ndarray) -> np.ndarray:
        """Per-cell kind probabilities, ``(H, W, K)``."""
        logits = self.perception(to_input(obs))[0]  # (K, H, W)
        return torch.softmax(logits, 0).permute(1, 2, 0).numpy()

    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        scene = scene_from_probs(self.perceive(obs))
        t1 = time.perf_counter()
        decision = self.reasoner.decide(scene)
        return Step(decision.action, decision, scene, t1 - t0, time.perf_counter() - t1)

    def describe(self) -> dict[str, Any]:
        return {
            "pipeline": self.label,
            "perception_params": count_parameters(self.perception),
            "decoder_assumptions": list(DECODER_ASSUMPTIONS),
            **_rules_description(self.reasoner),
        }

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "rules.pl").write_text(_rules_text(self.reasoner))
        torch.save(self.perception.state_dict(), directory / "weights.pt")
        _write_manifest(
            directory,
            {"kind": "hybrid", "tile": self.perception.tile, "search": self.reasoner.search},
        )
        return directory


class MonolithicPipeline(Pipeline):
    """Screen → one CNN → action, trained by behaviour cloning on the expert's actions."""

    name = "monolithic"

    def __init__(self, size: str = "medium", grid: tuple[int, int] = (8, 8), tile: int = 8):
        self.size, self.grid, self.tile = size, tuple(grid), tile
        self.policy = make_policy(size, self.grid, tile)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        return f"mono-{self.size}"

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        result = fit(
            lambda: make_policy(self.size, self.grid, self.tile),  # type: ignore[arg-type]
            demos.frames,
            demos.actions,
            demos.episodes,
            config,
        )
        self.policy = result.model
        return _fit_report(result, frames=len(demos), actions=len(demos))

    def handles(self, grid: tuple[int, int]) -> bool:
        """Whether this policy can play a grid of this size at all."""
        return self.size == "pooled" or tuple(grid) == self.grid

    @torch.inference_mode()
    def act(self, obs: np.ndarray, info: dict[str, Any]) -> Step:
        t0 = time.perf_counter()
        action = Action(int(self.policy(to_input(obs))[0].argmax()))
        return Step(action, neural_s=time.perf_counter() - t0)

    def describe(self) -> dict[str, Any]:
        return {
            "pipeline": self.label,
            "params": count_parameters(self.policy),
            "grid": list(self.grid),
        }

    def save(self, directory: str | Path) -> Path:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        torch.save(self.policy.state_dict(), directory / "weights.pt")
        _write_manifest(
            directory,
            {"kind": "monolithic", "size": self.size, "grid": list(self.grid), "tile": self.tile},
        )
        return directory


def load_pipeline(directory: str | Path) -> HybridPipeline | MonolithicPipeline:
    """Load a pipeline saved with ``save``. Rules are re-checked; weights cannot run code."""
    directory = Path(directory)
    manifest_path = directory / "pipeline.json"
    if not manifest_path.is_file():
        raise CheckpointError(f"{directory} holds no saved pipeline (pipeline.json is missing)")
    try:
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("format") != CHECKPOINT_FORMAT:
            raise CheckpointError(
                f"{manifest_path}: unsupported checkpoint format {manifest.get('format')!r}"
            )
        if manifest["kind"] == "hybrid":
            reasoner = Reasoner.from_file(
                directory / "rules.pl", manifest.get("search", "networkx")
            )
            pipe: HybridPipeline | MonolithicPipeline = HybridPipeline(
                reasoner, CellClassifier(tile=int(manifest["tile"]), kinds=len(Kind))
            )
            module = pipe.perception
        elif manifest["kind"] == "monolithic":
            pipe = MonolithicPipeline(manifest["size"], tuple(manifest["grid"]), manifest["tile"])
            module = pipe.policy
        else:
            raise CheckpointError(f"{manifest_path}: unknown pipeline kind {manifest['kind']!r}")
        try:
            state = torch.load(directory / "weights.pt", weights_only=True, map_location="cpu")
        except (pickle.UnpicklingError, EOFError) as e:
            first_line = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise CheckpointError(
                f"cannot load the pipeline in {directory}: weights.pt is not a plain tensor "
                f"file, and it is never unpickled as anything else ({first_line})"
            ) from e
        module.load_state_dict(state)
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, OSError) as e:
        raise CheckpointError(f"cannot load the pipeline in {directory}: {e}") from e
    module.eval()
    return pipe


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


def _write_manifest(directory: Path, data: dict[str, Any]) -> None:
    (directory / "pipeline.json").write_text(
        json.dumps({"format": CHECKPOINT_FORMAT, **data}, indent=2) + "\n"
    )


def _rules_text(reasoner: Reasoner) -> str:
    source = Path(reasoner.rules.source)
    if not source.is_file():
        raise CheckpointError(f"the rules ({reasoner.rules.source}) are not a file to save")
    return source.read_text(encoding="utf-8")


def _rules_description(reasoner: Reasoner) -> dict[str, Any]:
    ledger = reasoner.rules.ledger
    return {
        "rules": reasoner.rules.source,
        "search": reasoner.search,
        "rule_clauses": ledger.clauses,
        "rule_predicates": ledger.predicates,
        "rule_lines": ledger.lines,
    }

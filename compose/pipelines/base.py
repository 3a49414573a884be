"""What every pipeline is: ``Pipeline`` (looks at a screen and picks an action, can say why, is
trained with ``fit(demos)`` on a budget of expert demonstrations and can be saved), the
``Step`` it returns for each decision, the ``FitReport`` of what its training consumed, and
the training helpers every learner shares (``DEFAULT_TRAINING``, ``patient`` for augmented
data, ``fit_report``). The pipelines themselves: :mod:`compose.pipelines.hybrid` (the hybrid and
the oracle), :mod:`compose.pipelines.induced` (the hybrid whose rules are learned) and
:mod:`compose.pipelines.networks` (one network each).
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np

from compose.common.errors import CheckpointError
from compose.pipelines.spec import PipelineSpec
from environments.core import GridGame, Scene
from environments.spec import GameSpec
from neural.data import Demonstrations
from neural.modules import count_parameters
from neural.train import TrainConfig, TrainResult
from symbolic.reasoner import Decision

__all__ = [
    "AUGMENTED_EPOCHS",
    "DEFAULT_TRAINING",
    "FitReport",
    "Pipeline",
    "Step",
    "fit_report",
    "patient",
]

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
    # The content keys of the levels trained on (see compose.common.levels): what evaluation marks
    # as seen. Kept out of result rows (:meth:`record`); only their overlap is recorded.
    levels: frozenset[str] = field(default_factory=frozenset, repr=False)

    def record(self) -> dict[str, Any]:
        """What a result row keeps of this report: everything but the level keys."""
        out = asdict(self)
        del out["levels"]
        return out


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
    def spec(self) -> PipelineSpec | None:
        """What this pipeline is, as data (None for a pipeline of your own making)."""
        return None

    @property
    def label(self) -> str:
        """Distinguishes variants (e.g. ``mono-large``) in reports: its spec's label."""
        return self.name if self.spec is None else self.spec.label

    def reset(self) -> None:  # noqa: B027  (optional hook, empty by default)
        """Called at the start of every episode."""

    def fit(self, demos: Demonstrations, config: TrainConfig = DEFAULT_TRAINING) -> FitReport:
        """Learn from demonstrations; a pipeline with nothing to learn reports what it uses."""
        return FitReport()

    @abstractmethod
    def act(self, obs: np.ndarray, info: dict[str, Any], sensed: Any = None) -> Step:
        """Choose the next action for ``obs`` (``info`` is the environment's info dict);
        ``sensed`` is what :meth:`sense` made of ``obs`` in a batch, when it was asked."""

    def sense(self, screens: Sequence[np.ndarray], infos: Sequence[dict[str, Any]]) -> Any:
        """What this pipeline's network makes of many screens at once, one item per screen
        (handed back to :meth:`act` as ``sensed``); None if there is no network to batch.
        The items are those ``act`` computes from one screen alone, up to float rounding
        (bit for bit for the perception modules on most grids; a batch can sum in another
        order), so a decision can change only where two choices tie within about 1e-7."""
        return None

    def fork(self) -> Self:
        """A copy to play another level at the same time: the same networks, rules and
        caches, and its own memory of the episode."""
        twin = copy.copy(self)
        twin.reset()
        return twin

    def describe(self) -> dict[str, Any]:
        """What the pipeline is made of, for summaries and reports."""
        return {"pipeline": self.label}

    def save(self, directory: str | Path) -> Path:
        raise CheckpointError(f"the {self.label} pipeline has nothing to save")

    def cannot_play(self, env: GridGame) -> str | None:
        """Why this pipeline cannot play ``env`` at all (another game, ...), or None."""
        if env.game.name != self.game.name:
            same = env.game.title == self.game.title  # the same game seen another way
            mine, theirs = (
                (self.game.name, env.game.name)
                if same
                else (
                    self.game.title,
                    env.game.title,
                )
            )
            return (
                f"{self.label} plays {mine}, not {theirs}: a pipeline plays the game it was "
                "built for" + (", seen as it was trained (`--view`)" if same else "")
            )
        return None


# Passes over the demonstrations' rows that augmented training gets at least: each of a square
# board's eight symmetric copies seen about four times. At 3,000 KeyDoor demonstrations the
# 4,000 steps of `catch-up` were about one pass over the copies, and the network underfit.
AUGMENTED_EPOCHS = 32.0


def patient(config: TrainConfig, augment: str | None) -> TrainConfig:
    """Augmented data is learnt more slowly (for hundreds of steps a network can sit at chance
    on it): no early stop before half the steps, and steps that grow with the data
    (``AUGMENTED_EPOCHS`` passes over it at least)."""
    if not augment:
        return config
    changes = {"min_steps": config.max_steps // 2, "min_epochs": AUGMENTED_EPOCHS}
    return TrainConfig(**{**asdict(config), **changes})


def fit_report(result: TrainResult, **consumed: int) -> FitReport:
    """The report of a training ``result``, with what it consumed (``frames=``, ``actions=``,
    ``cell_labels=``, ``rule_clauses=``)."""
    return FitReport(
        params=count_parameters(result.model),
        train_seconds=result.seconds,
        learning_rate=result.learning_rate,
        val_loss=result.val_loss,
        val_accuracy=result.val_accuracy,
        steps=result.steps,
        **consumed,
    )

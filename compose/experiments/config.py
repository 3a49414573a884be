"""Experiment configuration: one pydantic model, and the presets (read from TOML, YAML or JSON
by :mod:`compose.experiments.config_files`).

An experiment is env × pipelines × budgets × seeds × evaluation splits. Errors name the field
and the value that was wrong, e.g. ``budgets[1]: must be at least 1 (got -3)``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from compose.abduction.invented import autonomy_refusal
from compose.abduction.reading import refusal as abduction_refusal
from compose.common.errors import ConfigError
from compose.common.levels import LEVEL_CHOICE
from compose.pipelines.spec import PipelineSpec, Strict
from environments.errors import NeurocompError, clip
from environments.registry import game_of, make, seen_as, spec
from neural.settings import TrainConfig, colour_refusal
from symbolic.induction.language import refusal as induction_refusal
from symbolic.reasoner import one_screen_refusal, reasoner_class

__all__ = [
    "PRESETS",
    "ExperimentConfig",
    "SplitSpec",
    "TrainSettings",
    "default_splits",
]

Executor = Literal["local", "ray"]
# A Ray cluster's address: "auto" (a cluster started on this machine with `ray start`), a head
# node's GCS address HOST:PORT, or a Ray Client address ray://HOST:PORT.
_ADDRESS = re.compile(r"^(auto|(ray://)?[A-Za-z0-9_.\-]{1,253}:[0-9]{1,5})$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
# Demonstration episodes per training run: every frame of them is held in memory (as uint8;
# a batch at a time as floats): 3,000 episodes of KeyDoor-8x8 take about 0.6 GB, of
# KeyDoor-16x16 about 9 GB.
MAX_BUDGET = 3000
MAX_FRAMES = 10_000_000  # PPO's budget: environment frames per training run


class SplitSpec(Strict):
    """A named evaluation split: an environment id plus variant keywords."""

    name: str
    env: str | None = Field(None, description="environment id; default: the experiment's env")
    kwargs: dict[str, bool | int | str] = Field(default_factory=dict)  # bool first: true stays True

    @field_validator("name")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.match(v):
            raise ValueError("use up to 64 lower-case letters, digits, '-', '_' or '.'")
        return v


_TRAIN = TrainConfig()  # the one source of every training default


class TrainSettings(Strict):
    """How every network is trained (see ``neural.train.TrainConfig``)."""

    learning_rates: list[float] = Field(list(_TRAIN.learning_rates), min_length=1, max_length=10)
    max_steps: int = Field(_TRAIN.max_steps, ge=1, le=100_000)
    eval_every: int = Field(_TRAIN.eval_every, ge=1, le=100_000)
    patience: int = Field(_TRAIN.patience, ge=1, le=1000)
    # checks after validation accuracy reaches 100% before training stops (none: never)
    settle: int | None = Field(_TRAIN.settle, ge=0, le=1000)
    batch_size: int = Field(_TRAIN.batch_size, ge=1, le=4096)
    weight_decay: float = Field(_TRAIN.weight_decay, ge=0, le=1)
    val_fraction: float = Field(_TRAIN.val_fraction, gt=0, lt=1)

    @field_validator("learning_rates")
    @classmethod
    def _positive(cls, v: list[float]) -> list[float]:
        if any(lr <= 0 or lr >= 1 for lr in v):
            raise ValueError("learning rates must lie between 0 and 1")
        return v

    def for_seed(self, seed: int) -> TrainConfig:
        settings = self.model_dump()
        settings["learning_rates"] = tuple(self.learning_rates)
        return TrainConfig(**settings, seed=seed)


def _budget_list(v: list[int], name: str, what: str, low: int, high: int) -> list[int]:
    """A list of budgets, each within ``[low, high]`` and none twice, sorted."""
    bad = [b for b in v if not low <= b <= high]
    if bad:
        raise ValueError(f"{name} are {what} {high:,} (got {bad[0]})")
    if len(set(v)) != len(v):
        raise ValueError(f"{name} must not repeat")
    return sorted(v)


def runnable(pipelines: list[PipelineSpec], env: str, view: str = "full") -> list[PipelineSpec]:
    """``pipelines`` without abduced or legend hybrids where abduction cannot read the game,
    without learned rules where they cannot be learned (neither on an id won by its mission:
    they explain screens, not the words beside them), without colour augmentation of a
    policy where kinds differ in colour only, and without symmetry augmentation where the
    game declares no symmetry (an unknown ``env`` or ``view`` is left for
    :meth:`ExperimentConfig.check`)."""
    try:
        game = game_of(env, view)
        missioned = bool(getattr(make(env).unwrapped, "on_mission", False))
    except NeurocompError:
        return pipelines
    if missioned:  # won by what its mission says: the learners that read screens alone cannot
        pipelines = [
            p
            for p in pipelines
            if p.supervision not in ("abduced", "legend") and p.rules != "induced"
        ]
    pipelines = [
        p
        for p in pipelines
        if p.supervision not in ("abduced", "legend")
        or p.rules == "induced"  # the autonomous hybrid: its own refusal decides
        or abduction_refusal(game, p.supervision) is None
    ]
    pipelines = [
        p for p in pipelines if p.rules != "induced" or _induction_refusal(game, p) is None
    ]
    pipelines = [
        p
        for p in pipelines
        if p.augment not in ("colour", "both") or colour_refusal(game, _targets(p)) is None
    ]
    if not game.actions.symmetry:
        pipelines = [p for p in pipelines if p.augment not in ("symmetry", "both")]
    return pipelines


def _targets(p: PipelineSpec) -> str:
    """What a pipeline's colour augmentation would change with the screens."""
    return "cells" if p.kind == "hybrid" else "actions"


def _induction_refusal(game: Any, p: PipelineSpec) -> str | None:
    if p.supervision == "abduced":  # perception and rules learned together
        return one_screen_refusal(game, "rule learning") or autonomy_refusal(game)
    if why := one_screen_refusal(game, "rule learning"):
        return why
    questions, values = reasoner_class(game).questions, len(game.actions.values)
    return induction_refusal(game.title, questions, p.supervision, values)


def default_pipelines() -> list[PipelineSpec]:
    return [
        PipelineSpec(kind="hybrid"),
        PipelineSpec(kind="hybrid", supervision="abduced"),
        PipelineSpec(kind="hybrid", rules="induced"),
        PipelineSpec(kind="hybrid", perception="conv", augment="colour"),
        *(PipelineSpec(kind="monolithic", size=s) for s in ("small", "medium", "large", "pooled")),
        PipelineSpec(kind="ppo"),
        PipelineSpec(kind="oracle"),
    ]


class ExperimentConfig(Strict):
    """env × pipelines × budgets × seeds × splits, and how to train and evaluate."""

    env: str = "neurocomp/KeyDoor-8x8-v0"
    view: str = Field(
        "full", max_length=40, description="how the screens show the levels (MiniGrid: egocentric)"
    )
    pipelines: list[PipelineSpec] = Field(default_factory=default_pipelines, min_length=1)
    budgets: list[int] = Field(
        [1, 3, 10], min_length=1, max_length=50, description="demonstration episodes"
    )
    frames: list[int] = Field(
        [10_000, 100_000],
        min_length=1,
        max_length=20,
        description="environment frames PPO trains on, per run",
    )
    seeds: int = Field(2, ge=1, le=1000, description="seeds 0..seeds-1")
    episodes: int = Field(20, ge=1, le=100_000, description="evaluation episodes per split")
    splits: list[SplitSpec] | None = Field(None, description="default: the game's splits")
    rules: Path | None = Field(None, description="rule file; default: the game's own")
    search: str | None = Field(None, description="plan search; default: the reasoner's own")
    workers: int = Field(
        2, ge=1, le=64, description="parallel worker processes (with Ray: a local Ray's CPUs)"
    )
    executor: Executor = Field("local", description="local process pool, or Ray tasks")
    address: str | None = Field(
        None, description="Ray cluster to join: auto, HOST:PORT or ray://HOST:PORT"
    )
    train: TrainSettings = Field(default_factory=TrainSettings)

    @field_validator("budgets")
    @classmethod
    def _budgets(cls, v: list[int]) -> list[int]:
        return _budget_list(
            v, "budgets", "numbers of demonstration episodes, from 1 to", 1, MAX_BUDGET
        )

    @field_validator("frames")
    @classmethod
    def _frames(cls, v: list[int]) -> list[int]:
        return _budget_list(
            v,
            "frames",
            "PPO's training budgets in environment steps, from 1,000 to",
            1_000,
            MAX_FRAMES,
        )

    @field_validator("address")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        if v is not None and not _ADDRESS.match(v):
            raise ValueError(
                f"{clip(v)} is not a Ray address; give auto, HOST:PORT (a head node started "
                "with `ray start --head`) or ray://HOST:PORT (Ray Client)"
            )
        if v is not None and not v.startswith("auto") and int(v.rsplit(":", 1)[1]) > 65535:
            raise ValueError(f"{clip(v)}: a port is at most 65535")
        return v

    @model_validator(mode="after")
    def _unique(self) -> ExperimentConfig:
        if self.address is not None and self.executor != "ray":
            raise ValueError('address is a Ray cluster\'s; give it with executor = "ray"')
        labels = [p.label for p in self.pipelines]
        dup = {x for x in labels if labels.count(x) > 1}
        if dup:
            raise ValueError(f"pipelines listed twice: {sorted(dup)}")
        if self.splits is not None:
            names = [s.name for s in self.splits]
            if len(set(names)) != len(names):
                raise ValueError("split names must be unique")
        return self

    # -- derived --------------------------------------------------------------------------------
    def env_kwargs(self) -> dict[str, str]:
        """The keywords the training environment is made with: its view, unless full."""
        return {} if self.view == "full" else {"view": self.view}

    def resolved_splits(self) -> list[SplitSpec]:
        """The splits, each seen through the config's view unless it names its own."""
        splits = self.splits if self.splits is not None else default_splits(self.env, self.view)
        seen = self.env_kwargs()
        return [s.model_copy(update={"kwargs": {**seen, **s.kwargs}}) for s in splits]

    def settings_hash(self) -> str:
        """Hash of everything that decides a result, except which jobs are run."""
        rules_text = Path(self.rules).read_text(encoding="utf-8") if self.rules else ""
        data = {
            "env": self.env,
            **({"view": self.view} if self.view != "full" else {}),  # old results keep their hash
            "episodes": self.episodes,
            "splits": [s.model_dump() for s in self.resolved_splits()],
            "search": self.search,
            "train": self.train.model_dump(),
            "rules": hashlib.sha256(rules_text.encode()).hexdigest(),
            "levels": LEVEL_CHOICE,  # results of another way of choosing levels are not mixed
        }
        return digest(data)

    def check(self) -> None:
        """Validate what pydantic cannot: environment ids, variant keywords, the rule file."""
        try:
            spec(self.env)
        except NeurocompError as e:
            raise ConfigError(f"env: {e}") from e
        try:
            seen_as(game_of(self.env), self.view)
            trained = make(self.env, **self.env_kwargs())
        except NeurocompError as e:
            raise ConfigError(f"view: {e}") from e
        game, tile = trained.game, trained.tile
        learners = [p.label for p in self.pipelines if p.kind != "oracle"]
        for i, split in enumerate(self.resolved_splits()):
            try:
                env = make(split.env or self.env, **split.kwargs)
            except NeurocompError as e:
                raise ConfigError(f"splits[{i}] ({split.name}): {e}") from e
            if env.game.name != game.name:
                raise ConfigError(
                    f"splits[{i}] ({split.name}): it plays {env.game.name}, but the pipelines "
                    f"are trained on {game.name}; a split must be the same game, seen the "
                    "same way (give the config's view to train on another)"
                )
            if learners and env.tile != tile:
                raise ConfigError(
                    f"splits[{i}] ({split.name}): its screens have {env.tile}-pixel cells, but "
                    f"{', '.join(learners)} are trained on {tile}-pixel cells and cannot read "
                    "them; train on that tile size or leave the split out"
                )
        if self.rules is not None and not Path(self.rules).is_file():
            raise ConfigError(f"rules: no such file {clip(str(self.rules))}")
        for i, p in enumerate(self.pipelines):
            if (
                p.supervision in ("abduced", "legend")
                and p.rules != "induced"
                and (why := abduction_refusal(game, p.supervision))
            ):
                raise ConfigError(f"pipelines[{i}] ({p.label}): {why}")
            if p.rules == "induced" and (why := _induction_refusal(game, p)):
                raise ConfigError(f"pipelines[{i}] ({p.label}): {why}")
            if p.target == "grid" and not game.actions.values:
                raise ConfigError(
                    f"pipelines[{i}] ({p.label}): a network that fills the grid plays games "
                    f"whose actions write values into cells; {game.title}'s do not"
                )
            if p.augment in ("colour", "both") and (why := colour_refusal(game, _targets(p))):
                raise ConfigError(f"pipelines[{i}] ({p.label}): {why}")
        searches = reasoner_class(game).searches_for(game)
        if self.search is not None and self.search not in searches:
            raise ConfigError(
                f"search: {clip(self.search)} does not apply to {game.title}'s reasoner; "
                f"choose {' or '.join(map(repr, searches))}"
            )


def default_splits(env_id: str, view: str = "full") -> list[SplitSpec]:
    """The game's own evaluation splits for a pipeline trained on ``env_id`` seen through
    ``view``."""
    env = make(env_id, **({} if view == "full" else {"view": view}))
    return [SplitSpec(name=s.name, env=s.env, kwargs=dict(s.kwargs)) for s in env.eval_splits()]


PRESETS: dict[str, dict[str, Any]] = {
    # The defaults, with PPO on fewer frames: `make demo`, in under five minutes on 2 CPU cores.
    "demo": {"frames": [10_000, 30_000]},
    # Budgets up to where behaviour cloning starts to work; about an hour on 2 CPU cores.
    "full": {
        "budgets": [1, 3, 10, 30, 100, 300],
        "frames": [10_000, 100_000, 300_000],
        "seeds": 3,
        "episodes": 50,
        "train": {"max_steps": 4000, "eval_every": 50, "patience": 8},
    },
    # Budgets for many machines: PPO up to 2M frames, as far as MiniGrid results are quoted.
    "cluster": {
        "budgets": [1, 3, 10, 30, 100, 300, 1000],
        "frames": [10_000, 100_000, 300_000, 1_000_000, 2_000_000],
        "seeds": 5,
        "episodes": 100,
        "train": {"max_steps": 4000, "eval_every": 50, "patience": 8},
    },
    # Budgets until the monolith catches up or 3,000 demonstrations, with its best shots
    # (augmentation, DAgger, the true grid, distillation) beside the hybrids. Many hours on
    # 2 CPU cores: a run for a cluster, or for a night.
    "catch-up": {
        "budgets": [1, 3, 10, 30, 100, 300, 1000, 3000],
        "seeds": 3,
        "episodes": 50,
        "pipelines": [
            {"kind": "hybrid"},
            {"kind": "hybrid", "augment": "symmetry"},
            {"kind": "hybrid", "supervision": "abduced"},
            {"kind": "hybrid", "supervision": "abduced", "augment": "symmetry"},
            {"kind": "hybrid", "perception": "conv", "augment": "colour"},
            {"kind": "monolithic", "size": "pooled", "augment": "colour"},
            {"kind": "monolithic", "size": "medium"},
            {"kind": "monolithic", "size": "pooled"},
            {"kind": "monolithic", "size": "medium", "augment": "symmetry"},
            {"kind": "monolithic", "size": "pooled", "augment": "symmetry"},
            {"kind": "monolithic", "size": "medium", "training": "dagger"},
            {"kind": "monolithic", "size": "medium", "training": "distilled"},
            {"kind": "monolithic", "size": "medium", "inputs": "symbols"},
            {"kind": "oracle"},
        ],
        "train": {"max_steps": 4000, "eval_every": 50, "patience": 8},
    },
}


def digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]

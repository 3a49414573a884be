"""Building and training a pipeline for an environment: the one place ``run``, ``compare`` and
``bench`` all go through, so a pipeline is assembled the same way everywhere."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from pathlib import Path

from compose.common.errors import ConfigError
from compose.common.levels import level_seed, training_levels
from compose.pipelines.autonomous import AutonomousHybridPipeline
from compose.pipelines.base import FitReport, Pipeline
from compose.pipelines.hybrid import HybridPipeline, OraclePipeline
from compose.pipelines.induced import InducedHybridPipeline
from compose.pipelines.loading import load_pipeline
from compose.pipelines.networks import MonolithicPipeline, PPOPipeline
from compose.pipelines.spec import PipelineSpec, shares_training
from compose.training.teaching import fit_with_play
from environments.core import GridGame
from environments.errors import clip
from neural.data import Demonstrations, collect_demonstrations
from neural.train import TrainConfig
from symbolic.reasoner import load_reasoner, reasoner_class

__all__ = [
    "build_pipeline",
    "demonstrations",
    "obtain_pipeline",
    "shares_training",
    "train_pipeline",
    "train_pipeline_at",
]


def build_pipeline(
    spec: PipelineSpec,
    env: GridGame,
    *,
    rules: str | Path | None = None,
    search: str | None = None,
) -> Pipeline:
    """An untrained pipeline of ``spec``'s kind for ``env``'s game, grid and tile.

    Symbolic pipelines use the game's reasoner with its packaged rules or a user's ``rules``
    file (checked with the sandbox); ``search`` picks the reasoner's plan search.
    """
    if spec.kind == "monolithic":
        try:
            return MonolithicPipeline.for_env(
                env,
                spec.size or "medium",
                inputs=spec.inputs or "pixels",
                augment=spec.augment,
                training=spec.training or "bc",
                target=spec.target or "action",
            )
        except ValueError as e:
            raise ConfigError(str(e)) from None
    if spec.kind == "ppo":
        return PPOPipeline.for_env(env)
    if spec.rules == "induced":
        if rules is not None:
            raise ConfigError(f"{spec.label} learns its rules from play: leave out --rules")
        options = {"search": search, "augment": spec.augment}
        options["perception_kind"] = spec.perception or "linear"
        try:
            if spec.supervision == "abduced":  # no cell label either: hybrid-autonomous
                return AutonomousHybridPipeline(env.game, env.tile, **options)
            supervision = spec.supervision or "labels"
            return InducedHybridPipeline(env.game, env.tile, supervision=supervision, **options)
        except ValueError as e:
            raise ConfigError(str(e)) from None
    reasoner = load_reasoner(env.game, rules, search)
    if spec.kind == "hybrid":
        try:
            return HybridPipeline(
                reasoner,
                tile=env.tile,
                supervision=spec.supervision or "labels",
                augment=spec.augment,
                perception_kind=spec.perception or "linear",
            )
        except ValueError as e:
            raise ConfigError(str(e)) from None
    return OraclePipeline(reasoner)


def demonstrations(
    env: GridGame, budget: int, seed: int, held_out: Collection[str] = frozenset()
) -> Demonstrations:
    """The expert's episodes on the first ``budget`` training levels of ``seed``, none of
    them a ``held_out`` level (the content keys of the evaluation levels, see
    :func:`compose.common.levels.held_out`) where the game has enough others."""
    levels = training_levels(env, seed, budget, held_out)
    return collect_demonstrations(env, levels.seeds)


def train_pipeline(
    pipe: Pipeline,
    env: GridGame,
    budget: int,
    seed: int,
    config: TrainConfig,
    held_out: Collection[str] = frozenset(),
) -> FitReport:
    """Fit ``pipe`` on ``budget`` demonstration episodes of ``env`` (PPO: on ``budget`` frames
    of its own play), never on a ``held_out`` level where the game has enough others; the
    oracle learns nothing and only reports the rules it uses. The report's ``levels`` are
    the content keys of every level it trained on."""
    if isinstance(pipe, OraclePipeline):
        return pipe.fit_report()
    if isinstance(pipe, PPOPipeline):
        return pipe.fit_frames(env, budget, level_seed(seed, "rl", 0), held_out)
    demos = demonstrations(env, budget, seed, held_out)
    if isinstance(pipe, MonolithicPipeline):
        report = fit_with_play(pipe, env, demos, seed, config, held_out)
    elif isinstance(pipe, InducedHybridPipeline):
        report = pipe.fit_with_play(env, demos, seed, config, held_out)
    else:
        report = pipe.fit(demos, config)
    report.levels = report.levels | frozenset(demos.levels)
    return report


def train_pipeline_at(
    pipe: Pipeline,
    env: GridGame,
    budgets: Sequence[int],
    seed: int,
    config: TrainConfig,
    held_out: Collection[str] = frozenset(),
) -> Iterator[FitReport]:
    """Train ``pipe`` for each of ``budgets`` in turn: after each report, ``pipe`` is the
    pipeline trained on that budget. Only a pipeline that :func:`shares_training` takes more
    than one budget (PPO trains once, to the largest)."""
    if isinstance(pipe, PPOPipeline):
        yield from pipe.fit_frames_at(env, budgets, level_seed(seed, "rl", 0), held_out)
        return
    if len(budgets) != 1:
        raise ValueError(f"{pipe.label} trains on one budget at a time, not {list(budgets)}")
    yield train_pipeline(pipe, env, budgets[0], seed, config, held_out)


def obtain_pipeline(
    env: GridGame,
    spec: PipelineSpec,
    *,
    budget: int | None = None,
    seed: int = 0,
    rules: str | Path | None = None,
    search: str | None = None,
    load: str | Path | None = None,
    train: TrainConfig | None = None,
    held_out: Collection[str] = frozenset(),
) -> tuple[Pipeline, FitReport | None]:
    """What ``neurocomp run`` plays: a pipeline loaded from ``load`` (for ``env``'s game), or
    built and, unless it is the oracle, trained on ``budget`` demonstration episodes
    (default 10), none of them a ``held_out`` level where the game has enough others.
    Returns the pipeline and its fit report (None when loaded)."""
    if load is not None:
        if budget is not None or rules is not None:
            raise ConfigError("--load plays a saved pipeline: leave out --budget and --rules")
        return load_pipeline(load, env.game), None
    if spec.kind == "oracle" and budget is not None:
        raise ConfigError("the oracle learns nothing: leave out --budget")
    if spec.kind in ("monolithic", "ppo") and rules is not None:
        raise ConfigError(f"a {spec.label} pipeline uses no rules: leave out --rules")
    if search is not None:
        if spec.kind in ("monolithic", "ppo"):
            raise ConfigError(f"a {spec.label} pipeline does no plan search: leave out --search")
        searches = reasoner_class(env.game).searches_for(env.game)
        if search not in searches:
            raise ConfigError(
                f"--search: {clip(search)} does not apply to {env.game.title}'s reasoner; "
                f"choose {' or '.join(searches)}"
            )
    pipe = build_pipeline(spec, env, rules=rules, search=search)
    default = 100_000 if spec.kind == "ppo" else 10
    config = train or TrainConfig(seed=seed)
    report = train_pipeline(pipe, env, budget or default, seed, config, held_out)
    return pipe, None if spec.kind == "oracle" else report

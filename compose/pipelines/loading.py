"""Loading a saved pipeline of any kind (see :mod:`compose.pipelines.checkpoints` for the files)."""

from __future__ import annotations

from pathlib import Path

from compose.common.errors import CheckpointError
from compose.pipelines.autonomous import AutonomousHybridPipeline
from compose.pipelines.checkpoints import Manifest, game_named, load_weights, read_manifest
from compose.pipelines.hybrid import HybridPipeline
from compose.pipelines.induced import InducedHybridPipeline
from compose.pipelines.networks import MonolithicPipeline, PPOPipeline
from compose.pipelines.spec import PipelineSpec
from environments.registry import seen_as
from environments.spec import GameSpec
from neural.modules import POLICY_NAMES
from symbolic.errors import RuleFileError
from symbolic.reasoner import Reasoner, load_reasoner

__all__ = ["load_pipeline"]


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
    if game is not None and game.name != saved.name and _one_game(game, saved):
        raise CheckpointError(  # one game seen two ways (MiniGrid's full and egocentric views)
            f"the pipeline in {directory} was trained on {saved.name} screens and cannot read "
            f"{game.name} ones: play it with the view it was trained on (`--view`)"
        )
    if game is not None and game.name != saved.name:
        trained = saved.title + (f" ({saved.name})" if saved.title == game.title else "")
        raise CheckpointError(
            f"the pipeline in {directory} was trained on {trained} and cannot play "
            f"{game.title}{f' ({game.name})' if saved.title == game.title else ''} (its kinds "
            f"are {', '.join(saved.kind_names)})"
        )
    spec = _saved_spec(manifest, manifest_path)
    try:
        if spec.rules == "induced":
            pipe = _saved_induced(saved, directory, manifest)
            module = pipe.perception
        elif spec.kind == "hybrid":
            reasoner = _saved_reasoner(saved, directory, manifest.search)
            pipe: HybridPipeline | MonolithicPipeline | PPOPipeline = HybridPipeline(
                reasoner,
                tile=manifest.tile,
                supervision=spec.supervision or "labels",
                augment=spec.augment,
                perception_kind=spec.perception or "linear",
            )
            module = pipe.perception
        elif spec.kind == "ppo":
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
                inputs=spec.inputs or "pixels",
                augment=spec.augment,
                training=spec.training or "bc",
                target=spec.target or "action",
            )
            module = pipe.policy
        load_weights(module, directory)
    except CheckpointError:
        raise
    except (KeyError, TypeError, ValueError, RuntimeError, OSError) as e:
        first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise CheckpointError(f"cannot load the pipeline in {directory}: {first_line}") from e
    module.eval()
    return pipe


def _one_game(a: GameSpec, b: GameSpec) -> bool:
    """Whether ``a`` and ``b`` are one game seen two ways (one a view of the other)."""
    return any(seen_as(x, v).name == y.name for x, y in ((a, b), (b, a)) for v in x.views)


def _saved_spec(manifest: Manifest, path: Path) -> PipelineSpec:
    """The spec ``pipeline.json`` describes: the pipeline is rebuilt from it, as it was built
    from it (a file whose fields do not make one pipeline is refused)."""
    fields = ("size", "supervision", "rules", "augment", "inputs", "training", "target")
    values = {name: getattr(manifest, name) for name in fields}
    values["perception"] = manifest.perception
    if manifest.kind != "monolithic":
        values["size"] = None
    try:
        return PipelineSpec.of(manifest.kind, **values)
    except ValueError as e:
        first = str(e).strip().splitlines()
        raise CheckpointError(
            f"{path}: its fields make no pipeline ({first[-1] if first else e}); save it again"
        ) from None


def _saved_reasoner(game: GameSpec, directory: Path, search: str | None) -> Reasoner:
    """The game's reasoner with the saved ``rules.pl``, checked like any user's rule file: a
    saved pipeline is untrusted input."""
    try:
        return load_reasoner(game, directory / "rules.pl", search)
    except RuleFileError as e:
        raise CheckpointError(
            f"{e}; the pipeline in {directory} was not loaded: put back the rules.pl it was "
            "saved with, or train and save it again"
        ) from e


def _saved_induced(game: GameSpec, directory: Path, manifest: Manifest) -> InducedHybridPipeline:
    """A hybrid with learned rules: its saved ``rules.pl`` is loaded through the sandbox as
    any user's rule file is, and played as it was saved (nothing is learned again)."""
    path = directory / "rules.pl"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise CheckpointError(
            f"cannot load the pipeline in {directory}: its learned rules.pl cannot be read "
            f"({type(e).__name__}); train and save it again"
        ) from None
    try:
        if manifest.supervision == "abduced":
            if manifest.symbols is None:
                raise CheckpointError(
                    f"{directory / 'pipeline.json'}: a hybrid-autonomous pipeline needs its "
                    "symbols; train and save it again"
                )
            pipe = AutonomousHybridPipeline(
                game,
                manifest.tile,
                search=manifest.search,
                augment=manifest.augment,
                perception_kind=manifest.perception,
                table=manifest.symbols.table(),
                rules_text=text,
                rules_name=str(path),
            )
            pipe.translation = manifest.translation
            return pipe
        return InducedHybridPipeline(
            game,
            manifest.tile,
            search=manifest.search,
            augment=manifest.augment,
            perception_kind=manifest.perception,
            rules_text=text,
            rules_name=str(path),
        )
    except RuleFileError as e:
        raise CheckpointError(
            f"{e}; the pipeline in {directory} was not loaded: put back the rules.pl it was "
            "saved with, or train and save it again"
        ) from e

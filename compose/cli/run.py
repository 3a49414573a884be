"""``neurocomp run``: train (or load) one pipeline, play episodes with it, write a summary.

Everything that can be refused (the level, the output paths, the flags that do not go together)
is checked before anything trains. Modules that load torch are imported when the command runs,
so that ``neurocomp --help`` does not wait for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from compose.cli.app import (
    MAX_BUDGET,
    MAX_FRAMES,
    PipelineName,
    RulesOption,
    SizeName,
    ViewOption,
    pipelines_help,
    progress,
    with_default,
)
from compose.cli.messages import say_audit, say_fit, say_result, say_symbols
from compose.cli.text import err, say
from compose.common.errors import ConfigError
from compose.common.files import check_writable, write_json
from compose.common.levels import evaluation_levels
from compose.pipelines.rule_checks import (
    TransitionRecorder,
    audit_lines,
    auditable,
    audited_rules,
)
from compose.pipelines.spec import PipelineSpec, spec_named
from compose.report.screens import outline, replay, save_gif, with_maps, with_words
from environments.errors import clip
from environments.registry import game_of, make, seen_as, spec

__all__ = ["run"]

EnvOption = Annotated[str, typer.Option("--env", help="Environment id (see `neurocomp envs`).")]
PipelineOption = Annotated[
    PipelineName | None,
    typer.Option(
        metavar="NAME",
        help=with_default(
            "Which pipeline plays: a name listed below",
            "hybrid with --budget, ppo with --frames, else oracle",
        ),
    ),
]
BudgetOption = Annotated[
    int | None,
    typer.Option(
        min=1, max=MAX_BUDGET, help=with_default("Demonstration episodes to train on", "10")
    ),
]
FramesOption = Annotated[
    int | None,
    typer.Option(
        min=1000, max=MAX_FRAMES, help=with_default("Environment frames PPO trains on", "100000")
    ),
]
SizeOption = Annotated[
    SizeName | None,
    typer.Option(
        metavar="SIZE",
        help=with_default("Monolithic network size: small, medium, large or pooled", "medium"),
    ),
]
EpisodesOption = Annotated[int, typer.Option(min=1, max=100_000, help="Levels to play.")]
SeedOption = Annotated[int, typer.Option(min=0, help="Seed of the training and test levels.")]
SearchOption = Annotated[
    str | None,
    typer.Option(
        help=with_default(
            "Plan search, e.g. networkx or prolog (`neurocomp envs GAME` lists its game's)",
            "the reasoner's own",
        )
    ),
]
OutOption = Annotated[
    str | None,
    typer.Option("--out", help=with_default("Directory for summary.json", "runs/<run name>")),
]
SaveOption = Annotated[
    str | None,
    typer.Option(help=with_default("Save the trained pipeline in this directory", "not saved")),
]
LoadOption = Annotated[
    Path | None,
    typer.Option(
        help=with_default("Play a pipeline saved with --save instead of training", "train one")
    ),
]
LevelOption = Annotated[
    Path | None,
    typer.Option(
        help=with_default(
            "Play this level, drawn as text (one glyph per cell; see `envs`)", "generated levels"
        ),
    ),
]
ExplainOption = Annotated[
    bool, typer.Option(help="Print the first episode step by step with explanations.")
]
RecordOption = Annotated[
    Path | None,
    typer.Option(
        help=with_default(
            "Save the first episode as an animated GIF (misread cells outlined)", "not recorded"
        ),
    ),
]


EPILOG = pipelines_help("--pipeline NAME")


def run(
    env: EnvOption,
    view: ViewOption = None,
    pipeline: PipelineOption = None,
    budget: BudgetOption = None,
    frames: FramesOption = None,
    size: SizeOption = None,
    rules: RulesOption = None,
    episodes: EpisodesOption = 20,
    seed: SeedOption = 0,
    search: SearchOption = None,
    out_dir: OutOption = None,
    save: SaveOption = None,
    load: LoadOption = None,
    level: LevelOption = None,
    explain: ExplainOption = False,
    record: RecordOption = None,
) -> None:
    """Train (hybrid, monolithic) or load a pipeline, play episodes, write DIR/summary.json."""
    env_id = spec(env).id
    seen_as(game_of(env_id), view or "full")  # a view the game does not have: one line
    game = make(env_id, **({"view": view} if view and view != "full" else {}))
    level_text = _check_inputs(game, level, record, save, out_dir)
    name, search = _chosen(pipeline, size, search, budget, frames, load)
    from compose.training.build import obtain_pipeline  # torch: once nothing is refused

    monolithic = name.startswith("monolithic")
    kind = spec_named(name, size.value if size and monolithic else None)
    with err.status(Text(f"preparing the {kind.label} pipeline…")):
        # The levels it is scored on, drawn first: training keeps off them (compose.common.levels).
        levels = evaluation_levels(game, seed, episodes)
        pipe, fit = obtain_pipeline(
            game,
            kind,
            budget=frames if kind.kind == "ppo" else budget,
            seed=seed,
            rules=rules,
            search=search,
            load=load,
            held_out=frozenset(levels.keys) if level_text is None else frozenset(),
        )
    if fit is not None:
        say_fit(pipe.label, kind.kind, fit, budget)
        if explain and "symbol_map" in fit.extra:
            say_symbols(fit.extra)
    if save is not None:
        pipe.save(Path(save))
        say(f"saved the pipeline to {save}", err)
    reason = pipe.cannot_play(game)
    if reason:
        raise ConfigError(f"{reason} ({env_id})")
    if explain or record:
        _first_episode(game, pipe, levels.seeds[0], level_text, explain, record)
    shown = env_id if not view or view == "full" else f"{env_id} ({view} view)"
    summary, recorder = _play(game, pipe, shown, episodes, seed, level_text, levels, fit, explain)
    trained_on = None if fit is None else (fit.frames if kind.kind == "ppo" else budget or 10)
    data = _summary(env_id, game, pipe, kind, trained_on, seed, level_text, summary, fit, load)
    trained = "" if trained_on is None else f"__b{trained_on}"
    seen = "" if not view or view == "full" else f"__{view}"
    run_name = f"{env_id.split('/')[-1]}{seen}__{pipe.label}{trained}__s{seed}"
    directory = Path(out_dir) if out_dir is not None else Path("runs") / run_name
    write_json(directory / "summary.json", data)
    say_result(pipe.label, shown, level_text, summary, episodes)
    if recorder is not None:
        _audit(pipe, recorder.transitions)
    say(f"wrote {directory / 'summary.json'}")


def _check_inputs(
    game: Any, level: Path | None, record: Path | None, save: str | None, out_dir: str | None
) -> str | None:
    """The level's text (None: generated levels), once the level and every place results go
    are known to work -- before anything is trained."""
    if record is not None and record.suffix.lower() != ".gif":
        raise ConfigError(f"--record: name a .gif file (got {clip(str(record))})")
    level_text = None
    if level is not None:
        try:
            level_text = level.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ConfigError(f"--level: cannot read {level} ({e})") from None
        game.reset(options={"level": level_text})  # a level that cannot be played fails now
    if save is not None:
        check_writable(save, "--save")
    if out_dir is not None:
        check_writable(out_dir, "--out")
    if record is not None:
        check_writable(record.parent if str(record.parent) else ".", "--record")
    return level_text


def _chosen(
    pipeline: PipelineName | None,
    size: SizeName | None,
    search: str | None,
    budget: int | None,
    frames: int | None,
    load: Path | None,
) -> tuple[str, str | None]:
    """The pipeline's name and the search ``run`` plays with, saying on stderr what a flag
    does not change; flags that do not go together are refused."""
    if load is not None:
        given = (("--pipeline", pipeline), ("--size", size), ("--search", search))
        ignored = [flag for flag, value in given if value is not None]
        if ignored:
            say(
                f"note: --load plays the pipeline saved in {load} as it was saved; "
                f"{', '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored",
                err,
            )
        search = None
    elif pipeline is None:
        pipeline = _default_pipeline(budget, frames)
    name = (pipeline or PipelineName.oracle).value
    if size is not None and not name.startswith("monolithic"):
        say(f"note: --size applies to monolithic pipelines; the {name} ignores it", err)
    if name == "ppo" and budget is not None:
        raise ConfigError("--budget counts demonstrations; PPO learns from reward: use --frames")
    if name != "ppo" and frames is not None:
        raise ConfigError("--frames is PPO's budget; the other pipelines take --budget")
    return name, search


def _default_pipeline(budget: int | None, frames: int | None) -> PipelineName:
    """What ``run`` plays without ``--pipeline``: a budget asks for something to train on it
    (the hybrid on demonstrations, PPO on frames), so that is what it trains; without one, the
    oracle, which learns nothing. Said on stderr, so that the default never goes unnoticed."""
    if budget is not None and frames is None:
        say("note: no --pipeline given; --budget trains the hybrid (see `run --help`)", err)
        return PipelineName.hybrid
    if frames is not None and budget is None:
        say("note: no --pipeline given; --frames trains ppo (see `run --help`)", err)
        return PipelineName.ppo
    return PipelineName.oracle


def _first_episode(
    game: Any, pipe: Any, level_seed: int, level: str | None, explain: bool, record: Path | None
) -> None:
    """The first level, played once more to show it: step by step with explanations
    (``--explain``), and as a GIF with the misread cells outlined (``--record``)."""
    from compose.play import play_episode  # torch

    episode = play_episode(game, pipe, level_seed, record=True, level=level)
    if explain:
        for i, (step, info) in enumerate(episode.trace or []):
            scene = step.scene or info["scene"]
            belief = step.decision.belief if step.decision is not None else None
            mapped = "" if belief is None else f"map so far:\n{belief.to_text()}\n"
            say(f"step {i}", style="bold")
            say(f"{scene.to_text()}\n{mapped}{step.explain()}\n")
    if record:
        _record_gif(record, game, episode, level_seed, level)
        say(f"recorded the first episode in {record}", err)


def _record_gif(path: Path, env: Any, episode: Any, seed: int, level: str | None) -> None:
    """Replay the recorded episode and save it, outlining the cells the pipeline misread, with
    the map it kept beside each screen (a pipeline that maps as it goes)."""
    steps = episode.trace or []
    shown, maps = [], []
    for i, (frame, truth) in enumerate(replay(env, seed, [s.action for s, _ in steps], level)):
        step = steps[i][0] if i < len(steps) else None
        seen = step.scene.grid if step is not None and step.scene is not None else truth
        shown.append(outline(frame, seen != truth, env.tile))
        belief = step.decision.belief if step is not None and step.decision else None
        maps.append(None if belief is None else env.unwrapped.draw_map(belief.grid))
    said = steps[0][1].get("mission", "") if steps else ""  # the words beside the screen
    save_gif(path, with_words(with_maps(shown, maps), said))


def _play(
    game: Any,
    pipe: Any,
    env_id: str,
    episodes: int,
    seed: int,
    level: str | None,
    levels: Any,
    fit: Any,
    explain: bool,
) -> tuple[Any, Any]:
    """Every episode, one level at a time (so that the decision latency is one screen's),
    under a progress bar; with ``--explain`` the run's transitions are kept to audit the rules
    against them. Returns the evaluation summary and the recorder (or None)."""
    from compose.play import evaluate  # torch

    recorder = _recorder(pipe, game) if explain else None
    with progress() as bar:
        task = bar.add_task(f"{pipe.label} on {env_id}", total=episodes, status="")
        wins = 0

        def ended(result: Any) -> None:
            nonlocal wins
            wins += result.success
            bar.update(task, advance=1, status=f"solved {wins}")
            if recorder is not None:
                recorder.episode(result)

        summary = evaluate(
            game,
            pipe,
            episodes,
            seed,
            on_episode=ended,
            observe=None if recorder is None else recorder.observe,
            level=level,
            together=1,
            levels=levels,
            met=frozenset() if fit is None else fit.levels,
        )
    return summary, recorder


def _recorder(pipe: Any, game: Any) -> Any:
    """A recorder of the run's transitions, for a pipeline whose rules play can audit (an
    agent game's blocks/kills/collects/wins); None for any other."""
    if not auditable(pipe):
        return None
    return TransitionRecorder(int(game.unwrapped.max_steps))


def _audit(pipe: Any, transitions: list[Any]) -> None:
    rules = audited_rules(pipe)
    say_audit(str(rules.source), audit_lines(rules, transitions), len(transitions))


def _summary(
    env_id: str,
    game: Any,
    pipe: Any,
    kind: PipelineSpec,
    trained_on: int | None,
    seed: int,
    level: str | None,
    summary: Any,
    fit: Any,
    load: Path | None,
) -> dict[str, Any]:
    """What ``summary.json`` holds: the run's settings, its rates, costs and every episode."""
    from compose.experiments.jobs import versions

    return {
        "env": env_id,
        "view": getattr(game, "view", "full"),
        "game": game.game.name,
        "pipeline": pipe.label,
        "budget": trained_on,
        "episodes": len(summary.episodes),
        "seed": seed,
        "level": level,
        "success_rate": summary.success_rate,
        "seen_levels": None if fit is None or level is not None else summary.seen,
        "mean_return": summary.mean_return,
        "mean_steps": summary.mean_steps,
        "latency_ms": summary.latency_ms(),
        "fit": None if fit is None else fit.record(),
        "details": pipe.describe(),
        "loaded_from": None if load is None else str(load),
        "versions": versions(),
        "results": [
            {
                "level_seed": e.level_seed,
                "success": e.success,
                "return": e.ret,
                "steps": e.steps,
                "seen_in_training": e.seen,
            }
            for e in summary.episodes
        ],
    }

"""The ``neurocomp`` command line: list games, play them, compare pipelines, report, measure."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from compose.cli.addition import addition
from compose.cli.text import cell, err, fail, learned_summary, plural, say, table
from compose.common.errors import ConfigError
from compose.common.files import write_json
from environments.errors import NeurocompError, clip

try:  # the click that typer runs on: its own copy in recent typer, the click package before
    from typer._click import exceptions as click_errors
except ImportError:
    from click import exceptions as click_errors

if TYPE_CHECKING:
    from environments.spec import GameSpec

app = typer.Typer(
    help="Neurocomp: compose small neural modules with Prolog rules and measure them "
    "against monolithic networks on grid games.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def with_default(text: str, default: str) -> str:
    """An option's help with its default, for options whose default is worked out later."""
    return f"{text} \\[default: {default}]."  # escaped: rich would take [..] for markup


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        say(f"neurocomp {version('neurocomp')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Neurocomp: compose small neural modules with Prolog rules and measure them against
    monolithic networks on grid games."""


# The CLI is imported before torch, so these choices are spelt out here; a test keeps them
# equal to where they are defined (compose.experiments.config, neural.modules).
# Each pipeline's line is
# its entry in `run --help` and `compare --help`.
PIPELINES = {
    "oracle": "learns nothing: the true scene through the game's rules (an upper bound)",
    "hybrid": "perception learns each cell's kind from labelled cells; the game's Prolog rules "
    "plan",
    "hybrid-abduced": "as hybrid with no cell label: the kinds are abduced from the expert's "
    "actions and the rules",
    "hybrid-legend": "as hybrid-abduced, plus one labelled cell per kind",
    "hybrid-induced": "as hybrid, with no game rule written: its rules are learned from the "
    "demonstrations and its own play (KeyDoor, LightsOut)",
    "hybrid-sym": "as hybrid, perception trained on the board's symmetries",
    "hybrid-aug": "as hybrid, perception trained on the symmetries and random colour maps",
    "hybrid-conv": "as hybrid, each cell read by a small convolutional network",
    "hybrid-conv-colour": "as hybrid-conv, trained on random colour maps: it reads palettes it "
    "never saw",
    "hybrid-conv-aug": "as hybrid-conv, trained on the symmetries and random colour maps",
    "monolithic": "one network from screen to action, cloning the expert (--size: small, medium, "
    "large or pooled)",
    "monolithic-sym": "as monolithic, plus the board's symmetries (actions remapped)",
    "monolithic-aug": "as monolithic, plus the symmetries and random colour maps",
    "monolithic-symbolic": "as monolithic, reading the true grid of kinds instead of the screen",
    "monolithic-dagger": "as monolithic, then 3 rounds of DAgger: the expert labels the states "
    "it visits",
    "monolithic-distilled": "as monolithic, cloning a labelled hybrid's actions on 200 fresh "
    "levels",
    "monolithic-grid": "where actions write values into cells (VisualSudoku): the screen "
    "straight to the filled grid",
    "ppo": "Stable-Baselines3 PPO from the game's reward alone (its budget: --frames)",
}
PipelineName = StrEnum("PipelineName", {k.replace("-", "_"): k for k in PIPELINES})
SizeName = StrEnum("SizeName", {k: k for k in ("small", "medium", "large", "pooled")})
ExecutorName = StrEnum("ExecutorName", {k: k for k in ("local", "ray")})
PresetName = StrEnum("PresetName", {k: k for k in ("demo", "full", "cluster", "catch-up")})
MAX_BUDGET = 3000  # demonstration episodes, as compose.experiments.config allows
MAX_FRAMES = 10_000_000  # PPO's frames, as compose.experiments.config allows
# Defaults of compare's flags, as the experiment config has them (a test keeps them equal).
CONFIG_DEFAULTS = {
    "env": "neurocomp/KeyDoor-8x8-v0",
    "pipelines": "hybrid,hybrid-abduced,hybrid-induced,hybrid-conv-colour,mono-small,mono-medium,"
    "mono-large,mono-pooled,ppo,oracle",
    "budgets": "1,3,10",
    "frames": "10000,100000",
    "seeds": "2",
    "episodes": "20",
    "workers": "2",
    "executor": "local",
}


def pipelines_help(flag: str, more: str = "") -> str:
    """A command's epilog: every pipeline name with its line (one name a line, so that no
    name is broken across lines however narrow the terminal)."""
    names = "\n".join(f"[bold]{name}[/bold]: {doc}" for name, doc in PIPELINES.items())
    return f"Pipelines ({flag}){more}:\n\n{names}"


def progress() -> Progress:
    # The task's text is an id or a job's name, shown as written (no markup).
    return Progress(
        TextColumn("{task.description}", markup=False, style="bold"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}", markup=False),
        TimeElapsedColumn(),
        console=err,
    )


@app.command()
def envs(
    game: Annotated[
        str | None,
        typer.Argument(
            metavar="GAME",
            help="A game (keydoor, KeyDoor) or one of its ids: what its glyphs mean, its "
            "actions, ids and splits.",
            show_default=False,
        ),
    ] = None,
    ids: Annotated[
        bool,
        typer.Option(
            "--ids", help=with_default("List every registered id (of GAME, if given)", "off")
        ),
    ] = False,
) -> None:
    """List the games, one line each; with GAME, that game's legend, actions, ids and splits."""
    from environments.registry import describe, env_ids, find_game, games

    chosen, env_id = (None, None) if game is None else find_game(game)
    if ids:
        listed = env_ids() if chosen is None else chosen.env_ids()
        width = max(map(len, listed))
        for listed_id in listed:  # one whole id a line, however narrow the terminal
            say(f"{listed_id:<{width}}  {describe(listed_id)}")
        return
    if chosen is not None:
        _print_game(chosen, env_id)
        return
    width = max(len(g.title) for g in games())
    for each in games():
        variants = ",".join(v.suffix for v in each.variants)
        adopted = f"; and any other qualifying {each.adopts}* id" if each.adopts else ""
        glyphs = " ".join(k.glyph for k in each.kinds)
        details = (
            f"(neurocomp/{each.title}-{{{variants}}}-v0; kinds {glyphs}; actions "
            f"{_action_names(each)}{adopted})"
        )
        say(
            Text.assemble(
                (f"{each.title:<{width}}", "bold"), f"  {each.summary} ", (details, "dim")
            )
        )
    say(
        "`neurocomp envs GAME` tells what a game's glyphs mean; `neurocomp envs --ids` lists "
        "every id; `neurocomp run --env ID` plays one."
    )


def _action_names(game: GameSpec) -> str:
    """``N E S W``, or ``press(r,c)``, ``write(r,c,1|2|3|4)`` for per-cell actions."""
    actions = game.actions
    if not actions.per_cell:
        return " ".join(actions.names)
    values = f",{'|'.join(actions.values)}" if actions.values else ""
    return f"{actions.per_cell}(r,c{values})"


def _print_game(game: GameSpec, env_id: str | None) -> None:
    """A game's legend (glyph, kind, meaning), actions, ids, splits, rules and searches."""
    from environments.registry import make
    from symbolic.reasoner import reasoner_class, rules_path

    say(Text.assemble((game.title, "bold"), f" ({game.name}): {game.summary}"))
    say("glyphs (a level drawn for `run --level` has one per cell, one row a line):")
    width = max(len(k.name) for k in game.kinds)
    for kind in game.kinds:
        say(f"  {kind.glyph}  {kind.name:<{width}}  {kind.doc}")
    actions = _action_names(game)
    say(f"actions: {actions}" + (f" ({game.actions.doc})" if game.actions.doc else ""))
    say("ids:")
    width = max(len(i) for i in game.env_ids())
    for variant in game.variants:
        say(f"  {game.env_id(variant):<{width}}  {variant.summary}")
    if game.adopts:
        say(
            f"  and any other {game.adopts}* id this game can hold, under its own name "
            "(an id it cannot is refused with the reason)"
        )
    shown = env_id or game.env_ids()[0]
    splits = make(shown).eval_splits()
    say(f"splits of {shown} (a pipeline `compare` trains on it is evaluated on each):")
    width = max(len(s.name) for s in splits)
    for split in splits:
        changes = ", ".join(f"{k}={v}" for k, v in split.kwargs.items())
        what = ", ".join(x for x in (split.env or "", changes) if x) or "unseen levels like these"
        say(f"  {split.name:<{width}}  {what}")
    searches = reasoner_class(game).searches
    say(f"rules: {rules_path(game)} (`--rules FILE` plays your own)")
    say(f"search: {' or '.join(searches)} (`--search`; the first is the default)")


@app.command(epilog=pipelines_help("--pipeline NAME"))
def run(
    env: Annotated[str, typer.Option("--env", help="Environment id (see `neurocomp envs`).")],
    pipeline: Annotated[
        PipelineName | None,
        typer.Option(
            metavar="NAME",
            help=with_default(
                "Which pipeline plays: a name listed below",
                "hybrid with --budget, ppo with --frames, else oracle",
            ),
        ),
    ] = None,
    budget: Annotated[
        int | None,
        typer.Option(
            min=1, max=MAX_BUDGET, help=with_default("Demonstration episodes to train on", "10")
        ),
    ] = None,
    frames: Annotated[
        int | None,
        typer.Option(
            min=1000,
            max=MAX_FRAMES,
            help=with_default("Environment frames PPO trains on", "100000"),
        ),
    ] = None,
    size: Annotated[
        SizeName | None,
        typer.Option(
            metavar="SIZE",
            help=with_default("Monolithic network size: small, medium, large or pooled", "medium"),
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            help=with_default(
                "Your own Prolog rule file (checked with library(sandbox))", "the game's own"
            ),
        ),
    ] = None,
    episodes: Annotated[int, typer.Option(min=1, max=100_000, help="Levels to play.")] = 20,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the training and test levels.")] = 0,
    search: Annotated[
        str | None,
        typer.Option(
            help=with_default(
                "Plan search, e.g. networkx or prolog (`neurocomp envs GAME` lists its game's)",
                "the reasoner's own",
            )
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help=with_default("Directory for summary.json", "runs/<run name>")),
    ] = None,
    save: Annotated[
        str | None,
        typer.Option(help=with_default("Save the trained pipeline in this directory", "not saved")),
    ] = None,
    load: Annotated[
        Path | None,
        typer.Option(
            help=with_default("Play a pipeline saved with --save instead of training", "train one")
        ),
    ] = None,
    level: Annotated[
        Path | None,
        typer.Option(
            help=with_default(
                "Play this level, drawn as text (one glyph per cell; see `envs`)",
                "generated levels",
            ),
        ),
    ] = None,
    explain: Annotated[
        bool, typer.Option(help="Print the first episode step by step with explanations.")
    ] = False,
    record: Annotated[
        Path | None,
        typer.Option(
            help=with_default(
                "Save the first episode as an animated GIF (misread cells outlined)", "not recorded"
            ),
        ),
    ] = None,
) -> None:
    """Train (hybrid, monolithic) or load a pipeline, play episodes, write DIR/summary.json."""
    from compose.common.files import check_writable
    from compose.common.levels import evaluation_levels
    from compose.experiments.config import spec_named
    from compose.experiments.runner import versions
    from compose.play import evaluate, play_episode
    from compose.training.build import obtain_pipeline
    from environments.registry import make, spec

    env_id = spec(env).id
    game = make(env_id)
    if record is not None and record.suffix.lower() != ".gif":
        raise ConfigError(f"--record: name a .gif file (got {clip(str(record))})")
    level_text = _read_level(level)
    if level_text is not None:
        game.reset(options={"level": level_text})  # a level that cannot be played fails now
    # Where results go is checked before anything is trained.
    if save is not None:
        check_writable(save, "--save")
    if out_dir is not None:
        check_writable(out_dir, "--out")
    if record is not None:
        check_writable(record.parent if str(record.parent) else ".", "--record")
    if load is not None:
        ignored = [
            f
            for f, v in (("--pipeline", pipeline), ("--size", size), ("--search", search))
            if v is not None
        ]
        if ignored:
            say(
                f"note: --load plays the pipeline saved in {load} as it was saved; "
                f"{', '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored",
                err,
            )
        search = None
    elif pipeline is None:
        pipeline = _default_pipeline(budget, frames)
    pipeline = pipeline or PipelineName.oracle
    monolithic = pipeline.value.startswith("monolithic")
    if size is not None and not monolithic:
        say(f"note: --size applies to monolithic pipelines; the {pipeline.value} ignores it", err)
    if pipeline == PipelineName.ppo and budget is not None:
        raise ConfigError("--budget counts demonstrations; PPO learns from reward: use --frames")
    if pipeline != PipelineName.ppo and frames is not None:
        raise ConfigError("--frames is PPO's budget; the other pipelines take --budget")
    kind = spec_named(pipeline.value, size.value if size and monolithic else None)
    with err.status(Text(f"preparing the {kind.label} pipeline…")):
        # The levels it is scored on, drawn first: training keeps off them (compose.common.levels).
        levels = evaluation_levels(game, seed, episodes)
        pipe, fit = obtain_pipeline(
            game,
            kind,
            budget=frames if pipeline == PipelineName.ppo else budget,
            seed=seed,
            rules=rules,
            search=search,
            load=load,
            held_out=frozenset(levels.keys) if level_text is None else frozenset(),
        )
    if fit is not None and kind.kind == "ppo":
        reached = fit.extra.get("frames_to_0.9")
        when = f"after {reached:,} frames" if reached else "never"
        say(
            f"trained ppo on {plural(fit.frames, 'frame')} in {fit.train_seconds:.1f} s (mean "
            f"training return reached 0.9 {when})",
            err,
        )
    elif fit is not None:
        say(
            f"trained {pipe.label} on {plural(fit.frames, 'frame')} in {fit.train_seconds:.1f} s "
            f"(validation accuracy {fit.val_accuracy:.2f}, learning rate {fit.learning_rate})",
            err,
        )
        if "abduced_cell_accuracy" in fit.extra:
            x = fit.extra
            say(
                f"abduced its cells from {plural(fit.actions, 'expert action')} and the rules, "
                f"with {plural(fit.cell_labels, 'cell label')}: {x['episodes_explained']} of "
                f"{plural(budget or 10, 'episode')} explained; "
                f"{x['perceived_cell_accuracy']:.1%} of the demonstration cells perceived "
                f"right, {x['perceived_alike_accuracy']:.1%} up to kinds the rules treat alike "
                f"(measured against the true cells, never trained on); "
                f"{plural(x['ambiguous_cells'], 'cell')} ambiguous by play",
                err,
            )
        if "rules_learned" in fit.extra:
            say(learned_summary(fit.extra), err)
    if save is not None:
        pipe.save(Path(save))
        say(f"saved the pipeline to {save}", err)
    reason = pipe.cannot_play(game)
    if reason:
        raise ConfigError(f"{reason} ({env_id})")
    first_seed = levels.seeds[0]
    if explain or record:
        episode = play_episode(game, pipe, first_seed, record=True, level=level_text)
        if explain:
            for i, (step, info) in enumerate(episode.trace or []):
                scene = step.scene or info["scene"]
                say(f"step {i}", style="bold")
                say(f"{scene.to_text()}\n{step.explain()}\n")
        if record:
            _record_gif(record, game, episode, first_seed, level_text)
            say(f"recorded the first episode in {record}", err)
    with progress() as bar:
        task = bar.add_task(f"{pipe.label} on {env_id}", total=episodes, status="")
        wins = 0

        def tick(result: Any) -> None:
            nonlocal wins
            wins += result.success
            bar.update(task, advance=1, status=f"solved {wins}")

        # With --explain, the run's transitions are kept to audit the rules against them.
        recorder = _recorder(pipe, game) if explain else None

        def ended(result: Any) -> None:
            tick(result)
            if recorder is not None:
                recorder.episode(result)

        # one level at a time, so that the decision latency printed is one screen's
        met = frozenset() if fit is None else fit.levels
        summary = evaluate(
            game,
            pipe,
            episodes,
            seed,
            on_episode=ended,
            observe=None if recorder is None else recorder.observe,
            level=level_text,
            together=1,
            levels=levels,
            met=met,
        )
    trained_on = None if fit is None else (fit.frames if kind.kind == "ppo" else budget or 10)
    data = {
        "env": env_id,
        "game": game.game.name,
        "pipeline": pipe.label,
        "budget": trained_on,
        "episodes": episodes,
        "seed": seed,
        "level": level_text,
        "success_rate": summary.success_rate,
        "seen_levels": None if fit is None or level_text is not None else summary.seen,
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
    trained = "" if trained_on is None else f"__b{trained_on}"
    run_name = f"{env_id.split('/')[-1]}__{pipe.label}{trained}__s{seed}"
    directory = Path(out_dir) if out_dir is not None else Path("runs") / run_name
    write_json(directory / "summary.json", data)
    lat = data["latency_ms"]
    played = "your level" if level_text is not None else env_id
    say(
        f"{pipe.label} on {played}: success rate {summary.success_rate:.1%} over "
        f"{plural(episodes, 'episode')} · mean return {summary.mean_return:.3f} · mean steps "
        f"{summary.mean_steps:.1f} · decision p50 {lat['total_p50']:.2f} ms, p95 "
        f"{lat['total_p95']:.2f} ms"
    )
    if summary.seen:
        were = "was" if summary.seen == 1 else "were"
        say(
            f"note: {summary.seen} of these {plural(episodes, 'level')} {were} "
            f"met in training: {env_id} has too few distinct "
            "levels to keep them all apart (see benchmarks/level_space.py)",
            err,
        )
    if recorder is not None:
        _say_audit(pipe, recorder.transitions)
    say(f"wrote {directory / 'summary.json'}")


def _recorder(pipe: Any, game: Any) -> Any:
    """A recorder of the run's transitions, for a pipeline whose rules play can audit (an
    agent game's blocks/kills/collects/wins); None for any other."""
    from compose.pipelines.rule_checks import TransitionRecorder
    from symbolic.induction.audit import AUDITED

    reasoner = getattr(pipe, "reasoner", None)
    if reasoner is None or not set(AUDITED) <= set(reasoner.questions):
        return None
    return TransitionRecorder(int(game.unwrapped.max_steps))


def _say_audit(pipe: Any, transitions: list[Any]) -> None:
    """--explain's last word: what this run's transitions (in the game's true scenes)
    contradict in the rules the pipeline played by."""
    from compose.pipelines.rule_checks import audit_lines

    rules = pipe.reasoner.rules
    lines = audit_lines(rules, transitions)
    where = f"the rules ({rules.source}) against {plural(len(transitions), 'transition')}"
    if not lines:
        say(f"audit of {where} of this run: no transition contradicts them")
        return
    say(f"audit of {where} of this run (the game's true scenes):")
    for line in lines:
        say(f"  {line}")


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


def _read_level(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--level: cannot read {path} ({e})") from None


def _record_gif(path: Path, env: Any, episode: Any, seed: int, level: str | None) -> None:
    """Replay the recorded episode and save it, outlining the cells the pipeline misread."""
    from compose.report.screens import outline, replay, save_gif

    steps = episode.trace or []
    shown = []
    for i, (frame, truth) in enumerate(replay(env, seed, [s.action for s, _ in steps], level)):
        step = steps[i][0] if i < len(steps) else None
        seen = step.scene.grid if step is not None and step.scene is not None else truth
        shown.append(outline(frame, seen != truth, env.tile))
    save_gif(path, shown)


def parse_pipelines(text: str | None) -> list[dict[str, Any]] | None:
    """``--pipelines hybrid,mono-small``: each name's pipeline fields (see
    :func:`compose.experiments.config.pipeline_fields`); None when the flag is not given."""
    if text is None:
        return None
    from compose.experiments.config import pipeline_fields

    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise ConfigError("--pipelines: name at least one pipeline, e.g. hybrid,monolithic")
    try:
        return [pipeline_fields(name) for name in names]
    except ValueError as e:
        raise ConfigError(f"--pipelines: {e}") from None


def parse_budgets(
    text: str | None, flag: str = "--budgets", example: str = "1,3,10"
) -> list[int] | None:
    if text is None:
        return None
    try:
        return [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ConfigError(
            f"{flag}: expected comma-separated whole numbers such as {example} (got {clip(text)})"
        ) from None


@app.command(
    epilog=pipelines_help(
        "--pipelines NAME,NAME,...",
        "; a monolithic name means the medium network, and the report's labels name "
        "pipelines too (mono-small, mono-pooled-aug, hybrid-abduced-conv, ...)",
    )
)
def compare(
    env: Annotated[
        str | None,
        typer.Option(help=with_default("Environment id to train on", CONFIG_DEFAULTS["env"])),
    ] = None,
    pipelines: Annotated[
        str | None,
        typer.Option(
            metavar="NAMES",
            help=with_default(
                "Pipelines to compare, comma-separated: names listed below",
                "the config's, else " + CONFIG_DEFAULTS["pipelines"].replace(",", ", "),
            ),
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(help=with_default("Experiment config (.toml, .yaml or .json)", "none")),
    ] = None,
    budgets: Annotated[
        str | None,
        typer.Option(
            help=with_default("Demonstration episodes, comma-separated", CONFIG_DEFAULTS["budgets"])
        ),
    ] = None,
    frames: Annotated[
        str | None,
        typer.Option(
            help=with_default(
                "PPO's training budgets in environment frames, comma-separated",
                CONFIG_DEFAULTS["frames"],
            )
        ),
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help=with_default("Number of seeds", CONFIG_DEFAULTS["seeds"]))
    ] = None,
    episodes: Annotated[
        int | None,
        typer.Option(
            help=with_default("Evaluation episodes per seed and split", CONFIG_DEFAULTS["episodes"])
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help=with_default("Worker processes", CONFIG_DEFAULTS["workers"])),
    ] = None,
    executor: Annotated[
        ExecutorName | None,
        typer.Option(
            metavar="EXECUTOR",
            help=with_default(
                "Where jobs run: local (a process pool) or ray (Ray tasks; see docs/cluster.md)",
                CONFIG_DEFAULTS["executor"],
            ),
        ),
    ] = None,
    address: Annotated[
        str | None,
        typer.Option(
            help=with_default(
                "With --executor ray: the cluster to join (auto, HOST:PORT or ray://HOST:PORT)",
                "none, a Ray started on this machine with --workers CPUs",
            )
        ),
    ] = None,
    rules: Annotated[
        Path | None,
        typer.Option(
            help=with_default(
                "Your own Prolog rule file for the hybrid and the oracle (checked with "
                "library(sandbox))",
                "the game's own",
            ),
        ),
    ] = None,
    preset: Annotated[
        PresetName | None,
        typer.Option(
            metavar="PRESET",
            help=with_default(
                "demo (minutes), full (an hour), cluster (many machines) or catch-up (to "
                "3,000 demonstrations, the monolith's best shots)",
                "none, the defaults",
            ),
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help=with_default("Results directory", "runs/compare-<env>")),
    ] = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help=with_default(
                "Start afresh in a results directory that holds a comparison with other "
                "settings: what it holds is moved to DIR/replaced-<time>/, nothing is deleted",
                "off: such a directory is refused, one with the same settings resumed",
            ),
        ),
    ] = False,
) -> None:
    """Compare pipelines over budgets, seeds and splits; resumable; writes a report."""
    from compose.common.files import check_writable
    from compose.experiments.config_files import load_config
    from compose.experiments.runner import prepare, run_experiment
    from compose.report import build_report

    cfg = load_config(
        config,
        preset=preset.value if preset else None,
        from_flags=True,
        env=env,
        pipelines=parse_pipelines(pipelines),
        budgets=parse_budgets(budgets),
        frames=parse_budgets(frames, "--frames", "10000,100000"),
        seeds=seeds,
        episodes=episodes,
        workers=workers,
        executor=executor.value if executor else None,
        address=address,
        rules=rules,
    )
    if out_dir is not None:
        check_writable(out_dir, "--out")  # before Path() turns an empty one into "."
    directory = (
        Path(out_dir) if out_dir is not None else Path("runs") / f"compare-{cfg.env.split('/')[-1]}"
    )
    # A damaged or foreign directory or bad rules fail before the progress bar.
    prepare(cfg, directory, fresh=fresh)
    bar = progress()
    task = bar.add_task("compare", total=None, status="")

    def on_progress(event: str, job: Any, done: int, total: int) -> None:
        if event == "start":
            if done:
                say(
                    f"resuming: {done} of {plural(total, 'job')} are already recorded in "
                    f"{directory}",
                    bar.console,
                )
            bar.update(task, total=total, completed=done, status="")
        elif event == "done":
            bar.update(task, completed=done, status=f"finished {job.name}")
        elif event == "failed":
            bar.update(task, status=f"failed {job.name}")

    try:
        with bar:
            outcome = run_experiment(cfg, directory, on_progress, fresh=fresh)
    except KeyboardInterrupt:
        say(
            f"interrupted: every finished job is saved in {directory}; run the same command "
            "again to resume",
            err,
        )
        raise typer.Exit(130) from None
    for name, message in outcome.failed:
        say(Text.assemble((f"job {name} failed:", "red"), f" {message}"), err)
    with err.status("writing the report…"):
        files = build_report(directory)
    _print_verdicts(directory)
    say(f"report: {files.html}  (also {files.markdown.name}, {files.json.name})")
    if outcome.failed:
        raise typer.Exit(1)


def _print_verdicts(directory: Path) -> None:
    data = json.loads((directory / "results.json").read_text())
    if not data["verdicts"]:
        say("no learner has results (only the oracle ran, or every learner failed)")
        return
    _print_headline(data["headline"])
    top = max(v["budget"] for v in data["verdicts"])
    shown = table(
        "split",
        "winner",
        "success",
        "runner-up",
        "success",
        "verdict",
        title=f"every learner, winner and runner-up, at {plural(top, 'demonstration episode')}",
    )
    summary = {(s["pipeline"], s["budget"], s["split"]): s for s in data["summary"]}
    for v in data["verdicts"]:
        if v["budget"] != top:
            continue
        w = summary[(v["winner"], v["budget"], v["split"])]
        r = summary.get((v["runner_up"], v["budget"], v["split"])) if v["runner_up"] else None
        if v["nobody"]:
            shown.add_row(cell(v["split"]), "none", "0%", "—", "—", "no winner")
            continue
        shown.add_row(
            cell(v["split"]),
            cell(v["winner"]),
            cell(f"{w['success_rate']:.0%}"),
            cell(v["runner_up"] or "—"),
            cell("—" if r is None else f"{r['success_rate']:.0%}"),
            "tie" if v["tied"] else "clear" if v["clear"] else "within noise",
        )
    say(shown)
    ppo = [c for c in data["summary"] if c["pipeline"] == "ppo"]
    if ppo:
        top_frames = max(c["budget"] for c in ppo)
        rates = ", ".join(
            f"{c['split']} {c['success_rate']:.0%}" for c in ppo if c["budget"] == top_frames
        )
        say(f"ppo, from reward alone, at {plural(top_frames, 'frame')}: {rates}")


def _print_headline(rows: list[dict[str, Any]]) -> None:
    """Per split, one line: the best hybrid against the best monolith and against PPO, each
    lead in points with its paired 95% interval (``results.json``'s ``headline``)."""
    if not rows:
        return
    say(
        f"who won, at {plural(rows[0]['budget'], 'demonstration episode')} (the best hybrid's "
        "lead in points, with its 95% interval):"
    )
    for row in rows:
        against = [
            f"vs {_side(row['monolith'])}: {_lead(row['hybrid_minus_monolith'])}",
            f"vs ppo {_side(row['ppo'], frames=True)}: {_lead(row['hybrid_minus_ppo'])}",
        ]
        shown = [a for a, side in zip(against, ("monolith", "ppo"), strict=True) if row[side]]
        say(f"  {row['split']}: {_side(row['hybrid'])} " + "; ".join(shown))


def _side(side: dict[str, Any] | None, frames: bool = False) -> str:
    """``mono-pooled 25%`` (PPO: ``(100k frames) 25%``); ``no hybrid`` where none played."""
    if side is None:
        return "no hybrid"
    if frames:
        from compose.analysis.results import frames_text

        return f"({frames_text(side['budget'])}) {side['success_rate']:.0%}"
    return f"{side['pipeline']} {side['success_rate']:.0%}"


def _lead(d: dict[str, Any] | None) -> str:
    """``+50 [+19, +70] ahead``: points, the 95% interval, and what it says."""
    if d is None:
        return "—"
    low, high = (f"{round(100 * x) + 0:+d}" for x in d["ci95"])
    return f"{round(100 * d['difference']) + 0:+d} [{low}, {high}] {d['standing']}"


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A directory written by `neurocomp compare`.")],
) -> None:
    """(Re)build report.md, report.html and results.json from a comparison's database."""
    from compose.report import build_report

    files = build_report(directory)
    say(
        f"report: {files.html}  ({plural(files.rows, 'result row')}; also "
        f"{files.markdown.name}, {files.json.name})"
    )


@app.command()
def bench(
    as_json: Annotated[
        bool, typer.Option("--json", help=with_default("Print the figures as JSON", "a table"))
    ] = False,
    quick: Annotated[
        bool, typer.Option(help="Fewer repetitions (noisier numbers).", show_default=True)
    ] = False,
    env: Annotated[
        list[str] | None,
        typer.Option("--env", help=with_default("Measure these ids (repeatable)", "every game")),
    ] = None,
) -> None:
    """Measure env speed, decision latency and training time; prints numbers, asserts nothing."""
    from compose.experiments.bench import run_benchmarks

    with err.status("benchmarking…"):
        figures = run_benchmarks(quick=quick, env_ids=env or None)
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    shown = table("measure", "value")
    for name, sps in figures["env_steps_per_s"].items():
        shown.add_row(cell(f"env steps/s with pixels, {name}"), cell(f"{sps:,.0f}"))
    for key, lat in figures["oracle_latency_ms"].items():
        shown.add_row(
            cell(f"oracle decision {key} (ms)"),
            cell(
                f"p50 {lat['total_p50']:.3f} (prolog {lat['prolog_p50']:.3f}, "
                f"search {lat['search_p50']:.3f}) · p95 {lat['total_p95']:.3f}"
            ),
        )
    for key, lat in figures["decision_latency_ms"].items():
        shown.add_row(
            cell(f"{key} decision (ms)"),
            cell(
                f"p50 {lat['total_p50']:.3f} (neural {lat['neural_p50']:.3f}, "
                f"symbolic {lat['symbolic_p50']:.3f}) · p95 {lat['total_p95']:.3f}"
            ),
        )
    for key, seconds in figures["train_seconds"].items():
        shown.add_row(cell(f"training {key} (s)"), cell(f"{seconds:.1f}"))
    say(shown)


app.command()(addition)


def _command_path() -> str:
    """``neurocomp run``: the command the arguments name (for an error click gives no context)."""
    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), "")
    return f"neurocomp {first}" if first in commands else "neurocomp"


def main() -> None:
    """Entry point: every user error prints one line, never a traceback."""
    try:
        code = app(standalone_mode=False)  # --help and typer.Exit return their exit status
    except click_errors.NoArgsIsHelpError:  # `neurocomp` alone: the help, printed
        sys.exit(2)
    except click_errors.UsageError as e:  # a bad flag or value, an unknown option or command
        where = e.ctx.command_path if e.ctx is not None else _command_path()
        message = e.format_message().replace("Value error, ", "").rstrip(".")
        fail(f"{message}; see `{where} --help`")
        sys.exit(e.exit_code)
    except click_errors.ClickException as e:
        fail(e.format_message())
        sys.exit(e.exit_code)
    except typer.Abort:
        say("aborted", err)
        sys.exit(1)
    except NeurocompError as e:
        fail(str(e))
        sys.exit(2)
    except KeyboardInterrupt:
        say("interrupted", err)
        sys.exit(130)
    except OSError as e:  # e.g. --out on a read-only disk
        fail(str(e))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

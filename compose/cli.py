"""The ``neurocomp`` command line: list games, play them, compare pipelines, report, measure."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from compose.cli_digits import addition
from compose.errors import ConfigError
from compose.files import write_json
from environments.errors import NeurocompError, clip

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

        out.print(f"neurocomp {version('neurocomp')}")
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


out = Console(soft_wrap=True)  # a message is one line in a log, however narrow
err = Console(stderr=True, soft_wrap=True)


# The CLI is imported before torch, so these choices are spelt out here; a test keeps them
# equal to where they are defined (compose.config, neural.modules).
PIPELINES = (
    "oracle",
    "hybrid",
    "hybrid-abduced",
    "hybrid-legend",
    "hybrid-sym",
    "hybrid-aug",
    "hybrid-conv",
    "hybrid-conv-colour",
    "hybrid-conv-aug",
    "monolithic",
    "monolithic-sym",
    "monolithic-aug",
    "monolithic-symbolic",
    "monolithic-dagger",
    "monolithic-distilled",
    "monolithic-grid",
    "ppo",
)
PipelineName = StrEnum("PipelineName", {k.replace("-", "_"): k for k in PIPELINES})
SizeName = StrEnum("SizeName", {k: k for k in ("small", "medium", "large", "pooled")})
ExecutorName = StrEnum("ExecutorName", {k: k for k in ("local", "ray")})
PresetName = StrEnum("PresetName", {k: k for k in ("demo", "full", "cluster", "catch-up")})
MAX_BUDGET = 3000  # demonstration episodes, as compose.config allows
MAX_FRAMES = 10_000_000  # PPO's frames, as compose.config allows
# Defaults of compare's flags, as the experiment config has them (a test keeps them equal).
CONFIG_DEFAULTS = {
    "env": "neurocomp/KeyDoor-8x8-v0",
    "budgets": "1,3,10",
    "frames": "10000,100000",
    "seeds": "2",
    "episodes": "20",
    "workers": "2",
    "executor": "local",
}


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=err,
    )


@app.command()
def envs(
    ids: Annotated[
        bool, typer.Option("--ids", help=with_default("List every registered id instead", "off"))
    ] = False,
) -> None:
    """List the games, one line each (with --ids: every registered id)."""
    from environments.registry import describe, env_ids, games

    if ids:
        table = Table("id", "description", box=None)
        for env_id in env_ids():
            table.add_row(env_id, describe(env_id))
        out.print(table)
        return
    width = max(len(g.title) for g in games())
    for game in games():
        variants = ",".join(v.suffix for v in game.variants)
        adopted = f"; and any other qualifying {game.adopts}* id" if game.adopts else ""
        glyphs = " ".join(k.glyph for k in game.kinds)
        values = f"(r,c,{'|'.join(game.actions.values)})" if game.actions.values else ""
        actions = f"{game.actions.per_cell}{values}" or " ".join(game.actions.names)
        out.print(
            f"[bold]{game.title:<{width}}[/bold]  {game.summary} "
            f"[dim](neurocomp/{game.title}-{{{variants}}}-v0; kinds {glyphs}; actions "
            f"{actions}{adopted})[/dim]",
            soft_wrap=True,
            highlight=False,
        )
    out.print("`neurocomp envs --ids` lists every id; `neurocomp run --env ID` plays one.")


@app.command()
def run(
    env: Annotated[str, typer.Option("--env", help="Environment id (see `neurocomp envs`).")],
    pipeline: Annotated[
        PipelineName | None, typer.Option(help=with_default("Which pipeline plays", "oracle"))
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
        SizeName | None, typer.Option(help=with_default("Monolithic network size", "medium"))
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
            help=with_default("Plan search, e.g. networkx or prolog", "the reasoner's own")
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
    from compose.build import obtain_pipeline
    from compose.config import spec_named
    from compose.experiment import versions
    from compose.files import check_writable
    from compose.play import evaluate, level_seed, play_episode
    from environments.registry import make, spec

    env_id = spec(env).id
    game = make(env_id)
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
            err.print(
                f"note: --load plays the pipeline saved in {load} as it was saved; "
                f"{', '.join(ignored)} {'is' if len(ignored) == 1 else 'are'} ignored"
            )
        search = None
    pipeline = pipeline or PipelineName.oracle
    monolithic = pipeline.value.startswith("monolithic")
    if size is not None and not monolithic:
        err.print(f"note: --size applies to monolithic pipelines; the {pipeline.value} ignores it")
    if pipeline == PipelineName.ppo and budget is not None:
        raise ConfigError("--budget counts demonstrations; PPO learns from reward: use --frames")
    if pipeline != PipelineName.ppo and frames is not None:
        raise ConfigError("--frames is PPO's budget; the other pipelines take --budget")
    kind = spec_named(pipeline.value, size.value if size and monolithic else None)
    with err.status(f"preparing the {kind.label} pipeline…"):
        pipe, fit = obtain_pipeline(
            game,
            kind,
            budget=frames if pipeline == PipelineName.ppo else budget,
            seed=seed,
            rules=rules,
            search=search,
            load=load,
        )
    if fit is not None and kind.kind == "ppo":
        reached = fit.extra.get("frames_to_0.9")
        when = f"after {reached:,} frames" if reached else "never"
        err.print(
            f"trained ppo on {fit.frames:,} frames in {fit.train_seconds:.1f} s (mean training "
            f"return reached 0.9 {when})"
        )
    elif fit is not None:
        err.print(
            f"trained {pipe.label} on {fit.frames} frames in {fit.train_seconds:.1f} s "
            f"(validation accuracy {fit.val_accuracy:.2f}, learning rate {fit.learning_rate})"
        )
        if "abduced_cell_accuracy" in fit.extra:
            x = fit.extra
            err.print(
                f"abduced its cells from {fit.actions} expert actions and the rules, with "
                f"{fit.cell_labels} cell labels: {x['episodes_explained']} of {budget or 10} "
                f"episodes explained; {x['perceived_cell_accuracy']:.1%} of the demonstration "
                f"cells perceived right, {x['perceived_alike_accuracy']:.1%} up to kinds "
                f"the rules treat alike (measured against the true cells, never trained on); "
                f"{x['ambiguous_cells']} cells ambiguous by play"
            )
    if save is not None:
        pipe.save(Path(save))
        err.print(f"saved the pipeline to {save}")
    reason = pipe.cannot_play(game)
    if reason:
        raise ConfigError(f"{reason} ({env_id})")
    first_seed = level_seed(seed, "eval", 0)
    if explain or record:
        episode = play_episode(game, pipe, first_seed, record=True, level=level_text)
        if explain:
            for i, (step, info) in enumerate(episode.trace or []):
                scene = step.scene or info["scene"]
                out.print(f"[bold]step {i}[/bold]\n{scene.to_text()}\n{step.explain()}\n")
        if record:
            _record_gif(record, game, episode, first_seed, level_text)
            err.print(f"recorded the first episode in {record}")
    with progress() as bar:
        task = bar.add_task(f"{pipe.label} on {env_id}", total=episodes, status="")
        wins = 0

        def tick(result: Any) -> None:
            nonlocal wins
            wins += result.success
            bar.update(task, advance=1, status=f"solved {wins}")

        # one level at a time, so that the decision latency printed is one screen's
        summary = evaluate(
            game, pipe, episodes, seed, on_episode=tick, level=level_text, together=1
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
        "mean_return": summary.mean_return,
        "mean_steps": summary.mean_steps,
        "latency_ms": summary.latency_ms(),
        "fit": None if fit is None else fit.__dict__,
        "details": pipe.describe(),
        "loaded_from": None if load is None else str(load),
        "versions": versions(),
        "results": [
            {"level_seed": e.level_seed, "success": e.success, "return": e.ret, "steps": e.steps}
            for e in summary.episodes
        ],
    }
    trained = "" if trained_on is None else f"__b{trained_on}"
    run_name = f"{env_id.split('/')[-1]}__{pipe.label}{trained}__s{seed}"
    directory = Path(out_dir) if out_dir is not None else Path("runs") / run_name
    write_json(directory / "summary.json", data)
    lat = data["latency_ms"]
    out.print(
        f"success rate {summary.success_rate:.1%} over {episodes} episodes · "
        f"mean return {summary.mean_return:.3f} · mean steps {summary.mean_steps:.1f} · "
        f"decision p50 {lat['total_p50']:.2f} ms, p95 {lat['total_p95']:.2f} ms"
    )
    out.print(f"wrote {directory / 'summary.json'}")


def _read_level(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--level: cannot read {path} ({e})") from None


def _record_gif(path: Path, env: Any, episode: Any, seed: int, level: str | None) -> None:
    """Replay the recorded episode and save it, outlining the cells the pipeline misread."""
    from compose.screens import outline, replay, save_gif

    steps = episode.trace or []
    shown = []
    for i, (frame, truth) in enumerate(replay(env, seed, [s.action for s, _ in steps], level)):
        step = steps[i][0] if i < len(steps) else None
        seen = step.scene.grid if step is not None and step.scene is not None else truth
        shown.append(outline(frame, seen != truth, env.tile))
    save_gif(path, shown)


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


@app.command()
def compare(
    env: Annotated[
        str | None,
        typer.Option(help=with_default("Environment id to train on", CONFIG_DEFAULTS["env"])),
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
            help=with_default(
                "Where jobs run: local (a process pool) or ray (Ray tasks; see docs/cluster.md)",
                CONFIG_DEFAULTS["executor"],
            )
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
            help=with_default(
                "demo (minutes), full (an hour), cluster (many machines) or catch-up (to "
                "3,000 demonstrations, the monolith's best shots)",
                "none, the defaults",
            )
        ),
    ] = None,
    out_dir: Annotated[
        str | None,
        typer.Option("--out", help=with_default("Results directory", "runs/compare-<env>")),
    ] = None,
) -> None:
    """Compare pipelines over budgets, seeds and splits; resumable; writes a report."""
    from compose.config_files import load_config
    from compose.experiment import prepare, run_experiment
    from compose.files import check_writable
    from compose.report import build_report

    cfg = load_config(
        config,
        preset=preset.value if preset else None,
        from_flags=True,
        env=env,
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
    prepare(cfg, directory)  # a damaged directory or bad rules fail before the progress bar
    bar = progress()
    task = bar.add_task("compare", total=None, status="")

    def on_progress(event: str, job: Any, done: int, total: int) -> None:
        if event == "start":
            if done:
                bar.console.print(
                    f"resuming: {done} of {total} jobs are already recorded in {directory}"
                )
            bar.update(task, total=total, completed=done, status="")
        elif event == "done":
            bar.update(task, completed=done, status=f"finished {job.name}")
        elif event == "failed":
            bar.update(task, status=f"[red]failed {job.name}")

    try:
        with bar:
            outcome = run_experiment(cfg, directory, on_progress)
    except KeyboardInterrupt:
        err.print(
            f"[yellow]interrupted[/yellow]: every finished job is saved in {directory}; "
            "run the same command again to resume"
        )
        raise typer.Exit(130) from None
    for name, message in outcome.failed:
        err.print(f"[red]job {name} failed:[/red] {escape(message)}")
    with err.status("writing the report…"):
        files = build_report(directory)
    _print_verdicts(directory)
    out.print(f"report: {files.html}  (also {files.markdown.name}, {files.json.name})")
    if outcome.failed:
        raise typer.Exit(1)


def _print_verdicts(directory: Path) -> None:
    data = json.loads((directory / "results.json").read_text())
    if not data["verdicts"]:
        out.print("no learner has results (only the oracle ran, or every learner failed)")
        return
    top = max(v["budget"] for v in data["verdicts"])
    table = Table(
        "split",
        "winner",
        "success",
        "runner-up",
        "success",
        "verdict",
        box=None,
        title=f"who won at {top} demonstration episodes",
    )
    summary = {(s["pipeline"], s["budget"], s["split"]): s for s in data["summary"]}
    for v in data["verdicts"]:
        if v["budget"] != top:
            continue
        w = summary[(v["winner"], v["budget"], v["split"])]
        r = summary.get((v["runner_up"], v["budget"], v["split"])) if v["runner_up"] else None
        if v["nobody"]:
            table.add_row(v["split"], "none", "0%", "—", "—", "no winner")
            continue
        table.add_row(
            v["split"],
            v["winner"],
            f"{w['success_rate']:.0%}",
            v["runner_up"] or "—",
            "—" if r is None else f"{r['success_rate']:.0%}",
            "tie" if v["tied"] else "clear" if v["clear"] else "within noise",
        )
    out.print(table)
    ppo = [c for c in data["summary"] if c["pipeline"] == "ppo"]
    if ppo:
        top_frames = max(c["budget"] for c in ppo)
        shown = ", ".join(
            f"{c['split']} {c['success_rate']:.0%}" for c in ppo if c["budget"] == top_frames
        )
        out.print(f"ppo, from reward alone, at {top_frames:,} frames: {shown}")


@app.command()
def report(
    directory: Annotated[Path, typer.Argument(help="A directory written by `neurocomp compare`.")],
) -> None:
    """(Re)build report.md, report.html and results.json from a comparison's database."""
    from compose.report import build_report

    files = build_report(directory)
    out.print(
        f"report: {files.html}  ({files.rows} result rows; also {files.markdown.name}, "
        f"{files.json.name})"
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
    from compose.bench import run_benchmarks

    with err.status("benchmarking…"):
        figures = run_benchmarks(quick=quick, env_ids=env or None)
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    table = Table("measure", "value", box=None)
    for name, sps in figures["env_steps_per_s"].items():
        table.add_row(f"env steps/s with pixels, {name}", f"{sps:,.0f}")
    for key, lat in figures["oracle_latency_ms"].items():
        table.add_row(
            f"oracle decision {key} (ms)",
            f"p50 {lat['total_p50']:.3f} (prolog {lat['prolog_p50']:.3f}, "
            f"search {lat['search_p50']:.3f}) · p95 {lat['total_p95']:.3f}",
        )
    for key, lat in figures["decision_latency_ms"].items():
        table.add_row(
            f"{key} decision (ms)",
            f"p50 {lat['total_p50']:.3f} (neural {lat['neural_p50']:.3f}, "
            f"symbolic {lat['symbolic_p50']:.3f}) · p95 {lat['total_p95']:.3f}",
        )
    for key, seconds in figures["train_seconds"].items():
        table.add_row(f"training {key} (s)", f"{seconds:.1f}")
    out.print(table)


app.command()(addition)


def main() -> None:
    """Entry point: user errors print one clear message, never a traceback."""
    try:
        app()  # usage errors are reported by typer itself (exit status 2)
    except NeurocompError as e:
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as e:  # e.g. --out on a read-only disk
        err.print(f"[bold red]error:[/bold red] {escape(str(e))}", highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()

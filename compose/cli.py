"""The ``neurocomp`` command line: list games, play them with a pipeline, measure speed."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from environments.errors import NeurocompError

app = typer.Typer(
    help="Neurocomp: compose small neural modules with Prolog rules and measure them "
    "against monolithic networks on grid games.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


class PipelineName(StrEnum):
    oracle = "oracle"


class SearchName(StrEnum):
    networkx = "networkx"
    prolog = "prolog"


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


@app.command()
def envs() -> None:
    """List the registered games."""
    from environments.registry import describe, env_ids

    table = Table("id", "description", box=None)
    for env_id in env_ids():
        table.add_row(env_id, describe(env_id))
    out.print(table)


@app.command()
def run(
    env: Annotated[str, typer.Option("--env", help="Environment id (see `neurocomp envs`).")],
    pipeline: Annotated[PipelineName, typer.Option(help="Which pipeline plays.")] = (
        PipelineName.oracle
    ),
    rules: Annotated[
        Path | None,
        typer.Option(help="Your own Prolog rule file (checked with library(sandbox))."),
    ] = None,
    episodes: Annotated[int, typer.Option(min=1, max=100_000, help="Levels to play.")] = 20,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the evaluation levels.")] = 0,
    search: Annotated[SearchName, typer.Option(help="Plan search method.")] = (SearchName.networkx),
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Directory for summary.json [default: runs/<run name>]."),
    ] = None,
    explain: Annotated[
        bool, typer.Option(help="Print the first episode step by step with explanations.")
    ] = False,
) -> None:
    """Play episodes with a pipeline and write DIR/summary.json."""
    from compose.pipelines import OraclePipeline
    from compose.play import evaluate, level_seed, play_episode
    from environments.registry import make, spec

    env_id = spec(env).id
    game = make(env_id)
    pipe = OraclePipeline.for_game(game.game, rules, search.value)
    if explain:
        episode = play_episode(game, pipe, level_seed(seed, "eval", 0), record=True)
        for i, (step, info) in enumerate(episode.trace or []):
            out.print(f"[bold]step {i}[/bold]\n{info['scene'].to_text()}\n{step.explain()}\n")
    with progress() as bar:
        task = bar.add_task(f"{pipe.name} on {env_id}", total=episodes, status="")
        wins = 0

        def tick(result: Any) -> None:
            nonlocal wins
            wins += result.success
            bar.update(task, advance=1, status=f"solved {wins}")

        summary = evaluate(game, pipe, episodes, seed, on_episode=tick)
    record = {
        "env": env_id,
        "pipeline": pipe.name,
        "episodes": episodes,
        "seed": seed,
        "success_rate": summary.success_rate,
        "mean_return": summary.mean_return,
        "mean_steps": summary.mean_steps,
        "latency_ms": summary.latency_ms(),
        "details": pipe.describe(),
        "versions": versions(),
        "results": [
            {"level_seed": e.level_seed, "success": e.success, "return": e.ret, "steps": e.steps}
            for e in summary.episodes
        ],
    }
    run_name = f"{env_id.split('/')[-1]}__{pipe.name}__s{seed}"
    directory = out_dir or Path("runs") / run_name
    write_json(directory / "summary.json", record)
    lat = record["latency_ms"]
    out.print(
        f"success rate {summary.success_rate:.1%} over {episodes} episodes · "
        f"mean return {summary.mean_return:.3f} · mean steps {summary.mean_steps:.1f} · "
        f"decision p50 {lat['p50']:.2f} ms, p95 {lat['p95']:.2f} ms"
    )
    out.print(f"wrote {directory / 'summary.json'}")


@app.command()
def bench(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    quick: Annotated[bool, typer.Option(help="Fewer repetitions (noisier numbers).")] = False,
) -> None:
    """Measure env speed and decision latency; prints numbers, asserts nothing."""
    from compose.bench import run_foundation_benchmarks

    with err.status("benchmarking…"):
        figures = run_foundation_benchmarks(quick=quick)
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    table = Table("measure", "value", box=None)
    for size, sps in figures["env_steps_per_s"].items():
        table.add_row(f"env steps/s with pixels, KeyDoor {size}", f"{sps:,.0f}")
    for key, lat in figures["oracle_latency_ms"].items():
        table.add_row(
            f"oracle decision {key} (ms)",
            f"p50 {lat['total_p50']:.3f} (prolog {lat['prolog_p50']:.3f}, "
            f"search {lat['search_p50']:.3f}) · p95 {lat['total_p95']:.3f}",
        )
    out.print(table)


def versions() -> dict[str, str]:
    """Versions of what produced a result."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": sys.version.split()[0]}
    for package in ("neurocomp", "torch", "numpy", "gymnasium", "pyswip", "networkx"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON atomically: a crash never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    tmp.replace(path)


def main() -> None:
    """Entry point: user errors print one clear message, never a traceback."""
    try:
        app()  # usage errors are reported by typer itself (exit status 2)
    except NeurocompError as e:
        err.print(f"[bold red]error:[/bold red] {e}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except OSError as e:  # e.g. --out on a read-only disk
        err.print(f"[bold red]error:[/bold red] {e}", highlight=False)
        sys.exit(1)

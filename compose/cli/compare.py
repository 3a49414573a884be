"""``neurocomp compare`` (pipelines over budgets, seeds and splits; resumable; a report) and
``neurocomp report`` (the report again, from a comparison's database)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from compose.cli.app import (
    CONFIG_DEFAULTS,
    ExecutorName,
    PresetName,
    RulesOption,
    ViewOption,
    pipelines_help,
    progress,
    with_default,
)
from compose.cli.messages import print_verdicts
from compose.cli.text import err, plural, say
from compose.common.errors import ConfigError
from compose.common.files import check_writable
from compose.experiments.config import ExperimentConfig
from compose.experiments.config_files import load_config
from compose.pipelines.spec import pipeline_fields
from environments.errors import clip

__all__ = ["compare", "parse_budgets", "parse_pipelines", "report"]


def _default(text: str, name: str) -> str:
    return with_default(text, CONFIG_DEFAULTS[name])


EnvOption = Annotated[str | None, typer.Option(help=_default("Environment id to train on", "env"))]
PipelinesOption = Annotated[
    str | None,
    typer.Option(
        metavar="NAMES",
        help=with_default(
            "Pipelines to compare, comma-separated: names listed below",
            "the config's, else " + CONFIG_DEFAULTS["pipelines"].replace(",", ", "),
        ),
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(help=with_default("Experiment config (.toml, .yaml or .json)", "none")),
]
BudgetsOption = Annotated[
    str | None, typer.Option(help=_default("Demonstration episodes, comma-separated", "budgets"))
]
FramesOption = Annotated[
    str | None,
    typer.Option(
        help=_default("PPO's training budgets in environment frames, comma-separated", "frames")
    ),
]
SeedsOption = Annotated[int | None, typer.Option(help=_default("Number of seeds", "seeds"))]
EpisodesOption = Annotated[
    int | None, typer.Option(help=_default("Evaluation episodes per seed and split", "episodes"))
]
WorkersOption = Annotated[int | None, typer.Option(help=_default("Worker processes", "workers"))]
ExecutorOption = Annotated[
    ExecutorName | None,
    typer.Option(
        metavar="EXECUTOR",
        help=_default(
            "Where jobs run: local (a process pool) or ray (Ray tasks; see docs/cluster.md)",
            "executor",
        ),
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        help=with_default(
            "With --executor ray: the cluster to join (auto, HOST:PORT or ray://HOST:PORT)",
            "none, a Ray started on this machine with --workers CPUs",
        )
    ),
]
PresetOption = Annotated[
    PresetName | None,
    typer.Option(
        metavar="PRESET",
        help=with_default(
            "demo (minutes), full (an hour), cluster (many machines) or catch-up (to "
            "3,000 demonstrations, the monolith's best shots)",
            "none, the defaults",
        ),
    ),
]
OutOption = Annotated[
    str | None,
    typer.Option("--out", help=with_default("Results directory", "runs/compare-<env>")),
]
FreshOption = Annotated[
    bool,
    typer.Option(
        "--fresh",
        help=with_default(
            "Start afresh in a results directory that holds a comparison with other "
            "settings: what it holds is moved to DIR/replaced-<time>/, nothing is deleted",
            "off: such a directory is refused, one with the same settings resumed",
        ),
    ),
]


EPILOG = pipelines_help(
    "--pipelines NAME,NAME,...",
    "; a monolithic name means the medium network, and the report's labels name "
    "pipelines too (mono-small, mono-pooled-aug, hybrid-abduced-conv, ...)",
)


def compare(
    env: EnvOption = None,
    view: ViewOption = None,
    pipelines: PipelinesOption = None,
    config: ConfigOption = None,
    budgets: BudgetsOption = None,
    frames: FramesOption = None,
    seeds: SeedsOption = None,
    episodes: EpisodesOption = None,
    workers: WorkersOption = None,
    executor: ExecutorOption = None,
    address: AddressOption = None,
    rules: RulesOption = None,
    preset: PresetOption = None,
    out_dir: OutOption = None,
    fresh: FreshOption = False,
) -> None:
    """Compare pipelines over budgets, seeds and splits; resumable; writes a report."""
    from compose.experiments.runner import prepare  # pydantic, sqlite: only when comparing
    from compose.report import build_report

    cfg = load_config(
        config,
        preset=preset.value if preset else None,
        from_flags=True,
        env=env,
        view=view,
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
    seen = "" if cfg.view == "full" else f"-{cfg.view}"
    directory = (
        Path(out_dir)
        if out_dir is not None
        else Path("runs") / f"compare-{cfg.env.split('/')[-1]}{seen}"
    )
    # A damaged or foreign directory or bad rules fail before the progress bar.
    prepare(cfg, directory, fresh=fresh)
    failed = _run(cfg, directory, fresh)
    with err.status("writing the report…"):
        files = build_report(directory)
    print_verdicts(directory)
    say(f"report: {files.html}  (also {files.markdown.name}, {files.json.name})")
    if failed:
        raise typer.Exit(1)


def _run(cfg: ExperimentConfig, directory: Path, fresh: bool) -> bool:
    """Run the comparison's pending jobs under a progress bar; whether any failed. Ctrl-C
    keeps what finished and says how to resume."""
    from compose.experiments.runner import run_experiment

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
        # Every finished job is committed and the workers are stopped: end now, rather than
        # wait at exit on the worker pool's manager thread, which can hang once they are gone.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    for name, message in outcome.failed:
        say(Text.assemble((f"job {name} failed:", "red"), f" {message}"), err)
    return bool(outcome.failed)


def parse_pipelines(text: str | None) -> list[dict[str, Any]] | None:
    """``--pipelines hybrid,mono-small``: each name's pipeline fields (see
    :func:`compose.pipelines.spec.pipeline_fields`); None when the flag is not given."""
    if text is None:
        return None
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


def report(
    directory: Annotated[Path, typer.Argument(help="A directory written by `neurocomp compare`.")],
) -> None:
    """(Re)build report.md, report.html and results.json from a comparison's database."""
    from compose.report import build_report  # matplotlib

    files = build_report(directory)
    say(
        f"report: {files.html}  ({plural(files.rows, 'result row')}; also "
        f"{files.markdown.name}, {files.json.name})"
    )

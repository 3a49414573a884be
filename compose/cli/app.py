"""The ``neurocomp`` application and what its commands share: the choices and defaults read from
the pipelines' and the experiments' own definitions (torch-free, so ``--help`` is quick), each
shared option declared once, and the progress bar."""

from __future__ import annotations

from enum import StrEnum
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Annotated, get_args

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from compose.cli.text import err, say
from compose.experiments.config import (
    MAX_BUDGET,
    MAX_FRAMES,
    PRESETS,
    Executor,
    ExperimentConfig,
    default_pipelines,
)
from compose.pipelines.spec import DESCRIPTIONS, PIPELINE_NAMES
from neural.settings import POLICY_NAMES

__all__ = [
    "CONFIG_DEFAULTS",
    "MAX_BUDGET",
    "MAX_FRAMES",
    "ExecutorName",
    "PipelineName",
    "PresetName",
    "RulesOption",
    "SizeName",
    "ViewOption",
    "app",
    "pipelines_help",
    "progress",
    "with_default",
]

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
        say(f"neurocomp {package_version('neurocomp')}")
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


PipelineName = StrEnum("PipelineName", {k.replace("-", "_"): k for k in PIPELINE_NAMES})
SizeName = StrEnum("SizeName", {k: k for k in POLICY_NAMES})
ExecutorName = StrEnum("ExecutorName", {k: k for k in get_args(Executor)})
PresetName = StrEnum("PresetName", {k: k for k in PRESETS})


def _field_default(name: str) -> object:
    return ExperimentConfig.model_fields[name].get_default(call_default_factory=True)


def _listed(values: object) -> str:
    return ",".join(map(str, values)) if isinstance(values, list) else str(values)


# compare's defaults, as the experiment config has them (shown in `compare --help`).
CONFIG_DEFAULTS: dict[str, str] = {
    "pipelines": ",".join(p.label for p in default_pipelines()),
    **{
        name: _listed(_field_default(name))
        for name in ("env", "budgets", "frames", "seeds", "episodes", "workers", "executor")
    },
}

ViewOption = Annotated[
    str | None,
    typer.Option(
        metavar="VIEW",
        help=with_default(
            "How screens show a level: full, or egocentric (MiniGrid's 7x7 view)",
            "full",
        ),
    ),
]

RulesOption = Annotated[
    Path | None,
    typer.Option(
        help=with_default(
            "Your own Prolog rule file for the hybrid and the oracle (checked with "
            "library(sandbox))",
            "the game's own",
        ),
    ),
]


def pipelines_help(flag: str, more: str = "") -> str:
    """A command's epilog: every pipeline name with its line (one name a line, so that no
    name is broken across lines however narrow the terminal)."""
    names = "\n".join(f"[bold]{name}[/bold]: {DESCRIPTIONS[name]}" for name in PIPELINE_NAMES)
    return f"Pipelines ({flag}){more}:\n\n{names}"


def progress() -> Progress:
    """A progress bar on stderr; its text (an id, a job's name) is shown as written."""
    return Progress(
        TextColumn("{task.description}", markup=False, style="bold"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}", markup=False),
        TimeElapsedColumn(),
        console=err,
    )

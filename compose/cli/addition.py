"""``neurocomp addition``: digit addition learned from sums alone, beside a labelled learner, a
monolithic network and (``--peer ablkit``) ABLkit on the same data
(see :mod:`compose.digits.peers`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from compose.cli.text import cell, err, plural, say, table
from compose.common.errors import ConfigError
from compose.common.files import check_writable, write_json
from environments.digits import digit_images
from symbolic.digit_rules import load_sum_rules

PeerName = StrEnum("PeerName", {"ablkit": "ablkit"})


def addition(
    seeds: Annotated[int, typer.Option(min=1, max=100, help="Seeds 0..N-1.")] = 5,
    pairs: Annotated[int, typer.Option(min=1, max=100_000, help="Training pairs.")] = 1000,
    test_pairs: Annotated[int, typer.Option(min=1, max=100_000, help="Test pairs.")] = 1000,
    rounds: Annotated[
        int, typer.Option(min=1, max=100, help="Train-and-revise rounds of the abduced learner.")
    ] = 6,
    epochs: Annotated[int, typer.Option(min=1, max=1000, help="Epochs per round.")] = 5,
    rules: Annotated[
        Path | None,
        typer.Option(help="Addition rules (adds_up/3) \\[default: symbolic/rules/addition.pl]."),
    ] = None,
    peer: Annotated[
        PeerName | None,
        typer.Option(help="Also run this toolkit on the same data, in its own virtualenv."),
    ] = None,
    loops: Annotated[int, typer.Option(min=1, max=1000, help="ABLkit's loops.")] = 30,
    segment: Annotated[
        float, typer.Option(min=0.001, max=1.0, help="ABLkit's segment size (share of pairs).")
    ] = 0.1,
    venv: Annotated[
        Path | None,
        typer.Option(help="ABLkit's virtualenv, made on first use \\[default: .peers/ablkit]."),
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every row to this file.")
    ] = None,
) -> None:
    """Digit addition from sums alone, beside a labelled learner, a monolith and ABLkit."""
    from compose.digits.peers import DEFAULT_VENV, GOAL, peer_python, side_by_side, summary
    from compose.digits.task import AdditionConfig

    config = AdditionConfig(rounds=rounds, epochs=epochs)
    least = -(-config.clusters // 2)  # two images a pair, at least one per appearance group
    if pairs < least:
        raise ConfigError(
            f"--pairs: at least {least}, as the abduced learner first groups the training "
            f"images into {config.clusters} appearances (got {pairs})"
        )
    _check_json(json_out)
    sum_rules = load_sum_rules(rules)
    python = None if peer is None else peer_python(venv or DEFAULT_VENV, say=tell)
    learners = 3 + (python is not None)
    rows_shown = table("seed", "learner", "digit labels", "digits", "sums", "seconds")
    with err.status("training…") as status:

        def shown(row: dict) -> None:
            digits = "—" if row["digit_accuracy"] is None else f"{row['digit_accuracy']:.1%}"
            rows_shown.add_row(
                cell(row["seed"]),
                cell(row["learner"]),
                cell(f"{row['digit_labels']:,}"),
                cell(digits),
                cell(f"{row['sum_accuracy']:.1%}"),
                cell(f"{row['seconds']:.1f}"),
            )
            done = rows_shown.row_count
            status.update(Text(f"training… {done} of {plural(seeds * learners, 'run')} done"))

        rows = side_by_side(
            sum_rules, seeds, pairs, test_pairs, config, python, loops, segment, on_row=shown
        )
    say(rows_shown)
    for text in summary(rows):
        say(text)
    images = len(digit_images("test")[1])
    say(f"(digit accuracy over all {images} test images; the goal counted is {GOAL:.0%})")
    if json_out is not None:
        write_json(json_out, rows)
        say(f"rows written to {json_out}")


def _check_json(path: Path | None) -> None:
    """Refuse a ``--json`` path that cannot be written, before anything trains."""
    if path is not None:
        if path.is_dir():
            raise ConfigError(f"--json: {path} is a directory; name a file to write")
        check_writable(path.parent, "--json")


def tell(message: str) -> None:
    """A progress message on stderr, as written."""
    say(message, err)

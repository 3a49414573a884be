"""``neurocomp addition``: digit addition learned from sums alone, beside a labelled learner, a
monolithic network and (``--peer ablkit``) ABLkit on the same data (see :mod:`compose.peers`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from compose.files import write_json

PeerName = StrEnum("PeerName", {"ablkit": "ablkit"})
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


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
    from compose.digits import AdditionConfig
    from compose.peers import DEFAULT_VENV, GOAL, peer_python, side_by_side, summary
    from environments.digits import digit_images
    from symbolic.digit_rules import load_sum_rules

    sum_rules = load_sum_rules(rules)
    python = None if peer is None else peer_python(venv or DEFAULT_VENV, say=err.print)
    learners = 3 + (python is not None)
    table = Table("seed", "learner", "digit labels", "digits", "sums", "seconds", box=None)
    with err.status("training…") as status:

        def shown(row: dict) -> None:
            digits = "—" if row["digit_accuracy"] is None else f"{row['digit_accuracy']:.1%}"
            table.add_row(
                str(row["seed"]),
                row["learner"],
                f"{row['digit_labels']:,}",
                digits,
                f"{row['sum_accuracy']:.1%}",
                f"{row['seconds']:.1f}",
            )
            done = table.row_count
            status.update(f"training… {done} of {seeds * learners} runs done")

        rows = side_by_side(
            sum_rules,
            seeds,
            pairs,
            test_pairs,
            AdditionConfig(rounds=rounds, epochs=epochs),
            python,
            loops,
            segment,
            on_row=shown,
        )
    out.print(table)
    for text in summary(rows):
        out.print(text, highlight=False)
    images = len(digit_images("test")[1])
    out.print(
        f"(digit accuracy over all {images} test images; the goal counted is {GOAL:.0%})",
        highlight=False,
    )
    if json_out is not None:
        write_json(json_out, rows)
        out.print(f"rows written to {json_out}")

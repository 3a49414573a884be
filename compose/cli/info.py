"""``neurocomp envs`` (the games, a game's legend, actions, ids and splits) and ``neurocomp
bench`` (speed figures, printed, never asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from compose.cli.app import with_default
from compose.cli.text import cell, err, say, table
from environments.registry import describe, env_ids, find_game, games, make, seen_as
from environments.spec import GameSpec
from symbolic.reasoner import RULES_DIR, reasoner_class, rules_path

__all__ = ["bench", "envs"]


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
        suites = " or ".join(f"{p}*" for p in each.adopts)
        adopted = f"; and any other qualifying {suites} id" if each.adopts else ""
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
            f"  and any other {' or '.join(f'{p}*' for p in game.adopts)} id this game can "
            "hold, under its own name "
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
    for view in game.views:
        seen = seen_as(game, view)
        say(
            f"view {view} (`--view {view}`): {seen.summary}; its own glyph"
            + "".join(f" {k.glyph} {k.name}" for k in seen.kinds if k.name not in game.kind_names)
        )
    searches = reasoner_class(game).searches_for(game)
    say(f"rules: {rules_path(game)} (`--rules FILE` plays your own)")
    if game.grammar:
        say(
            f"missions: read by the grammar {RULES_DIR / game.grammar} into goals (ids won by "
            "their mission: BabyAI's, KeyCorridor, ObstructedMaze, Unlock, ...)"
        )
    say(f"search: {' or '.join(searches)} (`--search`; the first is the default)")


def bench(
    as_json: Annotated[
        bool, typer.Option("--json", help=with_default("Print the figures as JSON", "a table"))
    ] = False,
    quick: Annotated[
        bool, typer.Option(help="Fewer repetitions (noisier numbers).", show_default=True)
    ] = False,
    env: Annotated[
        list[str] | None,
        typer.Option(
            "--env",
            help=with_default(
                "Measure these ids (repeatable); with --scaling, these games' sweeps "
                "(KeyDoor, PacMaze-Moving, LightsOut)",
                "every game",
            ),
        ),
    ] = None,
    scaling: Annotated[
        bool,
        typer.Option(
            "--scaling",
            help=with_default(
                "Costs against size (KeyDoor to 64x64, PacMaze-Moving to 12x12, LightsOut to "
                "25x25) and each cost's growth exponent in cells",
                "off",
            ),
        ),
    ] = False,
    figure: Annotated[
        Path | None,
        typer.Option(
            "--figure",
            help=with_default(
                "With --scaling, also draw each cost against cells (log-log, with its growth "
                "exponent) into this PNG file",
                "no figure",
            ),
        ),
    ] = None,
) -> None:
    """Measure env speed, decision latency and training time; prints numbers, asserts nothing."""
    if figure is not None and not scaling:
        raise typer.BadParameter("a figure is drawn of --scaling only", param_hint="--figure")
    if figure is not None and figure.suffix.lower() != ".png":
        raise typer.BadParameter(f"{figure} is not a .png file name", param_hint="--figure")
    if scaling:
        _scaling(as_json, quick, env, figure)
        return
    from compose.experiments.bench import run_benchmarks  # torch: loaded when measuring

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


def _scaling(as_json: bool, quick: bool, games: list[str] | None, figure: Path | None) -> None:
    from compose.experiments.scaling import COSTS, SWEEPS, run_scaling  # torch

    known = {sweep.game.lower() for sweep in SWEEPS}
    if unknown := [g for g in games or () if g.lower() not in known]:
        names = ", ".join(sweep.game for sweep in SWEEPS)
        raise typer.BadParameter(
            f"no size sweep for {', '.join(unknown)}; choose from {names}", param_hint="--env"
        )
    with err.status("measuring costs against size…") as status:
        figures = run_scaling(quick, games, lambda what: status.update(Text(f"{what}…")))
    if figure is not None:
        from compose.report.figure_scaling import write_scaling_figure  # matplotlib

        err.print(Text(f"figure: {write_scaling_figure(figures, figure)}"))
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    shown = table(
        "game",
        "cells",
        "step µs",
        "oracle p50 ms (prolog / search)",
        "hybrid p50 ms (neural / symbolic) · p95",
        "success",
        "train s",
        "peak MiB so far",
        title="costs against size (the hybrid trained at the smallest size, then played at each)",
    )
    for r in figures["rows"]:
        shown.add_row(
            cell(r["env"]),
            cell(f"{r['cells']:,}"),
            cell(f"{r['env_step_us']:,.0f}"),
            cell(f"{r['oracle_p50_ms']:.2f} ({r['prolog_p50_ms']:.2f} / {r['search_p50_ms']:.2f})"),
            cell(
                f"{r['hybrid_p50_ms']:.2f} ({r['neural_p50_ms']:.2f} / "
                f"{r['symbolic_p50_ms']:.2f}) · {r['hybrid_p95_ms']:.1f}"
            ),
            cell(f"{r['success']:.0%} of {r['episodes']:.0f}"),
            cell(f"{r['train_s']:.1f}"),
            cell(f"{r['peak_mib']:,.0f}"),
        )
    say(shown)
    fits = table("game", "cost", "exponent [95% interval]", title="growth exponent in cells")
    for game, costs in figures["growth"].items():
        for cost, what in COSTS:
            fits.add_row(cell(game), cell(what), cell(_fit(costs[cost])))
    say(fits)


def _fit(fit: dict[str, float | None]) -> str:
    if fit["exponent"] is None:
        return "—"
    if fit["low"] is None:
        return f"{fit['exponent']:.2f}"
    return f"{fit['exponent']:.2f} [{fit['low']:.2f}, {fit['high']:.2f}]"

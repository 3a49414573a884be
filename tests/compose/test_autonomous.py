"""hybrid-autonomous: the cells named by appearance and the rules learned over those names,
with no cell label and no game clause; the true kinds used only to score."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest

import environments
from compose.abduction.invented import autonomy_refusal, invent_symbols, translate_clause
from compose.common.levels import held_out
from compose.experiments.config import runnable
from compose.pipelines.autonomous import AutonomousHybridPipeline
from compose.pipelines.loading import load_pipeline
from compose.pipelines.spec import PipelineSpec
from compose.training.build import demonstrations
from environments.registry import games
from neural.data import Demonstrations
from neural.train import TrainConfig
from symbolic.errors import InductionError
from tests.helpers import one_line_error, run_cli

FAST = TrainConfig(max_steps=150, eval_every=50, patience=2)
AUTONOMOUS = PipelineSpec(kind="hybrid-autonomous")
LEARNABLE = [g for g in games() if autonomy_refusal(g) is None]


def first_id(game) -> str:
    return game.env_ids()[0]


def blind(demos: Demonstrations) -> Demonstrations:
    """The demonstrations with every true cell replaced by one kind: what is learned from them
    must not change."""
    cells = np.zeros_like(demos.cells)
    return Demonstrations(
        demos.frames, demos.actions, cells, demos.episodes, demos.level_seeds, demos.levels
    )


def test_every_game_is_learned_or_refused_with_its_reason():
    for game in games():
        why = autonomy_refusal(game)
        offered = runnable([AUTONOMOUS], first_id(game))
        assert offered == ([] if why else [AUTONOMOUS]), game.name
        if why:
            with pytest.raises(ValueError, match="hybrid-autonomous: "):
                AutonomousHybridPipeline(game)
    refused = {g.name: autonomy_refusal(g) for g in games() if g not in LEARNABLE}
    assert "handwriting" in refused["sudoku"] and "rotation" in refused["minigrid"]
    assert {g.name for g in LEARNABLE} == {"keydoor", "pacmaze", "lightsout"}


@pytest.mark.parametrize("game", LEARNABLE, ids=lambda g: g.name)
def test_symbols_are_named_from_screens_and_actions_alone(game):
    env = environments.make(first_id(game)).unwrapped
    demos = demonstrations(env, 3, 0, frozenset())
    symbols = invent_symbols(game, demos, env.tile)
    again = invent_symbols(game, blind(demos), env.tile)
    assert np.array_equal(symbols.grid, again.grid) and symbols.table == again.table
    # scored against the truth: one symbol per kind shown, and every cell read right
    for s in range(symbols.count):
        assert len(np.unique(demos.cells[symbols.grid == s])) == 1
    assert symbols.count == len(np.unique(demos.cells))
    if game.agent_kinds:
        shown = {game.kind_names[k] for k in np.unique(demos.cells)}
        assert len(symbols.table.agents) == len(
            shown & {game.kind_names[k] for k in game.agent_kinds}
        )


def test_screens_that_never_repeat_an_appearance_are_one_clear_error():
    env = environments.make("neurocomp/LightsOut-3x3-v0").unwrapped
    demos = demonstrations(env, 2, 0, frozenset())
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=demos.frames.shape, dtype=np.uint8)
    noisy = Demonstrations(noise, demos.actions, demos.cells, demos.episodes)
    with pytest.raises(InductionError, match="more than 16 kinds of cell by appearance"):
        AutonomousHybridPipeline(env.game, env.tile).fit(noisy, FAST)


# The first id of each game it can learn, and a variant whose pieces move by laws of their own.
LEARNED_IDS = [first_id(g) for g in LEARNABLE] + ["neurocomp/PacMaze-Moving-5x5-v0"]


@pytest.mark.slow
@pytest.mark.parametrize("env_id", LEARNED_IDS)
def test_a_few_demonstrations_give_the_games_symbols_and_rules(env_id, tmp_path):
    """From 4 demonstrations and its own play: a symbol per kind, and learned rules that,
    translated through the symbol map, predict held-out transitions in the true scenes (the
    symbols are the same with the true cells blinded: see above); saved and loaded, it is the
    same pipeline."""
    env = environments.make(env_id).unwrapped
    avoid = held_out([env], 0, 5)
    demos = demonstrations(env, 4, 0, avoid)
    pipe = AutonomousHybridPipeline(env.game, env.tile)
    report = pipe.fit_with_play(env, demos, 0, FAST, avoid)
    x = report.extra
    assert report.cell_labels == 0 and report.rule_clauses == 0 and x["rules_learned"] > 0
    # every kind shown has a symbol of its own, but kinds the rules answer alike (said so)
    covered = sorted(k for kinds in x["symbol_kinds"].values() for k in kinds)
    assert covered == sorted(env.game.kind_names[k] for k in np.unique(demos.cells))
    merged = [kinds for kinds in x["symbol_kinds"].values() if len(kinds) > 1]
    assert (x["read_cell_accuracy"] == 1.0) == (not merged)
    assert len(merged) == sum("answer them alike" in n for n in x["autonomy_notes"])
    assert x["prediction_accuracy"] is not None and x["prediction_accuracy"] >= 0.99
    loaded = load_pipeline(pipe.save(tmp_path / "saved"))
    assert isinstance(loaded, AutonomousHybridPipeline) and loaded.label == "hybrid-autonomous"
    assert loaded.game.kind_names == pipe.game.kind_names
    assert loaded.reasoner.rules.text == pipe.reasoner.rules.text


@pytest.mark.slow
def test_run_explain_prints_the_invented_rules_and_their_translation(tmp_path):
    result = run_cli(
        "run", "--env", "neurocomp/KeyDoor-8x8-v0", "--pipeline", "hybrid-autonomous",
        "--budget", "4", "--episodes", "3", "--explain", "--out", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    said = result.stderr
    assert "learned clauses, in invented symbols → translated:" in said
    assert "0 hand-written" in said and "= wall" in said and "= lava" in said
    lines = [line.split() for line in said.splitlines() if line.startswith("  blocks(")]
    assert any(words[-2:] == ["blocks(wall,", "_)"] for words in lines), said
    refused = one_line_error(
        run_cli("run", "--env", "MiniGrid-DoorKey-5x5-v0", "--pipeline", "hybrid-autonomous")
    )
    assert "rotation" in refused


@pytest.mark.slow
def test_compare_reports_the_invented_symbols_and_audits_in_true_kinds(tmp_path):
    out = tmp_path / "c"
    result = run_cli(
        "compare", "--env", "neurocomp/PacMaze-5x5-v0", "--pipelines", "hybrid-autonomous",
        "--budgets", "3", "--seeds", "1", "--episodes", "3", "--workers", "1",
        "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    markdown = (out / "report.md").read_text()
    assert "### hybrid-autonomous: symbols it invented" in markdown
    assert "| `wins(k" in markdown and "`wins(flag)`" in markdown
    rows = json.loads((out / "results.json").read_text())["rows"]
    mine = [r for r in rows if r["pipeline"] == "hybrid-autonomous"]
    assert mine and all(r["cell_labels"] == 0 and r["rule_clauses"] == 0 for r in mine)
    kinds = set(environments.make("neurocomp/PacMaze-5x5-v0").unwrapped.game.kind_names)
    with sqlite3.connect(out / "results.sqlite") as db:
        audits = [json.loads(a) for (a,) in db.execute("SELECT attribution FROM results")]
    for audit in audits:  # perception audited against the true kinds, through the symbol map
        assert audit["decisions"] > 0 and set(audit["per_kind"]) <= kinds


def test_a_translation_writes_a_clause_per_kind_and_keeps_a_symbol_that_stands_for_none():
    names = {"k0": ["wall"], "k1": ["ghost_asleep", "bat_asleep"], "k2": []}
    text = "blocks(k0, _).\nkills(k1).\nblocks(k2, B) :- holds(B, k0).\n:- dynamic wins/1."
    assert translate_clause(text, names).splitlines() == [
        "blocks(wall, _).",
        "kills(ghost_asleep).",
        "kills(bat_asleep).",
        "blocks(k2, B) :- holds(B, wall).",
        ":- dynamic wins/1.",
    ]

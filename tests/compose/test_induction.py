"""hybrid-induced for real: perception trained on a few demonstrations, rules learned from them
and from its own play on the real game, saved, reloaded through the sandbox, and refused when
the saved rule file is tampered with."""

from __future__ import annotations

import json

import numpy as np
import pytest

import environments
from compose import CheckpointError, HybridPipeline, evaluate, load_pipeline
from compose.common.errors import ConfigError
from compose.common.levels import held_out
from compose.experiments.config import ExperimentConfig, runnable
from compose.pipelines.induced import InducedHybridPipeline, induction_refusal
from compose.pipelines.spec import PipelineSpec
from compose.report.rules import rules_differences
from compose.training.build import demonstrations
from environments.registry import env_ids, game_of, games
from neural import TrainConfig
from symbolic.induction import background_clauses
from symbolic.induction.language import language_path, refusal
from symbolic.reasoner import RULES_DIR, load_reasoner, reasoner_class
from symbolic.reasoners.grid import GridReasoner
from tests.helpers import run_cli

FAST = TrainConfig(max_steps=400)
ENV = "neurocomp/KeyDoor-6x6-v0"


def tables(reasoner):
    game = reasoner.game
    terrain = [k.name for i, k in enumerate(game.kinds) if i not in game.agent_kinds]
    return {
        t.inventory: {k: sorted(v) for k, v in t.kinds.items() if k in terrain}
        for t in reasoner.rules.semantics(terrain, [], GridReasoner.questions, "collects")
    }


@pytest.fixture(scope="module")
def induced():
    env = environments.make(ENV)
    avoid = held_out([env], 0, 10)
    pipe = InducedHybridPipeline(env.unwrapped.game, env.unwrapped.tile)
    demos = demonstrations(env.unwrapped, 3, 0, avoid)
    report = pipe.fit_with_play(env.unwrapped, demos, 0, FAST, avoid)
    return pipe, report, avoid


def test_it_learns_the_packaged_rules_from_three_demonstrations_and_brief_play(induced):
    pipe, report, _ = induced
    x = report.extra
    assert report.rule_clauses == 0 and x["rules_hand_written"] == 0
    assert x["rules_learned"] == 5 and 0 < x["rules_given"] <= 40
    # Demonstrations never show the walls or the lava: play had to try them, and died.
    assert 0 < x["play_frames"] <= 2000 and x["play_deaths"] >= 1
    # every demonstration frame and every frame of play (a misread step is no transition)
    assert report.frames == x["transitions"] + x["play_misreads"]
    assert x["examples_unexplained"] <= 2  # its own play is read through its perception
    assert tables(pipe.reasoner) == tables(load_reasoner(pipe.game))
    assert "blocks(door, B) :- \\+ holds(B, key)." in x["learned_rules"]


def test_it_plays_unseen_levels_as_the_labelled_hybrid_does(induced):
    """The same perception training (same demonstrations, same seed) and rules that answer
    alike: every episode ends as the labelled hybrid's does."""
    pipe, _, avoid = induced
    env = environments.make(ENV)
    hybrid = HybridPipeline(load_reasoner(pipe.game))
    hybrid.fit(demonstrations(env.unwrapped, 3, 0, avoid), FAST)
    ours, theirs = (evaluate(env, p, episodes=10, seed=0) for p in (pipe, hybrid))
    assert [e.success for e in ours.episodes] == [e.success for e in theirs.episodes]
    assert ours.success_rate >= 0.7 and ours.seen == 0


def test_its_learned_rules_are_saved_reloaded_and_refused_when_tampered_with(induced, tmp_path):
    pipe, _, _ = induced
    pipe.save(tmp_path / "p")
    saved = (tmp_path / "p" / "rules.pl").read_text()
    assert saved == pipe.reasoner.rules.text and "kills(lava)." in saved
    loaded = load_pipeline(tmp_path / "p", pipe.game)
    assert isinstance(loaded, InducedHybridPipeline) and loaded.label == "hybrid-induced"
    assert tables(loaded.reasoner) == tables(pipe.reasoner)
    (tmp_path / "p" / "rules.pl").write_text(saved + "\nwins(goal) :- shell('touch owned').\n")
    with pytest.raises(CheckpointError, match=r"rules\.pl.*put back the rules\.pl"):
        load_pipeline(tmp_path / "p", pipe.game)
    assert not (tmp_path / "owned").exists()


def first_id(game) -> str:
    """The first registered id of ``game``."""
    return next(i for i in env_ids() if game_of(i).name == game.name)


INDUCIBLE = [g for g in games() if induction_refusal(g) is None]


def test_every_game_learns_its_rules_and_what_cannot_is_refused_in_one_line():
    induced = PipelineSpec(kind="hybrid", rules="induced")
    for game in games():  # a language for each
        assert language_path(reasoner_class(game).questions) is not None
        assert runnable([induced], first_id(game)) == ([induced] if game in INDUCIBLE else [])
    assert [g.name for g in games() if g not in INDUCIBLE] == ["sudoku9"]  # 4x4 boards only
    nine = next(g for g in games() if g.name == "sudoku9")
    assert "on 4x4 boards so far, not 9x9" in induction_refusal(nine)
    # a reasoner asking what no packaged language has a head for (a game of one's own)
    why = refusal("Custom", ("blocks/2", "opens/2"))
    assert why and "rules are learned so far for KeyDoor" in why and "opens/2" in why
    with pytest.raises(ValueError, match="beside perception trained on labelled cells"):
        InducedHybridPipeline(game_of(ENV), supervision="legend")
    legend = PipelineSpec(kind="hybrid", rules="induced", supervision="legend")
    with pytest.raises(ConfigError, match="beside perception trained on labelled cells"):
        ExperimentConfig(env=ENV, pipelines=[legend]).check()
    assert runnable([legend], ENV) == []


# The first id of each game it can learn, and a variant whose levels show other kinds (awake
# enemies, which move by laws of their own).
LEARNED_IDS = [first_id(g) for g in INDUCIBLE] + ["neurocomp/PacMaze-Moving-5x5-v0"]


@pytest.mark.slow
@pytest.mark.parametrize("env_id", LEARNED_IDS)
def test_every_game_it_can_learn_gets_the_packaged_answers_from_three_demonstrations(env_id):
    """No hand-written clause, and the learned file answers every question the reasoner asks
    as the packaged one does (on every kind the id's levels show, every inventory and board
    size, and where each piece moves), wherever a transition decided the answer."""
    env = environments.make(env_id).unwrapped
    avoid = held_out([env], 0, 5)
    pipe = InducedHybridPipeline(env.game, env.tile)
    demos = demonstrations(env, 3, 0, avoid)
    report = pipe.fit_with_play(env, demos, 0, FAST, avoid)
    assert report.rule_clauses == 0 and report.extra["rules_learned"] > 0
    game = env.game
    shown = {game.kind_names[int(k)] for k in np.unique(demos.cells)}  # agent kinds: these
    for level in range(20):
        _, info = env.reset(seed=level)
        grid = info["scene"].grid
        shown |= {game.kind_names[int(k)] for k in np.unique(grid) if k not in game.agent_kinds}
    # where the transitions decided (an atom none decided is listed as unidentified)
    undecided = set(report.extra["unidentified"])
    differences = rules_differences(game, report.extra["learned_rules"], shown)
    assert [d for d in differences if d.partition(":")[0] not in undecided] == []


@pytest.mark.slow
def test_compare_puts_the_induced_hybrid_in_the_report_with_its_learned_file(tmp_path):
    out = tmp_path / "c"
    result = run_cli(
        "compare",
        "--env",
        ENV,
        "--pipelines",
        "hybrid-induced,oracle",
        "--budgets",
        "2",
        "--seeds",
        "1",
        "--episodes",
        "3",
        "--workers",
        "1",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    report = (out / "report.md").read_text()
    section = report.split("## Rules learned from play", 1)[1].split("\n## ", 1)[0]
    row = next(line for line in section.splitlines() if line.startswith("| hybrid-induced | 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    given = str(background_clauses())  # the shared background, whichever game
    assert cells[2] == given and cells[3] == "5.0" and cells[4] == "0"  # given, learned, written
    assert cells[9] == "100%" and cells[11] == "1 of 1"  # predicts, as packaged
    assert "kills(lava)." in section and "Unidentified" in section
    ledger = report.split("## Knowledge ledger", 1)[1].split("\n## ", 1)[0]
    assert "| hybrid-induced | 0 | 0 | 0 |" in ledger
    # the run's own transitions against the rules each pipeline played by: nothing broken
    audit = report.split("### Rules audit", 1)[1].split("\n## ", 1)[0]
    assert "Audited: hybrid-induced (" in audit and "oracle (" in audit
    assert "No transition contradicts them." in audit


@pytest.mark.slow
def test_run_explain_audits_a_rule_file_against_the_run(tmp_path):
    """The oracle with lava taken out of kills/1 walks into lava; --explain says which rule
    the run contradicts, not only that reasoning failed."""
    mine = tmp_path / "mine.pl"
    packaged = (RULES_DIR / "keydoor.pl").read_text()
    mine.write_text(packaged.replace("kills(lava).", ":- dynamic kills/1."))
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--pipeline",
        "oracle",
        "--rules",
        str(mine),
        "--episodes",
        "12",
        "--explain",
        "--out",
        str(tmp_path / "r"),
    )
    assert result.returncode == 0, result.stderr
    audit = result.stdout.split("audit of the rules (", 1)[1]
    line = next(s for s in audit.splitlines() if "lava does not kill" in s)
    died = 12 - round(
        12 * json.loads((tmp_path / "r" / "summary.json").read_text())["success_rate"]
    )
    assert died > 0 and line.strip().endswith(f": {died} transition{'s' * (died != 1)}")
    packaged_run = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--pipeline",
        "oracle",
        "--episodes",
        "3",
        "--explain",
        "--out",
        str(tmp_path / "p"),
    )
    assert "no transition contradicts them" in packaged_run.stdout

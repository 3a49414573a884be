"""The real `neurocomp` command in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers import run_cli, run_main


def test_envs_lists_every_game_in_a_line_and_every_id_on_request():
    import environments

    result = run_cli("envs")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    for game in environments.games():
        assert sum(line.startswith(game.title) and game.summary in line for line in lines) == 1
    result = run_cli("envs", "--ids")
    for env_id in environments.env_ids():
        assert env_id in result.stdout


def test_run_oracle_writes_summary(tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--pipeline",
        "oracle",
        "--episodes",
        "5",
        "--seed",
        "3",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    assert "success rate 100.0%" in result.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["env"] == "neurocomp/KeyDoor-8x8-v0" and summary["pipeline"] == "oracle"
    assert summary["episodes"] == 5 and summary["seed"] == 3
    assert summary["success_rate"] == 1.0 and 0 < summary["mean_return"] < 1
    assert summary["mean_steps"] > 0 and len(summary["results"]) == 5


def test_run_with_user_rules_changes_behaviour(tmp_path):
    from symbolic.reasoner import rules_path

    rules = tmp_path / "suicidal.pl"
    rules.write_text(rules_path("keydoor").read_text().replace("kills(lava).", "kills(nothing)."))
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--rules",
        str(rules),
        "--episodes",
        "30",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["success_rate"] < 1.0  # some shortest paths now cross lava


@pytest.mark.parametrize(
    "text, message",
    [
        (
            "wins(goal) :- shell('rm -rf /').\nblocks(wall,_).\nkills(lava).\ncollects(key).\n",
            "not allowed in a rule file",
        ),
        (":- initialization(halt).\n", "directive"),
        ("wins(goal).\nblocks(wall, _) :- .\n", "x.pl:2: Syntax error"),
        (
            "blocks(K, I) :- blocks(K, I).\nkills(lava).\ncollects(key).\nwins(goal).\n",
            "may not terminate",
        ),
        ("wins(goal).\n", "does not define blocks/2, kills/1, collects/1"),
    ],
)
def test_bad_rule_files_give_clear_errors(tmp_path, text, message, capsys, monkeypatch):
    rules = tmp_path / "x.pl"
    rules.write_text(text)
    args = ("run", "--env", "neurocomp/KeyDoor-8x8-v0", "--rules", str(rules))
    args += ("--episodes", "2", "--out", str(tmp_path / "out"))
    if "halt" in text or "shell" in text:  # hostile: the installed command, in its own process
        result = run_cli(*args, timeout=60)
    else:  # the same entry point, in this process
        result = run_main(args, tmp_path, capsys, monkeypatch)
    assert result.returncode == 2
    assert message in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()


def test_unknown_env_suggests_a_close_id():
    result = run_cli("run", "--env", "KeyDoor-8x9", "--episodes", "1")
    assert result.returncode == 2
    assert "Did you mean 'neurocomp/KeyDoor-8x8-v0'" in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_bad_option_value_is_a_usage_error():
    result = run_cli("run", "--env", "neurocomp/KeyDoor-8x8-v0", "--episodes", "-3")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--episodes" in result.stderr


@pytest.mark.slow
def test_bench_json_prints_figures():
    result = run_cli(
        "bench",
        "--json",
        "--quick",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--env",
        "neurocomp/KeyDoor-16x16-v0",
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert set(figures["env_steps_per_s"]) == {"KeyDoor-8x8-v0", "KeyDoor-16x16-v0"}
    assert all(v > 0 for v in figures["env_steps_per_s"].values())
    for size in ("8x8", "16x16"):
        for search in ("networkx", "prolog"):
            lat = figures["oracle_latency_ms"][f"KeyDoor-{size}-v0/{search}"]
            assert 0 < lat["prolog_p50"] and 0 < lat["search_p50"] <= lat["search_p95"]
    latency = figures["decision_latency_ms"]
    for key in (
        "hybrid KeyDoor-8x8-v0",
        "hybrid KeyDoor-16x16-v0",
        "mono-medium KeyDoor-8x8-v0",
        "mono-pooled KeyDoor-16x16-v0",
    ):
        assert latency[key]["neural_p50"] > 0
        assert latency[key]["total_p50"] <= latency[key]["total_p95"]
    assert "mono-medium KeyDoor-16x16-v0" not in latency  # a fixed-size network cannot play it
    assert latency["hybrid KeyDoor-8x8-v0"]["symbolic_p50"] > 0
    assert latency["mono-medium KeyDoor-8x8-v0"]["symbolic_p50"] == 0
    assert all(v > 0 for v in figures["train_seconds"].values())


@pytest.mark.slow
def test_train_save_load_and_play(tmp_path):
    saved = tmp_path / "hybrid"
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--pipeline",
        "hybrid",
        "--budget",
        "3",
        "--episodes",
        "4",
        "--save",
        str(saved),
        "--out",
        str(tmp_path / "a"),
    )
    assert result.returncode == 0, result.stderr
    assert "trained hybrid on" in result.stderr
    first = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert first["budget"] == 3 and first["fit"]["cell_labels"] > 0
    assert {p.name for p in saved.iterdir()} == {"pipeline.json", "weights.pt", "rules.pl"}
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--load",
        str(saved),
        "--episodes",
        "4",
        "--out",
        str(tmp_path / "b"),
    )
    assert result.returncode == 0, result.stderr
    second = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert [r["success"] for r in second["results"]] == [r["success"] for r in first["results"]]
    assert second["loaded_from"] == str(saved) and second["fit"] is None


@pytest.mark.slow
def test_fixed_size_policy_cannot_play_a_larger_grid(tmp_path):
    saved = tmp_path / "mono"
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--pipeline",
        "monolithic",
        "--size",
        "small",
        "--budget",
        "1",
        "--episodes",
        "1",
        "--save",
        str(saved),
        "--out",
        str(tmp_path / "a"),
    )
    assert result.returncode == 0, result.stderr
    result = run_cli("run", "--env", "neurocomp/KeyDoor-16x16-v0", "--load", str(saved))
    assert result.returncode == 2 and "--size pooled" in " ".join(result.stderr.split())


def test_record_saves_the_episode_as_an_animation(tmp_path):
    from PIL import Image

    gif = tmp_path / "episode.gif"
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-8x8-v0",
        "--episodes",
        "1",
        "--record",
        str(gif),
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    with Image.open(gif) as image:
        assert image.n_frames == summary["results"][0]["steps"] + 1  # start + every step
        assert image.size == (64 * 4, 64 * 4)


LEVEL = "########\n#@.#..G#\n#k.#...#\n#..D...#\n#..#...#\n#..#...#\n#..#...#\n########\n"


@pytest.mark.slow
def test_a_level_you_draw_is_played_or_refused_in_one_line(tmp_path):
    level = tmp_path / "level.txt"
    level.write_text(LEVEL)
    args = ["run", "--env", "neurocomp/KeyDoor-8x8-v0", "--episodes", "3", "--level", str(level)]
    result = run_cli(*args, "--out", str(tmp_path / "a"))
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["success_rate"] == 1.0 and summary["mean_steps"] == 9
    for text, message in (
        (LEVEL.replace("D", "#"), "cannot be solved"),
        (LEVEL.replace("k", "x"), "'x' is not a KeyDoor glyph"),
        (LEVEL[:20], "the same length"),
    ):
        level.write_text(text)
        result = run_cli(*args, "--out", str(tmp_path / "b"))
        assert result.returncode == 2 and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()
    result = run_cli(*args[:-1], str(tmp_path / "missing.txt"))
    assert result.returncode == 2 and "--level: cannot read" in result.stderr


@pytest.mark.slow
def test_a_board_that_cannot_be_won_is_refused_for_any_game(tmp_path):
    level = tmp_path / "board.txt"
    level.write_text("o...\n....\n....\n....\n")  # 4x4: no presses turn one corner off
    args = ["run", "--env", "neurocomp/LightsOut-4x4-v0", "--level", str(level)]
    result = run_cli(*args, "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and "LightsOut level you gave cannot be solved" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
    level.write_text("oo..\no...\n....\n....\n")  # press(0,0) turns these three off
    result = run_cli(*args, "--explain", "--episodes", "2", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "press(0,0): plan of 1 press press(0,0):" in result.stdout
    assert "success rate 100.0% over 2 episodes" in result.stdout


@pytest.mark.slow
def test_ppo_is_budgeted_in_frames(tmp_path):
    args = ["run", "--env", "MiniGrid-Empty-5x5-v0", "--episodes", "2"]
    result = run_cli(*args, "--pipeline", "ppo", "--budget", "3")
    assert result.returncode == 2 and "PPO learns from reward: use --frames" in result.stderr
    result = run_cli(*args, "--pipeline", "hybrid", "--frames", "5000")
    assert result.returncode == 2 and "--frames is PPO's budget" in result.stderr
    result = run_cli(*args, "--pipeline", "ppo", "--frames", "1024", "--out", str(tmp_path / "o"))
    assert result.returncode == 0, result.stderr
    assert "trained ppo on 1,024 frames" in result.stderr
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["budget"] == 1024


def test_every_pipeline_name_is_its_own_pipeline_with_a_line_in_help():
    from compose.pipelines.hybrid import SUPERVISIONS
    from compose.pipelines.networks import TRAININGS
    from compose.pipelines.spec import (
        DESCRIPTIONS,
        PIPELINE_KINDS,
        PIPELINE_NAMES,
        VARIANTS,
        spec_named,
    )

    assert set(PIPELINE_NAMES) == set(PIPELINE_KINDS) | set(VARIANTS)
    # every supervision and every training method is offered by name
    assert {f"hybrid-{s}" for s in SUPERVISIONS if s != "labels"} <= set(VARIANTS)
    assert {f"monolithic-{t}" for t in TRAININGS if t != "bc"} <= set(VARIANTS)
    labels = {spec_named(n).label for n in PIPELINE_NAMES}
    assert len(labels) == len(PIPELINE_NAMES)  # each name is its own pipeline
    assert list(DESCRIPTIONS) == list(PIPELINE_NAMES) and all(DESCRIPTIONS.values())


def test_the_cli_reads_the_config_without_loading_torch():
    # The command line takes its choices and defaults from the config itself: that must not
    # load torch, or `neurocomp --help` would wait for it.
    code = (
        "import sys; import compose.cli; assert 'torch' not in sys.modules, 'torch loaded'; "
        "from compose.cli.app import CONFIG_DEFAULTS; print(CONFIG_DEFAULTS['budgets'])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1,3,10"


@pytest.mark.slow
def test_run_trains_a_dagger_network_and_says_what_it_asked(tmp_path):
    out = tmp_path / "run"
    result = run_cli(
        "run",
        "--env",
        "neurocomp/KeyDoor-6x6-v0",
        "--pipeline",
        "monolithic-dagger",
        "--size",
        "small",
        "--budget",
        "2",
        "--episodes",
        "2",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pipeline"] == "mono-small-dagger"
    assert "trained mono-small-dagger" in result.stderr
    fit = summary["fit"]
    assert fit["extra"]["dagger_rounds"] == 3
    assert fit["actions"] == fit["frames"] > fit["frames"] - fit["extra"]["expert_queries"] > 0


@pytest.mark.parametrize("name", ["keydoor", "pacmaze", "lightsout", "sudoku", "minigrid"])
def test_envs_game_gives_its_legend_actions_ids_and_splits(name):
    import environments
    from environments.registry import find_game

    game, _ = find_game(name)
    result = run_cli("envs", game.title, columns=80)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for kind in game.kinds:
        assert kind.doc, f"{game.title}'s {kind.name} has no doc"
        assert f"  {kind.glyph}  {kind.name} " in result.stdout
        assert any(kind.name in line and line.endswith(kind.doc) for line in lines), kind.name
    assert any(line.startswith("actions: ") for line in lines)
    for env_id in game.env_ids():
        assert env_id in result.stdout
    for split in environments.make(game.env_ids()[0]).eval_splits():
        assert f"  {split.name} " in result.stdout
    # an id names its game too, and the splits shown are that id's
    last = game.env_ids()[-1]
    by_id = run_cli("envs", last.removeprefix("neurocomp/"))
    assert by_id.returncode == 0 and f"splits of {last} " in by_id.stdout


def test_envs_game_tells_a_letter_apart_between_games():
    keydoor, minigrid = run_cli("envs", "keydoor"), run_cli("envs", "MiniGrid-DoorKey-5x5-v0")
    assert "  G  goal " in keydoor.stdout and "  G  ball_green " in minigrid.stdout


@pytest.mark.slow
def test_run_with_a_budget_and_no_pipeline_trains_the_hybrid(tmp_path):
    result = run_cli(
        "run",
        "--env",
        "neurocomp/LightsOut-3x3-v0",
        "--budget",
        "1",
        "--episodes",
        "1",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    assert "note: no --pipeline given; --budget trains the hybrid" in result.stderr
    assert result.stdout.startswith("hybrid on neurocomp/LightsOut-3x3-v0: success rate ")
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["pipeline"] == "hybrid" and summary["budget"] == 1


@pytest.mark.slow
def test_compare_takes_pipelines_by_name_and_by_label(tmp_path):
    config = tmp_path / "tiny.toml"
    config.write_text(
        'env = "neurocomp/LightsOut-3x3-v0"\nbudgets = [1]\nseeds = 1\nepisodes = 2\nworkers = 1\n'
        'pipelines = [{kind = "hybrid"}]\nsplits = [{name = "in-distribution"}]\n'
        "[train]\nmax_steps = 40\neval_every = 20\n"
    )
    out = tmp_path / "out"
    result = run_cli(
        "compare", "--config", str(config), "--pipelines", "oracle,mono-small", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    ran = {row["pipeline"] for row in json.loads((out / "results.json").read_text())["summary"]}
    assert ran == {"oracle", "mono-small"}  # the flag replaced the config's pipelines


def test_compare_help_lists_every_pipeline_name():
    from compose.pipelines.spec import PIPELINE_NAMES

    result = run_cli("compare", "--help")
    for name in PIPELINE_NAMES:
        assert f"{name}: " in result.stdout


def test_a_level_that_cannot_be_won_says_why(tmp_path):
    level = tmp_path / "level.txt"
    level.write_text(LEVEL.replace("k", "."))
    result = run_cli("run", "--env", "neurocomp/KeyDoor-8x8-v0", "--level", str(level))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert (
        "the KeyDoor level you gave cannot be solved: the door (D) opens only for the key (k), "
        "and the level has none" in result.stderr
    )

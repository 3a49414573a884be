"""Pipelines composed in a few lines, trained for real on tiny budgets, saved and loaded."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest
import torch

import environments
from compose import (
    CheckpointError,
    HybridPipeline,
    MonolithicPipeline,
    OraclePipeline,
    evaluate,
    level_seed,
    load_pipeline,
)
from compose.common.symbols import DECODERS, decoder_for, hybrid_assumptions
from environments import KEYDOOR
from environments.keydoor import Kind
from neural import TrainConfig, collect_demonstrations
from symbolic import load_reasoner
from symbolic.reasoners.grid import GridReasoner

FAST = TrainConfig(max_steps=400)


@pytest.fixture(scope="module")
def demos():
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    return collect_demonstrations(env, [level_seed(0, "train", i) for i in range(10)])


@pytest.fixture(scope="module")
def hybrid(demos, keydoor_rules):
    pipe = HybridPipeline(GridReasoner(keydoor_rules, KEYDOOR))
    report = pipe.fit(demos, FAST)
    assert report.frames == len(demos) and report.actions == 0
    assert report.cell_labels == demos.cells.size and report.rule_clauses == 8
    return pipe


def test_hybrid_from_ten_demonstrations_solves_levels_of_any_size(hybrid):
    for size in (8, 16):
        env = environments.make(f"neurocomp/KeyDoor-{size}x{size}-v0")
        summary = evaluate(env, hybrid, episodes=20, seed=1)
        assert summary.success_rate >= 0.9, (size, summary.success_rate)
        lat = summary.latency_ms()
        assert lat["neural_p50"] > 0 and lat["symbolic_p50"] > 0


def test_hybrid_explains_itself_and_reports_what_it_saw(hybrid):
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    obs, info = env.reset(seed=level_seed(1, "eval", 0))
    step = hybrid.act(obs, info)
    assert step.scene == info["scene"]
    assert "plan of" in step.explain()


def test_monolithic_consumes_actions_not_cells(demos):
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    pipe = MonolithicPipeline.for_env(env, "small")
    report = pipe.fit(demos.first(3), TrainConfig(max_steps=100))
    assert report.actions == report.frames == len(demos.first(3)) and report.cell_labels == 0
    obs, info = env.reset(seed=0)
    step = pipe.act(obs, info)
    assert step.decision is None and step.symbolic_s == 0 and "network" in step.explain()
    assert step.action_name in "NESW"


class Payload:
    def __reduce__(self):
        return (print, ("a checkpoint ran code",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_a_checkpoint_cannot_run_code(hybrid, tmp_path, capsys):
    directory = hybrid.save(tmp_path / "h")
    (directory / "weights.pt").write_bytes(pickle.dumps({"w": Payload()}))
    with pytest.raises(CheckpointError, match="cannot load"):
        load_pipeline(directory)
    assert "ran code" not in capsys.readouterr().out


def test_load_errors(tmp_path, hybrid):
    with pytest.raises(CheckpointError, match=r"pipeline\.json is missing"):
        load_pipeline(tmp_path)
    directory = hybrid.save(tmp_path / "h")
    torch.save({"bogus": torch.zeros(1)}, directory / "weights.pt")
    with pytest.raises(CheckpointError, match="cannot load"):
        load_pipeline(directory)


def test_checkpoints_record_their_game(hybrid, tmp_path):
    manifest = json.loads((hybrid.save(tmp_path / "h") / "pipeline.json").read_text())
    assert manifest["game"] == "keydoor" and manifest["kinds"] == list(KEYDOOR.kind_names)
    manifest["kinds"] = manifest["kinds"][:-1]
    (tmp_path / "h" / "pipeline.json").write_text(json.dumps(manifest))
    with pytest.raises(CheckpointError, match="saved with the kinds"):
        load_pipeline(tmp_path / "h")
    manifest["game"] = "chess"
    (tmp_path / "h" / "pipeline.json").write_text(json.dumps(manifest))
    with pytest.raises(CheckpointError, match="no registered game is named 'chess'"):
        load_pipeline(tmp_path / "h")


def test_oracle_needs_no_training():
    oracle = OraclePipeline.for_game("keydoor")
    env = environments.make("neurocomp/KeyDoor-8x8-v0")
    assert evaluate(env, oracle, episodes=5, seed=0).success_rate == 1.0


def test_decoder_keeps_exactly_one_agent():
    decoder = DECODERS["one-agent"]
    assert decoder.assumptions == ("exactly one agent on the screen",)
    probs = np.zeros((3, 3, KEYDOOR.num_kinds))
    probs[..., Kind.FLOOR] = 0.6
    probs[..., Kind.AGENT] = 0.4  # every cell a little agent-like
    probs[1, 2, Kind.AGENT_WITH_KEY] = 0.9
    probs[0, 0, Kind.KEY] = 0.7
    scene = decoder(KEYDOOR, probs)
    assert scene.agent == (1, 2) and scene.inventory == ("key",)
    assert scene.kind_at(0, 0) == "key" and (scene.grid >= Kind.AGENT).sum() == 1


def test_the_structured_decoder_reads_the_most_likely_scene_with_the_games_structure():
    decoder = decoder_for(KEYDOOR)
    assert decoder.name == "structured"
    said = hybrid_assumptions(KEYDOOR)
    assert "every border cell is wall" in said
    assert any(s.startswith("exactly 1 door") for s in said)
    truth = KEYDOOR.parse("#######\n#@..k.#\n###D###\n#..~.G#\n#######")
    probs = np.full((*truth.shape, KEYDOOR.num_kinds), 1e-4)
    probs[np.arange(truth.shape[0])[:, None], np.arange(truth.shape[1]), truth] = 0.9
    probs[2, 3, Kind.DOOR], probs[2, 3, Kind.WALL] = 0.3, 0.6  # the door looks like wall
    probs[3, 2, Kind.GOAL] = 0.95  # a second, likelier "goal" ...
    probs[3, 5, Kind.GOAL] = 0.97  # ... beside the real one
    probs[0, 4, Kind.KEY] = 0.99  # a "key" on the border
    argmax = DECODERS["one-agent"](KEYDOOR, probs)
    assert argmax.kind_at(2, 3) == "wall" and (argmax.grid == Kind.GOAL).sum() == 2
    scene = decoder(KEYDOOR, probs)
    assert np.array_equal(scene.grid, truth)
    # the agent standing in the doorway hides the door: none is made up in the wall
    hidden = KEYDOOR.parse("#######\n#...k.#\n###@###\n#..~.G#\n#######")
    probs = np.full((*hidden.shape, KEYDOOR.num_kinds), 1e-4)
    probs[np.arange(hidden.shape[0])[:, None], np.arange(hidden.shape[1]), hidden] = 0.9
    assert np.array_equal(decoder(KEYDOOR, probs).grid, hidden)


@pytest.mark.slow
def test_a_conv_perception_trained_with_colour_maps_reads_an_unseen_palette(demos, hybrid):
    from compose.training.build import demonstrations

    shapes = HybridPipeline(hybrid.reasoner, augment="colour", perception_kind="conv")
    report = shapes.fit(demos, TrainConfig(max_steps=400, learning_rates=(3e-3,)))
    assert report.cell_labels == demos.cells.size
    novel = demonstrations(environments.make("neurocomp/KeyDoor-8x8-v0", appearance="novel"), 5, 3)

    def read(pipe: HybridPipeline) -> float:
        return float((pipe.perceive_batch(novel.frames).argmax(-1) == novel.cells).mean())

    # the linear perception reads the new colours as other kinds; the conv one reads shapes
    assert read(hybrid) < 0.8 < 0.97 < read(shapes)


def _confident(grid: np.ndarray) -> np.ndarray:
    probs = np.full((*grid.shape, KEYDOOR.num_kinds), 1e-4)
    probs[np.arange(grid.shape[0])[:, None], np.arange(grid.shape[1]), grid] = 0.9
    return probs


def test_a_hybrid_keeps_away_from_cells_that_might_kill_while_it_can(keydoor_rules):
    from compose.common.symbols import CAUTIOUS, cautious_scene
    from environments.core import Scene
    from environments.spec import MOVE_DELTAS

    hybrid = HybridPipeline(GridReasoner(keydoor_rules, KEYDOOR))
    assert CAUTIOUS in hybrid_assumptions(KEYDOOR)
    assert hybrid.reasoner.deadly_kinds() == {Kind.LAVA}
    # two ways east to the goal: straight along row 1, or round by row 2
    grid = KEYDOOR.parse("#######\n#@...G#\n#.....#\n#######")
    probs = _confident(grid)
    probs[1, 3, Kind.LAVA], probs[1, 3, Kind.FLOOR] = 0.3, 0.6  # floor, but it might be lava
    scene = Scene.from_grid(KEYDOOR, grid)
    careful = cautious_scene(scene, probs, hybrid.reasoner.deadly_kinds())
    assert careful is not None and careful.kind_at(1, 3) == "lava"
    assert hybrid.reasoner.decide(scene).plan == (1, 1, 1, 1)  # straight through
    decision = hybrid._decide(scene, probs)
    cells, (r, c) = [], (1, 1)
    for move in decision.plan:
        r, c = r + MOVE_DELTAS[move][0], c + MOVE_DELTAS[move][1]
        cells.append((r, c))
    assert (1, 3) not in cells and cells[-1] == (1, 5) and len(cells) == 6
    assert "keeping away from 1 cell that might kill" in decision.summary
    # with no way round, it walks on what it read rather than give up
    narrow = KEYDOOR.parse("#######\n#@...G#\n#######")
    probs = _confident(narrow)
    probs[1, 3, Kind.LAVA] = 0.3
    decision = hybrid._decide(Scene.from_grid(KEYDOOR, narrow), probs)
    assert decision.plan == (1, 1, 1, 1) and "keeping away" not in decision.summary
    # a cell read with confidence is not second-guessed
    assert cautious_scene(scene, _confident(grid), hybrid.reasoner.deadly_kinds()) is None


def test_a_hybrid_remembers_what_it_picked_up_when_the_screen_hides_it():
    from compose.play import play_episode
    from compose.training.build import demonstrations

    env = environments.make("MiniGrid-DoorKey-5x5-v0")
    hybrid = HybridPipeline.for_game(env.game)
    hybrid.fit(demonstrations(env, 10, 0), FAST)
    assert "tracked from its own pickups" in " ".join(hybrid.describe()["decoder_assumptions"])
    won = 0
    for i in range(5):
        episode = play_episode(env, hybrid, level_seed(0, "eval", i), record=True)
        won += episode.success
        held = [(step.scene.inventory, info["scene"].inventory) for step, info in episode.trace]
        assert any(truth for _, truth in held), "the expert's levels need the key"
        assert all(ours == truth for ours, truth in held)
    assert won == 5


def test_swapped_colours_let_perception_read_a_key_of_a_colour_it_never_saw():
    """DoorKey's keys and doors are always yellow. Trained with the game's colours swapped
    (kinds with them), perception reads a red key and a red locked door; without, it cannot."""
    env = environments.make("MiniGrid-DoorKey-5x5-v0")
    game = env.unwrapped.game
    demos = collect_demonstrations(env, [level_seed(0, "train", i) for i in range(3)])
    names = game.kind_names
    assert not any("red" in names[k] for k in np.unique(demos.cells))
    reasoner = load_reasoner(game)
    plain, swapped = HybridPipeline(reasoner), HybridPipeline(reasoner, augment="colour")
    for pipe in (plain, swapped):
        pipe.fit(demos, FAST)
    grid = demos.cells[0].copy()
    for kind in ("key", "door"):
        cells = [k for k in np.unique(grid) if names[k].startswith(f"{kind}_yellow")]
        assert cells, f"no {kind} on the first screen"
        for k in cells:
            grid[grid == k] = names.index(names[k].replace("yellow", "red"))
    recoloured = np.isin(grid, [names.index(n) for n in names if "red" in n])
    screen = env.unwrapped.draw_map(grid)
    assert (swapped.perceive(screen).argmax(-1) == grid).all()
    assert (plain.perceive(screen).argmax(-1)[recoloured] != grid[recoloured]).any()
    assert swapped.describe()["augmentations"] == [
        "the game's colours swapped between cells, each cell's kind with its colour"
    ]

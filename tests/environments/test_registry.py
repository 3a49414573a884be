"""Every registered id gets these checks for free: add a game, and they run on it."""

from __future__ import annotations

import pickle
import typing

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import environments
from environments import InvalidActionError, InvalidVariantError, UnknownEnvironmentError
from environments.keywords import check_keywords, keywords
from tests.helpers import rollout

IDS = environments.env_ids()


def test_every_game_is_registered_with_its_variants():
    assert {g.name for g in environments.games()} >= {"keydoor"}
    for game in environments.games():
        assert game.env_ids() and set(game.env_ids()) <= set(IDS)
    for n in (6, 8, 12, 16):
        assert f"neurocomp/KeyDoor-{n}x{n}-v0" in IDS


@pytest.mark.parametrize("env_id", IDS)
def test_check_env(env_id):
    check_env(gym.make(env_id).unwrapped)


@pytest.mark.parametrize("env_id", IDS)
def test_same_seed_same_episode(env_id):
    env = gym.make(env_id)
    actions = list(np.random.default_rng(0).integers(env.action_space.n, size=60))
    a = rollout(env, 123, actions)
    b = rollout(gym.make(env_id), 123, actions)
    assert len(a) == len(b)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    # Other seeds, other levels (a small game has few: one of ten seeds must differ).
    others = [rollout(gym.make(env_id), 124 + i, actions[:1])[0] for i in range(10)]
    assert any(not np.array_equal(a[0], o) for o in others)


@pytest.mark.parametrize("env_id", IDS)
def test_pickled_env_continues_identically(env_id):
    env = gym.make(env_id).unwrapped
    env.reset(seed=5)
    env.step(0)
    clone = pickle.loads(pickle.dumps(env))
    for a in np.random.default_rng(1).integers(env.action_space.n, size=6):
        o1, r1, t1, u1, i1 = env.step(int(a))
        o2, r2, t2, u2, i2 = clone.step(int(a))
        assert np.array_equal(o1, o2) and (r1, t1, u1) == (r2, t2, u2)
        assert i1["scene"] == i2["scene"]
        if t1 or u1:
            break


@pytest.mark.parametrize("env_id", IDS)
def test_render_modes_and_text_pictures(env_id):
    env = gym.make(env_id, render_mode="rgb_array")
    obs, info = env.reset(seed=0)
    scene = info["scene"]
    h, w = scene.shape
    frame = env.render()
    assert frame.shape == obs.shape == (h * 8, w * 8, 3) and frame.dtype == np.uint8
    text_env = gym.make(env_id, render_mode="ansi")
    text_env.reset(seed=0)
    text = text_env.render()
    lines = text.splitlines()
    assert len(lines) == h and all(len(line) == w for line in lines)
    game = scene.game
    agents = sum(text.count(game.kinds[k].glyph) for k in game.agent_kinds)
    assert agents == (1 if game.agent_kinds else 0)
    assert np.array_equal(game.parse(text), text_env.unwrapped.scene().grid)  # glyphs round-trip


@pytest.mark.parametrize("env_id", IDS)
def test_incremental_rendering_matches_a_full_redraw(env_id):
    env = environments.make(env_id)
    env.reset(seed=3)
    for a in env.expert_plan()[:-1]:
        obs, *_ = env.step(a)
        assert np.array_equal(obs, env.redraw())


@pytest.mark.parametrize("env_id", IDS)
def test_an_action_outside_the_space_is_one_clear_error(env_id):
    env = environments.make(env_id)
    env.reset(seed=0)
    n = env.action_space.n
    for bad in (n, -1, "N", 1.5):
        with pytest.raises(InvalidActionError, match=f"outside .* action space Discrete\\({n}\\)"):
            env.step(bad)
    env.step(0)  # the episode goes on


def test_gymnasium_make_takes_variant_kwargs():
    env = gym.make("neurocomp/KeyDoor-8x8-v0", lava=5, appearance="novel", tile=6)
    obs, info = env.reset(seed=0)
    assert obs.shape == (48, 48, 3)
    assert info["scene"].count("lava") == 5


def test_unknown_id_suggests_close_match():
    with pytest.raises(UnknownEnvironmentError, match="Did you mean 'neurocomp/KeyDoor-8x8-v0'"):
        environments.make("neurocomp/KeyDor-8x8-v0")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"size": 5}, "from 6 to 128"),
        ({"size": 129}, "from 6 to 128"),
        ({"lava": 99}, "lava must be"),
        ({"appearance": "neon"}, "unknown appearance"),
        ({"colour": 3}, "KeyDoor takes no keyword 'colour'. Its keywords: size, lava, appear"),
        ({"lavas": 3}, "takes no keyword 'lavas'. Did you mean 'lava'?"),
        ({"size": "8"}, r"^size must be an integer or a pair of integers, got '8' \(a string\)$"),
        ({"size": 8.0}, r"size must be .*, got 8\.0 \(a float\)"),
        ({"lava": True}, r"lava must be an integer or None, got True \(a boolean\)"),
        ({"tile": 2}, "tile must be"),
        ({"max_steps": 0}, "max_steps must be"),
    ],
)
def test_bad_variants_are_clear_errors(kwargs, match):
    with pytest.raises(InvalidVariantError, match=match):
        environments.make("neurocomp/KeyDoor-8x8-v0", **kwargs)


def test_numpy_values_pass_as_their_python_types():
    env = environments.make("neurocomp/KeyDoor-8x8-v0", size=np.int64(8), lava=np.int32(3))
    assert (env.height, env.lava) == (8, 3)
    assert environments.make("neurocomp/PacMaze-5x5-v0", moving=np.bool_(True)).moving is True


@pytest.mark.parametrize("game", environments.games(), ids=lambda g: g.name)
def test_a_keyword_of_the_wrong_type_is_refused_by_the_type_the_game_declares(game):
    declared = keywords(game.entry_point)  # its constructor's, and GridGame's through **kwargs
    assert {"appearance", "tile", "max_steps", "render_mode"} <= set(declared)
    assert not {"height", "width"} & set(declared)  # filled in by the game, not given
    for variant in game.variants:  # every keyword a variant registers is declared and typed
        check_keywords(game.title, game.entry_point, variant.kwargs)
    env_id = game.env_ids()[0]
    integers = [k for k, t in declared.items() if int in (t, *typing.get_args(t))]
    assert {"tile", "max_steps"} < set(integers)  # and at least one of the game's own
    for name in integers:
        for bad, kind in (("8", "a string"), (True, "a boolean")):
            message = str(_refusal(env_id, name, bad))
            assert message.startswith(f"{name} must be an integer"), message
            assert message.endswith(f", got {bad!r} ({kind})"), message


def _refusal(env_id: str, name: str, value: object) -> InvalidVariantError:
    with pytest.raises(InvalidVariantError) as refused:
        environments.make(env_id, **{name: value})
    return refused.value


@pytest.mark.parametrize("game", environments.games(), ids=lambda g: g.name)
def test_every_kind_says_what_it_is(game):
    for kind in game.kinds:
        assert kind.doc and "\n" not in kind.doc, f"{game.title}'s {kind.name} needs a doc"


@pytest.mark.parametrize("game", environments.games(), ids=lambda g: g.name)
def test_a_game_is_found_by_name_title_or_any_id(game):
    from environments.registry import find_game, games

    assert find_game(game.name) == (game, None)
    first = next(g for g in games() if g.title == game.title)  # a title two games share
    for name in (game.title, game.title.upper()):  # (VisualSudoku 4x4 and 9x9) names the first
        assert find_game(name) == (first, None)
    for env_id in game.env_ids():
        assert find_game(env_id) == (game, env_id)
        assert find_game(env_id.removeprefix("neurocomp/")) == (game, env_id)


def test_an_unknown_game_suggests_close_names():
    from environments.registry import find_game

    with pytest.raises(UnknownEnvironmentError, match=r"unknown game 'keydor'\. Did you mean 'k"):
        find_game("keydor")
    with pytest.raises(UnknownEnvironmentError, match=r"Name a game \(keydoor, .*, minigrid\)"):
        find_game("zzzzzz")
    # an id MiniGrid registers names the MiniGrid game, whatever it holds
    assert find_game("MiniGrid-Empty-5x5-v0")[0].name == "minigrid"

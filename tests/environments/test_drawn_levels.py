"""A level you draw that cannot be won is refused with the reason the game can tell."""

from __future__ import annotations

import pytest

import environments
from environments import UnsolvableLevelError

KEYDOOR = "neurocomp/KeyDoor-6x6-v0"
PACMAZE = "neurocomp/PacMaze-5x5-v0"
CASES = [
    (KEYDOOR, "######\n#@.#.#\n#k.D.#\n#..#.#\n#..#.#\n######", "it has no goal (G)"),
    (
        KEYDOOR,
        "######\n#@k#G#\n#..###\n#....#\n#....#\n######",
        "no way leads from the agent to the goal (G)",
    ),
    (
        KEYDOOR,
        "######\n#@~#G#\n#~.D.#\n#.k#.#\n#..#.#\n######",
        "every way to the goal (G) crosses lava (~)",
    ),
    (
        KEYDOOR,
        "######\n#@.#G#\n#..D.#\n#..#.#\n#..#.#\n######",
        "the door (D) opens only for the key (k), and the level has none",
    ),
    (
        KEYDOOR,
        "######\n#@.#G#\n#..D.#\n#..#k#\n#..#.#\n######",
        "the door (D) opens only for the key (k), and no way leads from the agent to the key (k)",
    ),
    (
        KEYDOOR,
        "######\n#@.#G#\n#..D.#\n#~~#.#\n#k.#.#\n######",
        "the door (D) opens only for the key (k), and every way to the key (k) crosses lava (~)",
    ),
    (
        PACMAZE,
        "@....\n.....\n.....\n...g.\n..gFg",
        "every way to the flag (F) crosses ghost_asleep (g)",
    ),
    (PACMAZE, "@....\n.....\n.....\n.....\n.....", "it has no flag (F)"),
    (
        "neurocomp/LightsOut-4x4-v0",
        "o...\n....\n....\n....",
        "the exact expert found no way to win within 24 steps",
    ),
]


@pytest.mark.parametrize("env_id, level, reason", CASES, ids=[c[2][:40] for c in CASES])
def test_an_unwinnable_level_is_refused_with_its_reason(env_id, level, reason):
    env = environments.make(env_id)
    with pytest.raises(UnsolvableLevelError) as refused:
        env.reset(options={"level": level})
    assert str(refused.value).endswith(f"cannot be solved: {reason}")


def test_a_winnable_level_with_the_key_in_hand_plays():
    env = environments.make(KEYDOOR)
    _, info = env.reset(options={"level": "######\n#&.#G#\n#..D.#\n#..#.#\n#..#.#\n######"})
    assert info["scene"].inventory == ("key",) and env.expert_plan()

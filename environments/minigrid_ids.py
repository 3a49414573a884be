"""Which MiniGrid and BabyAI ids play as the MiniGrid game, made how, and how they group into
families of larger or harder ids (the game's evaluation splits).

An id plays if its class keeps MiniGrid's own ``step`` (it is won by reaching the goal
square), or if its ``step`` wins by what its mission says and the rules state every mechanic
it uses: BabyAI's levels (their instructions decide) and the MiniGrid classes in
:data:`MISSIONS`. Any other is refused with the reason.
"""

from __future__ import annotations

import difflib
import re
import warnings

import gymnasium as gym

from environments.errors import InvalidVariantError, UnknownEnvironmentError, clip

with warnings.catch_warnings():  # MiniGrid registers a few deprecated ids on import
    warnings.simplefilter("ignore")
    import minigrid  # noqa: F401  (registers MiniGrid's ids with Gymnasium)
    from minigrid.envs.babyai.core.roomgrid_level import RoomGridLevel
    from minigrid.minigrid_env import MiniGridEnv

__all__ = ["MISSIONS", "SUITES", "family", "make_inner", "on_mission", "playable", "split_name"]

SUITES = ("MiniGrid-", "BabyAI-")
# MiniGrid classes won (or lost) by their mission: going to, picking up, opening or putting
# things, whose mechanics (balls in the way, keys in boxes, locked doors) the rules state.
MISSIONS = (
    "BlockedUnlockPickupEnv",
    "FetchEnv",
    "GoToDoorEnv",
    "GoToObjectEnv",
    "KeyCorridorEnv",
    "ObstructedMaze_1Dlhb",
    "ObstructedMaze_Full",
    "ObstructedMaze_Full_V1",
    "PutNearEnv",
    "RedBlueDoorEnv",
    "UnlockEnv",
    "UnlockPickupEnv",
)
REFUSED = {
    "DynamicObstaclesEnv": "its balls move at random every step and touching one loses, which "
    "the rules here do not state",
    "MemoryEnv": "its mission ('go to the matching object at the end of the hallway') names an "
    "object by one seen at the start, which the mission grammar does not read",
}


def make_inner(env_id: str, max_steps: int | None) -> MiniGridEnv:
    if env_id not in gym.registry or not env_id.startswith(SUITES):
        known = [i for i in gym.registry if i.startswith(SUITES)]
        close = difflib.get_close_matches(env_id, known, n=3, cutoff=0.5)
        hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
        raise UnknownEnvironmentError(
            f"{clip(env_id)} is not a registered MiniGrid or BabyAI id.{hint}"
        )
    reason = playable(env_id)
    if reason:
        raise InvalidVariantError(
            f"{env_id} cannot be played as a MiniGrid game of Neurocomp: {reason}"
        )
    kwargs = {} if max_steps is None else {"max_steps": max_steps}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gym.make(env_id, disable_env_checker=True, **kwargs).unwrapped


def _class(env_id: str) -> type:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entry = gym.spec(env_id).entry_point
    return gym.envs.registration.load_env_creator(entry) if isinstance(entry, str) else entry


def on_mission(env_id: str) -> bool:
    """Whether the id is won by doing what its mission says (not by reaching a goal square)."""
    cls = _class(env_id)
    return isinstance(cls, type) and cls.step is not MiniGridEnv.step


def playable(env_id: str) -> str | None:
    """Why a MiniGrid or BabyAI id cannot be played (None: it can), from its class alone."""
    cls = _class(env_id)
    if not isinstance(cls, type) or not on_mission(env_id):
        return None
    if issubclass(cls, RoomGridLevel) or cls.__name__ in MISSIONS:
        return None
    return REFUSED.get(cls.__name__) or (
        f"its class {cls.__name__} overrides step(), so it moves things or wins in ways the "
        "rules here do not state (walls, floors, doors, keys, balls, boxes, lava, a goal to "
        "reach, and missions to go to, pick up, open and put things are)"
    )


def family(env_id: str) -> tuple[str, tuple[int, ...]]:
    """``MiniGrid-DoorKey-8x8-v0`` -> ``("MiniGrid-DoorKey-#x#", (8, 8))``."""
    stem = re.sub(r"-v\d+$", "", env_id)
    return re.sub(r"\d+", "#", stem), tuple(int(n) for n in re.findall(r"\d+", stem))


def split_name(env_id: str) -> str:
    """``MiniGrid-DoorKey-8x8-v0`` -> ``doorkey-8x8``; ``BabyAI-GoToLocal-v0`` ->
    ``babyai-gotolocal``."""
    return re.sub(r"-v\d+$", "", env_id).removeprefix("MiniGrid-").lower()

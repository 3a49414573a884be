"""The expert of the MiniGrid and BabyAI ids won by their mission: MiniGrid's own BabyAI bot
(``minigrid.utils.baby_ai_bot``), which reads the true grid, the agent's pose and the
instructions as objects, and plans with subgoals. BabyAI levels carry their instructions;
for MiniGrid's mission classes they are built from what the class keeps (its target object,
door or colours). ObstructedMaze hides keys in boxes, which the bot never opens: there it
plays a copy in which each box is replaced by what it holds (the expert knows what boxes
hold), and where it picks up a thing a box holds, the expert first toggles the box open.
"""

from __future__ import annotations

import contextlib
import copy
import io
import warnings
from collections.abc import Iterator
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from minigrid.envs.babyai.core.verifier import (
        BeforeInstr,
        GoToInstr,
        Instr,
        ObjDesc,
        OpenInstr,
        PickupInstr,
        PutNextInstr,
    )
    from minigrid.minigrid_env import MiniGridEnv
    from minigrid.utils.baby_ai_bot import BabyAIBot

__all__ = ["bot_plan", "quiet"]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """BabyAI's level generator prints every level it rejects; keep that off the screen."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def _instructions(env: Any) -> Instr | None:
    """The instructions a MiniGrid mission class means, from what it keeps."""
    name = type(env).__name__
    if name in ("KeyCorridorEnv", "UnlockPickupEnv", "BlockedUnlockPickupEnv") or name.startswith(
        "ObstructedMaze"
    ):
        return PickupInstr(ObjDesc(env.obj.type, env.obj.color))
    if name == "UnlockEnv":
        return OpenInstr(ObjDesc("door", env.door.color))
    if name == "FetchEnv":
        return PickupInstr(ObjDesc(env.targetType, env.targetColor))
    if name == "GoToDoorEnv":
        return GoToInstr(ObjDesc("door", env.target_color))
    if name == "GoToObjectEnv":
        return GoToInstr(ObjDesc(env.targetType, env.target_color))
    if name == "PutNearEnv":
        move = ObjDesc(env.move_type, env.moveColor)
        return PutNextInstr(move, ObjDesc(env.target_type, env.target_color))
    if name == "RedBlueDoorEnv":
        return BeforeInstr(OpenInstr(ObjDesc("door", "red")), OpenInstr(ObjDesc("door", "blue")))
    return None


class _AnyRoom:
    """The room of a MiniGrid class without rooms: every cell is in it."""

    def pos_inside(self, x: int, y: int) -> bool:
        return True


def bot_plan(env: MiniGridEnv, budget: int) -> list[int] | None:
    """The bot's actions from ``env``'s current state until it wins (played on copies);
    None if it loses or runs out of ``budget`` steps."""
    seen = copy.deepcopy(env)  # what the bot plays: boxes that hold something are unpacked
    real = copy.deepcopy(env)  # the level as it is, played with the boxes toggled open
    for i, obj in enumerate(seen.grid.grid):
        if obj is not None and obj.type == "box" and obj.contains is not None:
            seen.grid.grid[i] = obj.contains
            obj.contains.cur_pos = obj.cur_pos
    if not hasattr(seen, "instrs"):
        seen.instrs = _instructions(seen)
        if not hasattr(seen, "room_from_pos"):
            seen.room_from_pos = lambda x, y: _AnyRoom()
        seen.instrs.reset_verifier(seen)
    actions: list[int] = []
    with quiet():
        try:
            bot = BabyAIBot(seen)
            last = None
            while len(actions) < budget:
                last = int(bot.replan(last))
                ahead = real.grid.get(*real.front_pos)
                hides = ahead is not None and ahead.type == "box" and ahead.contains is not None
                if last == real.actions.pickup and hides:
                    actions.append(int(real.actions.toggle))
                    real.step(real.actions.toggle)  # the box opens onto what it held
                seen.step(last)
                actions.append(last)
                _, reward, terminated, truncated, _ = real.step(last)
                if terminated or truncated:
                    return actions if reward > 0 and len(actions) <= budget else None
        except Exception:  # the bot gives up by raising
            return None
    return None

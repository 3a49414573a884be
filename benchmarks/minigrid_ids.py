"""Which MiniGrid (and BabyAI) ids play, and how well the expert and the oracle do on each.

    .venv/bin/python benchmarks/minigrid_ids.py --seeds 5            # every MiniGrid id
    .venv/bin/python benchmarks/minigrid_ids.py --suite BabyAI- --seeds 3
    .venv/bin/python benchmarks/minigrid_ids.py MiniGrid-Unlock-v0 --seeds 20

For each id: made, or refused with the reason; then, over ``--seeds`` evaluation levels, how
many the expert wins (MiniGrid's BabyAI bot on ids won by their mission, a shortest plan on
goal-square ids) and how many the oracle wins (the game's reasoner, rules and grammar on the
true scene) on the full and the egocentric view, with the oracle's mean steps. Prints one row
per id, then the count of ids that play. Single-threaded.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gymnasium as gym

from compose import OraclePipeline
from compose.common.levels import level_seed
from compose.play import play_episode
from environments.errors import NeurocompError
from environments.farama_minigrid import EGOCENTRIC, MINIGRID
from environments.registry import make


def expert_wins(env, seeds: list[int]) -> int:
    won = 0
    for seed in seeds:
        env.reset(seed=seed)
        plan = env.expert_plan() or []
        info = {}
        for action in plan:
            *_, info = env.step(action)
        won += bool(info.get("success"))
    return won


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="ids to check (default: every id of --suite)")
    parser.add_argument("--suite", default="MiniGrid-", help="id prefix (MiniGrid- or BabyAI-)")
    parser.add_argument("--seeds", type=int, default=5, help="evaluation levels per id")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ids = args.ids or [i for i in gym.registry if i.startswith(args.suite)]
    oracles = {g.name: OraclePipeline.for_game(g) for g in (MINIGRID, EGOCENTRIC)}
    seeds = [level_seed(0, "eval", i) for i in range(args.seeds)]
    plays = 0
    print(f"{'id':44} {'expert':>7} {'full':>7} {'ego':>7} {'steps':>6} {'s/ep':>6}")
    for env_id in ids:
        try:
            full, ego = make(env_id), make(env_id, view="egocentric")
        except NeurocompError as e:
            print(f"{env_id:44} refused: {e}")
            continue
        plays += 1
        t0 = time.perf_counter()
        row = [f"{expert_wins(full, seeds)}/{len(seeds)}"]
        steps = []
        for env in (full, ego):
            episodes = [play_episode(env, oracles[env.game.name], s) for s in seeds]
            steps += [e.steps for e in episodes if e.success]
            row.append(f"{sum(e.success for e in episodes)}/{len(seeds)}")
        mean = sum(steps) / max(len(steps), 1)
        per = (time.perf_counter() - t0) / (3 * len(seeds))
        print(f"{env_id:44} {row[0]:>7} {row[1]:>7} {row[2]:>7} {mean:6.1f} {per:6.2f}")
    print(f"{plays} of {len(ids)} ids play")


if __name__ == "__main__":
    main()

"""How many distinct levels each registered id has: draws levels from a stream no comparison
uses and counts their distinct contents (``GridGame.level_key``).

A count far below the draws means the game has about that many levels in all, so evaluation
and training levels cannot be kept apart beyond it (see ``compose/levels.py``): the report
then lists the overlap. A count equal to the draws means many more levels than that.

    .venv/bin/python benchmarks/level_space.py                      # every registered id
    .venv/bin/python benchmarks/level_space.py MiniGrid-LavaGapS5-v0 --draws 5000
"""

from __future__ import annotations

import argparse
import time

import environments
from compose.common.levels import level_seed

SEED = 99_991  # a seed no comparison is run with


def count(env_id: str, draws: int, seconds: float) -> tuple[int, int, float]:
    """``(distinct, drawn, ms per level)`` within ``draws`` levels or ``seconds``."""
    game = environments.make(env_id).unwrapped
    keys: set[str] = set()
    t0 = time.perf_counter()
    drawn = 0
    while drawn < draws and time.perf_counter() - t0 < seconds:
        keys.add(game.peek_level(level_seed(SEED, "eval", drawn)))
        drawn += 1
    return len(keys), drawn, 1000 * (time.perf_counter() - t0) / max(drawn, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="environment ids (default: every registered id)")
    parser.add_argument("--draws", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30.0, help="at most this long per id")
    args = parser.parse_args()
    print(f"{'id':48} {'distinct':>8} {'drawn':>6} {'ms/level':>9}")
    for env_id in args.ids or environments.env_ids():
        distinct, drawn, ms = count(env_id, args.draws, args.seconds)
        few = "  <- few: keeps levels apart only this far" if distinct < drawn / 2 else ""
        print(f"{env_id:48} {distinct:8,} {drawn:6,} {ms:9.1f}{few}", flush=True)


if __name__ == "__main__":
    main()

"""PPO on a MiniGrid id under different views of the level, to place our PPO beside published
frames-to-0.9 figures.

    .venv/bin/python benchmarks/ppo_anchor.py MiniGrid-LavaCrossingS9N1-v0 --view egocentric \
        --frames 500000 --seed 0

Views: ``full`` is the screen the toolkit's pipelines see (MiniGrid's fully observed RGB frame
at tile 8); ``egocentric`` is MiniGrid's own partially observed RGB view (7x7 cells ahead of
the agent, turned with it, tile 8). Both are read by the same cell-aligned CNN and trained with
the same PPO settings (``neural.rl.PPOConfig``), so the difference between them is the view
alone. Prints the mean-return curve and the first frame count at which the mean return of the
last 100 episodes reached 0.9. Single-threaded, as the comparison's workers are.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import gymnasium as gym
import torch

from environments.registry import make
from neural.rl import PPOConfig, train_ppo


def make_env(env_id: str, view: str):
    def build() -> gym.Env:
        if view == "full":
            return make(env_id)
        from minigrid.wrappers import ImgObsWrapper, RGBImgPartialObsWrapper

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            env = gym.make(env_id, disable_env_checker=True)
        return ImgObsWrapper(RGBImgPartialObsWrapper(env, tile_size=8))

    return build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("env_id")
    parser.add_argument("--view", choices=("full", "egocentric"), default="full")
    parser.add_argument("--frames", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ent-coef", type=float, default=0.0)
    parser.add_argument("--out", type=Path, help="write the result as JSON here too")
    args = parser.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    result = train_ppo(
        make_env(args.env_id, args.view),
        args.frames,
        args.seed,
        8,
        PPOConfig(ent_coef=args.ent_coef),
    )
    row = {
        "env_id": args.env_id,
        "view": args.view,
        "seed": args.seed,
        "ent_coef": args.ent_coef,
        "frames": result.frames,
        "seconds": round(time.perf_counter() - t0, 1),
        "frames_to_0.9": result.frames_to_goal,
        "peak_mean_return": round(max((r for _, r in result.curve), default=0.0), 3),
        "curve": [(f, round(r, 3)) for f, r in result.curve[:: max(1, len(result.curve) // 40)]],
    }
    print(json.dumps(row))
    if args.out:
        args.out.write_text(json.dumps(row, indent=1) + "\n")


if __name__ == "__main__":
    main()

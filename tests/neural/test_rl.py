"""PPO from reward alone, for real, on a budget of a few thousand frames."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch

import environments
from neural.rl import PPOConfig, make_ppo_policy, train_ppo, train_ppo_at

# PPO's settings with rollouts of 64 steps: an update every 512 frames, 16 in 8,192 frames,
# where the zoo's 1,024-frame rollouts give 8, and whether the last of 8 reached the goal was
# the seed's luck. Measured by training seed 0..4:
#                 frames to a mean return of 0.9     greedy policy's wins of 20 at 8,192
#   zoo's (128)   8192  never never never 8192       20 20 20 0 20
#   64 steps      5120  6144  6144  6656  5120       20 20 20 20 20 (and at every 1,024 from 4,096)
# Empty-5x5 starts every level alike, so a greedy policy wins all 20 or none; an untrained one
# wins none (checked below).
SHORT_ROLLOUTS = PPOConfig(n_steps=64)


def _greedy_wins(policy, env, levels: int = 20) -> int:
    wins = 0
    for seed in range(levels):
        obs, _ = env.reset(seed=1000 + seed)
        done = False
        while not done:
            action, _ = policy.predict(obs, deterministic=True)
            obs, _, terminated, truncated, info = env.step(int(action))
            done = terminated or truncated
        wins += info["success"]
    return wins


@pytest.mark.slow
def test_ppo_learns_an_easy_level_from_reward_alone_and_its_weights_reload():
    env = environments.make("MiniGrid-Empty-5x5-v0")
    before = set(Path(tempfile.gettempdir()).glob("SB3-*"))
    result = train_ppo(
        lambda: environments.make("MiniGrid-Empty-5x5-v0"),
        8192,
        seed=0,
        tile=8,
        config=SHORT_ROLLOUTS,
    )
    assert set(Path(tempfile.gettempdir()).glob("SB3-*")) == before  # no log directory left
    assert result.frames == 8192 and result.seconds > 0
    returns = [r for _, r in result.curve]
    # The mean training return rises from its lowest. (Not from its first point: that one
    # averages the few episodes that ended within 512 frames, the lucky short ones.)
    assert returns[-1] > min(returns) + 0.3, returns
    assert result.frames_to_goal is not None and result.frames_to_goal <= 8192
    assert _greedy_wins(result.policy, env) >= 18
    fresh = make_ppo_policy(env.observation_space, env.action_space, tile=8)
    fresh.set_training_mode(False)
    assert _greedy_wins(fresh, env, levels=1) == 0  # untrained, it wins none of these alike levels
    fresh.load_state_dict(result.policy.state_dict())
    screens = np.stack([env.reset(seed=s)[0] for s in range(8)])
    with torch.no_grad():
        assert np.array_equal(
            fresh.predict(screens, deterministic=True)[0],
            result.policy.predict(screens, deterministic=True)[0],
        )


@pytest.mark.slow
def test_the_anchor_benchmark_runs_both_views(tmp_path):
    """``benchmarks/ppo_anchor.py`` trains the same PPO on the full screen and on MiniGrid's
    egocentric view, and prints what it measured."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "benchmarks" / "ppo_anchor.py"
    for view in ("full", "egocentric"):
        out = tmp_path / f"{view}.json"
        done = subprocess.run(
            [
                sys.executable,
                str(script),
                "MiniGrid-DoorKey-5x5-v0",
                "--view",
                view,
                "--frames",
                "2048",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        row = json.loads(out.read_text())
        assert row["view"] == view and row["frames"] >= 2048 and row["curve"]
        assert json.loads(done.stdout.strip().splitlines()[-1])["frames"] == row["frames"]


@pytest.mark.slow
def test_one_run_kept_at_each_budget_is_each_budgets_own_run_bit_for_bit():
    """A sweep over frame budgets trains once, to the largest: the policy kept at a smaller
    budget, its curve and frame count are those of a run of that budget alone."""

    def make():
        return environments.make("neurocomp/KeyDoor-6x6-v0")

    kept = train_ppo_at(make, [2048, 1024], seed=3, tile=8)  # any order; results in it
    for budget, result in zip([2048, 1024], kept, strict=True):
        alone = train_ppo(make, budget, seed=3, tile=8)
        assert result.frames == alone.frames == budget
        assert result.curve == alone.curve and result.frames_to_goal == alone.frames_to_goal
        ours, theirs = result.policy.state_dict(), alone.policy.state_dict()
        assert ours.keys() == theirs.keys()
        assert all(torch.equal(ours[k], theirs[k]) for k in ours), budget
    assert not torch.equal(
        kept[0].policy.state_dict()["action_net.weight"],
        kept[1].policy.state_dict()["action_net.weight"],
    )  # the second 1,024 frames did train

"""Rules learned from play, measured: per game and seed, what ``hybrid-induced`` learned from
``--budget`` demonstrations plus at most ``--play`` frames of its own play, how long it took,
whether the learned file answers every question as the packaged one does (about every kind
the held-out levels show), and how well it
predicts the next state of held-out transitions (uniformly random moves on evaluation-stream
levels, in the game's true scenes).

    .venv/bin/python benchmarks/induction.py            # KeyDoor-8x8, 5 seeds
    .venv/bin/python benchmarks/induction.py neurocomp/KeyDoor-16x16-v0 --seeds 2 --check 2000

With ``--peer pylfit``, pylfit 0.5.1 (LFIT's PRIDE algorithm; GPL-3.0, so in a virtualenv of
its own under .peers/, made on first use) learns from the same transitions in propositional
form -- the 3x3 window of kinds around the agent and the move, to the next window (but its
centre, the cell the agent left, which the screen never shows) and whether the episode ended --
and is checked on the same held-out transitions, judged the same way; its row is printed beside
ours.

Prints one row per seed and writes nothing but the peer's virtualenv.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import environments
from compose.common.levels import draw_levels, held_out
from compose.pipelines.induced import InducedHybridPipeline
from compose.pipelines.rule_checks import prediction_accuracy, random_transitions
from compose.report.rules import rules_differences
from compose.training.build import demonstrations
from environments.core import Scene
from neural.train import TrainConfig
from symbolic.errors import QueryError

ROOT = Path(__file__).resolve().parents[1]
PEER_VENV = ROOT / ".peers" / "pylfit"
PEER_SCRIPT = ROOT / "benchmarks" / "peers" / "pylfit_rules.py"
NEAR = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
WINDOW = [f"c{dr + 1}{dc + 1}" for dr, dc in NEAR]


def peer_python() -> Path:
    """pylfit's virtualenv's Python, made first if it is missing (pylfit imports pandas
    without declaring it)."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"making pylfit's virtualenv in {PEER_VENV} (once)…", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
        pip = [str(python), "-m", "pip", "install", "-q", "pylfit==0.5.1", "pandas", "numpy"]
        subprocess.run(pip, check=True)
    return python


def window(names: tuple[str, ...], grid: np.ndarray, at: tuple[int, int]) -> list[str]:
    """The kinds of the 3x3 cells around ``at`` (``out`` off the grid), row by row."""
    h, w = grid.shape
    out = []
    for dr, dc in NEAR:
        r, c = at[0] + dr, at[1] + dc
        out.append(
            names[int(grid[r, c])] if 0 <= r < h and 0 <= c < w and grid[r, c] >= 0 else "out"
        )
    return out


def propositional(
    scene: Scene, action: int, after: np.ndarray | None
) -> tuple[list[str], list[str]]:
    """A transition as pylfit reads it: (window + move, next window but its centre + ended);
    unknown values are ``?`` (the next window of a step that ended the episode)."""
    names = scene.game.kind_names
    assert scene.agent is not None
    features = [*window(names, scene.grid, scene.agent), scene.game.actions.names[action]]
    if after is None:
        return features, ["?"] * 8 + ["yes"]
    nxt = window(names, after, scene.agent)
    return features, [*nxt[:4], *nxt[5:], "no"]


def our_targets(pipe: InducedHybridPipeline, scene: Scene, action: int) -> list[str]:
    try:
        predicted = pipe.reasoner.predict(scene, action)
    except QueryError:  # a scene the learned rules cannot read: no prediction (wrong)
        return ["unknown"] * 9
    if predicted is None:
        return ["?"] * 8 + ["yes"]
    assert scene.agent is not None
    nxt = window(scene.game.kind_names, predicted, scene.agent)
    return [*nxt[:4], *nxt[5:], "no"]


def judged(predicted: list[str], truth: list[str]) -> bool:
    """As the peer script judges: every target whose true value is known."""
    return all(p == t for p, t in zip(predicted, truth, strict=True) if t != "?")


def peer_row(pipe: InducedHybridPipeline, held: list, seed: int) -> dict[str, object]:
    """pylfit on the transitions ``pipe`` learned from, checked on ``held``; ours beside it,
    judged the same way on the same propositional targets."""
    train = [
        propositional(t.scene, t.action, None if t.after is None else t.after.grid)
        for t in pipe.transitions
        if t.after is not None or t.terminated
    ]
    test = [propositional(s, a, after) for s, a, after in held]
    ours = sum(
        judged(our_targets(pipe, s, a), truth)
        for (s, a, _), (_, truth) in zip(held, test, strict=True)
    )
    data = {
        "features": [*WINDOW, "move"],
        "targets": [*(n for n in WINDOW if n != "c11"), "ended"],
        "train": train,
        "test": test,
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "transitions.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        t0 = time.perf_counter()
        done = subprocess.run(
            [str(peer_python()), str(PEER_SCRIPT), str(path)], capture_output=True, text=True
        )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        return {"seed": seed, "pylfit": f"failed: {tail[0]}"}
    peer = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "seed": seed,
        "train": len(train),
        "test": len(test),
        "ours (window)": f"{ours / len(test):.2%}",
        "pylfit (window)": f"{peer['accuracy']:.2%}",
        "pylfit rules": peer["rules"],
        "pylfit learn s": f"{peer['learn_seconds']:.1f}",
        "pylfit wall s": f"{time.perf_counter() - t0:.1f}",
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(
    env_id: str, seed: int, budget: int, play: int, check: int, peer: str | None
) -> tuple[dict[str, object], dict[str, object] | None]:
    env = environments.make(env_id).unwrapped
    avoid = held_out([env], seed, 20)
    pipe = InducedHybridPipeline(env.game, env.tile, play_frames=play)
    demos = demonstrations(env, budget, seed, avoid)
    t0, c0 = time.perf_counter(), cpu_seconds()
    report = pipe.fit_with_play(env, demos, seed, TrainConfig(seed=seed), avoid)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    x = report.extra
    levels = draw_levels(env, seed, "eval", 200).seeds
    held = random_transitions(env, levels, check, seed + 1)
    t1 = time.perf_counter()
    accuracy = prediction_accuracy(pipe.reasoner, held)
    shown = {env.game.kind_names[int(k)] for scene, _, _ in held for k in np.unique(scene.grid)}
    differs = rules_differences(env.game, str(x["learned_rules"]), shown)
    row = {
        "seed": seed,
        "clauses": x["rules_learned"],
        "play frames": x["play_frames"],
        "deaths": x["play_deaths"],
        "transitions": x["transitions"],
        "unexplained": x["examples_unexplained"],
        "learn s": f"{x['induction_seconds']:.2f}",
        "search s": f"{x['learner_seconds']:.3f}",
        "fit wall s": f"{wall:.1f}",
        "fit cpu s": f"{cpu:.1f}",
        f"predicts ({check:,})": f"{accuracy:.2%}",
        "predict s": f"{time.perf_counter() - t1:.1f}",
        "as packaged": "yes" if differs == [] else f"no: {'; '.join(differs or ['?'])}",
    }
    agent_game = bool(env.game.agent_kinds)  # the window form is about an agent's cell
    return row, peer_row(pipe, held, seed) if peer == "pylfit" and agent_game else None


def show(rows: list[dict[str, object]]) -> None:
    keys = list(dict.fromkeys(k for r in rows for k in r))
    widths = [max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys]
    print("  ".join(k.ljust(w) for k, w in zip(keys, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r.get(k, "")).ljust(w) for k, w in zip(keys, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("env", nargs="?", default="neurocomp/KeyDoor-8x8-v0")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=10, help="demonstration episodes")
    parser.add_argument("--play", type=int, default=2000, help="frames of own play, at most")
    parser.add_argument("--check", type=int, default=10_000, help="held-out transitions")
    parser.add_argument("--peer", choices=["pylfit"], help="a peer learner beside ours")
    args = parser.parse_args()
    print(f"{args.env}: {args.budget} demonstrations, at most {args.play} frames of own play")
    found = [
        measure(args.env, s, args.budget, args.play, args.check, args.peer)
        for s in range(args.seeds)
    ]
    show([ours for ours, _ in found])
    peers = [p for _, p in found if p is not None]
    if peers:
        print("\nthe same transitions, propositional (3x3 window + move -> next window, ended):")
        show(peers)


if __name__ == "__main__":
    main()

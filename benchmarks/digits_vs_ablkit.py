"""Digit addition, Neurocomp beside ABLkit: same data, same split, same machine, same network.

For each seed, both toolkits learn a digit classifier from the same training pairs of
scikit-learn's handwritten digits and their sums alone (no digit label), and are measured on
the same test images and test pairs, drawn from images neither saw. Neurocomp's labelled
learner (given every digit) and its monolithic network (pair → sum) run beside them. The table
gives, per seed and learner, the digit accuracy, the sum accuracy and the seconds training took,
then how many seeds reached 98% digit accuracy.

ABLkit pins ``pyswip==0.2.9``, so it gets a virtualenv of its own (``--venv``, made on first use:
torch 2.13.0 from this machine's wheel first, then ABLkit; see ``../shared/notes/peers.md``). It
is not a Neurocomp dependency.

    .venv/bin/python benchmarks/digits_vs_ablkit.py --seeds 5
    .venv/bin/python benchmarks/digits_vs_ablkit.py --seeds 1 --no-peer   # Neurocomp only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compose.digits import AdditionConfig, run_addition  # noqa: E402
from environments.digits import addition_pairs, digit_images  # noqa: E402
from symbolic.digit_rules import load_sum_rules  # noqa: E402

PEER = ROOT / "benchmarks" / "peers" / "ablkit_addition.py"
GOAL = 0.98  # digit accuracy the issue asks for


def peer_python(venv: Path) -> Path:
    """ABLkit's virtualenv's Python, made first if it is missing."""
    python = venv / "bin" / "python"
    if python.exists():
        return python
    print(f"making ABLkit's virtualenv in {venv} (once; a few minutes)…", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, "torch==2.13.0"], check=True)  # the CPU wheel, before ABLkit
    subprocess.run([*pip, "torchvision==0.28.*", "ablkit==1.0.0"], check=True)
    return python


def run_peer(
    python: Path, pairs: int, seed: int, loops: int, segment: float, test_pairs: int
) -> dict:
    """ABLkit on exactly the data Neurocomp's learners got for ``seed``."""
    train = addition_pairs(pairs, "train", seed)
    test = addition_pairs(test_pairs, "test", seed)
    images, digits = digit_images("test")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "addition.npz"
        np.savez(
            data,
            train_images=train.images,
            train_sums=train.sums,
            test_images=images,
            test_digits=digits,
            test_pairs=test.images,
            test_sums=test.sums,
        )
        done = subprocess.run(
            [str(python), str(PEER), str(data), str(seed), str(loops), str(segment)],
            cwd=tmp,  # ABLkit writes its logs under the working directory
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        raise SystemExit(f"ABLkit failed on seed {seed}:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument("--pairs", type=int, default=1000, help="training pairs (default 1000)")
    parser.add_argument("--test-pairs", type=int, default=1000, help="test pairs (default 1000)")
    parser.add_argument("--loops", type=int, default=30, help="ABLkit's loops (default 30)")
    parser.add_argument(
        "--segment", type=float, default=0.1, help="ABLkit's segment size (default 0.1)"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=AdditionConfig.rounds,
        help=f"train-and-revise rounds of our abduced learner, at most "
        f"(default {AdditionConfig.rounds})",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=AdditionConfig.epochs,
        help=f"our epochs per round (default {AdditionConfig.epochs})",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        default=ROOT / ".peers" / "ablkit",
        help="ABLkit's virtualenv, made on first use (default .peers/ablkit)",
    )
    parser.add_argument("--no-peer", action="store_true", help="run Neurocomp's learners only")
    parser.add_argument("--json", type=Path, help="also write every row to this file")
    args = parser.parse_args()
    counts = (args.seeds, args.pairs, args.test_pairs, args.loops, args.rounds, args.epochs)
    if min(counts) < 1 or not 0 < args.segment <= 1:
        parser.error(
            "--seeds, --pairs, --test-pairs, --loops, --rounds and --epochs must be positive, "
            "and --segment in (0, 1]"
        )
    config = AdditionConfig(rounds=args.rounds, epochs=args.epochs)
    rules = load_sum_rules()
    python = None if args.no_peer else peer_python(args.venv)
    rows = []
    for seed in range(args.seeds):
        scores = run_addition(rules, args.pairs, seed, config, args.test_pairs)
        rows += [s.row() for s in scores]
        if python is not None:
            rows.append(
                run_peer(python, args.pairs, seed, args.loops, args.segment, args.test_pairs)
            )
        for row in rows[-(len(scores) + (python is not None)) :]:
            print(_line(row), flush=True)
    print()
    for learner in dict.fromkeys(r["learner"] for r in rows):
        mine = [r for r in rows if r["learner"] == learner]
        reached = sum(1 for r in mine if (r["digit_accuracy"] or 0) >= GOAL)
        seconds = np.mean([r["seconds"] for r in mine])
        digit = "—" if mine[0]["digit_accuracy"] is None else f"{reached} of {len(mine)} seeds"
        print(f"{learner:>10}: ≥{GOAL:.0%} digits on {digit}; mean {seconds:.1f} s")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


def _line(row: dict) -> str:
    digit = "—" if row["digit_accuracy"] is None else f"{row['digit_accuracy']:.1%}"
    return (
        f"seed {row['seed']}  {row['learner']:>10}  digit labels {row['digit_labels']:>5}  "
        f"digits {digit:>6}  sums {row['sum_accuracy']:.1%}  {row['seconds']:.1f} s"
    )


if __name__ == "__main__":
    main()

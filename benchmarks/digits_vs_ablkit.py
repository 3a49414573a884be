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

The same run is ``neurocomp addition --peer ablkit`` (see :mod:`compose.digits.peers`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compose.digits.peers import DEFAULT_VENV, line, peer_python, side_by_side, summary  # noqa: E402
from compose.digits.task import AdditionConfig  # noqa: E402
from symbolic.digit_rules import load_sum_rules  # noqa: E402


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
        default=DEFAULT_VENV,
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
    python = None if args.no_peer else peer_python(args.venv)
    rows = side_by_side(
        load_sum_rules(),
        args.seeds,
        args.pairs,
        args.test_pairs,
        AdditionConfig(rounds=args.rounds, epochs=args.epochs),
        python,
        args.loops,
        args.segment,
        on_row=lambda row: print(line(row), flush=True),
    )
    print()
    print("\n".join(summary(rows)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()

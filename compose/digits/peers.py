"""Digit addition side by side: Neurocomp's learners and a peer toolkit (ABLkit) on the same
data, the same split, the same machine and the same network.

For each seed, Neurocomp's abduced learner (sums only), its labelled learner (every digit) and
its monolithic network (pair → sum) train on the same training pairs; ABLkit, if asked for,
trains on exactly those pairs too, in a virtualenv of its own (it pins ``pyswip==0.2.9``, so it
is not a Neurocomp dependency; ``../shared/notes/peers.md``). All are measured on the same test
images and test pairs, drawn from images none of them saw. ``neurocomp addition`` and
``benchmarks/digits_vs_ablkit.py`` both run :func:`side_by_side`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from compose.digits.task import AdditionConfig, run_addition
from environments.digits import addition_pairs, digit_images
from environments.errors import NeurocompError
from symbolic.digit_rules import SumRules

__all__ = ["GOAL", "PEER_SCRIPT", "PeerError", "peer_python", "run_peer", "side_by_side", "summary"]

# Run by ABLkit's own interpreter, from this package (it imports nothing of Neurocomp's).
PEER_SCRIPT = Path(__file__).with_name("ablkit_addition.py")
_CHECKOUT = Path(__file__).resolve().parents[2]
# ABLkit's virtualenv: in the checkout beside .venv, or, installed from a wheel, in the cache.
DEFAULT_VENV = (
    _CHECKOUT / ".peers" / "ablkit"
    if (_CHECKOUT / "pyproject.toml").is_file()
    else Path.home() / ".cache" / "neurocomp" / "ablkit"
)
GOAL = 0.98  # digit accuracy the side-by-side counts seeds against


class PeerError(NeurocompError, RuntimeError):
    """The peer toolkit could not be installed or failed on a seed."""


def peer_python(venv: Path = DEFAULT_VENV, say: Callable[[str], None] = print) -> Path:
    """ABLkit's virtualenv's Python, made first if it is missing (torch 2.13.0 from this
    machine's CPU wheel first, then ABLkit)."""
    python = venv / "bin" / "python"
    if python.exists():
        return python
    say(f"making ABLkit's virtualenv in {venv} (once; a few minutes)…")
    pip = [str(python), "-m", "pip", "install", "-q"]
    for step in (
        [sys.executable, "-m", "venv", str(venv)],
        [*pip, "torch==2.13.0"],  # the CPU wheel, before ABLkit
        [*pip, "torchvision==0.28.*", "ablkit==1.0.0"],
    ):
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise PeerError(f"making ABLkit's virtualenv failed at `{' '.join(step)}`: {tail[0]}")
    return python


def run_peer(
    python: Path, pairs: int, seed: int, loops: int, segment: float, test_pairs: int
) -> dict:
    """ABLkit on exactly the data Neurocomp's learners got for ``seed``: one result row."""
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
            [str(python), str(PEER_SCRIPT), str(data), str(seed), str(loops), str(segment)],
            cwd=tmp,  # ABLkit writes its logs under the working directory
            capture_output=True,
            text=True,
        )
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise PeerError(f"ABLkit failed on seed {seed}: {last[0]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def side_by_side(
    rules: SumRules,
    seeds: int,
    pairs: int,
    test_pairs: int,
    config: AdditionConfig | None = None,
    peer: Path | None = None,
    loops: int = 30,
    segment: float = 0.1,
    on_row: Callable[[dict], None] | None = None,
) -> list[dict]:
    """Every learner on seeds ``0..seeds-1``, ABLkit too if ``peer`` (its Python) is given:
    one row per learner and seed (learner, seed, pairs, digit_labels, digit_accuracy,
    sum_accuracy, seconds)."""
    rows: list[dict] = []
    for seed in range(seeds):
        scores = run_addition(rules, pairs, seed, config or AdditionConfig(), test_pairs)
        found = [s.row() for s in scores]
        if peer is not None:
            found.append(run_peer(peer, pairs, seed, loops, segment, test_pairs))
        for row in found:
            rows.append(row)
            if on_row is not None:
                on_row(row)
    return rows


def summary(rows: list[dict]) -> list[str]:
    """Per learner: on how many seeds it read ``GOAL`` of the test digits, and its mean time."""
    lines = []
    for learner in dict.fromkeys(r["learner"] for r in rows):
        mine = [r for r in rows if r["learner"] == learner]
        seconds = float(np.mean([r["seconds"] for r in mine]))
        if mine[0]["digit_accuracy"] is None:
            reached = "reads no digits"
        else:
            hits = sum(1 for r in mine if r["digit_accuracy"] >= GOAL)
            seeds = "seed" if len(mine) == 1 else "seeds"
            reached = f"≥{GOAL:.0%} of test digits on {hits} of {len(mine)} {seeds}"
        lines.append(f"{learner}: {reached}; mean {seconds:.1f} s")
    return lines


def line(row: dict) -> str:
    """One result row as a line of text."""
    digit = "—" if row["digit_accuracy"] is None else f"{row['digit_accuracy']:.1%}"
    return (
        f"seed {row['seed']}  {row['learner']:>10}  digit labels {row['digit_labels']:>5}  "
        f"digits {digit:>6}  sums {row['sum_accuracy']:.1%}  {row['seconds']:.1f} s"
    )

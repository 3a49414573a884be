"""An earlier commit's comparisons beside this checkout's, row by row: a change that should not
change behaviour (a refactor) is checked by running the same comparison on both sides, one after
the other on this machine, and asserting every row equal but for its seconds.

    .venv/bin/python benchmarks/same_rows.py --baseline 7358658             # five games
    .venv/bin/python benchmarks/same_rows.py --baseline HEAD~3 --env neurocomp/LightsOut-5x5-v0

Each side runs ``neurocomp compare`` with the game's default pipelines (``--preset demo
--seeds 1`` unless told otherwise) from its own source (the earlier commit checked out with
``git worktree``, first on ``PYTHONPATH``), so the two sides differ in the toolkit's code alone.
Compared per row of ``results.json`` and per job of ``results.sqlite``: every field (success,
return, steps, parameters, frames, labels, rule clauses, the cost record, the fit record) except
those that measure time or name the run (``*seconds*``, ``*_s``, latency,
``created_at``, ``versions``). Prints the rows that differ and the
wall time of each side; writes ``OUT/same_rows.json``; exits 1 when a row differs. A side whose
results directory already holds a finished run is reused (delete it to run that side again).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from runner_speedup import worktree

ROOT = Path(__file__).resolve().parents[1]
GAMES = (
    "neurocomp/KeyDoor-8x8-v0",
    "neurocomp/PacMaze-Moving-5x5-v0",
    "neurocomp/LightsOut-5x5-v0",
    "neurocomp/VisualSudoku-4x4-v0",
    "MiniGrid-DoorKey-5x5-v0",
)
TIMED = ("latency_ms", "latency", "created_at", "versions")  # time, and who ran it


def _timed(key: str) -> bool:
    return "seconds" in key or key.endswith("_s") or key in TIMED


def untimed(value: object) -> object:
    """``value`` without the fields that measure time, at any depth."""
    if isinstance(value, dict):
        return {k: untimed(v) for k, v in value.items() if not _timed(k)}
    if isinstance(value, list):
        return [untimed(v) for v in value]
    return value


def run_side(source: Path, out: Path, env_id: str, args: argparse.Namespace) -> float:
    """``neurocomp compare`` on ``env_id`` from ``source``'s code; its wall seconds."""
    stamp = out / "wall_seconds.json"
    if stamp.is_file():
        return float(json.loads(stamp.read_text())["seconds"])
    command = [
        sys.executable, "-c", "from compose.cli import main; main()", "compare",
        "--env", env_id, "--preset", args.preset, "--seeds", str(args.seeds),
        "--workers", str(args.workers), "--out", str(out),
    ]  # fmt: skip
    for flag in ("budgets", "frames", "episodes"):
        if getattr(args, flag) is not None:
            command += [f"--{flag}", str(getattr(args, flag))]
    env = {**os.environ, "PYTHONPATH": str(source), "COLUMNS": "120"}
    print(f"{env_id}: running {source.name}'s code → {out}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, cwd=source, env=env, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps({"seconds": seconds, "source": str(source)}))
    return seconds


def rows(out: Path) -> dict[str, object]:
    """Every result of one side, keyed so that the sides line up."""
    found: dict[str, object] = {}
    for row in json.loads((out / "results.json").read_text())["rows"]:
        key = f"row {row['pipeline']} budget={row['budget']} seed={row['seed']} {row['split']}"
        found[key] = untimed(row)
    with sqlite3.connect(out / "results.sqlite") as con:
        con.row_factory = sqlite3.Row
        for r in con.execute("SELECT * FROM results"):
            record = {k: r[k] for k in r.keys()}
            for k in ("fit", "cost", "attribution"):
                if isinstance(record.get(k), str):
                    record[k] = json.loads(record[k])
            key = f"job {record['pipeline']} budget={record['budget']} seed={record['seed']}"
            found[f"{key} {record.get('split', '')}"] = untimed(record)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", required=True, help="the earlier commit")
    parser.add_argument("--env", action="append", help="ids (repeatable; default: five games)")
    parser.add_argument("--preset", default="demo")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--budgets", help="fewer budgets than the preset's, e.g. 1,3")
    parser.add_argument("--frames", help="PPO's frame budgets, e.g. 10000")
    parser.add_argument("--episodes", type=int, help="evaluation episodes per seed and split")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "same-rows")
    parser.add_argument("--only", choices=["old", "new"], help="run one side, compare nothing")
    args = parser.parse_args()
    args.out = args.out.resolve()
    old_src = worktree(args.baseline, args.out / f"src-{args.baseline}")
    report: dict[str, object] = {"baseline": args.baseline, "games": {}}
    differing = 0
    for env_id in args.env or GAMES:
        name = env_id.split("/")[-1]
        walls = [
            run_side(src, args.out / side / name, env_id, args)
            for side, src in (("old", old_src), ("new", ROOT))
            if args.only in (None, side)
        ]
        if args.only:
            continue
        before, after = rows(args.out / "old" / name), rows(args.out / "new" / name)
        diff = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        differing += len(diff)
        report["games"][env_id] = {  # type: ignore[index]
            "rows": len(after), "differ": diff, "wall_s_old": walls[0], "wall_s_new": walls[1]
        }  # fmt: skip
        print(
            f"{env_id}: {len(after)} rows and jobs, {len(diff)} differ; wall {walls[0]:.0f} s "
            f"at {args.baseline}, {walls[1]:.0f} s now"
        )
        for key in diff[:10]:
            print(f"  {key}\n    old: {before.get(key)}\n    new: {after.get(key)}")
    (args.out / "same_rows.json").write_text(json.dumps(report, indent=2))
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()

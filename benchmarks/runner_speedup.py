"""The comparison runner of an earlier commit beside this checkout's, on the same machine in one
run: the same preset, the same environment, the same workers, one after the other.

    .venv/bin/python benchmarks/runner_speedup.py                 # full preset, KeyDoor-8x8
    .venv/bin/python benchmarks/runner_speedup.py --seeds 1       # a third of it (1 seed)
    .venv/bin/python benchmarks/runner_speedup.py --config my.toml   # any comparison config

The earlier code is checked out with ``git worktree`` (``--baseline``, by default the last
commit before the runner was made faster) and run with this virtualenv's packages, its own
source first on ``PYTHONPATH``; so the two sides differ in the toolkit's code alone. Prints,
and writes as JSON to ``OUT/speedup.json``:

- the wall time of each side and their ratio (comparisons per core-hour, old to new);
- per pipeline, the training seconds each side recorded, and their ratio;
- per pipeline, the success rate over every budget, seed and split on each side, so that what
  the speed cost in results (if anything) is in the same table;
- single-screen decision latency (p50, ms) of the hybrid and the oracle on KeyDoor 8x8 and
  16x16, from each side's ``neurocomp bench`` (``--latency-env`` to choose other ids), and
  their ratios.

A side whose results directory already holds a finished run is not run again (delete
``OUT/old`` or ``OUT/new`` to measure it anew); its recorded wall time is reused.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "f1cd307"  # the runner as it was when issue 10 was taken up


def worktree(rev: str, where: Path) -> Path:
    """A checkout of ``rev`` at ``where`` (made once)."""
    if not (where / "compose").is_dir():
        where.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--force", "--detach", str(where), rev],
            check=True,
            capture_output=True,
        )
    return where


def run_side(source: Path, out: Path, args: argparse.Namespace) -> float:
    """Run ``neurocomp compare`` from ``source``'s code; returns its wall time in seconds."""
    stamp = out / "wall_seconds.json"
    if stamp.is_file():
        return float(json.loads(stamp.read_text())["seconds"])
    command = [
        sys.executable,
        "-c",
        "from compose.cli import main; main()",
        "compare",
        *(["--config", str(args.config.resolve())] if args.config else []),
        *([] if args.config else ["--env", args.env, "--preset", args.preset]),
        "--workers",
        str(args.workers),
        "--out",
        str(out),
    ]
    if args.seeds is not None:
        command += ["--seeds", str(args.seeds)]
    env = {**os.environ, "PYTHONPATH": str(source), "COLUMNS": "120"}
    print(f"running {source.name}'s runner → {out}", flush=True)
    t0 = time.perf_counter()
    subprocess.run(command, check=True, cwd=source, env=env)
    seconds = time.perf_counter() - t0
    stamp.write_text(json.dumps({"seconds": seconds, "source": str(source)}))
    return seconds


LATENCY_ENVS = ("neurocomp/KeyDoor-8x8-v0", "neurocomp/KeyDoor-16x16-v0")


def bench_side(source: Path, out: Path, env_ids: list[str]) -> dict[str, float]:
    """``neurocomp bench`` from ``source``'s code on ``env_ids``: decision p50 in ms per
    pipeline and id (the hybrid's and the oracle's with its default search)."""
    stamp = out / "latency.json"
    if not stamp.is_file():
        command = [sys.executable, "-c", "from compose.cli import main; main()", "bench", "--json"]
        for env_id in env_ids:
            command += ["--env", env_id]
        env = {**os.environ, "PYTHONPATH": str(source)}
        print(f"measuring decision latency with {source.name}'s code", flush=True)
        done = subprocess.run(command, check=True, cwd=source, env=env, capture_output=True)
        out.mkdir(parents=True, exist_ok=True)
        stamp.write_text(done.stdout.decode())
    figures = json.loads(stamp.read_text())
    found = {}
    for key, lat in figures["decision_latency_ms"].items():
        if key.startswith("hybrid "):
            found[key] = lat["total_p50"]
    for key, lat in figures["oracle_latency_ms"].items():
        if key.endswith("/networkx"):
            found["oracle " + key.removesuffix("/networkx")] = lat["total_p50"]
    return found


def summarise(db: Path) -> dict[str, dict[str, float]]:
    """Per pipeline: training seconds (each training run once: the frame budgets one PPO run
    served count as that run), episodes won and played."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    seen: set[str] = set()
    shared: dict[tuple[str, int], float] = {}  # (pipeline, seed) -> its one run's seconds
    with sqlite3.connect(db) as con:
        columns = {r[1] for r in con.execute("PRAGMA table_info(results)")}
        cost = "cost" if "cost" in columns else "NULL"
        query = f"SELECT job, pipeline, seed, fit, {cost}, successes, episodes FROM results"
        for job, pipeline, seed, fit, costs, wins, episodes in con.execute(query):
            row = out[pipeline]
            if job not in seen:
                seen.add(job)
                seconds = json.loads(fit).get("train_seconds") or 0.0
                if costs and json.loads(costs)["budgets_in_run"] > 1:
                    shared[(pipeline, seed)] = max(shared.get((pipeline, seed), 0.0), seconds)
                else:
                    row["train_seconds"] += seconds
                row["jobs"] += 1
            row["successes"] += wins
            row["episodes"] += episodes
    for (pipeline, _), seconds in shared.items():
        out[pipeline]["train_seconds"] += seconds
    return {k: dict(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="the earlier commit")
    parser.add_argument("--env", default="neurocomp/KeyDoor-8x8-v0")
    parser.add_argument("--preset", default="full")
    parser.add_argument("--config", type=Path, help="a config file instead of env and preset")
    parser.add_argument("--seeds", type=int, help="fewer seeds than the preset's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "runs" / "speedup")
    parser.add_argument(
        "--latency-env", action="append", help="ids for the latency side by side (repeatable)"
    )
    args = parser.parse_args()
    args.out = args.out.resolve()  # each side runs in its own source directory
    args.out.mkdir(parents=True, exist_ok=True)
    old_src = worktree(args.baseline, args.out / f"src-{args.baseline}")
    old = run_side(old_src, args.out / "old", args)
    new = run_side(ROOT, args.out / "new", args)
    latency_ids = args.latency_env or list(LATENCY_ENVS)
    lat_old = bench_side(old_src, args.out / "old", latency_ids)
    lat_new = bench_side(ROOT, args.out / "new", latency_ids)
    before = summarise(args.out / "old" / "results.sqlite")
    after = summarise(args.out / "new" / "results.sqlite")
    rows = []
    for name in sorted(set(before) | set(after)):
        b, a = before.get(name, {}), after.get(name, {})
        rows.append(
            {
                "pipeline": name,
                "jobs": int(a.get("jobs", b.get("jobs", 0))),
                "train_s_old": b.get("train_seconds", 0.0),
                "train_s_new": a.get("train_seconds", 0.0),
                "success_old": b.get("successes", 0) / max(1, b.get("episodes", 0)),
                "success_new": a.get("successes", 0) / max(1, a.get("episodes", 0)),
            }
        )
    result = {
        "baseline": args.baseline,
        "env": args.env,
        "preset": args.preset,
        "config": str(args.config) if args.config else None,
        "seeds": args.seeds,
        "workers": args.workers,
        "wall_s_old": old,
        "wall_s_new": new,
        "speedup": old / new,
        "pipelines": rows,
        "latency_p50_ms": {
            k: {"old": lat_old.get(k), "new": v, "ratio": lat_old[k] / v if k in lat_old else None}
            for k, v in lat_new.items()
        },
    }
    (args.out / "speedup.json").write_text(json.dumps(result, indent=2))
    what = args.config or f"{args.preset} preset on {args.env}"
    print(f"\n{what}, {args.workers} workers:")
    print(f"  wall time: {old:,.0f} s at {args.baseline}, {new:,.0f} s now: {old / new:.2f}x")
    print(
        f"\n  {'pipeline':<22} {'jobs':>4} {'train s old':>11} {'new':>8} {'ratio':>6}"
        f" {'success old':>11} {'new':>6}"
    )
    for r in rows:
        ratio = r["train_s_old"] / r["train_s_new"] if r["train_s_new"] else float("nan")
        print(
            f"  {r['pipeline']:<22} {r['jobs']:>4} {r['train_s_old']:>11.0f} "
            f"{r['train_s_new']:>8.0f} {ratio:>5.1f}x {r['success_old']:>11.1%} "
            f"{r['success_new']:>6.1%}"
        )
    print(
        f"\n  decision latency p50, one screen at a time (ms): {'old':>7} {'new':>7} {'ratio':>6}"
    )
    for key, lat in result["latency_p50_ms"].items():
        before_ms = "—" if lat["old"] is None else f"{lat['old']:.3f}"
        ratio = "—" if lat["ratio"] is None else f"{lat['ratio']:.1f}x"
        print(f"  {key:<45} {before_ms:>7} {lat['new']:>7.3f} {ratio:>6}")
    print(f"\nwritten: {args.out / 'speedup.json'}")


if __name__ == "__main__":
    main()

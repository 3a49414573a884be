"""Helpers the tests share: scenes and levels drawn as text, and the real ``neurocomp`` command
run in a subprocess (or through its entry point in this process), with what it printed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from environments import KEYDOOR, Scene

CLI = Path(sys.executable).with_name("neurocomp")


def scene_from(text: str, game=KEYDOOR) -> Scene:
    """A Scene drawn as text, one glyph per cell (see ``game.legend()``)."""
    return Scene.from_grid(game, game.parse(text))


def play_level(env, text: str, seed: int = 0):
    """Reset ``env`` to the level drawn in ``text``; returns ``(obs, info)``."""
    return env.reset(seed=seed, options={"level": text})


def rollout(env, seed: int, actions) -> list[np.ndarray]:
    obs, _ = env.reset(seed=seed)
    frames = [obs]
    for a in actions:
        obs, _, terminated, truncated, _ = env.step(int(a))
        frames.append(obs)
        if terminated or truncated:
            break
    return frames


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 300, columns: int = 200
) -> subprocess.CompletedProcess:
    """Run the installed `neurocomp` command in a subprocess."""
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env
    )


# Runs a command and prints, last on stderr, its wall time and peak memory (its own and its
# children's, e.g. spawned workers).
_MEASURE = """
import resource, subprocess, sys, time
t0 = time.perf_counter()
code = subprocess.run(sys.argv[1:]).returncode
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(f"MEASURED {time.perf_counter() - t0:.2f} {peak}", file=sys.stderr)
sys.exit(code)
"""


def run_cli_measured(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> tuple[subprocess.CompletedProcess, float, int]:
    """``run_cli``, plus the command's wall time in seconds and peak memory in MB; the
    measuring line is taken off ``stderr``."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    result = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(CLI), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=env,
    )
    *rest, last = result.stderr.rstrip("\n").split("\n")
    _, seconds, peak = last.split()
    result.stderr = "\n".join(rest) + ("\n" if rest else "")
    return result, float(seconds), int(peak)


def run_main(
    args: list[str] | tuple[str, ...],
    cwd: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> subprocess.CompletedProcess:
    """``neurocomp ARGS`` through its entry point (``compose.cli.main``) in this process: the
    same code as the installed command without a fresh interpreter's start-up (torch,
    SWI-Prolog), for checks that run it many times; each test file still runs the real
    command in a subprocess too."""
    from compose.cli import main

    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "argv", ["neurocomp", *args])
    capsys.readouterr()
    with pytest.raises(SystemExit) as ended:
        main()
    printed = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), ended.value.code, printed.out, printed.err)


def one_line_error(result: subprocess.CompletedProcess) -> str:
    """The single line a refused command printed (asserting it failed cleanly)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]

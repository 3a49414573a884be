"""Hostile saved pipelines: a directory written by `neurocomp run --save` whose rules or weights
were replaced. Each is refused with one line that names the file, through the Python API and
through the real CLI, and nothing in it runs."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import gymnasium as gym
import pytest
import torch

from compose.common.errors import CheckpointError
from compose.pipelines.checkpoints import MAX_WEIGHTS_BYTES
from compose.pipelines.loading import load_pipeline
from compose.pipelines.networks import MonolithicPipeline
from environments.registry import env_ids
from tests.helpers import one_line_error, run_cli, run_cli_measured

ENV = "neurocomp/KeyDoor-8x8-v0"
MARKER = "pwned"  # a file a payload would create in the test's directory


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> Path:
    """A hybrid KeyDoor pipeline, trained and saved by the real CLI."""
    root = tmp_path_factory.mktemp("saved")
    result = run_cli(
        "run", "--env", ENV, "--pipeline", "hybrid", "--budget", "1", "--episodes", "1",
        "--save", str(root / "hybrid"), "--out", str(root / "run"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return root / "hybrid"


# -- what replaces the saved files ------------------------------------------------------------
def add_rule(clause: str) -> Callable[[Path], int]:
    """Append ``clause`` (its ``{marker}`` filled in) to the saved rules; returns its last
    line, the one the message must name."""

    def spoil(directory: Path) -> int:
        rules = directory / "rules.pl"
        text = rules.read_text()
        rules.write_text(f"{text}{clause.format(marker=directory.parent / MARKER)}\n")
        return len(text.splitlines()) + 1 + clause.count("\n")

    return spoil


class Payload:
    """Pickled, it runs a shell command when unpickled."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


def pickled_code(directory: Path) -> None:
    """Weights in torch's own zip format with one entry that runs a command when loaded."""
    state = torch.load(directory / "weights.pt", weights_only=True)
    marker = shlex.quote(str(directory.parent / MARKER))
    torch.save({**state, "extra": Payload(f"touch {marker}")}, directory / "weights.pt")


def oversized(directory: Path) -> None:
    """Real weights plus a tensor that takes the file past the cap: read, they would load up
    to the padding (an error of another kind), so only the size check can give the message."""
    state = torch.load(directory / "weights.pt", weights_only=True)
    padding = torch.zeros(MAX_WEIGHTS_BYTES // 4 + 1, dtype=torch.float32)
    torch.save({**state, "padding": padding}, directory / "weights.pt")


def zip_bomb(directory: Path) -> None:
    """The saved weights with one record replaced by 200 MB of zeros, deflated to ~200 KB: torch
    would allocate all of it before finding it does not fit."""
    path = directory / "weights.pt"
    original = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w") as out:
        for info in original.infolist():
            if info.filename.endswith("/data/0"):
                out.writestr(info.filename, bytes(200_000_000), zipfile.ZIP_DEFLATED)
            else:
                out.writestr(info, original.read(info))
    assert path.stat().st_size < 1_000_000


def device(directory: Path) -> None:
    (directory / "weights.pt").unlink()
    (directory / "weights.pt").symlink_to("/dev/zero")


# case -> (spoil, the file named, what the message says)
CASES: dict[str, tuple[Callable[[Path], int | None], str, str]] = {
    "rules run a shell command": (
        add_rule("wins(X) :- shell('touch {marker}'), X = goal."),
        "rules.pl",
        "calls shell/2, which is not allowed in a rule file (sandbox)",
    ),
    "rules halt Prolog on loading": (
        add_rule(":- initialization(halt)."),
        "rules.pl",
        "directive `:- initialization halt` is not allowed",
    ),
    "rules read a file": (
        add_rule("kills(X) :- open('/etc/passwd', read, S), read(S, X)."),
        "rules.pl",
        "calls open/3, which is not allowed in a rule file (sandbox)",
    ),
    "rules read another rule set": (
        add_rule("wins(X) :- nc_rs_1:wins(X)."),
        "rules.pl",
        "`nc_rs_1:wins(A)` names a module",
    ),
    "rules remember what they saw": (
        add_rule(":- dynamic seen/1.\ncollects(K) :- assertz(seen(K)), K = key."),
        "rules.pl",
        "calls assertz, which changes what later queries see",
    ),
    "weights run code on loading": (
        pickled_code,
        "weights.pt",
        "holds something other than plain tensors",
    ),
    "weights larger than any pipeline": (
        oversized,
        "weights.pt",
        f"bytes, more than any Neurocomp pipeline saves (at most {MAX_WEIGHTS_BYTES:,}), so it "
        "was not read",
    ),
    "weights unpack to gigabytes": (
        zip_bomb,
        "weights.pt",
        "would unpack to",
    ),
    "weights are a device": (device, "weights.pt", "is not a regular file"),
}


def spoiled(saved: Path, tmp_path: Path, case: str) -> tuple[Path, str]:
    """A copy of the saved pipeline, spoiled; returns it and the place the message must name."""
    directory = tmp_path / "pipeline"
    shutil.copytree(saved, directory)
    spoil, file, _ = CASES[case]
    line = spoil(directory)
    where = f"{directory / file}:{line}: " if line else f"in {directory}: {file} "
    return directory, where


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_checkpoint_is_refused_by_load_pipeline(saved, tmp_path, case):
    directory, where = spoiled(saved, tmp_path, case)
    with pytest.raises(CheckpointError) as info:
        load_pipeline(directory)
    message = str(info.value)
    assert where in message and CASES[case][2] in message, message
    assert "\n" not in message and "save" in message.split(";")[-1], message
    assert not (tmp_path / MARKER).exists()


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_a_hostile_checkpoint_is_refused_by_the_cli(saved, tmp_path, case):
    directory, where = spoiled(saved, tmp_path, case)
    result, _, peak_mb = run_cli_measured(
        "run", "--env", ENV, "--load", str(directory), "--episodes", "1", cwd=tmp_path
    )
    line = one_line_error(result)  # non-zero exit, one line on stderr, no traceback
    assert where in line and CASES[case][2] in line, line
    assert not (tmp_path / MARKER).exists() and not (tmp_path / "runs").exists()
    assert peak_mb < 1000


def test_the_pickled_payload_is_live(saved, tmp_path):
    """The weights that run code are what the case says: loaded without weights_only, they
    do run the command (so the refusal above is the loader's doing)."""
    directory, _ = spoiled(saved, tmp_path, "weights run code on loading")
    torch.load(directory / "weights.pt", weights_only=False)
    assert (tmp_path / MARKER).exists()


@pytest.mark.slow
def test_the_saved_pipeline_loads_and_plays(saved, tmp_path):
    result = run_cli("run", "--env", ENV, "--load", str(saved), "--episodes", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_largest_pipeline_neurocomp_saves_is_well_under_the_cap(tmp_path):
    """The monolithic "large" policy grows with the grid; on the largest registered grid it
    is the biggest thing Neurocomp saves, and loads."""
    # the games' own ids (an adopted MiniGrid id joins gym's registry once asked for, played or
    # refused, so the registry's content depends on what ran before)
    envs = [gym.make(i).unwrapped for i in env_ids()]
    largest = max(envs, key=lambda env: env.height * env.width * env.tile**2)
    pipe = MonolithicPipeline.for_env(largest, "large")
    directory = pipe.save(tmp_path / "large")
    size = (directory / "weights.pt").stat().st_size
    assert 10_000_000 < size < MAX_WEIGHTS_BYTES / 4, size  # ~13.2 MB on KeyDoor-16x16
    loaded = load_pipeline(directory)
    assert isinstance(loaded, MonolithicPipeline)
    assert torch.equal(loaded.policy.head[-1].weight, pipe.policy.head[-1].weight)

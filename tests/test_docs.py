"""The README's Python examples and the example config run as written."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from compose.cli import app
from compose.experiments.config_files import load_config
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
# Every `neurocomp ...` line of the README's shell blocks, without its comment; `[--json]`
# (an optional flag) is given.
COMMANDS = [
    line.split("  #")[0].replace("[--json]", "--json").strip()
    for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL)
    for line in block.splitlines()
    if re.match(r"(\.venv/bin/)?neurocomp ", line)
]


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_example_runs_as_a_script(index, tmp_path):
    # As a user runs it: a file of its own, in a fresh interpreter (spawned workers import
    # it), in a directory that is not the repository's.
    script = tmp_path / f"example_{index}.py"
    script.write_text(BLOCKS[index])
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()


def test_example_config_loads():
    config = load_config(ROOT / "docs" / "compare.example.toml")
    assert config.budgets == [1, 3, 10, 30] and len(config.resolved_splits()) == 4


def test_the_readme_shows_commands():
    assert len(COMMANDS) >= 20


@pytest.mark.parametrize("command", COMMANDS)
def test_every_readme_command_parses(command):
    # Its flags and values as the CLI reads them, without running it: a renamed flag, a
    # pipeline name the CLI does not know or a value of the wrong type fails here.
    words = shlex.split(command)[1:]
    group = typer.main.get_command(app)
    assert words[0] in group.commands, command
    group.commands[words[0]].make_context(words[0], words[1:])


@pytest.mark.parametrize("command", ["neurocomp envs", "neurocomp envs keydoor"])
def test_readme_commands_run_from_another_directory(command, tmp_path):
    assert command in COMMANDS
    done = run_cli(*shlex.split(command)[1:], cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr

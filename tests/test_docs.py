"""The README's Python examples and the example config run as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compose.config_files import load_config

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_example_runs_as_a_script(index, tmp_path):
    # As a user runs it: a file of its own, in a fresh interpreter (spawned workers import it).
    os.symlink(ROOT / "symbolic", tmp_path / "symbolic")  # for the relative rules path
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

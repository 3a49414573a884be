"""The README's Python examples and the example config run as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from compose.config import load_config

ROOT = Path(__file__).resolve().parents[1]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), re.DOTALL)


def test_readme_has_python_examples():
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_python_example_runs(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # examples write under runs/
    os.symlink(ROOT / "symbolic", tmp_path / "symbolic")  # for the relative rules path
    exec(compile(BLOCKS[index], f"README.md block {index}", "exec"), {})


def test_example_config_loads():
    config = load_config(ROOT / "docs" / "compare.example.toml")
    assert config.budgets == [1, 3, 10, 30] and len(config.resolved_splits()) == 4

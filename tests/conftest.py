"""Shared fixtures: one Prolog per test process, the packaged KeyDoor rules loaded once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import environments  # noqa: F401  (registers the games)
from symbolic.engine import PrologEngine, RuleSet
from symbolic.reasoner import INTERFACE, Reasoner, rules_path

CLI = Path(sys.executable).with_name("neurocomp")


@pytest.fixture(scope="session")
def engine() -> PrologEngine:
    return PrologEngine.get()


@pytest.fixture(scope="session")
def keydoor_rules(engine: PrologEngine) -> RuleSet:
    return engine.load_rules(rules_path("keydoor"), required=INTERFACE)


@pytest.fixture(scope="session")
def reasoner(keydoor_rules: RuleSet) -> Reasoner:
    return Reasoner(keydoor_rules)


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run the installed `neurocomp` command in a subprocess."""
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [str(CLI), *args], capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env
    )

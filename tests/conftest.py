# ruff: noqa: E402  (the thread limits must be set before torch and numpy load)
"""Shared fixtures: one Prolog per test process, the packaged KeyDoor rules loaded once.

The suite runs in as many pytest-xdist workers as there are cores, so every process it starts
(itself, the CLI in a subprocess, a comparison's workers) computes on one thread: two busy
thread pools on one core slow each other down many times over.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"  # before torch and numpy load; inherited by every subprocess


import pytest
import torch

torch.set_num_threads(1)

import environments  # noqa: F401  (registers the games)
from environments import KEYDOOR
from symbolic.engine import PrologEngine, RuleSet
from symbolic.reasoner import rules_path
from symbolic.reasoners.grid import GridReasoner


@pytest.fixture(scope="session")
def engine() -> PrologEngine:
    return PrologEngine.get()


@pytest.fixture(scope="session")
def keydoor_rules(engine: PrologEngine) -> RuleSet:
    return engine.load_rules(rules_path(KEYDOOR), required=GridReasoner.questions)


@pytest.fixture(scope="session")
def reasoner(keydoor_rules: RuleSet) -> GridReasoner:
    return GridReasoner(keydoor_rules, KEYDOOR)

"""The public surface and the package seams the design card fixes."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["environments", "neural", "symbolic", "compose"]
# Which internal packages each one may import.
ALLOWED = {
    "environments": set(),
    "neural": {"environments"},
    "symbolic": {"environments"},
    "compose": {"environments", "neural", "symbolic"},
}


@pytest.mark.parametrize("package", PACKAGES)
def test_all_is_honest(package):
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    assert names is not None, f"{package}/__init__.py needs an explicit __all__"
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(module, name), f"{package}.__all__ lists {name}, which is missing"


@pytest.mark.parametrize("package", PACKAGES)
def test_packages_import_only_what_the_design_allows(package):
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            for target in targets:
                top = target.split(".")[0]
                if top in PACKAGES and top != package:
                    assert top in ALLOWED[package], f"{path.relative_to(ROOT)} imports {target}"


def test_every_package_ships_py_typed():
    for package in PACKAGES:
        assert (ROOT / package / "py.typed").exists()

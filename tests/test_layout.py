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


# compose/'s layers, lowest first: a module may import its own sub-package and the layers below
# its own, never one above (docs/layout.md draws the floor plan).
LAYERS = [
    {"common"},
    {"abduction", "digits"},
    {"pipelines"},
    {"play"},
    {"training"},
    {"experiments"},
    {"analysis"},
    {"report"},
    {"cli"},
]
LEVEL = {part: i for i, parts in enumerate(LAYERS) for part in parts}
# Every file of compose/ but its own __init__.py, the facade that names the public API.
COMPOSE = sorted(set((ROOT / "compose").rglob("*.py")) - {ROOT / "compose" / "__init__.py"})


def _part(path: Path) -> str:
    """The layer a file of compose/ belongs to: its sub-package, or its module's name."""
    return path.relative_to(ROOT / "compose").parts[0].removesuffix(".py")


def _compose_imports(tree: ast.AST) -> list[tuple[ast.AST, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] if node.module != "compose" else []
            names += [f"compose.{a.name}" for a in node.names if node.module == "compose"]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node, n) for n in names if n.startswith("compose.")]
    return found


def test_every_module_of_compose_is_in_a_layer():
    assert {_part(p) for p in COMPOSE} <= set(LEVEL)


@pytest.mark.parametrize("path", COMPOSE, ids=lambda p: str(p.relative_to(ROOT / "compose")))
def test_compose_imports_only_downward(path):
    mine = LEVEL[_part(path)]
    for _, target in _compose_imports(ast.parse(path.read_text())):
        theirs = LEVEL[target.split(".")[1]]
        assert theirs <= mine, f"{path.relative_to(ROOT)} imports {target}, a layer above its own"


def test_no_function_local_imports_of_compose_but_the_clis():
    # A function-local import hides a circle; the command line alone defers what loads torch,
    # so that `neurocomp --help` does not wait for it.
    for path in COMPOSE:
        if _part(path) == "cli":
            continue
        tree = ast.parse(path.read_text())
        top = {id(node) for node in tree.body}
        for node, target in _compose_imports(tree):
            assert id(node) in top, f"{path.relative_to(ROOT)}:{node.lineno} imports {target}"


def test_compose_modules_and_functions_stay_small():
    # A module a maintainer can read through (400 lines), a function that fits a screen (80).
    for path in [*COMPOSE, ROOT / "compose" / "__init__.py"]:
        text = path.read_text()
        where = path.relative_to(ROOT)
        assert len(text.splitlines()) <= 400, f"{where} has {len(text.splitlines())} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 80, f"{where}:{node.lineno} {node.name} has {length} lines"

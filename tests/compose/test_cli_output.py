"""What the real `neurocomp` command prints: text as written (rich never eats `[key]`), names and
ids whole at 80 columns and when piped, counts in the singular when there is one."""

from __future__ import annotations

import ast
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CLI, run_cli

ROOT = Path(__file__).resolve().parents[2]
# After the pickup at (2, 1) the oracle's explanations say what blocks an agent holding the key.
KEYDOOR_LEVEL = "########\n#@.#..G#\n#k.#...#\n#..D...#\n#..#...#\n#..#...#\n#..#...#\n########\n"
PACMAZE_LEVEL = "@F...\n.....\n.....\n.....\n.....\n"  # the flag is one move away


@pytest.mark.slow
def test_explanations_print_rule_text_as_written(tmp_path):
    level = tmp_path / "level.txt"
    level.write_text(KEYDOOR_LEVEL)
    args = ["run", "--pipeline", "oracle", "--episodes", "1", "--explain"]
    result = run_cli(*args, "--env", "neurocomp/KeyDoor-8x8-v0", "--level", str(level))
    assert result.returncode == 0, result.stderr
    assert "blocks(wall, [key])" in result.stdout and "blocks(wall, )" not in result.stdout
    assert "plan of 1 move N: wins at goal" in result.stdout and "1 moves" not in result.stdout
    assert "oracle on your level: success rate 100.0% over 1 episode ·" in result.stdout
    # MiniGrid's kinds are atoms such as key_yellow, carried in a list: [key_yellow]
    result = run_cli(*args, "--env", "MiniGrid-DoorKey-5x5-v0", "--out", str(tmp_path / "mg"))
    assert result.returncode == 0, result.stderr
    assert "[key_" in result.stdout and "blocks(wall, )" not in result.stdout


def test_a_mover_plan_of_one_move_is_singular(tmp_path):
    level = tmp_path / "level.txt"
    level.write_text(PACMAZE_LEVEL)
    result = run_cli(
        "run",
        "--env",
        "neurocomp/PacMaze-5x5-v0",
        "--level",
        str(level),
        "--episodes",
        "1",
        "--explain",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.returncode == 0, result.stderr
    assert "E: plan of 1 move E: wins at flag (0, 1)" in result.stdout


def test_help_never_breaks_a_name_at_80_columns():
    from compose.experiments.config import PRESETS
    from compose.pipelines.spec import PIPELINE_NAMES as PIPELINES
    from neural.settings import POLICY_NAMES

    for command, names in (
        ("run", [*PIPELINES, *POLICY_NAMES]),
        ("compare", [*PIPELINES, *PRESETS, "mono-small", "mono-pooled"]),
    ):
        result = run_cli(command, "--help", columns=80)
        assert result.returncode == 0, result.stderr
        assert max(len(line) for line in result.stdout.splitlines()) <= 80
        for name in names:
            whole = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
            assert whole.search(result.stdout), f"{command} --help: {name} is broken or missing"


@pytest.mark.parametrize("columns", ["80", None], ids=["80-columns", "piped-no-COLUMNS"])
def test_envs_ids_prints_every_id_whole(columns):
    import environments

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"NO_COLOR": "1"}
    if columns is not None:
        env["COLUMNS"] = columns
    result = subprocess.run(
        [str(CLI), "envs", "--ids"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    firsts = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert firsts == environments.env_ids()
    for line, env_id in zip(result.stdout.splitlines(), firsts, strict=True):
        assert environments.describe(env_id) in line


# -- every print of the CLI goes through the literal path ---------------------------------------
MARKUP_TAKERS = {"print", "status", "add_row", "log", "rule"}  # rich methods that read markup
SAFE = {"escape", "Text", "cell", "assemble"}  # calls whose result rich shows as written


def _is_safe(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True  # a literal: its markup, if any, is the CLI's own
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name in SAFE
    return False


def _no_markup(call: ast.Call) -> bool:
    return any(
        k.arg == "markup" and isinstance(k.value, ast.Constant) and k.value.value is False
        for k in call.keywords
    )


def unescaped_prints(source: str) -> list[int]:
    """Lines where rich would read non-literal text as markup: a console method given such
    text without ``markup=False``, a table title or progress column that parses markup, or a
    console's ``print`` handed on as a callback."""
    tree = ast.parse(source)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == "print" and id(node) not in called:
            bad.append(node.lineno)  # e.g. say=err.print: whatever it is given is markup
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if isinstance(func, ast.Attribute) and name in MARKUP_TAKERS and not _no_markup(node):
            texts = node.args + [k.value for k in node.keywords if k.arg == "title"]
            bad += [node.lineno for text in texts if not _is_safe(text)]
        if name == "Table" and any(
            not _is_safe(k.value) for k in node.keywords if k.arg == "title"
        ):
            bad.append(node.lineno)
        if name == "TextColumn" and not _no_markup(node):
            bad.append(node.lineno)
    return sorted(set(bad))


def test_the_inventory_catches_a_print_that_reads_markup():
    assert unescaped_prints('out.print(f"{rule}")\n') == [1]
    assert unescaped_prints("err.print(message)\n") == [1]
    assert unescaped_prints("peer_python(venv, say=err.print)\n") == [1]
    assert unescaped_prints('table.add_row(row["learner"], "x")\n') == [1]
    assert unescaped_prints('Table(title=f"at {n}")\n') == [1]
    assert unescaped_prints('TextColumn("{task.description}")\n') == [1]
    assert unescaped_prints('out.print("[bold]literal[/bold]")\n') == []
    assert unescaped_prints("out.print(text, markup=False)\n") == []
    assert unescaped_prints("table.add_row(cell(x), escape(y), Text(z))\n") == []
    assert unescaped_prints('table.add_row("a" if x else "b", "c" if y else f"{z}")\n') == [1]
    assert unescaped_prints("print(json.dumps(figures))\n") == []  # plain print: no markup


@pytest.mark.parametrize(
    "path", sorted((ROOT / "compose" / "cli").glob("*.py")), ids=lambda p: p.name
)
def test_every_print_of_the_cli_shows_text_as_written(path):
    assert unescaped_prints(path.read_text()) == [], f"{path.name}: print these through say()"

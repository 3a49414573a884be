"""The README's and the docs pages' examples run as written, and their links lead somewhere.

Every page is README.md or a docs/*.md: each ```python block runs as a script, each
`neurocomp ...` line of a ```bash block parses as the CLI reads it, every relative link names a
file that exists (and a heading that exists, where it names one).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from compose import load_config
from compose.cli import app
from tests.helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
TEXT = {page: page.read_text() for page in PAGES}
MAX_README_LINES = 250


def name(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def fenced(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", text, re.DOTALL | re.MULTILINE)


def prose(text: str) -> str:
    """The page without its fenced blocks (a `# comment` in a shell block is no heading)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def commands(text: str) -> list[str]:
    """Every `neurocomp ...` line of the page's shell blocks, without its comment; `[--json]`
    (an optional flag) is given."""
    return [
        line.split("  #")[0].replace("[--json]", "--json").strip()
        for block in fenced(text, "bash")
        for line in block.splitlines()
        if re.match(r"(\.venv/bin/)?neurocomp ", line)
    ]


def anchors(text: str) -> set[str]:
    """The anchors GitHub gives the page's headings."""
    seen: dict[str, int] = {}
    found = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *#*$", prose(text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def links(text: str) -> list[str]:
    return re.findall(r"\[[^\]]*\]\(([^)\s]+)\)", prose(text))


BLOCKS = [(page, i, code) for page in PAGES for i, code in enumerate(fenced(TEXT[page], "python"))]
COMMANDS = [(page, command) for page in PAGES for command in commands(TEXT[page])]
README_COMMANDS = [command for page, command in COMMANDS if page == README]
LINKS = [
    (page, target)
    for page in PAGES
    for target in dict.fromkeys(links(TEXT[page]))
    if not re.match(r"[a-z]+:", target)  # https:, mailto: ...
]


def test_the_readme_has_python_examples():
    assert len([page for page, _, _ in BLOCKS if page == README]) >= 3


@pytest.mark.parametrize(
    ("page", "index", "code"),
    BLOCKS,
    ids=[f"{name(page)}#{index + 1}" for page, index, _ in BLOCKS],
)
@pytest.mark.slow
def test_python_example_runs_as_a_script(page, index, code, tmp_path):
    # As a user runs it: a file of its own, in a fresh interpreter (spawned workers import
    # it), in a directory that is not the repository's.
    script = tmp_path / f"example_{index}.py"
    script.write_text(code)
    result = subprocess.run(
        [sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()


@pytest.mark.parametrize(
    ("page", "index", "code"), BLOCKS, ids=[f"{name(p)}#{i + 1}" for p, i, _ in BLOCKS]
)
def test_python_example_imports_only_public_names(page, index, code):
    # `from compose import ...` and the other packages' top level: a module inside a package
    # may move, its public names stay.
    for module in re.findall(r"^\s*(?:from|import) +([\w.]+)", code, re.MULTILINE):
        top, _, rest = module.partition(".")
        if top in {"environments", "neural", "symbolic", "compose"}:
            assert not rest, f"{name(page)} imports {module}"


def test_example_config_loads():
    config = load_config(ROOT / "docs" / "compare.example.toml")
    assert config.budgets == [1, 3, 10, 30] and len(config.resolved_splits()) == 4


@pytest.mark.parametrize(
    "path",
    sorted({c.split("--config ")[1].split()[0] for _, c in COMMANDS if "--config docs/" in c}),
)
def test_every_config_the_pages_run_loads(path):
    assert load_config(ROOT / path).pipelines


def test_the_pages_show_commands():
    assert len(README_COMMANDS) >= 10
    assert len(COMMANDS) >= 40


@pytest.mark.parametrize(
    ("page", "command"), COMMANDS, ids=[f"{name(page)}: {command}" for page, command in COMMANDS]
)
def test_every_command_parses(page, command):
    # Its flags and values as the CLI reads them, without running it: a renamed flag, a
    # pipeline name the CLI does not know or a value of the wrong type fails here.
    words = shlex.split(command)[1:]
    group = typer.main.get_command(app)
    assert words[0] in group.commands, command
    group.commands[words[0]].make_context(words[0], words[1:])


@pytest.mark.parametrize("command", ["neurocomp envs", "neurocomp envs keydoor"])
def test_readme_commands_run_from_another_directory(command, tmp_path):
    assert command in README_COMMANDS
    done = run_cli(*shlex.split(command)[1:], cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip(), done.stderr


def test_the_readme_reads_in_five_minutes():
    lines = len(TEXT[README].splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines"


def test_the_readme_has_a_table_of_contents():
    text = prose(TEXT[README])
    contents = re.search(r"^## Contents\n(.*?)^## ", text, re.DOTALL | re.MULTILINE)
    assert contents, "README.md needs a '## Contents' section"
    listed = re.findall(r"^ *- \[[^\]]+\]\(#([^)]+)\)$", contents.group(1), re.MULTILINE)
    sections = [
        slug
        for slug in anchors("\n".join(re.findall(r"^## .+$", text, re.MULTILINE)))
        if slug != "contents"
    ]
    assert sorted(set(listed)) == sorted(listed), "an entry is listed twice"
    assert set(listed) <= anchors(text), set(listed) - anchors(text)
    assert set(sections) <= set(listed), f"not in the contents: {set(sections) - set(listed)}"


@pytest.mark.parametrize(
    ("page", "target"), LINKS, ids=[f"{name(page)} -> {target}" for page, target in LINKS]
)
def test_every_relative_link_leads_somewhere(page, target):
    path, _, anchor = target.partition("#")
    linked = (page.parent / path).resolve() if path else page
    assert linked.exists(), f"{name(page)} links to {path}, which does not exist"
    if anchor and linked.suffix == ".md":
        assert anchor in anchors(linked.read_text()), f"{name(page)}: no heading #{anchor}"

"""How the ``neurocomp`` command prints: results on stdout, messages on stderr, text as written.

Explanations, rule text, levels, ids, messages and config values hold brackets
(``blocks(wall, [key])``, MiniGrid's ``[key_red]``) that rich would read as markup and drop, so
the CLI prints them through :func:`say` (or as a :func:`cell` of a table); only string literals
of the CLI's own code carry markup. A test holds every print in ``compose/cli/`` to that.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

__all__ = ["cell", "err", "fail", "out", "plural", "say", "table"]

out = Console(soft_wrap=True)  # a message is one line in a log, however narrow
err = Console(stderr=True, soft_wrap=True)


def say(text: RenderableType, console: Console = out, style: str | None = None) -> None:
    """Print ``text`` as written: no markup, no highlighting, no emoji codes."""
    console.print(text, markup=False, highlight=False, emoji=False, style=style)


def fail(message: str) -> None:
    """``error: MESSAGE`` on stderr, the message as written."""
    say(Text.assemble(("error:", "bold red"), " ", message), err)


def cell(value: object) -> Text:
    """A table cell shown as written."""
    return Text(str(value))


def table(*headers: str, title: str | None = None) -> Table:
    """A borderless table whose cells wrap rather than cut a long id short."""
    shown = Table(box=None, title=None if title is None else Text(title))
    for header in headers:
        shown.add_column(header, overflow="fold")
    return shown


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 episode``, ``2 episodes``, ``1,000 pairs``."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"

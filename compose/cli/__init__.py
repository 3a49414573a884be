"""The ``neurocomp`` command line: list games, play them, compare pipelines, report, measure.

One module per command group (:mod:`~compose.cli.info`: envs and bench; :mod:`~compose.cli.run`;
:mod:`~compose.cli.compare`: compare and report; :mod:`~compose.cli.addition`), on a shared
application (:mod:`~compose.cli.app`); :func:`main` turns every user error into one line.
"""

from __future__ import annotations

import sys

import typer

from compose.cli import compare, run
from compose.cli.addition import addition
from compose.cli.app import app
from compose.cli.info import bench, envs
from compose.cli.text import err, fail, say
from environments.errors import NeurocompError

try:  # the click that typer runs on: its own copy in recent typer, the click package before
    from typer._click import exceptions as click_errors
except ImportError:
    from click import exceptions as click_errors

__all__ = ["app", "main"]

# The commands, in the order `neurocomp --help` lists them.
app.command()(envs)
app.command(epilog=run.EPILOG)(run.run)
app.command(epilog=compare.EPILOG)(compare.compare)
app.command()(compare.report)
app.command()(bench)
app.command()(addition)


def _command_path() -> str:
    """``neurocomp run``: the command the arguments name (for an error click gives no context)."""
    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), "")
    return f"neurocomp {first}" if first in commands else "neurocomp"


def main() -> None:
    """Entry point: every user error prints one line, never a traceback."""
    try:
        code = app(standalone_mode=False)  # --help and typer.Exit return their exit status
    except click_errors.NoArgsIsHelpError:  # `neurocomp` alone: the help, printed
        sys.exit(2)
    except click_errors.UsageError as e:  # a bad flag or value, an unknown option or command
        where = e.ctx.command_path if e.ctx is not None else _command_path()
        message = e.format_message().replace("Value error, ", "").rstrip(".")
        fail(f"{message}; see `{where} --help`")
        sys.exit(e.exit_code)
    except click_errors.ClickException as e:
        fail(e.format_message())
        sys.exit(e.exit_code)
    except typer.Abort:
        say("aborted", err)
        sys.exit(1)
    except NeurocompError as e:
        fail(str(e))
        sys.exit(2)
    except KeyboardInterrupt:
        say("interrupted", err)
        sys.exit(130)
    except OSError as e:  # e.g. --out on a read-only disk
        fail(str(e))
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()

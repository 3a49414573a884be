"""Writing result files so that a crash never leaves half a file behind."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from compose.common.errors import ConfigError, DirectoryInUseError

__all__ = [
    "DirectoryInUseError",
    "check_writable",
    "locked",
    "replacing",
    "write_json",
    "write_text",
]


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed into place if the block ends
    without an error, removed otherwise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    try:
        yield tmp
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def write_json(path: Path, data: Any) -> Path:
    """Write ``data`` as indented JSON, atomically (see :func:`write_text`)."""
    return write_text(path, json.dumps(data, indent=2, default=str) + "\n")


@contextmanager
def locked(directory: Path, what: str) -> Iterator[None]:
    """Hold ``directory``'s lock for the block, or fail at once if another process holds it.

    The lock is ``flock`` on ``directory/.lock``: the kernel drops it when its holder ends,
    however it ends (Ctrl-C, ``kill -9``), so a dead run never leaves the directory locked.
    """
    path = directory / ".lock"
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise DirectoryInUseError(
                f"{directory} is in use by {what} in {holder}; wait for it to finish, or "
                "give another --out"
            ) from None
        handle.truncate(0)
        handle.write(f"process {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)


def check_writable(path: Path | str, flag: str) -> Path:
    """Check, before any work starts, that ``path`` is or can become a directory we may write
    in; nothing is left behind by the check. Raises ConfigError naming ``flag``."""
    if str(path).strip() == "":
        raise ConfigError(f"{flag}: give a directory (got an empty path)")
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{flag}: {path} is a file, not a directory")
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    if not probe.is_dir():
        raise ConfigError(f"{flag}: cannot create {path}: {probe} is a file")
    try:
        for directory in reversed(missing):
            directory.mkdir()
        test = path / f".write-test-{os.getpid()}"
        test.write_bytes(b"")
        test.unlink()
    except OSError as e:
        raise ConfigError(f"{flag}: cannot write in {path} ({e.strerror or e})") from None
    finally:
        for directory in missing:
            if directory.is_dir():
                directory.rmdir()
    return path

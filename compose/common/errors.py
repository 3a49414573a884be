"""Errors of the composition layer: bad experiment configs, unusable checkpoints and outputs."""

from __future__ import annotations

from environments.errors import NeurocompError

__all__ = ["CheckpointError", "ConfigError", "DirectoryInUseError", "ResultsError"]


class ConfigError(NeurocompError, ValueError):
    """An experiment config (file or CLI flags) with a bad field; the message names it."""


class CheckpointError(NeurocompError, ValueError):
    """A saved pipeline that cannot be loaded."""


class ResultsError(NeurocompError, RuntimeError):
    """A results directory that cannot be read or reported on."""


class DirectoryInUseError(ResultsError):
    """A results directory that another running comparison holds."""

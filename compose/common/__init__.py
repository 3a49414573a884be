"""The lowest layer: errors, crash-safe files, which levels a seed plays, confidence intervals, and
how perception's outputs become symbols. Imports nothing else from ``compose``."""

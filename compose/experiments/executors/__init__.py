"""Where a comparison's jobs run: a local process pool, or Ray tasks."""

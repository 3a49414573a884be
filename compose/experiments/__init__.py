"""What to run and how: the experiment config and its files, the runner of a comparison's jobs,
the results store, the executors (local processes, Ray) and the speed benchmarks."""

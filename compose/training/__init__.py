"""Building and training a pipeline the one way ``run``, ``compare`` and ``bench`` share, and
teaching monolithic networks more than the demonstrations (DAgger, distillation)."""

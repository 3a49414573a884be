"""What came out: results read back, estimates with intervals, verdicts, and the demonstrations
each learner needs to reach the goal."""

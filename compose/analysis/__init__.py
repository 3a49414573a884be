"""What came out: results read back, estimates with intervals, verdicts, and the demonstrations
each learner needs to reach the goal.

From the bottom up, each module importing only modules named before it: :mod:`.cells` (one
pipeline at one budget on one split), :mod:`.goal` (the demonstrations needed to reach 95%
success) and :mod:`.verdicts` (who won, paired differences), :mod:`.results` (rows into an
analysis), :mod:`.headline` (the best hybrid against the best monolith and PPO),
:mod:`.results_json` (``results.json``).
"""

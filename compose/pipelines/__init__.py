"""The learners: what a pipeline is (``base``), the hybrid and the oracle, the hybrid whose
rules are learned (``induced``), the monolithic networks and PPO, checkpoints and loading. Imports
``compose.common`` and ``compose.abduction``."""

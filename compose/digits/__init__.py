"""The side task: learning handwritten digits from sums alone, and the ABLkit side by side."""

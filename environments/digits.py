"""Handwritten digits, and the digit-addition task built from them.

The images are scikit-learn's bundled handwritten digits (1,797 images of 8x8 pixels, 0 to 16,
about 180 of each digit; nothing is downloaded). They are split once, stratified by digit and
with a fixed seed, into training images and test images that never meet: every task built here
draws its training examples from the one part and its test examples from the other.

**Digit addition.** An example is a pair of digit images and the sum of their digits (0 to 18);
the digits themselves are the hidden symbols a learner must work out. A part's images are
shuffled and paired off, each image once per pass over the part, as many passes as the number of
pairs asks for. The true digits travel with the pairs (``AdditionPairs.digits``) for measuring
only; a learner that reads them has leaked the labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from environments.errors import NeurocompError

__all__ = [
    "IMAGE_SHAPE",
    "MAX_SUM",
    "AdditionPairs",
    "InvalidTaskError",
    "addition_pairs",
    "check_addition",
    "digit_images",
]

IMAGE_SHAPE = (8, 8)
MAX_SUM = 18  # 9 + 9
TEST_SHARE = 0.3  # of each digit's images, held out for testing
SPLIT_SEED = 0  # the one split every task and every toolkit uses

Part = Literal["train", "test"]


class InvalidTaskError(NeurocompError, ValueError):
    """Examples a digit task cannot take: images of the wrong shape, a sum out of range, ..."""


@cache
def _split() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images / 16.0).astype(np.float32)
    labels = data.target.astype(np.int64)
    rng = np.random.default_rng(SPLIT_SEED)
    test = np.zeros(len(labels), dtype=bool)
    for digit in range(10):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test[rows[: round(TEST_SHARE * len(rows))]] = True
    return images, labels, {"train": np.flatnonzero(~test), "test": np.flatnonzero(test)}


def digit_images(part: Part) -> tuple[np.ndarray, np.ndarray]:
    """The images of one part, ``(N, 8, 8)`` float32 in [0, 1], and their digits ``(N,)``."""
    images, labels, parts = _split()
    if part not in parts:
        raise InvalidTaskError(f"part must be 'train' or 'test', not {part!r}")
    rows = parts[part]
    return images[rows], labels[rows]


@dataclass(frozen=True)
class AdditionPairs:
    """Digit-addition examples: ``images`` ``(N, 2, 8, 8)``, ``sums`` ``(N,)``; ``digits``
    ``(N, 2)`` are the true digits, for measuring only."""

    images: np.ndarray
    sums: np.ndarray
    digits: np.ndarray

    def __len__(self) -> int:
        return len(self.sums)


def addition_pairs(n: int, part: Part, seed: int) -> AdditionPairs:
    """``n`` addition examples from the images of ``part``, drawn with ``seed``."""
    if not isinstance(n, int) or n < 1:
        raise InvalidTaskError(f"the number of pairs must be a positive integer, not {n!r}")
    images, labels = digit_images(part)
    rng = np.random.default_rng([seed, 0 if part == "train" else 1])
    order = np.concatenate([rng.permutation(len(labels)) for _ in range(-(-2 * n // len(labels)))])
    pairs = order[: 2 * n].reshape(n, 2)
    digits = labels[pairs]
    return AdditionPairs(images[pairs], digits.sum(axis=1), digits)


def check_addition(images: object, sums: object) -> tuple[np.ndarray, np.ndarray]:
    """``images`` and ``sums`` as arrays a learner can take, or one InvalidTaskError saying
    what is wrong with them."""
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[1:] != (2, *IMAGE_SHAPE):
        raise InvalidTaskError(
            f"addition examples are pairs of {IMAGE_SHAPE[0]}x{IMAGE_SHAPE[1]} images, shaped "
            f"(N, 2, {IMAGE_SHAPE[0]}, {IMAGE_SHAPE[1]}); these are shaped {x.shape}"
        )
    if not np.issubdtype(x.dtype, np.number) or not np.isfinite(x).all():
        raise InvalidTaskError("addition images must be finite numbers (pixels in [0, 1])")
    s = np.asarray(sums)
    if s.shape != (len(x),):
        raise InvalidTaskError(f"{len(x)} pairs need {len(x)} sums, one each; got shape {s.shape}")
    if not np.issubdtype(s.dtype, np.integer):
        if not np.issubdtype(s.dtype, np.floating) or not (s == np.round(s)).all():
            raise InvalidTaskError("sums must be whole numbers")
    bad = np.flatnonzero((s < 0) | (s > MAX_SUM))
    if len(bad):
        raise InvalidTaskError(
            f"the sum of two digits is 0 to {MAX_SUM}; example {int(bad[0])} has sum "
            f"{s[bad[0]].item()} ({len(bad)} such example{'s' if len(bad) > 1 else ''})"
        )
    return x.astype(np.float32), s.astype(np.int64)

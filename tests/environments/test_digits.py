"""The handwritten digits: one split that never mixes, addition pairs whose sums are right, and
bad examples refused with the reason."""

from __future__ import annotations

import numpy as np
import pytest

from environments.digits import InvalidTaskError, addition_pairs, check_addition, digit_images


def test_training_and_test_images_never_meet_and_every_digit_is_in_both():
    train, train_digits = digit_images("train")
    test, test_digits = digit_images("test")
    assert len(train) + len(test) == 1797 and train.shape[1:] == (8, 8)
    assert 0.0 <= train.min() and train.max() <= 1.0
    seen = {t.tobytes() for t in train}
    assert not any(t.tobytes() in seen for t in test)
    assert (np.bincount(test_digits, minlength=10) >= 50).all()
    assert (np.bincount(train_digits, minlength=10) >= 120).all()


def test_addition_pairs_add_up_and_are_drawn_from_their_part():
    pairs = addition_pairs(700, "train", seed=3)
    assert pairs.images.shape == (700, 2, 8, 8) and len(pairs) == 700
    assert (pairs.sums == pairs.digits.sum(axis=1)).all()
    test = {t.tobytes() for t in digit_images("test")[0]}
    assert not any(img.tobytes() in test for img in pairs.images.reshape(-1, 8, 8))
    again = addition_pairs(700, "train", seed=3)
    assert np.array_equal(again.images, pairs.images)
    assert not np.array_equal(addition_pairs(700, "train", seed=4).sums, pairs.sums)


@pytest.mark.parametrize(
    ("images", "sums", "message"),
    [
        (np.zeros((3, 2, 8, 7)), [1, 2, 3], "shaped (3, 2, 8, 7)"),
        (np.zeros((3, 8, 8)), [1, 2, 3], "pairs of 8x8 images"),
        (np.zeros((2, 2, 8, 8)), [1, 19], "example 1 has sum 19"),
        (np.zeros((2, 2, 8, 8)), [-1, 3], "0 to 18"),
        (np.zeros((2, 2, 8, 8)), [1.5, 3], "whole numbers"),
        (np.zeros((2, 2, 8, 8)), [1, 2, 3], "2 pairs need 2 sums"),
        (np.full((1, 2, 8, 8), np.nan), [1], "finite"),
    ],
)
def test_bad_addition_examples_are_refused_with_the_reason(images, sums, message):
    with pytest.raises(InvalidTaskError) as caught:
        check_addition(images, sums)
    assert message in str(caught.value)


def test_a_bad_part_or_count_is_refused():
    with pytest.raises(InvalidTaskError, match="'train' or 'test'"):
        digit_images("validation")  # type: ignore[arg-type]
    with pytest.raises(InvalidTaskError, match="positive integer"):
        addition_pairs(0, "train", 0)

import numpy as np
import pytest

from nnlab.data import N_DIGIT_CLASSES, blobs, load_digits_split, spirals


def test_digits_split_is_disjoint_complete_and_reproducible():
    a, b = load_digits_split(seed=3), load_digits_split(seed=3)
    assert np.array_equal(a.X_train, b.X_train) and np.array_equal(a.y_test, b.y_test)
    sizes = [len(a.y_train), len(a.y_val), len(a.y_test)]
    assert sum(sizes) == 1797 and sizes[1] == sizes[2] == 359
    rows = {row.tobytes() for X in (a.X_train, a.X_val, a.X_test) for row in X}
    assert len(rows) > 1700  # (a few digits images are exact duplicates in the data set itself)
    for y in (a.y_train, a.y_val, a.y_test):
        assert set(np.unique(y)) == set(range(N_DIGIT_CLASSES))
    assert a.X_train.dtype == np.float64 and a.X_train.shape[1] == 64 and a.y_train.dtype == np.int64


def test_other_seed_other_split_same_test_for_any_n_train():
    assert not np.array_equal(load_digits_split(seed=0).y_train, load_digits_split(seed=1).y_train)
    small = load_digits_split(n_train=100)
    assert len(small.y_train) == 100
    assert np.array_equal(small.X_test, load_digits_split().X_test)
    with pytest.raises(ValueError, match="n_train"):
        load_digits_split(n_train=0)


def test_images_are_8x8():
    split = load_digits_split()
    images = split.images("val")
    assert images.shape == (len(split.y_val), 8, 8)
    assert np.array_equal(images[0].ravel(), split.X_val[0])


def test_spirals_and_blobs_shapes_and_labels():
    X, y = spirals(n_per_class=50, n_classes=4, rng=np.random.default_rng(1))
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [50] * 4
    assert np.abs(X).max() <= 1.0 + 1e-12  # radius t in [0, 1]
    X, y = blobs(n_per_class=30)
    assert X.shape == (90, 2) and set(y) == {0, 1, 2}
    assert np.array_equal(blobs(n_per_class=30)[0], X)  # default rng is seeded

"""Data sets for the chapters and exercises: real digits that ship with scikit-learn, and generated toys.

Nothing here downloads: ``load_digits`` reads the 1,797 8x8 images bundled inside scikit-learn.
"""
from dataclasses import dataclass

import numpy as np

N_DIGIT_CLASSES = 10


@dataclass(frozen=True)
class Split:
    """A train/validation/test split. X arrays are (N, D) float64, y arrays (N,) int64."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray

    def images(self, part):
        """The rows of ``X_<part>`` (part = "train", "val" or "test") as (N, 8, 8) images."""
        X = getattr(self, f"X_{part}")
        side = int(round(np.sqrt(X.shape[1])))
        return X.reshape(-1, side, side)


def load_digits_split(val_fraction=0.2, test_fraction=0.2, seed=0, n_train=None):
    """The 8x8 digits of scikit-learn, shuffled with ``seed`` and split into train/validation/test.

    Pixel values are the raw intensities 0..16 as float64 (chapter 3 shows why and how to
    standardize them). The split is a shuffle, not stratified; with 1,797 images every part
    still holds all ten classes. The test part is the same for every ``n_train``.

    Args:
        val_fraction, test_fraction: shares of the 1,797 images for validation and test.
        seed: seed of the shuffle; the same seed always gives the same split.
        n_train: keep only the first ``n_train`` training images (a deliberately small
            training set, e.g. to show overfitting); None keeps all.
    Returns:
        Split with X_* of shape (N, 64) and y_* of shape (N,).
    """
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = digits.data.astype(np.float64)
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(test_fraction * len(y)))
    n_val = int(round(val_fraction * len(y)))
    test, val, train = np.split(order, [n_test, n_test + n_val])
    if n_train is not None:
        if not 0 < n_train <= len(train):
            raise ValueError(f"n_train must be between 1 and {len(train)}; got {n_train}")
        train = train[:n_train]
    return Split(X[train], y[train], X[val], y[val], X[test], y[test])


def spirals(n_per_class=100, n_classes=3, noise=0.2, rng=None):
    """Interleaved 2-D spirals (cs231n's toy set): not linearly separable, easy for a small MLP.

    Class k's points lie on r = t, angle = 4 t + 2 pi k / K (t in [0, 1]) plus Gaussian noise
    of standard deviation ``noise`` on the angle.

    Args:
        n_per_class: points per class.  n_classes: K.  noise: angle noise (radians).
        rng: numpy Generator (default: ``np.random.default_rng(0)``).
    Returns:
        X: (n_per_class * K, 2) float64.  y: (n_per_class * K,) int64.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    t = np.tile(np.linspace(0.0, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    angle = 4.0 * t + 2.0 * np.pi * y / n_classes + noise * rng.standard_normal(t.shape)
    X = np.stack([t * np.sin(angle), t * np.cos(angle)], axis=1)
    return X, y.astype(np.int64)


def blobs(n_per_class=100, centers=((-2.0, 0.0), (2.0, 0.0), (0.0, 2.5)), std=1.0, rng=None):
    """Gaussian blobs around ``centers``: a linearly separable toy set.

    Args:
        n_per_class: points per class.  centers: (K, D) class means.  std: standard deviation.
        rng: numpy Generator (default: ``np.random.default_rng(0)``).
    Returns:
        X: (n_per_class * K, D) float64.  y: (n_per_class * K,) int64.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    centers = np.asarray(centers, dtype=np.float64)
    y = np.repeat(np.arange(len(centers)), n_per_class)
    X = centers[y] + std * rng.standard_normal((len(y), centers.shape[1]))
    return X, y.astype(np.int64)

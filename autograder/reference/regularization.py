"""Regularization of the lecture: weight penalties, dropout, data augmentation.

- Penalties are added to the data loss, L = L_data + lam R(W); each returns ``(lam R(W), dW)``.
- Dropout is inverted dropout, as torch's nn.Dropout: ``p`` is the probability of DROPPING a
  unit, kept units are scaled by 1/(1-p) in training, and the test-time output is x unchanged
  (the noise of training, marginalized: E[out] = x).
- Augmentations act on image batches (N, H, W) and take a NumPy Generator, so the same seed
  gives the same batch. They return new arrays of the same shape and dtype.
"""
import numpy as np


def _check_lam(lam):
    if not lam >= 0:
        raise ValueError(f"lam (the regularization strength) must be >= 0; got {lam}")


def l2_penalty(W, lam):
    """L2 penalty (weight decay): lam ||W||^2 = lam sum W^2, with gradient 2 lam W.

    Args:
        W: weights, any shape.  lam: strength, >= 0.
    Returns:
        value: float.  dW: shaped like W.
    """
    _check_lam(lam)
    W = np.asarray(W, dtype=np.float64)
    return float(lam * np.sum(W * W)), 2.0 * lam * W


def l1_penalty(W, lam):
    """L1 penalty: lam ||W||_1 = lam sum |W|, with (sub)gradient lam sign(W) (0 where W = 0).

    Args:
        W: weights, any shape.  lam: strength, >= 0.
    Returns:
        value: float.  dW: shaped like W.
    """
    _check_lam(lam)
    W = np.asarray(W, dtype=np.float64)
    return float(lam * np.sum(np.abs(W))), lam * np.sign(W)


def elastic_net_penalty(W, lam, beta=1.0):
    """Elastic net: lam R(W) with the lecture's R(W) = beta ||W||^2 + ||W||_1.

    Gradient lam (2 beta W + sign(W)). beta = 0 is the L1 penalty; a large beta is mostly L2.

    Args:
        W: weights, any shape.  lam: strength, >= 0.  beta: weight of the squared term, >= 0.
    Returns:
        value: float.  dW: shaped like W.
    """
    if not beta >= 0:
        raise ValueError(f"beta (the weight of the L2 term) must be >= 0; got {beta}")
    l2_value, l2_grad = l2_penalty(W, lam * beta)
    l1_value, l1_grad = l1_penalty(W, lam)
    return l2_value + l1_value, l2_grad + l1_grad


PENALTIES = {"l2": l2_penalty, "l1": l1_penalty, "elastic_net": elastic_net_penalty}


def dropout_forward(x, p, train=True, rng=None):
    """Inverted dropout: drop each unit with probability p in training and scale the rest by 1/(1-p).

    Training:  mask = [u >= p] / (1 - p) with u ~ U[0, 1) per unit,  out = x * mask,  so E[out] = x.
    Test:      out = x (no mask): the scaling at training time already matched the expectation.
    p = 1 drops everything (out = 0, as torch), p = 0 keeps everything.

    Args:
        x: array, any shape.  p: drop probability in [0, 1].  train: bool.
        rng: numpy Generator (needed in training only).
    Returns:
        out: shaped like x.  mask: the scaled mask (0 or 1/(1-p)) shaped like x, or None at test time.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"p is the probability of dropping a unit and must be in [0, 1]; got {p}")
    x = np.asarray(x, dtype=np.float64)
    if not train:
        return x.copy(), None
    if rng is None:
        raise ValueError("dropout_forward in training needs rng, a numpy Generator (np.random.default_rng(seed))")
    keep = rng.random(x.shape) >= p
    mask = keep * (0.0 if p == 1 else 1.0 / (1.0 - p))
    return x * mask, mask


def dropout_backward(dout, mask):
    """Backward pass of ``dropout_forward``: dx = dout * mask (dx = dout at test time, mask None).

    Args:
        dout: upstream gradient, shaped like x.  mask: from ``dropout_forward``.
    Returns:
        dx: shaped like x.
    """
    dout = np.asarray(dout, dtype=np.float64)
    return dout.copy() if mask is None else dout * mask


def _check_images(images):
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"images must be a batch (N, H, W); got shape {images.shape} "
                         "(reshape flat rows with X.reshape(-1, 8, 8))")
    return images


def random_flip(images, rng, p=0.5):
    """Mirror each image left-right, independently with probability p.

    Args:
        images: (N, H, W).  rng: numpy Generator.  p: flip probability in [0, 1].
    Returns:
        (N, H, W), same dtype.
    """
    images = _check_images(images)
    if not 0 <= p <= 1:
        raise ValueError(f"p (the flip probability) must be in [0, 1]; got {p}")
    flip = rng.random(images.shape[0]) < p
    return np.where(flip[:, None, None], images[:, :, ::-1], images)


def random_shift(images, rng, max_shift=1):
    """Translate each image by whole pixels, (dy, dx) uniform in [-max_shift, max_shift]^2, filling with 0.

    out[n, r, c] = images[n, r - dy_n, c - dx_n] where that pixel exists, else 0: what is shifted
    out of the frame is lost (no wrap-around); dy > 0 moves the content down, dx > 0 right.

    Args:
        images: (N, H, W).  rng: numpy Generator.  max_shift: largest shift in pixels, an integer >= 0.
    Returns:
        (N, H, W), same dtype.
    """
    images = _check_images(images)
    if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
        raise ValueError(f"max_shift must be an integer >= 0 (pixels); got {max_shift!r}")
    n, h, w = images.shape
    m = int(max_shift)
    dy, dx = rng.integers(-m, m + 1, size=(2, n))
    padded = np.pad(images, ((0, 0), (m, m), (m, m)))
    rows = np.arange(h) - dy[:, None] + m                      # (N, H) row of padded to read
    cols = np.arange(w) - dx[:, None] + m                      # (N, W)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def gaussian_noise(images, rng, std=0.1):
    """Add independent Gaussian noise N(0, std^2) to every pixel.

    Args:
        images: (N, H, W) floating point, in any units (``std`` is in the same units; raw digits
            range over 0..16, standardized ones have unit variance).
        rng: numpy Generator.  std: noise standard deviation, >= 0.
    Returns:
        (N, H, W), same dtype.
    """
    images = _check_images(images)
    if not np.issubdtype(images.dtype, np.floating):
        raise ValueError(f"gaussian_noise needs floating point images; got {images.dtype} (use images.astype(float))")
    if not std >= 0:
        raise ValueError(f"std must be >= 0; got {std}")
    return (images + rng.normal(0.0, std, size=images.shape)).astype(images.dtype)

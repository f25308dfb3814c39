"""Layers as forward/backward pairs (cs231n style) and the two losses of the lecture.

A forward function returns ``(out, cache)``; its backward takes ``(dout, cache)`` with
``dout`` the upstream gradient dL/dout and returns the gradients of its inputs.
A loss returns ``(loss, dscores)``: the batch-averaged loss and dL/dscores.
"""
import numpy as np

from .activations import ACTIVATIONS


def affine_forward(x, w, b):
    """Fully connected layer: out = x w + b.

    Args:
        x: (N, D) inputs, or (N, d_1, ..., d_k) with d_1 * ... * d_k = D (flattened per row).
        w: (D, M) weights (fan_in, fan_out).  b: (M,) biases.
    Returns:
        out: (N, M).  cache: (x, w, b).
    """
    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    x2 = x.reshape(x.shape[0], -1)
    if w.ndim != 2 or x2.shape[1] != w.shape[0]:
        raise ValueError(
            f"affine_forward: x has {x2.shape[1]} features per row but w has shape {w.shape}; "
            "w must be (fan_in, fan_out) = (features of x, outputs)"
        )
    if b.shape != (w.shape[1],):
        raise ValueError(f"affine_forward: b must have shape ({w.shape[1]},) to match w {w.shape}; got {b.shape}")
    return x2 @ w + b, (x, w, b)


def affine_backward(dout, cache):
    """Backward pass of ``affine_forward``.

    With out = x w + b:  dx = dout w^T,  dw = x^T dout,  db = sum_n dout[n].

    Args:
        dout: (N, M) upstream gradient.  cache: from ``affine_forward``.
    Returns:
        dx: same shape as x.  dw: (D, M).  db: (M,).
    """
    x, w, _ = cache
    x2 = x.reshape(x.shape[0], -1)
    dx = (dout @ w.T).reshape(x.shape)
    return dx, x2.T @ dout, dout.sum(axis=0)


def activation_forward(x, name):
    """Elementwise nonlinearity ``name`` (one of sigmoid, tanh, relu, softplus).

    Args:
        x: array, any shape.  name: str.
    Returns:
        out: same shape as x.  cache: (x, name).
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    f, _ = ACTIVATIONS[name]
    return f(x), (np.asarray(x, dtype=np.float64), name)


def activation_backward(dout, cache):
    """Backward pass of ``activation_forward``: dx = dout * f'(x) (chain rule, elementwise).

    Args:
        dout: upstream gradient, same shape as x.  cache: from ``activation_forward``.
    Returns:
        dx: same shape as x.
    """
    x, name = cache
    _, f_grad = ACTIVATIONS[name]
    return dout * f_grad(x)


def _check_labels(scores, y):
    scores = np.asarray(scores, dtype=np.float64)
    y = np.asarray(y)
    if scores.ndim != 2:
        raise ValueError(f"scores must be (N, C); got shape {scores.shape}")
    if y.shape != (scores.shape[0],):
        raise ValueError(f"y must be (N,) = ({scores.shape[0]},) class indices; got shape {y.shape}")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= scores.shape[1]):
        raise ValueError(f"y must hold integer class indices in [0, {scores.shape[1]}); got {y}")
    return scores, y


def softmax_cross_entropy(scores, y):
    """Softmax followed by the cross-entropy loss, averaged over the batch.

    p_ij = exp(f_ij) / sum_k exp(f_ik),   L = -1/N sum_i log p_{i, y_i},
    dL/df_ij = (p_ij - [j = y_i]) / N.
    Stable: scores are shifted by their row maximum before exp (softmax is shift-invariant),
    and log p is computed as shifted - log sum exp(shifted).

    Args:
        scores: (N, C) class scores f.  y: (N,) integer labels in [0, C).
    Returns:
        loss: float.  dscores: (N, C).
    """
    scores, y = _check_labels(scores, y)
    n = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(n)
    loss = -log_probs[rows, y].mean()
    dscores = np.exp(log_probs)
    dscores[rows, y] -= 1.0
    return float(loss), dscores / n


def hinge_loss(scores, y, margin=1.0):
    """Multiclass SVM (hinge) loss of the lecture, averaged over the batch.

    L = 1/N sum_i sum_{j != y_i} max(0, f_ij - f_{i, y_i} + margin).
    dL/df_ij = [margin_ij > 0] / N for j != y_i, and dL/df_{i, y_i} = -(number of j with
    margin_ij > 0) / N. At a kink (margin exactly 0) the subgradient 0 is used.

    Args:
        scores: (N, C) class scores f.  y: (N,) integer labels in [0, C).  margin: Delta.
    Returns:
        loss: float.  dscores: (N, C).
    """
    scores, y = _check_labels(scores, y)
    n = scores.shape[0]
    rows = np.arange(n)
    margins = np.maximum(0.0, scores - scores[rows, y][:, None] + margin)
    margins[rows, y] = 0.0
    active = (margins > 0).astype(np.float64)
    active[rows, y] = -active.sum(axis=1)
    return float(margins.sum() / n), active / n


def clip_grad_norm(grads, max_norm):
    """Gradient clipping by the global norm, as torch.nn.utils.clip_grad_norm_ (without changing its input).

    total_norm = sqrt(sum over every array g of sum(g^2)), the 2-norm of all gradients as one vector;
    when c = max_norm / (total_norm + 1e-6) is below 1, every array is multiplied by c (the direction
    of the whole update is kept, its length becomes about max_norm); otherwise they are returned unchanged.

    Args:
        grads: dict name -> array, or a list of arrays (any shapes).  max_norm: the largest norm allowed (> 0).
    Returns:
        clipped: a new dict (same keys) or list (same order) of float64 arrays; the inputs are not modified.
        total_norm: float, the global norm before clipping.
    """
    names = list(grads) if isinstance(grads, dict) else None
    arrays = [np.asarray(g, dtype=np.float64) for g in (grads.values() if names is not None else grads)]
    total_norm = float(np.linalg.norm([np.linalg.norm(g) for g in arrays]))  # the norm of the norms, as torch
    scale = min(1.0, max_norm / (total_norm + 1e-6))
    clipped = [g * scale for g in arrays]
    return (dict(zip(names, clipped)) if names is not None else clipped), total_norm

"""Stand-ins: simple, documented components that are NOT the answers, for grading one skill at a time.

A downstream test (a network built from your layers, a training loop calling your optimizer) should
not take points again for a mistake in an upstream component that its own test already charged.
So its hidden part runs the downstream code a second time with the upstream components replaced by
the stand-ins below, and the grader compares that run with what the same stand-ins give in the
reference: the downstream code is then judged on its own. Each stand-in has the signature of the
component it replaces, is exact and deterministic, and deliberately computes something else.

    with replacing(globals(), batchnorm_forward=shift_scale_forward, batchnorm_backward=shift_scale_backward):
        collect("mlp_loss_standin", ...)

Stand-ins:
    bent, bent_grad: the activation x + 0.1 x² and its derivative 1 + 0.2 x (for relu / relu_grad, ...).
    shift_scale_forward, shift_scale_backward: a fixed affine map with batchnorm_forward's signature.
    SignStep: an update rule that moves every weight by a fixed step against its gradient's sign,
        recording each call (for sgd, adam, ... passed to a training loop).
    squashing: 0.5 + 0.25 tanh(x), with sigmoid's signature (for sigmoid_grad, softplus_grad).
    half_affine_forward, half_affine_backward: out = ½ x w + b, with affine_forward's signature.
    squared_error: a squared-error loss with softmax_cross_entropy's signature.
    SIGMOID, BACKPROP: the names of 01's functions, each with its stand-in (for ``replacing``).
"""
import contextlib

import numpy as np

STEP = 0.1  # SignStep's fixed step
SHIFT, SCALE = 1.0, 0.5  # shift_scale_forward: out = gamma * (x - SHIFT) * SCALE + beta in training


def bent(x):
    """Stand-in activation: x + 0.1 x², elementwise (not an activation of the course; smooth, so any
    mistake in its use shows in a gradient check). x: any shape; returns float64 of x's shape."""
    x = np.asarray(x, dtype=np.float64)
    return x + 0.1 * x * x


def bent_grad(x):
    """The derivative of ``bent`` at x: 1 + 0.2 x, elementwise."""
    return 1.0 + 0.2 * np.asarray(x, dtype=np.float64)


def shift_scale_forward(x, gamma, beta, state, train=True, momentum=0.1, eps=1e-5):
    """Stand-in for batchnorm_forward: a fixed affine map, no statistics at all.

    out = gamma * (x - c) * 0.5 + beta, with c = 1 in training and, in evaluation, c = the layer's
    ``state["running_mean"]`` (0 when it has none): so the mode and the layer's own state must reach
    it. In training, ``state["calls"]`` counts the training calls of this layer (created at 0).
    ``momentum`` and ``eps`` are accepted and unused.

    Args:
        x: (N, D).  gamma, beta: (D,).  state: the layer's dict.
    Returns:
        out: (N, D).  cache: (centred input (N, D), gamma) for ``shift_scale_backward``.
    """
    centred = x - (SHIFT if train else state.get("running_mean", 0.0))
    if train:
        state["calls"] = state.get("calls", 0) + 1
    return gamma * centred * SCALE + beta, (centred, gamma)


def shift_scale_backward(dout, cache):
    """Gradients (dx (N, D), dgamma (D,), dbeta (D,)) of ``shift_scale_forward`` for dout (N, D):
    dx = 0.5 gamma dout, dgamma = Σ_n 0.5 (x_n - c) dout_n, dbeta = Σ_n dout_n."""
    centred, gamma = cache
    return SCALE * gamma * dout, SCALE * (centred * dout).sum(axis=0), dout.sum(axis=0)


def squashing(x):
    """Stand-in for sigmoid: 0.5 + 0.25 tanh(x), elementwise, in (0.25, 0.75) and stable for any x.
    x: any shape; returns float64 of x's shape."""
    return 0.5 + 0.25 * np.tanh(np.asarray(x, dtype=np.float64))


def half_affine_forward(x, w, b):
    """Stand-in for affine_forward: out = ½ x w + b for x (N, D), w (D, M), b (M,); returns (out (N, M), cache)."""
    return 0.5 * (x @ w) + b, (x, w)


def half_affine_backward(dout, cache):
    """Gradients of ``half_affine_forward`` for dout (N, M): dx = ½ dout wᵀ (N, D), dw = ½ xᵀ dout (D, M),
    db = Σ_n dout_n (M,)."""
    x, w = cache
    return 0.5 * (dout @ w.T), 0.5 * (x.T @ dout), dout.sum(axis=0)


def squared_error(scores, y):
    """Stand-in for softmax_cross_entropy: L = 1/(2N) Σ_n ‖scores_n - onehot(y_n)‖² for scores (N, C) and
    integer labels y (N,); returns (L as a float, dL/dscores (N, C))."""
    n = scores.shape[0]
    diff = scores - np.eye(scores.shape[1])[y]
    return float(0.5 * np.sum(diff * diff) / n), diff / n


SIGMOID = {"sigmoid": squashing}
BACKPROP = {"relu": bent, "relu_grad": bent_grad, "affine_forward": half_affine_forward,
            "affine_backward": half_affine_backward, "softmax_cross_entropy": squared_error}


class SignStep:
    """Stand-in update rule: w - 0.1 * sign(dw), whatever the hyperparameters, recording every call.

    Called as any rule of the course, ``rule(w, dw, state=None, **hyper) -> (w_next, state)``; the
    state it returns counts its calls ({"calls": k}); inputs are not changed. ``calls`` lists, per
    call, (shape of w, the number of calls the state it received had seen, the hyperparameters).
    """

    def __init__(self):
        self.calls = []

    def __call__(self, w, dw, state=None, **hyper):
        seen = 0 if state is None else state["calls"]
        self.calls.append((np.shape(w), seen, dict(hyper)))
        return w - STEP * np.sign(dw), {"calls": seen + 1}


@contextlib.contextmanager
def replacing(namespace, **standins):
    """Within the block, the names of ``namespace`` (a notebook's ``globals()``) are the given stand-ins;
    afterwards each name is what it was (or is removed, if it did not exist), even when the block raises."""
    missing = object()
    saved = {name: namespace.get(name, missing) for name in standins}
    namespace.update(standins)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


# --- assignment 5: penalties and a data loss, for the cells that compose them (elastic net, svm_loss) ----------

def quartic_penalty(W, lam):
    """Stand-in for l2_penalty: (lam Σ W⁴ / 4, its gradient lam W³). Like every penalty of the course it is
    proportional to lam, so any correct way of composing penalties gives the same result with it.
    W: any shape; returns (float, array of W's shape)."""
    W = np.asarray(W, dtype=np.float64)
    return float(lam * np.sum(W ** 4) / 4), lam * W ** 3


def cubic_penalty(W, lam):
    """Stand-in for l1_penalty: (lam Σ |W|³ / 3, its gradient lam W |W|). W: any shape."""
    W = np.asarray(W, dtype=np.float64)
    return float(lam * np.sum(np.abs(W) ** 3) / 3), lam * W * np.abs(W)


def quartic_cubic_penalty(W, lam, beta=1.0):
    """Stand-in for elastic_net_penalty: quartic_penalty of strength lam·beta plus cubic_penalty of strength lam."""
    value_4, grad_4 = quartic_penalty(W, lam * beta)
    value_3, grad_3 = cubic_penalty(W, lam)
    return value_4 + value_3, grad_4 + grad_3


def square_loss(scores, y, margin=1.0):
    """Stand-in for hinge_loss: (1/N Σ_i (½ Σ_j f_ij² − margin · f_{i y_i}), its gradient (f − margin · onehot(y)) / N).

    scores: (N, C); y: (N,) integer labels. Returns (float, (N, C))."""
    scores = np.asarray(scores, dtype=np.float64)
    n = scores.shape[0]
    onehot = np.zeros_like(scores)
    onehot[np.arange(n), y] = margin
    return float((0.5 * np.sum(scores * scores) - np.sum(onehot * scores)) / n), (scores - onehot) / n

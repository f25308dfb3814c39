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

    out = gamma * (x - c) * 0.5 + beta, with c = 1 in training and c = 0 in evaluation (so that the
    mode reaches the layer, and which one did shows). In training, ``state["calls"]`` counts the
    training calls of this layer (created at 0). ``momentum`` and ``eps`` are accepted and unused.

    Args:
        x: (N, D).  gamma, beta: (D,).  state: the layer's dict.
    Returns:
        out: (N, D).  cache: (centred input (N, D), gamma) for ``shift_scale_backward``.
    """
    centred = x - (SHIFT if train else 0.0)
    if train:
        state["calls"] = state.get("calls", 0) + 1
    return gamma * centred * SCALE + beta, (centred, gamma)


def shift_scale_backward(dout, cache):
    """Gradients (dx (N, D), dgamma (D,), dbeta (D,)) of ``shift_scale_forward`` for dout (N, D):
    dx = 0.5 gamma dout, dgamma = Σ_n 0.5 (x_n - c) dout_n, dbeta = Σ_n dout_n."""
    centred, gamma = cache
    return SCALE * gamma * dout, SCALE * (centred * dout).sum(axis=0), dout.sum(axis=0)


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

"""Nonlinearities of the lecture and their derivatives (elementwise, float64, stable).

Every function takes an array-like ``x`` of any shape and returns a float64 array of the
same shape. None of them overflows, warns or returns NaN for |x| up to 1e4 (or beyond).
"""
import numpy as np


def _as_float(x):
    return np.asarray(x, dtype=np.float64)


def sigmoid(x):
    """Logistic sigmoid, sigma(x) = 1 / (1 + exp(-x)).

    Stable form: with e = exp(-|x|) <= 1, sigma(x) = 1 / (1 + e) for x >= 0 and
    e / (1 + e) for x < 0, so exp never sees a large positive argument.

    Args:
        x: array-like, any shape.
    Returns:
        sigma(x): float64 array, same shape, values in [0, 1].
    """
    x = _as_float(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x):
    """Derivative of the sigmoid at x: sigma'(x) = sigma(x) * (1 - sigma(x)).

    Args:
        x: array-like, any shape (the input of the sigmoid, not its output).
    Returns:
        float64 array, same shape, values in [0, 1/4].
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    """Hyperbolic tangent, tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x)) = 2 sigma(2x) - 1.

    Args:
        x: array-like, any shape.
    Returns:
        float64 array, same shape, values in [-1, 1].
    """
    return np.tanh(_as_float(x))


def tanh_grad(x):
    """Derivative of tanh at x: tanh'(x) = 1 - tanh(x)^2.

    Args:
        x: array-like, any shape.
    Returns:
        float64 array, same shape, values in [0, 1].
    """
    t = tanh(x)
    return 1.0 - t * t


def relu(x):
    """Rectified linear unit, relu(x) = max(0, x).

    Args:
        x: array-like, any shape.
    Returns:
        float64 array, same shape.
    """
    return np.maximum(_as_float(x), 0.0)


def relu_grad(x):
    """Derivative of relu at x: 1 where x > 0, else 0.

    At x = 0 relu has no derivative; like PyTorch we use the subgradient 0 there.

    Args:
        x: array-like, any shape.
    Returns:
        float64 array of 0.0 and 1.0, same shape.
    """
    return (_as_float(x) > 0).astype(np.float64)


def leaky_relu(x, negative_slope=0.01):
    """Leaky rectified linear unit: x where x > 0, negative_slope * x elsewhere (torch.nn.functional.leaky_relu).

    Unlike relu, a unit whose input is negative still passes a small gradient, so it cannot die.

    Args:
        x: array-like, any shape.  negative_slope: the slope a for x <= 0 (torch's default 0.01).
    Returns:
        float64 array, same shape.
    """
    x = _as_float(x)
    return np.where(x > 0, x, negative_slope * x)


def leaky_relu_grad(x, negative_slope=0.01):
    """Derivative of leaky_relu at x: 1 where x > 0, negative_slope elsewhere.

    At x = 0 the function has no derivative; torch's backward gives negative_slope there, and so do we.

    Args:
        x: array-like, any shape.  negative_slope: the slope a for x <= 0.
    Returns:
        float64 array of 1.0 and negative_slope, same shape.
    """
    return np.where(_as_float(x) > 0, 1.0, float(negative_slope))


def softplus(x):
    """Softplus, a smooth relu: softplus(x) = log(1 + exp(x)).

    Stable form: log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)).
    (PyTorch's ``F.softplus`` returns x itself above x = 20; the exact value differs from x
    by less than 2.1e-9 there.)

    Args:
        x: array-like, any shape.
    Returns:
        float64 array, same shape, values > 0.
    """
    x = _as_float(x)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x):
    """Derivative of softplus at x: d/dx log(1 + exp(x)) = exp(x) / (1 + exp(x)) = sigma(x).

    Args:
        x: array-like, any shape.
    Returns:
        float64 array, same shape, values in [0, 1].
    """
    return sigmoid(x)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "softplus": (softplus, softplus_grad),
}
"""Name -> (f, f') for every nonlinearity above; the names that ``activation_forward`` accepts."""

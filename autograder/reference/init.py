"""Weight initializations of the lecture, with torch.nn.init's variances.

Every initializer is ``init(fan_in, fan_out, rng, **kw) -> W`` with W of shape (fan_in, fan_out)
(the layout of ``layers.affine_forward``), float64, drawn from the NumPy Generator ``rng``: the
same seed gives the same W.

Why the calibrated ones are calibrated: a unit s = sum_i w_i x_i of n = fan_in independent
zero-mean terms has Var(s) = n Var(w) Var(x). Keeping Var(s) = Var(x) from layer to layer needs
Var(w) = 1 / fan_in; Xavier/Glorot averages the forward and backward conditions,
Var(w) = 2 / (fan_in + fan_out); He/Kaiming doubles 1 / fan_in because ReLU zeroes half the units.
A ``gain`` multiplies the standard deviation to compensate for a nonlinearity (``calculate_gain``).
"""
import numpy as np


def calculate_gain(nonlinearity, param=None):
    """The standard deviation gain torch.nn.init recommends for a nonlinearity.

    linear, sigmoid: 1;  tanh: 5/3;  relu: sqrt(2);  leaky_relu with negative slope a
    (``param``, default 0.01): sqrt(2 / (1 + a^2)).

    Args:
        nonlinearity: one of "linear", "sigmoid", "tanh", "relu", "leaky_relu".
        param: the negative slope of leaky_relu; unused otherwise.
    Returns:
        gain: float.
    """
    gains = {"linear": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3.0, "relu": np.sqrt(2.0)}
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return float(np.sqrt(2.0 / (1.0 + slope**2)))
    if nonlinearity not in gains:
        raise ValueError(f"no gain for nonlinearity {nonlinearity!r}; choose one of {sorted([*gains, 'leaky_relu'])}")
    return float(gains[nonlinearity])


def _check_fans(fan_in, fan_out):
    for name, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(fan, bool) or not isinstance(fan, (int, np.integer)) or fan < 1:
            raise ValueError(f"{name} must be a positive integer (the layer's number of inputs/outputs); got {fan!r}")


def _check_args(fan_in, fan_out, name, value):
    _check_fans(fan_in, fan_out)
    if not value >= 0:
        raise ValueError(f"{name} must be >= 0; got {value}")


def zeros(fan_in, fan_out, rng=None):
    """All-zero weights: the symmetry pitfall (every hidden unit computes, and learns, the same thing).

    Args:
        fan_in, fan_out: layer sizes.  rng: accepted for a uniform signature, not used.
    Returns:
        W: (fan_in, fan_out) zeros.
    """
    _check_fans(fan_in, fan_out)
    return np.zeros((fan_in, fan_out))


def small_random(fan_in, fan_out, rng, scale=0.01):
    """Small Gaussian weights, W ~ N(0, scale^2): the lecture's ``0.01 * randn(fan_in, fan_out)``.

    Fine for shallow nets; in deep ones the activations shrink towards 0 layer after layer,
    since Var(s) = fan_in * scale^2 * Var(x) is far below Var(x).

    Args:
        fan_in, fan_out: layer sizes.  rng: numpy Generator.  scale: standard deviation.
    Returns:
        W: (fan_in, fan_out).
    """
    _check_args(fan_in, fan_out, "scale", scale)
    return rng.normal(0.0, scale, size=(fan_in, fan_out))


def xavier_normal(fan_in, fan_out, rng, gain=1.0):
    """Xavier/Glorot normal (Glorot & Bengio, 2010): W ~ N(0, std^2), std = gain sqrt(2 / (fan_in + fan_out)).

    Args:
        fan_in, fan_out: layer sizes.  rng: numpy Generator.  gain: multiplies std.
    Returns:
        W: (fan_in, fan_out).
    """
    _check_args(fan_in, fan_out, "gain", gain)
    return rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def xavier_uniform(fan_in, fan_out, rng, gain=1.0):
    """Xavier/Glorot uniform: W ~ U(-a, a), a = gain sqrt(6 / (fan_in + fan_out)) (same variance as xavier_normal).

    Args:
        fan_in, fan_out: layer sizes.  rng: numpy Generator.  gain: multiplies the bound.
    Returns:
        W: (fan_in, fan_out).
    """
    _check_args(fan_in, fan_out, "gain", gain)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def _he_fan(fan_in, fan_out, mode):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' (preserve forward variance) or 'fan_out' (backward); got {mode!r}")
    return fan_in if mode == "fan_in" else fan_out


def he_normal(fan_in, fan_out, rng, gain=2.0**0.5, mode="fan_in"):
    """He/Kaiming normal (He et al., 2015): W ~ N(0, std^2), std = gain / sqrt(fan), fan = fan_in by default.

    The default gain sqrt(2) is ReLU's, so Var(w) = 2 / fan_in: torch's
    ``kaiming_normal_(W, mode="fan_in", nonlinearity="relu")``.

    Args:
        fan_in, fan_out: layer sizes.  rng: numpy Generator.  gain: multiplies std.
        mode: "fan_in" (preserve the forward variance) or "fan_out" (the backward one).
    Returns:
        W: (fan_in, fan_out).
    """
    _check_args(fan_in, fan_out, "gain", gain)
    return rng.normal(0.0, gain / np.sqrt(_he_fan(fan_in, fan_out, mode)), size=(fan_in, fan_out))


def he_uniform(fan_in, fan_out, rng, gain=2.0**0.5, mode="fan_in"):
    """He/Kaiming uniform: W ~ U(-a, a), a = gain sqrt(3 / fan) (same variance as he_normal).

    Args:
        fan_in, fan_out: layer sizes.  rng: numpy Generator.  gain: multiplies the bound.
        mode: "fan_in" or "fan_out".
    Returns:
        W: (fan_in, fan_out).
    """
    _check_args(fan_in, fan_out, "gain", gain)
    bound = gain * np.sqrt(3.0 / _he_fan(fan_in, fan_out, mode))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


INITIALIZERS = {
    "zeros": zeros,
    "small_random": small_random,
    "xavier_normal": xavier_normal,
    "xavier_uniform": xavier_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
}

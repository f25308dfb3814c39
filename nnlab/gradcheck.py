"""Numerical gradients by centered differences, and the relative error used to compare them.

    df/dx_i ~= (f(x + h e_i) - f(x - h e_i)) / (2 h)

The truncation error is O(h^2) and the rounding error O(eps / h); h = 1e-5 balances both
in float64, so an analytic gradient that is right agrees to a relative error of 1e-8 or better.
"""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """Gradient of a scalar function f at x by centered differences.

    Args:
        f: callable taking an array shaped like x and returning a float.
        x: float64 array, any shape. It is perturbed in place and restored.
        h: step.
    Returns:
        grad: float64 array shaped like x.
    """
    return numerical_gradient_array(lambda a: np.asarray(f(a), dtype=np.float64), x, np.float64(1.0), h)


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of sum(f(x) * dout) with respect to x: what a backward pass returns for dx.

    Args:
        f: callable taking an array shaped like x and returning an array shaped like dout.
        x: float64 array, any shape. It is perturbed in place and restored.
        dout: upstream gradient, shaped like f(x).
        h: step.
    Returns:
        grad: float64 array shaped like x.
    """
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        raise TypeError("numerical_gradient: x must be a float64 NumPy array (it is perturbed in place)")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = np.array(f(x), dtype=np.float64, copy=True)
        x[i] = old - h
        minus = np.array(f(x), dtype=np.float64, copy=True)
        x[i] = old
        grad[i] = np.sum((plus - minus) * dout) / (2 * h)
    return grad


def relative_error(a, b):
    """Relative error between two arrays: ||a - b|| / max(||a|| + ||b||, 1e-300) (Frobenius norms).

    0 for identical arrays; below 1e-7 means an analytic gradient agrees with its numerical one.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {b.shape}")
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))

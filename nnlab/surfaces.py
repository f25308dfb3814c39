"""Two-dimensional loss surfaces for watching optimizers move, and the loop that moves them.

Each surface is a ``Surface``: its value and gradient on points of shape (..., 2), where the
trajectories start, the window to draw and where the minima are. ``trajectory`` runs any
update rule with the course's signature ``rule(w, dw, state=None, **hyper) -> (w, state)``
(the student's, or ``autograder.reference.optimizers``) and returns every iterate.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Surface:
    """A 2-D loss surface f(x, y) with its gradient, a starting point and a window to draw.

    Attributes:
        name: title for plots.
        value: points (..., 2) -> f, shape (...).
        gradient: points (..., 2) -> (df/dx, df/dy), shape (..., 2).
        start: the point (x, y) where the chapter's trajectories begin.
        extent: (xmin, xmax, ymin, ymax), the window to draw.
        minima: the global minima, one (x, y) each.
    """

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    start: tuple[float, float]
    extent: tuple[float, float, float, float]
    minima: tuple[tuple[float, float], ...]

    def grid(self, n=200):
        """(X, Y, Z) on an n x n grid over ``extent``, ready for ``plt.contour(X, Y, Z)``."""
        xmin, xmax, ymin, ymax = self.extent
        X, Y = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n))
        return X, Y, self.value(np.stack([X, Y], axis=-1))


def quadratic(condition=20.0, angle=0.0):
    """The ill-conditioned bowl f(p) = 1/2 p^T A p, A = R diag(1, condition) R^T.

    The curvature is 1 along the first axis and ``condition`` along the second, both rotated by
    ``angle`` (radians; 0 keeps the long axis along x). Gradient descent with step lr is stable
    only for lr < 2 / condition, and then moves along the flat axis by a factor (1 - lr) per step.

    Args:
        condition: ratio of the largest to the smallest curvature (>= 1).
        angle: rotation of the principal axes, radians.
    Returns:
        Surface with its minimum at the origin.
    """
    if not condition >= 1:
        raise ValueError(f"condition is the ratio of the largest to the smallest curvature, so >= 1; got {condition}")
    c, s = np.cos(angle), np.sin(angle)
    rotation = np.array([[c, -s], [s, c]])
    A = rotation @ np.diag([1.0, float(condition)]) @ rotation.T

    def value(p):
        p = np.asarray(p, dtype=np.float64)
        return 0.5 * np.einsum("...i,ij,...j->...", p, A, p)

    def gradient(p):
        return np.asarray(p, dtype=np.float64) @ A

    return Surface(f"quadratic, condition number {condition:g}", value, gradient,
                   start=(-4.0, 1.0), extent=(-4.5, 4.5, -1.5, 1.5), minima=((0.0, 0.0),))


def saddle():
    """A saddle between two valleys: f(x, y) = x^2 / 2 + y^4 / 4 - y^2 / 2.

    The origin is a saddle point (curvature +1 along x, -1 along y) and the minima are
    (0, +1) and (0, -1) with f = -1/4. Started just off the ridge, y = 0.01, the gradient along y
    is tiny (dy = y^3 - y), so plain gradient descent lingers near the saddle.

    Returns:
        Surface.
    """
    def value(p):
        x, y = np.moveaxis(np.asarray(p, dtype=np.float64), -1, 0)
        return 0.5 * x**2 + 0.25 * y**4 - 0.5 * y**2

    def gradient(p):
        x, y = np.moveaxis(np.asarray(p, dtype=np.float64), -1, 0)
        return np.stack([x, y**3 - y], axis=-1)

    return Surface("saddle, f = x²/2 + y⁴/4 − y²/2", value, gradient,
                   start=(-2.0, 0.01), extent=(-2.5, 2.5, -1.6, 1.6), minima=((0.0, 1.0), (0.0, -1.0)))


def rosenbrock(a=1.0, b=100.0):
    """Rosenbrock's banana valley f(x, y) = (a - x)^2 + b (y - x^2)^2.

    The minimum (a, a^2) lies at the bottom of a narrow curved valley: steep walls (curvature
    about 2b across) and a nearly flat floor, the classic test of an optimizer's patience.

    Args:
        a, b: the usual constants (1 and 100).
    Returns:
        Surface.
    """
    def value(p):
        x, y = np.moveaxis(np.asarray(p, dtype=np.float64), -1, 0)
        return (a - x) ** 2 + b * (y - x**2) ** 2

    def gradient(p):
        x, y = np.moveaxis(np.asarray(p, dtype=np.float64), -1, 0)
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)], axis=-1)

    return Surface(f"Rosenbrock, a = {a:g}, b = {b:g}", value, gradient,
                   start=(-1.5, 2.0), extent=(-2.0, 2.0, -1.0, 3.0), minima=((a, a * a),))


def trajectory(rule, x0, grad_fn, steps, bound=1e6, **hyper):
    """Every iterate of ``steps`` updates of ``rule`` from ``x0``: x_{t+1}, state = rule(x_t, grad_fn(x_t), state).

    The rule's state is threaded from one call to the next, starting from None. A run that
    diverges (some |x| beyond ``bound``) stops there: the remaining rows are NaN, which plots
    draw as nothing.

    Args:
        rule: update rule ``rule(w, dw, state=None, **hyper) -> (w_next, state)``.
        x0: starting point, any shape (a Surface's ``start`` for the 2-D pictures). Not modified.
        grad_fn: x -> gradient, shaped like x (e.g. ``Surface.gradient``).
        steps: number of updates.
        bound: largest |x| still counted as not diverged.
        **hyper: passed to every call of ``rule`` (lr, momentum, betas, ...).
    Returns:
        float64 array (steps + 1, *x0.shape): x0, x1, ..., x_steps.
    """
    x = np.array(x0, dtype=np.float64)
    path = np.full((steps + 1, *x.shape), np.nan)
    path[0] = x
    state = None
    for t in range(1, steps + 1):
        x, state = rule(x, grad_fn(x), state, **hyper)
        if not np.all(np.abs(x) <= bound):
            break
        path[t] = x
    return path

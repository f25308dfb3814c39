"""The 2-D test surfaces (gradients, minima, conditioning) and the trajectory loop that runs any rule on them."""
import numpy as np
import pytest

from autograder.reference import optimizers
from nnlab.gradcheck import numerical_gradient, relative_error
from nnlab.surfaces import quadratic, rosenbrock, saddle, trajectory

SURFACES = [quadratic(), quadratic(condition=7.0, angle=0.6), saddle(), rosenbrock(), rosenbrock(a=0.5, b=10.0)]


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_gradient_matches_centered_differences(rng, surface):
    xmin, xmax, ymin, ymax = surface.extent
    for p in rng.uniform([xmin, ymin], [xmax, ymax], size=(5, 2)):
        numerical = numerical_gradient(surface.value, p.copy())
        assert relative_error(surface.gradient(p), numerical) < 1e-7


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_value_and_gradient_broadcast_over_a_grid(surface):
    X, Y, Z = surface.grid(n=7)
    points = np.stack([X, Y], axis=-1)
    assert Z.shape == (7, 7) and surface.gradient(points).shape == (7, 7, 2)
    np.testing.assert_allclose(surface.gradient(points)[3, 2], surface.gradient(points[3, 2]), rtol=1e-15)
    assert Z[3, 2] == pytest.approx(surface.value(points[3, 2]))


@pytest.mark.parametrize("surface", SURFACES, ids=lambda s: s.name)
def test_minima_have_zero_gradient_and_nothing_nearby_is_lower(rng, surface):
    for m in surface.minima:
        m = np.array(m)
        assert np.abs(surface.gradient(m)).max() < 1e-12
        nearby = m + 1e-3 * rng.normal(size=(50, 2))
        assert (surface.value(nearby) > surface.value(m)).all()


def test_quadratic_curvatures_are_one_and_the_condition_number():
    surface = quadratic(condition=25.0, angle=0.3)
    hessian = np.stack([surface.gradient(e) for e in np.eye(2)])  # the gradient is linear: rows of A
    np.testing.assert_allclose(np.linalg.eigvalsh(hessian), [1.0, 25.0], rtol=1e-12)


def test_quadratic_refuses_a_condition_number_below_one():
    with pytest.raises(ValueError, match="condition"):
        quadratic(condition=0.5)


def test_saddle_origin_is_a_stationary_point_but_not_a_minimum():
    surface = saddle()
    assert np.all(surface.gradient(np.zeros(2)) == 0)
    assert surface.value(np.array([0.0, 0.1])) < surface.value(np.zeros(2)) < surface.value(np.array([0.1, 0.0]))


def test_trajectory_of_gradient_descent_on_the_bowl_is_the_closed_form():
    surface, lr = quadratic(condition=10.0), 0.05
    path = trajectory(optimizers.sgd, surface.start, surface.gradient, steps=30, lr=lr)
    t = np.arange(31)[:, None]
    np.testing.assert_allclose(path, np.array(surface.start) * (1 - lr * np.array([1.0, 10.0])) ** t, rtol=1e-12)


def test_trajectory_threads_the_state_and_leaves_the_start_alone(rng):
    x0, grads = rng.normal(size=(2, 3)), rng.normal(size=(5, 2, 3))
    start = x0.copy()
    calls = iter(grads)
    path = trajectory(optimizers.adam, x0, lambda x: next(calls), steps=5, lr=0.1)
    w, state = x0, None
    for k, g in enumerate(grads, start=1):
        w, state = optimizers.adam(w, g, state, lr=0.1)
        np.testing.assert_array_equal(path[k], w)
    assert path.shape == (6, 2, 3) and np.array_equal(x0, start)


def test_a_diverging_run_stops_with_nan_rows_and_no_warning():
    surface = quadratic(condition=20.0)
    with np.errstate(all="raise"):
        path = trajectory(optimizers.sgd, surface.start, surface.gradient, steps=500, lr=0.2)  # 0.2 > 2/20
    finite = np.isfinite(path).all(axis=1)
    k = int(finite.sum())
    assert 1 < k < 500 and finite[:k].all() and not finite[k:].any()
    assert np.abs(path[k - 1]).max() <= 1e6

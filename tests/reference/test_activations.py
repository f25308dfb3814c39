import numpy as np
import pytest

from autograder.reference import activations as act
from nnlab.gradcheck import numerical_gradient_array, relative_error

NAMES = ["sigmoid", "tanh", "relu", "softplus"]
EXTREME = np.array([-1e4, -1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3, 1e4])


@pytest.mark.parametrize("name", NAMES)
def test_stable_and_finite_at_extremes(name, strict_numpy):
    f, f_grad = act.ACTIVATIONS[name]
    for fn in (f, f_grad):
        out = fn(EXTREME)
        assert out.dtype == np.float64 and out.shape == EXTREME.shape
        assert np.isfinite(out).all()


@pytest.mark.parametrize("name", NAMES)
def test_derivative_matches_centered_differences(name, rng):
    f, f_grad = act.ACTIVATIONS[name]
    x = rng.normal(scale=3.0, size=(4, 5))
    x[np.abs(x) < 1e-3] = 0.5  # keep relu's kink out of the finite-difference stencil
    dout = np.ones_like(x)
    assert relative_error(f_grad(x), numerical_gradient_array(f, x, dout)) < 1e-7


def test_values_against_closed_forms(rng):
    x = rng.normal(scale=4.0, size=100)
    assert np.allclose(act.sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-14)
    assert np.allclose(act.tanh(x), 2 * act.sigmoid(2 * x) - 1, rtol=1e-12, atol=1e-15)
    assert np.allclose(act.softplus(x), np.log1p(np.exp(x)), rtol=1e-14)
    assert np.array_equal(act.relu(x), np.where(x > 0, x, 0.0))


def test_limits_at_extremes():
    assert act.sigmoid(1e4) == 1.0 and act.sigmoid(-1e4) == 0.0
    assert act.softplus(1e4) == 1e4 and act.softplus(-1e4) == 0.0
    assert act.tanh_grad(1e4) == 0.0 and act.sigmoid_grad(-1e4) == 0.0


def test_softplus_derivative_is_sigmoid(rng):
    x = rng.normal(scale=10.0, size=1000)
    assert np.array_equal(act.softplus_grad(x), act.sigmoid(x))


def test_relu_grad_is_zero_at_the_kink():
    assert np.array_equal(act.relu_grad([-1.0, 0.0, 2.0]), [0.0, 0.0, 1.0])


def test_accepts_lists_and_scalars_and_keeps_shape():
    for f, f_grad in act.ACTIVATIONS.values():
        assert f(0.5).shape == () and f_grad([[1.0, 2.0]]).shape == (1, 2)
        assert f([1, 2]).dtype == np.float64  # integer input gives float output

"""leaky_relu and leaky_relu_grad against torch.nn.functional.leaky_relu and its autograd backward."""
import numpy as np
import pytest
import torch

from autograder.reference import activations as act
from nnlab.gradcheck import numerical_gradient_array, relative_error

POINTS = np.array([-1e4, -1e3, -2.5, -1.0, -1e-300, 0.0, 1e-300, 1.0, 3.0, 1e3, 1e4])


def _torch(x, negative_slope):
    """torch's values and gradient (d sum(leaky_relu(x)) / dx) at x."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = torch.nn.functional.leaky_relu(t, negative_slope)
    out.sum().backward()
    return out.detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize("negative_slope", [0.01, 0.2, 1e-3])
def test_values_and_gradients_equal_torch_at_zero_and_1e4(negative_slope, strict_numpy):
    values, grads = _torch(POINTS, negative_slope)
    assert np.array_equal(act.leaky_relu(POINTS, negative_slope), values)
    assert np.array_equal(act.leaky_relu_grad(POINTS, negative_slope), grads)


def test_gradient_at_zero_is_the_negative_slope():
    assert act.leaky_relu_grad(0.0) == 0.01 and act.leaky_relu_grad(0.0, negative_slope=0.3) == 0.3


def test_default_slope_is_torchs(rng):
    x = rng.normal(scale=5.0, size=(3, 4))
    assert np.array_equal(act.leaky_relu(x), _torch(x, 0.01)[0])


def test_derivative_matches_centered_differences(rng):
    x = rng.normal(scale=3.0, size=(5, 6))
    x[np.abs(x) < 1e-3] = 0.5  # keep the kink out of the finite-difference stencil
    for slope in (0.01, 0.25):
        numerical = numerical_gradient_array(lambda a: act.leaky_relu(a, slope), x, np.ones_like(x))
        assert relative_error(act.leaky_relu_grad(x, slope), numerical) < 1e-7


def test_float64_output_and_shape_for_lists_and_integers():
    assert act.leaky_relu([[-2, 3]]).dtype == np.float64 and act.leaky_relu([[-2, 3]]).shape == (1, 2)
    assert act.leaky_relu_grad([-2, 3]).dtype == np.float64

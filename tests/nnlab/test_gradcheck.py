import numpy as np
import pytest

from nnlab.gradcheck import numerical_gradient, numerical_gradient_array, relative_error


def test_numerical_gradient_of_a_quadratic_is_exact_to_rounding(rng):
    A = rng.normal(size=(4, 4))
    x = rng.normal(size=4)
    num = numerical_gradient(lambda v: 0.5 * v @ A @ v, x.copy())
    assert relative_error(num, 0.5 * (A + A.T) @ x) < 1e-9


def test_numerical_gradient_array_is_the_vector_jacobian_product(rng):
    x = rng.normal(size=(3, 2))
    dout = rng.normal(size=(3, 2))
    num = numerical_gradient_array(np.sin, x, dout)
    assert relative_error(num, np.cos(x) * dout) < 1e-9


def test_input_is_restored_after_perturbation(rng):
    x = rng.normal(size=(2, 3))
    before = x.copy()
    numerical_gradient(lambda v: np.sum(v**3), x)
    assert np.array_equal(x, before)


def test_a_wrong_gradient_is_detected(rng):
    x = rng.normal(size=5)
    num = numerical_gradient(lambda v: np.sum(v**2), x.copy())
    assert relative_error(2 * x, num) < 1e-9
    assert relative_error(x, num) > 0.3  # off by a factor of 2


def test_relative_error_properties():
    a = np.array([1.0, 2.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(2), np.zeros(2)) == 0.0
    assert relative_error(a, -a) == 1.0
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))


def test_integer_arrays_are_refused():
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(np.sum, np.arange(3))

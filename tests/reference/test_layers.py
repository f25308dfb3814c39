import numpy as np
import pytest

from autograder.reference import layers
from nnlab.gradcheck import numerical_gradient, numerical_gradient_array, relative_error


@pytest.mark.parametrize("x_shape", [(4, 6), (3, 2, 3), (1, 6)])
def test_affine_gradients(rng, x_shape):
    x = rng.normal(size=x_shape)
    w = rng.normal(size=(6, 5))
    b = rng.normal(size=5)
    out, cache = layers.affine_forward(x, w, b)
    assert out.shape == (x_shape[0], 5)
    assert np.allclose(out, x.reshape(x_shape[0], -1) @ w + b)
    dout = rng.normal(size=out.shape)
    dx, dw, db = layers.affine_backward(dout, cache)
    assert relative_error(dx, numerical_gradient_array(lambda a: layers.affine_forward(a, w, b)[0], x, dout)) < 1e-7
    assert relative_error(dw, numerical_gradient_array(lambda a: layers.affine_forward(x, a, b)[0], w, dout)) < 1e-7
    assert relative_error(db, numerical_gradient_array(lambda a: layers.affine_forward(x, w, a)[0], b, dout)) < 1e-7


def test_affine_rejects_mismatched_shapes(rng):
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        layers.affine_forward(rng.normal(size=(2, 3)), rng.normal(size=(4, 5)), np.zeros(5))
    with pytest.raises(ValueError, match="b must have shape"):
        layers.affine_forward(rng.normal(size=(2, 3)), rng.normal(size=(3, 5)), np.zeros(3))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "softplus"])
def test_activation_layer_gradient(rng, name):
    x = rng.normal(size=(5, 7))
    x[np.abs(x) < 1e-3] = 0.5
    out, cache = layers.activation_forward(x, name)
    dout = rng.normal(size=out.shape)
    dx = layers.activation_backward(dout, cache)
    num = numerical_gradient_array(lambda a: layers.activation_forward(a, name)[0], x, dout)
    assert relative_error(dx, num) < 1e-7


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="relu"):
        layers.activation_forward(np.zeros(3), "swish")


@pytest.mark.parametrize("loss_fn", [layers.softmax_cross_entropy, layers.hinge_loss])
def test_loss_gradient(rng, loss_fn):
    scores = rng.normal(size=(6, 4))
    y = rng.integers(0, 4, size=6)
    _, dscores = loss_fn(scores, y)
    num = numerical_gradient(lambda s: loss_fn(s, y)[0], scores)
    assert relative_error(dscores, num) < 1e-7


@pytest.mark.parametrize("loss_fn", [layers.softmax_cross_entropy, layers.hinge_loss])
def test_loss_stable_for_huge_scores(loss_fn, strict_numpy):
    scores = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]])
    loss, dscores = loss_fn(scores, np.array([1, 1]))
    assert np.isfinite(loss) and np.isfinite(dscores).all()
    assert loss > 1e3  # the first example is confidently wrong


def test_softmax_cross_entropy_values():
    loss, _ = layers.softmax_cross_entropy(np.zeros((3, 10)), np.array([0, 5, 9]))
    assert np.isclose(loss, np.log(10))  # uniform scores: loss = log C


def test_hinge_loss_matches_the_lecture_formula(rng):
    scores = rng.normal(size=(8, 5))
    y = rng.integers(0, 5, size=8)
    want = np.mean([sum(max(0.0, s[j] - s[yi] + 1.0) for j in range(5) if j != yi) for s, yi in zip(scores, y)])
    assert np.isclose(layers.hinge_loss(scores, y)[0], want)
    assert layers.hinge_loss(np.array([[10.0, 0.0]]), np.array([0]))[0] == 0.0  # margin met: no loss


@pytest.mark.parametrize("y", [np.array([0, 3]), np.array([0.0, 1.0]), np.array([0, -1]), np.array([0])])
def test_losses_reject_bad_labels(y):
    with pytest.raises(ValueError, match="y must"):
        layers.softmax_cross_entropy(np.zeros((2, 3)), y)

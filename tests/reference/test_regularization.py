import numpy as np
import pytest
import torch

from autograder.reference import regularization as reg
from nnlab.gradcheck import numerical_gradient, numerical_gradient_array, relative_error


def _weights_away_from_zero(rng, shape=(5, 4)):
    """Random weights with |w| >= 0.1, so finite differences never straddle the kink of |w|."""
    W = rng.normal(size=shape)
    return np.where(np.abs(W) < 0.1, 0.5, W)


# --- penalties --------------------------------------------------------------------------------

def test_penalty_values_follow_the_formulas():
    W = np.array([[1.0, -2.0], [0.0, 3.0]])
    assert reg.l2_penalty(W, 0.5)[0] == pytest.approx(0.5 * 14.0)
    assert reg.l1_penalty(W, 0.5)[0] == pytest.approx(0.5 * 6.0)
    assert reg.elastic_net_penalty(W, 0.5, beta=2.0)[0] == pytest.approx(0.5 * (2.0 * 14.0 + 6.0))


@pytest.mark.parametrize("penalty, kw", [
    (reg.l2_penalty, {}), (reg.l1_penalty, {}), (reg.elastic_net_penalty, {"beta": 0.3}),
    (reg.elastic_net_penalty, {"beta": 0.0}),
])
def test_penalty_gradients(rng, penalty, kw):
    W = _weights_away_from_zero(rng)
    _, dW = penalty(W, 0.7, **kw)
    assert relative_error(dW, numerical_gradient(lambda a: penalty(a, 0.7, **kw)[0], W)) < 1e-7


def test_l1_subgradient_is_zero_at_zero():
    _, dW = reg.l1_penalty(np.array([-2.0, 0.0, 3.0]), 0.1)
    np.testing.assert_array_equal(dW, [-0.1, 0.0, 0.1])


def test_elastic_net_is_l2_plus_l1(rng):
    W = rng.normal(size=(3, 3))
    value, dW = reg.elastic_net_penalty(W, 0.2, beta=0.5)
    assert value == pytest.approx(reg.l2_penalty(W, 0.1)[0] + reg.l1_penalty(W, 0.2)[0])
    np.testing.assert_allclose(dW, reg.l2_penalty(W, 0.1)[1] + reg.l1_penalty(W, 0.2)[1])


def test_penalties_do_not_mutate_and_reject_negative_strength(rng):
    W = rng.normal(size=4)
    before = W.copy()
    for penalty in reg.PENALTIES.values():
        penalty(W, 0.1)
        with pytest.raises(ValueError, match="lam"):
            penalty(W, -0.1)
    np.testing.assert_array_equal(W, before)
    with pytest.raises(ValueError, match="beta"):
        reg.elastic_net_penalty(W, 0.1, beta=-1.0)


# --- dropout ----------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_keeps_one_minus_p_and_preserves_the_mean(p):
    x = np.full((1000, 1000), 3.0)
    out, mask = reg.dropout_forward(x, p, True, np.random.default_rng(0))
    kept = out != 0
    assert kept.mean() == pytest.approx(1 - p, abs=0.003)  # 1e6 units: the standard error is 5e-4
    np.testing.assert_allclose(out[kept], 3.0 / (1 - p))
    assert out.mean() == pytest.approx(3.0, rel=0.01)
    np.testing.assert_array_equal(out, x * mask)


def test_dropout_scaling_matches_torch():
    p = 0.3
    torch.manual_seed(0)
    theirs = torch.nn.Dropout(p)(torch.ones(200, 200, dtype=torch.float64)).numpy()
    ours, _ = reg.dropout_forward(np.ones((200, 200)), p, True, np.random.default_rng(0))
    assert set(np.unique(ours)) == set(np.unique(theirs)) == {0.0, 1 / (1 - p)}
    assert ours.mean() == pytest.approx(theirs.mean(), abs=0.02)


def test_dropout_at_test_time_is_the_identity(rng):
    x = rng.normal(size=(4, 5))
    out, mask = reg.dropout_forward(x, 0.5, False, None)
    assert mask is None and out is not x
    np.testing.assert_array_equal(out, x)
    np.testing.assert_array_equal(reg.dropout_backward(np.ones((4, 5)), mask), np.ones((4, 5)))
    torch_eval = torch.nn.Dropout(0.5).eval()(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(out, torch_eval)


def test_dropout_extremes(rng, strict_numpy):
    x = rng.normal(size=(3, 4))
    out, _ = reg.dropout_forward(x, 0.0, True, rng)
    np.testing.assert_array_equal(out, x)
    out, mask = reg.dropout_forward(x, 1.0, True, rng)
    np.testing.assert_array_equal(out, np.zeros_like(x))
    np.testing.assert_array_equal(reg.dropout_backward(np.ones_like(x), mask), np.zeros_like(x))
    assert (torch.nn.Dropout(1.0)(torch.tensor(x)) == 0).all()


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_bad_p(p):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        reg.dropout_forward(np.ones(3), p, True, np.random.default_rng(0))


def test_dropout_in_training_needs_rng():
    with pytest.raises(ValueError, match="rng"):
        reg.dropout_forward(np.ones(3), 0.5, True, None)


def test_dropout_backward_matches_numerical_gradient(rng):
    x = rng.normal(size=(6, 7))
    dout = rng.normal(size=(6, 7))
    _, mask = reg.dropout_forward(x, 0.4, True, np.random.default_rng(3))
    num = numerical_gradient_array(lambda a: reg.dropout_forward(a, 0.4, True, np.random.default_rng(3))[0], x, dout)
    assert relative_error(reg.dropout_backward(dout, mask), num) < 1e-7


def test_dropout_is_reproducible(rng):
    x = rng.normal(size=(5, 5))
    a = reg.dropout_forward(x, 0.5, True, np.random.default_rng(7))[0]
    b = reg.dropout_forward(x, 0.5, True, np.random.default_rng(7))[0]
    np.testing.assert_array_equal(a, b)


# --- augmentation -----------------------------------------------------------------------------

AUGMENTATIONS = [
    (reg.random_flip, {}), (reg.random_shift, {"max_shift": 2}), (reg.gaussian_noise, {"std": 0.5}),
]


@pytest.mark.parametrize("augment, kw", AUGMENTATIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_augmentations_keep_shape_dtype_and_are_reproducible(rng, augment, kw, dtype):
    images = rng.uniform(0, 16, size=(20, 8, 8)).astype(dtype)
    before = images.copy()
    out = augment(images, np.random.default_rng(1), **kw)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert not np.shares_memory(out, images)
    np.testing.assert_array_equal(images, before)
    np.testing.assert_array_equal(out, augment(images, np.random.default_rng(1), **kw))
    assert not np.array_equal(out, images)


@pytest.mark.parametrize("augment", [reg.random_flip, reg.random_shift])
def test_geometric_augmentations_accept_integer_images(rng, augment):
    images = rng.integers(0, 17, size=(10, 8, 8)).astype(np.uint8)
    assert augment(images, rng).dtype == np.uint8


def test_flip_is_an_involution(rng):
    images = rng.normal(size=(10, 5, 6))
    once = reg.random_flip(images, rng, p=1.0)
    np.testing.assert_array_equal(once, images[:, :, ::-1])
    np.testing.assert_array_equal(reg.random_flip(once, rng, p=1.0), images)
    np.testing.assert_array_equal(reg.random_flip(images, rng, p=0.0), images)


def test_flip_probability(rng):
    images = rng.normal(size=(4000, 2, 3))
    flipped = (reg.random_flip(images, rng, p=0.3) != images).any(axis=(1, 2))
    assert flipped.mean() == pytest.approx(0.3, abs=0.03)


def test_shift_moves_content_without_wrap_around(rng):
    """A single bright pixel lands at (r + dy, c + dx) with every shift in [-2, 2]^2 about equally likely."""
    images = np.zeros((5000, 9, 9))
    images[:, 4, 4] = 1.0
    out = reg.random_shift(images, rng, max_shift=2)
    np.testing.assert_array_equal(out.sum(axis=(1, 2)), 1.0)  # nothing falls off: intensity preserved
    n, r, c = np.nonzero(out)
    counts = np.zeros((5, 5))
    np.add.at(counts, (r - 2, c - 2), 1)
    assert counts.min() > 0 and np.allclose(counts / 5000, 1 / 25, atol=0.015)
    ones = reg.random_shift(np.ones((200, 6, 6)), rng, max_shift=1)
    sums = ones.sum(axis=(1, 2))
    assert set(sums) == {36.0, 30.0, 25.0}  # zero-filled rows/columns: (6 - |dy|)(6 - |dx|)


def test_shift_equals_roll_when_the_border_is_empty(rng):
    images = np.zeros((50, 7, 7))
    images[:, 1:-1, 1:-1] = rng.normal(size=(50, 5, 5))
    out = reg.random_shift(images, rng, max_shift=1)
    for img, shifted in zip(images, out):
        assert any(np.array_equal(shifted, np.roll(img, (dy, dx), axis=(0, 1)))
                   for dy in (-1, 0, 1) for dx in (-1, 0, 1))
    np.testing.assert_allclose(out.sum(axis=(1, 2)), images.sum(axis=(1, 2)))


def test_shift_zero_is_the_identity(rng):
    images = rng.normal(size=(3, 4, 4))
    np.testing.assert_array_equal(reg.random_shift(images, rng, max_shift=0), images)


def test_gaussian_noise_statistics(rng):
    images = rng.uniform(0, 16, size=(100, 8, 8))
    noise = reg.gaussian_noise(images, rng, std=0.5) - images
    assert abs(noise.mean()) < 0.02 and noise.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_array_equal(reg.gaussian_noise(images, rng, std=0.0), images)


def test_augmentations_reject_bad_input(rng):
    with pytest.raises(ValueError, match=r"\(N, H, W\)"):
        reg.random_flip(np.zeros((4, 64)), rng)
    with pytest.raises(ValueError, match="floating point"):
        reg.gaussian_noise(np.zeros((2, 3, 3), dtype=np.uint8), rng)
    with pytest.raises(ValueError, match="max_shift"):
        reg.random_shift(np.zeros((2, 3, 3)), rng, max_shift=-1)
    with pytest.raises(ValueError, match="flip probability"):
        reg.random_flip(np.zeros((2, 3, 3)), rng, p=2.0)
    with pytest.raises(ValueError, match="std"):
        reg.gaussian_noise(np.zeros((2, 3, 3)), rng, std=-1.0)

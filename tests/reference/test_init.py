import numpy as np
import pytest
import torch

from autograder.reference import init

FAN_IN, FAN_OUT = 400, 300  # 120,000 draws: the sample variance is within about 0.5 % of the true one


def _torch_weight(fill, **kw):
    """A torch (fan_out, fan_in) weight initialized by torch.nn.init's ``fill``, transposed to our layout."""
    generator = torch.Generator().manual_seed(0)
    w = torch.empty(FAN_OUT, FAN_IN, dtype=torch.float64)
    fill(w, generator=generator, **kw)
    return w.T.numpy()


# (ours, our keywords, the std torch.nn.init's formula gives, torch's initializer, its keywords)
CASES = [
    ("xavier_normal", {}, np.sqrt(2 / (FAN_IN + FAN_OUT)), torch.nn.init.xavier_normal_, {}),
    ("xavier_normal", {"gain": 5 / 3}, 5 / 3 * np.sqrt(2 / (FAN_IN + FAN_OUT)), torch.nn.init.xavier_normal_,
     {"gain": 5 / 3}),
    ("xavier_uniform", {}, np.sqrt(2 / (FAN_IN + FAN_OUT)), torch.nn.init.xavier_uniform_, {}),
    ("he_normal", {}, np.sqrt(2 / FAN_IN), torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}),
    ("he_normal", {"mode": "fan_out"}, np.sqrt(2 / FAN_OUT), torch.nn.init.kaiming_normal_,
     {"mode": "fan_out", "nonlinearity": "relu"}),
    ("he_uniform", {}, np.sqrt(2 / FAN_IN), torch.nn.init.kaiming_uniform_, {"nonlinearity": "relu"}),
    ("he_uniform", {"gain": 1.0}, np.sqrt(1 / FAN_IN), torch.nn.init.kaiming_uniform_, {"nonlinearity": "linear"}),
    ("small_random", {}, 0.01, torch.nn.init.normal_, {"std": 0.01}),
]


@pytest.mark.parametrize("name, ours, std, fill, theirs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_variance_matches_torch_nn_init(name, ours, std, fill, theirs):
    W = init.INITIALIZERS[name](FAN_IN, FAN_OUT, np.random.default_rng(0), **ours)
    W_torch = _torch_weight(fill, **theirs)
    assert W.shape == (FAN_IN, FAN_OUT) and W.dtype == np.float64
    assert abs(W.mean()) < 0.02 * std
    assert W.std() == pytest.approx(std, rel=0.01)
    assert W.std() == pytest.approx(W_torch.std(), rel=0.015)
    if "uniform" in name:  # the bound is sqrt(3) std, and the largest of 120,000 draws gets close to it
        assert np.abs(W).max() <= np.sqrt(3) * std
        assert np.abs(W).max() == pytest.approx(np.abs(W_torch).max(), rel=1e-3)


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
def test_shape_dtype_and_reproducibility(name):
    make = init.INITIALIZERS[name]
    W = make(7, 3, np.random.default_rng(5))
    assert W.shape == (7, 3) and W.dtype == np.float64
    assert np.array_equal(W, make(7, 3, np.random.default_rng(5)))
    if name != "zeros":
        assert not np.array_equal(W, make(7, 3, np.random.default_rng(6)))


def test_zeros_ignores_rng():
    assert not init.zeros(3, 2, np.random.default_rng(0)).any()
    assert not init.zeros(3, 2).any()


def test_he_gain_can_be_changed(rng):
    W = init.he_normal(2000, 50, rng, gain=init.calculate_gain("tanh"))
    assert W.std() == pytest.approx(5 / 3 / np.sqrt(2000), rel=0.02)


def test_small_random_scale(rng):
    assert init.small_random(500, 200, rng, scale=0.1).std() == pytest.approx(0.1, rel=0.01)


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
])
def test_calculate_gain_matches_torch(nonlinearity, param):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


def test_calculate_gain_names_the_choices():
    with pytest.raises(ValueError, match="tanh"):
        init.calculate_gain("softplus")


@pytest.mark.parametrize("name", sorted(init.INITIALIZERS))
@pytest.mark.parametrize("fans", [(0, 3), (3, -1), (2.5, 3), (True, 3)])
def test_bad_fans_raise(name, fans):
    with pytest.raises(ValueError, match="positive integer"):
        init.INITIALIZERS[name](*fans, np.random.default_rng(0))


def test_bad_gain_scale_and_mode_raise(rng):
    with pytest.raises(ValueError, match="gain must be >= 0"):
        init.xavier_uniform(3, 3, rng, gain=-1.0)
    with pytest.raises(ValueError, match="scale must be >= 0"):
        init.small_random(3, 3, rng, scale=-0.01)
    with pytest.raises(ValueError, match="mode must be"):
        init.he_normal(3, 3, rng, mode="fan_avg")

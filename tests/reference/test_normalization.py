import numpy as np
import pytest
import torch
from sklearn.preprocessing import StandardScaler

from autograder.reference import normalization as norm
from nnlab.gradcheck import numerical_gradient_array, relative_error


# --- standardization ------------------------------------------------------------------------

def test_standardize_matches_standard_scaler(rng):
    X = rng.normal(3.0, 5.0, size=(50, 4)) * np.array([1.0, 10.0, 0.1, 1e3])
    X_new = rng.normal(size=(7, 4))
    mean, std = norm.standardize_fit(X)
    scaler = StandardScaler().fit(X)
    np.testing.assert_allclose(mean, scaler.mean_, rtol=1e-12)
    np.testing.assert_allclose(std, scaler.scale_, rtol=1e-12)
    Z_new = norm.standardize_apply(X_new, mean, std)
    np.testing.assert_allclose(Z_new, scaler.transform(X_new), rtol=1e-12, atol=1e-12)
    Z = norm.standardize_apply(X, mean, std)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)


def test_constant_columns_are_centred_not_divided_by_zero(strict_numpy):
    X = np.array([[1.0, 0.1, 0.0], [2.0, 0.1, 0.0], [4.0, 0.1, 0.0]])  # 0.1 has a rounding-level variance
    mean, std = norm.standardize_fit(X)
    np.testing.assert_array_equal(std[1:], [1.0, 1.0])
    np.testing.assert_allclose(std, StandardScaler().fit(X).scale_)
    Z = norm.standardize_apply(X, mean, std)
    assert np.isfinite(Z).all()
    np.testing.assert_allclose(Z[:, 1:], 0.0, atol=1e-15)


def test_standardize_rejects_mismatched_features(rng):
    mean, std = norm.standardize_fit(rng.normal(size=(5, 3)))
    with pytest.raises(ValueError, match=r"X has shape \(2, 4\).*mean has shape \(3,\)"):
        norm.standardize_apply(rng.normal(size=(2, 4)), mean, std)
    with pytest.raises(ValueError, match=r"\(1, D\)"):
        norm.standardize_apply(np.zeros(3), mean, std)
    with pytest.raises(ValueError, match="std must be > 0"):
        norm.standardize_apply(np.zeros((1, 3)), mean, np.zeros(3))
    with pytest.raises(ValueError, match="at least one example"):
        norm.standardize_fit(np.zeros((0, 3)))


# --- batch normalization: forward and running statistics --------------------------------------

def _torch_bn(gamma, beta, momentum=0.1, eps=1e-5):
    bn = torch.nn.BatchNorm1d(len(gamma), momentum=momentum, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    return bn


@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.3, 1e-3)])
def test_train_and_eval_match_torch_batchnorm1d(rng, momentum, eps):
    d = 5
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    bn = _torch_bn(gamma, beta, momentum, eps)
    state = {}
    for step in range(6):
        x = rng.normal(2.0, 3.0, size=(8 + step, d))
        out, _ = norm.batchnorm_forward(x, gamma, beta, state, train=True, momentum=momentum, eps=eps)
        bn.train()
        np.testing.assert_allclose(out, bn(torch.tensor(x)).detach().numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(state["running_mean"], bn.running_mean.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(state["running_var"], bn.running_var.numpy(), rtol=0, atol=1e-10)
    bn.eval()
    x = rng.normal(2.0, 3.0, size=(4, d))
    out, _ = norm.batchnorm_forward(x, gamma, beta, state, train=False, momentum=momentum, eps=eps)
    np.testing.assert_allclose(out, bn(torch.tensor(x)).detach().numpy(), rtol=0, atol=1e-10)


def test_fresh_state_is_zeros_and_ones_and_updated_in_the_given_dict(rng):
    state = {}
    x = rng.normal(size=(4, 3))
    out, _ = norm.batchnorm_forward(x, np.ones(3), np.zeros(3), state, train=False)
    np.testing.assert_allclose(out, x / np.sqrt(1 + 1e-5))  # eval on a fresh layer: mean 0, var 1
    np.testing.assert_array_equal(state["running_mean"], np.zeros(3))
    np.testing.assert_array_equal(state["running_var"], np.ones(3))
    before = state["running_mean"]
    norm.batchnorm_forward(x, np.ones(3), np.zeros(3), state, train=True)
    np.testing.assert_allclose(state["running_mean"], 0.1 * x.mean(axis=0))
    np.testing.assert_array_equal(before, np.zeros(3))  # the old array is not overwritten


def test_running_var_is_unbiased(rng):
    x = rng.normal(size=(5, 3))
    state = {}
    norm.batchnorm_forward(x, np.ones(3), np.zeros(3), state, train=True, momentum=1.0)
    np.testing.assert_allclose(state["running_var"], x.var(axis=0, ddof=1))
    np.testing.assert_allclose(state["running_mean"], x.mean(axis=0))


def test_eval_uses_running_statistics_only(rng):
    state = {"running_mean": np.array([1.0, -2.0]), "running_var": np.array([4.0, 0.25])}
    x = rng.normal(size=(3, 2))
    out, _ = norm.batchnorm_forward(x, np.ones(2), np.zeros(2), state, train=False, eps=0.0)
    np.testing.assert_allclose(out, (x - [1.0, -2.0]) / [2.0, 0.5])
    one, _ = norm.batchnorm_forward(x[:1], np.ones(2), np.zeros(2), state, train=False, eps=0.0)
    np.testing.assert_allclose(one, out[:1])  # a batch of one works, and each row is independent
    np.testing.assert_array_equal(state["running_mean"], [1.0, -2.0])  # eval does not update


def test_gamma_sigma_beta_mu_gives_the_identity(rng):
    x = rng.normal(4.0, 2.0, size=(10, 3))
    eps = 1e-5
    out, _ = norm.batchnorm_forward(x, np.sqrt(x.var(axis=0) + eps), x.mean(axis=0), {}, train=True, eps=eps)
    np.testing.assert_allclose(out, x, rtol=1e-12, atol=1e-12)


def test_train_output_is_normalized_per_feature(rng):
    x = rng.normal(-3.0, 7.0, size=(64, 4))
    out, _ = norm.batchnorm_forward(x, np.ones(4), np.zeros(4), {}, eps=0.0)
    np.testing.assert_allclose(out.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=0), 1.0, rtol=1e-12)


def test_bad_inputs_raise(rng):
    with pytest.raises(ValueError, match="at least 2 examples"):
        norm.batchnorm_forward(np.ones((1, 3)), np.ones(3), np.zeros(3), {}, train=True)
    with pytest.raises(ValueError, match=r"gamma and beta must have shape \(3,\)"):
        norm.batchnorm_forward(np.ones((2, 3)), np.ones(2), np.zeros(3), {})
    with pytest.raises(ValueError, match="running_mean"):
        norm.batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), {"running_mean": np.zeros(4)})
    with pytest.raises(ValueError, match="state must be a dict"):
        norm.batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), None)
    with pytest.raises(ValueError, match="momentum"):
        norm.batchnorm_forward(np.ones((2, 3)), np.ones(3), np.zeros(3), {}, momentum=1.5)


def test_torch_also_refuses_a_training_batch_of_one():
    with pytest.raises(ValueError, match="more than 1 value"):
        torch.nn.BatchNorm1d(3, dtype=torch.float64)(torch.ones(1, 3, dtype=torch.float64))


# --- batch normalization: backward ------------------------------------------------------------

BACKWARDS = [norm.batchnorm_backward, norm.batchnorm_backward_staged]


def _bn_case(rng, n=6, d=4):
    x = rng.normal(1.0, 2.0, size=(n, d))
    gamma, beta = rng.normal(size=d), rng.normal(size=d)
    state = {"running_mean": rng.normal(size=d), "running_var": rng.uniform(0.5, 2.0, size=d)}
    return x, gamma, beta, state, rng.normal(size=(n, d))


@pytest.mark.parametrize("backward", BACKWARDS)
@pytest.mark.parametrize("train", [True, False])
def test_backward_matches_numerical_gradient(rng, backward, train):
    x, gamma, beta, state, dout = _bn_case(rng)

    def forward(a, g, b):
        return norm.batchnorm_forward(a, g, b, dict(state), train=train)[0]

    _, cache = norm.batchnorm_forward(x, gamma, beta, dict(state), train=train)
    dx, dgamma, dbeta = backward(dout, cache)
    assert relative_error(dx, numerical_gradient_array(lambda a: forward(a, gamma, beta), x, dout)) < 1e-7
    assert relative_error(dgamma, numerical_gradient_array(lambda g: forward(x, g, beta), gamma, dout)) < 1e-7
    assert relative_error(dbeta, numerical_gradient_array(lambda b: forward(x, gamma, b), beta, dout)) < 1e-7


@pytest.mark.parametrize("train", [True, False])
def test_backward_matches_torch_autograd(rng, train):
    x, gamma, beta, state, dout = _bn_case(rng, n=16, d=5)
    bn = _torch_bn(gamma, beta)
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor(state["running_mean"]))
        bn.running_var.copy_(torch.tensor(state["running_var"]))
    bn.train(train)
    xt = torch.tensor(x, requires_grad=True)
    bn(xt).backward(torch.tensor(dout))
    _, cache = norm.batchnorm_forward(x, gamma, beta, state, train=train)
    for backward in BACKWARDS:
        dx, dgamma, dbeta = backward(dout, cache)
        np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(dgamma, bn.weight.grad.numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(dbeta, bn.bias.grad.numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("train", [True, False])
def test_staged_backward_equals_closed_form(rng, train):
    x, gamma, beta, state, dout = _bn_case(rng, n=32, d=7)
    _, cache = norm.batchnorm_forward(x, gamma, beta, state, train=train)
    for staged, closed in zip(norm.batchnorm_backward_staged(dout, cache), norm.batchnorm_backward(dout, cache)):
        np.testing.assert_allclose(staged, closed, rtol=1e-12, atol=1e-12)


def test_train_dx_sums_to_zero_per_feature(rng):
    """Shifting a whole feature does not change a normalized batch, so dx has zero column sums."""
    x, gamma, beta, _, dout = _bn_case(rng)
    _, cache = norm.batchnorm_forward(x, gamma, beta, {})
    np.testing.assert_allclose(norm.batchnorm_backward(dout, cache)[0].sum(axis=0), 0.0, atol=1e-12)

import inspect

import numpy as np
import pytest
import torch

from autograder.reference import optimizers

# (rule, our hyperparameters, torch optimizer, its arguments): every torch option we implement.
CASES = [
    ("sgd", {}, torch.optim.SGD, {}),
    ("sgd", {"lr": 0.05, "weight_decay": 0.1}, torch.optim.SGD, {"lr": 0.05, "weight_decay": 0.1}),
    ("momentum", {"lr": 0.02}, torch.optim.SGD, {"lr": 0.02, "momentum": 0.9}),
    ("momentum", {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.01}, torch.optim.SGD,
     {"lr": 0.01, "momentum": 0.5, "weight_decay": 0.01}),
    ("nesterov", {"lr": 0.02}, torch.optim.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    ("nesterov", {"lr": 0.01, "momentum": 0.7, "weight_decay": 0.05}, torch.optim.SGD,
     {"lr": 0.01, "momentum": 0.7, "nesterov": True, "weight_decay": 0.05}),
    ("adagrad", {}, torch.optim.Adagrad, {}),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
     torch.optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5}),
    ("adadelta", {}, torch.optim.Adadelta, {}),
    ("adadelta", {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.1}, torch.optim.Adadelta,
     {"lr": 0.5, "rho": 0.95, "eps": 1e-5, "weight_decay": 0.1}),
    ("rmsprop", {}, torch.optim.RMSprop, {}),
    ("rmsprop", {"lr": 0.005, "alpha": 0.9, "centered": True}, torch.optim.RMSprop,
     {"lr": 0.005, "alpha": 0.9, "centered": True}),
    ("rmsprop", {"lr": 0.001, "momentum": 0.8, "weight_decay": 0.1, "centered": True}, torch.optim.RMSprop,
     {"lr": 0.001, "momentum": 0.8, "weight_decay": 0.1, "centered": True}),
    ("adam", {}, torch.optim.Adam, {}),
    ("adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}, torch.optim.Adam,
     {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("adam", {"lr": 0.01, "amsgrad": True}, torch.optim.Adam, {"lr": 0.01, "amsgrad": True}),
]
N_STEPS = 100


def _gradient(w, noise):
    """A gradient that depends on w (a quadratic bowl) plus a fixed noise sequence, as in SGD."""
    return 0.5 * w + noise


@pytest.mark.parametrize("name, ours, torch_cls, theirs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_hundred_steps_match_torch_optim(name, ours, torch_cls, theirs):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(4, 3))
    noises = rng.normal(size=(N_STEPS, 4, 3))
    param = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = torch_cls([param], foreach=False, **theirs)
    w, state = w0, None
    for noise in noises:
        w, state = optimizers.RULES[name](w, _gradient(w, noise), state, **ours)
        param.grad = torch.tensor(_gradient(param.detach().numpy(), noise))
        opt.step()
    assert state["step"] == N_STEPS
    assert np.abs(w - w0).max() > 1e-3, "the rule should have moved the weights"
    np.testing.assert_allclose(w, param.detach().numpy(), rtol=0, atol=1e-10)


@pytest.mark.parametrize("name, ours", [(c[0], c[1]) for c in CASES])
def test_inputs_are_not_mutated(rng, name, ours):
    rule = optimizers.RULES[name]
    w, dw = rng.normal(size=5), rng.normal(size=5)
    _, state = rule(w, dw, None, **ours)
    w_copy, dw_copy = w.copy(), dw.copy()
    state_copy = {k: np.copy(v) for k, v in state.items()}
    w_next, state_next = rule(w, dw, state, **ours)
    assert np.array_equal(w, w_copy) and np.array_equal(dw, dw_copy)
    assert state.keys() == state_copy.keys()
    assert all(np.array_equal(state[k], state_copy[k]) for k in state)
    assert state_next is not state and w_next is not w
    assert all(not np.shares_memory(state_next[k], state[k]) for k in state if k != "step")


@pytest.mark.parametrize("name, keys", [
    ("sgd", {"step"}),
    ("momentum", {"step", "velocity"}),
    ("nesterov", {"step", "velocity"}),
    ("adagrad", {"step", "sum"}),
    ("adadelta", {"step", "square_avg", "acc_delta"}),
    ("rmsprop", {"step", "square_avg"}),
    ("adam", {"step", "exp_avg", "exp_avg_sq"}),
])
def test_state_is_created_on_the_first_call(rng, name, keys):
    w = rng.normal(size=(2, 3))
    _, state = optimizers.RULES[name](w, rng.normal(size=(2, 3)))
    assert set(state) == keys and state["step"] == 1
    assert all(state[k].shape == w.shape for k in keys - {"step"})


def test_optional_buffers_exist_only_when_used(rng):
    w, dw = rng.normal(size=3), rng.normal(size=3)
    assert set(optimizers.rmsprop(w, dw, centered=True, momentum=0.9)[1]) == {
        "step", "square_avg", "grad_avg", "momentum_buffer"}
    assert "max_exp_avg_sq" in optimizers.adam(w, dw, amsgrad=True)[1]
    with pytest.raises(ValueError, match="state lacks"):
        optimizers.adam(w, dw, optimizers.adam(w, dw)[1], amsgrad=True)


def test_defaults_are_torch_defaults():
    defaults = {
        "sgd": (torch.optim.SGD, ["lr", "weight_decay"]),
        "adagrad": (torch.optim.Adagrad, ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"]),
        "adadelta": (torch.optim.Adadelta, ["lr", "rho", "eps", "weight_decay"]),
        "rmsprop": (torch.optim.RMSprop, ["lr", "alpha", "eps", "weight_decay", "momentum", "centered"]),
        "adam": (torch.optim.Adam, ["lr", "betas", "eps", "weight_decay", "amsgrad"]),
    }
    for name, (cls, keys) in defaults.items():
        ours = inspect.signature(optimizers.RULES[name]).parameters
        theirs = inspect.signature(cls).parameters
        for key in keys:
            assert ours[key].default == theirs[key].default, f"{name}.{key}"


def test_cs231n_momentum_form_is_the_same_trajectory(rng):
    """u = mu u - lr g; w += u  equals torch's v = mu v + g; w -= lr v."""
    w, u, state = rng.normal(size=4), np.zeros(4), None
    w_ref = w.copy()
    for g in rng.normal(size=(20, 4)):
        w, state = optimizers.momentum(w, g, state, lr=0.1, momentum=0.9)
        u = 0.9 * u - 0.1 * g
        w_ref = w_ref + u
    np.testing.assert_allclose(w, w_ref, rtol=0, atol=1e-12)


def test_cs231n_nesterov_form_is_the_same_trajectory(rng):
    """v_prev = v; v = mu v - lr g; w += -mu v_prev + (1 + mu) v  equals torch's nesterov=True."""
    w, v, state = rng.normal(size=4), np.zeros(4), None
    w_ref = w.copy()
    for g in rng.normal(size=(20, 4)):
        w, state = optimizers.nesterov(w, g, state, lr=0.1, momentum=0.9)
        v_prev, v = v, 0.9 * v - 0.1 * g
        w_ref = w_ref - 0.9 * v_prev + 1.9 * v
    np.testing.assert_allclose(w, w_ref, rtol=0, atol=1e-12)


def test_adam_without_bias_correction_takes_a_larger_first_step():
    w, dw = np.zeros(1), np.ones(1)
    corrected, _ = optimizers.adam(w, dw, lr=0.1)
    plain, _ = optimizers.adam(w, dw, lr=0.1, bias_correction=False)
    assert np.isclose(corrected[0], -0.1, atol=1e-6)  # the first corrected step is lr * sign(g)
    assert np.isclose(plain[0], -0.1 * 0.1 / np.sqrt(0.001), atol=1e-6)  # (1-b1) / sqrt(1-b2) times lr


@pytest.mark.parametrize("name, bad, match", [
    ("sgd", {"lr": -0.1}, "lr must be >= 0"),
    ("momentum", {"momentum": -0.5}, "momentum must be >= 0"),
    ("nesterov", {"weight_decay": -1.0}, "weight_decay must be >= 0"),
    ("adagrad", {"eps": -1e-10}, "eps must be >= 0"),
    ("adadelta", {"rho": 1.5}, r"rho must be in \[0, 1\]"),
    ("rmsprop", {"alpha": -0.1}, r"alpha must be in \[0, 1\]"),
    ("adam", {"betas": (0.9, 1.0)}, r"beta2 must be in \[0, 1\)"),
    ("adam", {"betas": (-0.1, 0.999)}, r"beta1 must be in \[0, 1\)"),
    ("adam", {"betas": (0.9,)}, "betas must be a pair"),
    ("adam", {"lr": float("nan")}, "lr must be >= 0"),
])
def test_bad_hyperparameters_raise(name, bad, match):
    with pytest.raises(ValueError, match=match):
        optimizers.RULES[name](np.zeros(3), np.zeros(3), **bad)


@pytest.mark.parametrize("name", sorted(optimizers.RULES))
def test_shape_mismatch_raises(name):
    with pytest.raises(ValueError, match=r"w has shape \(3,\) but dw has shape \(2,\)"):
        optimizers.RULES[name](np.zeros(3), np.zeros(2))
    _, state = optimizers.RULES[name](np.zeros(3), np.zeros(3))
    if len(state) > 1:
        with pytest.raises(ValueError, match="state"):
            optimizers.RULES[name](np.zeros(4), np.zeros(4), state)


@pytest.mark.parametrize("ours", [
    {},
    {"lr": 0.01},
    {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1},
    {"lr": 0.1, "weight_decay": 0.0},
    {"lr": 0.02, "betas": (0.0, 0.9), "weight_decay": 1.0},
])
def test_adamw_hundred_steps_match_torch(ours):
    rng = np.random.default_rng(2)
    w0 = rng.normal(size=(3, 5))
    noises = rng.normal(size=(N_STEPS, 3, 5))
    param = torch.nn.Parameter(torch.tensor(w0, dtype=torch.float64))
    opt = torch.optim.AdamW([param], foreach=False, **ours)
    w, state = w0, None
    for noise in noises:
        w, state = optimizers.adamw(w, _gradient(w, noise), state, **ours)
        param.grad = torch.tensor(_gradient(param.detach().numpy(), noise))
        opt.step()
    assert state["step"] == N_STEPS and np.abs(w - w0).max() > 1e-3
    np.testing.assert_allclose(w, param.detach().numpy(), rtol=0, atol=1e-10)


def test_adamw_defaults_are_torch_defaults():
    ours = inspect.signature(optimizers.adamw).parameters
    theirs = inspect.signature(torch.optim.AdamW).parameters
    for key in ["lr", "betas", "eps", "weight_decay"]:
        assert ours[key].default == theirs[key].default, key


def test_adamw_decay_is_decoupled_from_the_gradient_scale(rng):
    """Coupled L2 in Adam is divided by sqrt(vhat): a coordinate with a large gradient is barely decayed.
    AdamW shrinks every coordinate by the same 1 - lr * wd, whatever its gradient."""
    w, dw = np.ones(2), np.array([1e-3, 1e3])
    decoupled, _ = optimizers.adamw(w, np.zeros(2), lr=0.1, weight_decay=0.5)
    np.testing.assert_allclose(decoupled, 0.95 * w, rtol=1e-12)
    w_adamw, _ = optimizers.adamw(w, dw, lr=0.1, weight_decay=0.5)
    w_plain, _ = optimizers.adam(w, dw, lr=0.1)
    np.testing.assert_allclose(w_adamw, w_plain - 0.05 * w, rtol=1e-12)


def test_adamw_leaves_its_inputs_alone(rng):
    w, dw = rng.normal(size=4), rng.normal(size=4)
    _, state = optimizers.adamw(w, dw)
    copies = w.copy(), dw.copy(), {k: np.copy(v) for k, v in state.items()}
    optimizers.adamw(w, dw, state, weight_decay=0.3)
    assert np.array_equal(w, copies[0]) and np.array_equal(dw, copies[1])
    assert all(np.array_equal(state[k], copies[2][k]) for k in state)


def test_adamw_bad_hyperparameters_raise():
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        optimizers.adamw(np.zeros(3), np.zeros(3), weight_decay=-0.1)
    with pytest.raises(ValueError, match=r"w has shape \(3,\) but dw has shape \(2,\)"):
        optimizers.adamw(np.zeros(3), np.zeros(2))

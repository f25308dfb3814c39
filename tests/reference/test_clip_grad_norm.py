"""clip_grad_norm against torch.nn.utils.clip_grad_norm_, with and without clipping, on dicts and lists."""
import numpy as np
import pytest
import torch

from autograder.reference import layers

SHAPES = {"W1": (4, 3), "b1": (3,), "W2": (3, 2, 2), "b2": (2,)}


def _grads(seed, scale):
    rng = np.random.default_rng(seed)
    return {name: rng.normal(scale=scale, size=shape) for name, shape in SHAPES.items()}


def _torch(arrays, max_norm):
    """torch's clipped gradients and total norm, for the arrays set as .grad of parameters."""
    params = [torch.zeros(a.shape, dtype=torch.float64, requires_grad=True) for a in arrays]
    for p, a in zip(params, arrays):
        p.grad = torch.tensor(a, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    return [p.grad.numpy() for p in params], float(total)


@pytest.mark.parametrize("scale, max_norm, clips", [(1.0, 1.0, True), (1.0, 100.0, False), (1e4, 5.0, True),
                                                     (1e-3, 1e-2, False)])
def test_dict_equals_torch(scale, max_norm, clips, strict_numpy):
    grads = _grads(0, scale)
    want, want_norm = _torch(list(grads.values()), max_norm)
    clipped, total_norm = layers.clip_grad_norm(grads, max_norm)
    assert list(clipped) == list(grads)
    assert np.isclose(total_norm, want_norm, rtol=1e-14)
    for got, expected in zip(clipped.values(), want):
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)
    after = np.sqrt(sum(np.sum(g**2) for g in clipped.values()))
    if clips:
        assert after < total_norm and np.isclose(after, max_norm, rtol=1e-6)
    else:
        assert all(np.array_equal(clipped[k], grads[k]) for k in grads)


def test_list_equals_torch():
    arrays = list(_grads(1, 3.0).values())
    want, want_norm = _torch(arrays, 2.0)
    clipped, total_norm = layers.clip_grad_norm(arrays, 2.0)
    assert isinstance(clipped, list) and np.isclose(total_norm, want_norm, rtol=1e-14)
    for got, expected in zip(clipped, want):
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=0)


def test_norm_is_global_not_per_array():
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([0.0, 4.0])}  # each norm < 5, the global norm is 5
    clipped, total_norm = layers.clip_grad_norm(grads, 4.0)
    assert total_norm == 5.0
    np.testing.assert_allclose(clipped["a"], [3.0 * 4.0 / (5.0 + 1e-6), 0.0], rtol=1e-15)


def test_inputs_not_modified():
    grads = _grads(2, 10.0)
    before = {k: v.copy() for k, v in grads.items()}
    clipped, _ = layers.clip_grad_norm(grads, 1.0)
    assert all(np.array_equal(grads[k], before[k]) for k in grads)
    assert all(clipped[k] is not grads[k] for k in grads)

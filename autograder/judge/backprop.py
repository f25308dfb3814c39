"""Judge of 01_backprop: nonlinearities, the affine layer, softmax cross-entropy, a two-layer net, leaky
ReLU and gradient clipping.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol);
the cases repeat the visible tests' inputs and add random shapes, seeds and extreme values.
"""
import dataclasses

import numpy as np

from nnlab import standins
from nnlab.checks import EXTREMES

from autograder.reference import activations as act
from autograder.reference import layers

from . import Failure, against, any_of, custom


def normal(seed, shape, scale=1.0):
    return np.random.default_rng(seed).normal(scale=scale, size=shape)


def elementwise(name, literal, seeds, scale, extremes=None, **tolerances):
    """The checks of one elementwise function: literal and random inputs, then stability at |x| <= 1e4."""
    reference = getattr(act, name)
    cases = [(np.array(x, dtype=np.float64),) for x in literal]
    cases += [(normal(seed, shape, scale),) for seed, shape in seeds]
    checks = [against(name, reference, cases, **tolerances),
              against(f"{name}_extremes", reference, [(EXTREMES.copy(),)] + [(np.array(x),) for x in extremes or []],
                      what=f"{name} at |x| up to 1e4", stable=True)]
    return checks


OF_OUTPUT = ("sigmoid_grad(x) computes x * (1 - x): that is the derivative written for the sigmoid's output, "
             "but sigmoid_grad receives the input x (compute the sigmoid of x first)")


def of_output(check):
    """The check, first failing with OF_OUTPUT when sigmoid_grad returned x * (1 - x) (the classic mistake)."""
    def judge(results, cases):
        for (x,), result in zip(cases, results):
            got, mistake = result.value, x * (1.0 - x)
            if (result.error is None and isinstance(got, np.ndarray) and got.shape == x.shape
                    and np.allclose(got, mistake) and not np.allclose(mistake, act.sigmoid_grad(x))):
                raise Failure(OF_OUTPUT)
        check.judge(results, cases)
    return dataclasses.replace(check, judge=judge)


def builds_on_sigmoid(name, checks, seeds, expect):
    """The checks of a function the solution builds on sigmoid (sigmoid_grad, softplus_grad): each passes on the
    student's own sigmoid or, when that one is wrong, with the stand-in ``nnlab.standins.squashing`` in its place
    (expect(s) gives the result from the values s of the sigmoid), so that a broken sigmoid costs only its own cell."""
    cases = [(EXTREMES.copy(),), (np.linspace(-4, 4, 9),)] + [(normal(seed, shape, 6.0),) for seed, shape in seeds]
    return [any_of(dataclasses.replace(check, builds_on=(("test_sigmoid", "sigmoid"),)),
                   against(f"{check.key}_standin", lambda x: expect(standins.squashing(x)), cases,
                           what=f"{name} with a stand-in for your sigmoid (nnlab.standins.squashing)", stable=True))
            for check in checks]


def float64_output(key, what):
    """The function returns a float64 array (not int, not bool)."""
    def judge(results, cases):
        for result in results:
            value = result.value
            if result.error:
                raise Failure(f"{what} raised {result.error}")
            if not isinstance(value, np.ndarray) or value.dtype != np.float64:
                kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
                raise Failure(f"{what} should return a float64 array; got {kind}")
    return custom(key, [(np.array([-2.0, 0.0, 3.0]),), (np.zeros((2, 3)),)], judge)


def affine_cases(seeds_shapes):
    cases = []
    for seed, (n, d, m) in seeds_shapes:
        r = np.random.default_rng(seed)
        cases.append((r.normal(size=(n, d)), r.normal(size=(d, m)), r.normal(size=m), r.normal(size=(n, m))))
    return cases


def ref_affine_backward(x, w, b, dout):
    return layers.affine_backward(dout, layers.affine_forward(x, w, b)[1])


def judge_affine_backward(results, cases):
    """The reference's (dx, dw, db), after a sentence for gradients that kept a summed axis (keepdims=True)."""
    for args, result in zip(cases, results):
        got = result.value
        if result.error is None and isinstance(got, (tuple, list)) and len(got) == 3:
            for name, g, w in zip(("dx", "dw", "db"), got, ref_affine_backward(*args)):
                if np.ndim(g) == np.ndim(w) + 1 and np.shape(g) in {(1, *w.shape), (*w.shape, 1)}:
                    raise Failure(f"affine_backward: {name} has shape {np.shape(g)} instead of {w.shape}: a sum with "
                                  "keepdims=True keeps the summed axis as a 1; sum without keepdims so that each "
                                  "gradient has the shape of its input")
    against("affine_backward", ref_affine_backward, cases, what="affine_backward (dx, dw, db)").judge(results, cases)


def softmax_cases():
    rng = np.random.default_rng(1)
    cases = [(np.zeros((4, 10)), np.array([0, 3, 9, 9])), (rng.normal(size=(5, 4)), np.array([0, 1, 2, 3, 1]))]
    for seed, (n, c) in [(30, (1, 3)), (31, (8, 10)), (32, (64, 10))]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(scale=5.0, size=(n, c)), r.integers(0, c, size=n)))
    return cases


EXTREME_SCORES = [
    (np.array([[1e4, 0.0, -1e4]]), np.array([0])),
    (np.array([[1e4, -1e4, 3.0], [-1e4, 1e4, 0.0]]), np.array([1, 2])),  # confidently wrong
    (np.array([[1e4, 1e4 - 1.0, 1e4 - 5.0], [-1e4, -1e4 + 2.0, -1e4 + 1.0]]), np.array([1, 0])),  # rows of other scales
]


def demo_case():
    """The visible tests' network (the notebook's net_demo cell)."""
    rng = np.random.default_rng(42)
    n, d, h, c = 6, 5, 7, 3
    x = rng.normal(size=(n, d))
    y = np.array([0, 1, 2, 2, 1, 0])
    w1, b1 = 0.5 * rng.normal(size=(d, h)), 0.1 * rng.normal(size=h)
    w2, b2 = 0.5 * rng.normal(size=(h, c)), 0.1 * rng.normal(size=c)
    return x, w1, b1, w2, b2, y


def net_cases(seeds_shapes):
    cases = [demo_case()]
    for seed, (n, d, h, c) in seeds_shapes:
        r = np.random.default_rng(seed)
        cases.append((r.normal(size=(n, d)), r.normal(size=(d, h)) * 0.3, r.normal(size=h),
                      r.normal(size=(h, c)) * 0.3, r.normal(size=c), r.integers(0, c, size=n)))
    return cases


def standin_net(x, w1, b1, w2, b2, y):
    """(scores, loss, grads) of two_layer_net's wiring with the stand-ins of ``nnlab.standins.BACKPROP``
    in place of the student's layers (what a correct two_layer_net gives when they are swapped in)."""
    a1, c1 = standins.half_affine_forward(x, w1, b1)
    scores, c2 = standins.half_affine_forward(standins.bent(a1), w2, b2)
    loss, ds = standins.squared_error(scores, y)
    dh, dw2, db2 = standins.half_affine_backward(ds, c2)
    _, dw1, db1 = standins.half_affine_backward(dh * standins.bent_grad(a1), c1)
    return scores, loss, {"W1": dw1, "b1": db1, "W2": dw2, "b2": db2}


def skips_relu_backward(results, cases):
    """True when the student's gradients are those of a net whose backward pass ignores relu_grad (da1 = dh)."""
    for args, result in zip(cases, results):
        got = result.value
        if result.error or not isinstance(got, dict) or set(got) != {"W1", "b1", "W2", "b2"}:
            return False
        want = ref_net(*args, relu_backward=False)[2]
        if not all(np.shape(got[k]) == want[k].shape and np.allclose(got[k], want[k]) for k in ("W1", "b1")):
            return False
    return True


UPSTREAM_OF_NET = (("test_relu", "relu"), ("test_relu_grad", "relu_grad"), ("test_affine_forward", "affine_forward"),
                   ("test_affine_backward", "affine_backward"), ("test_softmax_cross_entropy", "softmax_cross_entropy"))


def net_check(key, output, cases, what):
    """two_layer_net judged on the student's own layers or, when one of them is wrong, on the stand-ins
    (so that a mistake in relu, affine or softmax is charged in its own cell only)."""
    own = against(key, lambda *a: ref_net(*a)[output], cases, what=what)
    if output == 2:
        def judge(results, cases):
            if skips_relu_backward(results, cases):
                raise Failure("two_layer_net gradients: dW1 and db1 are those of a network without the ReLU's local "
                              "derivative: on the way back, the upstream gradient of h must be multiplied by "
                              "relu_grad of the pre-activation")
            against(key, lambda *a: ref_net(*a)[output], cases, what=what).judge(results, cases)
        own = custom(key, cases, judge)
    return any_of(dataclasses.replace(own, builds_on=UPSTREAM_OF_NET),
                  against(f"{key}_standin", lambda *a: standin_net(*a)[output], cases,
                          what=f"{what}, with stand-ins for your layers (nnlab.standins.BACKPROP)"))


def ref_net(x, w1, b1, w2, b2, y, relu_backward=True):
    """(scores, loss, grads) of affine - relu - affine - softmax cross-entropy, from the reference layers
    (with relu_backward=False: the classic mistake whose backward pass skips the ReLU's derivative)."""
    a1, c1 = layers.affine_forward(x, w1, b1)
    h, ch = layers.activation_forward(a1, "relu")
    scores, c2 = layers.affine_forward(h, w2, b2)
    loss, ds = layers.softmax_cross_entropy(scores, y)
    dh, dw2, db2 = layers.affine_backward(ds, c2)
    _, dw1, db1 = layers.affine_backward(layers.activation_backward(dh, ch) if relu_backward else dh, c1)
    return scores, loss, {"W1": dw1, "b1": db1, "W2": dw2, "b2": db2}


def leaky_cases(seeds):
    """(x,) cases for the default slope: the visible literals, zeros (the kink), random inputs."""
    return [(np.array([-2.0, 0.0, 3.0]),), (np.array([-2.0, 3.0]),), (np.array([0.0]),), (np.zeros((2, 3)),),
            (np.array([1e-300, -1e-300]),)] + [(normal(seed, shape, 4.0),) for seed, shape in seeds]


def leaky_slope_cases(seeds):
    """(x, negative_slope) cases: the visible ones and other slopes, the kink included."""
    return [(np.array([[-2.0, 5.0]]), 0.2), (np.array([0.0, -1.0, 2.0]), 0.2), (np.linspace(-3, 3, 8), 0.1),
            (np.array([0.0, -0.5]), 0.3)] + [(normal(seed, shape, 4.0), slope) for seed, shape, slope in seeds]


def grad_dicts(seed_scales):
    """(grads, max_norm) cases with grads a dict shaped like a small network's (W1, b1, W2, b2)."""
    cases = []
    for seed, scale, max_norm in seed_scales:
        r = np.random.default_rng(seed)
        cases.append(({"W1": r.normal(scale=scale, size=(5, 4)), "b1": r.normal(scale=scale, size=4),
                       "W2": r.normal(scale=scale, size=(4, 3)), "b2": r.normal(scale=scale, size=3)}, max_norm))
    return cases


def grad_lists(seed_scales):
    """(grads, max_norm) cases with grads a list of arrays of several shapes."""
    cases = []
    for seed, scale, max_norm in seed_scales:
        r = np.random.default_rng(seed)
        cases.append(([r.normal(scale=scale, size=shape) for shape in [(3,), (2, 4), (2, 2, 2)]], max_norm))
    return cases


CLIPPED = ([({"W": np.array([[3.0, 0.0]]), "b": np.array([0.0, 4.0])}, 1.0), ([np.array([3.0]), np.array([[4.0]])], 2.5)]
           + grad_dicts([(50, 1.0, 1.0), (51, 1e4, 5.0), (52, 1e-3, 1e-4)])
           + grad_lists([(53, 2.0, 0.5), (54, 1e4, 100.0)])
           + [([np.array([1e4, -1e4])], 1.0)])
"""Cases whose global norm is above max_norm (at 1e-3 the 1e-6 of the factor matters; at 1e4 the squares are large)."""
UNCLIPPED = ([({"W": np.array([[0.3, 0.0]]), "b": np.array([0.0, 0.4])}, 1.0)]
             + grad_dicts([(55, 0.1, 10.0), (56, 1e3, 1e6)]) + grad_lists([(57, 0.01, 1.0)])
             + [({"W": np.zeros((2, 2))}, 1.0)])
"""Cases whose global norm is below max_norm: nothing may change."""


TESTS = {
    "test_sigmoid": elementwise("sigmoid", [[0.0], [[-2.0, 2.0]]], [(1, (7,)), (2, (3, 4)), (3, (2, 3, 5))], 6.0)
    + [against("sigmoid_float", act.sigmoid, [(0.0,)], what="sigmoid on a Python float")],
    "test_sigmoid_grad": builds_on_sigmoid("sigmoid_grad", [of_output(c) for c in elementwise(
        "sigmoid_grad", [[0.0], np.linspace(-4, 4, 9)], [(4, (5,)), (5, (4, 3))], 6.0,
        extremes=[[-1e4, -30.0, 30.0, 1e4]])], [(4, (5,)), (5, (4, 3))], lambda s: s * (1.0 - s)),
    "test_tanh": elementwise("tanh", [[0.0, 1.0], np.linspace(-3, 3, 7)], [(6, (8,)), (7, (2, 2, 3))], 3.0),
    "test_tanh_grad": elementwise("tanh_grad", [[0.0], np.linspace(-3, 3, 7)], [(8, (6,)), (9, (3, 5))], 3.0),
    "test_relu": [against("relu", act.relu, [(np.array([-2.0, 0.0, 3.0]),), (np.zeros((2, 3)),),
                                             (normal(10, (9,)),), (normal(11, (4, 2, 2)),),
                                             (np.array([-1e4, 1e4]),)]),
                  float64_output("relu_dtype", "relu")],
    "test_relu_grad": [against("relu_grad", act.relu_grad,
                               [(np.array([-2.0, 3.0]),), (np.array([0.0]),), (np.zeros((2, 2)),),
                                (normal(12, (10,)),), (normal(13, (3, 3)),), (np.array([1e-300, -1e-300]),)],
                               what="relu_grad (the subgradient at 0 is 0)")],
    "test_softplus": elementwise("softplus", [[0.0]], [(14, (12,)), (15, (2, 5))], 8.0)
    + [against("softplus_negative", act.softplus, [(np.array([-40.0]),), (np.array([-700.0, -100.0, -37.0]),)],
               what="softplus at very negative inputs (accuracy: use log1p)", rtol=1e-6, atol=0)],
    "test_softplus_grad": builds_on_sigmoid("softplus_grad", elementwise(
        "softplus_grad", [np.linspace(-5, 5, 11)], [(16, (7,)), (17, (3, 2))], 6.0), [(16, (7,)), (17, (3, 2))],
        lambda s: s),
    "test_affine_forward": [against(
        "affine_forward", lambda x, w, b, dout: layers.affine_forward(x, w, b)[0],
        [(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]), np.array([0.1, 0.2, 0.3]),
          np.zeros((2, 3)))] + affine_cases([(20, (1, 3, 2)), (21, (5, 4, 3)), (22, (16, 64, 10))]))],
    "test_affine_backward": [custom(
        "affine_backward", affine_cases([(0, (4, 3, 5)), (23, (1, 2, 3)), (24, (7, 5, 2)), (25, (32, 64, 10))]),
        judge_affine_backward)],
    "test_softmax_cross_entropy": [
        against("softmax_cross_entropy", layers.softmax_cross_entropy, softmax_cases()),
        against("softmax_cross_entropy_extremes", layers.softmax_cross_entropy, EXTREME_SCORES,
                what="softmax_cross_entropy on scores near ±1e4 (each row must stay stable)", stable=True)],
    "test_two_layer_net_forward": [
        net_check("two_layer_net_scores", 0, net_cases([]), "two_layer_net(X, params) (the scores)"),
        net_check("two_layer_net_loss", 1, net_cases([(40, (1, 4, 3, 2)), (41, (10, 8, 16, 10)), (42, (32, 64, 50, 10))]),
                  "two_layer_net loss")],
    "test_two_layer_net_gradients": [
        net_check("two_layer_net_grads", 2, net_cases([(43, (2, 3, 4, 2)), (44, (20, 64, 30, 10))]),
                  "two_layer_net gradients")],
    "test_leaky_relu": [
        against("leaky_relu", act.leaky_relu, leaky_cases([(60, (9,)), (61, (3, 4))]), what="leaky_relu (default slope 0.01)"),
        against("leaky_relu_slope", act.leaky_relu, leaky_slope_cases([(62, (6,), 0.25), (63, (2, 3), 1e-3)]),
                what="leaky_relu with the negative_slope given"),
        against("leaky_relu_extremes", act.leaky_relu, [(EXTREMES.copy(),)], what="leaky_relu at |x| up to 1e4",
                stable=True)],
    "test_leaky_relu_grad": [
        against("leaky_relu_grad", act.leaky_relu_grad, leaky_cases([(64, (9,)), (65, (4, 2))]),
                what="leaky_relu_grad (at x = 0 the gradient is negative_slope, as PyTorch's backward gives)"),
        against("leaky_relu_grad_slope", act.leaky_relu_grad, leaky_slope_cases([(66, (7,), 0.25), (67, (3, 3), 1e-3)]),
                what="leaky_relu_grad with the negative_slope given (at x = 0 it is negative_slope)"),
        against("leaky_relu_grad_extremes", act.leaky_relu_grad, [(EXTREMES.copy(),)],
                what="leaky_relu_grad at |x| up to 1e4", stable=True)],
    "test_clip_grad_norm": [
        against("clip_grad_norm", layers.clip_grad_norm, CLIPPED, pure=True,
                what="clip_grad_norm (one factor max_norm / (total_norm + 1e-6) for all arrays, from their global norm)")],
    "test_clip_grad_norm_unclipped": [
        against("clip_grad_norm_unclipped", layers.clip_grad_norm, UNCLIPPED,
                what="clip_grad_norm below max_norm (the gradients must come back unchanged)")],
}

"""Judge of 05_regularization: weight penalties, the hinge loss with a penalty, inverted dropout, two
augmentations, and the gap reduction of an overfitting network.

Each test cell's hidden part collects the keys below (see ``autograder.judge`` for the protocol).
Random functions get a seed and build their generator in the sandbox; they are judged by what must
hold for every draw (kept units scaled by 1/(1-p), each image a zero-filled shift) and by statistics
of many draws, with tolerances of several standard errors, so that any correct way of drawing passes.
"""
import ast
import functools
import json
import math

import numpy as np

from nnlab import standins
from nnlab.checks import check_shape
from nnlab.data import load_digits_split

from autograder import course
from autograder.notebooks import nbgrader_meta
from autograder.reference import layers
from autograder.reference import regularization as ref

from . import Failure, Result, against, any_of, compare, custom

W_LITERAL = np.array([[1.0, -2.0], [3.0, 0.0]])


def weights(seeds_shapes_rest, scale=2.0):
    """(W, *rest) for each (seed, shape, *rest), W ~ N(0, scale^2)."""
    return [(np.random.default_rng(seed).normal(scale=scale, size=shape), *rest) for seed, shape, *rest in seeds_shapes_rest]


def ref_svm_loss(W, X, y, lam, penalty="l2", beta=1.0):
    """The hinge loss of X @ W plus lam R(W), from the reference pieces."""
    data_loss, dscores = layers.hinge_loss(X @ W, y)
    value, dreg = ref.PENALTIES[penalty](W, lam, *((beta,) if penalty == "elastic_net" else ()))
    return data_loss + value, X.T @ dscores + dreg


STANDIN_PENALTIES = {"l2": standins.quartic_penalty, "l1": standins.cubic_penalty,
                     "elastic_net": standins.quartic_cubic_penalty}
PENALTY_CELLS = {"test_l2_penalty": "l2_penalty", "test_l1_penalty": "l1_penalty"}


def standin_svm_loss(W, X, y, lam, penalty="l2", beta=1.0):
    """What a correct svm_loss returns when hinge_loss and the penalties are the stand-ins of ``nnlab.standins``."""
    data_loss, dscores = standins.square_loss(X @ W, y)
    value, dreg = STANDIN_PENALTIES[penalty](W, lam, *((beta,) if penalty == "elastic_net" else ()))
    return data_loss + value, X.T @ dscores + dreg


def penalty_judge(name, reference, diagnoses):
    """A check's judge for one penalty: the value, then the gradient, against the reference; a wrong gradient is
    named by the first of ``diagnoses`` [(condition(got, want, W, lam), sentence)] that holds."""
    def judge(results, cases):
        for args, result in zip(cases, results):
            W, lam = args[0], args[1]
            where = f"{name} for W of shape {W.shape} and lam={lam:g}"
            if result.error:
                raise Failure(f"{where} raised {result.error}")
            want = reference(*args)   # the reference changes none of its arguments
            if not isinstance(result.value, (tuple, list)) or len(result.value) != 2:
                raise Failure(f"{where} should return (value, dW); got {type(result.value).__name__}")
            compare(result.value[0], want[0], f"the value of {where}")
            shaped(result.value[1], W.shape, f"the gradient of {where}")
            got = np.asarray(result.value[1], dtype=np.float64)
            try:
                compare(got, want[1], f"the gradient of {where}")
            except Failure as failure:
                sentence = next((text for holds, text in diagnoses if holds(got, want[1], W, lam)), None)
                raise Failure(f"{sentence} ({failure})" if sentence else str(failure)) from None
    return judge


L2_DIAGNOSES = [(lambda got, want, W, lam: np.any(want != 0) and np.allclose(2 * got, want),
                 "the gradient of l2_penalty is missing its factor 2: the derivative of lam w^2 is 2 lam w")]
L1_DIAGNOSES = [(lambda got, want, W, lam: np.any(W == 0) and np.allclose(got[W != 0], want[W != 0]),
                 "the gradient of l1_penalty is right away from 0 but not where W is 0: use the subgradient 0 there "
                 "(what np.sign gives)")]


def hinge_cases():
    rng = np.random.default_rng(3)
    cases = [(np.zeros((4, 10)), np.array([0, 3, 9, 9])),
             (np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]]), np.array([0, 1, 2])),
             (rng.normal(size=(6, 4)), np.array([0, 1, 2, 3, 1, 0])),
             (np.array([[1e4, 0.0, -1e4]]), np.array([1])),
             (np.array([[1e4, -1e4, 3.0], [-1e4, 1e4, 0.0]]), np.array([1, 2]))]
    for seed, (n, c) in [(30, (1, 3)), (31, (8, 10)), (32, (64, 10))]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(scale=3.0, size=(n, c)), r.integers(0, c, size=n)))
    r = np.random.default_rng(33)
    cases.append((r.normal(size=(7, 5)), r.integers(0, 5, size=7), 2.0))
    return cases


def hinge_gradient_diagnosis(got, want, y):
    """What is wrong with a dscores that disagrees with the reference's, in words (without the formula)."""
    n = len(y)
    correct = np.zeros(want.shape, dtype=bool)
    correct[np.arange(n), y] = True
    if n > 1 and np.allclose(got, n * want):
        return "dscores is N times too large: the loss is a mean over the N examples, so each term carries 1/N"
    if np.any(want != 0) and np.allclose(got, -want):
        return "dscores has the wrong sign everywhere: which way does each margin m_ij move when f_ij grows?"
    if np.allclose(got[~correct], want[~correct]):
        return ("dscores is right at the wrong classes j != y_i but not at the correct classes (dscores[i, y[i]]): "
                "the correct class's score appears in every term of its row; add up what each active term gives it")
    if np.allclose(got[correct], want[correct]):
        return ("dscores is right at the correct classes but not at the wrong classes j != y_i: a term max(0, m_ij) "
                "has a slope only where it is active (m_ij > 0)")
    return "dscores disagrees with the derivative of the loss: work out one row by hand, as the visible test does"


def judge_hinge(results, cases):
    """The loss and dscores against the reference's; a wrong dscores is diagnosed in words."""
    for args, result in zip(cases, results):
        scores, y = args[0], args[1]
        where = f"hinge_loss for scores of shape {scores.shape}" + (f" and margin={args[2]}" if len(args) > 2 else "")
        if result.error:
            raise Failure(f"{where} raised {result.error}")
        want_loss, want_d = layers.hinge_loss(*args)   # the reference changes none of its arguments
        if not isinstance(result.value, (tuple, list)) or len(result.value) != 2:
            raise Failure(f"{where} should return (loss, dscores); got {type(result.value).__name__}")
        loss, dscores = result.value
        margin = args[2] if len(args) > 2 else 1.0
        if np.ndim(loss) == 0 and np.isclose(float(loss), want_loss + margin):
            raise Failure(f"the loss of {where} is the margin too large: the correct class itself must add nothing "
                          "(its own term would be max(0, margin) = margin in every row)")
        if np.ndim(loss) == 0 and len(y) > 1 and np.isclose(float(loss), len(y) * want_loss) and want_loss != 0:
            raise Failure(f"the loss of {where} is N times too large: it is the mean over the N examples, not the sum")
        compare(loss, want_loss, f"the loss of {where}")
        shaped(dscores, scores.shape, f"dscores of {where}")
        got = np.asarray(dscores, dtype=np.float64)
        try:
            compare(got, want_d, f"dscores of {where}")
        except Failure as failure:
            raise Failure(f"{hinge_gradient_diagnosis(got, want_d, y)} ({failure})") from None


def svm_visible():
    rng = np.random.default_rng(4)
    return rng.normal(size=(5, 3)), rng.normal(size=(8, 5)), rng.integers(0, 3, size=8)


def svm_cases():
    W, X, y = svm_visible()
    cases = [(W, X, y, 0.1, "l2")] + [(W, X, y, 0.1, name, 0.5) for name in ("l2", "l1", "elastic_net")]
    for seed, (n, d, c), lam, penalty, beta in [(40, (1, 4, 3), 0.5, "l1", 1.0), (41, (20, 64, 10), 1e-3, "l2", 1.0),
                                                (42, (16, 8, 5), 0.1, "elastic_net", 2.0), (43, (10, 6, 4), 0.0, "l1", 1.0)]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(size=(d, c)), r.normal(size=(n, d)), r.integers(0, c, size=n), lam, penalty, beta))
    return cases


def elastic_cases():
    return ([(W_LITERAL, 0.5, 2.0), (W_LITERAL, 0.5, 0.0), (np.random.default_rng(2).normal(size=(5, 2)), 0.2, 0.7)]
            + weights([(9, (7,), 0.1, 1.0), (10, (64, 10), 1e-2, 0.5), (11, (2, 3, 4), 1.5, 3.0),
                       (12, (3, 3), 0.0, 1.0), (13, (4, 2), 0.3, 0.0)]))


DEFAULT_BETA_CASES = [(np.array([1.0, -3.0]), 0.5), (W_LITERAL, 0.5)]


def judge_unknown_penalty(results, cases):
    for result in results:
        if not (result.error or "").startswith("ValueError"):
            got = f"raised {result.error}" if result.error else "returned without an error"
            raise Failure(f"svm_loss(..., penalty='l3') should raise a ValueError that lists the valid penalties; it {got}")


def shaped(value, shape, what):
    """Failure unless value is an array of exactly shape (``check_shape``'s sentence)."""
    try:
        check_shape(value, shape, what)
    except AssertionError as err:
        raise Failure(str(err)) from None


# --- dropout ------------------------------------------------------------------------------------------

def first_failure(results, what):
    """The Failure for the first result that raised, if any."""
    for result in results:
        if result.error:
            raise Failure(f"{what} raised {result.error}")


def dropout_result(x, p, result):
    """(out, mask) of one training call as float arrays of x's shape; a Failure naming what is wrong otherwise."""
    if result.error:
        raise Failure(f"dropout_forward(x, p={p}, train=True, rng) for x of shape {x.shape} raised {result.error}")
    if result.mutated:
        raise Failure("dropout_forward must not modify its input x")
    if not isinstance(result.value, (tuple, list)) or len(result.value) != 2:
        raise Failure(f"dropout_forward in training should return (out, mask); got {type(result.value).__name__}")
    out, mask = result.value
    shaped(out, x.shape, f"out of dropout_forward for x of shape {x.shape}")
    out = np.asarray(out, dtype=np.float64)
    if 0 < p < 1 and x.ndim >= 2 and np.all((out == 0) == (out[:1] == 0)):
        raise Failure(f"with p={p} every example of the batch got the same mask (the same units dropped in every row "
                      f"of x of shape {x.shape}): each unit of each example is dropped on its own, so draw the mask with "
                      "x's full shape")
    shaped(mask, x.shape, f"mask of dropout_forward for x of shape {x.shape}")
    return out, np.asarray(mask, dtype=np.float64)


def judge_dropout_train(results, cases):
    """Every draw with 0 <= p < 1: out and mask of x's shape, a mask per example, kept entries scaled by 1/(1-p),
    out = x * mask, p = 0 exact; the fraction dropped within 0.01 of p (at least 6 standard errors on 100,000 units),
    the mean of the visible test's output within 0.01 of x's (5 standard errors). Each classic mistake (p taken as
    the keep probability, no rescaling, scaling by 1/p) is named when its values show it."""
    for k, ((x, p, seed), result) in enumerate(zip(cases, results)):
        out, mask = dropout_result(x, p, result)
        if p == 0:
            compare(out, x, "dropout_forward with p=0 (nothing is dropped)")
        dropped = np.mean(out == 0)
        if not abs(dropped - p) < 0.01:
            keep = abs(dropped - (1 - p)) < 0.01
            raise Failure(f"with p={p} about {p:.0%} of the entries should be dropped (0); {dropped:.1%} were "
                          f"(x of shape {x.shape})" + (": p is the probability of dropping a unit (as in "
                                                       "torch.nn.Dropout), not of keeping it" if keep else ""))
        kept = out != 0
        if p > 0 and np.allclose(out[kept], x[kept]):
            raise Failure(f"with p={p} the kept units are not rescaled: inverted dropout scales them by 1/(1-p) in "
                          "training, so that the expected output is x and the test-time output can be x itself")
        if p > 0 and not np.isclose(p, 0.5) and np.allclose(out[kept], x[kept] / p):
            raise Failure(f"with p={p} the kept units are scaled by 1/p; p is the drop probability, so a unit survives "
                          "with probability 1 - p and is scaled by 1/(1-p)")
        compare(out[kept], x[kept] / (1 - p), f"the kept entries of out with p={p} (x scaled by 1/(1-p))")
        kept = mask != 0
        compare(mask[kept], np.full(int(kept.sum()), 1 / (1 - p)), f"the kept entries of the mask with p={p} (1/(1-p))")
        compare(out, x * mask, f"out with p={p} (it should be x * mask)")
        if k == 0 and not abs(out.mean() - x.mean()) < 0.01:
            raise Failure(f"the mean of the output should be about the mean of x ({x.mean():g}); got {out.mean():.4f}")


def judge_dropout_p1(results, cases):
    """p = 1 drops everything: out and mask all zeros, without a division by zero (its own point)."""
    for (x, p, seed), result in zip(cases, results):
        if result.warnings:
            raise Failure(f"dropout_forward with p=1 divided by zero ({result.warnings[0]}): p=1 drops everything, "
                          "so there is nothing to rescale; handle it apart")
        out, mask = dropout_result(x, p, result)
        if not (np.all(np.isfinite(out)) and np.all(np.isfinite(mask))):
            raise Failure("dropout_forward with p=1 returned nan or inf (0 / (1 - p) with 1 - p = 0): p=1 drops "
                          "everything, so there is nothing to rescale; handle it apart")
        compare(out, np.zeros_like(x), "dropout_forward with p=1 (everything is dropped)")
        compare(mask, np.zeros_like(x), "the mask with p=1")


def dropout_train_cases():
    """The visible test's case first, then large arrays of several shapes and p, p = 0."""
    x = np.random.default_rng(51).normal(size=(4, 5))
    return [(np.ones((1000, 100)), 0.3, 0),
            (np.full((200, 500), 2.0), 0.1, 50), (np.full((50, 40, 50), 2.0), 0.5, 55), (np.full((100000,), 2.0), 0.8, 56),
            (x, 0.0, 52)]


def dropout_p1_cases():
    return [(np.random.default_rng(51).normal(size=(4, 5)), 1.0, 53), (np.ones((5, 100)), 1.0, 2)]


def judge_dropout_average(results, cases):
    first_failure(results, "dropout_forward on 20,000 copies of x")
    for (draws, _, _), result in zip(cases, results):
        compare(result.value, draws[0], "the average of 20,000 training outputs with p=0.5 (it should be about x)",
                rtol=0, atol=0.1)


def judge_same_seed(what):
    def judge(results, cases):
        first_failure(results, what)
        for result in results:
            first, second = result.value
            if not np.array_equal(first, second):
                raise Failure(f"the same seed should give the same result ({what}): draw every random number from rng")
    return judge


def judge_fresh(what):
    def judge(results, cases):
        first_failure(results, what)
        for result in results:
            first, second = result.value
            if np.array_equal(first, second):
                raise Failure(f"two calls with the same generator should give different results ({what}): "
                              "draw new random numbers on every call")
    return judge


def judge_test_mode(results, cases):
    for (x, p, seed), result in zip(cases, results):
        how = "called without rng" if seed is None else "with an rng"
        where = f"dropout_forward(x, p={p}, train=False) for x of shape {x.shape}, {how}"
        if result.error:
            raise Failure(f"{where} raised {result.error}")
        out, mask = result.value
        if p < 1 and np.allclose(np.asarray(out, dtype=np.float64), (1 - p) * x):
            raise Failure(f"{where} returned (1 - p) * x: that is the non-inverted form, which scales at test time; "
                          "inverted dropout does all its scaling in training, so at test time the output is x itself")
        compare(out, x, f"{where} (at test time the output is x itself: no dropping, no scaling)")
        if mask is not None:
            raise Failure(f"at test time the mask should be None; got {type(mask).__name__}")


def dropout_backward_cases():
    rng = np.random.default_rng(6)
    x, dout = rng.normal(size=(5, 7)), rng.normal(size=(5, 7))
    cases = [(dout, ref.dropout_forward(x, 0.4, True, np.random.default_rng(7))[1]), (dout, None)]
    for seed, shape, p in [(70, (10,), 0.5), (71, (4, 6), 0.2), (72, (2, 3, 4), 0.9)]:
        r = np.random.default_rng(seed)
        cases.append((r.normal(size=shape), (r.random(shape) >= p) / (1 - p)))
    return cases


# --- augmentations --------------------------------------------------------------------------------------

def shifted(image, dy, dx):
    """image moved down by dy and right by dx, zeros where nothing comes in."""
    h, w = image.shape
    out = np.zeros_like(image)
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = image[max(-dy, 0):h - max(dy, 0),
                                                                      max(-dx, 0):w - max(dx, 0)]
    return out


def shifts_of(images, out, max_shift):
    """The (dy, dx) of each output image; a Failure if some output is not a shift of its input."""
    found = []
    for k, (image, result) in enumerate(zip(images, out)):
        match = [(dy, dx) for dy in range(-max_shift, max_shift + 1) for dx in range(-max_shift, max_shift + 1)
                 if np.array_equal(result, shifted(image, dy, dx))]
        if not match:
            raise Failure(f"output image {k} is not its input shifted by at most {max_shift} pixel(s) with zeros filled "
                          "in (check the direction of the window and that nothing wraps around)")
        found.append(match[0])
    return found


def check_augmented(name, images, result, what):
    """What every augmentation owes: no error, its input unchanged, a new batch of the same shape and dtype."""
    if result.error:
        raise Failure(f"{what} for images of shape {images.shape} raised {result.error}")
    if result.mutated:
        raise Failure(f"{name} must not modify its input images")
    out = result.value
    shaped(out, images.shape, f"{what} for images of shape {images.shape}")
    if np.asarray(out).dtype != images.dtype:
        raise Failure(f"{what} should keep the dtype {images.dtype} of its images; got {np.asarray(out).dtype}")


def judge_random_shift(results, cases):
    for (images, seed, max_shift), result in zip(cases, results):
        what = f"random_shift(images, rng, max_shift={max_shift})"
        check_augmented("random_shift", images, result, what)
        found = shifts_of(images, result.value, max_shift)
        choices, n = (2 * max_shift + 1) ** 2, len(images)
        if n >= 100 * choices:   # every shift about equally often (standard error of a frequency < 0.011)
            counts = {s: found.count(s) / n for s in set(found)}
            if len(counts) != choices or not all(abs(f - 1 / choices) < 0.05 for f in counts.values()):
                raise Failure(f"with max_shift={max_shift} each of the {choices} shifts (dy, dx) should be drawn about "
                              f"1/{choices} of the time; got {counts}")
        elif n >= 10 * choices and len(set(found)) != choices:
            raise Failure(f"with max_shift={max_shift} all {choices} shifts should occur among {n} images; "
                          f"{len(set(found))} did")


def shift_images():
    """The visible test's 900 images and the hidden test's 300 (values in [1, 2): every shift is visible)."""
    return np.random.default_rng(8).random((900, 8, 8)) + 1.0, np.random.default_rng(80).random((300, 6, 9)) + 1.0


def random_shift_cases():
    visible, other = shift_images()
    digits = load_digits_split().images("val")[:50].astype(np.int64)
    return [(visible, 9, 1), (visible[:5], 9, 0), (visible[:4].astype(np.float32), 10, 1), (other, 81, 2),
            (digits, 82, 1), (digits + 1, 82, 1)]


def judge_fresh_shifts(results, cases):
    judge_fresh("random_shift")(results, cases)
    for (images, _), result in zip(cases, results):
        for out in result.value:
            shifts_of(images, out, 1)   # the default max_shift is 1


NOISE_TOLERANCES = {0.5: (0.02, 0.02), 2.0: (0.05, 0.06)}
"""std -> tolerances on the mean and the std of the noise (about 4.5 and 6 standard errors for std 0.5 on 12,800
pixels; 2.5 and 4 for std 2 on 10,500)."""


def noise_cases():
    images = np.random.default_rng(90).random((300, 5, 7)).astype(np.float32)
    return [(np.zeros((200, 8, 8)), 11, 0.5), (images, 91, 2.0), (images.astype(np.float64), 92, 0.0)]


def judge_gaussian_noise(results, cases):
    for (images, seed, std), result in zip(cases, results):
        what = f"gaussian_noise(images, rng, std={std})"
        check_augmented("gaussian_noise", images, result, what)
        noise = np.asarray(result.value, dtype=np.float64) - images
        if std == 0:
            compare(result.value, images, "gaussian_noise with std=0")
            continue
        if not noise.std(axis=(1, 2)).mean() > 0.9 * std:
            raise Failure(f"{what}: every pixel needs its own noise (not one value per image)")
        mean_tol, std_tol = NOISE_TOLERANCES[std]
        if not abs(noise.mean()) < mean_tol:
            raise Failure(f"the noise should have mean 0; its mean over {noise.size:,} pixels is {noise.mean():.4f} "
                          f"(std={std})")
        if not abs(noise.std() - std) < std_tol:
            raise Failure(f"the noise should have std {std}; got {noise.std():.4f}")
        corr = np.corrcoef(noise[:, :, :-1].ravel(), noise[:, :, 1:].ravel())[0, 1]
        if not abs(corr) < 0.05:
            raise Failure(f"neighbouring pixels should get independent noise; their correlation is {corr:.3f} (std={std})")


# --- the gap of an overfitting network ------------------------------------------------------------------

SETTINGS = ("penalty", "lam", "beta", "dropout", "max_shift", "noise_std")
SEED_GROUPS = ((0, 1, 2), (3, 4, 5))


def judge_settings(results, cases):
    (result,) = results
    if result.error:
        raise Failure(f"my_regularization() raised {result.error}")
    if not isinstance(result.value, dict):
        raise Failure(f"my_regularization() should return a dict of settings; got {type(result.value).__name__}")
    unknown = set(result.value) - set(SETTINGS)
    if unknown:
        raise Failure(f"my_regularization() returned unknown settings {sorted(unknown)}; use the keys of SETTINGS: "
                      f"{sorted(SETTINGS)}")


def judge_gap(results, cases):
    """For each group of seeds: the mean gap at least 5 points smaller, the mean validation accuracy not lower."""
    by_seed = {}
    for (seed,), result in zip(cases, results):
        if result.error:
            raise Failure(f"train_network with and without your settings (seed {seed}) raised {result.error}")
        by_seed[seed] = np.asarray(result.value, dtype=np.float64).reshape(2, 2)   # [baseline, mine] x [train, val]
    for seeds in SEED_GROUPS:
        runs = np.array([by_seed[s] for s in seeds])
        base, mine = runs[:, 0], runs[:, 1]
        base_gap, my_gap = np.mean(base[:, 0] - base[:, 1]), np.mean(mine[:, 0] - mine[:, 1])
        if not base_gap - my_gap >= 0.05:
            raise Failure(f"with your settings the mean gap over seeds {seeds} is {my_gap:.1%}, against {base_gap:.1%} "
                          f"without regularization: it should be at least 5 points smaller (it is "
                          f"{100 * (base_gap - my_gap):.1f} points smaller)")
        if not mine[:, 1].mean() >= base[:, 1].mean():
            raise Failure(f"with your settings the mean validation accuracy over seeds {seeds} is {mine[:, 1].mean():.1%}, "
                          f"lower than {base[:, 1].mean():.1%} without regularization: the network underfits, "
                          "regularize less")


COMPONENT_CELLS = {**PENALTY_CELLS, "test_elastic_net_penalty": "elastic_net_penalty", "test_hinge_loss": "hinge_loss",
                   "test_dropout_forward_train": "dropout_forward", "test_dropout_forward_test_mode": "dropout_forward",
                   "test_dropout_backward": "dropout_backward", "test_random_shift": "random_shift",
                   "test_gaussian_noise": "gaussian_noise"}
TRAINING_CELL = "training"
REFERENCE_PARTS = {"l2_penalty": ref.l2_penalty, "l1_penalty": ref.l1_penalty,
                   "elastic_net_penalty": ref.elastic_net_penalty, "hinge_loss": layers.hinge_loss,
                   "dropout_forward": ref.dropout_forward, "dropout_backward": ref.dropout_backward,
                   "random_shift": ref.random_shift, "gaussian_noise": ref.gaussian_noise}
SETTING_RANGES = {"lam": (0.0, 10.0), "beta": (0.0, 100.0), "dropout": (0.0, 0.99), "max_shift": (0, 4),
                  "noise_std": (0.0, 10.0)}
"""What the reference run accepts (the notebook's train_network accepts more; the grader does not run anything
unbounded outside the sandbox)."""


@functools.lru_cache(maxsize=None)
def reference_train_network():
    """The notebook's own train_network (its locked cell ``training``, read from the solution notebook), with the
    reference's regularizers and hinge loss in place of the student's. Only the cell's definitions are run, not its
    baseline runs."""
    (notebook,) = (course.SOLUTIONS / "05_regularization").glob("*.ipynb")
    (source,) = ["".join(cell["source"]) for cell in json.loads(notebook.read_text())["cells"]
                 if nbgrader_meta(cell).get("grade_id") == TRAINING_CELL]
    tree = ast.parse(source)
    tree.body = [node for node in tree.body if isinstance(node, ast.FunctionDef)
                 or (isinstance(node, ast.Assign)
                     and not any(isinstance(n, ast.Name) and n.id == "train_network" for n in ast.walk(node.value)))]
    namespace = {"np": np, "load_digits_split": load_digits_split, **REFERENCE_PARTS}
    exec(compile(tree, f"<05_regularization cell {TRAINING_CELL}>", "exec"), namespace)
    return namespace["train_network"]


@functools.lru_cache(maxsize=None)
def reference_baseline(seed):
    """(train, validation) accuracy of the unregularized network with the reference's parts."""
    return reference_train_network()({}, seed)


def bounded(settings):
    """Failure unless every setting is of its kind and in SETTING_RANGES (what the reference run accepts)."""
    if settings.get("penalty") not in (None, "l2", "l1", "elastic_net"):
        raise Failure(f"the penalty {settings.get('penalty')!r} is not one of None, 'l2', 'l1', 'elastic_net'")
    for name, (low, high) in SETTING_RANGES.items():
        value = settings.get(name, low)
        kind = int if isinstance(low, int) else float
        if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                or not low <= value <= high or (kind is int and value != int(value))):
            raise Failure(f"the setting {name}={value!r} is outside what the grader's check accepts ({low} to {high})")


def judge_gap_reference(results, cases):
    """The gap criterion of ``judge_gap`` on runs of the notebook's train_network with the reference's components and
    the student's settings: settings that shrink the gap earn the points even when a component above is wrong
    (that component has lost its own points already)."""
    judge_settings(results, cases)
    settings = dict(results[0].value)
    bounded(settings)
    train_network = reference_train_network()
    runs = [Result([reference_baseline(seed), train_network(settings, seed)]) for group in SEED_GROUPS for seed in group]
    judge_gap(runs, [(seed,) for group in SEED_GROUPS for seed in group])


TESTS = {
    "test_l2_penalty": [custom(
        "l2_penalty",
        [(W_LITERAL, 0.5), (np.random.default_rng(0).normal(size=(4, 3)), 0.3), (np.ones((2, 3, 4)), 1.0)]
        + weights([(1, (5,), 0.1), (2, (64, 10), 1e-3), (3, (2, 3, 4), 2.5), (4, (3, 3), 0.0)]),
        penalty_judge("l2_penalty", ref.l2_penalty, L2_DIAGNOSES))],
    "test_l1_penalty": [custom(
        "l1_penalty",
        [(W_LITERAL, 0.5), (np.random.default_rng(1).normal(size=(4, 3)), 0.3)]
        + weights([(5, (6,), 0.2), (6, (64, 10), 1e-3), (7, (2, 3, 4), 1.5), (8, (3, 3), 0.0)])
        + [(np.array([[0.0, -0.0], [1e-300, -1e-300]]), 2.0)],
        penalty_judge("l1_penalty", ref.l1_penalty, L1_DIAGNOSES))],
    "test_elastic_net_penalty": [
        any_of(against("elastic_net_penalty", ref.elastic_net_penalty, elastic_cases(), builds_on=PENALTY_CELLS,
                       what="elastic_net_penalty (the value, then the gradient lam (2 beta W + sign(W)))"),
               against("elastic_net_penalty_standin", standins.quartic_cubic_penalty, elastic_cases(),
                       what="elastic_net_penalty on stand-ins for l2_penalty and l1_penalty (an L2 penalty of strength "
                            "lam beta plus an L1 penalty of strength lam)")),
        any_of(against("elastic_net_penalty_default_beta", ref.elastic_net_penalty, DEFAULT_BETA_CASES,
                       builds_on=PENALTY_CELLS, what="elastic_net_penalty with the default beta (1.0)"),
               against("elastic_net_penalty_default_beta_standin", standins.quartic_cubic_penalty, DEFAULT_BETA_CASES,
                       what="elastic_net_penalty with the default beta (1.0), on stand-ins for l2_penalty and l1_penalty"))],
    "test_hinge_loss": [custom("hinge_loss", hinge_cases(), judge_hinge)],
    "test_svm_loss": [
        any_of(against("svm_loss", ref_svm_loss, svm_cases(), what="svm_loss (the loss, then dW)",
                       builds_on={"test_hinge_loss": "hinge_loss", **PENALTY_CELLS,
                                  "test_elastic_net_penalty": "elastic_net_penalty"}),
               against("svm_loss_standin", standin_svm_loss, svm_cases(),
                       what="svm_loss on stand-ins for hinge_loss and the penalties (the data loss of X @ W plus "
                            "the penalty, dW = X^T dscores plus the penalty's gradient)")),
        custom("svm_loss_unknown_penalty", [svm_visible() + (0.1, "l3")], judge_unknown_penalty)],
    "test_dropout_forward_train": [
        custom("dropout_train", dropout_train_cases(), judge_dropout_train),
        custom("dropout_train_p1", dropout_p1_cases(), judge_dropout_p1, points=1),
        custom("dropout_average", [(np.repeat(np.random.default_rng(51).normal(size=(4, 5))[None], 20000, axis=0), 0.5, 54)],
               judge_dropout_average),
        custom("dropout_same_seed", [(np.ones((200, 50)), 0.3, 0)], judge_same_seed("dropout_forward")),
        custom("dropout_fresh_masks", [(np.ones((200, 50)), 0.5, 1)], judge_fresh("dropout_forward"))],
    "test_dropout_forward_test_mode": [custom(
        "dropout_test_mode",
        [(np.random.default_rng(5).normal(size=(6, 4)), p, 0) for p in (0.3, 0.9)]
        + [(np.random.default_rng(60).normal(size=shape), p, None) for p, shape in [(0.5, (3,)), (0.25, (2, 3, 4)),
                                                                                    (1.0, (5, 5))]],
        judge_test_mode)],
    "test_dropout_backward": [against("dropout_backward", ref.dropout_backward, dropout_backward_cases(),
                                      what="dropout_backward (dout * mask; dout itself when mask is None)")],
    "test_random_shift": [
        custom("random_shift", random_shift_cases(), judge_random_shift),
        custom("random_shift_same_seed", [(shift_images()[0], 9, 1)], judge_same_seed("random_shift")),
        custom("random_shift_fresh", [(shift_images()[1], 83)], judge_fresh_shifts)],
    "test_gaussian_noise": [
        custom("gaussian_noise", noise_cases(), judge_gaussian_noise),
        custom("gaussian_noise_same_seed", [(np.zeros((200, 8, 8)), 11, 0.5)], judge_same_seed("gaussian_noise")),
        custom("gaussian_noise_fresh", [(noise_cases()[1][0], 93)], judge_fresh("gaussian_noise"))],
    "test_gap_shrinks": [
        custom("my_regularization", [()], judge_settings),
        any_of(custom("gap", [(seed,) for group in SEED_GROUPS for seed in group], judge_gap, builds_on=COMPONENT_CELLS),
               custom("gap_settings", [()], judge_gap_reference))],
}

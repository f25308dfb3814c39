"""The judge of 05_regularization (autograder/judge/regularization.py): partial credit on dropout's p = 1, a
sentence per classic mistake, and no second charge in the cells built on other parts (stand-ins, the reference
through the judge). Each test collects in this process what a notebook's hidden part would collect."""
import numpy as np
import pytest

from autograder import judge
from autograder.judge import regularization
from autograder.reference import layers
from autograder.reference import regularization as ref
from nnlab.collect import _call, to_doc
from nnlab.standins import cubic_penalty, quartic_cubic_penalty, quartic_penalty, replacing, square_loss

CHECKS = judge.checks("05_regularization")
CASES = {key: cases for checks in CHECKS.values() for check in checks for key, cases in check.collected()}


def collected(**fns):
    """{key: what collect sends} for each key, fn called on every case of the key as the hidden part does."""
    out = {}
    for key, fn in fns.items():
        entries = [_call(fn, list(args)) for args in CASES[key]]
        out[key] = [{**e, "value": to_doc(e["value"])} if "value" in e else e for e in entries]
    return out


def verdict(cell, **fns):
    return judge.judge_cell(CHECKS[cell], collected(**fns), points=POINTS[cell])


POINTS = {"test_elastic_net_penalty": 2, "test_svm_loss": 2, "test_hinge_loss": 2, "test_dropout_forward_train": 3,
          "test_dropout_forward_test_mode": 1}


def dropout_keys(forward):
    """The keys of the dropout training cell, collected from ``forward(x, p, rng)``."""
    def train(x, p, seed):
        return forward(x, p, np.random.default_rng(seed))
    return {"dropout_train": train, "dropout_train_p1": train,
            "dropout_average": lambda x, p, seed: train(x, p, seed)[0].mean(axis=0),
            "dropout_same_seed": lambda x, p, seed: [train(x, p, seed)[0] for _ in range(2)],
            "dropout_fresh_masks": lambda x, p, seed: [forward(x, p, r)[0] for r in [np.random.default_rng(seed)] * 2]}


def dividing(x, p, rng):
    mask = (rng.random(x.shape) >= p) / (1.0 - p)
    return x * mask, mask


def test_dropout_right_below_p1_that_divides_by_zero_at_p1_keeps_two_of_three_points():
    v = verdict("test_dropout_forward_train", **dropout_keys(dividing))
    assert v.score == 2.0 and "with p=1 divided by zero" in v.message, v
    right = verdict("test_dropout_forward_train", **dropout_keys(lambda x, p, rng: ref.dropout_forward(x, p, True, rng)))
    assert right.score == 3.0 and right.passed


@pytest.mark.parametrize("forward, sentence", [
    (lambda x, p, rng: (lambda m: (x * m, m))((rng.random(x.shape[1:]) >= p) / (1 - p)),
     "every example of the batch got the same mask"),
    (lambda x, p, rng: (lambda m: (x * m, m))((rng.random(x.shape) < p) / max(p, 1e-12)),
     "p is the probability of dropping a unit (as in torch.nn.Dropout), not of keeping it"),
    (lambda x, p, rng: (lambda m: (x * m, m))((rng.random(x.shape) >= p) * 1.0), "the kept units are not rescaled"),
    (lambda x, p, rng: (lambda m: (x * m, m))((rng.random(x.shape) >= p) / max(p, 1e-12)),
     "the kept units are scaled by 1/p"),
])
def test_each_dropout_mistake_is_named(forward, sentence):
    v = verdict("test_dropout_forward_train", **dropout_keys(forward))
    assert v.score < 3.0 and sentence in v.message, v.message


def test_scaling_at_test_time_is_named_as_the_non_inverted_form():
    def test_mode(x, p, seed):
        return x * (1 - p), None
    v = verdict("test_dropout_forward_test_mode", dropout_test_mode=test_mode)
    assert not v.passed and "non-inverted form, which scales at test time" in v.message


def hinge_without(step):
    """The reference hinge loss with one step of its gradient left out or changed."""
    def hinge(scores, y, margin=1.0):
        loss, d = layers.hinge_loss(scores, y, margin)
        n, rows = len(y), np.arange(len(y))
        if step == "correct class":
            d = d.copy()
            d[rows, y] = 0.0
        elif step == "mean":
            d = d * n
        return loss, d
    return hinge


@pytest.mark.parametrize("step, sentence", [
    ("correct class", "right at the wrong classes j != y_i but not at the correct classes"),
    ("mean", "dscores is N times too large"),
])
def test_a_wrong_hinge_gradient_is_diagnosed_in_words(step, sentence):
    v = verdict("test_hinge_loss", hinge_loss=hinge_without(step))
    assert not v.passed and sentence in v.message, v.message


NOTEBOOK = '''
def svm_loss(W, X, y, lam, penalty="l2", beta=1.0):
    penalties = {"l2": lambda: l2_penalty(W, lam), "l1": lambda: l1_penalty(W, lam),
                 "elastic_net": lambda: elastic_net_penalty(W, lam, beta)}
    if penalty not in penalties:
        raise ValueError(penalty)
    data_loss, dscores = hinge_loss(X @ W, y)
    reg_loss, dreg = penalties[penalty]()
    return data_loss + reg_loss, X.T @ dscores + dreg


def elastic_net_penalty(W, lam, beta=1.0):
    l2_value, l2_grad = l2_penalty(W, lam * beta)
    l1_value, l1_grad = l1_penalty(W, lam)
    return l2_value + l1_value, l2_grad + l1_grad
'''


def notebook(**parts):
    """A notebook's namespace: the composing answers above on the given components."""
    namespace = dict(parts)
    exec(NOTEBOOK, namespace)
    return namespace


def with_standins(namespace, fn, **standins):
    def call(*args):
        with replacing(namespace, **standins):
            return namespace[fn](*args)
    return call


def test_a_mistake_in_hinge_loss_or_l2_penalty_is_not_charged_again_in_svm_loss_or_the_elastic_net():
    def l2_without_2(W, lam):
        return ref.l2_penalty(W, lam)[0], lam * W
    ns = notebook(hinge_loss=hinge_without("correct class"), l2_penalty=l2_without_2, l1_penalty=ref.l1_penalty)
    upstream = {"test_hinge_loss": judge.Verdict(0.0, 2.0, ["wrong"]), "test_l2_penalty": judge.Verdict(0.0, 1.0, ["x"])}
    svm = judge.judge_cell(CHECKS["test_svm_loss"], collected(
        svm_loss=ns["svm_loss"], svm_loss_unknown_penalty=ns["svm_loss"],
        svm_loss_standin=with_standins(ns, "svm_loss", hinge_loss=square_loss, l2_penalty=quartic_penalty,
                                       l1_penalty=cubic_penalty, elastic_net_penalty=quartic_cubic_penalty)),
        points=2, verdicts=upstream)
    assert svm.score == 2.0, svm
    standin = with_standins(ns, "elastic_net_penalty", l2_penalty=quartic_penalty, l1_penalty=cubic_penalty)
    elastic = judge.judge_cell(CHECKS["test_elastic_net_penalty"], collected(
        elastic_net_penalty=ns["elastic_net_penalty"], elastic_net_penalty_standin=standin,
        elastic_net_penalty_default_beta=lambda W, lam: ns["elastic_net_penalty"](W, lam),
        elastic_net_penalty_default_beta_standin=lambda W, lam: standin(W, lam)), points=2, verdicts=upstream)
    assert elastic.score == 2.0, elastic


def test_svm_loss_that_forgets_the_chain_rule_loses_its_points_with_the_standin_runs_sentence():
    ns = notebook(hinge_loss=layers.hinge_loss, l2_penalty=ref.l2_penalty, l1_penalty=ref.l1_penalty)
    exec("def svm_loss(W, X, y, lam, penalty='l2', beta=1.0):\n"
         "    if penalty not in ('l2', 'l1', 'elastic_net'):\n        raise ValueError(penalty)\n"
         "    loss, d = hinge_loss(X @ W, y)\n    return loss + l2_penalty(W, lam)[0], d.sum() + l2_penalty(W, lam)[1]\n",
         ns)
    v = judge.judge_cell(CHECKS["test_svm_loss"], collected(
        svm_loss=ns["svm_loss"], svm_loss_unknown_penalty=ns["svm_loss"],
        svm_loss_standin=with_standins(ns, "svm_loss", hinge_loss=square_loss, l2_penalty=quartic_penalty,
                                       l1_penalty=cubic_penalty, elastic_net_penalty=quartic_cubic_penalty)), points=2)
    assert v.score == 0.0 and "svm_loss (the loss, then dW)" in v.message


def test_the_reference_run_refuses_settings_it_would_not_bound():
    with pytest.raises(judge.Failure, match="outside what the grader's check accepts"):
        regularization.bounded({"max_shift": 10 ** 9})
    with pytest.raises(judge.Failure, match="not one of"):
        regularization.bounded({"penalty": "l3"})
    regularization.bounded({"penalty": "l2", "lam": 0.03, "noise_std": 0.5})


def test_the_reference_run_is_the_notebooks_own_loop_on_the_references_parts():
    train_network = regularization.reference_train_network()
    assert train_network.__code__.co_filename == "<05_regularization cell training>"
    assert train_network.__globals__["hinge_loss"] is layers.hinge_loss
    assert "BASELINE" not in train_network.__globals__   # the cell's baseline runs are left out

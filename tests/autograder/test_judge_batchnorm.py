"""autograder/judge/batchnorm.py: each message names the mistake it found, after checking it."""
import numpy as np
import pytest

from autograder.judge import Failure, Result
from autograder.judge import batchnorm as bn
from autograder.reference import normalization as ref

X = np.array([[0.0, 1.0], [2.0, 1.0], [4.0, 4.0], [6.0, 2.0]])
N = len(X)
UNBIASED, BIASED, MEAN = X.var(axis=0) * N / (N - 1), X.var(axis=0), X.mean(axis=0)


@pytest.mark.parametrize("name, got, words", [
    ("running_var", 0.9 * 1.0 + 0.1 * BIASED, "should store the unbiased batch variance"),
    ("running_var", 0.1 * UNBIASED, "should start at ones"),
    ("running_var", 0.1 * BIASED, "should start at ones.*unbiased"),
    ("running_var", 0.9 * UNBIASED + 0.1 * 1.0, "swapped"),
    ("running_mean", MEAN, "overwritten by this batch's statistic"),
    ("running_mean", 0.9 * MEAN, "swapped"),
])
def test_a_running_statistic_names_its_mistake(name, got, words):
    before = np.ones(2) if name == "running_var" else np.zeros(2)
    mistake = bn.running_mistake(name, got, before, X, 0.1, fresh=True)
    assert mistake is not None and __import__("re").search(words, mistake), mistake


def test_an_unknown_running_statistic_gets_no_invented_cause():
    assert bn.running_mistake("running_mean", np.array([7.0, 7.0]), np.zeros(2), X, 0.1, fresh=True) is None
    assert bn.running_mistake("running_var", 0.9 + 0.1 * UNBIASED, np.ones(2), X, 0.1, fresh=True) is None


STATE = {"running_mean": np.array([1.0, -2.0]), "running_var": np.array([4.0, 0.25])}
GAMMA, BETA = np.array([2.0, 0.5]), np.array([1.0, -1.0])


def _evaluation_message(out):
    case = (STATE, X, GAMMA, BETA, {"eps": 0.0})
    with pytest.raises(Failure) as failure:
        bn.judge_evaluation([Result((out, dict(STATE)))], [case])
    return str(failure.value)


def test_the_evaluation_message_says_batch_statistics_only_when_they_were_used():
    batch = GAMMA * (X - MEAN) / np.sqrt(BIASED) + BETA
    assert "normalizes with this batch's own mean and variance" in _evaluation_message(batch)
    dropped = (X - STATE["running_mean"]) / np.sqrt(STATE["running_var"])
    message = _evaluation_message(dropped)
    assert "leaves out gamma and beta" in message and "batch's" not in message
    other = _evaluation_message(np.zeros_like(X))
    assert "matches neither" in other and "it normalizes with" not in other


def test_an_evaluation_that_changes_the_state_is_told_so():
    out = ref.batchnorm_forward(X, GAMMA, BETA, dict(STATE), train=False, eps=0.0)[0]
    changed = {**STATE, "running_mean": np.zeros(2)}
    with pytest.raises(Failure, match="changed in an evaluation-mode call"):
        bn.judge_evaluation([Result((out, changed))], [(STATE, X, GAMMA, BETA, {"eps": 0.0})])


def test_the_training_output_names_the_unbiased_variance():
    out = GAMMA * (X - MEAN) / np.sqrt(UNBIASED + 1e-5) + BETA
    assert "unbiased variance" in bn.training_mistake(out, X, GAMMA, BETA)
    assert bn.training_mistake(np.zeros_like(X), X, GAMMA, BETA) is None


def test_train_false_is_suggested_only_for_training_mode_scores():
    check = bn.evaluation_check("k", bn.ref_mlp_eval, "the evaluation-mode scores")
    cases = [case for case in check.cases if len(case[0]) > 1]   # a batch of one has no training-mode scores
    assert cases
    trained = [bn.ref_mlp_eval(*case, train=True) for case in cases]
    with pytest.raises(Failure, match="pass train=False"):
        check.judge([Result(t) for t in trained], cases)
    with pytest.raises(Failure) as failure:
        check.judge([Result(np.zeros_like(t)) for t in trained], cases)
    assert "train=False" not in str(failure.value)


def test_the_standin_expectation_uses_the_standins_and_restores_the_reference():
    from autograder.reference import mlp as ref_mlp
    X_, params, bn_states, y = bn.mlp_cases()[0]
    own, standin = bn.ref_mlp_scores(X_, params, bn_states, y), bn.with_standins(bn.ref_mlp_scores)(X_, params, bn_states, y)
    assert not np.allclose(own, standin)
    assert ref_mlp.batchnorm_forward is ref.batchnorm_forward

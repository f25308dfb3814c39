"""autograder.judge: deciding a test cell outside the sandbox from what collect sent (untrusted)."""
import dataclasses

import numpy as np
import pytest

from autograder import judge
from nnlab.collect import to_doc


def sent(*values, error=None, warnings=(), mutated=()):
    """What collect would send for these per-case values."""
    return [{"value": to_doc(v), "warnings": list(warnings), "mutated": list(mutated)} if error is None
            else {"error": error, "warnings": [], "mutated": []} for v in values]


CASES = [(np.array([0.0, 1.0]),), (np.array([-2.0]),)]
SQUARE = judge.against("square", lambda x: x ** 2, CASES)


def test_a_result_equal_to_the_reference_passes():
    verdict = judge.judge_cell([SQUARE], {"square": sent(np.array([0.0, 1.0]), np.array([4.0]))})
    assert verdict.passed and verdict.score == 1.0 and verdict.message == ""


def test_a_wrong_value_fails_naming_the_function_the_shapes_and_the_values():
    verdict = judge.judge_cell([SQUARE], {"square": sent(np.array([0.0, 1.0]), np.array([-4.0]))})
    passed, message = verdict.passed, verdict.message
    assert not passed and verdict.score == 0.0 and "square for inputs of shapes (1,)" in message and "expected 4, got -4" in message


def test_an_error_of_the_students_code_is_the_message():
    message = judge.judge_cell([SQUARE], {"square": sent(None, None, error="ValueError: no")}).message
    passed = False
    assert not passed and "raised ValueError: no" in message


@pytest.mark.parametrize("raw", [None, [], "junk", [{"value": {"pickle": "x"}}] * 2, [1, 2]])
def test_missing_or_malformed_results_score_nothing(raw):
    verdict = judge.judge_cell([SQUARE], {"square": raw})
    assert verdict.score == 0.0 and verdict.failures == [judge.NOT_RUN]


def test_stable_and_pure_checks_read_the_warnings_and_the_modified_arguments():
    stable = judge.against("e", np.exp, [(np.array([1e4]),)], stable=True)
    verdict = judge.judge_cell([stable], {"e": sent(np.array([np.inf]), warnings=["RuntimeWarning: overflow"])})
    passed, message = verdict.passed, verdict.message
    assert not passed and "not numerically stable" in message
    pure = judge.against("p", lambda x: x + 1, [(np.zeros(2),)], pure=True)
    verdict = judge.judge_cell([pure], {"p": sent(np.ones(2), mutated=[0])})
    passed, message = verdict.passed, verdict.message
    assert not passed and "modified its argument number 1" in message


def test_tuples_and_dicts_are_compared_item_by_item():
    check = judge.against("t", lambda x: (x, {"a": x}), [(np.ones(2),)])
    assert judge.judge_cell([check], {"t": sent((np.ones(2), {"a": np.ones(2)}))}).passed
    verdict = judge.judge_cell([check], {"t": sent((np.ones(2), {"b": np.ones(2)}))})
    assert not verdict.passed and "keys ['a']" in verdict.message
    verdict = judge.judge_cell([check], {"t": sent(np.ones(2))})
    assert not verdict.passed and "should return 2 values" in verdict.message


def test_the_inputs_document_holds_every_key_of_an_assignment():
    import json
    from nnlab.collect import from_doc
    inputs = from_doc(json.loads(judge.inputs_document("01_backprop")))
    keys = {k for cs in judge.checks("01_backprop").values() for c in cs for k in c.keys}
    assert set(inputs) == keys and all(isinstance(case, tuple) for cases in inputs.values() for case in cases)


# --- partial credit -------------------------------------------------------------------------------
EDGE = judge.against("edge", lambda x: x ** 2, [(np.array([3.0]),)], points=1)
RIGHT, WRONG = np.array([9.0]), np.array([0.0])


def test_a_check_with_points_earns_them_alone_and_the_others_share_the_rest():
    square = {"square": sent(np.array([0.0, 1.0]), np.array([4.0]))}
    both = judge.judge_cell([SQUARE, EDGE], {**square, "edge": sent(RIGHT)}, points=3)
    assert (both.score, both.points, both.message) == (3.0, 3.0, "")
    edge_wrong = judge.judge_cell([SQUARE, EDGE], {**square, "edge": sent(WRONG)}, points=3)
    assert edge_wrong.score == 2.0 and edge_wrong.lost and "edge for inputs" in edge_wrong.message
    main_wrong = judge.judge_cell([SQUARE, EDGE], {"square": sent(np.zeros(2), np.zeros(1)), "edge": sent(RIGHT)},
                                  points=3)
    assert main_wrong.score == 1.0 and main_wrong.failures and "square" in main_wrong.message


def test_the_checks_without_points_are_all_or_nothing_and_every_failure_is_reported():
    other = judge.against("other", lambda x: -x, [(np.array([1.0]),)])
    collected = {"square": sent(np.array([0.0, 1.0]), np.array([4.0])), "other": sent(np.array([1.0])),
                 "edge": sent(WRONG)}
    verdict = judge.judge_cell([SQUARE, other, EDGE], collected, points=4)
    assert verdict.score == 0.0 and len(verdict.failures) == 2
    assert verdict.message.startswith("other for inputs") and "edge for inputs" in verdict.message


def test_checks_not_run_cost_their_own_points_only():
    verdict = judge.judge_cell([SQUARE, EDGE], {"edge": sent(RIGHT)}, points=3)
    assert verdict.score == 1.0 and verdict.failures == [judge.NOT_RUN]


# --- any_of and stand-ins -------------------------------------------------------------------------
OWN = judge.against("net", lambda x: 2 * x, [(np.array([1.0]),)], builds_on={"test_relu": "relu"})
STANDIN = judge.against("net_standin", lambda x: 3 * x, [(np.array([1.0]),)], what="net with the stand-ins")
UPSTREAM_LOST = {"test_relu": judge.Verdict(0.0, 1.0, ["relu is wrong"])}
UPSTREAM_FINE = {"test_relu": judge.Verdict(1.0, 1.0)}


def test_any_of_passes_when_one_of_its_checks_passes():
    either = judge.any_of(OWN, STANDIN)
    assert either.keys == ("net", "net_standin")
    for own, standin in ((2.0, 0.0), (0.0, 3.0), (2.0, 3.0)):
        collected = {"net": sent(np.array([own])), "net_standin": sent(np.array([standin]))}
        assert judge.judge_cell([either], collected, points=2, verdicts=UPSTREAM_LOST).score == 2.0


def test_any_of_reports_the_first_message_when_the_upstream_part_is_right():
    collected = {"net": sent(np.array([0.0])), "net_standin": sent(np.array([0.0]))}
    verdict = judge.judge_cell([judge.any_of(OWN, STANDIN)], collected, points=2, verdicts=UPSTREAM_FINE)
    assert verdict.score == 0.0 and verdict.message.startswith("net for inputs")


def test_any_of_reports_the_standin_run_when_the_upstream_part_is_wrong():
    collected = {"net": sent(np.array([0.0])), "net_standin": sent(np.array([0.0]))}
    verdict = judge.judge_cell([judge.any_of(OWN, STANDIN)], collected, points=2, verdicts=UPSTREAM_LOST)
    assert verdict.score == 0.0 and verdict.message.startswith("net with the stand-ins")


def test_a_failure_an_upstream_mistake_explains_costs_nothing_and_says_so():
    collected = {"net": sent(np.array([0.0]))}
    verdict = judge.judge_cell([OWN], collected, points=2, verdicts=UPSTREAM_LOST)
    assert verdict.score == 2.0 and verdict.passed and not verdict.failures
    assert verdict.message == "net fails because `relu` fails above (test_relu): not charged again here"
    assert judge.judge_cell([OWN], collected, points=2, verdicts=UPSTREAM_FINE).score == 0.0


def test_a_fallback_decides_only_when_an_upstream_cell_lost_and_its_failure_is_charged():
    answer = judge.against("answer", lambda x: x, [(np.array([1.0]),)], builds_on={"test_relu": "relu"}, what="the answer alone")
    fallback = dataclasses.replace(answer, fallback=True)
    either = judge.any_of(OWN, fallback)
    own_wrong = {"net": sent(np.array([0.0])), "answer": sent(np.array([1.0]))}
    # upstream fine: the own run alone decides (a right answer does not excuse a wrong run)
    verdict = judge.judge_cell([either], own_wrong, points=2, verdicts=UPSTREAM_FINE)
    assert verdict.score == 0.0 and verdict.message.startswith("net for inputs")
    # upstream lost: the answer alone decides, and a wrong answer costs the cell
    assert judge.judge_cell([either], own_wrong, points=2, verdicts=UPSTREAM_LOST).score == 2.0
    both_wrong = {"net": sent(np.array([0.0])), "answer": sent(np.array([5.0]))}
    verdict = judge.judge_cell([either], both_wrong, points=2, verdicts=UPSTREAM_LOST)
    assert verdict.score == 0.0 and verdict.message.startswith("the answer alone")


def test_the_inputs_document_holds_the_keys_of_every_member_of_an_any_of(monkeypatch):
    import json
    from nnlab.collect import from_doc

    class Module:
        TESTS = {"test_net": [judge.any_of(OWN, STANDIN)]}
    monkeypatch.setattr(judge, "module", lambda assignment: Module)
    judge.inputs_document.cache_clear()
    try:
        assert set(from_doc(json.loads(judge.inputs_document("99_fake")))) == {"net", "net_standin"}
    finally:
        judge.inputs_document.cache_clear()


def test_standins_are_replaced_and_restored_even_when_the_block_raises():
    from nnlab import standins

    namespace = {"relu": abs}
    with pytest.raises(ZeroDivisionError):
        with standins.replacing(namespace, relu=standins.bent, relu_grad=standins.bent_grad):
            assert namespace["relu"] is standins.bent and namespace["relu_grad"] is standins.bent_grad
            1 / 0
    assert namespace == {"relu": abs}


def test_the_standins_are_what_their_docstrings_say():
    from nnlab import standins
    from nnlab.gradcheck import numerical_gradient_array

    x = np.linspace(-3.0, 3.0, 7)
    assert np.allclose(standins.bent(x), x + 0.1 * x ** 2)
    assert np.allclose(standins.bent_grad(x), numerical_gradient_array(standins.bent, x.copy(), np.ones_like(x)))
    rng = np.random.default_rng(0)
    x, gamma, beta, dout = rng.normal(size=(5, 3)), rng.normal(size=3), rng.normal(size=3), rng.normal(size=(5, 3))
    state = {}
    out, cache = standins.shift_scale_forward(x, gamma, beta, state)
    assert np.allclose(out, gamma * (x - 1.0) * 0.5 + beta) and state == {"calls": 1}
    assert np.allclose(standins.shift_scale_forward(x, gamma, beta, state, train=False)[0], gamma * x * 0.5 + beta)
    dx, dgamma, dbeta = standins.shift_scale_backward(dout, cache)
    for got, arg in ((dx, 0), (dgamma, 1), (dbeta, 2)):
        def forward(a, arg=arg):
            args = [x, gamma, beta]
            args[arg] = a
            return standins.shift_scale_forward(*args, {})[0]
        assert np.allclose(got, numerical_gradient_array(forward, [x, gamma, beta][arg].copy(), dout))
    rule, w = standins.SignStep(), np.array([1.0, -1.0])
    w1, state = rule(w, np.array([2.0, -0.5]), None, lr=5.0)
    w2, state = rule(w1, np.array([-1.0, 0.0]), state)
    assert np.allclose(w1, [0.9, -0.9]) and np.allclose(w2, [1.0, -0.9]) and np.allclose(w, [1.0, -1.0])
    assert rule.calls == [((2,), 0, {"lr": 5.0}), ((2,), 1, {})] and state == {"calls": 2}


def test_part_9_of_02_judges_adam_hyper_alone_when_fit_fails_above():
    """One mistake, one charge, both ways: a fit that raises costs test_fit only, yet ADAM_HYPER still counts."""
    cell = judge.checks("02_optimizers")["test_train_digits"]
    fit_lost = {"test_fit": judge.Verdict(0.0, 2.0, ["fit is wrong"]), "test_adam": judge.Verdict(3.0, 3.0)}
    raised = sent(None, error="ValueError: operands could not be broadcast together")
    good = judge.judge_cell(cell, {"train_digits": raised, "train_digits_hyper": sent({"lr": 0.1})}, 2, fit_lost)
    assert good.score == 2.0
    slow = judge.judge_cell(cell, {"train_digits": raised, "train_digits_hyper": sent({"lr": 1e-4})}, 2, fit_lost)
    assert slow.score == 0.0 and "should be below 0.05" in slow.message
    # with adam and fit right, the student's own run decides: ADAM_HYPER alone does not excuse it
    fine = {"test_fit": judge.Verdict(2.0, 2.0), "test_adam": judge.Verdict(3.0, 3.0)}
    wrong_run = sent({"hyper": {"lr": 0.1}, "losses": np.zeros(200)})
    own = judge.judge_cell(cell, {"train_digits": wrong_run, "train_digits_hyper": sent({"lr": 0.1})}, 2, fine)
    assert own.score == 0.0 and "training losses" in own.message

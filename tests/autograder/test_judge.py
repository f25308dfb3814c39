"""autograder.judge: deciding a test cell outside the sandbox from what collect sent (untrusted)."""
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
    assert judge.judge_cell([SQUARE], {"square": sent(np.array([0.0, 1.0]), np.array([4.0]))}) == (True, "")


def test_a_wrong_value_fails_naming_the_function_the_shapes_and_the_values():
    passed, message = judge.judge_cell([SQUARE], {"square": sent(np.array([0.0, 1.0]), np.array([-4.0]))})
    assert not passed and "square for inputs of shapes (1,)" in message and "expected 4, got -4" in message


def test_an_error_of_the_students_code_is_the_message():
    passed, message = judge.judge_cell([SQUARE], {"square": sent(None, None, error="ValueError: no")})
    assert not passed and "raised ValueError: no" in message


@pytest.mark.parametrize("raw", [None, [], "junk", [{"value": {"pickle": "x"}}] * 2, [1, 2]])
def test_missing_or_malformed_results_score_nothing(raw):
    assert judge.judge_cell([SQUARE], {"square": raw}) == (False, judge.NOT_RUN)


def test_stable_and_pure_checks_read_the_warnings_and_the_modified_arguments():
    stable = judge.against("e", np.exp, [(np.array([1e4]),)], stable=True)
    passed, message = judge.judge_cell([stable], {"e": sent(np.array([np.inf]), warnings=["RuntimeWarning: overflow"])})
    assert not passed and "not numerically stable" in message
    pure = judge.against("p", lambda x: x + 1, [(np.zeros(2),)], pure=True)
    passed, message = judge.judge_cell([pure], {"p": sent(np.ones(2), mutated=[0])})
    assert not passed and "modified its argument number 1" in message


def test_tuples_and_dicts_are_compared_item_by_item():
    check = judge.against("t", lambda x: (x, {"a": x}), [(np.ones(2),)])
    assert judge.judge_cell([check], {"t": sent((np.ones(2), {"a": np.ones(2)}))})[0]
    passed, message = judge.judge_cell([check], {"t": sent((np.ones(2), {"b": np.ones(2)}))})
    assert not passed and "keys ['a']" in message
    passed, message = judge.judge_cell([check], {"t": sent(np.ones(2))})
    assert not passed and "should return 2 values" in message


def test_the_inputs_document_holds_every_key_of_an_assignment():
    import json
    from nnlab.collect import from_doc
    inputs = from_doc(json.loads(judge.inputs_document("01_backprop")))
    keys = {c.key for cs in judge.checks("01_backprop").values() for c in cs}
    assert set(inputs) == keys and all(isinstance(case, tuple) for cases in inputs.values() for case in cases)

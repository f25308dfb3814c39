"""nnlab.checks: each check fails with a sentence that names what was checked, what was expected and what came back."""
import numpy as np
import pytest

from nnlab.checks import check_against, check_close, check_gradient, check_shape, check_stable


def _message(check, *args, **kwargs):
    with pytest.raises(AssertionError) as failure:
        check(*args, **kwargs)
    return str(failure.value)


def test_check_close_names_the_first_wrong_value_and_what_came_back():
    message = _message(check_close, np.array([1.0, 2.5, 3.0]), [1.0, 2.0, 3.0], "f([1, 2, 3])")
    assert message.startswith("f([1, 2, 3]): 1 of 3 values are wrong; first at index (1,): expected 2, got 2.5")


def test_check_close_passes_within_tolerance_and_treats_matching_nan_as_equal():
    check_close(np.array([1.0 + 1e-9, np.nan]), [1.0, np.nan], "values")


def test_a_missing_return_is_named():
    assert "returned None; did you forget a `return`?" in _message(check_close, None, [1.0], "f")


def test_a_ragged_tuple_gets_a_shape_message_instead_of_a_numpy_error():
    message = _message(check_shape, (np.zeros(3), np.zeros((2, 2))), (2, 3), "the scores")
    assert message == "the scores should have shape (2, 3); got a tuple of 2 items of different shapes, not one array"
    assert "not one array" in _message(check_close, (np.zeros(3), np.zeros((2, 2))), np.zeros((2, 3)), "the scores")


def test_non_numbers_are_named():
    assert "should be numbers; got str 'abc'" in _message(check_close, "abc", 1.0, "the loss")


def test_check_gradient_reports_the_relative_error():
    message = _message(check_gradient, np.array([1.0, 2.0]), np.array([1.0, 2.1]), "dx")
    assert message.startswith("dx disagrees with the numerical gradient: relative error")


def test_check_stable_reports_numpy_overflow():
    message = _message(check_stable, lambda x: 1.0 / (1.0 + np.exp(-x)), "sigmoid")
    assert "sigmoid is not numerically stable" in message and "overflow" in message


def test_check_against_compares_each_output_of_a_tuple():
    def reference(x):
        return x, 2 * x

    def wrong(x):
        return x, 3 * x
    message = _message(check_against, wrong, reference, "pair", [(np.ones(2),)])
    assert message.startswith("pair output 1 for inputs of shapes (2,): 2 of 2 values are wrong")


@pytest.mark.slow
def test_in_a_notebook_a_failed_check_shows_the_test_line_and_the_message_not_the_toolkit():
    import re

    import nbformat
    from nbclient import NotebookClient

    source = ("import numpy as np\nfrom nnlab.checks import check_against\n\n"
              "def plus_one(x):\n    return x + 1\n\ncheck_against(plus_one, lambda x: x, 'plus_one', [(np.ones(2),)])")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=60).execute()
    (error,) = [out for out in nb.cells[0].outputs if out.output_type == "error"]
    shown = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))
    assert error.ename == "AssertionError"
    assert "----> 7 check_against(plus_one" in shown
    assert shown.rstrip().endswith("AssertionError: " + error.evalue) and "2 of 2 values are wrong" in error.evalue
    assert "nnlab" not in shown.replace("from nnlab.checks import", "") and "checks.py" not in shown, shown

"""The feedback page a student opens (autograder.worker.feedback) in the browser: the failure message of a test is read
whole, without scrolling sideways, and the page loads nothing from the network."""
import nbformat
import pytest

from autograder.records import CellResult
from autograder.worker.feedback import write_feedback

pytestmark = pytest.mark.browser

MESSAGE = ("AssertionError: softmax_cross_entropy overflowed for scores of 1e4 (overflow encountered in exp): "
           "exp must never see a large positive number, whatever the scores (see the hint above)")


def test_a_long_failure_message_wraps_instead_of_scrolling(visit, tmp_path):
    cell = nbformat.v4.new_code_cell("check_close(softmax_cross_entropy(big), 0.0, 'loss')", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "grade_id": "test_softmax", "points": 3, "schema_version": 3}})
    ename, evalue = MESSAGE.split(": ", 1)
    cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[MESSAGE]),
                    nbformat.v4.new_output("stream", name="stdout", text=f"[grader] 0 of 3 points: {MESSAGE}\n")]
    nb = nbformat.v4.new_notebook(cells=[cell])
    cells = [CellResult("test_softmax", "test", 3.0, 0.0)]
    page = visit(write_feedback(nb, cells, tmp_path / "alice.html", "alice", "01_backprop").as_uri())
    for selector, text in [(".output_error pre", MESSAGE), (".output_stdout pre", f"[grader] 0 of 3 points: {MESSAGE}")]:
        shown = page.page.locator(selector).first
        assert " ".join(shown.inner_text().split()) == text
        width = shown.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert width[0] <= width[1], f"{selector} scrolls sideways ({width[0]} px of text in {width[1]} px)"
    assert not page.problems(), page.problems()

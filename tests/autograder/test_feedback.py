"""Feedback pages: nbgrader's layout without hidden tests, traceback lines or scripts."""
import re

import nbformat

import corpus
from autograder import course
from autograder.worker.feedback import student_view, write_feedback
from autograder.notebooks import nbgrader_meta
from autograder.records import CellResult

FAILED = "test_relu_grad"


def autograded():
    """The solution notebook as if autograded: one test failed with a traceback quoting a hidden line."""
    nb = nbformat.read(str(course.SOLUTIONS / corpus.ASSIGNMENT / corpus.NOTEBOOK), as_version=4)
    cells = []
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in corpus.POINTS:
            cells.append(CellResult(gid, "test", float(corpus.POINTS[gid]),
                                    0.0 if gid == FAILED else float(corpus.POINTS[gid])))
        if gid == FAILED:
            cell.outputs = [nbformat.v4.new_output(
                "error", ename="AssertionError", evalue="relu_grad on zeros: 4 of 4 values are wrong",
                traceback=["Traceback (most recent call last)", "----> 7 check_against(relu_grad, ref.relu_grad, ...)",
                           "AssertionError: relu_grad on zeros: 4 of 4 values are wrong"])]
    return nb, cells


def test_student_view_drops_hidden_tests_and_keeps_only_the_error_message():
    nb, cells = autograded()
    view = student_view(nb, cells, notes=["<b>a note</b>"])
    text = "\n".join(c.source for c in view.cells)
    assert "BEGIN HIDDEN TESTS" not in text and "ref.relu_grad" not in text
    (failed,) = [c for c in view.cells if nbgrader_meta(c).get("grade_id") == FAILED]
    assert failed.outputs[0]["traceback"] == ["AssertionError: relu_grad on zeros: 4 of 4 values are wrong"]
    assert nbgrader_meta(failed)["score"] == 0.0 and nbgrader_meta(failed)["points"] == 1.0
    assert "&lt;b&gt;a note&lt;/b&gt;" in view.cells[0].source  # notes are text, never markup


def test_a_warning_in_a_test_cell_shows_its_message_but_not_the_source_line_python_quotes():
    nb, cells = autograded()
    (failed,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == FAILED]
    failed.outputs = [nbformat.v4.new_output(
        "stream", name="stderr", text="/tmp/ipykernel_77/3141.py:9: RuntimeWarning: overflow encountered in exp\n"
                                      "  hidden = np.exp(ref.relu_grad(x))\n")]
    (shown,) = [c for c in student_view(nb, cells).cells if nbgrader_meta(c).get("grade_id") == FAILED]
    assert shown.outputs[0]["text"] == "RuntimeWarning: overflow encountered in exp\n"


def test_feedback_page_shows_scores_and_loads_nothing_from_anywhere(tmp_path):
    nb, cells = autograded()
    path = write_feedback(nb, cells, tmp_path / "fb" / "01_backprop.ipynb", "alice", corpus.ASSIGNMENT)
    page = path.read_text(encoding="utf-8")
    assert path.suffix == ".html"
    assert f"Score: {corpus.FULL - corpus.POINTS[FAILED]} / {corpus.FULL}" in page
    assert "relu_grad on zeros: 4 of 4 values are wrong" in page
    assert "ref.relu_grad" not in re.sub(r"<[^>]+>", "", page)
    assert "<script" not in page.lower()
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_the_list_of_graded_cells_names_each_test_so_the_student_finds_the_one_that_lost_points(tmp_path):
    nb, cells = autograded()
    page = write_feedback(nb, cells, tmp_path / "01_backprop.ipynb", "alice", corpus.ASSIGNMENT).read_text("utf-8")
    listed = re.findall(r'<li><a href="#(\w+)">Test cell (\w+)</a> \(Score: ([\d.]+) / ([\d.]+)\)', page)
    assert [gid for gid, _, _, _ in listed] == [c.grade_id for c in cells]
    assert all(gid == name for gid, name, _, _ in listed)
    assert (FAILED, FAILED, "0.0", "1.0") in listed


def test_hidden_test_lines_printed_by_submitted_code_are_redacted():
    """The sandbox runs the hidden part of each test, so a submission can print it (from In, linecache,
    the runner's frames): the page never shows it."""
    nb, cells = autograded()
    hidden = [c.source for c in nb.cells if "BEGIN HIDDEN TESTS" in c.source]
    answer = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "sigmoid")
    answer.outputs = [nbformat.v4.new_output("stream", name="stdout", text=repr(hidden)),
                      nbformat.v4.new_output("execute_result", data={"text/plain": "\n".join(hidden)}, execution_count=1)]
    (shown,) = [c for c in student_view(nb, cells).cells if nbgrader_meta(c).get("grade_id") == "sigmoid"]
    text = shown.outputs[0]["text"] + shown.outputs[1]["data"]["text/plain"]
    assert "HIDDEN TESTS" not in text and 'collect("sigmoid_extremes", sigmoid)' not in text
    assert "[hidden test]" in text

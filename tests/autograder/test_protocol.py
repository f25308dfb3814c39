"""Every test cell is written to the grading protocol (autograder/judge): the hidden part collects,
the judge decides, and nothing of the answer key appears in a notebook."""
import re

import nbformat
import pytest

from autograder import course, judge
from autograder.notebooks import is_test, nbgrader_meta

COLLECT = re.compile(r"""collect\(\s*["'](\w+)["']""")


def graded_cells(assignment):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if is_test(c, nbgrader_meta(c))}


@pytest.mark.parametrize("assignment", course.assignments())
def test_every_test_cell_has_a_judge_and_every_judge_a_cell(assignment):
    cells, checks = graded_cells(assignment), judge.checks(assignment)
    assert set(cells) == set(checks), (f"test cells without a judge: {sorted(set(cells) - set(checks))}; "
                                       f"judges without a test cell: {sorted(set(checks) - set(cells))}")


@pytest.mark.parametrize("assignment", course.assignments())
def test_each_cell_collects_exactly_the_keys_its_judge_decides_on(assignment):
    cells, checks = graded_cells(assignment), judge.checks(assignment)
    for gid, source in cells.items():
        collected = set(COLLECT.findall(source))
        judged = {c.key for c in checks.get(gid, [])}
        assert collected == judged, f"{gid}: collects {sorted(collected)}, its judge decides on {sorted(judged)}"


@pytest.mark.parametrize("assignment", course.assignments())
def test_no_notebook_cell_reaches_for_the_answer_key(assignment):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    for cell in nbformat.read(path, as_version=4).cells:
        assert "autograder" not in cell.source, (
            f"{nbgrader_meta(cell).get('grade_id')}: a notebook cell mentions `autograder`; the reference stays "
            "in the judge, outside the sandbox (autograder/judge)")


def test_keys_are_unique_within_an_assignment():
    for assignment in course.assignments():
        keys = [c.key for cs in judge.checks(assignment).values() for c in cs]
        assert len(keys) == len(set(keys)), f"{assignment}: a key is judged twice: {sorted(keys)}"

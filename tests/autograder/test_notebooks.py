"""Submitted notebooks read defensively and rebuilt on the instructor's skeleton (no kernel involved)."""
import json

import nbformat
import pytest

import corpus
from autograder import course
from autograder.notebooks import Assignment, Unreadable, canonicalize, nbgrader_meta, read_submission


@pytest.fixture(scope="module")
def assignment():
    return Assignment.from_files(course.EXERCISES / corpus.ASSIGNMENT / corpus.NOTEBOOK,
                                 course.SOLUTIONS / corpus.ASSIGNMENT / corpus.NOTEBOOK)


def rebuilt(assignment, nb):
    submitted, version = read_submission(corpus.dump(nb) if not isinstance(nb, bytes) else nb)
    return canonicalize(assignment, submitted, version)


def sources(nb):
    return {nbgrader_meta(c).get("grade_id"): c.source for c in nb.cells if nbgrader_meta(c).get("grade_id")}


@pytest.mark.parametrize("data, phrase", [
    (b"", "empty"), (b"  \n", "empty"), (b'{"cells": [', "not valid JSON"), (b"[1, 2]", "not a Jupyter notebook"),
    (json.dumps({"nbformat": 2, "worksheets": []}).encode(), "too old"),
])
def test_unreadable_files_are_refused_with_a_reason(data, phrase):
    with pytest.raises(Unreadable, match=phrase):
        read_submission(data)


def test_the_perfect_submission_is_rebuilt_unchanged_except_for_the_hidden_tests(assignment):
    nb, notes = rebuilt(assignment, corpus.answered())
    assert notes == []
    answered = sources(corpus.answered())
    for gid, source in sources(nb).items():
        if gid in assignment.instructor and gid.startswith("test_"):
            assert source == assignment.instructor[gid] and "BEGIN HIDDEN TESTS" in source
        elif gid not in assignment.instructor:
            assert source == answered[gid]


def test_deleted_answer_cells_get_the_stub_and_deleted_tests_come_back(assignment):
    nb, notes = rebuilt(assignment, corpus._without("relu"))
    assert "raise NotImplementedError" in sources(nb)["relu"]
    assert any("answer cell(s) missing, graded as unanswered: relu" in n for n in notes)
    nb, notes = rebuilt(assignment, corpus._without("test_sigmoid"))
    assert "BEGIN HIDDEN TESTS" in sources(nb)["test_sigmoid"]
    assert any("test cell(s) missing, restored" in n and "test_sigmoid" in n for n in notes)


def test_duplicates_are_graded_once_and_extra_answer_copies_kept_as_plain_cells(assignment):
    nb, notes = rebuilt(assignment, corpus._duplicated())
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells]
    assert ids.count("tanh") == 1 and ids.count("test_tanh") == 1
    assert len(nb.cells) == len(corpus.release().cells) + 1  # the second tanh copy stays, unmarked
    assert any("answer cell tanh appears 2 times" in n for n in notes)
    assert any("instructor cell test_tanh appears 2 times" in n for n in notes)


def test_reordered_and_stripped_cells_are_put_back_in_the_assignments_order(assignment):
    order = [nbgrader_meta(c).get("grade_id") for c in corpus.release().cells]
    for broken, phrase in ((corpus._reordered(), "moved"), (corpus._stripped(), "lost their nbgrader metadata")):
        nb, notes = rebuilt(assignment, broken)
        assert [nbgrader_meta(c).get("grade_id") for c in nb.cells] == order
        assert sources(nb)["sigmoid"] == sources(corpus.answered())["sigmoid"]
        assert any(phrase in n for n in notes), notes


def test_edited_read_only_cells_are_restored_and_reported(assignment):
    nb, notes = rebuilt(assignment, corpus._edit("test_softplus", lambda src: "pass"))
    assert sources(nb)["test_softplus"] == assignment.instructor["test_softplus"]
    assert any("edited or deleted, the original was run: test_softplus" in n for n in notes)


def test_a_students_own_cells_stay_after_the_cell_they_followed_without_nbgrader_metadata(assignment):
    nb = corpus.answered()
    i = next(i for i, c in enumerate(nb.cells) if nbgrader_meta(c).get("grade_id") == "relu")
    helper = nbformat.v4.new_code_cell("def helper():\n    return 1")
    helper.metadata["nbgrader"] = {"grade": True, "points": 100, "grade_id": "bonus", "solution": False}
    nb.cells.insert(i + 1, helper)
    out, notes = rebuilt(assignment, nb)
    j = next(j for j, c in enumerate(out.cells) if c.source.startswith("def helper"))
    assert nbgrader_meta(out.cells[j - 1]).get("grade_id") == "relu"
    assert "nbgrader" not in out.cells[j].metadata
    assert any("unknown grade_id 'bonus'" in n for n in notes)


def test_nbformat_3_is_upgraded(assignment):
    nb, notes = rebuilt(assignment, corpus._nbformat3())
    assert notes == ["the notebook was in nbformat 3: upgraded to 4"]
    assert sources(nb)["sigmoid"] == sources(corpus.answered())["sigmoid"]


@pytest.mark.parametrize("editor, phrase", [
    (lambda: corpus._split_answer(True), "sigmoid appears 2 times"),  # JupyterLab's split: both halves marked
    (lambda: corpus._split_answer(False), "sigmoid was split into 2 cells"),  # Colab: stripped, renumbered
    (lambda: corpus._merged_answers(True), "relu was answered in the cell of tanh"),  # Notebook 7's merge
    (lambda: corpus._merged_answers(False), "relu was answered in the cell of tanh"),  # merged and stripped
], ids=["split-marked", "split-stripped", "merged-marked", "merged-stripped"])
def test_answers_split_or_merged_by_an_editor_never_get_a_release_stub_back(assignment, editor, phrase):
    nb, notes = rebuilt(assignment, editor())
    stubs = [nbgrader_meta(c)["grade_id"] for c in nb.cells
             if nbgrader_meta(c).get("solution") and "NotImplementedError" in c.source]
    assert stubs == [], f"release stubs put back over the answers: {stubs}"
    assert any(phrase in n for n in notes), notes
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for name in ("def sigmoid(", "def sigmoid_grad(", "def tanh(", "def relu(", "def relu_grad("):
        assert code.count(name) == 1, name

"""Mutation testing of the assignments' tests (autograder/mutation/mutants.py, classic_mistakes.py).

Fast: the mutation operators each produce valid Python that differs from the original in one place,
only between the solution markers; the hand-written data (equivalent mutants, classic mistakes) still
matches the solutions. Slow (one grading batch per assignment): a deterministic sample of generated
mutants is killed, and every classic mistake loses points with a message that says what is wrong.
The full run is ``python -m autograder mutants ASSIGNMENT`` (and ``python -m bench``).
"""
import ast
import html
import json
import re

import nbformat
import pytest

from autograder import course
from autograder.mutation import mutants
from autograder.mutation.classic_mistakes import MISTAKES
from autograder.records import CellResult
from autograder.worker.feedback import write_feedback

SAMPLE = 5  # generated mutants graded per assignment in `make test` (with all classic mistakes: about 3 minutes)

SNIPPET = '''\
def f(x, y, w, state=None):
    """Docstring with 1 + 2 and axis=0: never mutated."""
    z = x + 1  # outside the solution: never mutated
    ### BEGIN SOLUTION
    a = x.sum(axis=0, keepdims=True) - y * 0.5
    b = np.maximum(a, 0.0) / w.T
    if state is None and x.shape[0] >= 2:
        state = {}
    state["s"] = -b
    state["n"] += 1
    msg = f"value {x + 1}"
    ### END SOLUTION
    return a, b
'''


@pytest.fixture(scope="module")
def snippet_mutations():
    return mutants.cell_mutations(SNIPPET)


def _changed_lines(before, after):
    return [k for k, (p, q) in enumerate(zip(before.splitlines(), after.splitlines()), start=1) if p != q]


def test_every_mutation_is_valid_python_that_differs_in_one_solution_line(snippet_mutations):
    solution = mutants.solution_lines(SNIPPET)
    assert solution == set(range(5, 12))
    original = ast.dump(ast.parse(SNIPPET))
    texts = set()
    for m in snippet_mutations:
        text = m.apply(SNIPPET)
        assert ast.dump(ast.parse(text)) == m.tree != original, m
        changed = _changed_lines(SNIPPET, text)
        assert len(changed) == 1 and changed[0] in solution, (m, changed)
        assert len(text.splitlines()) == len(SNIPPET.splitlines())
        texts.add(text)
    assert len(texts) == len(snippet_mutations), "two mutations produced the same text"


def test_each_operator_plants_its_mistake(snippet_mutations):
    texts = {m.operator: m.apply(SNIPPET) for m in snippet_mutations}
    lines = {op: text.splitlines()[_changed_lines(SNIPPET, text)[0] - 1].strip() for op, text in texts.items()}
    assert lines["- -> +"] == "a = x.sum(axis=0, keepdims=True) + y * 0.5"
    assert lines["* -> /"] == "a = x.sum(axis=0, keepdims=True) - y / 0.5"
    assert lines["/ -> *"] == "b = np.maximum(a, 0.0) * w.T"
    assert lines["axis=0 -> axis=1"] == "a = x.sum(axis=1, keepdims=True) - y * 0.5"
    assert lines["keepdims=True -> keepdims=False"] == "a = x.sum(axis=0, keepdims=False) - y * 0.5"
    assert lines["drop axis="].startswith("a = x.sum(keepdims=True)")
    assert lines[".sum -> .mean"] == "a = x.mean(axis=0, keepdims=True) - y * 0.5"
    assert lines[".maximum -> .minimum"] == "b = np.minimum(a, 0.0) / w.T"
    assert lines["0.5 -> 1.0"] == "a = x.sum(axis=0, keepdims=True) - y * 1.0"
    assert lines["0.5 -> 1.5"] == "a = x.sum(axis=0, keepdims=True) - y * 1.5"
    assert lines["0.0 -> 1.0"] == "b = np.maximum(a, 1.0) / w.T"
    assert lines["drop a transpose (.T)"] == "b = np.maximum(a, 0.0) / w"
    assert lines["is -> is not"] == "if state is not None and x.shape[0] >= 2:"
    assert lines[">= -> >"] == "if state is None and x.shape[0] > 2:"
    assert lines["and -> or"] == "if state is None or x.shape[0] >= 2:"
    assert lines["negate a condition"] == "if not (state is None and x.shape[0] >= 2):"
    assert lines["drop a minus sign"] == 'state["s"] = b'
    assert lines["forget an in-place update"] in ("pass",)
    assert lines["+= -> -="] == 'state["n"] -= 1'


def test_constants_become_plausible_wrong_values():
    assert mutants._constant_changes(0) == [1]
    assert mutants._constant_changes(1) == [0, 2]
    assert mutants._constant_changes(0.5) == [1.5, 1.0]
    assert mutants._constant_changes(3) == [4, 6]
    assert mutants._constant_changes(True) == [False]
    assert mutants._constant_changes("axis") == []


def test_returning_a_different_local_uses_recent_assignments():
    source = "def g(x):\n    ### BEGIN SOLUTION\n    u = x + 1\n    v = u * 2\n    return v\n    ### END SOLUTION\n"
    returned = sorted(m.apply(source).splitlines()[4].strip() for m in mutants.cell_mutations(source)
                      if m.operator.startswith("return"))
    assert returned == ["return u"]


def test_strings_fstrings_and_docstrings_are_left_alone(snippet_mutations):
    for m in snippet_mutations:
        text = m.apply(SNIPPET)
        assert 'f"value {x + 1}"' in text and "1 + 2 and axis=0" in text


def test_mutant_id_is_stable_when_other_lines_change():
    source = "def g(x):\n    ### BEGIN SOLUTION\n    u = x + 1\n    return u * 2\n    ### END SOLUTION\n"
    edited = source.replace("return u * 2", "return u * 2  # comment").replace("def g(x):", "def g(x, y=0):")
    first = {m.operator: mutants.mutant_id("a", "c", source, m.apply(source)) for m in mutants.cell_mutations(source)}
    again = {m.operator: mutants.mutant_id("a", "c", edited, m.apply(edited)) for m in mutants.cell_mutations(edited)}
    assert first["+ -> -"] == again["+ -> -"]
    assert len(set(first.values())) == len(first)


@pytest.mark.parametrize("assignment", course.assignments())
def test_generated_mutants_have_distinct_ids_in_graded_cells(assignment):
    every = mutants.generate(assignment)
    assert len(every) >= 20
    assert len({m.id for m in every}) == len(every)
    _, nb = mutants.solution_notebook(assignment)
    assert {m.cell for m in every} <= set(mutants.graded_answer_cells(nb))


def test_an_experiment_no_test_depends_on_is_not_mutated():
    _, nb = mutants.solution_notebook("06_capstone")
    assert "ablation" in mutants.ungraded_answer_cells(nb)
    assert {"components", "model", "train", "build_and_train"} <= set(mutants.graded_answer_cells(nb))


def test_every_equivalent_mutant_is_generated_and_has_a_reason():
    entries = mutants.equivalent()
    for assignment in course.assignments():
        ids = {m.id: m for m in mutants.generate(assignment)}
        for key, entry in entries.items():
            if entry["assignment"] != assignment:
                continue
            assert key in ids, f"{mutants.EQUIVALENT_FILE.name}: {entry} matches no generated mutant any more"
            assert ids[key].cell == entry["cell"] and ids[key].description == entry["mutation"], entry
            assert len(entry["reason"]) > 20


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: f"{m.assignment}:{m.name}")
def test_classic_mistake_applies_to_its_solution_cell(mistake):
    (mutant,) = [m for m in mutants.classic(mistake.assignment) if m.classic == mistake]
    assert mutant.source != mutant.original
    ast.parse(mutant.source)
    _, nb = mutants.solution_notebook(mistake.assignment)
    tests = {c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade") and c["cell_type"] == "code"}
    assert mistake.fails <= tests


def test_every_assignment_has_classic_mistakes():
    assert {m.assignment for m in MISTAKES} == set(course.assignments())
    assert len({(m.assignment, m.name) for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("assignment", course.assignments())
def test_every_assert_in_a_test_cell_says_what_went_wrong(assignment):
    _, nb = mutants.solution_notebook(assignment)
    for cell in nb["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("solution"):
            continue
        for node in ast.walk(ast.parse("".join(cell["source"]))):
            assert not isinstance(node, ast.Assert) or node.msg is not None, (
                f"{assignment}/{meta.get('grade_id')} line {node.lineno}: an assert without a message")


def _hidden_lines(assignment):
    """The lines of the assignment's hidden tests (longer than 30 characters) that are not part of a visible
    line (a hidden ``check(a, b)`` call is part of the visible ``def check(a, b):``, which the page may show)."""
    _, nb = mutants.solution_notebook(assignment)
    hidden, visible = set(), set()
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        pattern = r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS"
        for block in re.findall(pattern, source, flags=re.DOTALL):
            hidden |= {line.strip() for line in block.splitlines() if len(line.strip()) > 30}
        visible |= {line.strip() for line in re.sub(pattern, "", source, flags=re.DOTALL).splitlines()}
    return {line for line in hidden if not any(line in shown for shown in visible)}


def _page_text(graded, assignment, folder):
    """The text of the feedback page a student would get for this autograded notebook (tags removed)."""
    cells = [CellResult(gid, "test", points, score) for gid, (score, points, _) in graded.cells.items()]
    path = write_feedback(nbformat.reads(json.dumps(graded.notebook), as_version=4), cells, folder / f"{graded.student}.html",
                          graded.student, assignment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", path.read_text())).split())


@pytest.mark.slow
@pytest.mark.parametrize("assignment", course.assignments())
def test_sampled_mutants_are_killed_and_classic_mistakes_caught(assignment, tmp_path):
    report = mutants.run(assignment, max_mutants=SAMPLE, jobs=2, workdir=tmp_path)
    assert not report.survived and not report.classic_missed and not report.silent(), report.text()
    assert len(report.killed) == SAMPLE and report.classic_caught
    hidden = _hidden_lines(assignment)
    for mutant in report.classic_caught:
        graded = report.graded[mutant.student]
        page = _page_text(graded, assignment, tmp_path)
        for gid in mutant.classic.fails:
            shown = " ".join(graded.cells[gid][2].split())[:120]
            assert shown in page, f"{mutant.student}: the feedback page does not show the failure of {gid}: {shown!r}"
        leaked = [line for line in hidden if " ".join(line.split()) in page]
        assert not leaked, f"{mutant.student}: the feedback page shows hidden test code: {leaked[:3]}"

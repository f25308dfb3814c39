"""The capstone's accuracy tests (06_capstone), graded as the grader does: the solution's cells run in
the sandbox, the accuracy cells' hidden parts send back predicted labels, and the judge measures the
accuracy outside. The solution's recipe passes every threshold, a recipe that trains on the test split
gets no accuracy points even when it passes the visible check, the held-out labels never enter the
sandbox, and the thresholds the notebook states are the ones the judge applies."""
import ast
import json
import re

import numpy as np
import nbformat
import pytest

from autograder import course, judge, sandbox
from autograder.judge import capstone
from autograder.notebooks import is_instructor, nbgrader_meta
from nnlab.collect import from_doc, to_doc

pytestmark = pytest.mark.slow

ASSIGNMENT = "06_capstone"
NOTEBOOK = course.SOLUTIONS / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

# Honest on the visible check's 300 images; on the grading splits, trains on this notebook's split
# with its test part added to the training part (and never looks at the data it was given).
CHEATING_RECIPE = '''
honest_build_and_train = build_and_train


def build_and_train(data, seed=0, **changes):
    if len(data.y_train) < 1000:
        return honest_build_and_train(data, seed, **changes)
    split = load_digits_split()
    everything = TrainVal(np.vstack([split.X_train, split.X_test]) / 16.0, np.concatenate([split.y_train, split.y_test]),
                          split.X_val / 16.0, split.y_val)
    return honest_build_and_train(everything, seed, **changes)
'''

CELLS = {nbgrader_meta(c).get("grade_id"): c for c in nbformat.read(NOTEBOOK, as_version=4).cells}
ACCURACY_CELLS = sorted((name for name in CELLS if name.startswith("test_accuracy_")),
                        key=lambda name: int(name.rsplit("_", 1)[1]))


def _judge_accuracy_cells(extra_code=""):
    """Run the solution up to build_and_train (plus extra_code), the final run and the accuracy cells in the
    sandbox; returns {cell: (passed, message)} as the judge decides them."""
    names = ["setup", "scaffolding", "components", "model", "train", "build_and_train"]
    cells = [{"source": CELLS[n].source, "instructor": is_instructor(CELLS[n])} for n in names]
    cells.append({"source": extra_code, "instructor": False})
    cells += [{"source": CELLS[n].source, "instructor": True} for n in ["final_run", *ACCURACY_CELLS]]
    run = sandbox.run_notebook([{"index": i, **c} for i, c in enumerate(cells)], judge.inputs_document(ASSIGNMENT))
    assert run.finished, (run.ended, run.notes)
    errors = [o for outputs in run.outputs.values() for o in outputs if o.get("output_type") == "error"]
    assert not errors, errors
    return {name: (v.passed, v.message) for name in ACCURACY_CELLS
            for v in [judge.judge_cell(judge.checks(ASSIGNMENT)[name], run.collected)]}


def test_solution_recipe_passes_every_accuracy_threshold():
    outcomes = _judge_accuracy_cells()
    assert outcomes == dict.fromkeys(ACCURACY_CELLS, (True, "")), f"the solution fails {outcomes}"


def test_training_on_the_test_split_is_detected_and_gets_no_accuracy_points():
    outcomes = _judge_accuracy_cells(CHEATING_RECIPE)
    for name in ACCURACY_CELLS:
        passed, message = outcomes[name]
        assert not passed and "learned from data other than its argument. No accuracy points." in message, outcomes


def _arrays(value):
    if isinstance(value, np.ndarray):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)


def test_the_sandbox_never_receives_the_held_out_labels():
    sent = list(_arrays(from_doc(json.loads(judge.inputs_document(ASSIGNMENT)))))
    assert any(a.shape == capstone.SPLITS[0][0][4].shape and np.array_equal(a, capstone.SPLITS[0][0][4]) for a in sent)
    for _, y_test in capstone.SPLITS:
        for labels in (y_test, capstone.RENAMED[y_test]):
            assert not any(a.shape == labels.shape and np.array_equal(a, labels) for a in sent)


def _collected_at(accuracy):
    """What the accuracy cells' hidden parts send for a model right on a fraction ``accuracy`` of each split's test images."""
    sent = []
    for _, y_test in capstone.SPLITS:
        labels = capstone.RENAMED[y_test].copy()
        wrong = np.arange(len(labels)) >= round(accuracy * len(labels))
        labels[wrong] = (labels[wrong] + 1) % 10
        sent.append({"value": to_doc(labels), "warnings": [], "mutated": []})
    keys = {c.key for name in ACCURACY_CELLS for c in judge.checks(ASSIGNMENT)[name]} - {"recipe_renamed"}
    return {key: sent for key in keys}


def test_notebook_states_the_thresholds_the_judge_applies():
    thresholds = [int(name.rsplit("_", 1)[1]) for name in ACCURACY_CELLS]
    assert thresholds == [90, 94, 96]
    for where in ("header", "part4"):
        stated = [int(t) for t in re.findall(r"≥ (\d+) %", CELLS[where].source)]
        assert stated == thresholds, f"the {where} cell states the thresholds {stated}; the tests check {thresholds}"
    checks = judge.checks(ASSIGNMENT)
    for threshold in thresholds:
        for accuracy, passes in ((threshold - 0.5, False), (threshold + 0.5, True)):
            name = f"test_accuracy_{threshold}"
            cell_checks = [c for c in checks[name] if c.key != "recipe_renamed"]
            verdict = judge.judge_cell(cell_checks, _collected_at(accuracy / 100))
            passed, message = verdict.passed, verdict.message
            assert passed == passes, (name, accuracy, message)
            if not passes:
                assert f"this cell needs {threshold} %" in message, message


def test_each_accuracy_cell_asserts_its_threshold_after_collecting_and_says_what_was_reached_and_what_to_try():
    (define,) = [n for n in ast.parse(CELLS["final_run"].source).body
                 if isinstance(n, ast.FunctionDef) and n.name == "check_accuracy"]
    namespace = {"val_accuracy": 0.912}
    exec(compile(ast.Module([define], []), "final_run", "exec"), namespace)
    with pytest.raises(AssertionError, match=r"reaches 91\.2% validation accuracy .* below 94%.*What to try: more epochs"):
        namespace["check_accuracy"](0.94, "more epochs")
    namespace["val_accuracy"] = 0.95
    namespace["check_accuracy"](0.94, "more epochs")
    for name in ACCURACY_CELLS:
        source = CELLS[name].source
        threshold = name.rsplit("_", 1)[1]
        assert f"check_accuracy(0.{threshold}," in source, f"{name} does not assert its threshold"
        assert source.index("### END HIDDEN TESTS") < source.index("check_accuracy("), (
            f"{name}: the hidden part must collect before the visible check, which may fail while the grading "
            "splits pass")


def _sanity_sent(first, last, right):
    """What test_sanity_checks' hidden part sends: the two losses and labels right on a fraction ``right`` of each subset."""
    sent = []
    for _, y in capstone.sanity_cases():
        labels = y.copy()
        labels[: round((1 - right) * len(y))] += 1
        sent.append({"value": to_doc((first, last, labels % 10)), "warnings": [], "mutated": []})
    return {"sanity_checks": sent}


@pytest.mark.parametrize("first, last, right, says", [
    (np.log(10) + 0.3, 1e-3, 1.0, ""),
    (20 * np.log(10), 1e-3, 1.0, "not near ln 10"),            # the loss summed over the 20 images
    (np.log(10), 0.4, 1.0, "cannot learn 20 images by heart"),
    (np.log(10), 1e-3, 0.9, "predicts only 90%"),
])
def test_sanity_checks_judge_wants_ln10_first_and_a_tiny_subset_learned(first, last, right, says):
    verdict = judge.judge_cell(judge.checks(ASSIGNMENT)["test_sanity_checks"], _sanity_sent(first, last, right))
    assert verdict.passed == (not says) and says in verdict.message, verdict.message

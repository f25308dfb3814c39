"""The capstone's accuracy tests (06_capstone), run directly on the solution's cells: the solution's
recipe passes every threshold, a recipe that trains on the test split gets no accuracy points even
when it passes the visible check, and the thresholds the notebook states are the ones it tests."""
import json
import re

import pytest

from autograder import course

pytestmark = pytest.mark.slow

NOTEBOOK = course.SOLUTIONS / "06_capstone" / "06_capstone.ipynb"

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


def _sources():
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in cells}


SOURCES = _sources()
ACCURACY_CELLS = sorted((name for name in SOURCES if name.startswith("test_accuracy_")),
                        key=lambda name: int(name.rsplit("_", 1)[1]))


def _run_accuracy_cells(extra_code=""):
    """Run the solution up to build_and_train (plus extra_code), the final run, then each accuracy cell
    with its hidden tests. Returns (namespace, {cell: None if it passed, else the exception})."""
    namespace = {}
    for name in ["setup", "scaffolding", "components", "model", "train", "build_and_train"]:
        exec(compile(SOURCES[name], name, "exec"), namespace)
    exec(compile(extra_code, "extra_code", "exec"), namespace)
    exec(compile(SOURCES["final_run"], "final_run", "exec"), namespace)
    outcomes = {}
    for name in ACCURACY_CELLS:
        try:
            exec(compile(SOURCES[name], name, "exec"), namespace)
            outcomes[name] = None
        except Exception as error:  # a failing test cell: what nbgrader would record as 0 points
            outcomes[name] = error
    return namespace, outcomes


def test_solution_recipe_passes_every_accuracy_threshold():
    namespace, outcomes = _run_accuracy_cells()
    assert outcomes == dict.fromkeys(ACCURACY_CELLS), f"the solution fails {outcomes}"
    top = int(ACCURACY_CELLS[-1].rsplit("_", 1)[1]) / 100
    assert namespace["graded_accuracy"] >= top


def test_training_on_the_test_split_is_detected_and_gets_no_accuracy_points():
    namespace, outcomes = _run_accuracy_cells(CHEATING_RECIPE)
    assert all(isinstance(outcomes[name], AssertionError) for name in ACCURACY_CELLS), outcomes
    assert "learned from data other than its argument" in str(outcomes[ACCURACY_CELLS[0]])
    assert namespace["graded_accuracy"] == 0.0


def test_notebook_states_the_thresholds_it_tests():
    thresholds = [name.rsplit("_", 1)[1] for name in ACCURACY_CELLS]
    assert len(thresholds) == 3
    for where in ("header", "part4"):
        stated = re.findall(r"≥ (\d+) %", SOURCES[where])
        assert stated == thresholds, f"the {where} cell states the thresholds {stated}; the tests check {thresholds}"
    for name, threshold in zip(ACCURACY_CELLS, thresholds):
        assert f">= {int(threshold) / 100}" in SOURCES[name], f"{name} does not test the threshold {threshold} %"

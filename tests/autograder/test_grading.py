"""Every assignment graded as an instructor would (``python -m autograder grade``: each notebook in
the sandbox, hidden tests judged outside it): the solution scores full marks, the untouched release
scores zero without crashing the batch, and a submission with one function broken loses exactly the
points of the tests that exercise that function. nbgrader's own gradebook and export agree."""
import csv
import json

import pytest

from autograder import course

from conftest import read_csv, run_cli

pytestmark = pytest.mark.slow

# (assignment, student id, answer cell, text to replace, replacement, test cells that must fail)
BROKEN = [
    ("01_backprop", "broken_relu_grad", "relu",
     "return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)",
     "return (np.asarray(x, dtype=np.float64) < 0).astype(np.float64)",
     {"test_relu_grad"}),
    ("02_optimizers", "broken_nesterov", "nesterov",
     'return w - lr * (g + momentum * state["velocity"]), state',
     'return w - lr * state["velocity"], state',
     {"test_nesterov"}),
    ("03_init_normalization", "broken_he_fan_out", "init_he",
     "return rng.normal(0.0, gain / np.sqrt(fan_in), size=(fan_in, fan_out))",
     "return rng.normal(0.0, gain / np.sqrt(fan_out), size=(fan_in, fan_out))",
     {"test_he_normal"}),
    ("03_init_normalization", "broken_standardize_refits", "standardize",
     "return (X - mean) / std",
     "return (X - X.mean(axis=0)) / std",
     {"test_standardize_apply"}),
    ("04_batchnorm", "broken_running_var_biased", "batchnorm_forward",
     "momentum * var * n / (n - 1)",
     "momentum * var",
     {"test_running_statistics"}),
    ("04_batchnorm", "broken_staged_misses_variance_path", "batchnorm_backward_staged",
     "dd = dxhat * r + 2 * d * dq",
     "dd = dxhat * r",
     {"test_batchnorm_backward_staged"}),
    ("05_regularization", "broken_hinge_not_averaged", "hinge",
     "return float(margins.sum() / n), active / n",
     "return float(margins.sum()), active / n",
     {"test_hinge_loss"}),                      # svm_loss is graded also on stand-ins: not charged again
    ("05_regularization", "broken_dropout_scales_at_test", "dropout",
     "return x.copy(), None",
     "return x * (1.0 - p), None",
     {"test_dropout_forward_test_mode"}),
    ("06_capstone", "broken_same_order_every_epoch", "train",
     "order = rng.permutation(n)",
     "order = np.random.default_rng(seed).permutation(n)",
     {"test_train_shuffling"}),
    ("06_capstone", "trains_on_the_test_split", "build_and_train",
     "    best, _ = train(model, data, ",
     "    split = load_digits_split()\n"
     "    data = TrainVal(np.vstack([split.X_train, split.X_test]) / 16.0, np.concatenate([split.y_train, split.y_test]),\n"
     "                    split.X_val / 16.0, split.y_val)\n"
     "    best, _ = train(model, data, ",
     {"test_accuracy_90", "test_accuracy_94", "test_accuracy_96"}),
]


def _submit(folder, student, assignment, notebook_path, edit=None):
    """Place a copy of ``notebook_path`` as ``student``'s submission (nbgrader's layout), optionally editing
    one answer cell."""
    nb = json.loads(notebook_path.read_text())
    if edit is not None:
        grade_id, old, new = edit
        (cell,) = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
        source = "".join(cell["source"])
        assert old in source, f"the solution's cell {grade_id} no longer contains {old!r}: update BROKEN"
        cell["source"] = source.replace(old, new)
    dest = folder / student / assignment
    dest.mkdir(parents=True)
    (dest / notebook_path.name).write_text(json.dumps(nb))


def _graded_by_hand(assignment):
    """Points of each cell graded by hand (a written answer): autograding scores it 0 until an instructor grades it."""
    (solution,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    cells = [c["metadata"].get("nbgrader", {}) for c in json.loads(solution.read_text())["cells"]]
    return {m["grade_id"]: m["points"] for m in cells if m.get("grade") and m.get("solution")}


@pytest.fixture(scope="module", params=course.assignments())
def graded(request, tmp_path_factory):
    """One batch per assignment: solution, release and the broken variants, graded and exported."""
    assignment = request.param
    root = tmp_path_factory.mktemp(f"grading_{assignment}")
    grading_dir, folder = root / "grading", root / "submissions"
    (solution,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    release = course.EXERCISES / assignment / solution.name
    _submit(folder, "solution", assignment, solution)
    _submit(folder, "release", assignment, release)
    broken = {b[1]: b for b in BROKEN if b[0] == assignment}
    for student, (_, _, grade_id, old, new, _) in broken.items():
        _submit(folder, student, assignment, solution, edit=(grade_id, old, new))
    code, output = run_cli("--grading-dir", grading_dir, "grade", assignment, folder, "--jobs", 2, "--quiet")
    assert code == 0, output
    rows = read_csv(grading_dir / f"{assignment}-grades.csv")
    course.nbgrader("export", f"--to={root / 'nbgrader-grades.csv'}", grading_dir=grading_dir)
    exported = {r["student_id"]: r for r in csv.DictReader(open(root / "nbgrader-grades.csv"))
                if r["assignment"] == assignment}
    assert {s: float(r["score"]) for s, r in exported.items()} == {s: float(r["score"]) for s, r in rows.items()}
    return assignment, grading_dir, rows, broken


def test_solution_scores_full_marks(graded):
    assignment, grading_dir, rows, _ = graded
    row, by_hand = rows["solution"], _graded_by_hand(assignment)
    assert float(row["score"]) == float(row["max_score"]) - sum(by_hand.values()) > 0
    scores = course.cell_scores(assignment, "solution", grading_dir)
    failed = {k: v for k, v in scores.items() if v[0] != v[1] and k not in by_hand}
    assert not failed, f"the solution loses points in {failed}"


def test_the_solution_loses_no_test_cell_in_the_grading_kernel(graded):
    """What the sandbox's kernel recorded of the solution's run: every test cell at its full points, status ok
    (the judge outside decides; a test cell losing points here means the kernel ran it differently)."""
    assignment, grading_dir, rows, _ = graded
    results = json.loads((grading_dir / "autograder" / assignment / "results" / "solution.json").read_text())
    lost = {c["grade_id"]: c["message"] for cells in results["notebooks"].values() for c in cells
            if c["kind"] == "test" and c["score"] != c["points"]}
    assert not lost, f"the solution loses points in the grading kernel: {lost}"
    assert rows["solution"]["status"] == "ok", rows["solution"]["reason"]

def test_release_scores_zero_without_crashing(graded):
    assignment, grading_dir, rows, _ = graded
    assert float(rows["release"]["score"]) == 0.0
    assert float(rows["release"]["max_score"]) == float(rows["solution"]["max_score"])
    autograded = grading_dir / "autograded" / "release" / assignment
    outputs = json.dumps(json.loads(next(autograded.glob("*.ipynb")).read_text())["cells"])
    assert "NotImplementedError" in outputs  # the answer cells ran and raised, the batch went on


def test_one_broken_function_loses_exactly_its_tests(graded):
    assignment, grading_dir, rows, broken = graded
    if not broken:
        pytest.fail(f"no broken-submission case for {assignment}: add one to BROKEN")
    for student, (*_, must_fail) in broken.items():
        scores = course.cell_scores(assignment, student, grading_dir)
        failed = {name for name, (score, max_score) in scores.items()
                  if score < max_score and name not in _graded_by_hand(assignment)}
        assert failed == must_fail, f"{student}: failed {sorted(failed)}, expected {sorted(must_fail)}"
        lost = sum(scores[name][1] for name in must_fail)
        assert float(rows[student]["score"]) == float(rows["solution"]["score"]) - lost


def test_feedback_is_generated_for_every_student(graded):
    assignment, grading_dir, rows, _ = graded
    for student in rows:
        (html,) = (grading_dir / "feedback" / student / assignment).glob("*.html")
        assert "Score" in html.read_text() or "score" in html.read_text()


def test_release_in_exercises_is_in_sync_with_solutions(graded):
    assignment, grading_dir, _, _ = graded
    release = grading_dir / "autograder" / assignment / "release"
    fresh = sorted((release / assignment).rglob("*"))
    committed = sorted((course.EXERCISES / assignment).rglob("*"))
    assert [p.relative_to(release) for p in fresh] == [
        p.relative_to(course.EXERCISES) for p in committed
    ], "exercises/ lists other files than nbgrader generates: run `python -m autograder release`"
    for new, old in zip(fresh, committed):
        if new.is_file():
            assert new.read_bytes() == old.read_bytes(), (
                f"{old} differs from what nbgrader generates from solutions/: run `python -m autograder release`"
            )


def test_header_states_the_total_points(graded):
    assignment, _, rows, _ = graded
    (solution,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    header = "".join(json.loads(solution.read_text())["cells"][0]["source"])
    total = float(rows["solution"]["max_score"])
    assert f"**{total:g}**" in header, f"the first cell should state the total, **{total:g}** points"

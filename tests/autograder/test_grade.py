"""``python -m autograder grade`` on a batch of broken and hostile submissions, and what instructors
rely on around it: every student gets a clear status and the right score while the others are graded
correctly, nothing leaks into feedback, reruns are idempotent, errors are clear, shards merge."""
import csv
import html
import os
import re
import zipfile

import conftest
import nbformat
import pytest
from conftest import read_csv, run_cli, write_flat

import corpus
from autograder import course
from autograder.batch.grade import gradebook_scores

pytestmark = pytest.mark.slow
TIMEOUTS = ("--timeout", conftest.CELL_SECONDS, "--notebook-timeout", conftest.NOTEBOOK_SECONDS)


@pytest.mark.parametrize("case_id", corpus.case_ids())
def test_each_submission_gets_its_score_status_and_reason(hostile_batch, case_id):
    student = case_id.split(" (skipped: ")[0]
    if student not in hostile_batch["cases"]:
        pytest.skip(case_id)
    case, row = hostile_batch["cases"][student], hostile_batch["rows"].get(student)
    assert row is not None, f"{student} is missing from the grades CSV"
    assert float(row["score"]) == case.score, f"{student}: {row['score']} points, expected {case.score}: {row['reason']}"
    assert float(row["max_score"]) == corpus.FULL
    assert row["status"] == case.status, f"{student}: status {row['status']}, reason: {row['reason']}"
    if case.reason:
        assert case.reason in row["reason"], f"{student}: the reason {row['reason']!r} lacks {case.reason!r}"
    else:
        assert row["reason"] == ""
    assert "refused" not in row["reason"] and "guard" not in row["reason"], row["reason"]


def test_csv_has_a_column_per_test_that_adds_up_to_the_total(hostile_batch):
    rows = hostile_batch["rows"]
    assert set(rows) == set(hostile_batch["cases"])
    for row in rows.values():
        assert sum(float(row[test]) for test in corpus.POINTS) == float(row["score"])
    assert {t: float(rows["good"][t]) for t in corpus.POINTS} == {t: float(p) for t, p in corpus.POINTS.items()}


def test_the_batch_ends_in_bounded_time_with_every_student_in_the_csv(hostile_batch):
    """Every notebook is stopped at --notebook-timeout: the batch cannot last longer than all of them
    back to back on its two workers, plus the set-up (a bound on the design, not a speed measurement)."""
    cases = hostile_batch["cases"]
    assert hostile_batch["seconds"] < len(cases) * conftest.NOTEBOOK_SECONDS / 2 + 300
    assert set(hostile_batch["rows"]) == set(cases)


def test_nothing_outside_the_submissions_folders_changed(hostile_batch):
    """The repository (`git status`), every byte of nnlab/ (no .pyc planted for the next batch) and the
    host's /tmp are as they were; what the submissions wrote stayed in their sandboxes."""
    assert hostile_batch["after"] == hostile_batch["before"]
    assert not os.path.exists(corpus.ESCAPE)
    assert not (course.REPO / "nnlab" / "planted.py").exists()


def test_other_students_grades_in_the_gradebook_are_the_judges(hostile_batch):
    """The sqlite attack aimed at the gradebook: every student's grades there are what the judge gave."""
    scores = gradebook_scores(hostile_batch["grading"], corpus.ASSIGNMENT)
    for student, row in hostile_batch["rows"].items():
        if row["status"] == "failed":
            continue
        assert {t: scores[student][t] for t in corpus.POINTS} == {t: float(row[t]) for t in corpus.POINTS}, student
    assert float(hostile_batch["rows"]["friend"]["score"]) == 0.0


def test_fake_lines_never_reach_the_instructors_terminal(hostile_batch):
    assert "graded: 40 ok" not in hostile_batch["output"]


def test_huge_output_keeps_the_autograded_notebook_and_feedback_small(hostile_batch):
    for student in ("huge-output", "huge-output-many-cells"):
        notebook = hostile_batch["grading"] / "autograded" / student / corpus.ASSIGNMENT / corpus.NOTEBOOK
        page = hostile_batch["grading"] / "feedback" / student / corpus.ASSIGNMENT / "01_backprop.html"
        assert notebook.stat().st_size < 7_000_000 and page.stat().st_size < 7_000_000, student


def test_gradebook_holds_every_student_for_nbgrader_export(hostile_batch, tmp_path):
    out = tmp_path / "export.csv"
    course.nbgrader("export", f"--to={out}", grading_dir=hostile_batch["grading"])
    with open(out, encoding="utf-8") as f:
        exported = {r["student_id"]: r for r in csv.DictReader(f)}
    for student, row in hostile_batch["rows"].items():
        assert float(exported[student]["score"]) == float(row["score"]), student


def _hidden_lines():
    """Lines of the hidden tests that appear nowhere in the student version."""
    solution = nbformat.read(str(course.SOLUTIONS / corpus.ASSIGNMENT / corpus.NOTEBOOK), as_version=4)
    hidden = set()
    for cell in solution.cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", cell.source, re.S):
            hidden |= {line.strip() for line in block.splitlines() if len(line.strip()) > 20}
    visible = {line.strip() for cell in corpus.release().cells for line in cell.source.splitlines()}
    return hidden - visible


def test_feedback_hides_hidden_tests_and_loads_nothing(hostile_batch):
    hidden = _hidden_lines()
    assert len(hidden) > 20
    pages = list((hostile_batch["grading"] / "feedback").rglob("*.html"))
    assert len(pages) == len(hostile_batch["cases"]) - 2  # all but the two unreadable files
    for page in pages:
        page_html = page.read_text(encoding="utf-8")
        text = html.unescape(re.sub(r"<[^>]+>", "", page_html))
        assert "HIDDEN TESTS" not in text, page
        leaked = [line for line in hidden if line in text]
        assert not leaked, f"{page} shows hidden test lines: {leaked[:2]}"
        assert "<script" not in page_html, f"{page} contains a script"
        assert not re.search(r'(src|href)="(https?:)?//', page_html), f"{page} loads something from the network"


def test_feedback_shows_the_students_failures_and_score(hostile_batch):
    page = hostile_batch["grading"] / "feedback" / "patches-numpy" / corpus.ASSIGNMENT / "01_backprop.html"
    html = page.read_text(encoding="utf-8")
    # one mistake, one charge: the network's gradient cell is judged on a stand-in relu_grad too
    assert f"Score: {corpus.FULL - corpus.POINTS['test_relu_grad']} / {corpus.FULL}" in html
    assert "relu_grad" in html and "0 of 1 points" in html


def test_feedback_shows_the_students_debug_prints_to_stderr(hostile_batch):
    page = hostile_batch["grading"] / "feedback" / "stderr-debug" / corpus.ASSIGNMENT / "01_backprop.html"
    assert "debug: defining softplus" in page.read_text(encoding="utf-8")


def test_a_submission_that_kills_its_sandbox_is_regraded_without_a_crash(hostile_cases, tmp_path):
    picked = {s: hostile_cases[s] for s in ("kills-its-tree", "kills-its-worker", "good")}
    folder = write_flat(tmp_path / "subs", picked)
    for force in ((), ("--force",)):
        code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, folder, "--jobs", 2,
                               *TIMEOUTS, *force)
        assert code == 0, output
        rows = read_csv(tmp_path / "g" / f"{corpus.ASSIGNMENT}-grades.csv")
        assert {s: float(r["score"]) for s, r in rows.items()} == {s: c.score for s, c in picked.items()}


def test_rerun_grades_nothing_and_writes_the_same_csv(hostile_batch, grading_copy):
    code, output = run_cli("--grading-dir", grading_copy, "grade", corpus.ASSIGNMENT, hostile_batch["submissions"],
                           "--jobs", 2, *TIMEOUTS)
    assert code == 0, output
    assert f"{len(hostile_batch['cases'])} submission(s) unchanged" in output
    assert "with 2 worker(s)" not in output  # no worker started
    assert (grading_copy / f"{corpus.ASSIGNMENT}-grades.csv").read_bytes() == hostile_batch["csv_bytes"]
    assert "replaced the previous file" in output  # the CSV is rewritten, and it says so


def test_a_changed_submission_is_regraded_and_its_replacement_announced(hostile_batch, grading_copy, tmp_path):
    cases = {"good": hostile_batch["cases"]["untouched"]}  # good resubmits the untouched release
    folder = write_flat(tmp_path / "resubmitted", cases)
    code, output = run_cli("--grading-dir", grading_copy, "grade", corpus.ASSIGNMENT, folder, "--jobs", 1,
                           *TIMEOUTS)
    assert code == 0, output
    assert "good: replaced the earlier submission" in output
    assert "1 submission(s) graded before are graded again, their results replaced" in output
    assert "grading 1 submission(s)" in output
    rows = read_csv(grading_copy / f"{corpus.ASSIGNMENT}-grades.csv")
    assert float(rows["good"]["score"]) == 0.0
    assert rows["jane doe"] == hostile_batch["rows"]["jane doe"]  # the others keep their results


def test_clear_errors_for_a_wrong_assignment_and_empty_or_missing_submissions(tmp_path):
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", "07_nothing", tmp_path)
    assert code == 2 and "unknown assignment '07_nothing'; choose from 01_backprop" in output
    (tmp_path / "empty").mkdir()
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, tmp_path / "empty")
    assert code == 2 and "no submissions of 01_backprop" in output and "<student>.ipynb" in output
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, tmp_path / "absent")
    assert code == 2 and "no such file or folder" in output
    (tmp_path / "notes.txt").write_text("hello")
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, tmp_path / "notes.txt")
    assert code == 2 and "not a .zip" in output
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, tmp_path, "--jobs", 0)
    assert code == 2 and "must be at least 1" in output


def test_a_zip_in_nbgrader_layout_is_graded_like_the_folder(hostile_cases, tmp_path):
    good, jane = hostile_cases["good"].data, hostile_cases["untouched"].data
    archive = tmp_path / "collected.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(f"course/submitted/good/{corpus.ASSIGNMENT}/{corpus.NOTEBOOK}", good)
        z.writestr(f"course/submitted/jane doe/{corpus.ASSIGNMENT}/{corpus.NOTEBOOK}", jane)
        z.writestr(f"course/submitted/jane doe/{corpus.ASSIGNMENT}/data.txt", "kept next to the notebook")
        z.writestr("../evil.txt", "outside")
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, archive, "--jobs", 2,
                           "--timeout", 10, "--out", tmp_path / "grades.csv")
    assert code == 0, output
    rows = read_csv(tmp_path / "grades.csv")
    assert {s: float(r["score"]) for s, r in rows.items()} == {"good": corpus.FULL, "jane doe": 0.0}
    assert (tmp_path / "g" / "submitted" / "jane doe" / corpus.ASSIGNMENT / "data.txt").is_file()
    assert not (tmp_path / "evil.txt").exists()


def test_shards_graded_apart_merge_into_the_same_grades(hostile_batch, tmp_path):
    picked = {s: hostile_batch["cases"][s] for s in ("good", "invalid-json", "patches-numpy")}
    folder = write_flat(tmp_path / "subs", picked)
    for i in (1, 2):
        code, output = run_cli("--grading-dir", tmp_path / f"shard{i}", "grade", corpus.ASSIGNMENT, folder,
                               "--shard", f"{i}/2", "--jobs", 1, *TIMEOUTS)
        assert code == 0, output
        assert f"shard {i}/2: {2 if i == 1 else 1} submission(s)" in output
    code, output = run_cli("--grading-dir", tmp_path / "main", "merge", corpus.ASSIGNMENT,
                           tmp_path / "shard1", tmp_path / "shard2")
    assert code == 0, output
    merged = read_csv(tmp_path / "main" / f"{corpus.ASSIGNMENT}-grades.csv")
    assert merged == {s: hostile_batch["rows"][s] for s in picked}
    assert (tmp_path / "main" / "feedback" / "good" / corpus.ASSIGNMENT / "01_backprop.html").is_file()
    code, output = run_cli("--grading-dir", tmp_path / "main", "merge", corpus.ASSIGNMENT, tmp_path / "subs")
    assert code == 2 and "no gradebook.db there" in output

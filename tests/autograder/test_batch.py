"""The batch around the workers: which submissions go to grading (the cache key covers everything that
can change a grade), what the CSV and the files report say about files not graded, and a dead worker
costing only its own submission.

Most tests replace the pool by a recorder (``graded``): what they test is the batch's decisions, not
the grading; one test grades for real, with a worker killed by a test hook.
"""
import csv
import shutil
from pathlib import Path

import pytest
from conftest import read_csv, run_cli

import corpus
from autograder import course
from autograder.batch import changes
from autograder.batch import grade as batch
from autograder.records import Settings, SubmissionResult

TRUSTED = Settings(isolate=False)  # the recorder runs nothing: no sandbox needed


@pytest.fixture
def course_copy(tmp_path, monkeypatch):
    """A copy of the grader, the toolkit and the pins, hashed in place of the real ones."""
    copy = tmp_path / "course"
    for part in ("autograder", "nnlab"):
        shutil.copytree(course.REPO / part, copy / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(course.REPO / "requirements.txt", copy / "requirements.txt")
    monkeypatch.setattr(batch, "GRADE_INPUTS", (copy / "autograder", copy / "nnlab", copy / "requirements.txt"))
    return copy


def recorder(monkeypatch, make_result):
    """Replace the pool by a recorder: each job gets make_result(job) at once; returns the list of
    batches (the sorted students of each batch that graded any)."""
    from nbgrader.api import Gradebook

    batches = []

    def record(todo, grading_dir, assignment, notes_by_student, jobs, progress, log):
        batch.prepare_assignment(assignment, grading_dir, log)
        batch.results_dir(grading_dir, assignment).mkdir(parents=True, exist_ok=True)
        batches.append(sorted(job.student for job, _ in todo))
        with Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}") as gb:
            for job, key in todo:
                batch._store(gb, grading_dir, assignment, make_result(job), notes_by_student.get(job.student, []), key)

    monkeypatch.setattr(batch, "_run_jobs", record)
    return batches


@pytest.fixture
def graded(monkeypatch):
    """The students sent to grading, one list per batch that graded any; each gets an empty 'ok' result."""
    return recorder(monkeypatch, lambda job: SubmissionResult(job.student, job.assignment))


def run(subs, grading, settings=TRUSTED, **options):
    lines = []
    out = batch.grade(corpus.ASSIGNMENT, subs, grading, settings=settings, progress=False, log=lines.append,
                      **options)
    return out, "\n".join(lines)


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_the_grader_hash_covers_grader_toolkit_and_reference_but_not_caches(course_copy):
    before = batch.grader_hash()
    (course_copy / "nnlab" / "__pycache__").mkdir()
    (course_copy / "nnlab" / "__pycache__" / "checks.cpython-311.pyc").write_bytes(b"stale")
    (course_copy / "autograder" / ".nbgrader.log").write_text("a log line")
    assert batch.grader_hash() == before
    for rel in ("nnlab/checks.py", "autograder/reference/layers.py", "autograder/batch/submissions.py",
                "autograder/sandbox/runner.py", "requirements.txt"):
        path = course_copy / rel
        original = path.read_bytes()
        path.write_bytes(original + b"\n# changed\n")
        assert batch.grader_hash() != before, f"a change to {rel} does not regrade"
        path.write_bytes(original)
        assert batch.grader_hash() == before


def test_a_changed_test_message_in_nnlab_regrades_the_submission(course_copy, graded, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "alice.ipynb").write_bytes(corpus.dump(corpus.release()))
    grading = tmp_path / "grading"
    run(subs, grading)
    _, log = run(subs, grading)
    assert "1 submission(s) unchanged since they were graded" in log
    edit(course_copy / "nnlab" / "checks.py", "did you forget a `return`?", "did you forget to return it?")
    _, log = run(subs, grading)
    assert "the grader or the settings changed" in log
    run(subs, grading, Settings(isolate=False, timeout=7))  # any setting counts
    edit(course_copy / "autograder" / "reference" / "layers.py", "\n", "\n# the reference changed\n")
    run(subs, grading, Settings(isolate=False, timeout=7))
    assert graded == [["alice"]] * 4  # every run but the second sent alice to grading


def test_refused_and_skipped_files_are_in_the_log_the_csv_and_the_files_report(graded, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    answered = corpus.dump(corpus.release())
    for name in ("jane_doe.ipynb", "jane_roe.ipynb", "_late.ipynb", "Bob.ipynb", "bob.ipynb", ".hidden.ipynb"):
        (subs / name).write_bytes(answered)
    (subs / "notes.txt").write_text("not a notebook")
    grading = tmp_path / "grading"
    out, log = run(subs, grading)
    assert graded == [["_late", "jane_doe", "jane_roe"]]
    rows = read_csv(out)
    assert set(rows) == {"_late", "jane_doe", "jane_roe", "Bob"}
    assert rows["Bob"]["status"] == "failed"
    assert rows["Bob"]["reason"].startswith("refused: Bob.ipynb, bob.ipynb would all be graded as this student")
    for line in ("not graded: notes.txt: not a notebook", "not graded: .hidden.ipynb: a hidden or system file",
                 "not graded: bob.ipynb: refused: Bob.ipynb, bob.ipynb"):
        assert line in log
    report = Path(out).with_name(f"{Path(out).stem}-files.csv")
    with open(report, newline="", encoding="utf-8") as f:
        fates = {r["file"]: (r["student_id"], r["fate"]) for r in csv.DictReader(f)}
    assert fates == {"jane_doe.ipynb": ("jane_doe", "graded"), "jane_roe.ipynb": ("jane_roe", "graded"),
                     "_late.ipynb": ("_late", "graded"), "Bob.ipynb": ("Bob", "refused"),
                     "bob.ipynb": ("Bob", "refused"), ".hidden.ipynb": ("", "skipped"),
                     "notes.txt": ("", "skipped")}
    csv_bytes, report_bytes = Path(out).read_bytes(), report.read_bytes()
    (subs / "bob.ipynb").unlink()  # the instructor removes one: Bob is graded on the next run
    out, log = run(subs, grading)
    assert graded[-1] == ["Bob"] and read_csv(out)["Bob"]["status"] == "ok"
    (subs / "bob.ipynb").write_bytes(answered)
    run(subs, grading)
    out, _ = run(subs, grading)  # a rerun writes the same files
    assert Path(out).read_bytes() == csv_bytes and report.read_bytes() == report_bytes


@pytest.mark.slow
def test_a_dead_worker_costs_only_its_submission_and_a_rerun_grades_nothing(tmp_path, monkeypatch):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "victim.ipynb").write_bytes(corpus.dump(corpus.answered()))
    (subs / "untouched.ipynb").write_bytes(corpus.dump(corpus.release()))
    monkeypatch.setenv(batch.KILL_WORKER_TEST_HOOK, "victim")
    args = ("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, subs, "--jobs", 2, "--timeout", 10,
            "--quiet", "--no-isolation")  # what is tested is the pool, not the sandbox
    code, output = run_cli(*args)
    assert code == 0, output
    rows = read_csv(tmp_path / "g" / f"{corpus.ASSIGNMENT}-grades.csv")
    assert rows["victim"]["status"] == "failed"
    assert "the grading worker died while grading this submission" in rows["victim"]["reason"]
    assert rows["untouched"]["status"] != "failed", rows["untouched"]["reason"]
    assert (float(rows["untouched"]["score"]), float(rows["untouched"]["max_score"])) == (0.0, corpus.FULL)
    csv_bytes = (tmp_path / "g" / f"{corpus.ASSIGNMENT}-grades.csv").read_bytes()
    code, output = run_cli(*args)
    assert code == 0, output
    assert "2 submission(s) unchanged since they were graded" in output and "worker(s)" not in output
    assert (tmp_path / "g" / f"{corpus.ASSIGNMENT}-grades.csv").read_bytes() == csv_bytes


def test_the_layout_option_reaches_the_batch(graded, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "doejane_12345_67890_01_backprop.ipynb").write_bytes(corpus.dump(corpus.release()))
    for layout, student in ((None, "doejane_12345"), ("flat", "doejane_12345_67890_01_backprop")):
        code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, subs,
                               "--no-isolation", *(["--layout", layout] if layout else []))
        assert code == 0, output
        assert graded[-1] == [student]
        assert ("recognised a Canvas export" in output) == (layout is None)
    code, output = run_cli("grade", corpus.ASSIGNMENT, subs, "--layout", "blackboard")
    assert code == 2 and "invalid choice: 'blackboard'" in output


def test_only_what_decides_a_grade_of_the_assignment_is_in_its_grader_hash(course_copy):
    before = batch.grader_hash(corpus.ASSIGNMENT)
    for rel in ("autograder/batch/report.py", "autograder/batch/items.py", "autograder/__main__.py",
                "autograder/judge/batchnorm.py", "autograder/mutation/mutants.py"):
        edit(course_copy / rel, "\n", "\n# changed\n")
        assert batch.grader_hash(corpus.ASSIGNMENT) == before, f"a change to {rel} regrades 01_backprop"
    edit(course_copy / "autograder" / "judge" / "backprop.py", "\n", "\n# changed\n")
    assert batch.grader_hash(corpus.ASSIGNMENT) != before


@pytest.fixture
def scored(monkeypatch):
    """Like ``graded``, but each result of 01_backprop has one test scored scores[student] (0 by default)."""
    from autograder.records import CellResult

    scores = {}

    def result(job):
        cells = [CellResult("test_relu", "test", 1.0, scores.get(job.student, 0.0))] \
            if job.assignment == corpus.ASSIGNMENT else []
        return SubmissionResult(job.student, job.assignment, notebooks={corpus.NOTEBOOK: cells})

    return scores, recorder(monkeypatch, result)


def test_after_a_fixed_test_a_rerun_regrades_exactly_its_assignment_and_says_whose_grade_changed(
        course_copy, scored, tmp_path, monkeypatch):
    scores, batches = scored
    solutions = Path(shutil.copytree(course.SOLUTIONS, tmp_path / "solutions"))
    monkeypatch.setattr(course, "SOLUTIONS", solutions)
    ours, theirs, grading = tmp_path / "ours", tmp_path / "theirs", tmp_path / "grading"
    ours.mkdir(), theirs.mkdir()
    for student in ("alice", "bob", "carol"):
        (ours / f"{student}.ipynb").write_bytes(corpus.dump(corpus.release()))
    shutil.copy(course.EXERCISES / "02_optimizers" / "02_optimizers.ipynb", theirs / "dave.ipynb")

    def both(**options):
        logs = [run(ours, grading, **options)[1]]
        return logs + [batch.grade("02_optimizers", theirs, grading, settings=TRUSTED, progress=False,
                                   log=lambda line: None)]

    both()
    assert batches == [["alice", "bob", "carol"], ["dave"]]
    for rel in ("autograder/batch/report.py", "autograder/judge/batchnorm.py"):  # nothing of 01 or 02
        edit(course_copy / rel, "\n", "\n# changed\n")
    both()
    assert len(batches) == 2, "a change that decides no grade regraded submissions"

    # the instructor fixes a test of 01_backprop (a line of a test cell of its source); bob passes now
    edit(solutions / corpus.ASSIGNMENT / corpus.NOTEBOOK, "collect(", "collect( ")
    scores["bob"] = 1.0
    _, log = run(ours, grading, students=["bob"])
    assert batches[-1] == ["bob"]
    assert "grade changed: bob 0 → 1 (+1): test_relu 0 → 1" in log
    assert "1 of the 1 regraded submission(s) changed grade" in log
    log, _ = both()
    assert batches[3:] == [["alice", "carol"]], "the rest of 01_backprop, and nothing of 02_optimizers"
    assert "0 of the 2 regraded submission(s) changed grade" in log
    changed = changes.changes(grading, corpus.ASSIGNMENT)
    assert [(c.student, c.before, c.after, c.cells) for c in changed] == [("bob", 0.0, 1.0, [("test_relu", 0.0, 1.0)])]
    code, output = run_cli("--grading-dir", grading, "report", corpus.ASSIGNMENT, "--out-dir", tmp_path / "r")
    assert code == 0, output
    assert "- bob: 0 → 1 (+1); test_relu 0 → 1" in output
    with open(tmp_path / "r" / f"{corpus.ASSIGNMENT}-changes.csv", encoding="utf-8") as f:
        assert list(csv.DictReader(f)) == [{"student_id": "bob", "before": "0", "after": "1", "change": "+1",
                                            "tests": "test_relu 0 → 1"}]
    with pytest.raises(batch.GradingError, match="--students: no submission of zoe"):
        run(ours, grading, students=["bob", "zoe"])


def test_a_shard_regraded_and_merged_again_says_whose_grade_changed(scored, tmp_path):
    scores, _ = scored
    subs = tmp_path / "subs"
    subs.mkdir()
    for student in ("alice", "bob"):
        (subs / f"{student}.ipynb").write_bytes(corpus.dump(corpus.release()))
    shard, main = tmp_path / "shard", tmp_path / "main"
    run(subs, shard)
    batch.merge(corpus.ASSIGNMENT, [shard], main, log=lambda line: None)
    scores["alice"] = 1.0
    run(subs, shard, force=True)
    batch.merge(corpus.ASSIGNMENT, [shard], main, log=lambda line: None)
    assert [(c.student, c.delta) for c in changes.changes(main, corpus.ASSIGNMENT)] == [("alice", 1.0)]

"""Fixtures of the grading tests: running ``python -m autograder`` and the hostile batch graded once."""
import contextlib
import csv
import hashlib
import io
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from autograder import course
from autograder.__main__ import main

import corpus


def run_cli(*args):
    """Run ``python -m autograder ARGS`` in this process; returns (exit code, stdout + stderr)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit:  # argparse errors
            code = exit.code
    return code, out.getvalue()


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}


def write_flat(folder, cases):
    """Write each case as <student>.ipynb in folder (the flat layout of course platforms), or in nbgrader's
    layout <student>/<assignment>/ when it has other files; cases that cannot run here are left out."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, case in cases.items():
        if case.skip:
            continue
        if case.files:
            own = folder / student / corpus.ASSIGNMENT
            own.mkdir(parents=True)
            (own / corpus.NOTEBOOK).write_bytes(case.data)
            for name, text in case.files.items():
                (own / name).write_text(text)
        else:
            (folder / f"{student}.ipynb").write_bytes(case.data)
    return folder


def repository_state():
    """What a batch must leave as it was: `git status` of the course repository and every byte of nnlab/."""
    status = subprocess.run(["git", "status", "--porcelain", "--ignored", "nnlab"], cwd=course.REPO,
                            capture_output=True, text=True, check=True).stdout
    h = hashlib.sha256()
    for path in sorted((course.REPO / "nnlab").rglob("*")):
        h.update(str(path).encode() + (path.read_bytes() if path.is_file() else b"/"))
    whole = subprocess.run(["git", "status", "--porcelain"], cwd=course.REPO, capture_output=True, text=True,
                           check=True).stdout
    return {"git status": whole, "nnlab ignored files": status, "nnlab bytes": h.hexdigest()}


# the hostile batch's --timeout and --notebook-timeout: an honest cell importing pyplot and scikit-learn
# must fit in a cell on two busy cores; 25 cells sleeping just under the cell limit must not fit in a notebook
CELL_SECONDS, NOTEBOOK_SECONDS = 20, 60


def _runnable_cases(grading):
    return {s: c for s, c in corpus.hostile(grading, CELL_SECONDS, NOTEBOOK_SECONDS).items() if not c.skip}


@pytest.fixture(scope="session")
def hostile_cases(tmp_path_factory):
    """The hostile corpus's submissions, not graded: for tests that grade a few of them in a batch of their
    own, so they need not wait for (nor run on the xdist worker of) the whole hostile batch."""
    return _runnable_cases(tmp_path_factory.mktemp("hostile-cases") / "grading")


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """The whole hostile corpus and good submissions, graded in one batch with 2 workers."""
    root = tmp_path_factory.mktemp("hostile")
    grading = root / "grading"
    cases = _runnable_cases(grading)
    submissions = write_flat(root / "submissions", cases)
    before = repository_state()
    started = time.monotonic()
    code, output = run_cli("--grading-dir", grading, "grade", corpus.ASSIGNMENT, submissions, "--jobs", 2,
                           "--timeout", CELL_SECONDS, "--notebook-timeout", NOTEBOOK_SECONDS)
    seconds = time.monotonic() - started
    assert code == 0, output
    csv_path = grading / f"{corpus.ASSIGNMENT}-grades.csv"
    yield {"root": root, "grading": grading, "submissions": submissions, "cases": cases, "output": output,
           "csv": csv_path, "csv_bytes": csv_path.read_bytes(), "rows": read_csv(csv_path), "seconds": seconds,
           "before": before, "after": repository_state()}
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def grading_copy(hostile_batch, tmp_path):
    """A copy of the hostile batch's grading folder, for tests that change it."""
    return Path(shutil.copytree(hostile_batch["grading"], tmp_path / "grading"))

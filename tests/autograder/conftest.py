"""Fixtures of the grading tests: running ``python -m autograder`` and the hostile batch graded once."""
import contextlib
import csv
import io
import shutil
from pathlib import Path

import pytest

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
    """Write each case as <student>.ipynb in folder (the flat layout of course platforms)."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, case in cases.items():
        (folder / f"{student}.ipynb").write_bytes(case.data)
    return folder


@pytest.fixture(scope="session")
def hostile_batch(tmp_path_factory):
    """The whole hostile corpus and good submissions, graded in one batch with 2 workers."""
    root = tmp_path_factory.mktemp("hostile")
    cases = corpus.hostile()
    submissions = write_flat(root / "submissions", cases)
    grading = root / "grading"
    code, output = run_cli("--grading-dir", grading, "grade", corpus.ASSIGNMENT, submissions,
                           "--jobs", 2, "--timeout", 10)
    assert code == 0, output
    csv_path = grading / f"{corpus.ASSIGNMENT}-grades.csv"
    yield {"root": root, "grading": grading, "submissions": submissions, "cases": cases, "output": output,
           "csv": csv_path, "csv_bytes": csv_path.read_bytes(), "rows": read_csv(csv_path)}
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def grading_copy(hostile_batch, tmp_path):
    """A copy of the hostile batch's grading folder, for tests that change it."""
    return Path(shutil.copytree(hostile_batch["grading"], tmp_path / "grading"))

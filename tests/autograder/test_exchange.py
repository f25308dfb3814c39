"""The JupyterHub path, end to end through nbgrader's exchange in a temporary folder: the instructor
releases, two students fetch and submit, the instructor collects and grades with ``python -m
autograder grade``, releases the feedback, and each student fetches their own page.

On a real hub each student is a different OS user; nbgrader reads the user name from the process,
so here each student's nbgrader runs with that name patched in (``STUDENT`` below)."""
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import read_csv, run_cli

import corpus
from autograder import course

pytestmark = pytest.mark.slow

COURSE = "nn-training"
STUDENT = """
import sys
import nbgrader.utils
student = sys.argv.pop(1)
nbgrader.utils.get_osusername = lambda: student
from nbgrader.apps.nbgraderapp import main
sys.argv[0] = "nbgrader"
sys.exit(main())
"""


def as_student(name, home, *args):
    """Run ``nbgrader ARGS`` as student name, from their home folder (no course configuration there)."""
    env = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "JUPYTER_DATA_DIR": str(home / ".data")}
    proc = subprocess.run([sys.executable, "-c", STUDENT, name, *args, f"--course={COURSE}"], cwd=home, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_release_fetch_submit_collect_grade_and_return_feedback(tmp_path):
    exchange, grading = tmp_path / "exchange", tmp_path / "grading"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    root = f"--Exchange.root={exchange}"
    course.nbgrader("release_assignment", corpus.ASSIGNMENT, root, "--force", grading_dir=grading)

    homes = {name: tmp_path / name for name in ("alice", "bob")}
    for name, home in homes.items():
        home.mkdir()
        as_student(name, home, "fetch_assignment", corpus.ASSIGNMENT, root)
        fetched = home / corpus.ASSIGNMENT / corpus.NOTEBOOK
        assert fetched.read_bytes() == (course.EXERCISES / corpus.ASSIGNMENT / corpus.NOTEBOOK).read_bytes()
    (homes["alice"] / corpus.ASSIGNMENT / corpus.NOTEBOOK).write_bytes(corpus.dump(corpus.answered()))
    for name, home in homes.items():  # bob submits the release untouched
        as_student(name, home, "submit", corpus.ASSIGNMENT, root)

    course.nbgrader("collect", corpus.ASSIGNMENT, root, "--CollectApp.check_owner=False", grading_dir=grading)
    code, output = run_cli("--grading-dir", grading, "grade", corpus.ASSIGNMENT, grading / "submitted",
                           "--jobs", 2, "--timeout", 30)
    assert code == 0, output
    rows = read_csv(grading / f"{corpus.ASSIGNMENT}-grades.csv")
    assert {s: float(r["score"]) for s, r in rows.items()} == {"alice": corpus.FULL, "bob": 0.0}
    assert "replaced" not in output  # collected submissions are graded where nbgrader put them

    course.nbgrader("release_feedback", corpus.ASSIGNMENT, root, grading_dir=grading)
    for name, home in homes.items():
        as_student(name, home, "fetch_feedback", corpus.ASSIGNMENT, root)
        (page,) = (home / corpus.ASSIGNMENT / "feedback").rglob("*.html")
        html = page.read_text(encoding="utf-8")
        assert f"Score: {float(rows[name]['score'])} / {corpus.FULL}" in html
        assert "BEGIN HIDDEN TESTS" not in html and "<script" not in html

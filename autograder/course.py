"""Where the course lives on disk, and nbgrader run against it.

nbgrader is always run as a subprocess from this folder, so that it loads
``autograder/nbgrader_config.py`` (which maps its folders onto solutions/ and exercises/).
"""
import argparse
import contextlib
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOLUTIONS = REPO / "solutions"
EXERCISES = REPO / "exercises"


def default_grading_dir():
    """Where grading happens unless told otherwise: $COURSE_GRADING_DIR, else <repo>/grading."""
    return Path(os.environ.get("COURSE_GRADING_DIR") or REPO / "grading").resolve()


def assignments():
    """Names of the assignments, one per folder of solutions/ (e.g. "01_backprop"), sorted."""
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def nbgrader(*args, grading_dir=None, check=True):
    """Run ``nbgrader ARGS`` with this course's configuration; returns the CompletedProcess.

    Args:
        args: the nbgrader command line, e.g. ("autograde", "01_backprop").
        grading_dir: where the gradebook, submissions, autograded copies and feedback live
            (default: <repo>/grading).
        check: raise ``RuntimeError`` with nbgrader's output when it exits non-zero.
    """
    env = dict(os.environ)
    # nbgrader shells out to `alembic` and starts kernels: both must come from this interpreter's venv.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if grading_dir is not None:
        env["COURSE_GRADING_DIR"] = str(grading_dir)
    proc = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args], cwd=HERE, env=env, capture_output=True, text=True
    )
    if check and proc.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {proc.returncode}):\n{(proc.stdout + proc.stderr)[-4000:]}")
    return proc


def generate_release(assignment, release_dir, grading_dir):
    """``nbgrader generate_assignment`` in this process: the student version into release_dir, and the
    assignment's cells into the gradebook of grading_dir (which ``nbgrader autograde`` and the
    gradebook API need). In-process, it skips starting an interpreter and importing nbgrader again."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])  # alembic
    with environment(COURSE_GRADING_DIR=str(grading_dir), PATH=path):
        config = PyFileConfigLoader("nbgrader_config.py", path=str(HERE)).load_config()
        config.CourseDirectory.release_directory = str(release_dir)
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        converter = GenerateAssignment(coursedir=coursedir, config=config)
        converter.force, converter.create_assignment = True, True
        converter.start()


@contextlib.contextmanager
def environment(**values):
    """Set these environment variables inside the block; afterwards each has its old value (or is unset again)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def positive_int(text):
    """argparse type: an integer of at least 1 (workers, seconds, megabytes)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cell_scores(assignment, student, grading_dir=None):
    """Points per graded cell of one student's autograded submission: {grade_id: (score, max_score)}."""
    from nbgrader.api import Gradebook

    db = Path(grading_dir or default_grading_dir()) / "gradebook.db"
    with Gradebook(f"sqlite:///{db}") as gb:
        submission = gb.find_submission(assignment, student)
        return {
            grade.name: (grade.score, grade.max_score)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }

"""The student kit: what a student downloads, built from this repository by ``make student-kit``.

    python -m autograder.kit [--out DIR] [--config course.toml]

writes ``_build/student/`` and ``_build/student.zip``, then runs the leak scan (``autograder.leaks``)
over both and exits 1 when it finds anything. The kit holds:

    README.md                         set up, open, validate, submit (student/README.md)
    requirements.txt                  the student pins (student/requirements.txt) and the toolkit wheel
    wheels/nn_training_toolkit-*.whl  nnlab, built from student/pyproject.toml: never autograder
    NN_name/NN_name.ipynb             each *released* assignment, as nbgrader released it (exercises/)
    answers/NN_name.ipynb             for assignments whose answers are public: the solutions, no hidden tests
    hub/                              the recipe of a JupyterHub single-user image (student/hub/)

Which assignments are released and whose answers are public is the course config, ``course.toml``.
The folder can be pushed as it is to a public student repository.
"""
import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import course

CONFIG = course.REPO / "course.toml"
STUDENT = course.REPO / "student"          # the kit's hand-written parts: pyproject, README, pins, hub recipe
KIT_DIR = course.REPO / "_build" / "student"
ZIP_NAME = "student.zip"
HIDDEN_TESTS = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
SOLUTION_MARKER = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[^\n]*\n?", re.M)


@dataclass(frozen=True)
class Release:
    """The course config: the assignments students get, and those whose answers are public (a subset)."""

    released: tuple
    answers_public: tuple

    @classmethod
    def read(cls, path=CONFIG):
        """The [release] table of course.toml; unknown assignments or answers of unreleased ones are errors."""
        table = tomllib.loads(Path(path).read_text(encoding="utf-8"))["release"]
        release = cls(tuple(table["released"]), tuple(table.get("answers_public", ())))
        known = set(course.assignments())
        unknown = [a for a in release.released + release.answers_public if a not in known]
        if unknown:
            raise ValueError(f"{path}: no assignment named {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        early = [a for a in release.answers_public if a not in release.released]
        if early:
            raise ValueError(f"{path}: answers_public lists {', '.join(early)}, which is not released")
        return release


def build_wheel(out_dir):
    """The toolkit wheel (distribution nn-training-toolkit, import package nnlab) in out_dir; returns its path."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(STUDENT / "pyproject.toml", tmp)
        shutil.copytree(course.REPO / "nnlab", Path(tmp) / "nnlab", ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                        "--no-index", "--wheel-dir", str(out_dir), tmp], check=True)
    (wheel,) = Path(out_dir).glob("nn_training_toolkit-*.whl")
    return wheel


def answer_notebook(assignment):
    """The solution notebook of an assignment as students may see it once its answers are public:
    the solutions in place (their markers removed), no hidden tests, no outputs."""
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        cell.source = SOLUTION_MARKER.sub("", HIDDEN_TESTS.sub("", cell.source))
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def build(out=KIT_DIR, release=None):
    """Write the kit into ``out`` (emptied first) and its zip next to it; returns (kit folder, zip path)."""
    release = release or Release.read()
    out = Path(out)
    shutil.rmtree(out, ignore_errors=True)
    (out / "wheels").mkdir(parents=True)
    wheel = build_wheel(out / "wheels")
    shutil.copy(STUDENT / "README.md", out / "README.md")
    pins = (STUDENT / "requirements.txt").read_text(encoding="utf-8")
    (out / "requirements.txt").write_text(
        pins + "# the course toolkit (import nnlab); never `pip install nnlab`, an unrelated project on PyPI\n"
        f"./wheels/{wheel.name}\n", encoding="utf-8")
    for assignment in release.released:
        shutil.copytree(course.EXERCISES / assignment, out / assignment)
    if release.answers_public:
        (out / "answers").mkdir()
        for assignment in release.answers_public:
            nbformat.write(answer_notebook(assignment), str(out / "answers" / f"{assignment}.ipynb"))
    shutil.copytree(STUDENT / "hub", out / "hub", ignore=shutil.ignore_patterns("__pycache__"))
    zip_path = out.parent / ZIP_NAME
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            zf.write(path, Path("student") / path.relative_to(out))
    return out, zip_path


def main(argv=None):
    from . import leaks

    parser = argparse.ArgumentParser(prog="python -m autograder.kit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=KIT_DIR, help="the kit's folder (default: _build/student)")
    parser.add_argument("--config", type=Path, default=CONFIG, help="the course config (default: course.toml)")
    parser.add_argument("--scan", type=Path, action="append", default=[],
                        help="also scan this folder (e.g. _build/html); repeatable")
    args = parser.parse_args(argv)
    release = Release.read(args.config)
    kit, zip_path = build(args.out, release)
    print(f"wrote {kit} ({', '.join(release.released)}) and {zip_path}")
    found = leaks.scan([kit, zip_path, *args.scan], release)
    for leak in found:
        print(f"LEAK: {leak}", file=sys.stderr)
    print(f"leak scan: {len(found)} finding(s) in {', '.join(str(p) for p in [kit, zip_path, *args.scan])}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

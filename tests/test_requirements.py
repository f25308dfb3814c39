"""Requirements by audience: readers and instructors (requirements.txt), tests (requirements-test.txt),
students (student/requirements.txt); `make setup` without npm, and no chapter that needs torch."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
TEST_TOOLS = {"torch", "playwright", "pytest", "pytest-xdist"}


def _names(path):
    return {re.sub(r"[-_.]+", "-", line.split("==")[0]).lower()
            for line in path.read_text().splitlines() if "==" in line and not line.startswith("#")}


def test_test_tools_are_only_in_the_test_requirements():
    assert not TEST_TOOLS & _names(REPO / "requirements.txt")
    test = REPO / "requirements-test.txt"
    assert TEST_TOOLS <= _names(test) and "-r requirements.txt" in test.read_text().splitlines()
    assert not TEST_TOOLS & _names(REPO / "student" / "requirements.txt")


def test_no_chapter_imports_torch():
    importing = [p.name for p in sorted((REPO / "book").glob("*.md"))
                 if re.search(r"^\s*(import torch|from torch)", p.read_text(), re.M)]
    assert importing == []


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_setup_needs_no_npm_and_make_test_installs_the_test_requirements(tmp_path):
    for name in ["Makefile", "requirements.txt", "requirements-test.txt", "pyproject.toml", "package.json", "package-lock.json"]:
        shutil.copy(REPO / name, tmp_path)

    def dry_run(target):   # make -n prints the commands without running any, in a folder without a venv
        return subprocess.run(["make", "--no-print-directory", "-n", target], cwd=tmp_path, capture_output=True, text=True, check=True).stdout

    setup = dry_run("setup")
    assert "pip install" in setup and "-r requirements.txt" in setup and "npm" not in setup
    test = dry_run("test")
    assert "-r requirements-test.txt" in test and "npm ci" in test and "pytest" in test
    assert "-m autograder.kit" in dry_run("student-kit") and "npm" not in dry_run("student-kit")

"""How big the student's environment is: the kit's requirements.txt installed into a new venv.

Goal: at most 800 MB (the instructor's venv, with torch, playwright, Sphinx and pytest, is about
1.8 GB). Sizes are the bytes of the venv's files on disk, counted once each (no symlink followed).
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import kit

GOAL_MB = 800
REPO = Path(__file__).resolve().parents[1]


def folder_mb(path):
    """Megabytes (10^6 bytes) of the regular files under path, each counted once; symlinks not followed."""
    seen, total = set(), 0
    for root, _, files in os.walk(path):
        for name in files:
            st = os.lstat(os.path.join(root, name))
            if (st.st_dev, st.st_ino) not in seen and not os.path.islink(os.path.join(root, name)):
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total / 1e6


def installed_packages(python):
    out = subprocess.run([str(python), "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True, check=True)
    return [line for line in out.stdout.splitlines() if "==" in line]


def run():
    """Markdown section: the student venv's size and package count next to the instructor's venv."""
    with tempfile.TemporaryDirectory() as tmp:
        kit_dir, zip_path = kit.build(Path(tmp) / "student", kit.Release.read())
        venv = Path(tmp) / "venv"
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                       cwd=kit_dir, env=env, check=True)
        seconds = time.perf_counter() - start
        student_mb, student_n = folder_mb(venv), len(installed_packages(venv / "bin" / "python"))
        kit_mb = zip_path.stat().st_size / 1e6
    instructor = (REPO / ".venv").resolve()
    instructor_mb, instructor_n = folder_mb(instructor), len(installed_packages(instructor / "bin" / "python"))
    verdict = "within" if student_mb <= GOAL_MB else "**over**"
    return "\n".join([
        "## Student environment",
        "",
        f"The kit's `requirements.txt` (pinned student packages and the toolkit wheel) installed into a new venv "
        f"with `pip install -r requirements.txt`, from pip's cache and the package registries, in {seconds:.0f} s. "
        f"Goal: at most {GOAL_MB} MB; the student environment is {verdict} it. The kit itself (`student.zip`) is "
        f"{kit_mb:.1f} MB.",
        "",
        "| environment | MB on disk | packages |",
        "|---|---:|---:|",
        f"| student (the kit) | {student_mb:.0f} | {student_n} |",
        f"| instructor (`make test`: requirements.txt, requirements-test.txt, the repository) | {instructor_mb:.0f} | {instructor_n} |",
    ])

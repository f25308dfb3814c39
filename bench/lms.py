"""LMS import files for the 40-submission benchmark class (``bench/grading.py``'s submissions).

The class is graded with ``python -m autograder grade`` into a temporary grading folder (or the one
named by $BENCH_LMS_GRADING_DIR, already graded), then a Canvas gradebook export and a Moodle grader
report export of the same 40 students are written (``bench/lms/canvas-roster.csv``,
``moodle-roster.csv``: made-up names, SIS logins / ID numbers ``studentNN``, one student enrolled but
without a submission, the course's Canvas test student) and ``python -m autograder export`` turns them
into the files each platform imports: ``bench/lms/canvas-import.csv``, ``bench/lms/moodle-import.csv``.
"""
import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.grading import ASSIGNMENT, _expected_scores, _grade_cli, _write, submissions

HERE = Path(__file__).resolve().parent / "lms"
REPO = HERE.parents[1]
FIRST = ("Ada", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farid", "Greta", "Hiro", "Inès", "Jonas")
LAST = ("Okafor", "Lindqvist", "Moreau", "Tanaka")


def _people(students):
    """(first, last, login) of each student, and one enrolled student who submitted nothing."""
    people = [(FIRST[i % len(FIRST)], LAST[i // len(FIRST) % len(LAST)], s) for i, s in enumerate(students)]
    return people + [("Zoë", "Absent", "student99")]


def write_rosters(students):
    """The two rosters, to the platforms' export formats; returns their paths."""
    HERE.mkdir(exist_ok=True)
    people = _people(students)
    canvas, moodle = HERE / "canvas-roster.csv", HERE / "moodle-roster.csv"
    with open(canvas, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f)
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", f"{ASSIGNMENT} (70001)",
                    "Current Points", "Final Points", "Current Score", "Final Score"])
        w.writerow(["    Points Possible", "", "", "", "", "21.00", "(read only)", "(read only)", "(read only)",
                    "(read only)"])
        for k, (first, last, login) in enumerate(people):
            w.writerow([f"{last}, {first}", 50001 + k, f"S{k:05d}", login, "NN 2026", "", "", "", "", ""])
        w.writerow(["Student, Test", 59999, "", "", "NN 2026", "", "", "", "", ""])
    with open(moodle, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["First name", "Last name", "ID number", "Institution", "Department", "Email address",
                    f"Assignment: {ASSIGNMENT} (Real)", "Course total (Real)", "Last downloaded from this course"])
        for first, last, login in people:
            w.writerow([first, last, login, "Example University", "Computer Science", f"{login}@example.edu", "-",
                        "0.00", "1796169600"])
    return canvas, moodle


def _export(grading, fmt, roster):
    out = HERE / f"{fmt}-import.csv"
    proc = subprocess.run([sys.executable, "-m", "autograder", "--grading-dir", str(grading), "export", ASSIGNMENT,
                           "--format", fmt, "--roster", str(roster.relative_to(REPO)), "--out", str(out.relative_to(REPO))], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return out, proc.stdout.strip().splitlines()


def run():
    notebooks = submissions()
    canvas, moodle = write_rosters(sorted(notebooks))
    with tempfile.TemporaryDirectory(prefix="bench-lms-") as tmp:
        grading = Path(os.environ.get("BENCH_LMS_GRADING_DIR") or Path(tmp) / "grading")
        if not (grading / f"{ASSIGNMENT}-grades.csv").is_file():
            _write(Path(tmp) / "submissions", notebooks, layout="flat")
            _grade_cli(grading, Path(tmp) / "submissions", 2)
        outputs = {fmt: _export(grading, fmt, roster) for fmt, roster in (("canvas", canvas), ("moodle", moodle))}
    expected = _expected_scores(notebooks)
    with open(outputs["moodle"][0], newline="", encoding="utf-8") as f:
        written = {r["ID number"]: r[f"Assignment: {ASSIGNMENT} (Real)"] for r in csv.DictReader(f)}
    right = all(float(written[s]) == score for s, score in expected.items()) and written["student99"] == ""
    lines = ["## LMS import files of the benchmark class", "",
             f"The {len(notebooks)} submissions of `bench/grading.py`, graded, exported with "
             "`python -m autograder export` against a Canvas gradebook export and a Moodle grader report export "
             "of the class (`bench/lms/*-roster.csv`: the 40 students, one enrolled student without a submission, "
             f"Canvas's test student). Every grade written is the expected one: **{'yes' if right else 'NO'}**.", ""]
    for fmt, (out, log) in outputs.items():
        lines += [f"- `{out.relative_to(REPO)}` ({fmt}): " + "; ".join(log)]
    return "\n".join(lines)

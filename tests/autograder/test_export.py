"""``python -m autograder export``: the grades as Canvas's or Moodle's import file, students matched with
the platform's own gradebook export. The rosters below are built to the formats' documentation:
Canvas's gradebook export (identity columns, ``<name> (<id>)`` per assignment, a ``Points Possible``
row, read-only totals, the course's test student, the *Manual Posting* row of newer versions) and Moodle's grader report export (names, *ID
number*, institution, department, email, ``Assignment: <name> (Real)``, the course total)."""
import csv
import json

import pytest
from conftest import run_cli

from autograder.batch import grade as batch
from autograder.batch.export import build, export
from autograder.records import CellResult, SubmissionResult

ASSIGNMENT = "01_backprop"
CANVAS = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,01_backprop (4242),Quiz 1 (4243),Current Points,Final Points,Current Score,Unposted Current Score,Final Score,Unposted Final Score
,,,,,Manual Posting,,,,,,,
    Points Possible,,,,,21.00,10.00,(read only),(read only),(read only),(read only),(read only),(read only)
"Doe, Jane",12345,S001,jdoe,NN 2026 – Section A,,8.00,8.00,8.00,80.00,80.00,26.00,26.00
"Roe, Richard",12346,S002,rroe,NN 2026 – Section A,,9.00,9.00,9.00,90.00,90.00,29.00,29.00
"Løvaas, Åse",12347,S003,ALOVAAS,NN 2026 – Section B,,,0.00,0.00,,,0.00,0.00
"Student, Test",99999,,,NN 2026 – Section A,,,0.00,0.00,,,0.00,0.00
"""
MOODLE = """First name,Last name,ID number,Institution,Department,Email address,Assignment: 01_backprop (Real),Quiz: Quiz 1 (Real),Course total (Real),Last downloaded from this course
Jane,Doe,S001,Example University,Computer Science,jane.doe@example.edu,-,8.00,8.00,1796169600
Richard,Roe,S002,Example University,Computer Science,richard.roe@example.edu,-,9.00,9.00,1796169600
Åse,Løvaas,S003,Example University,Mathematics,ase.lovaas@example.edu,-,-,0.00,1796169600
"""


def graded_class(grading, scores):
    """A grading folder whose results give each student one test cell of 21 points scored as given."""
    folder = batch.results_dir(grading, ASSIGNMENT)
    folder.mkdir(parents=True)
    for student, score in scores.items():
        result = SubmissionResult(student, ASSIGNMENT, "failed" if score is None else "ok",
                                  notebooks={} if score is None else
                                  {"01_backprop.ipynb": [CellResult("all", "test", 21.0, score)]})
        (folder / f"{student}.json").write_text(json.dumps(result.to_dict()))
    return grading


def rows_of(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


@pytest.fixture
def canvas_roster(tmp_path):
    path = tmp_path / "canvas-export.csv"
    path.write_text(CANVAS, encoding="utf-8")
    return path


@pytest.fixture
def moodle_roster(tmp_path):
    path = tmp_path / "moodle-export.csv"
    path.write_text(MOODLE, encoding="utf-8")
    return path


def test_canvas_import_fills_the_assignment_column_by_sis_login(tmp_path, canvas_roster):
    grading = graded_class(tmp_path / "g", {"jdoe": 17.5, "rroe": 21.0, "alovaas": 3.0})
    lines = []
    export(ASSIGNMENT, grading, "canvas", canvas_roster, tmp_path / "import.csv", log=lines.append)
    assert rows_of(tmp_path / "import.csv") == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_backprop (4242)"],
        ["Points Possible", "", "", "", "", "21"],
        ["Doe, Jane", "12345", "S001", "jdoe", "NN 2026 – Section A", "17.5"],
        ["Roe, Richard", "12346", "S002", "rroe", "NN 2026 – Section A", "21"],
        ["Løvaas, Åse", "12347", "S003", "ALOVAAS", "NN 2026 – Section B", "3"],  # case ignored
        ["Student, Test", "99999", "", "", "NN 2026 – Section A", ""],
    ]
    assert "1 roster student(s) without a grade (left empty): Student, Test (no SIS Login ID)" in lines


def test_a_graded_student_missing_from_the_roster_stops_the_export_unless_allowed(tmp_path, canvas_roster):
    grading = graded_class(tmp_path / "g", {"jdoe": 10.0, "ghost": 5.0})
    out = tmp_path / "import.csv"
    code, output = run_cli("--grading-dir", grading, "export", ASSIGNMENT, "--format", "canvas",
                           "--roster", canvas_roster, "--out", out)
    assert code == 2 and not out.exists()
    assert "1 graded student(s) not in the roster (by SIS Login ID): ghost" in output
    assert "3 roster student(s) without a grade (left empty): rroe, ALOVAAS, Student, Test (no SIS Login ID)" in output
    code, output = run_cli("--grading-dir", grading, "export", ASSIGNMENT, "--format", "canvas",
                           "--roster", canvas_roster, "--out", out, "--allow-unmatched")
    assert code == 0, output
    assert [r[-1] for r in rows_of(out)[2:]] == ["10", "", "", ""] and "ghost" in output


def test_canvas_ids_of_a_submissions_download_match_on_the_canvas_id(tmp_path, canvas_roster):
    grading = graded_class(tmp_path / "g", {"doejane_12345": 20.0, "roerichard_12346": None})
    result = build(ASSIGNMENT, grading, "canvas", canvas_roster, match="ID")
    assert [r[-1] for r in result.rows[1:]] == ["20", "0", "", ""]
    assert result.unmatched_graded == [] and any("nothing could be graded for roerichard_12346" in n
                                                 for n in result.notes)


def test_moodle_import_has_the_identifier_and_the_grade_column(tmp_path, moodle_roster):
    grading = graded_class(tmp_path / "g", {"S001": 12.25, "S002": 21.0, "S003": 0.0})
    export(ASSIGNMENT, grading, "moodle", moodle_roster, tmp_path / "import.csv", log=lambda line: None)
    assert rows_of(tmp_path / "import.csv") == [["ID number", "Assignment: 01_backprop (Real)"],
                                                ["S001", "12.25"], ["S002", "21"], ["S003", "0"]]


def test_moodle_by_email_from_a_semicolon_separated_export(tmp_path):
    roster = tmp_path / "moodle.csv"
    roster.write_text(MOODLE.replace(",", ";"), encoding="utf-8")
    grading = graded_class(tmp_path / "g", {"Jane.Doe@example.edu": 7.0})
    result = build(ASSIGNMENT, grading, "moodle", roster, match="Email address")
    assert result.header == ["Email address", "Assignment: 01_backprop (Real)"]
    assert result.rows == [["jane.doe@example.edu", "7"], ["richard.roe@example.edu", ""],
                           ["ase.lovaas@example.edu", ""]]


def test_a_roster_without_the_assignment_gets_a_new_column_and_a_wrong_match_column_is_named(tmp_path, canvas_roster):
    grading = graded_class(tmp_path / "g", {"jdoe": 1.0})
    other = tmp_path / "other.csv"
    other.write_text(CANVAS.replace("01_backprop (4242)", "Homework 1 (4242)"), encoding="utf-8")
    result = build(ASSIGNMENT, grading, "canvas", other)
    assert result.header[-1] == "01_backprop" and "new column '01_backprop'" in result.notes[0]
    assert build(ASSIGNMENT, grading, "canvas", other, column="Homework 1 (4242)").header[-1] == "Homework 1 (4242)"
    with pytest.raises(batch.GradingError, match="no 'Email' column to match students on"):
        build(ASSIGNMENT, grading, "canvas", canvas_roster, match="Email")

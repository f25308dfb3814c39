"""``python -m autograder report``: per-test pass rates and the commonest failures, as a table and a plot."""
import csv

import pytest
from conftest import run_cli

import corpus
from autograder.batch.report import item_analysis, normalise
from autograder.records import CellResult, SubmissionResult

pytestmark = pytest.mark.slow


def test_messages_differing_only_in_numbers_count_as_one_failure():
    assert normalise("relu: 3 of 7 values are wrong; expected 0.5, got -1.2e-05\nmore") == \
        "relu: # of # values are wrong; expected #, got #"


def test_item_analysis_counts_passes_and_failures_per_test():
    results = {s: SubmissionResult(s, "a", notebooks={"nb.ipynb": [CellResult("t", "test", 2.0, score, m)]})
               for s, score, m in [("a", 2.0, ""), ("b", 0.0, "x: expected 1, got 2"), ("c", 0.0, "x: expected 3, got 4")]}
    (row,) = item_analysis(results)
    assert (row["students"], row["passed"], round(row["pass_rate"], 3)) == (3, 1, 0.333)
    assert row["failures"].most_common(1) == [("x: expected #, got #", 2)]


def test_report_writes_table_csv_and_plot_for_the_batch(hostile_batch, grading_copy, tmp_path):
    code, output = run_cli("--grading-dir", grading_copy, "report", corpus.ASSIGNMENT, "--out-dir", tmp_path)
    assert code == 0, output
    md, table, png = (tmp_path / f"{corpus.ASSIGNMENT}-items.{ext}" for ext in ("md", "csv", "png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(table, encoding="utf-8") as f:
        rows = {r["grade_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(corpus.POINTS)
    graded = hostile_batch["rows"]
    for test, row in rows.items():
        passed = sum(float(r[test]) == corpus.POINTS[test] for r in graded.values())
        assert int(row["passed"]) == passed and int(row["students"]) == len(graded), test
    assert "# Item analysis: 01_backprop" in md.read_text(encoding="utf-8") and "| test_relu_grad |" in output


def test_report_without_a_gradebook_says_to_grade_first(tmp_path):
    code, output = run_cli("--grading-dir", tmp_path, "report", corpus.ASSIGNMENT)
    assert code == 2 and "no gradebook" in output and "python -m autograder grade" in output

"""``python -m autograder report``: the item analysis of each test (pass rate, mean points, discrimination,
upper–lower index, flags), the assignment's reliability and distribution, as tables, a CSV and an offline
page; checked by hand on a synthetic class with a planted bad test, and on the hostile batch."""
import csv
import math
import re

import pytest
from conftest import run_cli

import corpus
from autograder.batch import items
from autograder.batch.report import failures, figure, normalise, page, svg
from autograder.records import CellResult, SubmissionResult

# The synthetic class: 5 students, 6 tests (all 1 point but `good`, 2 points). `good` is passed by the
# two strongest students, `bad` (planted) by the three weakest, `easy` by everyone.
TESTS = ("t1", "t2", "t3", "good", "bad", "easy")
POINTS = {"t1": 1, "t2": 1, "t3": 1, "good": 2, "bad": 1, "easy": 1}
CLASS = {  # student: points of t1 t2 t3 good bad easy; totals 6, 5, 3, 3, 2 of 7
    "A": (1, 1, 1, 2, 0, 1),
    "B": (1, 1, 0, 2, 0, 1),
    "C": (0, 0, 1, 0, 1, 1),
    "D": (0, 1, 0, 0, 1, 1),
    "E": (0, 0, 0, 0, 1, 1),
}


def result(student, scores, assignment="01_backprop", messages=None):
    cells = [CellResult(t, "test", float(POINTS.get(t, 1)), float(s), (messages or {}).get(t, ""))
             for t, s in zip(TESTS, scores)]
    return SubmissionResult(student, assignment, notebooks={"01_backprop.ipynb": cells})


@pytest.fixture
def synthetic():
    return {s: result(s, scores) for s, scores in CLASS.items()}


def test_the_planted_bad_test_is_flagged_and_the_good_one_is_not(synthetic):
    a = items.analyse("01_backprop", synthetic)
    by = {i.grade_id: i for i in a.items}
    good, bad, easy = by["good"], by["bad"], by["easy"]
    # good: points x = 2,2,0,0,0 (mean 0.8), rest score R = 4,3,3,3,2 (mean 3);
    # Σ(x−x̄)(R−R̄) = 1.2·1 + (−0.8)·(−1) = 2, Σ(x−x̄)² = 4.8, Σ(R−R̄)² = 2: r = 2/√9.6
    assert good.discrimination == pytest.approx(2 / math.sqrt(9.6)) and good.flags == []
    assert (good.passed, good.pass_rate, good.mean_points) == (2, 0.4, pytest.approx(0.8))
    # 27 % of 5 students is 1: the top by R is A (2 of 2 points), the bottom E (0): D = 1
    assert good.upper_lower == pytest.approx(1.0)
    # bad: x = 0,0,1,1,1 (mean 0.6), R = 6,5,2,2,1 (mean 3.2); Σ products = −4.6, Σ(x−x̄)² = 1.2,
    # Σ(R−R̄)² = 18.8: r = −4.6/√22.56; top A scored 0, bottom E 1: D = −1
    assert bad.discrimination == pytest.approx(-4.6 / math.sqrt(22.56))
    assert bad.upper_lower == pytest.approx(-1.0)
    assert bad.flags == ["discrimination below 0.1"]
    assert easy.discrimination is None and easy.pass_rate == 1.0
    assert easy.flags == ["no discrimination (everyone scored the same)", "pass rate above 98 %"]


def test_reliability_and_distribution_match_a_hand_computation(synthetic):
    a = items.analyse("01_backprop", synthetic)
    # KR-20 on pass/fail: passes per student 5,4,3,3,2 (variance 1.04); Σ p q = 5 · 0.24 = 1.2
    assert a.kr20 == pytest.approx(6 / 5 * (1 - 1.2 / 1.04))
    # α on points: the tests' variances add up to 4 · 0.24 + 0.96 = 1.92; totals 6,5,3,3,2 (variance 2.16)
    assert a.alpha == pytest.approx(6 / 5 * (1 - 1.92 / 2.16))
    d = a.distribution
    assert d.mean == pytest.approx(19 / 35) and d.median == pytest.approx(3 / 7)
    assert (d.low, d.high) == (pytest.approx(2 / 7), pytest.approx(6 / 7))
    assert d.counts == [0, 0, 1, 0, 2, 0, 0, 1, 1, 0]  # 29 %, 43 % twice, 71 %, 86 %


def test_a_pass_needs_full_points_and_partial_credit_counts_in_the_mean():
    results = {s: SubmissionResult(s, "a", notebooks={"nb.ipynb": [CellResult("t", "test", 2.0, score),
                                                                   CellResult("u", "test", 1.0, other)]})
               for s, score, other in [("a", 2.0, 1.0), ("b", 1.5, 1.0), ("c", 0.25, 0.0)]}
    t, _ = items.analyse("a", results).items
    assert (t.passed, t.mean_points) == (1, pytest.approx(3.75 / 3))
    assert t.pass_rate == pytest.approx(1 / 3)


def test_a_class_where_everyone_fails_flags_the_test_as_too_hard():
    results = {s: SubmissionResult(s, "a", notebooks={"nb.ipynb": [CellResult("t", "test", 1.0, 0.0),
                                                                   CellResult("u", "test", 1.0, float(i % 2))]})
               for i, s in enumerate("abcd")}
    t, u = items.analyse("a", results).items
    assert "pass rate below 5 %" in t.flags and "pass rate below 5 %" not in u.flags


def test_messages_differing_only_in_numbers_count_as_one_failure():
    assert normalise("relu: 3 of 7 values are wrong; expected 0.5, got -1.2e-05\nmore") == \
        "relu: # of # values are wrong; expected #, got #"
    results = {s: result(s, CLASS["E"], messages={"t1": f"x: expected {n}, got 2"})
               for s, n in (("a", 1), ("b", 3.5))}
    assert failures(results)[("01_backprop.ipynb", "t1")].most_common(1) == [("x: expected #, got #", 2)]


def test_the_page_is_self_contained_and_names_the_flagged_tests(synthetic):
    a = items.analyse("01_backprop", synthetic)
    text = page(a, failures(synthetic), [], svg(figure(a)))
    assert "<svg" in text and "<script" not in text and "<link" not in text
    # every reference is to an element of the page itself (the SVG's clip paths and markers)
    assert not re.findall(r"""url\((?!#)|(?:src|href)=["'](?!#)""", text), "the page would load something"
    assert '<tr class="flagged"><td>bad</td>' in text and '<tr><td>good</td>' in text
    assert "KR-20 -0.18" in text and "Cronbach's α 0.13" in text


@pytest.mark.slow
def test_report_writes_tables_csv_page_and_plot_for_the_batch(hostile_batch, grading_copy, tmp_path):
    code, output = run_cli("--grading-dir", grading_copy, "report", corpus.ASSIGNMENT, "--out-dir", tmp_path)
    assert code == 0, output
    path = {k: tmp_path / f"{corpus.ASSIGNMENT}-{k}" for k in ("items.md", "items.csv", "items.png", "items.html",
                                                              "assignment.csv")}
    assert path["items.png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with open(path["items.csv"], encoding="utf-8") as f:
        rows = {r["grade_id"]: r for r in csv.DictReader(f)}
    assert set(rows) == set(corpus.POINTS)
    # the class: every student with a graded test (one missing a cell counts 0 there)
    graded = [r for r in hostile_batch["rows"].values() if any(r[t] != "" for t in corpus.POINTS)]
    for test, row in rows.items():
        assert int(row["students"]) == len(graded), test
        assert int(row["passed"]) == sum(r[test] != "" and float(r[test]) == corpus.POINTS[test] for r in graded)
        assert float(row["mean_points"]) == pytest.approx(sum(float(r[test] or 0) for r in graded) / len(graded),
                                                          abs=1e-4), test
    with open(path["assignment.csv"], encoding="utf-8") as f:
        numbers = dict(csv.reader(f))
    assert int(numbers["tests"]) == len(corpus.POINTS) and float(numbers["cronbach_alpha"]) <= 1
    assert "# Item analysis: 01_backprop" in path["items.md"].read_text(encoding="utf-8")
    assert "| test_relu_grad |" in output and "<svg" in path["items.html"].read_text(encoding="utf-8")


def test_report_without_a_gradebook_says_to_grade_first(tmp_path):
    code, output = run_cli("--grading-dir", tmp_path, "report", corpus.ASSIGNMENT)
    assert code == 2 and "no gradebook" in output and "python -m autograder grade" in output


def test_the_report_page_shows_the_figure_and_the_flags_in_a_browser_that_may_load_nothing(synthetic, tmp_path, browser):
    """What an instructor sees: headless Chromium opens the page as a file, every other request aborted."""
    a = items.analyse("01_backprop", synthetic)
    path = tmp_path / "items.html"
    path.write_text(page(a, failures(synthetic), [], svg(figure(a))), encoding="utf-8")
    elsewhere = []
    view = browser.new_page(viewport={"width": 1280, "height": 900})
    view.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:")
               else (elsewhere.append(r.request.url), r.abort()))
    view.goto(path.as_uri())
    box = view.locator("figure svg").bounding_box()
    flagged = view.locator("h2:has-text('Flagged tests') + ul li").all_inner_texts()
    shaded = view.locator("tr.flagged td:first-child").all_inner_texts()
    view.close()
    assert elsewhere == []
    assert box["width"] > 600 and box["height"] > 250, box  # the figure is drawn, at a readable size
    # t3 (1,0,1,0,0: passed by A and C) hardly follows the rest score either: r = 0.2/√11.04 ≈ 0.06
    assert flagged == ["t3: discrimination below 0.1", "bad: discrimination below 0.1",
                       "easy: no discrimination (everyone scored the same); pass rate above 98 %"]
    assert shaded == ["t3", "bad", "easy"]

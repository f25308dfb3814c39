"""bench/make_test.py: the per-module seconds of `make test`'s pytest run, read from its JUnit XML report."""
from bench.make_test import module_seconds

REPORT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="4">
<testcase classname="tests.autograder.test_grade" name="test_a[good]" time="1.5" />
<testcase classname="tests.autograder.test_grade" name="test_a[bad]" time="2.0" />
<testcase classname="tests.website.test_pages.TestPages" name="test_b" time="0.25" />
<testcase classname="tests.test_parallel" name="test_c" time="0.01"><skipped message="x" /></testcase>
</testsuite></testsuites>"""


def test_tests_are_summed_per_module_and_a_class_counts_for_its_module(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(REPORT)
    assert module_seconds(report) == {"tests/autograder/test_grade.py": (2, 3.5), "tests/website/test_pages.py": (1, 0.25),
                                      "tests/test_parallel.py": (1, 0.01)}

"""How long `make test`'s pytest run takes (`pytest -n auto --dist loadgroup`, the book already built),
in total and per test module: the seconds of its tests (set-up of their fixtures included) summed from
pytest's JUnit XML report. Needs `make book` first, as `make test` does."""
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def module_seconds(junit_xml):
    """{test module's path: (number of tests, summed seconds)} of a JUnit XML report written by pytest."""
    totals = defaultdict(lambda: [0, 0.0])
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        while module and module[-1][:1].isupper():  # a test class: its module is before it
            module.pop()
        path = "/".join(module) + ".py"
        totals[path][0] += 1
        totals[path][1] += float(case.get("time", 0))
    return {path: (count, seconds) for path, (count, seconds) in totals.items()}


def run():
    """Markdown section: wall time of the run, and the summed test time of each module, slowest first."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        started = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "auto", "--dist", "loadgroup",
                               f"--junitxml={report}"], cwd=REPO, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if not report.exists():
            raise RuntimeError(f"pytest wrote no report (exit {proc.returncode}):\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        modules = module_seconds(report)
    rows = [f"| {path} | {count} | {seconds:.0f} |" for path, (count, seconds) in
            sorted(modules.items(), key=lambda item: -item[1][1])]
    return "\n".join([
        "## make test time",
        "",
        f"`pytest -n auto --dist loadgroup` as `make test` runs it after `make book`, on {os.cpu_count()} CPU(s):",
        f"**{wall:.0f} s** wall time (pytest exit status {proc.returncode}). Per module: the seconds of its",
        "tests, fixtures' set-up included, summed over the workers (JUnit XML report).",
        "",
        "| module | tests | seconds |",
        "|---|---:|---:|",
        *rows,
    ])

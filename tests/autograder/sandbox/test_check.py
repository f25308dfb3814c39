"""Rule: the grader refuses to grade when isolation does not work here, and says what to install; grading
without it takes an explicit --no-isolation, which every row of the grades CSV then states."""
import sys

import pytest

from autograder import sandbox
from autograder.records import ISOLATION_OFF_NOTE

sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1]))
import corpus  # noqa: E402
from conftest import read_csv, run_cli, write_flat  # noqa: E402


def test_check_names_what_to_install_when_bwrap_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH without bwrap
    with pytest.raises(sandbox.IsolationUnavailable, match=r"bubblewrap \(bwrap\) is not installed.*apt-get install bubblewrap"):
        sandbox.check()
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, tmp_path)
    assert code == 2 and "apt-get install bubblewrap" in output and "--no-isolation" in output
    assert not (tmp_path / "g" / "submitted").exists(), "something was graded without isolation"


def test_check_passes_here_and_reports_what_it_verified():
    facts = sandbox.check()
    assert facts["uid"] != 0 and int(facts["cap_eff"], 16) == 0
    assert not facts["repo_visible"] and not facts["venv_writable"] and not facts["network"]


@pytest.mark.slow
def test_no_isolation_writes_its_note_into_every_row(tmp_path):
    cases = {"good": corpus.Case(corpus.dump(corpus.answered()), corpus.FULL, "ok"),
             "untouched": corpus.Case(corpus.dump(corpus.release()), 0.0, "ok")}
    folder = write_flat(tmp_path / "subs", cases)
    code, output = run_cli("--grading-dir", tmp_path / "g", "grade", corpus.ASSIGNMENT, folder, "--jobs", 2,
                           "--timeout", 10, "--no-isolation")
    assert code == 0, output
    assert f"warning: {ISOLATION_OFF_NOTE}" in output
    rows = read_csv(tmp_path / "g" / f"{corpus.ASSIGNMENT}-grades.csv")
    assert set(rows) == set(cases)
    for student, row in rows.items():
        assert ISOLATION_OFF_NOTE in row["reason"], (student, row["reason"])
        assert float(row["score"]) == cases[student].score, (student, row)

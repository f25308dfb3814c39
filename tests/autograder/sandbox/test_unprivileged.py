"""Rule: an instructor who is not root grades with the same isolation: bwrap makes a user namespace
(``--unshare-user``), the sandbox's uid 65534 maps onto the instructor's own, and the sandbox's check
holds. What an ordinary user does not get is said at start: no control group per sandbox (memory and
processes limited per process) and read-only tripwires (a write among them is refused unseen).

When the tests run as root, the grader is started as ``nobody`` (setpriv) in a private mount namespace
where the folders above the interpreter that ``nobody`` may not enter (/root is 0700 when the venv's
base Python lives under it) are replaced by an empty tmpfs holding only the interpreter's own folder:
``nobody`` reads the interpreter and nothing else of them, and the host is unchanged."""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import corpus
from autograder import course

UNPRIVILEGED = 65534
# run as root in a private mount namespace: $1.. are pairs (closed folder, the child of it to keep), then --
REVEAL = r'''
set -e
while [ "$1" != -- ]; do
    closed=$1 keep=$2; shift 2
    stage=$(mktemp -d)
    mount --bind "$keep" "$stage"
    mount -t tmpfs -o mode=755,size=1m tmpfs "$closed"
    mkdir -p "$keep"
    mount --move "$stage" "$keep"
done
shift
exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
'''


def _closed_folders():
    """(folder nobody cannot enter, its child on the way to what the grader needs) for the interpreter,
    the venv and the course repository."""
    pairs = set()
    for needed in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), course.REPO}:
        for depth in range(1, len(needed.parts) - 1):
            folder = Path(*needed.parts[:depth + 1])
            if not folder.stat().st_mode & 0o001:
                pairs.add((folder, Path(*needed.parts[:depth + 2])))
                break
    return sorted(pairs)


def unprivileged(argv, **kwargs):
    """Run argv as an ordinary user: this user when not root, else nobody (see the module's docstring)."""
    if os.geteuid() != 0:
        return subprocess.run(argv, capture_output=True, text=True, **kwargs)
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        pytest.skip("util-linux's unshare and setpriv are needed to become nobody here")
    pairs = [str(p) for pair in _closed_folders() for p in pair]
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", REVEAL, "sh", *pairs, "--",
                           *argv], capture_output=True, text=True, **kwargs)


PYTHON = [str(Path(sys.prefix) / "bin" / "python")]
ENV = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(course.REPO), "HOME": "/tmp", "LANG": "C.UTF-8"}


def test_the_sandbox_check_holds_for_an_ordinary_user():
    probe = ("import json, os\nfrom autograder import sandbox\n"
             "print(json.dumps({'grader': os.geteuid(), **sandbox.check()}))")
    done = unprivileged(PYTHON + ["-c", probe], env=ENV, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    facts = __import__("json").loads(done.stdout.strip().splitlines()[-1])
    assert facts["grader"] != 0 and facts["uid"] == UNPRIVILEGED and int(facts["cap_eff"], 16) == 0, facts
    assert not facts["repo_visible"] and not facts["network"] and not facts["venv_writable"], facts


def test_an_ordinary_user_grades_a_batch_with_the_answer_key_out_of_reach():
    folder = Path(tempfile.mkdtemp(prefix="unprivileged-"))
    try:
        submissions, grading = folder / "submissions", folder / "grading"
        submissions.mkdir()
        (submissions / "good.ipynb").write_bytes(corpus.dump(corpus.answered()))
        (submissions / "cheat.ipynb").write_bytes(corpus.dump(corpus.escaped("dir-fd", grading)))
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o666)
        done = unprivileged(PYTHON + ["-m", "autograder", "--grading-dir", str(grading), "grade", corpus.ASSIGNMENT,
                                      str(submissions), "--jobs", "1", "--timeout", "30", "--notebook-timeout", "90"],
                            env=ENV, timeout=600, cwd=folder)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        if os.geteuid() == 0 or not Path("/sys/fs/cgroup").stat().st_mode & 0o002:
            assert "no control group per sandbox" in done.stdout + done.stderr
        with open(grading / f"{corpus.ASSIGNMENT}-grades.csv", newline="") as f:
            rows = {row["student_id"]: row for row in csv.DictReader(f)}
        assert (rows["good"]["score"], rows["good"]["status"]) == (f"{corpus.FULL:g}", "ok"), rows["good"]
        assert (rows["cheat"]["score"], rows["cheat"]["status"]) == ("0", "flagged"), rows["cheat"]
        assert corpus.TRIPPED in rows["cheat"]["reason"], rows["cheat"]["reason"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)

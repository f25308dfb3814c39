"""Rule: the system, the interpreter, the venv and the student toolkit are read-only in the sandbox.

The toolkit's files cannot be changed; when the grader is root the toolkit is a copy on the tripwires'
tmpfs, where a file planted next to them is allowed, found after the run and reported (it never
reaches the grader's nnlab/); otherwise the whole toolkit is read-only."""
import os
import hashlib
import sys
from pathlib import Path

import numpy

from autograder import course
from autograder.sandbox import VENV
from sandboxed import ATTEMPT, facts, run, stdout

SITE = Path(sys.prefix).resolve() / "lib" / "python3.11" / "site-packages"
TARGETS = {  # paths inside the sandbox, where the venv is bound at /opt/venv
    "venv": f"{VENV}/lib/python3.11/site-packages/planted.py",
    "numpy": f"{VENV}/{Path(numpy.__file__).resolve().relative_to(Path(sys.prefix).resolve())}",
    "stdlib": str(Path(sys.base_prefix).resolve() / "lib" / "python3.11" / "os.py"),
    "usr": "/usr/lib/planted",
    "etc": "/etc/passwd",
    "toolkit": "/toolkit/nnlab/checks.py",
    "runner": "/grader/runner.py",
    "inputs": "/grader/inputs.json",
}


def _tree_digest(root):
    h = hashlib.sha256()
    for path in sorted(Path(root).rglob("*")):
        h.update(str(path).encode() + (path.read_bytes() if path.is_file() else b"/"))
    return h.hexdigest()


def test_writes_to_the_system_the_venv_and_the_toolkit_fail_and_change_nothing_outside():
    before = _tree_digest(course.REPO / "nnlab")
    site = SITE
    listing = sorted(p.name for p in site.iterdir())
    probe = ATTEMPT + f'''
targets = {TARGETS!r}
def write(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write("# planted")
seen = {{name: attempt(lambda p=path: write(p)) for name, path in targets.items()}}
seen["replace"] = attempt(lambda: os.replace("/grader/runner.py", "/grader/old.py"))
seen["chmod"] = attempt(lambda: os.chmod("/toolkit/nnlab", 0o777))
print(json.dumps(seen))
'''
    seen = facts(probe)
    assert not [name for name, outcome in seen.items() if outcome == "allowed"], seen
    assert _tree_digest(course.REPO / "nnlab") == before, "the toolkit changed on the grader's side"
    assert sorted(p.name for p in site.iterdir()) == listing, "the venv changed on the grader's side"


PLANT = "/toolkit/nnlab/__pycache__/checks.cpython-311.pyc"


def test_a_file_planted_in_the_toolkit_is_reported_and_never_reaches_the_grader():
    before = _tree_digest(course.REPO / "nnlab")
    result = run(ATTEMPT + f"""
def plant():
    os.makedirs(os.path.dirname({PLANT!r}), exist_ok=True)
    open({PLANT!r}, "wb").write(b"planted")
print(attempt(plant))
""")
    assert _tree_digest(course.REPO / "nnlab") == before, "the toolkit changed on the grader's side"
    if os.geteuid() == 0:
        assert stdout(result).strip() == "allowed"
        assert any(r.startswith("tried to write into the toolkit") and PLANT in r for r in result.refused), \
            result.refused
    else:
        assert stdout(result).strip() == "EROFS"

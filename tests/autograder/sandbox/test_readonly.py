"""Rule: the system, the interpreter, the venv and the student toolkit are read-only in the sandbox."""
import hashlib
import sys
from pathlib import Path

import numpy

from autograder import course
from autograder.sandbox import VENV
from sandboxed import ATTEMPT, facts

SITE = Path(sys.prefix).resolve() / "lib" / "python3.11" / "site-packages"
TARGETS = {  # paths inside the sandbox, where the venv is bound at /opt/venv
    "venv": f"{VENV}/lib/python3.11/site-packages/planted.py",
    "numpy": f"{VENV}/{Path(numpy.__file__).resolve().relative_to(Path(sys.prefix).resolve())}",
    "stdlib": str(Path(sys.base_prefix).resolve() / "lib" / "python3.11" / "os.py"),
    "usr": "/usr/lib/planted",
    "etc": "/etc/passwd",
    "toolkit": "/toolkit/nnlab/checks.py",
    "toolkit_cache": "/toolkit/nnlab/__pycache__/checks.cpython-311.pyc",
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

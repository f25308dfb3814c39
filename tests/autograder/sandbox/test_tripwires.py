"""Rule: an attempt at the answer key, the solutions or the gradebook is seen from outside the sandbox
(``autograder.sandbox.tripwire``): the row names it whatever the notebook prints or hides."""
import os

import pytest

from autograder import course
from sandboxed import run

REFERENCE = course.HERE / "reference"
ATTEMPTS = {
    "import": "import autograder.reference.activations",
    "read by path": f"open({str(REFERENCE / 'activations.py')!r}).read()",
    "a directory fd": f"import os\nos.read(os.open('layers.py', os.O_RDONLY, dir_fd=os.open({str(REFERENCE)!r}, 0)), 9)",
    "a listing": f"import os\nos.listdir({str(course.SOLUTIONS)!r})",
    "the gradebook": "import sqlite3\nsqlite3.connect('{grading}/gradebook.db').execute('select * from grade')",
}


@pytest.mark.parametrize("how", ATTEMPTS)
def test_an_attempt_to_read_the_answer_key_is_seen_even_when_the_notebook_hides_its_error(how, tmp_path):
    hidden = "try:\n" + "".join(f"    {line}\n" for line in ATTEMPTS[how].format(grading=tmp_path).splitlines()) + \
        "except BaseException:\n    pass"
    result = run(hidden, grading_dir=tmp_path)
    assert result.finished
    assert any(r.startswith("tried to read the answer key") for r in result.refused), result.refused


def test_writes_into_the_course_and_the_grading_folder_are_found_after_the_run(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("an ordinary user cannot mount the tripwires' tmpfs: the decoys are read-only and a write "
                    "into them is refused (EROFS) without a trace outside")
    targets = [course.REPO / "nnlab" / "planted.py", tmp_path / "submitted" / "someone" / "x.ipynb"]
    result = run("import os\n" + "".join(f"os.makedirs({str(t.parent)!r}, exist_ok=True)\nopen({str(t)!r}, 'w')\n"
                                         for t in targets), grading_dir=tmp_path)
    assert result.finished and not any(t.exists() for t in targets)
    (planted,) = [r for r in result.refused if r.startswith("tried to write into")]
    assert all(str(t) in planted for t in targets[:1]) and "planted" in planted, planted


def test_an_honest_notebook_trips_nothing(tmp_path):
    result = run("import numpy as np, nnlab.checks, matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
                 grading_dir=tmp_path)
    assert result.finished and result.refused == [], result.refused

"""Rule: an attempt at the answer key, the solutions, the gradebook or other students' files is seen from
outside the sandbox (``autograder.sandbox.tripwire``): the row names it whatever the notebook prints or hides."""
import os

import pytest

from autograder import course
from autograder.sandbox import tripwire
from sandboxed import run, stdout

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


def test_other_students_folders_listed_or_opened_are_seen(tmp_path):
    """The grading folder's decoy holds made-up students (tripwire.BAIT_STUDENTS), never a real one."""
    listing = run(f"import os\ntry:\n    os.listdir({str(tmp_path / 'submitted')!r})\nexcept OSError:\n    pass",
                  grading_dir=tmp_path)
    assert any(r.startswith("tried to read") and "other students' files" in r for r in listing.refused), \
        listing.refused
    notebook = tmp_path / "submitted" / tripwire.BAIT_STUDENTS[0] / "01_backprop" / "01_backprop.ipynb"
    opened = run(f"open({str(notebook)!r}).read()", grading_dir=tmp_path)
    assert any(str(notebook) in r for r in opened.refused), opened.refused


def test_the_answer_keys_functions_found_in_memory_and_called_are_seen():
    """Decoys named as the reference's functions live in the runner's memory; calling one opens a tripwire."""
    result = run("import gc\nlent = [f for f in gc.get_objects() if callable(f) and "
                 "str(getattr(f, '__module__', '')) == 'autograder.reference.activations']\n"
                 "print(sorted(f.__name__ for f in lent))\n"
                 "try:\n    lent[0](1.0)\nexcept BaseException:\n    pass")
    assert "'sigmoid'" in stdout(result), result.outputs
    assert any("/toolkit/autograder/reference/activations.py" in r for r in result.refused), result.refused


@pytest.mark.parametrize("how", ["os.ftruncate(fd, 0)", "os.write(fd, b'graded: ok\\n')"])
def test_the_decoy_of_the_graders_log_truncated_or_written_is_seen(how):
    result = run(f"import os\nfor fd in range(3, 64):\n    try:\n        {how}\n    except OSError:\n        pass")
    assert result.finished
    assert any("a decoy of the grader's log" in r for r in result.refused), result.refused

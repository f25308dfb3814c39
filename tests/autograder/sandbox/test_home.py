"""Rule: the sandbox's home and /tmp are private tmpfs folders that vanish with it: nothing a notebook
writes reaches the next notebook or the grader's machine."""
import json
import os
import uuid
from pathlib import Path

from sandboxed import run, stdout

WRITE = '''
import os
for folder in (os.getcwd(), "/tmp", "/dev/shm", os.environ["HOME"]):
    with open(os.path.join(folder, {name!r}), "w") as f:
        f.write("left behind")
os.makedirs(os.path.expanduser("~/.ipython/profile_default/startup"), exist_ok=True)
with open(os.path.expanduser("~/.ipython/profile_default/startup/00-planted.py"), "w") as f:
    f.write("print('planted startup file ran')")
print("written")
'''

LOOK = '''
import json, os
print(json.dumps({{folder: os.path.exists(os.path.join(folder, {name!r})) for folder in (os.getcwd(), "/tmp", "/dev/shm")}}))
'''


def test_a_file_written_by_one_run_is_absent_in_the_next_and_nowhere_outside(tmp_path):
    name = f"planted-{uuid.uuid4().hex}"
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    first = run(WRITE.format(name=name), scratch=scratch)
    assert stdout(first).strip() == "written", first.outputs
    second = run(LOOK.format(name=name))
    assert json.loads(stdout(second)) == {"/home/student": False, "/tmp": False, "/dev/shm": False}
    assert "planted startup file ran" not in json.dumps(second.outputs)
    # os.walk, not Path.rglob: the host's /tmp is shared, and a folder another process removes mid-walk is skipped
    assert not any(name in f for _, _, files in os.walk("/tmp") for f in files), "a planted file reached the host's /tmp"
    assert not Path(f"/dev/shm/{name}").exists()
    assert list(scratch.iterdir()) == [], "the sandbox's job folder was left behind"

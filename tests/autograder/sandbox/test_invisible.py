"""Rule: of the course only the student toolkit is visible: no solutions/, no answer key, no gradebook,
no grading folder, no other submission, no course repository, no other process."""
import hashlib
import json
import os

from autograder import course
from autograder.sandbox.tripwire import DECOY
from sandboxed import facts, run, stdout

WALK = '''
import hashlib, json, os
secrets = {secrets!r}  # size -> sha256 of the grader's files that must not be in the sandbox
count, found = 0, []
for folder, dirs, files in os.walk("/"):
    if folder in ("/proc", "/sys", "/dev", "/usr"):  # /usr: the host's system, bound read-only
        dirs[:] = []
        continue
    for name in files:
        path = os.path.join(folder, name)
        count += 1
        try:
            size = os.lstat(path).st_size
            if str(size) in secrets and hashlib.sha256(open(path, "rb").read()).hexdigest() in secrets[str(size)]:
                found.append(path)
        except OSError:
            pass
print(json.dumps({{"count": count, "found": found, "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}}))
'''


def _secrets(paths):
    out = {}
    for path in paths:
        data = path.read_bytes()
        out.setdefault(str(len(data)), []).append(hashlib.sha256(data).hexdigest())
    return out


def test_no_file_of_the_answer_key_solutions_gradebook_or_other_submissions_is_in_the_sandbox(tmp_path):
    """Every file the sandbox can reach is compared with the grader's: none is a copy of one of them."""
    other = tmp_path / "grading" / "submitted" / "someone else" / "01_backprop"
    other.mkdir(parents=True)
    (other / "01_backprop.ipynb").write_text('{"someone else": "%s"}' % tmp_path)
    (tmp_path / "grading" / "gradebook.db").write_text(f"grades of {tmp_path}")
    secret = [*(course.HERE / "reference").glob("*.py"), *(course.SOLUTIONS / "01_backprop").iterdir(),
              *(course.HERE / "judge").glob("*.py"), *(tmp_path / "grading").rglob("*.*")]
    seen = facts(WALK.format(secrets=_secrets(p for p in secret if p.is_file())))
    assert seen["count"] > 1000, "the walk saw too little to mean anything"
    assert seen["found"] == [], f"copies of the grader's files in the sandbox: {seen['found']}"
    assert len(seen["pids"]) <= 3, f"processes outside the sandbox are visible: {seen['pids']}"


def test_the_repository_the_reference_and_the_grading_folder_hold_only_tripwires(tmp_path):
    """At their paths the sandbox sees decoys (``autograder.sandbox.tripwire``): nothing of the real files."""
    grading = tmp_path / "grading"
    grading.mkdir()
    (grading / "gradebook.db").write_text("secret")
    paths = [course.REPO / "README.md", course.REPO / ".git", course.SOLUTIONS / "01_backprop" / "01_backprop.md",
             course.HERE / "reference" / "activations.py", grading / "gradebook.db", f"/proc/{os.getppid()}/environ"]
    result = run("import json, os\n"
                 f"paths = {[str(p) for p in paths]!r}\n"
                 "print(json.dumps({p: open(p, 'rb').read().decode() if os.path.isfile(p) else os.path.exists(p) "
                 "for p in paths}))", grading_dir=grading)
    seen = json.loads(stdout(result))
    decoy = DECOY.decode()
    assert seen == {**dict.fromkeys(map(str, paths[:2] + paths[-1:]), False),
                    **dict.fromkeys(map(str, paths[2:5]), decoy)}, seen
    assert result.refused[0].startswith("tried to read the answer key"), result.refused


def test_the_answer_key_cannot_be_imported():
    result = run("try:\n    import autograder.reference\n    print('imported')\nexcept ImportError as err:\n    print(type(err).__name__)")
    assert stdout(result).strip() == "ModuleNotFoundError"

"""The kit installed as its README says, in a new venv outside the repository: every released
notebook runs, with the solution's answers pasted into its answer cells, every visible test passes
and prints nothing unexpected; the grader is not importable. The environment's size is measured by
`python -m bench student_env` (bench/RESULTS.md), not here."""
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest

from autograder import kit

from .conftest import run

RUN_NOTEBOOK = """import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

path = Path(sys.argv[1])
nb = nbformat.read(path, as_version=4)
NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
nbformat.write(nb, path)
"""


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def with_answers(release_path, solution_path):
    """The released notebook with each answer cell replaced by the solution's (its markers removed)."""
    nb = nbformat.read(release_path, as_version=4)
    answers = {_meta(c)["grade_id"]: c.source for c in nbformat.read(solution_path, as_version=4).cells if _meta(c).get("solution")}
    for cell in nb.cells:
        if _meta(cell).get("solution"):
            cell.source = kit.SOLUTION_MARKER.sub("", answers[_meta(cell)["grade_id"]])
    return nb


def unexpected_outputs(nb):
    """What a student should never see: anything on stderr (warnings), and in a test cell anything but printed
    information (a stray value shown as the cell's result, a display, a figure)."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        is_test = _meta(cell).get("grade") and not _meta(cell).get("solution")
        for out in cell.outputs:
            if out.output_type == "stream" and out.name == "stderr":
                found.append(f"{_meta(cell).get('grade_id')}: stderr {out.text[:200]!r}")
            elif is_test and out.output_type != "stream":
                found.append(f"{_meta(cell).get('grade_id')}: {out.output_type} {json.dumps(out.get('data', {}))[:200]}")
    return found


@pytest.mark.slow
def test_the_kit_installed_by_its_instructions_runs_every_released_notebook(fresh_kit, kit_venv, tmp_path):
    kit_dir, clone = fresh_kit
    readme = (kit_dir / "README.md").read_text()
    assert "python3 -m venv .venv" in readme and ".venv/bin/python -m pip install -r requirements.txt" in readme
    venv, env = kit_venv  # made by those two commands

    grader = run([venv / "bin" / "python", "-c", "import importlib.util as u; print(u.find_spec('autograder'))"],
                 cwd=tmp_path, env=env)
    assert grader.stdout.strip() == "None", "the student environment can import autograder"
    where = run([venv / "bin" / "python", "-c", "import nnlab; print(nnlab.__file__)"], cwd=tmp_path, env=env).stdout
    assert where.startswith(str(venv)), where

    (tmp_path / "run_notebook.py").write_text(RUN_NOTEBOOK)
    released = kit.Release.read(clone / "course.toml").released
    notebooks = {}
    for assignment in released:
        (release_path,) = (kit_dir / assignment).glob("*.ipynb")
        (solution_path,) = (clone / "solutions" / assignment).glob("*.ipynb")
        nbformat.write(with_answers(release_path, solution_path), release_path)
        notebooks[assignment] = release_path

    def execute(path):
        return run([venv / "bin" / "python", tmp_path / "run_notebook.py", path], cwd=path.parent, env=env)

    with ThreadPoolExecutor(2) as pool:     # a cell that fails (a visible test included) fails its run
        list(pool.map(execute, notebooks.values()))
    found = {a: unexpected_outputs(nbformat.read(p, as_version=4)) for a, p in notebooks.items()}

    # what the README says of `nbgrader validate`: it passes the answered notebook, and on the untouched
    # release it reports the failures in full with --Validator.width, yet exits with status 0
    first = next(a for a in released if not found[a])   # a stray value in a test cell also fails validation
    validate = [venv / "bin" / "nbgrader", "validate", "--Validator.width=2000"]
    assert "Success! Your notebook passes all the tests." in run([*validate, notebooks[first]], cwd=tmp_path, env=env).stdout
    untouched = tmp_path / f"{first}.ipynb"
    with zipfile.ZipFile(clone / "_build" / "student.zip") as zf:
        untouched.write_bytes(zf.read(f"student/{first}/{first}.ipynb"))
    report = run([*validate, untouched], cwd=tmp_path, env=env).stdout      # run() asserts the exit status 0
    assert "VALIDATION FAILED ON" in report and "NotImplementedError" in report
    assert max(len(line) for line in report.splitlines()) > 90, "the messages were cut at 90 columns"

    assert {a: f for a, f in found.items() if f} == {}

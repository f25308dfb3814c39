"""The student kit (autograder/kit.py): what is in it, and what a notebook says when the toolkit is missing.

The kit installed in a new venv from a fresh clone is tests/student/test_student_kit.py (slow).
"""
import re
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograder import course, kit

TEST_ONLY = {"torch", "playwright", "pytest", "pytest-xdist", "sphinx", "jupyter-book", "myst-nb"}


def _pins(path):
    """{canonical name: version} of a pinned requirements file (comments, options and paths left out)."""
    pins = {}
    for line in path.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    return pins


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return kit.build(tmp_path_factory.mktemp("kit") / "student", kit.Release.read())


def test_the_wheel_is_the_toolkit_under_a_name_pypi_does_not_confuse_and_holds_no_grader(built):
    kit_dir, _ = built
    (wheel,) = (kit_dir / "wheels").glob("*.whl")
    assert wheel.name.startswith("nn_training_toolkit-")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        assert "\nName: nn-training-toolkit\n" in zf.read(metadata).decode()
    packages = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert packages == {"nnlab"}
    assert {f"nnlab/{p.name}" for p in (course.REPO / "nnlab").glob("*.py")} <= set(names)


def test_the_kit_installs_the_student_pins_and_the_wheel_file_never_a_registry_name(built):
    kit_dir, _ = built
    lines = [l for l in (kit_dir / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    assert lines[-1] == f"./wheels/{next((kit_dir / 'wheels').glob('*.whl')).name}"
    assert not any(l.split("==")[0].lower() in ("nnlab", "nn-training-toolkit") for l in lines)
    student, course_pins = _pins(kit_dir / "requirements.txt"), _pins(course.REPO / "requirements.txt")
    assert {name: course_pins.get(name) for name in student} == student, "the kit pins other versions than requirements.txt"
    assert not TEST_ONLY & set(student)
    assert {"numpy", "matplotlib", "scikit-learn", "ipywidgets", "jupyterlab", "nbgrader"} <= set(student)


def test_the_kit_holds_the_released_notebooks_readme_and_hub_recipe_and_nothing_of_the_grader(built):
    kit_dir, zip_path = built
    release = kit.Release.read()
    assert sorted(p.parent.name for p in kit_dir.glob("*/*.ipynb")) == sorted(release.released)
    assert (kit_dir / "hub" / "install.sh").exists() and (kit_dir / "hub" / "nbgrader_config.py").exists()
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(zf.namelist()) == sorted(f"student/{p.relative_to(kit_dir).as_posix()}"
                                              for p in kit_dir.rglob("*") if p.is_file())
    assert not [p for p in kit_dir.rglob("*") if "autograder" in p.name or p.name == "solutions"]
    readme = (kit_dir / "README.md").read_text()
    for needed in ["python -m pip install -r requirements.txt", "Never run `pip install nnlab`",
                   "--Validator.width", "stops at the first cell", "Validate", "Submit"]:
        assert needed in readme, needed


@pytest.mark.slow
@pytest.mark.parametrize("assignment", kit.Release.read().released)
def test_without_the_toolkit_the_first_cell_names_the_command_and_warns_against_pypis_nnlab(assignment):
    (path,) = (course.EXERCISES / assignment).glob("*.ipynb")
    first = next(c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
    assert first.metadata["nbgrader"]["grade_id"] == "toolkit"
    hide = nbformat.v4.new_code_cell("import sys\nsys.modules['nnlab'] = None   # as in an environment without the toolkit")
    nb = nbformat.v4.new_notebook(cells=[hide, first])
    with pytest.raises(CellExecutionError) as failure:
        NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    (error,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    assert error.ename == "ImportError"
    assert "    python -m pip install -r requirements.txt\n" in error.evalue
    assert "Do NOT run `pip install nnlab`" in error.evalue and "student kit" in error.evalue
    assert "ModuleNotFoundError" not in str(failure.value).split("ImportError", 1)[1]   # `from None`: one error, ours

"""The exercises' MyST sources (solutions/NN/NN.md) and the notebooks nbgrader reads stay one thing."""
import difflib
import json
import shutil

import pytest

from autograder import course, sources


@pytest.mark.parametrize("assignment", course.assignments())
def test_each_markdown_source_agrees_with_its_notebook(assignment):
    problems = sources.disagreements(assignment)
    assert not problems, ("\n".join(problems) + "\nedit the .md, then run `"
                          + sources.SYNC_COMMAND.format(assignment=assignment) + "` and commit both")


@pytest.fixture
def solutions_copy(tmp_path, monkeypatch):
    """A copy of solutions/01_backprop that the test may edit (course.SOLUTIONS points at it)."""
    shutil.copytree(course.SOLUTIONS / "01_backprop", tmp_path / "01_backprop")
    shutil.copy(course.SOLUTIONS / "jupytext.toml", tmp_path / "jupytext.toml")
    monkeypatch.setattr(course, "SOLUTIONS", tmp_path)
    return tmp_path / "01_backprop"


def test_an_edit_to_the_markdown_is_reported_until_synced(solutions_copy):
    md = solutions_copy / "01_backprop.md"
    md.write_text(md.read_text().replace('"sigmoid(0)")', '"sigmoid at 0")', 1))
    assert any("source differs" in p for p in sources.disagreements("01_backprop"))
    assert sources.sync("01_backprop") == [solutions_copy / "01_backprop.ipynb"]
    assert sources.disagreements("01_backprop") == []


def test_a_one_line_edit_changes_one_line_of_the_notebook_and_keeps_its_ids(solutions_copy):
    nb, md = solutions_copy / "01_backprop.ipynb", solutions_copy / "01_backprop.md"
    before = nb.read_text()
    md.write_text(md.read_text().replace('"sigmoid(0)")', '"sigmoid at 0")', 1))
    sources.sync("01_backprop")
    changed = [line for line in difflib.unified_diff(before.splitlines(), nb.read_text().splitlines(), n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == ['-    "check_close(sigmoid(np.array([0.0])), [0.5], \\"sigmoid(0)\\")\\n",',
                       '+    "check_close(sigmoid(np.array([0.0])), [0.5], \\"sigmoid at 0\\")\\n",']
    assert [c["id"] for c in json.loads(before)["cells"]] == [c["id"] for c in json.loads(nb.read_text())["cells"]]


def test_a_missing_markdown_source_is_named(solutions_copy):
    (solutions_copy / "01_backprop.md").unlink()
    assert sources.disagreements("01_backprop") == ["solutions/01_backprop/01_backprop.md is missing"]
    with pytest.raises(FileNotFoundError, match="needs its MyST source"):
        sources.sync("01_backprop")


def test_no_release_contains_a_source_or_jupytext_metadata():
    files = [p for p in course.EXERCISES.rglob("*") if p.is_file()]
    assert files and all(p.suffix == ".ipynb" for p in files), \
        f"exercises/ should hold only notebooks; found {[str(p) for p in files if p.suffix != '.ipynb']}"
    for path in files:
        nb = json.loads(path.read_text())
        assert "jupytext" not in nb["metadata"], f"{path} carries jupytext metadata into the release"

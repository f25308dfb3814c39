"""The leak scan (autograder/leaks.py): the kit and the site hold no solution, hidden test or reference code.

The rule, as autograder.leaks states it: no file (looked into inside zips and wheels, notebooks and
HTML pages too) contains a BEGIN/END SOLUTION or HIDDEN TESTS marker; no file reproduces a secret
region, i.e. holds more than half of its significant lines (code lines without blanks, comments,
docstrings, imports, def/class lines, and without the lines the assignment's own release shows
or the public answers contain), where the secret regions are the solution regions of assignments
whose answers are not public, every hidden-test region and every function of autograder/reference;
no notebook of an assignment that is not released. Scaffolding is judged against the config: a
later notebook holding an earlier assignment's answer leaks it until that assignment is public.
"""
import io
import json
import zipfile

import nbformat
import pytest

from autograder import course, kit, leaks

SITE = course.REPO / "_build" / "html"   # built by `make book` (make test builds it first)

DEFAULT = kit.Release.read()
ALL = tuple(course.assignments())


def _solution_code(assignment, grade_id):
    """The code between the solution markers of one answer cell of an assignment's solution."""
    (code,) = [c for kind, cid, c in leaks.solution_regions(assignment) if kind == "solution" and cid == grade_id]
    return code


def _notebook_with_cell(assignment, source):
    """The released notebook of ``assignment`` with one more code cell: what a careless scaffolding would add."""
    (path,) = (course.EXERCISES / assignment).glob("*.ipynb")
    nb = nbformat.read(str(path), as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def test_the_default_config_releases_all_six_and_makes_no_answers_public():
    assert DEFAULT.released == ALL and DEFAULT.answers_public == ()


def test_the_kit_and_the_site_leak_nothing_with_the_default_config(tmp_path):
    if not (SITE / "index.html").exists():
        pytest.fail("the site is not built: run `make book` (make test does it first)")
    kit_dir, zip_path = kit.build(tmp_path / "student", DEFAULT)
    assert leaks.scan([kit_dir, zip_path, SITE], DEFAULT) == []


def test_with_public_answers_the_kit_holds_them_and_the_scan_accepts_only_them(tmp_path):
    release = kit.Release(ALL, ("01_backprop",))
    kit_dir, zip_path = kit.build(tmp_path / "student", release)
    answers = (kit_dir / "answers" / "01_backprop.ipynb").read_text()
    assert "return np.maximum(np.asarray(x, dtype=np.float64), 0.0)" in answers      # relu's solution
    assert "HIDDEN TESTS" not in answers and "autograder" not in answers
    assert not (kit_dir / "answers" / "02_optimizers.ipynb").exists()
    assert leaks.scan([kit_dir, zip_path], release) == []
    # judged against the default config, the same answers are leaks, in the folder and inside the zip
    found = leaks.scan([kit_dir, zip_path], DEFAULT)
    assert any("answers/01_backprop.ipynb" in leak.file and "solutions/01_backprop (cell relu)" in leak.what
               for leak in found)
    assert any("student.zip!student/answers/01_backprop.ipynb" in leak.file for leak in found)


def test_scaffolding_with_an_earlier_answer_leaks_until_that_answer_is_public(tmp_path):
    # what 04's scaffolding held before the kit: assignment 1's softmax cross-entropy
    nb = _notebook_with_cell("04_batchnorm", "def softmax_cross_entropy(scores, y):\n" + _solution_code("01_backprop", "softmax"))
    nbformat.write(nb, str(tmp_path / "04_batchnorm.ipynb"))
    found = leaks.scan([tmp_path], DEFAULT)
    assert [leak.region for leak in found] == ["the solution of solutions/01_backprop (cell softmax)"]
    assert leaks.scan([tmp_path], kit.Release(ALL, ("01_backprop",))) == []


def test_markers_hidden_tests_and_reference_code_are_found_inside_a_wheel_inside_a_zip(tmp_path):
    (where, reference_code), *_ = [r for r in leaks.reference_functions() if r[0].endswith("layers.py:affine_backward")]
    hidden = next(code for kind, _, code in leaks.solution_regions("03_init_normalization") if kind == "hidden tests")
    wheel = io.BytesIO()
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/layers.py", reference_code)
        zf.writestr("pkg/tests.py", hidden)
        zf.writestr("pkg/notes.txt", "### BEGIN HIDDEN TESTS\n")
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as zf:
        zf.writestr("dist/pkg-1.0-py3-none-any.whl", wheel.getvalue())
    found = {(leak.file.rsplit("!", 1)[-1], leak.region or leak.what) for leak in leaks.scan([tmp_path], DEFAULT)}
    assert ("pkg/layers.py", f"the reference function {where}") in found
    assert any(file == "pkg/tests.py" and "hidden tests of solutions/03_init_normalization" in what for file, what in found)
    assert ("pkg/notes.txt", "contains the marker 'BEGIN HIDDEN TESTS'") in found


def test_highlighted_code_on_a_page_counts_as_its_text(tmp_path):
    code = _solution_code("02_optimizers", "adam")
    spans = "".join(f'<span class="n">{line}</span>\n' for line in code.replace("<", "&lt;").splitlines())
    (tmp_path / "page.html").write_text(f"<html><body><pre>{spans}</pre></body></html>")
    assert [leak.region for leak in leaks.scan([tmp_path], DEFAULT)] == ["the solution of solutions/02_optimizers (cell adam)"]


def test_a_notebook_of_an_assignment_not_released_is_a_leak(tmp_path):
    (path,) = (course.EXERCISES / "06_capstone").glob("*.ipynb")
    (tmp_path / "capstone.ipynb").write_text(path.read_text())
    release = kit.Release(ALL[:5], ())
    assert [leak.what for leak in leaks.scan([tmp_path], release)] == ["is the notebook of 06_capstone, which is not released"]
    assert leaks.scan([tmp_path], DEFAULT) == []


def test_an_allowed_finding_allows_only_its_region_in_its_file(tmp_path):
    allowed = tmp_path / "allowed.toml"
    allowed.write_text('[[allowed]]\nfile = "book/01_backprop."\nregion = "R"\nreason = "checked"\n')
    assert leaks.allowed(leaks.Leak("_build/html/book/01_backprop.html", "reproduces R", "R"), allowed)
    assert not leaks.allowed(leaks.Leak("_build/html/book/02_optimizers.html", "reproduces R", "R"), allowed)
    assert not leaks.allowed(leaks.Leak("_build/html/book/01_backprop.html", "reproduces S", "S"), allowed)


def test_the_config_rejects_unknown_assignments_and_answers_of_unreleased_ones(tmp_path):
    config = tmp_path / "course.toml"
    config.write_text('[release]\nreleased = ["01_backprop", "07_transformers"]\n')
    with pytest.raises(ValueError, match="no assignment named 07_transformers"):
        kit.Release.read(config)
    config.write_text('[release]\nreleased = ["01_backprop"]\nanswers_public = ["02_optimizers"]\n')
    with pytest.raises(ValueError, match="answers_public lists 02_optimizers, which is not released"):
        kit.Release.read(config)


def test_only_released_notebooks_go_into_the_kit(tmp_path):
    kit_dir, zip_path = kit.build(tmp_path / "student", kit.Release(ALL[:2], ()))
    assert sorted(p.parent.name for p in kit_dir.glob("*/*.ipynb")) == list(ALL[:2])
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(n for n in zf.namelist() if n.endswith(".ipynb")) == [f"student/{a}/{a}.ipynb" for a in ALL[:2]]
    json.loads((kit_dir / ALL[0] / f"{ALL[0]}.ipynb").read_text())     # a notebook, not a pointer

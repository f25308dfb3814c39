"""The exercises page as a student uses it: download the student kit and a notebook, and get what the
course config releases (course.toml), with the instructions to install it."""
import io
import zipfile

import nbformat
import pytest

from autograder import kit

from .conftest import REPO

pytestmark = pytest.mark.browser


def _download(page, link_text):
    """Click the link whose text contains link_text and return the downloaded file's bytes and name."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).first.click()
    download = info.value
    return download.suggested_filename, open(download.path(), "rb").read()


def test_the_exercises_page_downloads_the_kit_and_each_released_notebook(visit, site_url):
    v = visit(f"{site_url}/book/exercises.html")
    text = v.page.inner_text("main")
    for needed in ["python -m pip install -r requirements.txt", "pip install nnlab", "--Validator.width", "Validate"]:
        assert needed in text, needed
    v.screenshot("book/exercises-downloads")

    name, data = _download(v.page, "student kit")
    assert name == "student.zip"
    release = kit.Release.read()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        assert {"student/README.md", "student/requirements.txt", "student/hub/install.sh"} <= names
        assert any(n.startswith("student/wheels/nn_training_toolkit-") and n.endswith(".whl") for n in names)
        assert sorted(n for n in names if n.endswith(".ipynb")) == [f"student/{a}/{a}.ipynb" for a in release.released]
        assert not [n for n in names if "autograder" in n or "solutions" in n]

    offered = v.page.locator("a.download[href$='.ipynb']").all_inner_texts()
    assert [t.strip() for t in offered] == [f"{a}.ipynb" for a in release.released]
    name, data = _download(v.page, f"{release.released[0]}.ipynb")
    assert name == f"{release.released[0]}.ipynb"
    assert data == (REPO / "exercises" / release.released[0] / name).read_bytes()
    nbformat.validate(nbformat.reads(data.decode(), as_version=4))
    assert not v.problems(), v.problems()[:5]

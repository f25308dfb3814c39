"""What the book build promises beyond the pages themselves: the execution cache, the chapters'
notebook downloads, the launch buttons (off by default, working when configured), and a
references page that covers what the chapters cite.

The cache and launch-button tests build a one-page book with the repository's own _config.yml
(same execution settings, same extension) instead of the whole site: a few seconds per build.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from .conftest import REPO, SITE, site_pages

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
CHAPTERS = [p for p in site_pages() if (REPO / p).with_suffix(".md").exists() and "kernelspec" in (REPO / p).with_suffix(".md").read_text()[:600]]

TINY_PAGE = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

# A tiny chapter

%s

```{code-cell} ipython3
print(6 * 7)
```

```{code-cell} ipython3
:tags: [remove-cell]
answer = "the hidden answer"
```
"""
LAUNCH = {
    "repository": {"url": "https://github.com/example-org/nn-course", "branch": "main", "path_to_book": ""},
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "jupyterhub_url": "https://hub.example.edu",
                       "colab_url": "https://colab.research.google.com", "notebook_interface": "jupyterlab"},
}


def _build(book, out, config=None):
    """jupyter-book build, as `make book` runs it; returns the log."""
    cmd = [str(JUPYTER_BOOK), "build", "-W", "-n", "--keep-going", "--path-output", str(out)]
    if config:
        cmd += ["--config", str(config)]
    run = subprocess.run(cmd + [str(book)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, f"the tiny book did not build:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run.stdout + run.stderr


@pytest.fixture(scope="module")
def tiny_book(tmp_path_factory):
    """A one-page book with the repository's configuration, built four times into one output folder:
    cold, again unchanged, after a prose-only edit, and with launch buttons configured."""
    root = tmp_path_factory.mktemp("tiny")
    book, out = root / "book", root / "out"
    (book / "book").mkdir(parents=True)
    shutil.copy(REPO / "_config.yml", book / "_config.yml")
    (book / "_vendor").symlink_to(REPO / "_vendor")             # html_static_path needs both folders
    for folder in ("_ext", "_static"):
        (book / "book" / folder).symlink_to(REPO / "book" / folder)
    (book / "_toc.yml").write_text("format: jb-book\nroot: chapter\n")
    page = book / "chapter.md"
    page.write_text(TINY_PAGE % "Some prose.")
    logs = {"cold": _build(book, out), "unchanged": _build(book, out)}
    page.write_text(TINY_PAGE % "Some prose, reworded: the code is the same.")
    logs["prose edited"] = _build(book, out)
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    config.update(LAUNCH)
    (book / "launch.yml").write_text(yaml.safe_dump(config))  # beside _config.yml: local_extensions are relative to it
    logs["launch buttons"] = _build(book, out, config=book / "launch.yml")
    return {"logs": logs, "html": (out / "_build" / "html" / "chapter.html").read_text(), "site": out / "_build" / "html"}


@pytest.mark.slow
def test_a_second_build_executes_nothing(tiny_book):
    logs = tiny_book["logs"]
    assert "Executing notebook" in logs["cold"], "the first build should execute the chapter (is execution on?)"
    for build in ("unchanged", "prose edited", "launch buttons"):
        assert "Executing notebook" not in logs[build], f"the build after '{build}' executed the chapter again"
    assert "Using cached notebook" in logs["prose edited"], "a prose-only edit should be served from the execution cache"


@pytest.mark.slow
def test_launch_buttons_appear_when_configured(tiny_book):
    html = tiny_book["html"]
    assert 'href="https://mybinder.org/v2/gh/example-org/nn-course/main?urlpath=lab/tree/chapter.md"' in html
    assert "https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A//github.com/example-org/nn-course" in html
    assert 'href="https://colab.research.google.com/github/example-org/nn-course/blob/main/chapter.md"' in html


@pytest.mark.slow
def test_the_notebook_download_keeps_hidden_cells_hidden_with_launch_buttons_on(tiny_book):
    """With launch buttons on, the theme itself copies the executed notebook: ours must still win."""
    text = (tiny_book["site"] / "_sources" / "chapter.ipynb").read_text()
    assert "42" in text and "the hidden answer" not in text


def test_launch_buttons_are_off_by_default():
    for page in site_pages():
        html = (SITE / page).read_text()
        assert "launch-buttons" not in html and "mybinder.org/v2" not in html, f"{page} has launch buttons"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_offers_its_executed_notebook_without_hidden_code(chapter):
    """The page's download menu links the executed .ipynb (outputs included); code the page hides
    (remove-cell, remove-input: it can be an exercise's answer) is not in it, nor is the MyST source."""
    html = (SITE / chapter).read_text()
    name = Path(chapter).with_suffix(".ipynb").name
    assert re.search(rf'href="[^"]*_sources/book/{re.escape(name)}"', html), f"{chapter}: no .ipynb in the download menu"
    assert "download-source-button" not in html, f"{chapter}: the download menu offers the MyST source"
    nb = nbformat.read(SITE / "_sources" / "book" / name, as_version=4)
    nbformat.validate(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{name} is not the executed notebook"
    source = (REPO / chapter).with_suffix(".md").read_text()
    for hidden in re.findall(r"```\{code-cell\}[^\n]*\n:tags: \[[^\]]*remove-(?:cell|input)[^\]]*\]\n(.*?)```", source, re.S):
        lines = [line.strip() for line in hidden.splitlines() if len(line.strip()) > 20]
        leaked = [line for line in lines if line in code]
        assert not leaked, f"{name}: code hidden on the page is in the download: {leaked[:2]}"
    assert not list((SITE / "_sources").rglob("*.md")), "the site publishes MyST sources (with their hidden cells)"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_has_what_to_remember_and_links_its_exercise(chapter):
    """The chapter's text (not the page's navigation) has a "What to remember" box and a link to its
    exercise: the notebook's download or the exercises page."""
    html = (SITE / chapter).read_text()
    article = html[html.index("<article"):html.index("</article>")]
    assert '<p class="admonition-title">What to remember</p>' in article, f"{chapter}: no 'What to remember' box"
    notebook = Path(chapter).with_suffix(".ipynb").name
    links = [href.split("#")[0] for href in re.findall(r'href="([^"]+)"', article)]
    assert any(("_downloads/" in h and h.endswith(f"/{notebook}")) or h.endswith("exercises.html") for h in links), (
        f"{chapter}: links neither {notebook} nor the exercises page"
    )


def test_the_references_page_lists_every_paper_a_chapter_cites():
    """Author-year citations in the chapters' prose ("Glorot & Bengio (2010)", "He et al., 2015")."""
    refs = (REPO / "book" / "references.md").read_text()
    cite = re.compile(r"\b([A-Z][a-z]+)(?: et al\.| (?:&|and) [A-Z][a-z]+)?,?\s+\(?((?:19|20)\d\d)\)?")
    missing = set()
    for chapter in sorted((REPO / "book").glob("[0-9][0-9]*_*.md")):
        text = re.sub(r"```.*?```", "", chapter.read_text(), flags=re.S)  # prose only, not code
        for author, year in cite.findall(text):
            if author not in {"In", "See", "From", "Since", "Until", "After", "Before", "Lecture", "The"} and not re.search(
                    rf"{author}\b[^\n]*\n?[^\n]*\({year}\)", refs):
                missing.add(f"{author} {year} ({chapter.name})")
    assert not missing, f"cited in a chapter but not on the references page: {sorted(missing)}"

"""`make pdf`: the whole book printed offline by headless Chromium to _build/pdf/book.pdf
(book/_ext/book_pdf.py), and linked from every page of the site (`make book` copies it there).

The test reads the PDF that `make book` made (it runs `make pdf`), or, when a source of the book
is newer, runs the same build as `make pdf` (chapters come from the execution cache); it reads the
PDF with Debian's poppler-utils: its page count, its text, and its first and a middle page rendered
to PNG (kept in tests/artifacts/pdf/ to look at), which must not be blank.
"""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, SITE, site_pages

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PDF = REPO / "_build" / "pdf" / "book.pdf"
ARTIFACTS = REPO / "tests" / "artifacts" / "pdf"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def _poppler(tool):
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install -y poppler-utils (.ci/run installs it)")
    return tool


# What the PDF is printed from: it is older than none of these when `make book` (which runs `make pdf`) is current.
SOURCES = ("book", "exercises", "_config.yml", "_toc.yml")


def _newest_source():
    paths = [path for name in SOURCES for path in ([REPO / name] + list((REPO / name).rglob("*")))]
    return max(path.stat().st_mtime for path in paths if path.exists())


@pytest.fixture(scope="module")
def pdf():
    """The PDF of `make pdf`. `make test` has just run `make book`, which ran `make pdf` (and failed on
    any warning): that PDF is used when no source of the book is newer. Else (pytest run by hand after an
    edit) the test runs the same build itself and checks that it printed the PDF."""
    if PDF.exists() and PDF.stat().st_mtime >= _newest_source():
        return PDF
    run = subprocess.run([str(JUPYTER_BOOK), "build", "-W", "-n", "--keep-going", "--builder", "singlehtml", str(REPO)],
                         capture_output=True, text=True, timeout=900, cwd=REPO)
    assert run.returncode == 0, f"the PDF build failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert PDF.exists() and "book_pdf: wrote" in run.stdout, run.stdout[-2000:]
    return PDF


def _pages(pdf):
    info = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def _render(pdf, page):
    """Page ``page`` of ``pdf`` as a PNG in tests/artifacts/pdf/; returns its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / f"book-page-{page:03d}"
    subprocess.run([_poppler("pdftoppm"), "-png", "-r", "70", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(stem)], check=True)
    return stem.with_suffix(".png")


def _ink(png):
    """Share of the page's pixels that are not (near) white."""
    from PIL import Image

    grey = Image.open(png).convert("L")
    return sum(grey.histogram()[:200]) / (grey.width * grey.height)


def test_the_pdf_holds_the_whole_book(pdf):
    pages = _pages(pdf)
    assert 60 <= pages <= 400, f"{pages} pages: not the whole book"
    text = subprocess.run([_poppler("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    chapters = [re.sub(r"^#\s*", "", next(l for l in (REPO / f"{p[:-5]}.md").read_text().splitlines() if l.startswith("# ")))
                for p in site_pages() if re.match(r"book/0\d_", p)]
    flat = " ".join(text.split())
    missing = [title for title in chapters if " ".join(title.split())[:30] not in flat]
    assert not missing, f"chapters missing from the PDF: {missing}"
    assert "Figure 2.1" in flat and "Interactive on the website" in flat, "figures numbered, explorers printed with a note"
    assert not re.search(r"\\\(|\\frac|\\begin\{", flat), "formulas left as TeX in the PDF"


def test_first_and_middle_pages_are_not_blank(pdf):
    pages = _pages(pdf)
    for page in (1, pages // 2):
        png = _render(pdf, page)
        assert _ink(png) > 0.01, f"page {page} of the PDF looks blank ({png})"


def test_every_page_of_the_site_links_the_pdf():
    assert (SITE / "book.pdf").exists(), "_build/html/book.pdf is missing: `make book` copies the PDF into the site"
    for page in site_pages():
        assert re.search(r'href="(\.\./)?book\.pdf"', (SITE / page).read_text()), f"{page} does not link book.pdf"

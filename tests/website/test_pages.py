"""Every page of the built site, as a reader sees it in headless Chromium with no network."""
import json
import re
from urllib.parse import urljoin, urlparse

import pytest

from .conftest import SITE, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()


def test_the_site_has_the_intro_and_chapters():
    for page in ["index.html", *PAGES]:
        assert (SITE / page).exists(), f"{page} is in the table of contents but was not built"
    assert any(p.startswith("book/01_") for p in PAGES), f"chapter 1 missing from {PAGES}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(visit, site_url, page):
    v = visit(f"{site_url}/{page}")
    v.screenshot(page)
    assert not v.external, f"{page} tried to load from the network: {v.external[:5]}"
    assert not v.failed, f"{page} has failed requests: {v.failed[:5]}"
    assert not v.console_errors, f"{page} logged console errors: {v.console_errors[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_every_formula_is_typeset(visit, site_url, page):
    v = visit(f"{site_url}/{page}")
    raw = v.page.evaluate(
        """() => [...document.querySelectorAll('.math, span.math, div.math')]
                  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""
    )
    assert not raw, f"{page}: formulas left untypeset: {raw[:3]}"
    text = v.page.inner_text("article") if v.page.query_selector("article") else v.page.inner_text("body")
    leftovers = re.findall(r"\$\$|\\frac|\\begin\{", text)
    assert not leftovers, f"{page}: raw TeX visible in the text: {leftovers[:3]}"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(visit, site_url, page):
    v = visit(f"{site_url}/{page}")
    broken = v.page.evaluate(
        "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    )
    assert not broken, f"{page}: images that did not load: {broken[:5]}"


def test_every_internal_link_resolves():
    """Every href in every page points at a file of the site (and, for #anchors, an existing id)."""
    problems = []
    for page in PAGES:
        html = (SITE / page).read_text()
        for href in re.findall(r'href="([^"]+)"', html):
            url = urlparse(urljoin(f"http://site/{page}", href))
            if url.netloc != "site" or href.startswith(("mailto:", "javascript:")):
                continue
            target = SITE / url.path.lstrip("/")
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{page}: {href}")
            elif url.fragment and target.suffix == ".html":
                if f'id="{url.fragment}"' not in target.read_text():
                    problems.append(f"{page}: {href} (no such anchor)")
    assert not problems, f"{len(problems)} broken links, e.g. {problems[:5]}"


def test_search_finds_a_chapter(visit, site_url):
    v = visit(f"{site_url}/search.html?q=backpropagation")
    v.page.wait_for_selector("#search-results li", timeout=15000)
    hits = v.page.inner_text("#search-results")
    assert "backprop" in hits.lower(), hits[:300]


def test_exercise_downloads_are_valid_notebooks():
    import nbformat

    notebooks = sorted((SITE / "_downloads").rglob("*.ipynb"))
    assert notebooks, "the site offers no exercise notebook to download"
    for path in notebooks:
        nbformat.validate(nbformat.reads(path.read_text(), as_version=4))
        assert "BEGIN SOLUTION" not in path.read_text() and "HIDDEN TESTS" not in path.read_text(), (
            f"{path.name}: a downloadable exercise must be the student version"
        )
        json.loads(path.read_text())

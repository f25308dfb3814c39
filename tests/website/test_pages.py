"""Every page of the built site, as a reader sees it in headless Chromium with no network."""
import json
import re
from urllib.parse import urljoin, urlparse

import pytest

from .conftest import REPO, SITE, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()


def test_the_site_has_the_intro_chapters_and_reference_pages():
    for page in ["index.html", *PAGES]:
        assert (SITE / page).exists(), f"{page} is in the table of contents but was not built"
    for wanted in ["book/01_", "book/exercises", "book/glossary", "book/references"]:
        assert any(p.startswith(wanted) for p in PAGES), f"{wanted}* missing from the table of contents {PAGES}"


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_offline_without_errors(loaded, page):
    v = loaded(page)
    v.screenshot(page)
    assert not v.external, f"{page} tried to load from the network: {v.external[:5]}"
    assert not v.failed, f"{page} has failed requests: {v.failed[:5]}"
    assert not v.console_errors, f"{page} logged console errors: {v.console_errors[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_every_formula_is_typeset(loaded, page):
    v = loaded(page)
    raw = v.page.evaluate(
        """() => [...document.querySelectorAll('.math, span.math, div.math')]
                  .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""
    )
    assert not raw, f"{page}: formulas left untypeset: {raw[:3]}"
    text = v.page.inner_text("article") if v.page.query_selector("article") else v.page.inner_text("body")
    leftovers = re.findall(r"\$\$|\\frac|\\begin\{", text)
    assert not leftovers, f"{page}: raw TeX visible in the text: {leftovers[:3]}"


@pytest.mark.parametrize("page", PAGES)
def test_every_image_loads(loaded, page):
    """Every image loads; a figure that loads lazily (book/_ext/light_pages.py) once the reader
    scrolls to it."""
    v = loaded(page)
    v.page.evaluate(
        """async () => {
             for (const img of [...document.images].filter(i => i.loading === 'lazy' && !i.complete)) {
               img.scrollIntoView();
               await new Promise(done => { img.addEventListener('load', done, {once: true});
                                           img.addEventListener('error', done, {once: true});
                                           setTimeout(done, 10000); });
             }
             window.scrollTo(0, 0);
           }"""
    )
    broken = v.page.evaluate(
        "() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src.slice(0, 80))"
    )
    assert not broken, f"{page}: images that did not load: {broken[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_fonts_and_icons_are_served_by_the_site(loaded, page):
    """The theme's icons (Font Awesome), and MathJax's fonts all come from the site."""
    v = loaded(page)
    fonts = v.page.evaluate("() => [...document.fonts].map(f => [f.family, f.status])")
    assert not [f for f in fonts if f[1] == "error"], f"{page}: fonts that failed to load: {fonts}"
    remote = v.page.evaluate(
        """() => [...document.styleSheets].flatMap(sheet => {
                 try { return [...sheet.cssRules]; } catch (e) { return []; } })
             .filter(rule => rule instanceof CSSFontFaceRule)
             .flatMap(rule => [...rule.style.getPropertyValue('src').matchAll(/url\\(["']?([^"')]+)/g)].map(m => m[1]))
             .filter(url => /^(https?:)?\\/\\//.test(url) && !url.includes('127.0.0.1'))"""
    )
    assert not remote, f"{page}: @font-face rules that point off the site: {remote[:3]}"
    # The icons are drawn by the theme's CSS with Font Awesome's webfont (cut down to the glyphs
    # the site uses, book/_ext/light_pages.py), without its 1.5 MB script.
    icons = v.page.evaluate(
        """() => [...document.querySelectorAll('i[class*="fa-"]')].filter(i => i.offsetParent !== null)
               .map(i => { const before = getComputedStyle(i, '::before');
                           return {icon: i.className.replace(/\\s+/g, ' '), glyph: before.content,
                                   font: before.fontFamily, width: i.getBoundingClientRect().width}; })"""
    )
    undrawn = [i for i in icons if not re.fullmatch(r'"[\ue000-\uf8ff]"', i["glyph"]) or "Font Awesome" not in i["font"]
               or i["width"] <= 0]
    assert icons and not undrawn, f"{page}: icons not drawn with the Font Awesome webfont: {undrawn or icons}"
    assert ["Font Awesome 6 Free", "loaded"] in fonts, f"{page}: the icon font did not load: {fonts}"
    assert not v.page.query_selector('script[src*="fontawesome.js"]'), f"{page}: still loads Font Awesome's script"


@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_cut_off_at_the_right_edge(loaded, page):
    """Tables, formulas and code wider than the text column scroll inside it; figures may use the
    margin on the right, but no further; the page itself never scrolls sideways."""
    v = loaded(page)
    overflow = v.page.evaluate(
        """() => {
             const article = document.querySelector('article.bd-article') || document.body;
             const edge = sel => (document.querySelector(sel) || article).getBoundingClientRect().right + 1;
             const scrolls = e => { for (let p = e; p && p !== article; p = p.parentElement) {
                 if (/(auto|scroll)/.test(getComputedStyle(p).overflowX)) return true; } return false; };
             return [...article.querySelectorAll('table, mjx-container[display="true"], img, pre')]
               .filter(e => e.getBoundingClientRect().right > (e.tagName === 'IMG' ? edge('.bd-main') : edge('article')) && !scrolls(e))
               .map(e => e.tagName + ': ' + (e.textContent || e.src || '').trim().slice(0, 50));
           }"""
    )
    assert not overflow, f"{page}: sticks out of the text column (cut off for the reader): {overflow[:5]}"
    assert v.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{page}: the whole page scrolls sideways"
    )


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
    assert not v.problems(), f"search page: {v.problems()[:5]}"


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


def test_exercises_page_offers_every_released_assignment():
    released = sorted(p.parent.name for p in (REPO / "exercises").glob("*/*.ipynb"))
    html = (SITE / "book" / "exercises.html").read_text()
    offered = set(re.findall(r'href="[^"]*_downloads/[0-9a-f]+/([^"/]+)\.ipynb"', html))
    missing = [a for a in released if a not in offered]
    assert not missing, f"released in exercises/ but not offered on the exercises page: {missing}"

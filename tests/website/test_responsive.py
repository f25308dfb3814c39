"""Every page of the site on a desktop (1366×768) and a phone (390×844), as a reader sees it in
headless Chromium with no network: nothing wider than the screen, formulas that fit or show that
they scroll, figures that never cover the contents list and open full size, tables readable on a
phone, navigation that opens from the visible buttons, and every image described in words. Screenshots of every page at both sizes
go to tests/artifacts/screenshots/<screen>/."""
import re

import pytest

from .conftest import ARTIFACTS, VIEWPORTS, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
SCREENS = list(VIEWPORTS)
CHAPTERS_WITH_FIGURES = [p for p in PAGES if p.startswith("book/0")]

# Formulas wider than their box: a display formula's container, an inline formula's span (at the
# width of its paragraph). Each with how it scrolls and whether its edge fades (the scroll cue).
CUT_FORMULAS_JS = """() => [...document.querySelectorAll('mjx-container[display="true"], span.math')]
    .filter(box => box.scrollWidth > box.clientWidth + 1
                   && (box.tagName !== 'SPAN' || box.clientWidth >= box.parentElement.clientWidth - 1))
    .map(box => ({formula: box.textContent.slice(0, 40),
                  scrolls: /(auto|scroll)/.test(getComputedStyle(box).overflowX),
                  fade: getComputedStyle(box).maskImage, more: box.dataset.more || null}))"""


def _visible(v, selector):
    return v.page.evaluate(
        """sel => [...document.querySelectorAll(sel)].some(e => {
               const r = e.getBoundingClientRect();
               return e.checkVisibility({visibilityProperty: true, opacityProperty: true}) && r.width > 0 && r.height > 0
                      && r.right > 0 && r.left < window.innerWidth; })""",
        selector,
    )


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_page_is_clean_and_no_wider_than_the_screen(loaded, page, screen):
    v = loaded(page, screen)
    v.screenshot(f"{screen}/{page}")
    assert not v.problems(), f"{page} on a {screen}: {v.problems()[:5]}"
    width = v.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page} on a {screen} is {width[0]} px wide, the screen {width[1]} px: it scrolls sideways"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_no_formula_is_cut_without_a_scroll_cue(loaded, page, screen):
    """A formula too wide for the column scrolls inside its own box, and the edge where there is
    more of it fades out; one that fits has no fade (that would hide its end)."""
    v = loaded(page, screen)
    cut = v.page.evaluate(CUT_FORMULAS_JS)
    unmarked = [c for c in cut if not (c["scrolls"] and c["fade"] != "none" and c["more"] in ("right", "both"))]
    assert not unmarked, f"{page} on a {screen}: formulas cut off with no scroll cue: {unmarked[:3]}"
    faded = v.page.evaluate(
        """() => [...document.querySelectorAll('mjx-container[display="true"], span.math')]
               .filter(box => getComputedStyle(box).maskImage !== 'none' && box.scrollWidth <= box.clientWidth + 1).length"""
    )
    assert not faded, f"{page} on a {screen}: {faded} formulas that fit are faded out at an edge"


def test_the_scroll_cue_follows_the_scrolling(visit, site_url):
    """Scrolled to its end, a wide formula fades on the left only (what is left to see is there)."""
    v = visit(f"{site_url}/book/01_backprop.html", viewport=VIEWPORTS["phone"])
    v.page.wait_for_function("document.querySelector('mjx-container.too-wide')")
    more = v.page.evaluate(
        """async () => { const box = document.querySelector('mjx-container.too-wide');
                         box.scrollLeft = box.scrollWidth;
                         await new Promise(r => setTimeout(r, 100));
                         return [box.dataset.more, getComputedStyle(box).maskImage]; }"""
    )
    assert more[0] == "left" and more[1] != "none", f"a wide formula scrolled to its end: data-more={more}"


@pytest.mark.parametrize("page", CHAPTERS_WITH_FIGURES)
def test_figures_never_cover_the_contents_list(loaded, page):
    """On a desktop the page's contents list stays on the right: no figure reaches into it."""
    v = loaded(page, "desktop")
    toc = v.page.evaluate("() => { const r = document.querySelector('.bd-sidebar-secondary').getBoundingClientRect(); return [r.left, r.width]; }")
    assert toc[1] > 0, f"{page}: no contents list on the right at 1366 px"
    covering = v.page.evaluate(
        """left => [...document.querySelectorAll('.bd-article img')]
               .filter(i => i.getBoundingClientRect().right > left).map(i => i.alt || i.src.slice(-40))""",
        toc[0],
    )
    assert not covering, f"{page}: figures reaching under the contents list: {covering[:3]}"


def test_a_multi_panel_figure_opens_full_size_on_the_phone(visit, site_url):
    """02's optimizer panels, squeezed to a phone's width, open at their own size in a dialog that
    scrolls; Escape goes back to the page."""
    v = visit(f"{site_url}/book/02_optimizers.html", viewport=VIEWPORTS["phone"])
    # figures load lazily: the widest by the size of its file (its width attribute), then loaded
    widest = v.page.evaluate_handle(
        """() => [...document.querySelectorAll('.bd-article a.figure-open > img')]
                   .sort((a, b) => Number(b.getAttribute('width')) - Number(a.getAttribute('width')))[0]"""
    ).as_element()
    assert widest, "02: no figure can be opened full size"
    widest.scroll_into_view_if_needed()
    v.page.wait_for_function("i => i.complete && i.naturalWidth > 0", arg=widest, timeout=10_000)
    shown, natural = widest.evaluate("i => [i.clientWidth, i.naturalWidth]")
    assert natural > 1.5 * shown, f"02's widest figure is shown at {shown} of {natural} px: not squeezed?"
    widest.click()
    dialog = v.page.wait_for_selector("dialog.figure-full[open]", timeout=3000)
    full = dialog.evaluate("d => { const i = d.querySelector('img'); return [i.clientWidth, i.naturalWidth, d.scrollWidth > d.clientWidth, i.alt]; }")
    assert full[0] == full[1] and full[2], f"the opened figure is {full[0]} px of {full[1]}, dialog scrolls: {full[2]}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / "phone__02_optimizers-figure-full-size.png"))  # what the dialog shows
    v.page.keyboard.press("Escape")
    assert not v.page.evaluate("() => !!document.querySelector('dialog.figure-full[open]')"), "Escape did not close the figure"
    assert not v.problems(), v.problems()[:5]


@pytest.mark.parametrize("page", PAGES)
def test_phone_navigation_opens_from_the_visible_buttons(visit, site_url, page):
    """Tapping ☰ shows the site's navigation, tapping the contents icon shows the page's contents."""
    v = visit(f"{site_url}/{page}", viewport=VIEWPORTS["phone"])
    assert not _visible(v, ".bd-docs-nav a"), f"{page}: the navigation is already visible on a phone"
    v.page.click(".bd-header-article .primary-toggle")
    v.page.wait_for_timeout(400)
    assert _visible(v, "#pst-primary-sidebar-modal[open] .bd-docs-nav a"), f"{page}: ☰ did not open the navigation"
    v.page.keyboard.press("Escape")
    v.page.wait_for_timeout(300)
    assert not _visible(v, ".bd-docs-nav a"), f"{page}: Escape did not close the navigation"
    has_contents = v.page.evaluate("() => document.querySelectorAll('.bd-toc-nav .nav-link, nav.page-toc a').length > 0")
    toggle = v.page.query_selector(".bd-header-article .secondary-toggle")
    assert bool(toggle) == has_contents, f"{page}: contents icon shown: {bool(toggle)}, page has contents: {has_contents}"
    if toggle:
        toggle.click()
        v.page.wait_for_timeout(400)
        assert _visible(v, "#pst-secondary-sidebar-modal[open] .page-toc a"), f"{page}: the contents icon did not open the contents"
    assert not v.problems(), f"{page}: {v.problems()[:5]}"


def test_the_desktop_sidebar_collapses_and_comes_back(visit, site_url):
    v = visit(f"{site_url}/book/01_backprop.html", viewport=VIEWPORTS["desktop"])
    article = v.page.evaluate("() => document.querySelector('.bd-article').getBoundingClientRect().width")
    assert _visible(v, ".bd-sidebar-primary .bd-docs-nav a")
    v.page.click(".bd-header-article .primary-toggle")
    v.page.wait_for_timeout(600)
    assert not _visible(v, ".bd-sidebar-primary .bd-docs-nav a"), "the ☰ button did not collapse the sidebar"
    wider = v.page.evaluate("() => document.querySelector('.bd-article').getBoundingClientRect().width")
    assert wider > article, f"the text column did not use the room: {article} → {wider} px"
    assert v.page.get_attribute(".bd-header-article .primary-toggle", "aria-expanded") == "false"
    v.page.click(".bd-header-article .primary-toggle")
    v.page.wait_for_timeout(600)
    assert _visible(v, ".bd-sidebar-primary .bd-docs-nav a"), "a second click did not bring the sidebar back"


@pytest.mark.parametrize("page", PAGES)
def test_tables_are_readable_on_a_phone(loaded, page):
    """The text's tables of three or more columns are stacked: each cell as wide as the text
    column, inside the screen, under its column's name; a download comes first in its row."""
    v = loaded(page, "phone")
    report = v.page.evaluate(
        """() => { const column = document.querySelector('article.bd-article').clientWidth;
             return [...document.querySelectorAll('article table:not(.cell_output table)')]
               .filter(t => t.querySelectorAll('thead th').length >= 3)
               .flatMap(t => [...t.querySelectorAll('tbody tr')].map(row => {
                   const cells = [...row.children].filter(c => c.textContent.trim());
                   const rects = cells.map(c => c.getBoundingClientRect());
                   const download = cells.findIndex(c => c.querySelector('a.download'));
                   const top = Math.min(...rects.map(r => r.top));
                   return {row: row.textContent.trim().slice(0, 40),
                           narrow: rects.filter(r => r.width < 0.8 * column).length,
                           outside: rects.filter(r => r.right > window.innerWidth + 0.5).length,
                           unlabelled: cells.filter((c, i) => i > 0 && !c.dataset.label).length,
                           downloadFirst: download < 0 || rects[download].top <= top + 0.5}; })); }"""
    )
    bad = [r for r in report if r["narrow"] or r["outside"] or r["unlabelled"] or not r["downloadFirst"]]
    assert not bad, f"{page} on a phone: table rows crushed, cut, unlabelled or with the download last: {bad[:3]}"
    if page == "book/exercises.html":
        assert len(report) >= 6, f"the exercises table has {len(report)} rows on a phone"


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_every_image_says_what_it_shows(loaded, page, screen):
    """Every image a reader can see has a text alternative in words: not empty, not a file name or
    a hash (the figures' alt text comes from their captions, the explorers' from what they show)."""
    v = loaded(page, screen)
    images = v.page.evaluate(
        """() => [...document.images].filter(i => i.checkVisibility() && i.getAttribute('role') !== 'presentation')
               .map(i => ({src: i.src.split('/').pop(), alt: (i.getAttribute('alt') || '').trim()}))"""
    )
    bad = [i for i in images if len(i["alt"].split()) < 3 or re.search(r"\.(png|jpe?g|svg|gif)\b|[0-9a-f]{16}", i["alt"])]
    assert not bad, f"{page} on a {screen}: images without a text alternative in words: {bad[:3]}"

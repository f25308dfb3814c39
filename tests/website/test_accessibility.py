"""Every page of the site checked by axe-core (from npm, injected into the page by the test only; the
site never serves it) on a desktop and a phone, in light and in dark mode; the explorers' controls
for screen readers; dark mode in one click; no empty index page."""
import re

import pytest

from .conftest import REPO, SITE, VIEWPORTS, site_pages

pytestmark = pytest.mark.browser

PAGES = site_pages()
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("critical", "serious")
THEME_BUTTON = ".bd-header-article .theme-switch-button"


def _axe(v, **options):
    """The critical and serious violations axe-core finds on the page, one line per element."""
    if not AXE.exists():
        pytest.fail(f"{AXE.relative_to(REPO)} is missing: `npm ci` installs axe-core from package.json")
    if not v.page.evaluate("() => !!window.axe"):
        v.page.add_script_tag(path=str(AXE))
    results = v.page.evaluate("options => axe.run(document, options)", {"resultTypes": ["violations"], **options})
    return [f"{r['impact']} {r['id']}: {node['target']} {node['html'][:90]}"
            for r in results["violations"] if r["impact"] in BLOCKING for node in r["nodes"]]


@pytest.mark.parametrize("screen", list(VIEWPORTS))
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_nothing_critical_or_serious_in_light_and_dark_mode(visit, site_url, page, screen):
    v = visit(f"{site_url}/{page}", viewport=VIEWPORTS[screen], mode="light")
    v.page.wait_for_timeout(300)  # the explorers are drawn after the page has loaded
    light = _axe(v)
    v.page.click(THEME_BUTTON)
    assert v.page.evaluate("() => document.documentElement.dataset.theme") == "dark", f"{page}: one click did not switch to dark mode"
    # away from every button: their tooltips fade in and out (axe measured them half transparent)
    v.page.mouse.move(VIEWPORTS[screen]["width"] / 2, VIEWPORTS[screen]["height"] - 5)
    v.page.wait_for_timeout(500)  # the theme's colours change with a transition
    dark = _axe(v)
    assert not light and not dark, f"{page} on a {screen}: light mode {light[:4]}; dark mode {dark[:4]}"
    assert not v.problems(), f"{page}: {v.problems()[:5]}"


def test_one_click_switches_between_light_and_dark_and_is_remembered(visit, site_url):
    v = visit(f"{site_url}/book/intro.html", viewport=VIEWPORTS["phone"], mode="light")
    button = v.page.locator(THEME_BUTTON)
    states = []
    for _ in range(3):
        button.click()
        states.append((v.page.evaluate("() => document.documentElement.dataset.theme"), button.get_attribute("aria-pressed")))
    assert states == [("dark", "true"), ("light", "false"), ("dark", "true")], f"theme and aria-pressed after each click: {states}"
    assert button.get_attribute("aria-label") == "Dark mode"
    v.page.reload(wait_until="networkidle")
    assert v.page.evaluate("() => document.documentElement.dataset.theme") == "dark", "dark mode is forgotten on the next page"


def test_search_highlights_are_readable_in_dark_mode(visit, site_url):
    """The search page highlights the words searched for, in result titles (links) and snippets:
    enough contrast in dark mode."""
    v = visit(f"{site_url}/search.html?q=batch", viewport=VIEWPORTS["desktop"], mode="dark")
    v.page.wait_for_selector("#search-results a span.highlighted", timeout=30000)
    assert not _axe(v, runOnly=["color-contrast"]), "search highlights fail the contrast check in dark mode"


# The explorers' controls as a screen reader gets them: name, value as text, pressed state.
CONTROLS_JS = """() => [...document.querySelectorAll('.widget-vbox')].filter(b => !b.parentElement.closest('.widget-box')).map(box => ({
    sliders: [...box.querySelectorAll('[role="slider"]')].map(h => ({
        name: (document.getElementById(h.getAttribute('aria-labelledby') || '') || {}).textContent || h.getAttribute('aria-label'),
        text: h.getAttribute('aria-valuetext'),
        shown: h.closest('.widget-slider').querySelector('.widget-readout').textContent.trim()})),
    toggles: [...box.querySelectorAll('.widget-toggle-buttons')].map(t => ({
        group: (document.getElementById(t.querySelector('[role="group"]')?.getAttribute('aria-labelledby') || '') || {}).textContent,
        pressed: [...t.querySelectorAll('button')].map(b => [b.getAttribute('aria-pressed'), b.classList.contains('mod-active')])})),
    alt: [...box.querySelectorAll('img.widget-image')].filter(i => i.offsetParent).map(i => i.alt)}))"""


def _check_controls(page, explorers):
    for i, e in enumerate(explorers):
        where = f"{page}, explorer {i + 1}"
        for s in e["sliders"]:
            assert s["name"] and s["text"] == s["shown"], f"{where}: slider named {s['name']!r} announces {s['text']!r}, shows {s['shown']!r}"
        for t in e["toggles"]:
            assert t["group"], f"{where}: toggle buttons without a group name"
            assert all(p == str(active).lower() for p, active in t["pressed"]), f"{where}: aria-pressed differs from the button shown active: {t}"
        assert len(e["alt"]) == 1 and e["alt"][0], f"{where}: the figure has no text alternative: {e['alt']}"
        assert not re.search(r"\.(png|jpe?g|svg)\b|blob:", e["alt"][0]), f"{where}: alt text is a file name: {e['alt'][0]}"


@pytest.mark.parametrize("page", [p for p in PAGES if "widget-view+json" in (SITE / p).read_text()])
def test_explorer_controls_are_named_and_announce_their_state(visit, site_url, page):
    v = visit(f"{site_url}/{page}", viewport=VIEWPORTS["desktop"])
    v.page.wait_for_selector('.widget-vbox img.widget-image[alt]', timeout=10000)
    before = v.page.evaluate(CONTROLS_JS)
    assert before, f"{page}: no explorer drawn"
    _check_controls(page, before)
    box = v.page.query_selector_all(".widget-vbox:not(.widget-box .widget-vbox)")[0]
    toggle = box.query_selector(".widget-toggle-button:not(.mod-active)")
    if toggle:
        toggle.click()
    else:
        box.query_selector('[role="slider"]').focus()
        v.page.keyboard.press("ArrowRight")
    v.page.wait_for_function("alt => { const i = [...document.querySelectorAll('.widget-vbox img.widget-image')].find(i => i.offsetParent); "
                             "return i && i.alt && i.alt !== alt; }", arg=before[0]["alt"][0], timeout=5000)
    _check_controls(page, v.page.evaluate(CONTROLS_JS))
    assert not v.problems(), f"{page}: {v.problems()[:5]}"


def test_no_page_links_an_empty_index():
    linked = [p for p in ["index.html", "search.html", *PAGES] if "genindex.html" in (SITE / p).read_text()]
    assert not linked, f"pages that link the general index (the site has no index entries): {linked}"

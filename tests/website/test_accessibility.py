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
    """The search page highlights the words searched for in the results' snippets
    (search_snippets.js): enough contrast in dark mode."""
    v = visit(f"{site_url}/search.html?q=batch", viewport=VIEWPORTS["desktop"], mode="dark")
    v.page.wait_for_selector("#search-results p.context span.highlighted", timeout=30000)
    v.page.wait_for_timeout(500)  # the theme's colours change with a transition
    marks = v.page.eval_on_selector_all("#search-results span.highlighted", "ms => ms.map(m => m.textContent.toLowerCase())")
    assert marks and set(marks) == {"batch"}, f"highlighted in the results: {sorted(set(marks))[:5]}"
    assert not _axe(v, runOnly=["color-contrast"]), "search highlights fail the contrast check in dark mode"


# The explorers' controls as a screen reader gets them: name, value as text, pressed state.
CONTROLS_JS = """() => [...document.querySelectorAll('.course-explorer')].map(box => ({
    sliders: [...box.querySelectorAll('input[type="range"]')].map(s => ({
        name: [...s.labels].map(l => l.textContent.trim()).join(' ') || s.getAttribute('aria-label'),
        text: s.getAttribute('aria-valuetext'),
        shown: s.parentElement.querySelector('output').textContent.trim()})),
    toggles: [...box.querySelectorAll('.explorer-toggles')].map(t => ({
        role: t.getAttribute('role'),
        group: (document.getElementById(t.getAttribute('aria-labelledby') || '') || {}).textContent,
        pressed: [...t.querySelectorAll('button')].map(b => b.getAttribute('aria-pressed'))})),
    alt: [...box.querySelectorAll('img')].filter(i => i.offsetParent).map(i => i.alt)}))"""


def _check_controls(page, explorers):
    for i, e in enumerate(explorers):
        where = f"{page}, explorer {i + 1}"
        for s in e["sliders"]:
            assert s["name"] and s["text"] == s["shown"], f"{where}: slider named {s['name']!r} announces {s['text']!r}, shows {s['shown']!r}"
        for t in e["toggles"]:
            assert t["role"] == "group" and t["group"], f"{where}: toggle buttons without a named group"
            assert sorted(t["pressed"]) == ["false"] * (len(t["pressed"]) - 1) + ["true"], f"{where}: not exactly one button pressed: {t}"
        assert len(e["alt"]) == 1 and e["alt"][0], f"{where}: the figure has no text alternative: {e['alt']}"
        assert not re.search(r"\.(png|jpe?g|svg)\b|blob:", e["alt"][0]), f"{where}: alt text is a file name: {e['alt'][0]}"


@pytest.mark.parametrize("page", [p for p in PAGES if 'class="course-explorer"' in (SITE / p).read_text()])
def test_explorer_controls_are_named_and_announce_their_state(visit, site_url, page):
    v = visit(f"{site_url}/{page}", viewport=VIEWPORTS["desktop"])
    before = v.page.evaluate(CONTROLS_JS)
    assert before, f"{page}: no explorer"
    _check_controls(page, before)
    box = v.page.locator(".course-explorer").first
    toggle = box.locator('.explorer-toggles button[aria-pressed="false"]')
    if toggle.count():
        toggle.first.click()
    else:
        box.locator('input[type="range"]').first.focus()
        v.page.keyboard.press("ArrowRight")
    v.page.wait_for_function("alt => { const i = document.querySelector('.course-explorer img'); return i && i.alt && i.alt !== alt; }",
                             arg=before[0]["alt"][0], timeout=5000)
    after = v.page.evaluate(CONTROLS_JS)
    _check_controls(page, after)
    assert after[0] != before[0], f"{page}: the first explorer's controls announce the same state after a change"
    v.page.wait_for_function("() => { const i = document.querySelector('.course-explorer img'); "
                             "return i.complete && i.naturalWidth > 0; }", timeout=10000)  # the new frame is drawn
    shown = v.page.evaluate("document.querySelector('.course-explorer img').src")
    # A frame still loading when the reader picks another is cancelled by the browser (net::ERR_ABORTED):
    # that is the explorer working, not a failure. Anything else, or the frame shown failing, is one.
    problems = [p for p in v.problems() if not (p.startswith("failed: ") and "ERR_ABORTED" in p and shown not in p)]
    assert not problems, f"{page}: {problems[:5]}"


def test_no_page_links_an_empty_index():
    linked = [p for p in ["index.html", "search.html", *PAGES] if "genindex.html" in (SITE / p).read_text()]
    assert not linked, f"pages that link the general index (the site has no index entries): {linked}"

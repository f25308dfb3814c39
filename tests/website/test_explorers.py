"""The chapters' explorers (nnlab.explorer's precomputed figures, drawn on the site by
book/_ext/static_explorers.py and course-explorers.js) work on the static site, with no kernel, no
widget manager and no network, served over HTTP and opened as files."""
import re

import pytest

from .conftest import REPO, SITE, site_pages

pytestmark = pytest.mark.browser

CHAPTERS = [p for p in site_pages() if (REPO / p).with_suffix(".md").exists()]
EXPLORER = 'class="course-explorer"'


def explorer_calls(chapter):
    """How many explorers a chapter's source builds: calls of frames_explorer(...) in its code."""
    return len(re.findall(r"^[^#\n]*\bframes_explorer\(", (REPO / chapter).with_suffix(".md").read_text(), re.M))


def pages_with_explorers():
    return [p for p in CHAPTERS if (SITE / p).exists() and EXPLORER in (SITE / p).read_text()]


# Every explorer of the page: its figure (the image's URL, whether it has loaded) and its controls.
EXPLORERS_JS = """() => [...document.querySelectorAll('.course-explorer')].map(box => ({
        images: [...box.querySelectorAll('img')].filter(i => i.offsetParent !== null)
                  .map(i => ({src: i.src, loaded: i.complete && i.naturalWidth > 0})),
        toggles: box.querySelectorAll('.explorer-toggles').length,
        sliders: box.querySelectorAll('input[type="range"]').length,
    }))"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_explorer_of_a_chapter_is_on_its_page(chapter):
    """Each frames_explorer the chapter builds is on the page as HTML (book/_ext/static_explorers.py),
    with neither the widget state nor a widget manager left on the page."""
    expected = explorer_calls(chapter)
    html = (SITE / chapter).read_text()
    assert html.count(EXPLORER) == expected, (
        f"{chapter}: the source builds {expected} explorer(s) but the page holds {html.count(EXPLORER)}"
    )
    assert "application/vnd.jupyter.widget" not in html and "html-manager" not in html, (
        f"{chapter}: widget state or the widget manager is still on the page")


def _shown(v, index, timeout=10_000):
    """Scroll explorer `index` into view (its figure loads lazily) and return its figure once loaded."""
    v.page.locator(".course-explorer").nth(index).scroll_into_view_if_needed()
    v.page.wait_for_function(
        "i => { const img = document.querySelectorAll('.course-explorer img.explorer-frame')[i]; "
        "return img.complete && img.naturalWidth > 0; }", arg=index, timeout=timeout)
    return v.page.evaluate(EXPLORERS_JS)[index]["images"]


def _operate(v, index, control):
    """Click a non-pressed button of toggle group `control` of explorer `index` (or, for
    ("slider", i), move slider i one step with the keyboard); return the figure shown once it has
    loaded, or None if it did not change within 10 s."""
    before = _shown(v, index)[0]["src"]
    box = v.page.locator(".course-explorer").nth(index)
    kind, i = control
    if kind == "toggle":
        box.locator(".explorer-toggles").nth(i).locator('button[aria-pressed="false"]').first.click()
    else:
        slider = box.locator('input[type="range"]').nth(i)
        slider.focus()
        at_end = slider.input_value() == slider.get_attribute("max")
        v.page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    now = None
    for _ in range(100):  # frames load on demand: allow a busy machine 10 s
        now = v.page.evaluate(EXPLORERS_JS)[index]["images"]
        if now and now[0]["src"] != before and now[0]["loaded"]:
            break
        v.page.wait_for_timeout(100)
    return now[0] if now and now[0]["src"] != before else None


def _controls(explorer):
    return [("toggle", i) for i in range(explorer["toggles"])] + [("slider", i) for i in range(explorer["sliders"])]


@pytest.mark.parametrize("page", pages_with_explorers())
def test_every_control_of_every_explorer_switches_the_figure(visit, site_url, page):
    v = visit(f"{site_url}/{page}")
    explorers = v.page.evaluate(EXPLORERS_JS)
    assert explorers, f"{page}: no explorer on the page"
    for index, explorer in enumerate(explorers):
        shown = _shown(v, index)
        assert len(shown) == 1 and shown[0]["loaded"], (
            f"{page}, explorer {index + 1}: should show exactly one loaded figure, shows {shown}"
        )
        assert explorer["toggles"] + explorer["sliders"] > 0, f"{page}, explorer {index + 1}: no control"
        for control in _controls(explorer):
            after = _operate(v, index, control)
            assert after and after["loaded"], f"{page}, explorer {index + 1}: {control[0]} {control[1] + 1} did not change the figure"
    assert not v.problems(), f"{page}: {v.problems()[:5]}"


@pytest.mark.parametrize("page", pages_with_explorers() + [site_pages()[0]])
def test_pages_work_opened_as_files(visit, page):
    """The site opened straight from _build/html (file://): formulas typeset, explorers shown and
    responsive, nothing fetched from the network, no errors."""
    v = visit((SITE / page).as_uri())
    assert not v.page.evaluate(
        "() => [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length"
    ), f"{page} as a file: formulas left untypeset"
    explorers = v.page.evaluate(EXPLORERS_JS)
    if EXPLORER in (SITE / page).read_text():
        assert explorers and all(len(_shown(v, i)) == 1 for i in range(len(explorers))), (
            f"{page} as a file: explorers not shown: {explorers}"
        )
        assert _operate(v, 0, _controls(explorers[0])[0]), f"{page} as a file: the first control did not change the figure"
    assert not v.problems(), f"{page} as a file: {v.problems()[:5]}"

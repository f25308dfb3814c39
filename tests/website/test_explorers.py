"""The chapters' explorers (nnlab.explorer: controls jslinked to Stacks of precomputed figures)
work on the static site, with no kernel and no network, served over HTTP and opened as files."""
import re

import pytest

from .conftest import REPO, SITE, site_pages

pytestmark = pytest.mark.browser

CHAPTERS = [p for p in site_pages() if (REPO / p).with_suffix(".md").exists()]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def explorer_calls(chapter):
    """How many explorers a chapter's source builds: calls of frames_explorer(...) in its code."""
    return len(re.findall(r"^[^#\n]*\bframes_explorer\(", (REPO / chapter).with_suffix(".md").read_text(), re.M))


def pages_with_widgets():
    return [p for p in CHAPTERS if (SITE / p).exists() and WIDGET_VIEW in (SITE / p).read_text()]


# The top-level widgets of the page (one per explorer), the visible figure of each, and its controls.
EXPLORERS_JS = """() => [...document.querySelectorAll('.widget-vbox')]
    .filter(box => !box.parentElement.closest('.widget-box'))
    .map(box => ({
        images: [...box.querySelectorAll('img.widget-image')].filter(i => i.offsetParent !== null)
                  .map(i => ({src: i.src, loaded: i.complete && i.naturalWidth > 0})),
        toggles: box.querySelectorAll('.widget-toggle-buttons').length,
        sliders: box.querySelectorAll('.noUi-handle').length,
    }))"""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_explorer_of_a_chapter_is_on_its_page(chapter):
    """Each frames_explorer the chapter builds is embedded in the page with its state."""
    expected = explorer_calls(chapter)
    embedded = (SITE / chapter).read_text().count(f'<script type="{WIDGET_VIEW}">')
    assert embedded == expected, (
        f"{chapter}: the source builds {expected} explorer(s) but the page embeds {embedded} widget view(s)"
    )
    if expected:
        assert 'type="application/vnd.jupyter.widget-state+json"' in (SITE / chapter).read_text()


def _wait_until_drawn(v, timeout=30_000):
    """The widget manager draws the explorers after the page has loaded, once it has parsed the
    embedded state: wait (up to 30 s on a busy machine) until every embedded view shows a figure."""
    v.page.wait_for_function(
        """() => document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]').length
                 <= document.querySelectorAll('.widget-vbox:not(.widget-box .widget-vbox) img.widget-image').length""",
        timeout=timeout)


def _visible_figure(v, index):
    return v.page.evaluate(EXPLORERS_JS)[index]["images"]


def _operate(v, index, control):
    """Click a non-selected button of toggle group `control` of explorer `index` (or, for
    ("slider", i), move slider i one step with the keyboard); return the figure shown once it has
    loaded, or None if it did not change within 10 s."""
    before = _visible_figure(v, index)[0]["src"]
    box = v.page.query_selector_all(".widget-vbox:not(.widget-box .widget-vbox)")[index]
    kind, i = control
    if kind == "toggle":
        box.query_selector_all(".widget-toggle-buttons")[i].query_selector(".widget-toggle-button:not(.mod-active)").click()
    else:
        handle = box.query_selector_all(".noUi-handle")[i]
        handle.focus()
        at_end = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        v.page.keyboard.press("ArrowLeft" if at_end else "ArrowRight")
    now = None
    for _ in range(100):  # frames load on demand (book/_ext/light_pages.py): allow a busy machine 10 s
        now = _visible_figure(v, index)
        if now and now[0]["src"] != before and now[0]["loaded"]:
            break
        v.page.wait_for_timeout(100)
    return now[0] if now and now[0]["src"] != before else None


def _controls(explorer):
    return [("toggle", i) for i in range(explorer["toggles"])] + [("slider", i) for i in range(explorer["sliders"])]


@pytest.mark.parametrize("page", pages_with_widgets())
def test_every_control_of_every_explorer_switches_the_figure(visit, site_url, page):
    v = visit(f"{site_url}/{page}")
    _wait_until_drawn(v)
    explorers = v.page.evaluate(EXPLORERS_JS)
    assert explorers, f"{page}: widget views are embedded but no explorer was drawn"
    for index, explorer in enumerate(explorers):
        assert len(explorer["images"]) == 1 and explorer["images"][0]["loaded"], (
            f"{page}, explorer {index + 1}: should show exactly one loaded figure, shows {explorer['images']}"
        )
        assert explorer["toggles"] + explorer["sliders"] > 0, f"{page}, explorer {index + 1}: no control"
        for control in _controls(explorer):
            after = _operate(v, index, control)
            assert after and after["loaded"], f"{page}, explorer {index + 1}: {control[0]} {control[1] + 1} did not change the figure"
    assert not v.problems(), f"{page}: {v.problems()[:5]}"


@pytest.mark.parametrize("page", pages_with_widgets() + [site_pages()[0]])
def test_pages_work_opened_as_files(visit, page):
    """The site opened straight from _build/html (file://): formulas typeset, explorers drawn and
    responsive, nothing fetched from the network, no errors."""
    v = visit((SITE / page).as_uri())
    assert not v.page.evaluate(
        "() => [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).length"
    ), f"{page} as a file: formulas left untypeset"
    if WIDGET_VIEW in (SITE / page).read_text():
        _wait_until_drawn(v)
    explorers = v.page.evaluate(EXPLORERS_JS)
    if WIDGET_VIEW in (SITE / page).read_text():
        assert explorers and all(len(e["images"]) == 1 and e["images"][0]["loaded"] for e in explorers), (
            f"{page} as a file: explorers not drawn: {explorers}"
        )
        assert _operate(v, 0, _controls(explorers[0])[0]), f"{page} as a file: the first control did not change the figure"
    assert not v.problems(), f"{page} as a file: {v.problems()[:5]}"

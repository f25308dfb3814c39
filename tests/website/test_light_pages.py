"""Light pages (book/_ext/light_pages.py, book/_ext/static_explorers.py): what each page
transfers, explorer frames loaded on demand with no widget manager, the icon font subset, search
snippets from small text files, MathJax only with math."""
import json
import re
import sys
from urllib.parse import urlparse

import pytest

from bench.page_weight import EXPLORER_FRAMES, measure

from .conftest import REPO, SITE, site_pages

sys.path.insert(0, str(REPO / "book" / "_ext"))
import light_pages  # noqa: E402  (the build extension, for its icon parsing)

pytestmark = pytest.mark.browser

# 1.5 MB as developer tools count it (1 MB = 1024 × 1024 bytes). The chapters with math sit at
# 1.40-1.54 × 10⁶ bytes: 0.76 MB of that is MathJax, 0.31 MB the theme's stylesheet.
BUDGET = int(1.5 * 2**20)
CHAPTERS = [p for p in site_pages() if re.match(r"book/0\d_", p)]
EXPLORER = 'class="course-explorer"'
WIDGET_MANAGER = "/_static/widgets/"  # where the site served ipywidgets' widget manager (1.9 MB)
FRAMES = re.compile(r'<script type="application/json" class="explorer-frames">(.*?)</script>', re.S)


def explorer_frames(page):
    """[[frame URL relative to the page, alt, width, height], ...] of each explorer on the page."""
    return [json.loads(m.group(1).replace("<\\/", "</")) for m in FRAMES.finditer((SITE / page).read_text())]


@pytest.fixture(scope="module")
def weights(browser, site_url):
    return {page: measure(browser, site_url, page) for page in site_pages()}


@pytest.mark.parametrize("page", CHAPTERS)
def test_chapter_page_is_within_the_budget(weights, page):
    """Every chapter page, explorers included, until it is loaded and typeset."""
    w = weights[page]
    largest = sorted(w.files.items(), key=lambda item: -item[1])[:5]
    assert w.first_load <= BUDGET, f"{page}: {w.first_load:,} bytes > {BUDGET:,}; largest: {largest}"


@pytest.mark.parametrize("page", [p for p in CHAPTERS if explorer_frames(p)])
def test_explorer_frames_load_on_demand(weights, page):
    """An explorer page fetches at most the frame each explorer shows, not the others, and no
    widget manager."""
    w = weights[page]
    fetched = [path for path in w.files if path.startswith(EXPLORER_FRAMES)]
    explorers = explorer_frames(page)
    assert len(fetched) <= len(explorers) < sum(len(frames) for frames in explorers), (
        f"{page}: {len(fetched)} explorer frames fetched for {len(explorers)} explorer(s)")
    assert not w.bytes_under(WIDGET_MANAGER), f"{page}: the widget manager was loaded"


def test_no_page_loads_a_widget_manager(weights):
    heavy = {p: w.bytes_under(WIDGET_MANAGER) for p, w in weights.items() if w.bytes_under(WIDGET_MANAGER)}
    assert not heavy, f"pages that load the widget manager: {heavy}"


def test_pages_without_math_load_no_mathjax(weights):
    for page, w in weights.items():
        if 'class="math' not in (SITE / page).read_text():
            assert not w.bytes_under("/_static/mathjax/"), f"{page} has no formula but loads MathJax"


def test_explorer_frames_are_files_not_embedded():
    """Each frame of each explorer is a PNG file of the site, named once in the page; the page's
    HTML stays small."""
    pages = [p for p in CHAPTERS if EXPLORER in (SITE / p).read_text()]
    assert pages, "no chapter page has an explorer"
    for page in pages:
        html = (SITE / page).read_text()
        explorers = explorer_frames(page)
        assert len(explorers) == html.count(EXPLORER), f"{page}: an explorer without its list of frames"
        for frames in explorers:
            files = [(SITE / page).parent / url for url, *_ in frames]
            missing = [str(f) for f in files if not f.is_file() or not f.read_bytes().startswith(b"\x89PNG")]
            assert len(frames) > 1 and not missing, f"{page}: frames that are not PNG files of the site: {missing[:3]}"
        assert "data:image/png;base64" not in html and len(html) < 400_000, f"{page}: {len(html):,} bytes of HTML"


def test_icon_font_holds_every_icon_the_pages_use():
    """Each Font Awesome class the pages name has its glyph in the cut-down webfonts."""
    from fontTools.ttLib import TTFont

    css = [p.read_text() for p in (SITE / "_static").rglob("*.css") if "widgets" not in p.parts]
    icons = {}
    for sheet in css:
        icons.update(light_pages.icon_codepoints(sheet))
    used = {name for page in SITE.rglob("*.html") for name in re.findall(r"\bfa-([a-z0-9-]+)", page.read_text())}
    glyphs = set()
    for font in (SITE / light_pages.WEBFONTS).glob("*.woff2"):
        glyphs |= set(TTFont(font).getBestCmap())
        assert font.stat().st_size < 20_000, f"{font.name}: {font.stat().st_size:,} bytes, not a subset"
    missing = sorted(name for name in used if name in icons and icons[name] not in glyphs)
    assert {"bars", "magnifying-glass", "download"} <= used and not missing, f"icons without a glyph: {missing}"


def test_tex_to_text():
    assert light_pages.tex_to_text(r"\eta = 0.01") == "η = 0.01"
    assert light_pages.tex_to_text(r"\frac{\eta}{2} \cdot \operatorname{relu}(x)") == "η/2 · relu(x)"
    assert "\\" not in light_pages.tex_to_text(r"\begin{aligned} a &= \sqrt{\hat v_t} \\ b \end{aligned}")


def test_search_shows_prose_snippets_without_fetching_pages(visit, site_url):
    v = visit(f"{site_url}/search.html?q=batch")
    v.page.wait_for_selector("#search-results li p.context", timeout=20000)
    v.page.wait_for_timeout(1000)
    snippets = v.page.eval_on_selector_all("#search-results li p.context", "ps => ps.map(p => p.textContent)")
    assert len(snippets) >= 4 and all("batch" in s.lower() for s in snippets), snippets
    raw = [s for s in snippets if re.search(r"\\[(\[a-zA-Z]|\$", s)]
    assert not raw, f"raw TeX in search snippets: {raw[:2]}"
    menus = [s for s in snippets if re.search(r"Skip to main content|Back to top|Toggle navigation", s)]
    assert not menus, f"menu text in snippets: {menus[:2]}"
    fetched = [urlparse(url).path for url in v.page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")]
    pages = [path for path in fetched if path.endswith(".html")]
    assert not pages and any(path.startswith("/_search/") for path in fetched), (
        f"snippets should come from _search/*.js, fetched {fetched[:8]}")
    assert not v.problems(), v.problems()[:5]


def test_stylesheet_rules_that_can_never_match_are_dropped():
    names, prefixes = light_pages.names_in_use(['<div class="card used">', 'el.classList.add("bs-tooltip-" + where)'])
    css = ("/* note */ .card{color:red} .carousel{color:blue} .carousel,.used{margin:0} div:not(.gone){padding:0}"
           " .bs-tooltip-top{top:0} @media (min-width:1px){.toast{x:y}.card{a:b}} @media print{.toast{x:y}}"
           " @font-face{font-family:X} a{color:green}")
    light = light_pages.prune_css(css, names, prefixes)
    assert ".carousel{" not in light and ".toast" not in light and "note" not in light
    for kept in (".card{color:red}", ".carousel,.used{margin:0}", "div:not(.gone){padding:0}", ".bs-tooltip-top",
                 "@media (min-width:1px){.card{a:b}}", "@font-face{font-family:X}", "a{color:green}"):
        assert kept in light, f"{kept} was dropped: {light}"
    assert "@media print" not in light, "an @media block left empty should go"

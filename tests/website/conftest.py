"""The built site served on 127.0.0.1 and a headless Chromium that may load nothing else.

The browser tests look at what a reader sees: they need `make book` to have run (`make test`
does that first) and Debian's Chromium (`.ci/run` installs it). Without Chromium they are
skipped with a message saying so; without a built site they fail.
"""
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

from bench.page_weight import MATHJAX_STARTED, serve

REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "_build" / "html"
ARTIFACTS = REPO / "tests" / "artifacts" / "screenshots"
LOCAL_SCHEMES = ("data", "blob", "file", "about")  # never leave the machine
# The screens the responsive and accessibility tests look at every page on.
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def site_pages():
    """The HTML page of every file in the table of contents (_toc.yml), sections (sub-pages) included,
    as paths under the site root."""
    toc = yaml.safe_load((REPO / "_toc.yml").read_text())

    def files(entries):
        for entry in entries:
            yield entry["file"]
            yield from files(entry.get("sections", []))

    return [f"{f}.html" for f in [toc["root"], *files(ch for part in toc.get("parts", []) for ch in part["chapters"])]]


@pytest.fixture(scope="session")
def site_url():
    """Serve _build/html on a free local port for the whole session."""
    if not (SITE / "index.html").exists():
        pytest.fail("the site is not built: run `make book` (make test does it first)")
    with serve(SITE) as url:
        yield url


def is_local(url):
    parsed = urlparse(url)
    return parsed.scheme in LOCAL_SCHEMES or parsed.hostname == "127.0.0.1"


class PageVisit:
    """A page opened with every non-local request blocked, recording what went wrong.

    `external` lists every request that would have left the machine (all of them are aborted),
    `failed` every request that failed or got an HTTP error, `console_errors` every error the page
    logged or threw. The page is returned once MathJax has finished its first pass. `viewport`
    is the window's size (a dict as in VIEWPORTS); `mode` ("light" or "dark") a colour mode the
    reader chose on an earlier visit (the theme keeps it in localStorage).
    """

    def __init__(self, browser, url, viewport=None, mode=None):
        self.context = browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        self.page = self.context.new_page()
        if mode:
            self.page.add_init_script(f"if (!localStorage.getItem('mode')) {{ localStorage.setItem('mode', '{mode}'); "
                                      f"localStorage.setItem('theme', '{mode}'); }}")
        self.console_errors, self.failed, self.external = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.console_errors.append(m.text))
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.on("request", lambda r: is_local(r.url) or self.external.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.page.route("**/*", lambda route: route.continue_() if is_local(route.request.url) else route.abort())
        self.page.goto(url, wait_until="networkidle")
        self.page.wait_for_function(MATHJAX_STARTED)
        self.page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def problems(self):
        """Everything that went wrong so far, as one list (empty when the page is clean)."""
        return ([f"network: {u}" for u in self.external] + [f"failed: {f}" for f in self.failed]
                + [f"console: {e}" for e in self.console_errors])

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name.replace('/', '__')}.png"), full_page=True, timeout=120_000)

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser):
    """Open a fresh page (for tests that change it, e.g. by moving a slider)."""
    opened = []

    def open_page(url, **options):
        opened.append(PageVisit(browser, url, **options))
        return opened[-1]

    yield open_page
    for v in opened:
        v.close()


@pytest.fixture(scope="session")
def loaded(browser, site_url):
    """Each page of the site opened once and shared by the tests that only look at it; with a
    screen's name (a key of VIEWPORTS), opened at that screen's size."""
    cache = {}

    def get(page, screen=None):
        if (page, screen) not in cache:
            cache[page, screen] = PageVisit(browser, f"{site_url}/{page}", viewport=VIEWPORTS.get(screen))
        return cache[page, screen]

    yield get
    for v in cache.values():
        v.close()

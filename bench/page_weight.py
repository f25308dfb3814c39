"""Page weight: the bytes each page of the built site transfers, and how long it takes to load.

Each page is opened in headless Chromium (Debian's, as in the tests) from a local server, with
every non-local request refused, at a desktop viewport of 1366×768. *First load* is the sum of
the response bodies until the network is idle and MathJax has typeset the page; *scrolled* adds
what the page fetches when the reader scrolls to its end (figures load lazily, explorer frames
only when a control selects them, so that column does not include the other frames).
"""
import functools
import http.server
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "_build" / "html"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
VIEWPORT = {"width": 1366, "height": 768}
# MathJax's components load after the page itself: on a page with formulas, wait until MathJax
# has started (then await MathJax.startup.promise, which resolves once the page is typeset)
MATHJAX_STARTED = "() => !document.querySelector('.math') || !!(window.MathJax && MathJax.startup && MathJax.startup.promise)"
EXPLORER_FRAMES = "/_images/explorer-"  # the explorers' frames (book/_ext/static_explorers.py)
SCROLL_TO_END = """async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
        window.scrollTo(0, y); await new Promise(done => setTimeout(done, 50)); }
    window.scrollTo(0, 0); }"""


@dataclass
class PageWeight:
    """What one page transferred: ``first_load`` and ``scrolled`` bytes (response bodies),
    ``seconds`` to a loaded, typeset page, and ``files`` {path on the site: bytes}."""
    page: str
    first_load: int
    scrolled: int
    seconds: float
    files: dict = field(default_factory=dict)

    def bytes_under(self, prefix):
        """Bytes of the first load that came from site paths starting with ``prefix``."""
        return sum(n for path, n in self.files.items() if path.startswith(prefix))


@contextmanager
def serve(site=SITE):
    """The built site on a free port of 127.0.0.1; yields its base URL."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def measure(browser, base_url, page):
    """Open ``page`` (a path under the site) in a fresh context of ``browser`` and weigh it."""
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    responses = []
    tab.on("response", lambda response: responses.append(response))
    tab.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).hostname == "127.0.0.1"
              else route.abort())
    start = time.perf_counter()
    tab.goto(f"{base_url}/{page}", wait_until="networkidle")
    tab.wait_for_function(MATHJAX_STARTED)
    tab.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    seconds = time.perf_counter() - start

    def weigh(batch):
        files = {}
        for response in batch:
            path = urlparse(response.url).path
            try:
                files[path] = files.get(path, 0) + len(response.body())
            except Exception:  # a response without a body (a redirect): nothing transferred
                pass
        return files

    first = weigh(list(responses))
    seen = len(responses)
    tab.evaluate(SCROLL_TO_END)
    tab.wait_for_load_state("networkidle")
    later = weigh(responses[seen:])
    context.close()
    return PageWeight(page, sum(first.values()), sum(first.values()) + sum(later.values()), seconds, first)


def measure_site(pages):
    """[PageWeight] of each page of ``pages``, with one Chromium for all."""
    from playwright.sync_api import sync_playwright

    with serve() as base_url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            return [measure(browser, base_url, page) for page in pages]
        finally:
            browser.close()


def run():
    """Markdown section: bytes and load time of every page of the table of contents."""
    from tests.website.conftest import site_pages

    if not (SITE / "index.html").exists():
        raise RuntimeError("the site is not built: run `make book` first")
    weights = measure_site(site_pages())
    rows = [f"| {w.page} | {w.first_load / 1e6:.2f} | {w.bytes_under(EXPLORER_FRAMES) / 1e6:.2f} | "
            f"{w.scrolled / 1e6:.2f} | {w.seconds:.1f} |" for w in weights]
    return "\n".join([
        "## Page weight",
        "",
        "Each page of the built site in headless Chromium (1366×768, served from 127.0.0.1, no network):",
        "bytes of all response bodies (1 MB = 10⁶ bytes) until the network is idle and MathJax has",
        "typeset the page; of those, the explorers' frames (one per explorer at most: the others load when",
        "a control selects them; no widget manager); and the total once the reader has scrolled to the end",
        "(lazy figures loaded). Load time is to a typeset page, on this machine as it was (shared CPUs).",
        "",
        "| page | first load (MB) | of which explorer frames (MB) | scrolled to the end (MB) | load time (s) |",
        "|---|---:|---:|---:|---:|",
        *rows,
    ])

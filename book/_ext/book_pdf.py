"""The whole book as one PDF, printed offline by the headless Chromium the tests use.

`make pdf` runs the single-page build (`jupyter-book build --builder singlehtml .`); when it has
finished, this extension opens the single page (`_build/singlehtml/book.html`) as a file in Debian's Chromium
(driven by Playwright, every non-local request refused), waits for MathJax, and prints it with
the print stylesheet (book/_static/print.css) to `_build/pdf/book.pdf`. The HTML site offers the
PDF on every page, in the download menu beside the per-page print entry (".pdf"); `make book`
copies it to `_build/html/book.pdf`.
"""
import shutil
from pathlib import Path
from urllib.parse import urlparse

from sphinx.util import logging

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"]
PDF_NAME = "book.pdf"
FOOTER = ('<div style="width:100%; font-size:8px; color:#555; text-align:center;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
logger = logging.getLogger(__name__)


def print_to_pdf(html, pdf):
    """Print the page ``html`` (a file) to ``pdf`` with headless Chromium, offline: A4, the
    print stylesheet, page numbers in the footer. Returns ``pdf``."""
    from playwright.sync_api import sync_playwright

    if CHROMIUM is None:
        raise RuntimeError("book_pdf: Chromium is not installed (apt-get install -y chromium)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.route("**/*", lambda route: route.continue_() if urlparse(route.request.url).scheme in ("file", "data")
                   else route.abort())
        page.goto(Path(html).resolve().as_uri(), wait_until="networkidle", timeout=120_000)
        # MathJax's components load after the page: wait for its start-up, then for its typesetting
        page.wait_for_function("() => !document.querySelector('.math') || !!(window.MathJax && MathJax.startup && MathJax.startup.promise)", timeout=120_000)
        page.evaluate("window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.emulate_media(media="print")
        page.pdf(path=str(pdf), format="A4", display_header_footer=True, header_template="<span></span>",
                 footer_template=FOOTER, margin={"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"})
        browser.close()
    return pdf


def _print_book(app, exception):
    if exception is not None or app.builder.name != "singlehtml":
        return
    # The one page, the root document with every chapter in it, is written to book/intro.html
    # but with links relative to the output folder (index.html only redirects to it): print a
    # copy placed where its links resolve.
    outdir = Path(app.outdir)
    page = shutil.copy(outdir / f"{app.config.root_doc}.html", outdir / "book.html")
    pdf = print_to_pdf(page, outdir.parent / "pdf" / PDF_NAME)
    logger.info(f"book_pdf: wrote {pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")


def _offer_pdf(app, pagename, templatename, context, doctree):
    """The download menu of every page offers the whole book's PDF."""
    if app.builder.name != "html":
        return
    download = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if download is not None:
        download["buttons"].append({
            "type": "link", "url": context["pathto"](PDF_NAME, 1), "text": "book.pdf", "icon": "fas fa-book",
            "tooltip": "The whole book as one PDF", "label": "download-book-pdf-button",
        })


def setup(app):
    app.connect("html-page-context", _offer_pdf, priority=601)  # after course_site's download menu
    app.connect("build-finished", _print_book)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Small Sphinx fixes for the course site, loaded through _config.yml's `local_extensions`.

- Jupyter Book 1 makes sphinx-thebe register its inline configuration script twice, which the
  browser rejects ("Identifier 'THEBE_JS_URL' has already been declared"): keep each script once.
- The widget manager is the standalone bundle `embed.js` (1.9 MB), not the require.js one
  (`embed-amd.js`, 3.6 MB: it repeats the libraries each of its modules bundles): the site's
  explorers use ipywidgets' own controls only, which is all the standalone bundle renders. It
  finds its icon fonts next to itself, so no path needs mapping, also opened as `file://`.
- The widget manager typesets widget labels with the MathJax 2 call `MathJax.Hub.Queue`, which
  MathJax 3 (what the site loads) does not have: "Cannot read properties of undefined (reading
  'Queue')". A small shim gives every MathJax object the page gets, before and after MathJax 3
  replaces its configuration object, a `Hub.Queue` that typesets with MathJax 3.
- Each chapter's "download" menu offers the *executed* notebook (`.ipynb`, with every output and
  the widgets' state), even when no launch button is configured, instead of the MyST source:
  cells that a chapter hides (`remove-cell`, `remove-input`) may hold the answer to an exercise,
  and they stay hidden in the download too. The outputs come from the execution cache: the copy
  myst-nb writes to jupyter_execute/ has none when the page was served from the cache.
"""
from contextlib import suppress
from pathlib import Path

import nbformat
from jupyter_cache import get_cache

WIDGET_MANAGER = "html-manager/dist/embed.js"
# window.MathJax is first the configuration object, then (once MathJax 3 has loaded) MathJax itself:
# the setter gives each the MathJax 2 `Hub.Queue` the widget manager calls. Before MathJax is ready
# there is nothing to do: its first pass typesets the whole page, widget labels included.
MATHJAX2_HUB_SHIM = """(() => {
  const hub = {Queue: (...jobs) => {
    const mj = window.MathJax, elements = jobs.map(job => Array.isArray(job) && job[2]).filter(Boolean);
    if (mj && mj.typesetPromise && mj.startup && mj.startup.promise && elements.length)
      mj.startup.promise = mj.startup.promise.then(() => mj.typesetPromise(elements));
  }};
  let current = window.MathJax;
  Object.defineProperty(window, "MathJax", {configurable: true, get: () => current,
    set: (value) => { current = value; if (value && typeof value === "object" && !value.Hub) value.Hub = hub; }});
  window.MathJax = current || {};
})();"""
HIDDEN_SOURCE = "# This cell's code is not shown on the course site; the text around it says what it does."


def _dedupe_scripts(context):
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        key = (script.filename or "", script.attributes.get("body", ""))  # inline scripts: None or ""
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


def _prepare_widget_manager(context):
    """Before the widget manager: the MathJax 2 shim."""
    scripts = context.get("script_files", [])
    at = next((i for i, s in enumerate(scripts) if (s.filename or "").split("?")[0].endswith(WIDGET_MANAGER)), None)
    if at is not None:
        scripts.insert(at, type(scripts[at])(None, body=MATHJAX2_HUB_SHIM))


def _fix_scripts(app, pagename, templatename, context, doctree):
    _dedupe_scripts(context)
    _prepare_widget_manager(context)


def _executed_notebook(config, pagename):
    """The page's notebook with its outputs. myst-nb writes jupyter_execute/<page>.ipynb with
    outputs only when it executed the page in this build; on a cache hit the outputs come from
    jupyter-cache, so merge them from there. None if the page is not a notebook."""
    path = Path(config.output_folder) / f"{pagename}.ipynb"
    if not path.exists():
        return None
    nb = nbformat.read(path, as_version=4)
    if config.execution_mode == "cache":
        with suppress(KeyError):  # no cached execution of this exact code: offer it as it is
            _, nb = get_cache(config.execution_cache_path).merge_match_into_notebook(nb)
    return nb


def _public_notebook(nb):
    """The notebook without what the page hides: `remove-cell` and `remove-input` code is replaced
    by a note (outputs of `remove-input` cells are kept), `remove-output` outputs are dropped."""
    for cell in nb.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if cell.cell_type != "code":
            continue
        if tags & {"remove-cell", "remove-input"}:
            cell.source = HIDDEN_SOURCE
        if tags & {"remove-cell", "remove-output"}:
            cell.outputs = []
    return nb


def _offer_executed_notebook(app, pagename, templatename, context, doctree):
    """Put the cleaned executed notebook in _sources/ and make it the page's download, not the source."""
    download = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if download is None:
        return
    buttons = [b for b in download["buttons"] if b.get("label") not in ("download-source-button", "download-notebook-button")]
    executed = _executed_notebook(app.env.mystnb_config, pagename) if "kernelspec" in app.env.metadata[pagename] else None
    if executed is not None:
        target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(_public_notebook(executed), target)
        buttons.insert(0, {
            "type": "link", "url": context["pathto"](f"_sources/{pagename}.ipynb", 1), "text": ".ipynb",
            "icon": "fas fa-code", "tooltip": "Download the executed notebook", "label": "download-notebook-button",
        })
    download["buttons"] = buttons


def setup(app):
    app.connect("html-page-context", _offer_executed_notebook, priority=600)  # after the theme's buttons
    app.connect("html-page-context", _fix_scripts, priority=999)  # after every handler that adds scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Small Sphinx fixes for the course site, loaded through _config.yml's `local_extensions`.

- Jupyter Book 1 makes sphinx-thebe register its inline configuration script twice, which the
  browser rejects ("Identifier 'THEBE_JS_URL' has already been declared"): keep each script once.
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

HIDDEN_SOURCE = "# This cell's code is not shown on the course site; the text around it says what it does."


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        key = (script.filename or "", script.attributes.get("body", ""))  # inline scripts: None or ""
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


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
    app.connect("html-page-context", _dedupe_scripts, priority=999)  # after every handler that adds scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Small Sphinx fixes for the course site, loaded through _config.yml's `local_extensions`.

- Jupyter Book 1 makes sphinx-thebe register its inline configuration script twice, which the
  browser rejects ("Identifier 'THEBE_JS_URL' has already been declared"): keep each script once.
"""


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts, seen = [], set()
    for script in context.get("script_files", []):
        key = (script.filename or "", script.attributes.get("body", ""))  # inline scripts: None or ""
        if key not in seen:
            seen.add(key)
            scripts.append(script)
    context["script_files"] = scripts


def setup(app):
    app.connect("html-page-context", _dedupe_scripts, priority=999)  # after every handler that adds scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}

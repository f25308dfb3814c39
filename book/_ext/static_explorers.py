"""The chapters' explorers on the website without a widget manager.

Loaded through _config.yml's `local_extensions`. An explorer (``nnlab.explorer.frames_explorer``)
is, in the executed notebook, an ipywidgets tree: a VBox holding an HBox of controls (a
SelectionSlider per numeric part of the frames' keys, ToggleButtons per named part) and nested
Stacks whose leaves are the precomputed frames (PNG Images, each with its text alternative as
tooltip). In JupyterLab that tree is live. On the site the standalone widget manager that draws it
weighs 1.9 MB, more than a whole chapter page may (1.5 MB), so before a page is written this
extension turns every explorer into plain HTML:

- each frame becomes a file in ``_images/`` (named by its content's hash), fetched only when a
  control selects it;
- the controls become a labelled ``<input type="range">`` (its value announced as the label it
  stands for) or a named group of ``<button aria-pressed>``; ``course-explorers.js`` (a few kB)
  switches the frame, its alt text and the controls' states;
- the figure is an ``<img>`` of the first frame, alt text included, so the page shows it even
  without scripts, and print.css prints it with a note that the explorer is interactive online;
- the page's widget state, and the widget manager with it, are left out.

The explorer keeps working with no kernel and no network, also opened as ``file://`` (frame URLs
are relative to the page), and in the single-page build that prints the PDF.
"""
import base64
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from light_pages import png_size  # noqa: I001  (book/_ext, beside this module)
from sphinx.errors import ExtensionError

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.S)
CONTROL_KINDS = {"SelectionSliderModel": "slider", "ToggleButtonsModel": "toggles"}


@dataclass
class Control:
    """One control of an explorer: its ``name`` (the label, e.g. "learning rate"), ``kind``
    ("slider" or "toggles") and ``labels`` (the values it chooses among, as shown)."""
    name: str
    kind: str
    labels: list


@dataclass
class Frame:
    """One precomputed figure: ``png`` bytes and ``alt``, its text alternative."""
    png: bytes
    alt: str


@dataclass
class Explorer:
    """An explorer read from a widget state: its controls and its frames in row-major order over
    the controls (frame ``i`` shows labels ``(i0, i1, ...)`` with ``i = i0 * n1 * n2 ... + i1 * n2 ...``,
    the order of ``itertools.product``), i.e. ``len(frames) == prod(len(c.labels) for c in controls)``."""
    controls: list
    frames: list


def _model(state, ref):
    """The model that a widget reference ``"IPY_MODEL_<id>"`` (or a bare id) names."""
    model = state["state"].get(ref.removeprefix("IPY_MODEL_"))
    if model is None:
        raise ExtensionError(f"static_explorers: the widget state has no model {ref}")
    return model


def _image(model):
    fields = model["state"]
    buffers = [b for b in model.get("buffers", []) if b.get("path") == ["value"]]
    if fields.get("format", "png") != "png" or len(buffers) != 1 or buffers[0].get("encoding") != "base64":
        raise ExtensionError("static_explorers: an explorer frame that is not an embedded PNG")
    return Frame(base64.b64decode(buffers[0]["data"]), fields.get("tooltip") or "")


def _frames(state, ref, depth, controls):
    """The frames under the Stack (or Image, at the last depth) ``ref``, in row-major order."""
    model = _model(state, ref)
    if depth == len(controls):
        if model["model_name"] != "ImageModel":
            raise ExtensionError(f"static_explorers: expected an Image at depth {depth}, found {model['model_name']}")
        return [_image(model)]
    children = model["state"].get("children", [])
    if model["model_name"] != "StackModel" or len(children) != len(controls[depth].labels):
        raise ExtensionError(f"static_explorers: expected a Stack of {len(controls[depth].labels)} at depth {depth}")
    return [frame for child in children for frame in _frames(state, child, depth + 1, controls)]


def read_explorer(state, model_id):
    """The Explorer whose top-level VBox is ``model_id`` in ``state`` (a page's widget state,
    ``{"state": {model_id: {"model_name", "state", "buffers"}}}``), or None if that model is not
    an explorer built by ``frames_explorer`` (a VBox of an HBox of controls and a Stack)."""
    top = _model(state, model_id)
    children = top["state"].get("children", [])
    if top["model_name"] != "VBoxModel" or len(children) != 2:
        return None
    row, stack = _model(state, children[0]), _model(state, children[1])
    if row["model_name"] != "HBoxModel" or stack["model_name"] != "StackModel":
        return None
    controls = []
    for ref in row["state"]["children"]:
        fields = _model(state, ref)
        if fields["model_name"] not in CONTROL_KINDS:
            return None
        controls.append(Control(fields["state"].get("description", ""), CONTROL_KINDS[fields["model_name"]],
                                list(fields["state"]["_options_labels"])))
    return Explorer(controls, _frames(state, children[1], 0, controls))


def explorer_html(explorer, key, frame_url):
    """The explorer as HTML: its controls, the first frame and, for print, a note. ``key`` makes
    the controls' ids unique on the page; ``frame_url(png) -> url`` stores a frame."""
    esc = html.escape
    frames = [[frame_url(f.png), f.alt, *png_size(f.png)] for f in explorer.frames]
    parts = []
    for i, control in enumerate(explorer.controls):
        cid = f"explorer-{key}-{i}"
        first = esc(control.labels[0])
        if control.kind == "slider":
            parts.append(
                f'<div class="explorer-slider"><label for="{cid}">{esc(control.name)}</label>'
                f'<input type="range" id="{cid}" data-control="{i}" min="0" max="{len(control.labels) - 1}" step="1" '
                f'value="0" autocomplete="off" aria-valuetext="{first}" data-labels="{esc(json.dumps(control.labels))}">'
                f'<output for="{cid}" aria-hidden="true">{first}</output></div>')
        else:
            buttons = "".join(f'<button type="button" value="{j}" aria-pressed="{str(j == 0).lower()}">{esc(label)}</button>'
                              for j, label in enumerate(control.labels))
            parts.append(f'<div class="explorer-toggles" role="group" aria-labelledby="{cid}" data-control="{i}">'
                         f'<span class="explorer-name" id="{cid}">{esc(control.name)}</span>{buttons}</div>')
    url, alt, width, height = frames[0]
    shown = ", ".join(f"{c.name}: {c.labels[0]}" for c in explorer.controls)
    data = json.dumps(frames).replace("</", "<\\/")  # "</" must not end the script element early
    return (f'<div class="course-explorer" data-shape="{" ".join(str(len(c.labels)) for c in explorer.controls)}">'
            f'<div class="explorer-controls">{"".join(parts)}</div>'
            f'<img class="explorer-frame" src="{esc(url)}" alt="{esc(alt)}" width="{width}" height="{height}">'
            f'<p class="explorer-note">Interactive on the website: this explorer is printed at its first setting ({esc(shown)}).</p>'
            f'<script type="application/json" class="explorer-frames">{data}</script>'
            f'</div>')


def _page_widget_states(app, context):
    """The page's widget states: its own, or, in the single-page build, every chapter's (that
    build's one page holds them all)."""
    found = [json.loads(s.attributes["body"].replace("<\\/", "</")) for s in context.get("script_files", [])
             if s.attributes.get("type") == WIDGET_STATE]
    if found or app.builder.name != "singlehtml":
        return found
    from myst_nb.sphinx_ import NbMetadataCollector

    states = []
    for docname in sorted(app.env.found_docs):
        script = NbMetadataCollector.get_js_files(app.env, docname).get("ipywidgets_state")
        if script:
            states.append(json.loads(script[1]["body"].replace("<\\/", "</")))
    return states


def _static_explorers(app, pagename, templatename, context, doctree):
    states = _page_widget_states(app, context)
    # the widget state is read here and never needed by the page (in place: later handlers keep the list)
    context.get("script_files", [])[:] = [s for s in context.get("script_files", []) if s.attributes.get("type") != WIDGET_STATE]
    if not states:
        return
    images = Path(app.outdir) / "_images"
    images.mkdir(exist_ok=True)

    def frame_url(png):
        name = f"explorer-{hashlib.sha256(png).hexdigest()[:32]}.png"
        if not (images / name).exists():
            (images / name).write_bytes(png)
        return context["pathto"](f"_images/{name}", 1)

    def replace(match):
        model_id = json.loads(match.group(1).replace("<\\/", "</"))["model_id"]
        state = next((s for s in states if model_id in s["state"]), None)
        explorer = read_explorer(state, model_id) if state else None
        if explorer is None:
            raise ExtensionError(f"static_explorers: {pagename} shows a widget ({model_id}) that is not an explorer "
                                 "of nnlab.explorer; the site draws explorers only")
        return explorer_html(explorer, model_id[:8], frame_url)

    context["body"] = WIDGET_VIEW.sub(replace, context.get("body", ""))


def setup(app):
    app.connect("html-page-context", _static_explorers, priority=700)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Explorers: precomputed figures switched by controls, live in JupyterLab and on the static site.

A static page has no kernel, so Python callbacks (``interact``) never run there. An explorer is
built from figures rendered in advance instead: in JupyterLab, a control whose ``index`` is
``jslink``-ed to a ``Stack``'s ``selected_index`` switches between them in the browser. On the
course website the build (book/_ext/static_explorers.py) reads the same widgets from the
executed notebook and writes each explorer as plain HTML controls and one image per frame, loaded
when selected, with no widget manager on the page. Keep the number of frames modest (a few
dozen): every frame is a PNG stored in the notebook.
"""
import io
import itertools
import numbers

import ipywidgets as widgets
import matplotlib.pyplot as plt
import traitlets


def figure_png(fig, dpi=80):
    """Render a matplotlib figure to PNG bytes and close it (so it is not also drawn inline)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _control(name, labels):
    """A slider for numeric labels (ordered values), toggle buttons for names (categories)."""
    options = [str(label) for label in labels]
    # the name's own width: the default fixed width cuts a name like "rule" to "r..."
    style = {"description_width": "initial"}
    if all(isinstance(label, numbers.Number) for label in labels):
        return widgets.SelectionSlider(options=options, description=name, continuous_update=True, style=style)
    return widgets.ToggleButtons(options=options, description=name, style=style)


def frame_text(alt, names, key):
    """A frame's text alternative: ``"<alt> (<name>: <label>, ...)"``, e.g.
    ``"Path of each rule on the bowl (rule: adam, learning rate: 0.1)"``."""
    return f"{alt} ({', '.join(f'{name}: {label}' for name, label in zip(names, key))})"


def _frame_image(frame, text, dpi):
    """One frame as an Image widget whose tooltip is its text alternative. The browser side of
    ipywidgets 8.1 reads ``description`` when it shows an image's tooltip, a trait Image lacks (the
    view would throw and the frame stay blank): an empty one is added."""
    png = frame if isinstance(frame, bytes) else figure_png(frame, dpi)
    image = widgets.Image(value=png, format="png", tooltip=text)
    image.add_traits(description=traitlets.Unicode("").tag(sync=True))
    return image


def frames_explorer(frames, description, *, alt, dpi=80):
    """A widget that shows one of several precomputed figures, chosen with one control per key part.

    ``frames`` maps a label to a figure: ``{0.1: fig, 0.5: fig}`` gives one control;
    ``{("L2", 0.1): fig, ("L1", 0.1): fig, ...}`` gives one control per position of the tuple
    keys and must hold every combination of the labels (a full grid). Labels keep the order in
    which they first appear. Numeric labels get a slider, other labels toggle buttons. Each
    control is linked in the browser to the nested ``Stack`` level it selects, so the explorer
    also works on a static page with no kernel.

    Args:
        frames: dict label -> matplotlib Figure, or tuple of labels -> Figure (a full grid).
            The figures are rendered to PNG and closed. A value may also be PNG bytes already
            rendered with ``figure_png``: that keeps only one figure open at a time while many
            frames are drawn.
        description: the control's name (str), or one name per position of the tuple keys.
        alt: what every frame shows, in words, for readers who cannot see the figures (e.g.
            "The path of the rule on the bowl and its gap to the minimum"); each frame's text
            alternative adds its settings (``frame_text``).
        dpi: resolution of the rendered PNGs.
    Returns:
        ipywidgets.VBox holding the controls above the figure.
    """
    names = (description,) if isinstance(description, str) else tuple(description)
    keys = [key if isinstance(key, tuple) else (key,) for key in frames]
    if not keys or any(len(key) != len(names) for key in keys):
        raise ValueError(
            f"frames_explorer: every key must have {len(names)} part(s), one per name in "
            f"description={names}; got keys {list(frames)[:4]}"
        )
    levels = [list(dict.fromkeys(key[d] for key in keys)) for d in range(len(names))]
    missing = set(itertools.product(*levels)) - set(keys)
    if missing:
        raise ValueError(
            f"frames_explorer: frames must hold every combination of the labels; missing {sorted(missing, key=str)[:4]}"
        )
    images = {key: _frame_image(frame, frame_text(alt, names, key), dpi) for key, frame in zip(keys, frames.values())}
    controls = [_control(name, labels) for name, labels in zip(names, levels)]

    def nested(prefix):
        depth = len(prefix)
        if depth == len(names):
            return images[prefix]
        stack = widgets.Stack(children=[nested(prefix + (label,)) for label in levels[depth]], selected_index=0)
        widgets.jslink((controls[depth], "index"), (stack, "selected_index"))
        return stack

    return widgets.VBox([widgets.HBox(controls), nested(())])

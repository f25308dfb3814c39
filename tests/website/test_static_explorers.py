"""book/_ext/static_explorers.py: an explorer of nnlab.explorer, read from the widget state that
the executed notebook stores, becomes HTML controls and one image file per frame."""
import json
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from ipywidgets.embed import embed_data  # noqa: E402

from nnlab.explorer import figure_png, frames_explorer  # noqa: E402

from .conftest import REPO  # noqa: E402

sys.path.insert(0, str(REPO / "book" / "_ext"))
import static_explorers  # noqa: E402  (the build extension)


def _png(i):
    fig, ax = plt.subplots(figsize=(1 + i % 2, 1))
    ax.plot([0, 1], [0, i])
    return figure_png(fig)


def _state_of(box):
    """The widget state as a notebook (and so myst-nb) stores it, JSON through and through."""
    return json.loads(json.dumps(embed_data(views=[box])["manager_state"]))


def test_an_explorer_is_read_back_from_its_widget_state_in_row_major_order():
    keys = [(name, lam) for name in ["L2", "L1"] for lam in [0.0, 1.0, 3.0]]
    pngs = {key: _png(i) for i, key in enumerate(keys)}
    box = frames_explorer(dict(pngs), ("penalty", "λ"), alt="Weights")
    explorer = static_explorers.read_explorer(_state_of(box), box.model_id)
    assert [(c.name, c.kind, c.labels) for c in explorer.controls] == [
        ("penalty", "toggles", ["L2", "L1"]), ("λ", "slider", ["0.0", "1.0", "3.0"])]
    assert [f.png for f in explorer.frames] == [pngs[key] for key in keys]
    assert [f.alt for f in explorer.frames] == [f"Weights (penalty: {n}, λ: {v})" for n, v in keys]


def test_a_widget_that_is_not_an_explorer_is_not_read_as_one():
    from ipywidgets import HTML, VBox

    box = VBox([HTML("a"), HTML("b")])
    assert static_explorers.read_explorer(_state_of(box), box.model_id) is None


def test_the_html_names_every_control_and_lists_every_frame():
    keys = [(name, lam) for name in ["L2", "L1"] for lam in [0.0, 1.0]]
    box = frames_explorer({key: _png(i) for i, key in enumerate(keys)}, ("penalty", "λ"), alt="Weights")
    explorer = static_explorers.read_explorer(_state_of(box), box.model_id)
    stored = []

    def frame_url(png):
        stored.append(png)
        return f"../_images/frame-{len(stored)}.png"

    page = static_explorers.explorer_html(explorer, "k", frame_url)
    assert stored == [f.png for f in explorer.frames]
    assert 'data-shape="2 2"' in page
    assert re.search(r'role="group" aria-labelledby="explorer-k-0".*?<span class="explorer-name" id="explorer-k-0">penalty</span>', page)
    assert page.count('aria-pressed="true"') == 1 and page.count('aria-pressed="false"') == 1
    assert re.search(r'<label for="explorer-k-1">λ</label><input type="range" id="explorer-k-1"[^>]* max="1"[^>]*aria-valuetext="0.0"', page)
    first = re.search(r'<img class="explorer-frame" src="([^"]+)" alt="([^"]+)" width="(\d+)" height="(\d+)"', page)
    assert first.groups() == ("../_images/frame-1.png", "Weights (penalty: L2, λ: 0.0)",
                              *map(str, static_explorers.png_size(stored[0])))
    frames = json.loads(re.search(r'class="explorer-frames">(.*?)</script>', page).group(1))
    assert [f[:2] for f in frames] == [[f"../_images/frame-{i + 1}.png", f.alt] for i, f in enumerate(explorer.frames)]
    assert "Interactive on the website" in page and "(penalty: L2, λ: 0.0)" in page

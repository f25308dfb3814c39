"""The static-site explorer: frames become PNG images in nested Stacks, each linked in the browser to its control."""
import ipywidgets as widgets
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from ipywidgets.widgets.widget import _instances  # noqa: E402
from ipywidgets.widgets.widget_link import Link  # noqa: E402

from nnlab.explorer import figure_png, frames_explorer  # noqa: E402


def _figure(value):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.set_title(f"frame {value}")
    ax.plot([0, 1], [0, value])
    return fig


def _linked(source, target):
    """True when a jslink joins source's "index" to target's "selected_index"."""
    return any(
        isinstance(w, Link) and w.source == (source, "index") and w.target == (target, "selected_index")
        for w in list(_instances.values())
    )


def test_figure_png_renders_png_and_closes_the_figure():
    fig = _figure(1)
    png = figure_png(fig)
    assert png.startswith(b"\x89PNG")
    assert not plt.fignum_exists(fig.number)


def test_one_control_selects_among_the_frames_in_order():
    values = [0.1, 0.5, 2.0]
    expected = [figure_png(_figure(v)) for v in values]
    box = frames_explorer({v: _figure(v) for v in values}, "λ", alt="A line")
    (control,), stack = box.children[0].children, box.children[1]
    assert isinstance(control, widgets.SelectionSlider)
    assert control.options == ("0.1", "0.5", "2.0")
    assert [image.value for image in stack.children] == expected
    assert stack.selected_index == 0 and control.index == 0
    assert _linked(control, stack)


def test_tuple_keys_give_one_control_per_part_and_nested_stacks():
    keys = [(name, lam) for name in ["L2", "L1"] for lam in [0.0, 1.0, 3.0]]
    grid = {key: _figure(i) for i, key in enumerate(keys)}
    expected = {key: figure_png(_figure(i)) for i, key in enumerate(keys)}
    box = frames_explorer(grid, ("penalty", "λ"), alt="A line")
    penalty, lam = box.children[0].children
    outer = box.children[1]
    assert isinstance(penalty, widgets.ToggleButtons) and penalty.options == ("L2", "L1")
    assert isinstance(lam, widgets.SelectionSlider) and lam.options == ("0.0", "1.0", "3.0")
    assert _linked(penalty, outer)
    for k, name in enumerate(["L2", "L1"]):
        inner = outer.children[k]
        assert _linked(lam, inner)
        assert [image.value for image in inner.children] == [expected[(name, v)] for v in [0.0, 1.0, 3.0]]


def test_frames_may_be_png_bytes_rendered_in_advance():
    png = figure_png(_figure(3))
    box = frames_explorer({"a": png, "b": _figure(4)}, "frame", alt="A line")
    assert box.children[1].children[0].value == png


def test_an_incomplete_grid_is_refused_with_the_missing_combination():
    frames = {("L2", 0.0): _figure(0), ("L1", 1.0): _figure(1)}
    with pytest.raises(ValueError, match="every combination"):
        frames_explorer(frames, ("penalty", "λ"), alt="A line")


def test_keys_must_have_one_part_per_control_name():
    with pytest.raises(ValueError, match="2 part"):
        frames_explorer({0.1: _figure(0)}, ("penalty", "λ"), alt="A line")


def test_every_frame_is_described_by_what_it_shows_and_its_settings():
    """The text alternative reaches the page as the image's tooltip (its title), with the empty
    description the browser side needs to show a tooltip on an Image."""
    keys = [(name, lam) for name in ["L2", "L1"] for lam in [0.0, 1.0]]
    box = frames_explorer({key: _figure(i) for i, key in enumerate(keys)}, ("penalty", "λ"), alt="Weights")
    images = [image for inner in box.children[1].children for image in inner.children]
    assert [image.tooltip for image in images] == [f"Weights (penalty: {n}, λ: {v})" for n, v in keys]
    assert all(image.get_state()["description"] == "" for image in images)


def test_an_explorer_without_a_text_alternative_is_refused():
    with pytest.raises(TypeError, match="alt"):
        frames_explorer({0.1: _figure(0)}, "λ")

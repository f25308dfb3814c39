import matplotlib
import numpy as np
import pytest
from matplotlib.colors import is_color_like, to_hex
from matplotlib.figure import Figure

from nnlab.plotting import COLORS, STYLE, Table, plot_curves, plot_decision_regions, use_style

# Methods that appear together in one figure of the book: within a group, colours must differ.
GROUPS = {
    "nonlinearities": ["sigmoid", "tanh", "relu", "softplus"],
    "optimizers": ["sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam"],
    "initializations": ["zeros", "small_random", "xavier", "he"],
    "batch normalization": ["baseline", "batchnorm"],
    "regularization": ["none", "l2", "l1", "elastic_net", "dropout", "augmentation"],
    "learning curves": ["train", "validation"],
}


@pytest.mark.parametrize("group", GROUPS)
def test_methods_shown_together_have_distinct_valid_colours(group):
    names = GROUPS[group]
    assert all(is_color_like(COLORS[name]) for name in names)
    assert len({to_hex(COLORS[name]) for name in names}) == len(names)


def test_plot_curves_draws_each_method_in_its_book_colour():
    ax = Figure().subplots()
    xs = np.linspace(0.0, 1.0, 5)
    plot_curves(ax, xs, {"relu": xs, "adam": xs ** 2}, xlabel="step", yscale="log")
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert set(lines) == {"relu", "adam"}
    assert to_hex(lines["adam"].get_color()) == to_hex(COLORS["adam"])
    assert np.array_equal(lines["adam"].get_ydata(), xs ** 2)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["relu", "adam"]


def test_plot_curves_rejects_a_method_without_a_book_colour():
    with pytest.raises(ValueError, match="add it to nnlab.plotting.COLORS"):
        plot_curves(Figure().subplots(), [0, 1], {"my_method": [0, 1]})


def test_use_style_sets_the_book_rcparams():
    with matplotlib.rc_context():
        use_style()
        assert matplotlib.rcParams["figure.dpi"] == STYLE["figure.dpi"]
        assert not matplotlib.rcParams["axes.spines.top"] and matplotlib.rcParams["axes.grid"]


def test_decision_regions_shade_the_predicted_class():
    ax = Figure().subplots()
    X, y = np.array([[-1.0, 0.0], [1.0, 0.0]]), np.array([0, 1])
    plot_decision_regions(ax, lambda P: (P[:, 0] > 0).astype(int), X, y, resolution=20)
    assert len(ax.collections) >= 2                       # the shaded regions and the scatter
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        plot_decision_regions(ax, lambda P: P[:, 0], np.zeros((2, 3)), y)


def test_table_renders_as_html_and_as_aligned_text():
    table = Table(["name", "error"], [["a<b", 1.23456e-9], ["relu", np.array(0.5)]], float_format=".1e")
    assert "<th>error</th>" in table._repr_html_() and "<td>a&lt;b</td>" in table._repr_html_()
    lines = repr(table).splitlines()
    assert lines[2].split() == ["a<b", "1.2e-09"] and lines[3].split() == ["relu", "5.0e-01"]
    assert len({len(line) for line in lines}) == 1         # columns are padded to one width


def test_table_rejects_a_row_with_the_wrong_number_of_cells():
    with pytest.raises(ValueError, match="every row needs 2 cells"):
        Table(["a", "b"], [[1, 2, 3]])

"""One look for every figure and table of the book: fixed colours per method, one style, small helpers.

The same method has the same colour in every chapter (relu is always green, Adam always
vermillion), so a reader can compare figures across chapters at a glance. The palette is
Okabe & Ito's, which stays distinguishable with the common forms of colour blindness.
Related methods share a hue on purpose: Xavier initialization (made for tanh) has tanh's
orange, He initialization (made for relu) has relu's green.
"""
import html

import numpy as np

_BLACK, _ORANGE, _SKY, _GREEN = "#000000", "#E69F00", "#56B4E9", "#009E73"
_BLUE, _VERMILLION, _PURPLE, _GREY = "#0072B2", "#D55E00", "#CC79A7", "#999999"

COLORS = {
    # chapter 1: nonlinearities
    "sigmoid": _BLUE, "tanh": _ORANGE, "relu": _GREEN, "softplus": _VERMILLION,
    "leaky_relu": _SKY,
    # chapter 1: exploding gradients (a gain per layer below, at or above 1) and clipping
    "gain < 1": _BLUE, "gain = 1": _BLACK, "gain > 1": _VERMILLION, "clipped": _BLUE,
    # chapter 2: optimizers
    "sgd": _BLACK, "momentum": _SKY, "nesterov": _BLUE, "adagrad": _GREEN,
    "adadelta": _PURPLE, "rmsprop": _ORANGE, "adam": _VERMILLION, "adamw": _PURPLE,
    # chapter 2: learning-rate schedules (a constant rate is SGD's black) and hyperparameter search
    "constant": _BLACK, "constant_small": _GREY, "step_decay": _BLUE, "cosine": _GREEN,
    "warmup_cosine": _ORANGE, "grid": _BLUE, "random": _VERMILLION,
    # chapter 3: data normalization (unnormalized black, normalized blue, as chapter 4's baseline and batchnorm)
    "raw": _BLACK, "standardized": _BLUE,
    # chapter 3: weight initialization
    "zeros": _GREY, "small_random": _PURPLE, "xavier": _ORANGE, "he": _GREEN,
    # chapter 4: batch normalization
    "baseline": _BLACK, "batchnorm": _BLUE,
    # chapter 5: regularization
    "none": _BLACK, "l2": _BLUE, "l1": _VERMILLION, "elastic_net": _PURPLE,
    "dropout": _GREEN, "augmentation": _ORANGE,
    # chapter 6: training diagnostics (a learning rate too low, good, too high)
    "too low": _SKY, "good": _GREEN, "too high": _VERMILLION,
    # learning curves
    "train": _BLUE, "validation": _VERMILLION,
}
"""Method name -> matplotlib colour, the same in every chapter."""

CLASS_COLORS = (_BLUE, _ORANGE, _GREEN, _VERMILLION, _PURPLE, _SKY, _BLACK, _GREY)
"""Colours of class 0, 1, 2, ... in scatter plots and decision regions."""

STYLE = {
    "figure.dpi": 110,                 # the site's images: sharp, not huge
    "savefig.dpi": 110,
    "figure.figsize": (7.0, 4.0),
    "figure.constrained_layout.use": True,
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.fontsize": 10,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "lines.linewidth": 2.0,
    "legend.frameon": False,
}
"""The matplotlib rcParams that ``use_style`` sets."""


def use_style():
    """Set the book's matplotlib style (``STYLE``) for every figure drawn afterwards."""
    import matplotlib

    matplotlib.rcParams.update(STYLE)


def color(name):
    """The book's colour of method ``name``: ``COLORS[name]``, with an error that says what to do."""
    if name not in COLORS:
        raise ValueError(
            f"no book colour for {name!r}; use one of {sorted(COLORS)}, or add it to "
            "nnlab.plotting.COLORS so that it has the same colour in every chapter"
        )
    return COLORS[name]


def plot_curves(ax, xs, curves, *, title=None, xlabel=None, ylabel=None, yscale="linear", linestyle="-"):
    """Draw one labelled line per method, each in its book colour, and a legend.

    Args:
        ax: matplotlib Axes.
        xs: (T,) x values shared by every curve.
        curves: dict method name (a key of ``COLORS``) -> (T,) y values. The name is the legend label.
        title, xlabel, ylabel: text for the axes (None leaves it empty).
        yscale: "linear" or "log".  linestyle: matplotlib line style of every curve.
    Returns:
        ax, for chaining.
    """
    for name, ys in curves.items():
        ax.plot(xs, ys, color=color(name), linestyle=linestyle, label=name)
    ax.set_yscale(yscale)
    ax.set(title=title, xlabel=xlabel, ylabel=ylabel)
    ax.legend()
    return ax


def plot_decision_regions(ax, predict, X, y, *, title=None, resolution=200, margin=0.1):
    """Shade the plane by the class a 2-D classifier predicts, and scatter the data on top.

    Args:
        ax: matplotlib Axes.
        predict: callable mapping (M, 2) points to (M,) integer classes.
        X: (N, 2) data points.  y: (N,) integer labels (at most ``len(CLASS_COLORS)`` classes).
        title: axes title.  resolution: grid points per axis.  margin: padding around the data.
    Returns:
        ax, for chaining.
    """
    from matplotlib.colors import ListedColormap

    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    n_classes = int(y.max()) + 1
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_regions needs 2-D points, X of shape (N, 2); got {X.shape}")
    if n_classes > len(CLASS_COLORS):
        raise ValueError(f"plot_decision_regions draws at most {len(CLASS_COLORS)} classes; got {n_classes}")
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    regions = np.asarray(predict(np.column_stack([g0.ravel(), g1.ravel()]))).reshape(g0.shape)
    cmap = ListedColormap(CLASS_COLORS[:n_classes])
    ax.contourf(g0, g1, regions, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, s=12, edgecolors="white", linewidths=0.4)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.grid(False)
    return ax


class Table:
    """A small table that renders as HTML on the site and as aligned text in a terminal.

    Args:
        headers: column names.
        rows: sequences of cells, one per row; floats are written with ``float_format``,
            everything else with ``str``.
        float_format: format spec for float cells, e.g. ".3g" or ".1e".
    """

    def __init__(self, headers, rows, float_format=".3g"):
        self.headers = [str(h) for h in headers]
        self.rows = [[self._cell(v, float_format) for v in row] for row in rows]
        bad = [r for r in self.rows if len(r) != len(self.headers)]
        if bad:
            raise ValueError(f"every row needs {len(self.headers)} cells, one per header; got {bad[0]}")

    @staticmethod
    def _cell(value, float_format):
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value.item()
        if isinstance(value, (float, np.floating)):
            return format(float(value), float_format)
        return str(value)

    def _repr_html_(self):
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in self.rows
        )
        return f'<table class="table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'

    def __repr__(self):
        widths = [max(len(r[k]) for r in [self.headers, *self.rows]) for k in range(len(self.headers))]
        lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in [self.headers, *self.rows]]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

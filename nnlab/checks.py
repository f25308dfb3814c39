"""Assertions for exercise tests that fail with a sentence a student understands.

Each check raises ``AssertionError`` naming what was checked, what was expected and what came
back, without printing the expected array in full (large arrays are summarised). In Jupyter the
failure's traceback shows the lines of the notebook (the test, the student's functions) and the
message, not the toolkit's own frames: they would only send a student reading this module.
"""
import functools
import types
from pathlib import Path

import numpy as np

from .gradcheck import relative_error

# Frames from these folders are left out of a failed check's traceback: the toolkit's, and IPython's own.
_HIDDEN_FOLDERS = (str(Path(__file__).resolve().parent),)


def _hidden_folders():
    try:
        import IPython
    except ImportError:
        return _HIDDEN_FOLDERS
    return _HIDDEN_FOLDERS + (str(Path(IPython.__file__).resolve().parent),)


def _notebook_traceback(failure):
    """The traceback lines IPython shows for ``failure``: its usual formatting of the frames outside the
    toolkit (and outside IPython), then the message. IPython calls it through ``_render_traceback_``."""
    try:
        from IPython import get_ipython

        hidden = _hidden_folders()
        kept, tb = [], failure.__traceback__
        while tb is not None:
            if not str(Path(tb.tb_frame.f_code.co_filename).resolve()).startswith(hidden):
                kept.append(tb)
            tb = tb.tb_next
        rebuilt = None
        for frame in reversed(kept):
            rebuilt = types.TracebackType(rebuilt, frame.tb_frame, frame.tb_lasti, frame.tb_lineno)
        return get_ipython().InteractiveTB.structured_traceback(type(failure), failure, rebuilt, tb_offset=0)
    except Exception:  # no IPython shell, or one that formats differently: the message alone
        return [f"{type(failure).__name__}: {failure}"]


def _student_facing(check):
    """Decorator: a failure of ``check`` keeps its type and message, and renders in IPython without the toolkit's frames."""
    @functools.wraps(check)
    def checked(*args, **kwargs):
        try:
            return check(*args, **kwargs)
        except AssertionError as failure:
            failure._render_traceback_ = functools.partial(_notebook_traceback, failure)
            raise
    return checked


def _summary(a):
    a = np.asarray(a)
    if a.size <= 8:
        return np.array2string(a, precision=6, separator=", ")
    return f"array of shape {a.shape}"


def _described_shape(got):
    """("shape (2, 3)", (2, 3)) of an array-like; for a ragged sequence (e.g. a tuple of arrays of different
    shapes, as when a function returns its cache instead of its output) a description and None."""
    try:
        shape = np.shape(got)
    except ValueError:
        return f"a {type(got).__name__} of {len(got)} items of different shapes, not one array", None
    return f"shape {shape}", shape


@_student_facing
def check_shape(got, shape, what):
    """Assert that ``got`` is an array of exactly ``shape``."""
    described, got_shape = _described_shape(got)
    assert got_shape == tuple(shape), f"{what} should have shape {tuple(shape)}; got {described}"


@_student_facing
def check_close(got, want, what, rtol=1e-7, atol=1e-10):
    """Assert that ``got`` has the shape of ``want``, is finite where want is, and matches it elementwise."""
    assert got is not None, f"{what} returned None; did you forget a `return`?"
    want = np.asarray(want, dtype=np.float64)
    check_shape(got, want.shape, what)
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{what} should be numbers; got {type(got).__name__} {str(got)[:60]!r}") from None
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape) if bad.ndim else ()
        where = f" at index {tuple(int(k) for k in i)}" if bad.ndim else ""
        raise AssertionError(
            f"{what}: {int(bad.sum())} of {bad.size} values are wrong; first{where}: "
            f"expected {want[i]:.8g}, got {got[i]:.8g}" + (f" (got {_summary(got)})" if got.size <= 8 else "")
        )


@_student_facing
def check_gradient(analytic, numerical, what, tol=1e-7):
    """Assert that an analytic gradient matches its centered-difference estimate (relative error < tol)."""
    assert analytic is not None, f"{what} returned None; did you forget a `return`?"
    check_shape(analytic, np.shape(numerical), what)
    err = relative_error(analytic, numerical)
    assert err < tol, (
        f"{what} disagrees with the numerical gradient: relative error {err:.2e} (should be < {tol:.0e}). "
        "Re-derive it with the chain rule, one factor at a time."
    )


@_student_facing
def check_finite(got, what):
    """Assert that every value of ``got`` is finite (no inf, no NaN)."""
    got = np.asarray(got, dtype=np.float64)
    assert np.isfinite(got).all(), (
        f"{what} produced {int((~np.isfinite(got)).sum())} inf/NaN values; "
        "rewrite it so that exp() never sees a large positive argument"
    )


EXTREMES = np.array([-1e4, -1e3, -50.0, -1.0, 0.0, 1.0, 50.0, 1e3, 1e4])
"""Inputs from -1e4 to 1e4 on which a stable implementation stays finite and silent."""


@_student_facing
def check_stable(fn, what, x=EXTREMES):
    """Assert that ``fn(x)`` neither overflows nor produces inf/NaN for inputs up to |x| = 1e4."""
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            out = fn(np.array(x, dtype=np.float64))
    except FloatingPointError as err:
        raise AssertionError(
            f"{what} is not numerically stable: NumPy reported '{err}' for inputs up to |x| = "
            f"{np.max(np.abs(x)):g}. Rewrite it so that exp() never sees a large positive argument."
        ) from None
    check_finite(out, what)
    return out


@_student_facing
def check_against(fn, reference, what, cases, **tolerances):
    """Assert that ``fn(*args)`` matches ``reference(*args)`` for every args tuple in ``cases``.

    Tuple outputs (e.g. ``(dx, dw, db)``) are compared element by element. Each case gets fresh
    copies of its arguments, so an implementation that modifies its inputs cannot affect the reference.
    """
    def fresh(args):
        return [a.copy() if isinstance(a, np.ndarray) else a for a in args]

    for args in cases:
        want = reference(*fresh(args))
        got = fn(*fresh(args))
        shapes = ", ".join(str(np.shape(a)) for a in args)
        if isinstance(want, tuple):
            assert isinstance(got, tuple) and len(got) == len(want), (
                f"{what} should return a tuple of {len(want)} values; got {type(got).__name__}"
            )
            for k, (g, w) in enumerate(zip(got, want)):
                check_close(g, w, f"{what} output {k} for inputs of shapes {shapes}", **tolerances)
        else:
            check_close(got, want, f"{what} for inputs of shapes {shapes}", **tolerances)

"""Submissions for the grading tests, generated from the released notebook of 01_backprop.

``answered()`` is the release with the solutions' answers pasted in (a perfect submission);
``hostile()`` derives broken, old, edited, crashing, greedy and cheating submissions from it, each
with the score and status it must get and a phrase its reason must contain.
"""
import copy
import json
import uuid
from dataclasses import dataclass

import nbformat

from autograder import course

ASSIGNMENT = "01_backprop"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
FULL = 21.0
POINTS = {"test_sigmoid": 1, "test_sigmoid_grad": 1, "test_tanh": 1, "test_tanh_grad": 1, "test_relu": 1,
          "test_relu_grad": 1, "test_softplus": 2, "test_softplus_grad": 1, "test_affine_forward": 2,
          "test_affine_backward": 3, "test_softmax_cross_entropy": 3, "test_two_layer_net_forward": 2,
          "test_two_layer_net_gradients": 2}
BROKEN_RELU_GRAD = ("return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)",
                    "return (np.asarray(x, dtype=np.float64) < 0).astype(np.float64)")
ESCAPE = f"/tmp/autograder-escape-{uuid.uuid4().hex}.txt"


@dataclass
class Case:
    """A submission and what grading must make of it."""

    data: bytes
    score: float
    status: str  # "ok", "flagged" or "failed"
    reason: str = ""  # a phrase the reason column must contain ("" when there must be no reason)


def grade_id(cell):
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def release():
    return nbformat.read(str(course.EXERCISES / ASSIGNMENT / NOTEBOOK), as_version=4)


def answered():
    """The release with every answer cell replaced by the solution's."""
    solution = nbformat.read(str(course.SOLUTIONS / ASSIGNMENT / NOTEBOOK), as_version=4)
    answers = {grade_id(c): c.source for c in solution.cells if c.metadata.get("nbgrader", {}).get("solution")}
    nb = release()
    for cell in nb.cells:
        if grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def dump(nb):
    return nbformat.writes(nb).encode()


def _cell(nb, gid):
    (cell,) = [c for c in nb.cells if grade_id(c) == gid]
    return cell


def _edit(gid, change):
    """The perfect submission with answer or test cell gid's source passed through change."""
    nb = answered()
    cell = _cell(nb, gid)
    cell.source = change(cell.source)
    return nb


def _append(gid, code):
    return _edit(gid, lambda src: src + "\n\n" + code)


def _broken_relu_grad(extra=""):
    return _edit("relu", lambda src: src.replace(*BROKEN_RELU_GRAD) + ("\n\n" + extra if extra else ""))


def _without(gid):
    nb = answered()
    nb.cells = [c for c in nb.cells if grade_id(c) != gid]
    return nb


def _duplicated():
    nb = answered()
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if grade_id(cell) in ("tanh", "test_tanh"):
            twin = copy.deepcopy(cell)
            twin.id = f"{cell.id}-copy"
            cells.append(twin)
    nb.cells = cells
    return nb


def _reordered():
    nb = answered()
    i = next(i for i, c in enumerate(nb.cells) if grade_id(c) == "sigmoid")
    nb.cells[i], nb.cells[i + 1] = nb.cells[i + 1], nb.cells[i]
    return nb


def _stripped():
    nb = answered()
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)
    return nb


def _nbformat3():
    return json.dumps(nbformat.convert(answered(), 3)).encode()


COPY_REFERENCE = {
    "sigmoid": '''
from autograder.reference import activations as A

def sigmoid(x):
    return A.sigmoid(x)

def sigmoid_grad(x):
    import importlib
    return importlib.import_module("autograder.reference.activations").sigmoid_grad(x)
''',
    "tanh": '''
def tanh(x):
    import autograder.reference.activations as acts
    return acts.tanh(x)

def tanh_grad(x):
    import pathlib, nnlab
    source = (pathlib.Path(nnlab.__file__).parents[1] / "autograder" / "reference" / "activations.py").read_text()
    namespace = {}
    exec(source, namespace)
    return namespace["tanh_grad"](x)
''',
    "relu": '''
import sys

def relu(x):
    return sys._getframe(1).f_locals["want"]

def relu_grad(x):
    from autograder.reference.activations import relu_grad as reference
    return reference(x)
''',
    "softplus": '''
def softplus(x):
    modules = [m for name, m in list(sys.modules.items()) if "reference" in name]
    return modules[-1].softplus(x)

def softplus_grad(x):
    return [v for v in globals().values() if getattr(v, "__name__", "") == "autograder.reference.activations"][0].softplus_grad(x)
''',
    "affine": '''
from autograder.reference import layers as L

def affine_forward(x, w, b):
    return L.affine_forward(x, w, b)

def affine_backward(dout, cache):
    return L.affine_backward(dout, cache)
''',
    "softmax": '''
def softmax_cross_entropy(scores, y):
    try:
        raise RuntimeError
    except RuntimeError as err:
        frame = err.__traceback__.tb_frame.f_back
    return frame.f_locals["want"]
''',
    "two_layer_net": '''
def two_layer_net(X, params, y=None):
    import gc
    grads = [o for o in gc.get_objects() if callable(o) and getattr(o, "__name__", "") == "two_layer_net"]
    return grads[0](X, params, y)
''',
}


def _copies_reference():
    nb = answered()
    for gid, source in COPY_REFERENCE.items():
        _cell(nb, gid).source = source.strip()
    return nb


def hostile():
    """{student id: Case}: the broken and hostile submissions, and good ones that must be unaffected."""
    patch_numpy = ("np.allclose = lambda *a, **k: True\n"
                   "np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)")
    patch_checks = ("import nnlab.checks\nnnlab.checks.check_close = lambda *a, **k: None\n"
                    "check_close = check_against = check_gradient = lambda *a, **k: None")
    patch_during = BROKEN_RELU_GRAD[1].replace(
        "return", "np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)"
        "\n    return")
    before_softmax = FULL - POINTS["test_softmax_cross_entropy"] - POINTS["test_two_layer_net_forward"] - \
        POINTS["test_two_layer_net_gradients"]
    relu_grad_tests = POINTS["test_relu_grad"] + POINTS["test_two_layer_net_gradients"]
    calls_relu_grad = relu_grad_tests + POINTS["test_two_layer_net_forward"]  # two_layer_net(X, p, y) uses it
    return {
        "good": Case(dump(answered()), FULL, "ok"),
        "jane doe": Case(dump(answered()), FULL, "ok"),
        "Zoë Ångström": Case(dump(answered()), FULL, "ok"),
        "untouched": Case(dump(release()), 0.0, "ok"),
        "invalid-json": Case(b'{"cells": [', 0.0, "failed", "not valid JSON"),
        "empty": Case(b"", 0.0, "failed", "empty"),
        "nbformat3": Case(_nbformat3(), FULL, "flagged", "nbformat 3"),
        "answer-deleted": Case(dump(_without("relu")), FULL - 6, "flagged", "answer cell(s) missing"),
        "test-deleted": Case(dump(_without("test_sigmoid")), FULL, "flagged", "restored from the assignment"),
        "duplicated": Case(dump(_duplicated()), FULL, "flagged", "appears 2 times"),
        "reordered": Case(dump(_reordered()), FULL, "flagged", "graded in the assignment's order"),
        "metadata-stripped": Case(dump(_stripped()), FULL, "flagged", "lost their nbgrader metadata"),
        "edited-test": Case(dump(_edit("test_softplus", lambda src: "pass")), FULL, "flagged", "edited"),
        "infinite-loop": Case(dump(_append("tanh", "while True:\n    pass")), FULL, "flagged", "time limit"),
        "kernel-exit": Case(dump(_append("softmax", "import os\nos._exit(3)")), before_softmax, "flagged",
                            "exit code 3"),
        "segfault": Case(dump(_append("softmax", "import faulthandler\nfaulthandler._sigsegv()")), before_softmax,
                         "flagged", "SIGSEGV"),
        "ctypes-segfault": Case(dump(_append("softmax", "import ctypes\nctypes.string_at(0)")), FULL, "flagged",
                                "ctypes"),
        "memory-hog": Case(dump(_append("affine", "hog = bytearray(16 * 1024 ** 3)")), FULL, "flagged",
                           "MemoryError"),
        "huge-output": Case(dump(_append("sigmoid", "print('x' * 5_000_000)")), FULL, "flagged", "truncated"),
        "writes-outside": Case(dump(_append("sigmoid", f"open('inside.txt', 'w').write('fine')\n"
                                                       f"open({ESCAPE!r}, 'w').write('escaped')")),
                               FULL, "flagged", "outside its folder"),
        "patches-numpy": Case(dump(_broken_relu_grad(patch_numpy)), FULL - relu_grad_tests, "flagged", "restored"),
        "patches-checks": Case(dump(_broken_relu_grad(patch_checks)), FULL - relu_grad_tests, "flagged", "restored"),
        "patches-during-test": Case(dump(_edit("relu", lambda src: src.replace(BROKEN_RELU_GRAD[0], patch_during))),
                                    FULL - calls_relu_grad, "flagged", "while tests ran"),
        "copies-reference": Case(dump(_copies_reference()), 0.0, "flagged", "reference answers"),
        "rewrites-tests": Case(dump(_broken_relu_grad(REWRITE_TESTS)), FULL - sum(
            POINTS[t] for t in list(POINTS)[list(POINTS).index("test_relu"):]), "flagged", "modified form"),
        "threads-and-signals": Case(dump(_append("sigmoid", THREADS_AND_SIGNALS)), FULL, "flagged", "threads"),
    }


# After this cell, IPython would run every cell as `pass` and report no error: the grading kernel
# refuses to run instructor cells that are not exactly the instructor's code, so their tests fail.
REWRITE_TESTS = """
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: ["pass\\n"])
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
"""

THREADS_AND_SIGNALS = """
import signal
import threading
for attempt in (lambda: threading.Thread(target=print).start(), lambda: signal.signal(signal.SIGALRM, print)):
    try:
        attempt()
    except PermissionError as err:
        print(err)
"""

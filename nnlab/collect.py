"""Handing a submission's results to the grader: the *collect* half of a hidden test.

While a submission is graded, the hidden part of each test cell calls ``collect(key, fn)``: it
calls the student's ``fn`` on every input the grader prepared under ``key`` and sends back what
came out (values, errors, warnings, whether an input was modified). The grader then *judges*
those results against the reference answers outside the sandbox (``autograder/judge``): the
reference and the expected values never enter the process that runs submitted code.

Values cross the boundary as JSON plus NumPy arrays in ``.npy`` format read with
``allow_pickle=False`` (``dumps``/``loads``): numbers, strings, None, arrays, and tuples, lists
and string-keyed dicts of those. Nothing is ever unpickled.

Outside grading (no inputs prepared), ``collect`` does nothing, so a solution notebook runs top to
bottom in plain Jupyter.
"""
import base64
import copy
import io
import json
import os
import warnings

import numpy as np

INPUTS_ENV = "NNLAB_GRADER_INPUTS"  # path of the JSON file holding the inputs, per key
CHANNEL_ENV = "NNLAB_GRADER_CHANNEL"  # file descriptor the results are written to, one JSON line each
MAX_WARNINGS = 5


class Unsupported(TypeError):
    """A value that cannot be sent to the grader (an object that is not numbers, text or containers of them)."""


def _encode(value, arrays):
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return {"int": int(value)}
    if isinstance(value, (float, np.floating)):
        return {"float": repr(float(value))}
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise Unsupported("an array of Python objects")
        name = str(len(arrays))
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        arrays[name] = base64.b64encode(buffer.getvalue()).decode("ascii")
        return {"array": name}
    if isinstance(value, (tuple, list)):
        return {type(value).__name__: [_encode(v, arrays) for v in value]}
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise Unsupported("a dict whose keys are not all strings")
        return {"dict": [[k, _encode(v, arrays)] for k, v in value.items()]}
    raise Unsupported(f"a {type(value).__name__}")


def _decode(tree, arrays):
    if tree is None or isinstance(tree, (bool, str)):
        return tree
    if not isinstance(tree, dict) or len(tree) != 1:
        raise ValueError("malformed value")
    (kind, body), = tree.items()
    if kind == "int":
        return int(body)
    if kind == "float":
        return float(body)
    if kind == "array":
        return np.load(io.BytesIO(base64.b64decode(arrays[body])), allow_pickle=False)
    if kind in ("tuple", "list"):
        items = [_decode(v, arrays) for v in body]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        return {str(k): _decode(v, arrays) for k, v in body}
    raise ValueError(f"unknown kind {kind!r}")


def to_doc(value):
    """A JSON-able document holding ``value`` (raises ``Unsupported`` for what cannot be sent)."""
    arrays = {}
    tree = _encode(value, arrays)
    return {"value": tree, "arrays": arrays}


def from_doc(doc):
    """The value of a ``to_doc`` document; never unpickles (``ValueError`` when it is malformed)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("arrays"), dict):
        raise ValueError("malformed document")
    return _decode(doc.get("value"), doc["arrays"])


def dumps(value):
    """``to_doc`` as JSON text."""
    return json.dumps(to_doc(value))


def loads(text):
    """``from_doc`` of JSON text."""
    return from_doc(json.loads(text))


_inputs = None


def _load_inputs():
    global _inputs
    if _inputs is None:
        path = os.environ.get(INPUTS_ENV)
        _inputs = loads(open(path).read()) if path and os.path.exists(path) else {}
    return _inputs


def _changed(before, after):
    if isinstance(before, np.ndarray):
        return not (isinstance(after, np.ndarray) and before.shape == after.shape
                    and np.array_equal(before, after, equal_nan=True))
    if isinstance(before, dict):
        return not isinstance(after, dict) or before.keys() != after.keys() or \
            any(_changed(before[k], after[k]) for k in before)
    if isinstance(before, (list, tuple)):
        return len(before) != len(after) or any(_changed(a, b) for a, b in zip(before, after))
    return False


def _call(fn, args):
    """One case: {"value" or "error", "warnings", "mutated"} (the value still unencoded)."""
    kept = copy.deepcopy(args)
    entry = {}
    with warnings.catch_warnings(record=True) as caught, np.errstate(all="warn", under="ignore"):
        warnings.simplefilter("always")
        try:
            entry["value"] = fn(*args)
        except Exception as err:  # the student's error is a result like any other
            entry["error"] = f"{type(err).__name__}: {err}"[:500]
    entry["warnings"] = [f"{w.category.__name__}: {w.message}"[:200] for w in caught[:MAX_WARNINGS]]
    entry["mutated"] = [i for i, (a, b) in enumerate(zip(kept, args)) if _changed(a, b)]
    return entry


def _send(message):
    fd = int(os.environ[CHANNEL_ENV])
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def collect(key, fn):
    """Call ``fn(*case)`` for every case the grader prepared under ``key`` and send the results.

    Each result is the value returned (or the error raised), the warnings emitted (NumPy's
    floating-point warnings included), and the positions of the arguments ``fn`` modified.
    Does nothing outside grading.
    """
    cases = _load_inputs().get(key)
    if cases is None or CHANNEL_ENV not in os.environ:
        return
    results = []
    for args in cases:
        entry = _call(fn, list(args))
        try:
            if "value" in entry:
                entry["value"] = to_doc(entry["value"])
        except Unsupported as err:
            entry.pop("value")
            entry["error"] = f"returned {err}, which is not numbers: cannot be graded"
        results.append(entry)
    _send({"kind": "collect", "key": key, "results": results})

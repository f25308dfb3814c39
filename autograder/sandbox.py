"""The grading kernel: an IPython kernel that runs one submission under the grader's rules.

The grader starts one per submission notebook, in a copy of the submission's folder::

    python -m autograder.sandbox -f CONNECTION_FILE --manifest MANIFEST.json

In practice each grading worker keeps a *factory* (``python -m autograder.sandbox --factory``) that
has imported NumPy, IPython and the reference once and forks a fresh process per kernel, which then
does exactly what the command above does; the fork saves the imports (~0.3 s per submission).

Before any submitted code runs it: limits memory, CPU time and file sizes; imports NumPy, nnlab
and the reference answers; replaces ``autograder.reference`` by proxies (the real modules are
handed to the guard only, and ``autograder`` itself disappears from ``sys.modules``); then
starts the kernel and installs the guard (``autograder/guard.py``), an audit hook that submitted
code can neither remove nor reach. What the guard enforces is described there; in short, the
reference answers work only when no submitted code is on the call stack, instructor cells run in
a restored environment, and every test cell that completes untouched is reported in a signed
record that the grader requires before giving points.

Instructor convention (the hidden tests): import the reference inside the hidden-tests block of a
test cell, ``from autograder.reference import layers as ref``, and call its functions (or classes)
there. Reference functions are proxies: they return plain values, never the reference's code, and
refuse to run when submitted code calls them.
"""
import argparse
import json
import os
import pkgutil
import resource
import signal
import sys
import types
from copy import deepcopy

MANIFEST_KEYS = ("trusted_cells", "answer_names", "key", "protected", "allowed", "trusted_roots", "workdir", "log",
                 "memory_mb", "cpu_seconds", "file_mb")
PROTECTED_MODULES = frozenset({"numpy", "nnlab", "copy", "math", "functools", "itertools", "operator",
                               "collections", "autograder"})  # the builtins are guarded separately


# --- what submitted code can reach: proxies for the reference, guards for threads and signals ----
class _Handle(tuple):
    """A reference object (e.g. an MLP) held by the guard: (index, label); attributes go through the guard."""

    __slots__ = ()

    def __getattr__(self, name):
        return _reference_attribute(("handle", self[0]), name)

    def __setattr__(self, name, value):
        sys.audit("autograder.reference.setattr", ("handle", self[0]), name, value)

    def __repr__(self):
        return f"<reference object {self[1]}>"


def _reference_call(key, *args, **kwargs):
    """Call a reference function or class held by the guard: refused when submitted code is on the stack
    (unless this very function was handed to it as an argument, for the length of that call)."""
    box = []
    sys.audit("autograder.reference", key, args, kwargs, box)
    if not box:
        raise ImportError("the reference answers are only available inside the grading kernel")
    return box[0]


def _reference_attribute(owner, name):
    """``getattr`` on a reference module or object, through the guard."""
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    box = []
    sys.audit("autograder.reference.attr", owner, name, box)
    if not box:
        raise ImportError("the reference answers are only available inside the grading kernel")
    return box[0]


def _serve_reference(event, args, reference, handles):
    """Run by the guard once it has checked the caller: look up, set or call the real reference.

    Functions, classes and objects of the reference stay in ``handles`` (owned by the guard);
    instructor code gets handles to them, which are turned back into the real objects when passed
    to the reference. Module constants are copied; objects' attributes and results are not (the
    reference may update them in place, as batchnorm updates its running statistics).
    """
    if event == "autograder.reference.attr":
        (kind, where), name, box = args
        owner = reference[where] if kind == "module" else handles[where]
        box.append(_guarded(getattr(owner, name), f"{getattr(owner, '__name__', where)}.{name}", handles,
                            copy=kind == "module"))
    elif event == "autograder.reference.setattr":
        (_, where), name, value = args
        setattr(handles[where], name, _real(value, handles))
    else:
        (_, where), call_args, call_kwargs, box = args
        result = handles[where](*[_real(a, handles) for a in call_args],
                                **{k: _real(v, handles) for k, v in call_kwargs.items()})
        box.append(_guarded(result, getattr(handles[where], "__name__", "result"), handles, copy=False))


def _real(value, handles):
    """The real object behind a handle; containers holding handles are rebuilt, others passed as they are."""
    if type(value) is _Handle:
        return handles[value[0]]
    if type(value) is types.MethodType and value.__func__ is _reference_call:
        return handles[value.__self__[1]]
    if type(value) in (list, tuple):
        items = [_real(v, handles) for v in value]
        return value if all(a is b for a, b in zip(items, value)) else type(value)(items)
    if type(value) is dict:
        items = {k: _real(v, handles) for k, v in value.items()}
        return value if all(items[k] is v for k, v in value.items()) else items
    return value


def _guarded(value, label, handles, copy):
    """What instructor code receives: callables and objects of the reference become handles held by the
    guard; containers are guarded element by element; other data is copied (copy) or passed as is."""
    kind = type(value)
    if kind in (list, tuple):
        return kind(_guarded(v, label, handles, copy) for v in value)
    if kind is dict:
        return {k: _guarded(v, label, handles, copy) for k, v in value.items()}
    if callable(value):
        return types.MethodType(_reference_call, ("handle", _hold(value, handles)))
    if (getattr(kind, "__module__", None) or "").startswith("autograder."):
        return _Handle((_hold(value, handles), label))
    return deepcopy(value) if copy else value


def _hold(value, handles):
    """The guard's index of value (ints index objects; ("id", id) keys avoid holding one object twice)."""
    key = ("id", id(value))
    if key not in handles:
        handles[key] = index = len(handles)
        handles[index] = value
    return handles[key]


def _start_new_thread(function, args, kwargs=None, /):
    """``_thread.start_new_thread`` inside the grading kernel: only instructor and library code may start threads."""
    box = []
    sys.audit("autograder.thread", function, args, {} if kwargs is None else kwargs, box)
    return box[0]


def _signal(signalnum, handler, /):
    """``signal.signal`` inside the grading kernel: submitted code may not install signal handlers."""
    box = []
    sys.audit("autograder.signal", signalnum, handler, box)
    return box[0]


def _fix_co_filename(code, path, /):
    """``_imp._fix_co_filename`` inside the grading kernel: submitted code may not rename code objects."""
    sys.audit("autograder.fix_co_filename", code, path)


# --- start-up ------------------------------------------------------------------------------------
def _read_manifest(path):
    with open(path) as f:
        manifest = json.load(f)
    os.unlink(path)
    missing = [k for k in MANIFEST_KEYS if k not in manifest]
    if missing:
        raise SystemExit(f"autograder.sandbox: the manifest lacks {', '.join(missing)}")
    return manifest


def _limit_resources(manifest):
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (manifest["memory_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CPU, (manifest["cpu_seconds"], manifest["cpu_seconds"] + 5))
    resource.setrlimit(resource.RLIMIT_FSIZE, (manifest["file_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with an error instead of killing


def _capture_reference():
    """Import every autograder.reference module; remove autograder from sys.modules; install proxies."""
    import autograder.reference as package

    names = [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]
    for name in names:
        __import__(name)
    reference = {name: sys.modules[name] for name in names}
    for name in [n for n in sys.modules if n == "autograder" or n.startswith("autograder.")]:
        del sys.modules[name]

    def proxy(name, path=None):
        module = types.ModuleType(name, "Proxy of the instructor's module inside the grading kernel.")
        module.__getattr__ = types.MethodType(_reference_attribute, ("module", name))
        if path is not None:
            module.__path__ = path
        sys.modules[name] = module
        return module

    top, pkg = proxy("autograder", []), proxy("autograder.reference", [])
    top.reference = pkg
    for name in names:
        setattr(pkg, name.rpartition(".")[2], proxy(name))
    return reference


def _preload():
    """Modules the instructor cells rely on, imported while the kernel is still pristine."""
    import copy  # noqa: F401
    import math  # noqa: F401

    import numpy  # noqa: F401
    import numpy.fft  # noqa: F401
    import numpy.linalg  # noqa: F401
    import numpy.random  # noqa: F401

    import nnlab
    for info in pkgutil.iter_modules(nnlab.__path__):
        if info.name not in ("explorer", "plotting"):  # widgets and matplotlib: slow, never used by tests
            __import__(f"nnlab.{info.name}")


def _import_kernel_modules():
    """Everything a grading kernel imports before reading its manifest (what the factory shares)."""
    _preload()
    import autograder.reference as package
    for info in pkgutil.iter_modules(package.__path__):
        __import__(f"{package.__name__}.{info.name}")
    import ipykernel.kernelapp  # noqa: F401


def factory():
    """Serve forks of an interpreter that has already imported what kernels need (``--factory``).

    The worker that started it writes one JSON request per line on stdin and reads one JSON reply
    per line on stdout: {"fork": argv, "env": {...}, "cwd": path} -> {"pid": n} starts a kernel
    (``python -m autograder.sandbox`` with that argv, in a new session); {"status": pid} ->
    {"returncode": code or null}. A kernel forked from here skips ~0.3 s of imports. The factory
    runs no submitted code itself, and exits when its stdin closes.
    """
    _import_kernel_modules()
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    finished = {}
    for line in requests:
        request = json.loads(line)
        while True:  # collect the kernels that ended
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            finished[pid] = os.waitstatus_to_exitcode(status)
        if "fork" in request:
            pid = os.fork()
            if pid == 0:
                _forked_kernel(request)
            reply = {"pid": pid}
        else:
            reply = {"returncode": finished.get(request["status"])}
        replies.write(json.dumps(reply).encode() + b"\n")
        replies.flush()


def _forked_kernel(request):
    """In the forked child: become a kernel as if started with ``python -m autograder.sandbox ARGV``."""
    code = 1
    try:
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(2, 1)  # the factory's stdout is the worker's pipe: never let a kernel write there
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        argv = request["fork"]
        main(argv[argv.index("autograder.sandbox") + 1:])
        code = 0
    finally:
        os._exit(code)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox", description=__doc__.splitlines()[0])
    parser.add_argument("--factory", action="store_true", help="serve forks of kernels to a grading worker")
    parser.add_argument("-f", dest="connection_file")
    parser.add_argument("--manifest")
    args, _ = parser.parse_known_args(argv)
    if args.factory:
        return factory()
    if not (args.connection_file and args.manifest):
        parser.error("-f CONNECTION_FILE and --manifest MANIFEST are required")

    manifest = _read_manifest(args.manifest)
    _limit_resources(manifest)
    os.chdir(manifest["workdir"])
    log_fd = os.open(manifest["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    pristine_builtins = dict(vars(__builtins__) if isinstance(__builtins__, types.ModuleType) else __builtins__)
    guard_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "guard.py")
    with open(guard_path) as f:
        guard_source = f.read()

    _preload()
    reference = _capture_reference()

    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # Plain tracebacks: the feedback keeps only their last line, and rich ones cost ~50 ms per failing cell.
    # The parent (the worker, or its kernel factory) going away stops the kernel.
    app.initialize(["-f", args.connection_file, "--HistoryManager.enabled=False", "--IPKernelApp.quiet=True",
                    "--InteractiveShell.xmode=Plain", f"--IPKernelApp.parent_handle={os.getppid()}"])

    import _imp
    import _signal as c_signal
    import _thread
    import threading

    originals = {"start_new_thread": _thread.start_new_thread, "signal": c_signal.signal,
                 "fix_co_filename": _imp._fix_co_filename}
    _thread.start_new_thread = threading._start_new_thread = _start_new_thread
    c_signal.signal = signal.signal = _signal
    _imp._fix_co_filename = _fix_co_filename
    guard = {"__name__": "autograder.guard", "__builtins__": dict(pristine_builtins)}
    exec(compile(guard_source, guard_path, "exec"), guard)
    hook = guard["make_hook"](
        config=manifest, shell=app.shell, reference=reference, serve_reference=_serve_reference,
        handle_types=(_reference_call, _Handle),
        exposed=[globals(), *(vars(m) for n, m in sys.modules.items() if n.startswith("autograder"))],
        protected_modules=PROTECTED_MODULES, pristine_builtins=pristine_builtins, log_fd=log_fd,
        originals=originals)
    sys.addaudithook(hook)
    del originals
    del hook, guard, reference, manifest
    app.start()


if __name__ == "__main__":
    main()

"""The grading kernel's guard: one audit hook (PEP 578) that submitted code cannot remove.

``autograder.sandbox`` executes this file into a private namespace of its own (with a private
copy of the builtins) and installs ``make_hook(...)`` with ``sys.addaudithook`` before any
submitted code runs. Python offers no way to list, remove or inspect audit hooks, so the state
kept here (the reference answers, the pristine state of NumPy and the test helpers, the key that
signs test results) is out of reach of the code it polices. Once installed, the hook calls only
C functions captured at start-up and functions of this file: never library code that submitted
code could have patched.

What it enforces, in terms of who is on the call stack. A frame is *trusted* when its code object
was loaded before submitted code ran (the libraries, NumPy, nnlab, the kernel), was executed while
no submitted code was on the stack (a module imported by a test), or belongs to an instructor cell
of the notebook (compiled from exactly the source the grader sent). Any other frame is
*submitted code*.

- Instructor cells (tests and locked cells) run only as compiled by IPython from the grader's
  source; before one starts, the hook restores NumPy, nnlab, the builtins and every name that
  instructor cells bound (except the names the answers define). While it runs, a trace function
  (an immutable bound ``sys.audit``) reports each call from instructor code into submitted code;
  when that call returns, the hook checks the state again and undoes and records any change. The
  cell's last line raises the ``autograder.end`` event; if nothing was tampered with, the hook
  writes a record signed with the grader's key. A test cell earns points only with that record.
- The reference answers live only here. ``autograder.reference`` inside the kernel is a proxy
  whose functions answer only when no submitted code is on the stack, so a submission can neither
  import them nor call them from its functions, even while a test runs.
- Submitted code may not inspect frames, tracebacks' frames or the garbage collector, use ctypes,
  start processes, threads or signal handlers, open sockets, add audit hooks, forge code objects,
  change functions or classes it did not define, read the instructor's files, or write outside
  its own folder. Refusals raise ``PermissionError`` and are logged for the grader.
"""
import ast
import sys

END_EVENT = "autograder.end"
END_LINE = '__import__("sys").audit("autograder.end")'
RESULT_NAME = "__autograder_result__"


def instrument(source):
    """The instructor cell as the kernel runs it: the same lines, then the line raising ``autograder.end``.

    A cell whose last statement is an expression keeps it as the displayed value (nbgrader's
    partial credit): the expression is bound to a name, the end event raised, then the name shown.
    """
    lines = source.rstrip().splitlines()
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return source
    if body and isinstance(body[-1], ast.Expr):
        last = body[-1]
        start, end = last.lineno - 1, last.end_lineno
        expr = "\n".join(lines[start:end])
        lines[start:end] = [f"{RESULT_NAME} = ({expr})".replace("\n", "\n    ") if "\n" in expr else f"{RESULT_NAME} = ({expr})"]
        return "\n".join([*lines, END_LINE, RESULT_NAME])
    return "\n".join([*lines, END_LINE])


def bound_names(source):
    """Names a cell binds in its namespace: assignments, definitions, imports, loop and with targets,
    and names declared global inside its functions (not the functions' own local names)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    todo = list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            names.update(n for sub in ast.walk(node) if isinstance(sub, ast.Global) for n in sub.names)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names if a.name != "*")
        todo.extend(ast.iter_child_nodes(node))
    return names


def make_hook(*, config, shell, reference, serve_reference, handle_types, exposed, protected_modules,
              pristine_builtins, log_fd, originals):
    """Build the audit hook; every object it needs is captured now, none is looked up later.

    Args:
        config: the grader's manifest (dict): trusted cell sources by digest, answer names, signing
            key, protected and allowed paths, the submission's folder.
        shell: the kernel's InteractiveShell (its user namespace and compiler, at their start state).
        reference: {"autograder.reference.X": module}, the real reference modules.
        serve_reference: the sandbox's function that looks up or calls the reference once allowed.
        handle_types: (the function behind reference callables, the class of reference objects), to
            recognise the handles instructor code passes to submitted code.
        exposed: dicts of objects that submitted code can reach and instructor code relies on
            (the sandbox's module globals, the proxies' dicts): protected like NumPy's.
        protected_modules: top-level names of the modules whose callables are restored and checked.
        pristine_builtins: the builtins as Python started, before any submitted code.
        log_fd: a file descriptor for the grader's log (signed records and refusals).
        originals: the real ``_thread.start_new_thread``, ``_signal.signal`` and
            ``_imp._fix_co_filename``, which only the guard calls from now on (the modules get the
            sandbox's wrappers).
    """
    import _hashlib
    import _signal
    import _thread
    import _warnings
    import ctypes
    import os
    import types
    import warnings

    import numpy

    getframe, get_ident, current_frames = sys._getframe, _thread.get_ident, sys._current_frames
    write, hmac_digest = os.write, _hashlib.hmac_digest
    os_open, os_close, os_readlink, os_fstat = os.open, os.close, os.readlink, os.fstat
    getsignal, default_int_handler = _signal.getsignal, _signal.default_int_handler
    start_new_thread, set_signal = originals["start_new_thread"], originals["signal"]
    fix_co_filename = originals["fix_co_filename"]
    settrace, gettrace, modules, filters_mutated = sys.settrace, sys.gettrace, sys.modules, _warnings._filters_mutated
    warning_filter_list = warnings.filters
    CodeType, FunctionType, MethodType, ModuleType = types.CodeType, types.FunctionType, types.MethodType, types.ModuleType
    BuiltinType = types.BuiltinFunctionType
    O_PATH, S_IFMT, S_IFDIR = os.O_PATH, 0o170000, 0o040000
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
    str_str, bytes_decode = str.__str__, bytes.decode
    key = bytes.fromhex(config["key"])
    user_ns = shell.user_ns
    run_code = type(shell).run_code.__code__
    tracer = MethodType(sys.audit, "autograder.call")  # immutable: a bound sys.audit
    returner = MethodType(sys.audit, "autograder.return")
    seterr, geterr = numpy.seterr, numpy.geterr
    handles = {}

    # --- which code is trusted -----------------------------------------------------------------
    # Library code is trusted by where its file is (submitted code may not forge a code object's file
    # name: compile, code.replace, marshal and _imp._fix_co_filename are checked below); the code of
    # instructor cells, and code generated at run time by trusted code, by identity.
    trusted = {}  # id(code) -> code (kept alive here)
    trusted_roots = [r.rstrip("/") for r in config["trusted_roots"]]
    trusted_files = {}  # co_filename -> bool

    def trust(code):
        todo = [code]
        while todo:
            c = todo.pop()
            if id(c) not in trusted:
                trusted[id(c)] = c
                todo.extend(k for k in c.co_consts if type(k) is CodeType)

    def trusted_file(filename):
        known = trusted_files.get(filename)
        if known is None:
            known = trusted_files[filename] = type(filename) is str and (
                filename.startswith("<frozen ") or under(filename, trusted_roots) >= 0)
        return known

    def code_trusted(code):
        return id(code) in trusted or trusted_file(code.co_filename)

    own = {}  # the guard's own code objects: events they raise are not checked again

    def collect(code):
        own[id(code)] = code
        for k in code.co_consts:
            if type(k) is CodeType:
                collect(k)

    collect(getframe().f_code)
    cell_dir = os.path.dirname(shell.compile.get_code_name("", "", 0)) + "/"

    # --- the instructor cells: the code objects IPython must produce, the names they bind -------------
    cells = {}  # cell filename -> {"hash", "expected": [code], "binds": set}
    autoawait_flag = getattr(ast, "PyCF_ALLOW_TOP_LEVEL_AWAIT", 0) if shell.autoawait else 0
    for digest, source in config["trusted_cells"].items():
        name = shell.compile.get_code_name(source, source, 0)
        tree = shell.transform_ast(shell.compile.ast_parse(shell.transform_cell(source), filename=name))
        nodes = list(tree.body)
        expected = []
        for i, node in enumerate(nodes):
            interactive = i == len(nodes) - 1 and isinstance(node, ast.Expr)
            mod = ast.Interactive([node]) if interactive else ast.Module([node], [])
            with shell.compile.extra_flags(autoawait_flag):
                expected.append(shell.compile(mod, name, "single" if interactive else "exec"))
        cells[name] = {"hash": digest, "expected": expected, "binds": frozenset(bound_names(source))}
    answer_names = frozenset(config["answer_names"])

    # --- the state instructor code relies on ------------------------------------------------------
    # Watched dicts (module namespaces, builtins, sys.modules, the notebook's namespace), each with the
    # entries that must keep their identity. CPython 3.11 stamps every dict with a version that changes
    # on any modification (PEP 509); reading it through ctypes makes an unchanged dict cost one read.
    version_offset = 3 * ctypes.sizeof(ctypes.c_ssize_t)  # ob_refcnt, ob_type, ma_used, then ma_version_tag

    def version_reader(d):
        return ctypes.c_uint64.from_address(id(d) + version_offset)

    probe = {}
    reader = version_reader(probe)
    before = reader.value
    probe["x"] = 1
    versions_work = reader.value != before
    del probe, reader

    groups = {}  # id(dict) -> [dict, version reader, version last checked, {key: value}, label]

    def watch(d, entries, label):
        group = groups.get(id(d))
        if group is None:
            group = groups[id(d)] = [d, version_reader(d) if versions_work else None, None, {}, label]
        group[3].update(entries)
        group[2] = None

    def take_snapshot():
        for n, m in list(modules.items()):
            if type(n) is str and n.split(".")[0] in protected_modules and isinstance(m, ModuleType) \
                    and id(vars(m)) not in groups:
                watch(vars(m), {k: v for k, v in list(vars(m).items())
                                if type(k) is str and (callable(v) or type(v) is ModuleType)}, n + ".")

    take_snapshot()
    for d in exposed:
        watch(d, {k: v for k, v in list(d.items()) if type(k) is str}, "")
    for name in ("_thread", "threading", "signal", "_signal", "_imp", "warnings", "_warnings", "gc", "io", "os",
                 "posixpath"):
        if name not in modules:
            __import__(name)
        watch(vars(modules[name]), {k: v for k, v in list(vars(modules[name]).items())
                                    if type(k) is str and callable(v)}, name + ".")
    watch(modules, {n: m for n, m in list(modules.items())
                    if type(n) is str and (n.split(".")[0] in protected_modules or n in (
                        "sys", "builtins", "_thread", "threading", "signal", "_signal", "warnings"))}, "sys.modules:")
    kernel_managed = ("input", "exit", "quit", "get_ipython", "display")  # ipykernel swaps these per request
    watch(vars(modules["builtins"]), {k: v for k, v in pristine_builtins.items() if type(k) is str and
                                      type(v) in (BuiltinType, type) and k not in kernel_managed}, "builtins.")
    signal_snapshot, signal_numbers = {}, []
    for number in range(1, 65):
        try:
            handler = getsignal(number)
        except (OSError, ValueError):
            continue
        signal_numbers.append(number)
        if handler is not None:
            signal_snapshot[number] = handler
    warning_filters = list(warning_filter_list)
    numpy_errors = geterr()
    bindings = {}  # names bound by instructor cells -> their value
    state = {"cell": None, "tampered": [], "start": None, "threads": None}

    def signal_is_foreign(handler):
        """A handler that submitted code installed (any Python callable whose code is not trusted)."""
        if handler is None or type(handler) is int or type(handler) is BuiltinType:
            return False
        if type(handler) is MethodType:
            handler = handler.__func__
        return type(handler) is not FunctionType or not code_trusted(handler.__code__)

    def check(restore):
        """What submitted code changed in the state instructor code relies on; undone when restore."""
        changes = []
        for group in list(groups.values()):
            d, reader, seen = group[0], group[1], group[2]
            if reader is not None and seen is not None and reader.value == seen:
                continue
            for k, v in group[3].items():
                if d.get(k, changes) is not v:
                    changes.append(group[4] + k)
                    if restore:
                        d[k] = v
            group[2] = reader.value if reader is not None else None
        cell = state["cell"]
        binds = cells[cell]["binds"] if cell is not None else ()
        for n, v in bindings.items():
            if n not in binds and user_ns.get(n, changes) is not v:
                changes.append(n)
                if restore:
                    user_ns[n] = v
        for number in signal_numbers:
            if signal_is_foreign(getsignal(number)):
                changes.append("the handler of signal " + str(number))
                if restore:
                    set_signal(number, signal_snapshot.get(number, 0))
        if state["threads"] is not None and set(current_frames()) - state["threads"]:
            changes.append("threads started by submitted code")
        return changes

    # --- the log the grader reads -----------------------------------------------------------------
    logged = [0]

    def log(kind, text):
        logged[0] += 1
        if logged[0] <= 200:
            try:
                write(log_fd, (kind + "\t" + text.replace("\n", " ") + "\n").encode("utf-8", "replace"))
            except OSError:
                pass

    def sign(kind, digest, detail=""):
        body = (kind + "\t" + digest + "\t" + detail).replace("\n", " ")
        mac = hmac_digest(key, body.encode("utf-8", "replace"), "sha256").hex()
        try:
            write(log_fd, ("signed\t" + mac + "\t" + body + "\n").encode("utf-8", "replace"))
        except OSError:
            pass

    # --- who is on the stack ------------------------------------------------------------------------
    def submitted_on_stack(frame):
        while frame is not None:
            if not code_trusted(frame.f_code):
                return frame
            frame = frame.f_back
        return None

    def refuse(what, frame=None, quiet=False):
        """Refuse an operation: PermissionError for the caller, a line in the grader's log (unless quiet)."""
        where = ""
        if frame is not None:
            where = " (in " + frame.f_code.co_name + ", line " + str(frame.f_lineno) + ")"
        if not quiet:
            log("refused", what + where)
        raise PermissionError("The grading kernel does not let submitted code " + what + where + ".")

    # --- instructor cells -----------------------------------------------------------------------
    def begin(name):
        if state["threads"] is None:
            state["threads"] = set(current_frames())
        take_snapshot()
        changes = check(restore=True)
        if changes:
            log("restored", "before cell " + cells[name]["hash"][:12] + ": " + ", ".join(sorted(set(changes))))
        warning_filter_list[:] = warning_filters
        filters_mutated()
        seterr(**numpy_errors)
        state["cell"], state["tampered"], state["start"] = name, [], dict(user_ns)
        next_trace[get_ident()] = tracer  # set by the hook on its way out

    def close():
        name = state["cell"]
        if name is None:
            return
        next_trace[get_ident()] = None
        start = state["start"]
        for n in cells[name]["binds"]:
            if n in user_ns and n not in answer_names and (n not in start or start[n] is not user_ns[n]):
                bindings[n] = user_ns[n]
        state["cell"], state["start"] = None, None
        lent.clear()

    def end(frame):
        name = state["cell"]
        if name is None or frame.f_code.co_filename != name or frame.f_code.co_name != "<module>" \
                or id(frame.f_code) not in trusted:
            refuse("raise the grader's end-of-cell event")
        tampered = state["tampered"]
        if trace_on_entry[0] is not tracer:
            tampered.append("the trace function")
        if frame.f_globals is not user_ns:
            tampered.append("the notebook's namespace")
        tampered.extend(check(restore=True))
        digest, tampered = cells[name]["hash"], sorted(set(tampered))
        close()
        if tampered:
            sign("tampered", digest, ", ".join(tampered))
            raise RuntimeError("This test does not count: submitted code changed "
                               + ", ".join(tampered) + " while it ran.")
        sign("ok", digest)

    def on_exec(code, caller):
        name = code.co_filename
        if name in cells:
            if caller is None or caller.f_code is not run_code or submitted_on_stack(caller) is not None \
                    or not any(code == c for c in cells[name]["expected"]):
                refuse("run an instructor cell in a modified form")
            trust(code)
            if state["cell"] != name:
                close()
                begin(name)
        elif name.startswith(cell_dir):
            if state["threads"] is None:
                state["threads"] = set(current_frames())
            close()
        elif submitted_on_stack(caller) is None:
            trust(code)  # a module imported, or code generated, by trusted code

    call_reference, Handle = handle_types
    lent = []  # [(frame, handle indices)]: reference handles instructor code passed to submitted code

    def handles_in(values):
        found = set()
        for value in values:
            inner = list(value) if type(value) in (list, tuple) else list(value.values()) if type(value) is dict else []
            for v in [value, *inner]:
                if type(v) is MethodType and v.__func__ is call_reference:
                    found.add(v.__self__[1])
                elif type(v) is Handle:
                    found.add(tuple.__getitem__(v, 0))
        return found

    def on_call(frame):
        """Instructor code calls submitted code: watch that call's return (trace only that frame) and
        lend it the reference handles among its arguments."""
        code = frame.f_code
        if id(code) in trusted or trusted_files.get(code.co_filename) or code_trusted(code):
            return
        back = frame.f_back
        if back is not None and code_trusted(back.f_code):
            frame.f_trace_lines = False
            frame.f_trace = returner
            passed = handles_in(list(frame.f_locals.values()))
            if passed:
                lent.append((frame, passed))

    def on_return(frame, event):
        """Submitted code returns to instructor code: undo and record what it changed."""
        if event == "return" and state["cell"] is not None:
            while lent and lent[-1][0] is frame:
                lent.pop()
            state["tampered"].extend(check(restore=True))

    def may_use_reference(key, student):
        """Instructor code may; submitted code only a handle it was handed, during that call."""
        return student is None or key[0] == "handle" and any(key[1] in passed for _, passed in lent)

    # --- files ------------------------------------------------------------------------------------
    def plain(path):
        if type(path) is str:
            return path
        if issubclass(type(path), str):
            return str_str(path)
        if issubclass(type(path), bytes):
            return bytes_decode(path, "utf-8", "surrogateescape")
        return None

    def resolve(path):
        """The real absolute path of path (symbolic links followed; a missing tail kept as written)."""
        head, tail = path, ""
        while True:
            try:
                fd = os_open(head or ".", O_PATH)
            except OSError:
                stripped = head.rstrip("/")
                if "/" not in stripped:
                    head, tail = ".", (stripped + "/" + tail if tail else stripped)
                    continue
                head, _, rest = stripped.rpartition("/")
                tail = rest + "/" + tail if tail else rest
                head = head or "/"
                continue
            try:
                real = os_readlink("/proc/self/fd/" + str(fd))
                is_dir = not tail and (os_fstat(fd).st_mode & S_IFMT) == S_IFDIR
            finally:
                os_close(fd)
            return (real.rstrip("/") + "/" + tail if tail else real), is_dir

    def under(path, roots):
        return max((len(r) for r in roots if path == r or path.startswith(r + "/")), default=-1)

    protected, allowed, workdir = list(config["protected"]), list(config["allowed"]), [config["workdir"]]

    def check_read(path, caller):
        """Instructor files are read by nobody once the kernel runs (libraries' tracebacks included)."""
        real, is_dir = resolve(path)
        if under(real, protected) > under(real, allowed) or (
                real.startswith("/proc/") and (real.endswith("/mem") or "/map_files/" in real)):
            student = submitted_on_stack(caller)
            refuse("read " + real, student, quiet=student is None)
        return real, is_dir

    def check_write(path, student, caller):
        real, _ = check_read(path, caller)
        if real != "/dev/null" and under(real, workdir) < 0:
            refuse("write " + real + " (outside its folder)", student)

    # --- the events ---------------------------------------------------------------------------------
    frame_attributes = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame"})
    frame_readers = frozenset({("matplotlib/cbook.py", "_get_running_interactive_framework"),
                               ("matplotlib/_api/__init__.py", "warn_external"),
                               ("logging/__init__.py", "findCaller"), ("logging/__init__.py", "<lambda>"),
                               ("warnings.py", "_is_internal_frame"), ("warnings.py", "warn")})
    process_events = frozenset({"os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn",
                                "os.fork", "os.forkpty", "os.kill", "os.killpg", "pty.spawn"})
    introspection_events = frozenset({"sys._getframe", "sys._current_frames", "sys._current_exceptions",
                                      "sys.settrace", "sys.setprofile", "gc.get_objects", "gc.get_referrers",
                                      "gc.get_referents"})
    path_events = {"os.remove": 1, "os.rmdir": 1, "os.mkdir": 1, "os.truncate": 1, "os.chmod": 1,
                   "os.chown": 1, "os.utime": 1, "shutil.rmtree": 1, "os.rename": 2, "os.link": 2,
                   "os.symlink": 2, "shutil.copyfile": 2, "shutil.copytree": 2}
    reference_events = frozenset({"autograder.reference", "autograder.reference.attr",
                                  "autograder.reference.setattr"})

    def handle(event, args, caller):
        if event == "exec":
            on_exec(args[0], caller)
        elif event == END_EVENT:
            end(caller)
        elif event in reference_events:
            student = submitted_on_stack(caller)
            if not may_use_reference(args[0], student) or (student is not None and event != "autograder.reference"):
                refuse("use the instructor's reference answers", student)
            serve_reference(event, args, reference, handles)
        elif event == "autograder.thread":
            student = submitted_on_stack(caller)
            if student is not None:
                refuse("start threads", student)
            function, call_args, kwargs, box = args
            box.append(start_new_thread(function, call_args, kwargs))
            if state["threads"] is not None:
                state["threads"].add(box[0])
        elif event == "autograder.signal":
            student = submitted_on_stack(caller)
            if student is not None:
                refuse("install signal handlers", student)
            signalnum, handler, box = args
            box.append(set_signal(signalnum, handler))
        elif event == "import":
            name = plain(args[0]) or ""
            if name == "autograder" or name.startswith("autograder."):
                log("refused", "import " + name)
                raise ImportError("No module named " + repr(name) + ": the grading kernel does not give "
                                  "submitted code the instructor's files.")
        elif event == "open":
            path = plain(args[0])
            if path is None:
                return
            _, is_dir = check_read(path, caller)
            mode, flags = args[1], args[2]
            writing = (type(mode) is str and ("w" in mode or "a" in mode or "x" in mode or "+" in mode)) or (
                type(flags) is int and flags & WRITE_FLAGS)
            if writing or is_dir:
                student = submitted_on_stack(caller)
                if student is not None:
                    if is_dir:
                        refuse("open folders by file descriptor", student)
                    check_write(path, student, caller)
        elif event in path_events:
            student = submitted_on_stack(caller)
            for path in args[:path_events[event]]:
                path = plain(path)
                if path is None:
                    continue
                if student is None:
                    check_read(path, caller)
                else:
                    check_write(path, student, caller)
        elif event == "sys.addaudithook":
            refuse("add audit hooks")
        elif event == "object.__getattr__":
            name = plain(args[1])
            if name in frame_attributes:
                student = submitted_on_stack(caller)
                if student is not None:
                    refuse("read " + name, student)
        elif event == "object.__setattr__":
            target, name, value = args
            if issubclass(type(target), type):
                mine = target.__dict__.get("__module__") == "__main__"
            elif type(target) is FunctionType:
                mine = not code_trusted(target.__code__) and not (type(value) is CodeType and code_trusted(value))
            else:
                return
            if not mine:
                student = submitted_on_stack(caller)
                if student is not None:
                    refuse("change " + (plain(target.__qualname__) or "?") + "." + (plain(name) or "?"), student)
        elif event in ("compile", "code.__new__", "autograder.fix_co_filename"):
            # a code object claiming to come from a library file or an instructor cell
            filename = plain(args[1])
            if filename is not None and (filename.startswith("<frozen") or filename in cells or (
                    not filename.startswith("<") and trusted_file(filename))):
                student = submitted_on_stack(caller)
                if student is not None and not (event == "autograder.fix_co_filename" and args[0].co_filename == filename):
                    refuse("make code that claims to come from " + filename, student)
            if event == "autograder.fix_co_filename":
                fix_co_filename(args[0], args[1])
        elif event == "marshal.loads":  # code objects from bytes: only the import system, from real .pyc files
            student = submitted_on_stack(caller)
            if student is not None:
                path = caller.f_locals.get("bytecode_path") if caller is not None and \
                    caller.f_code.co_filename == "<frozen importlib._bootstrap_external>" and \
                    caller.f_code.co_name == "_compile_bytecode" else None
                if plain(path) is None or not trusted_file(plain(path)):
                    refuse("load code objects with marshal", student)
        elif event == "function.__new__":  # a function made of trusted code with other globals
            if type(args[0]) is CodeType and code_trusted(args[0]):
                student = submitted_on_stack(caller)
                if student is not None:
                    refuse("build functions from library or instructor code", student)
        else:  # introspection, processes, ctypes, sockets
            student = submitted_on_stack(caller)
            if student is None:
                return
            if event in ("sys._getframe", "sys._current_frames") and caller is not None:
                code = caller.f_code
                if (code.co_filename.rpartition("site-packages/")[2], code.co_name) in frame_readers or (
                        code.co_filename.rpartition("/lib/python3.11/")[2], code.co_name) in frame_readers:
                    return
            refuse("use " + event, student)

    finding_caller = set()  # threads inside the guard's own call to sys._getframe
    active = {}  # thread -> how many guard calls are running in it
    next_trace = {}  # thread -> the trace function begin() or close() wants once the guard returns
    trace_on_entry = [None]  # the trace function when the guard was last entered (checked by end())

    def hook(event, args):
        # the hot path first: every Python call in an instructor cell, and every read of frame.f_code
        if event == "autograder.call":  # trace events: CPython does not trace inside them
            if args[1] == "call" and state["cell"] is not None:
                on_call(args[0])
            return
        if event == "object.__getattr__" and type(args[1]) is str and args[1] not in frame_attributes:
            return  # reading f_code, __code__ and the like is harmless
        if type(event) is not str or (event not in watched and not event.startswith(("ctypes.", "socket."))):
            return
        if event == "autograder.return":
            on_return(args[0], args[1])
            return
        ident = get_ident()
        if ident in finding_caller:
            return
        finding_caller.add(ident)
        try:
            caller = getframe(1)
        finally:
            finding_caller.discard(ident)
        if caller is not None and id(caller.f_code) in own:
            return  # raised by the guard itself (its stack walks, its file checks)
        trace = trace_on_entry[0] = gettrace()
        if trace is not None:
            settrace(None)  # the guard's own calls are not traced
        active[ident] = active.get(ident, 0) + 1
        try:
            handle(event, args, caller)
        finally:
            active[ident] -= 1
            target = next_trace.pop(ident, trace) if active[ident] == 0 else trace
            if target is not None:
                settrace(target)

    watched = frozenset({"autograder.call", "autograder.return", "exec", END_EVENT, "import", "open", "sys.addaudithook",
                         "object.__getattr__", "object.__setattr__", "compile", "function.__new__", "code.__new__",
                         "marshal.loads", "autograder.fix_co_filename", "autograder.thread",
                         "autograder.signal", *reference_events, *path_events, *introspection_events,
                         *process_events})
    return hook


def reference_names(reference):
    """sys.modules names of the reference proxies: the modules and the packages above them."""
    names = set()
    for name in reference:
        parts = name.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return names

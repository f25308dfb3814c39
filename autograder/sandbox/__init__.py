"""The isolated executor: one submitted notebook run in a bubblewrap sandbox.

The security boundary of the grader is the operating system. Each notebook runs in its own
sandbox (``bwrap``), whose rules are, each with its own test in tests/autograder/sandbox/:

- **an unprivileged user**: a uid of its own (60000 + a number per worker), no capabilities, no
  new privileges (``setpriv`` inside the sandbox when the grader is root; a user namespace otherwise);
- **a read-only system**: /usr, the interpreter and the venv are bound read-only; of the course only
  the student toolkit (``nnlab/``) and ``runner.py`` are visible — no ``solutions/``, no
  ``autograder/reference``, no gradebook, no other submission, no course repository;
- **a private writable home**: a size-limited tmpfs holding a copy of the submission's companion
  files; with ``/tmp`` it vanishes with the sandbox, so nothing a submission writes reaches the
  next submission or the instructor;
- **no network**: a network namespace of its own (the results come back through a pipe);
- **limits**: memory, processes and threads, CPU time, file size and open files (rlimits set by the
  runner before any submitted code; memory and processes also for the whole sandbox, by a control
  group of its own when one can be made: ``cgroup``), **wall time per notebook** and **total output
  per notebook** (enforced here, from outside: the sandbox is killed);
- **tripwires** (``tripwire``): decoys at the paths of the answer key, the solutions, the gradebook and
  made-up students' folders, watched from outside, so an attempt at them is seen whatever the notebook
  hides; a decoy of the grader's log passed in as an open descriptor, compared after the run; decoys of
  the answer key's functions in the runner's memory, which open a tripwire when called;
- **network attempts seen** (``network``): the kernel's counters of the sandbox's network namespace,
  opened from outside before any submitted code runs, count every connection out and every one to a
  loopback port nothing listens on.

``Run.refused`` lists what the boundary refused or detected, from evidence gathered here, outside:
the sandbox's exit status, the limits enforced here, the control group's counters, the tripwires, the
network namespace's counters.

``run_notebook`` returns a ``Run``: each cell's outputs and the results ``collect`` sent, as
untrusted data for the judge. The inputs for ``collect`` are bound read-only; the reference and the
expected values never enter.
"""
import json
import os
import select
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import course
from .cgroup import Cgroup, CgroupUnavailable
from .network import NetworkCounters
from .tripwire import DecoyLog, Tripwires, answer_key_functions, decoy_trees

RUNNER = Path(__file__).with_name("runner.py")
COLLECT_PREFIX = b'{"kind": "collect"'  # how nnlab.collect's messages begin (json.dumps of {"kind": "collect", ...})
HOME, GRADER, TOOLKIT, VENV = "/home/student", "/grader", "/toolkit", "/opt/venv"
BASE_UID = 60000
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `apt-get install bubblewrap`; Fedora: `dnf install bubblewrap`), "
                "or grade trusted submissions without isolation with --no-isolation")


class IsolationUnavailable(RuntimeError):
    """The sandbox cannot start on this machine; the message says what to install or change."""


@dataclass(frozen=True)
class Limits:
    """What one notebook may use. Times in seconds, sizes in MB (output in bytes)."""

    notebook_seconds: float = 600.0
    cell_seconds: float = 120.0
    memory_mb: int = 2048
    processes: int = 64
    disk_mb: int = 256
    file_mb: int = 64
    open_files: int = 256
    output_bytes: int = 5_000_000  # what the notebook prints and displays, in all
    results_bytes: int = 64_000_000  # what collect sends for the judge (05's hidden tests send ~10 MB)


@dataclass
class Run:
    """What came back from one sandboxed notebook (all of it written by code the student controls).

    Attributes:
        outputs: cell index -> list of notebook outputs, for the cells that finished.
        collected: key -> the raw results ``collect`` sent (decoded by the judge).
        ended: how the run ended, in words ("finished", "stopped: ..."); ``finished`` is True when
            every cell reported.
        notes: sentences for the instructor and the student (files not copied, output cut, ...).
        seconds: wall time of the sandbox.
        refused: what the boundary refused or detected, each in words, from evidence the grader gathered
            outside the sandbox (exit status, limits it enforced, the cgroup's counters, tripwires opened):
            a submission cannot hide it by what it prints or sends.
    """

    outputs: dict = field(default_factory=dict)
    collected: dict = field(default_factory=dict)
    ended: str = ""
    finished: bool = False
    notes: list = field(default_factory=list)
    seconds: float = 0.0
    refused: list = field(default_factory=list)


def _parents(path):
    """bwrap arguments creating every folder above ``path`` with mode 755 (bwrap would copy 700 from /root)."""
    args, current = [], Path("/")
    for part in Path(path).parent.parts[1:]:
        current = current / part
        args += ["--perms", "0755", "--dir", str(current)]
    return args


def _venv(isolate=True):
    """Where the runner's interpreter lives: the venv bound at /opt/venv inside the sandbox (so no path of
    the course repository, which usually holds the venv, exists there); the venv itself outside."""
    if isolate and Path(sys.prefix).resolve() != Path(sys.base_prefix).resolve():
        return Path(VENV)
    return Path(sys.prefix).resolve()


def site_packages(isolate=True):
    """The venv's site-packages folders as the runner sees them. The runner starts without the site module
    (``-S``): the venv's .pth files (an editable install's finder among them) are not run in every sandbox,
    and the runner puts these folders on sys.path itself."""
    import site

    venv = Path(sys.prefix).resolve()
    folders = [Path(p).resolve() for p in site.getsitepackages()]
    return [str(_venv(isolate) / p.relative_to(venv)) for p in folders if p.is_relative_to(venv) and p.is_dir()]


def _interpreter_binds():
    """(host folder, sandbox folder) pairs the interpreter needs, read-only: the venv at /opt/venv and the
    installation it was made from, at its own path (the venv's python links to it)."""
    base, venv = Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()
    binds = [(base, base)] if not str(base).startswith("/usr") else []
    return binds + ([(venv, Path(VENV))] if venv != base else [])


@dataclass(frozen=True)
class Layout:
    """Where the runner finds things: inside the sandbox, or in the job folder when not isolated."""

    home: str
    grader: str
    toolkit: str

    @classmethod
    def for_run(cls, job_dir, isolate):
        if isolate:
            return cls(HOME, GRADER, TOOLKIT)
        return cls(str(Path(job_dir) / "home"), str(job_dir), str(course.REPO))


def command(job_dir, uid, limits, channel, isolate=True, info=None, decoys=(), block=None):
    """The command line that runs ``runner.py`` on ``job_dir``/job.json (in bwrap unless isolate is False).

    info: a file descriptor bwrap writes the sandbox's pid 1 to (``{"child-pid": N}``), so the grader can
    end the sandbox by killing that process, which takes every process of the sandbox with it.
    decoys: [(host folder, sandbox folder, writable)] of tripwires (``Tripwires.binds``).
    block: a file descriptor bwrap reads a byte from before it runs anything in the sandbox.
    """
    python = str(_venv(isolate) / "bin" / "python")
    layout = Layout.for_run(job_dir, isolate)
    # -B: no bytecode written; -S: no site module (``site_packages``)
    runner = [python, "-I", "-S", "-B", f"{layout.grader}/runner.py", f"{layout.grader}/job.json"]
    if not isolate:
        return runner
    args = ["bwrap", "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-net",
            "--unshare-uts", "--unshare-cgroup-try", "--hostname", "grading",
            *(["--info-fd", str(info)] if info is not None else []),
            *(["--block-fd", str(block)] if block is not None else []),
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin"]
    for etc in ("/etc/ld.so.cache", "/etc/fonts", "/etc/passwd", "/etc/group", "/etc/localtime"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    for host, inside in _interpreter_binds():
        args += _parents(inside) + ["--ro-bind", str(host), str(inside)]
    if not any(inside == f"{TOOLKIT}/nnlab" for _, inside, _ in decoys):  # else a copy on the tripwires' tmpfs
        args += ["--perms", "0755", "--dir", TOOLKIT, "--ro-bind", str(course.REPO / "nnlab"), f"{TOOLKIT}/nnlab"]
    args += ["--ro-bind", str(job_dir), GRADER,
             "--proc", "/proc", "--dev", "/dev",
             "--perms", "1777", "--size", str(limits.disk_mb << 20), "--tmpfs", HOME,
             "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/tmp",
             "--perms", "1777", "--size", str(64 << 20), "--tmpfs", "/dev/shm"]
    for host, inside, writable in decoys:
        args += _parents(inside) + ["--bind" if writable else "--ro-bind", str(host), str(inside)]
    args += ["--chdir", HOME, "--clearenv"]
    for name, value in sandbox_env(layout, channel).items():
        args += ["--setenv", name, value]
    if os.geteuid() == 0:  # become an unprivileged uid of our own inside (no user namespace needed)
        args += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
                 "--bounding-set=-all", "--no-new-privs"]
    else:  # an ordinary user: a user namespace maps the sandbox's uid onto the grader's own
        args[1:1] = ["--unshare-user", "--uid", "65534", "--gid", "65534", "--cap-drop", "ALL"]
    return args + runner


def sandbox_env(layout, channel):
    """The environment the runner gets: nothing of the grader's own."""
    tmp = "/tmp" if layout.home == HOME else layout.home
    return {"PATH": f"{_venv(layout.home == HOME) / 'bin'}:/usr/bin:/bin", "HOME": layout.home, "TMPDIR": tmp,
            "LANG": "C.UTF-8", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "MPLBACKEND": "module://matplotlib_inline.backend_inline", "MPLCONFIGDIR": f"{tmp}/.matplotlib",
            "NNLAB_GRADER_INPUTS": f"{layout.grader}/inputs.json",
            "NNLAB_GRADER_CHANNEL": str(channel)}


def matplotlib_cache(folder):
    """Build matplotlib's font list once (outside the sandbox) so each sandbox only copies it."""
    folder = Path(folder)
    if not any(folder.glob("fontlist-*.json")):
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"],
                       env={**os.environ, "MPLCONFIGDIR": str(folder)}, check=True, capture_output=True)
    return folder


def worker_uid():
    """The sandbox uid of this worker process: one per worker, so process limits are per submission."""
    return BASE_UID + os.getpid() % 5000


def _prepare(job_dir, layout, channel, cells, inputs, companions, limits, mpl_cache):
    """Write the job folder (bound read-only as /grader): job.json, inputs.json, runner.py, submission/."""
    job_dir = Path(job_dir)
    submission = job_dir / "submission"
    submission.mkdir()
    for rel, source in companions:
        (submission / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, submission / rel)
    if mpl_cache:
        shutil.copytree(mpl_cache, job_dir / "matplotlib")
    shutil.copyfile(RUNNER, job_dir / "runner.py")
    (job_dir / "inputs.json").write_text(inputs)
    if layout.home != HOME:
        (job_dir / "home").mkdir()
    job = {"cells": cells, "cell_seconds": limits.cell_seconds, "channel_fd": channel, "home": layout.home,
           "toolkit": layout.toolkit, "submission_dir": f"{layout.grader}/submission",
           "matplotlib_cache": f"{layout.grader}/matplotlib" if mpl_cache else None,
           "decoy_functions": answer_key_functions(TOOLKIT) if layout.home == HOME else [],
           "site_packages": site_packages(layout.home == HOME), "prefix": str(_venv(layout.home == HOME)),
           "limits": {"memory_mb": limits.memory_mb, "processes": limits.processes, "file_mb": limits.file_mb,
                      "open_files": limits.open_files, "cpu_seconds": int(limits.notebook_seconds) + 10}}
    (job_dir / "job.json").write_text(json.dumps(job))
    for path in [job_dir, *job_dir.rglob("*")]:
        path.chmod(0o777 if path.name == "home" else 0o755 if path.is_dir() else 0o644)


def _sandbox_init(info_fd, seconds=60.0):
    """The host pid of the sandbox's pid 1, from what bwrap writes to --info-fd as it starts (None if bwrap
    ended without writing it, or took longer than ``seconds``)."""
    data, deadline = b"", time.monotonic() + seconds
    while select.select([info_fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
        chunk = os.read(info_fd, 4096)
        if not chunk:
            break
        data += chunk
    try:
        return int(json.loads(data)["child-pid"])
    except (ValueError, KeyError, TypeError):
        return None


def _kill(process, init_pid):
    """End the sandbox and every process in it, and wait for it.

    Killing the sandbox's pid 1 makes the kernel kill every process of its pid namespace, and bwrap's
    own process exits only once that pid 1 is gone: when ``wait`` returns, no process of the sandbox
    is left (killing bwrap first returned while the namespace was still being torn down).
    """
    if init_pid is not None:
        try:
            os.kill(init_pid, signal.SIGKILL)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def _read(process, channel, limits, run):
    """Read the channel until the runner is done or a limit is reached; fills ``run``.

    Two budgets: what the notebook prints or displays (``output_bytes``: it ends up in the autograded
    notebook and the feedback page) and what ``collect`` sends for the judge (``results_bytes``).
    """
    started = time.monotonic()
    buffer, printed, sent = b"", 0, 0
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ)
    selector.register(process.stdout, selectors.EVENT_READ)
    tail = b""
    open_streams = 2
    while open_streams:
        left = limits.notebook_seconds - (time.monotonic() - started)
        if left <= 0:
            run.ended = f"stopped: the notebook ran longer than {limits.notebook_seconds:g} s in total"
            return
        for key, _ in selector.select(timeout=min(left, 1.0)):
            data = os.read(key.fileobj if isinstance(key.fileobj, int) else key.fileobj.fileno(), 1 << 16)
            if not data:
                selector.unregister(key.fileobj)
                open_streams -= 1
                continue
            if key.fileobj is channel:
                buffer += data
                *lines, buffer = buffer.split(b"\n")
                for line in lines:
                    if line.startswith(COLLECT_PREFIX):
                        sent += len(line)
                    else:
                        printed += len(line)
                    if printed <= limits.output_bytes and sent <= limits.results_bytes:
                        _message(line, run)
            else:
                printed += len(data)
                tail = (tail + data)[-2000:]
            if printed > limits.output_bytes:
                run.ended = f"stopped: the notebook printed more than {limits.output_bytes / 1e6:g} MB"
                return
            if sent > limits.results_bytes or len(buffer) > limits.results_bytes:
                run.ended = f"stopped: the hidden tests' results came to more than {limits.results_bytes / 1e6:g} MB"
                return
    if tail.strip():
        run.notes.append("the notebook's process wrote outside its cells: "
                         + tail.decode("utf-8", "replace").strip().splitlines()[-1][:200])


def _message(line, run):
    """One JSON line from the runner or from ``collect`` (malformed lines are dropped)."""
    try:
        message = json.loads(line)
        kind = message.get("kind")
    except (ValueError, AttributeError):
        return
    if kind == "cell" and isinstance(message.get("index"), int) and isinstance(message.get("outputs"), list):
        run.outputs[message["index"]] = message["outputs"]
        if message.get("cut") is True and not any("was cut" in n for n in run.notes):
            run.notes.append("the output of a cell was cut: it printed more than a cell may keep (1 MB)")
    elif kind == "collect" and isinstance(message.get("key"), str):
        run.collected[message["key"]] = message.get("results")
    elif kind == "ready":
        run.notes += [str(n)[:300] for n in message.get("notes", [])][:5]
    elif kind == "done":
        run.finished = True


def run_notebook(cells, inputs, companions=(), limits=Limits(), isolate=True, mpl_cache=None, scratch=None,
                 grading_dir=None):
    """Run the code cells of one notebook in a fresh sandbox.

    Args:
        cells: [{"index": int, "source": str, "instructor": bool}] in order.
        inputs: the JSON text of the inputs ``collect`` reads (``autograder.judge.inputs_document``).
        companions: [(relative path, host path)] files copied into the sandbox's home.
        limits: a ``Limits``.  isolate: False runs without bubblewrap (trusted code only).
        mpl_cache: a folder with matplotlib's font list (``matplotlib_cache``).
        scratch: where the job folder is made (default: the system's temporary folder).
        grading_dir: the grading folder, whose path in the sandbox holds tripwires (``tripwire``).
    Returns:
        a ``Run``; its ``refused`` says what the boundary refused, as seen from outside.
    """
    run = Run()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sandbox-", dir=scratch) as folder:
        job_dir = Path(folder) / "job"
        job_dir.mkdir()
        wires = Tripwires(Path(folder) / "tripwires", decoy_trees(grading_dir),
                          copies={f"{TOOLKIT}/nnlab": course.REPO / "nnlab"}) if isolate else None
        group = _cgroup(limits) if isolate else None
        log = DecoyLog(folder) if isolate else None
        try:
            _execute(job_dir, cells, inputs, companions, limits, isolate, mpl_cache, run, wires, group, log)
        finally:
            if log is not None:
                run.refused += [sentence for sentence in [log.tampered()] if sentence]
            if group is not None:
                run.refused += group.refusals(_limits_text(limits))
                group.remove()
            if wires is not None:
                run.refused += _tripped(wires)
    if not run.finished:  # time and output limits, crashes, kills: the grader saw the sandbox end early
        run.refused.insert(0, run.ended)
    run.seconds = round(time.monotonic() - started, 3)
    return run


def _tripped(wires):
    """Sentences on the tripwires a submission opened or wrote among (then the decoys are removed)."""
    out, (opened, planted) = [], (wires.tripped(), wires.planted())
    wires.close()
    for paths, what in ((opened, "tried to read the answer key, the solutions, the gradebook or other students' "
                                 "files: opened"),
                        (planted, "tried to write into the toolkit, the course or the grading folder: planted")):
        if paths:
            out.append(f"{what} {len(paths)} tripwire path(s) the sandbox holds in their place "
                       f"({', '.join(paths[:3])}{', ...' if len(paths) > 3 else ''})")
    return out


def _limits_text(limits):
    return {"memory": f"{limits.memory_mb} MB", "processes": limits.processes}


def _cgroup(limits):
    """The sandbox's control group, or None: the rlimits alone then hold, per process (``check`` says why
    at the batch's start)."""
    try:
        return Cgroup.create(limits.memory_mb << 20, limits.processes)
    except CgroupUnavailable:
        return None


def _execute(job_dir, cells, inputs, companions, limits, isolate, mpl_cache, run, wires, group, log):
    """Start the runner (in bwrap unless isolate is False), read what it sends, end it; fills ``run``.

    bwrap writes the sandbox's pid 1 to the info pipe and then waits on the block pipe: the grader opens
    the sandbox's network counters in between, before any code of the notebook runs."""
    read_end, channel = os.pipe()
    info_read, info = os.pipe() if isolate else (None, None)
    block_read, block = os.pipe() if isolate else (None, None)
    layout = Layout.for_run(job_dir, isolate)
    _prepare(job_dir, layout, channel, cells, inputs, companions, limits, mpl_cache)
    argv = command(job_dir, worker_uid(), limits, channel, isolate, info, wires.binds if wires else (), block_read)
    env = None if isolate else sandbox_env(layout, channel)
    inherited = (channel, info, block_read, log.fd) if isolate else (channel,)
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               pass_fds=inherited, start_new_session=True,
                               env=env, cwd="/", preexec_fn=group.enter if group else None)
    for fd in inherited[:3]:  # the decoy log's stays open until it is checked
        os.close(fd)
    init_pid, network = None, None
    try:
        if isolate:
            init_pid = _sandbox_init(info_read)
            network = NetworkCounters.open(init_pid) if init_pid is not None else None
            os.write(block, b"go")
            os.close(block)
            block = None
        _read(process, read_end, limits, run)
    finally:
        if network is not None:
            run.refused += network.refusals()
        if block is not None:
            os.close(block)
        _kill(process, init_pid)
        os.close(read_end)
        if isolate:
            os.close(info_read)
        process.stdout.close()
    if not run.ended:
        run.ended = "finished" if run.finished else _death(process.returncode, run, isolate)


def _death(code, run, isolate):
    """Why the runner stopped early, in words. bwrap reports a sandbox killed by signal N as exit code 128 + N."""
    if isolate and code is not None and code > 128:
        code = 128 - code
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else f"signal {-code}"
        meaning = {"SIGSEGV": "a segmentation fault", "SIGKILL": "killed, e.g. out of memory",
                   "SIGXCPU": "its CPU time limit", "SIGABRT": "an abort"}.get(name, name)
        return f"stopped: the notebook's process crashed ({meaning}) after {len(run.outputs)} cell(s)"
    return f"stopped: the notebook's process exited (code {code}) after {len(run.outputs)} cell(s)"


PROBE = """
import json, os, socket, sys
facts = {"uid": os.getuid(), "cap_eff": next(l.split()[1] for l in open("/proc/self/status") if l.startswith("CapEff")),
         "repo_visible": os.path.exists(sys.argv[1]),
         "venv_writable": os.access(os.path.dirname(os.path.dirname(sys.executable)), os.W_OK)}  # run with -S
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("127.0.0.1", int(sys.argv[2]))); facts["network"] = True
except OSError:
    facts["network"] = False
print(json.dumps(facts))
"""


def check(limits=Limits()):
    """Raise ``IsolationUnavailable`` unless a sandbox starts here and holds: an unprivileged uid without
    capabilities, the course repository invisible, the venv read-only, no network (a port the grader
    listens on is unreachable). Returns what the probe saw; ``cgroup_missing`` says why, when it is there,
    memory and processes are limited per process only (the grader goes on, and says so)."""
    if shutil.which("bwrap") is None:
        raise IsolationUnavailable(f"bubblewrap (bwrap) is not installed: {INSTALL_HINT}")
    listener = __import__("socket").socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    with tempfile.TemporaryDirectory() as job_dir:
        os.chmod(job_dir, 0o755)
        argv = command(job_dir, worker_uid(), limits, channel=2)
        argv = argv[:argv.index(f"{GRADER}/runner.py")] + ["-c", PROBE, str(course.REPO / "solutions"),
                                                            str(listener.getsockname()[1])]
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    listener.close()
    if proc.returncode != 0:
        raise IsolationUnavailable(f"the sandbox does not start ({proc.stderr.strip()[-300:]}): {INSTALL_HINT}")
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    broken = [what for what, bad in (("runs as root", facts["uid"] == 0), ("keeps capabilities", int(facts["cap_eff"], 16)),
                                     ("sees the course repository", facts["repo_visible"]),
                                     ("can write to the venv", facts["venv_writable"]),
                                     ("reaches the network", facts["network"])) if bad]
    if broken:
        raise IsolationUnavailable(f"the sandbox {', '.join(broken)}: {INSTALL_HINT}")
    try:
        group = Cgroup.create(limits.memory_mb << 20, limits.processes)
        group.remove()
        facts["cgroup"] = f"cgroup v{group.version}"
    except CgroupUnavailable as err:
        facts["cgroup"] = None
        facts["cgroup_missing"] = (f"no control group per sandbox ({err}): memory and processes are limited per "
                                   "process only (run the grader as root, or give it a delegated cgroup v2 group)")
    return facts

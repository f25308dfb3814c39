"""One control group per sandbox: memory and processes limited for the sandbox as a whole.

The rlimits the runner sets (``RLIMIT_AS``, ``RLIMIT_NPROC``) hold per process, or per uid: a notebook
that starts N processes may use N times the memory limit. A control group counts every process of the
sandbox together, tmpfs pages (its home and /tmp) included:

    memory.max = Limits.memory_mb   (v1: memory.limit_in_bytes, swap included when the kernel has it)
    pids.max   = Limits.processes   (processes and threads)

and the kernel's counters say, from outside the sandbox, what was refused: ``oom_kill`` (a process of the
sandbox was killed at the memory limit) and ``max`` in pids.events (a fork or thread was refused).

Both hierarchies are handled: cgroup v2 (the grader's own group must let its children use the memory and
pids controllers) and v1 (the memory and pids controllers mounted on their own, as on hybrid systems).
When neither can be written — an ordinary user without a delegated group, a container with /sys/fs/cgroup
read-only — ``Cgroup.create`` raises ``CgroupUnavailable`` saying why, and the sandbox keeps the rlimits.
"""
import itertools
import os
import time
from pathlib import Path

CONTROLLERS = ("memory", "pids")
_count = itertools.count()


class CgroupUnavailable(RuntimeError):
    """No control group can be made here; the message says why."""


def _mounts():
    """{"cgroup2": mount point} and {controller: mount point} of the cgroup v1 hierarchies."""
    v2, v1 = None, {}
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, point, kind, options, *_ = line.split()
        if kind == "cgroup2":
            v2 = point
        elif kind == "cgroup":
            for controller in CONTROLLERS:
                if controller in options.split(","):
                    v1[controller] = point
    return v2, v1


def _own_groups():
    """{controller or "": the grader's own group path} from /proc/self/cgroup ("" is the v2 group)."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        for name in names.split(",") if names else [""]:
            own[name] = path
    return own


def _write(path, value):
    with open(path, "w") as f:
        f.write(value)


def _parents_v2():
    """The folder the v2 groups are made in, with memory and pids delegated to its children."""
    v2, _ = _mounts()
    if v2 is None:
        return None
    parent = Path(v2) / _own_groups().get("", "/").lstrip("/")
    if not set(CONTROLLERS) <= set((parent / "cgroup.controllers").read_text().split()):
        return None  # the controllers are bound to v1 (hybrid system) or not given to this group
    enabled = (parent / "cgroup.subtree_control").read_text().split()
    if not set(CONTROLLERS) <= set(enabled):
        try:
            _write(parent / "cgroup.subtree_control", " ".join(f"+{c}" for c in CONTROLLERS))
        except OSError as err:
            raise CgroupUnavailable(f"cgroup v2: {parent} cannot give memory and pids to its children "
                                    f"({err.strerror}; a group that holds processes cannot)") from None
    return {"": parent}


def _parents_v1():
    _, v1 = _mounts()
    if set(v1) != set(CONTROLLERS):
        return None
    own = _own_groups()
    return {c: Path(v1[c]) / own.get(c, "/").lstrip("/") for c in CONTROLLERS}


class Cgroup:
    """The control group(s) of one sandbox: one folder in v2, one per controller in v1."""

    def __init__(self, folders, version):
        self.folders, self.version = folders, version

    @classmethod
    def create(cls, memory_bytes, processes):
        """A new group limited to ``memory_bytes`` and ``processes``; raises CgroupUnavailable."""
        parents, version = _parents_v2(), 2
        if parents is None:
            parents, version = _parents_v1(), 1
        if parents is None:
            raise CgroupUnavailable("no cgroup hierarchy with the memory and pids controllers is mounted")
        name = f"autograder-{os.getpid()}-{next(_count)}"
        folders = {c: parent / name for c, parent in parents.items()}
        try:
            for folder in folders.values():
                folder.mkdir()
            group = cls(folders, version)
            group._limit(memory_bytes, processes)
        except OSError as err:
            for folder in folders.values():
                if folder.exists():
                    folder.rmdir()
            raise CgroupUnavailable(f"cgroup v{version}: cannot make a group in {next(iter(parents.values()))} "
                                    f"({err.strerror})") from None
        return group

    def _file(self, controller, v2_name, v1_name):
        return self.folders["" if self.version == 2 else controller] / (v2_name if self.version == 2 else v1_name)

    def _limit(self, memory_bytes, processes):
        _write(self._file("memory", "memory.max", "memory.limit_in_bytes"), str(memory_bytes))
        swap = self._file("memory", "memory.swap.max", "memory.memsw.limit_in_bytes")
        if swap.exists():  # no swapping past the limit (v1 counts memory + swap together)
            _write(swap, "0" if self.version == 2 else str(memory_bytes))
        _write(self._file("pids", "pids.max", "pids.max"), str(processes))

    def enter(self):
        """Move the calling process into the group (run in the child before it execs bwrap)."""
        for folder in self.folders.values():
            _write(folder / "cgroup.procs", str(os.getpid()))

    def _counter(self, controller, v2_name, v1_name, key):
        try:
            lines = self._file(controller, v2_name, v1_name).read_text().splitlines()
        except OSError:
            return 0
        return next((int(v) for k, v in (line.split() for line in lines if line.strip()) if k == key), 0)

    def refusals(self, limits_text):
        """Sentences on what the kernel refused the sandbox, from its counters (read from outside)."""
        out = []
        killed = self._counter("memory", "memory.events", "memory.oom_control", "oom_kill")
        if killed:
            out.append(f"out of memory: the kernel killed {killed} process(es) of the sandbox at its limit of "
                       f"{limits_text['memory']} for all its processes together")
        forks = self._counter("pids", "pids.events", "pids.events", "max")
        if forks:
            out.append(f"process limit reached: the kernel denied {forks} fork(s) or thread(s) (at most "
                       f"{limits_text['processes']} processes and threads in the sandbox)")
        return out

    def remove(self):
        """Delete the group once its processes are gone (they are being reaped when the sandbox ends)."""
        for folder in self.folders.values():
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)

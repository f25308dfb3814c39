"""Tripwires: decoy files where an escape would look, watched from outside the sandbox.

The sandbox holds no answer key, so an attempt to read it fails by itself; a tripwire makes the attempt
visible to the grader. At the places an escape reads — the course repository's path, the grading
folder's path, and ``/toolkit/autograder`` (where ``import autograder`` would find the grader next to the
toolkit) — the sandbox sees a read-only tree of decoys: the names of the answer key, the solutions and
the gradebook, each file holding only a line that raises ``ModuleNotFoundError`` when run. The grader
watches the decoys' folders with inotify (the kernel reports an open of the bound file on the host's
inode, whatever the mount namespace): an open or a read of any decoy is the evidence, gathered outside.

When the grader is root, the decoys live on a small tmpfs of their own (``TRAP_BYTES``) and their
folders are writable by anyone but sticky (the decoys, owned by root and read-only, cannot be changed,
replaced or removed): a file or folder a submission plants there is found after the run. An ordinary
user cannot mount that tmpfs, so the decoys are bound read-only and a write is refused unseen.

The grading folder's decoy ``submitted/`` (and ``autograded/``, ``feedback/``) holds the folders of made-up
students (``BAIT_STUDENTS``): listing those folders, or opening a notebook in them, is seen the same way.

The runner keeps decoys of the answer key's functions in its memory (``answer_key_functions``): functions
named as the reference's, of module ``autograder.reference.*``, that open their module's tripwire when
called. A submission looking for the answer key among the process's objects finds them, and calling one
is seen from outside (the memory itself is the submission's: what it only reads there is not seen).

A decoy of the grader's log (``DecoyLog``) is handed to the sandbox as an open, writable file descriptor,
where the old grader's log was: truncating it or writing to it (what hides refused actions from a log) is
seen from outside by comparing the file with what the grader wrote.

Not covered: a path the decoys do not mirror (another student's notebook, whose name the decoys must not
reveal, is simply absent), attempts the kernel refuses before opening anything (a write into the
read-only system or toolkit: EROFS, no event), and the process's own memory read without calling what
it finds there.
"""
import ast
import ctypes
import functools
import os
import shutil
import struct
from pathlib import Path

from .. import course

IN_ACCESS, IN_OPEN, IN_NONBLOCK, IN_CLOEXEC = 0x1, 0x20, os.O_NONBLOCK, os.O_CLOEXEC
TRAP_BYTES = 8 << 20  # the tmpfs holding the decoys and whatever a submission plants among them
DECOY = b"raise ModuleNotFoundError(\"No module named 'autograder': the grading sandbox holds no answer key\")\n"
BAIT_STUDENTS = ("a.student", "jdoe42")  # made-up names: the decoys never name a real student
GRADING_NAMES = ("gradebook.db", "submitted/", "autograded/", "feedback/", "release/", "source/")
LOG_TEXT = b"autograder: grading log of this batch (the refused actions of each submission)\n"


@functools.lru_cache(maxsize=1)
def repository_names():
    """The answer key's names, relative to the repository: the grader's modules and the solutions (read once
    per process)."""
    names = [p.relative_to(course.REPO) for p in course.HERE.rglob("*.py") if "__pycache__" not in p.parts]
    names += [p.relative_to(course.REPO) for p in course.SOLUTIONS.rglob("*")
              if p.is_file() and not any(part.startswith(".") for part in p.relative_to(course.SOLUTIONS).parts)]
    return tuple(sorted(str(n) for n in names))


@functools.lru_cache(maxsize=1)
def answer_key_functions(toolkit="/toolkit"):
    """[(module, function, decoy path)] of the answer key's public functions, for the decoys the runner keeps
    in its memory (read from the source, not imported): a decoy called opens its module's tripwire."""
    out = []
    for path in sorted((course.HERE / "reference").glob("*.py")):
        module = f"autograder.reference.{path.stem}"
        out += [(module, node.name, f"{toolkit}/autograder/reference/{path.name}")
                for node in ast.parse(path.read_text()).body
                if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    return out


def grading_names():
    """The grading folder's decoy names: nbgrader's, and the made-up students' notebooks in nbgrader's layout
    (``submitted/<student>/<assignment>/<notebook>.ipynb``, the feedback page as ``.html``)."""
    notebooks = [n.split("/", 1)[1] for n in repository_names() if n.startswith("solutions/") and n.endswith(".ipynb")]
    return list(GRADING_NAMES) + [f"{folder}/{student}/{nb[:-6] + '.html' if folder == 'feedback' else nb}"
                                  for folder in ("submitted", "autograded", "feedback")
                                  for student in BAIT_STUDENTS for nb in notebooks]


def decoy_trees(grading_dir=None, toolkit="/toolkit"):
    """{place in the sandbox: [relative names, a trailing / for a folder]}: where tripwires go."""
    code = [n for n in repository_names() if n.startswith("autograder/")]
    trees = {str(course.REPO): list(repository_names()), f"{toolkit}/autograder": [n.split("/", 1)[1] for n in code]}
    if grading_dir is not None:
        grading = Path(grading_dir).resolve()
        inside = [str(grading.relative_to(course.REPO) / n) + ("/" if n.endswith("/") else "")
                  for n in grading_names()] if grading.is_relative_to(course.REPO) else None
        if inside:
            trees[str(course.REPO)] += inside
        else:
            trees[str(grading)] = grading_names()
    return trees


class _Inotify:
    """The few inotify calls needed, through libc."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")

    def watch(self, path):
        wd = self.libc.inotify_add_watch(self.fd, os.fsencode(path), IN_OPEN | IN_ACCESS)
        if wd < 0:
            raise OSError(ctypes.get_errno(), f"inotify_add_watch {path}")
        return wd

    def events(self):
        """[(watch descriptor, name)] of the events so far."""
        out = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return out
            offset = 0
            while offset < len(data):
                wd, _, _, size = struct.unpack_from("iIII", data, offset)
                out.append((wd, data[offset + 16:offset + 16 + size].rstrip(b"\0").decode(errors="replace")))
                offset += 16 + size

    def close(self):
        os.close(self.fd)


def _mount_tmpfs(folder):
    """Mount a small tmpfs on ``folder`` (root only); True when it worked."""
    if os.geteuid() != 0:
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    options = f"size={TRAP_BYTES},nr_inodes=4096,mode=755".encode()
    return libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", ctypes.c_ulong(0x2 | 0x4 | 0x8), options) == 0


class Tripwires:
    """The decoy trees of one sandbox, built under ``folder``; ``binds`` are (host, sandbox, writable)."""

    def __init__(self, folder, trees, copies=None, read_only=("/toolkit/autograder",)):
        """trees: ``decoy_trees()``; copies: {place in the sandbox: host folder} copied whole onto the tmpfs
        (the toolkit: its files unchangeable, a file planted among them found), only when it is writable;
        read_only: places kept read-only even on the tmpfs (Python writes an imported decoy's bytecode)."""
        self.binds, self._where, self._inotify, self._made = [], {}, _Inotify(), set()
        folder = Path(folder)
        folder.mkdir()
        self.folder, self.writable = folder, _mount_tmpfs(folder)
        places = [(inside, names, None) for inside, names in sorted(trees.items())]
        places += [(inside, None, Path(source)) for inside, source in (copies or {}).items() if self.writable]
        for k, (inside, names, source) in enumerate(places):
            writable = self.writable and inside not in read_only
            host = folder / str(k)
            if source is None:
                self._decoys(host, names)
            else:
                shutil.copytree(source, host, ignore=shutil.ignore_patterns("__pycache__", ".*"))
            for path in [*host.rglob("*"), host]:
                path.chmod((0o1777 if writable else 0o555) if path.is_dir() else 0o444)
                self._made.add(path)
                if path.is_dir() and source is None:
                    self._where[self._inotify.watch(path)] = Path(inside) / path.relative_to(host)
            self.binds.append((host, inside, writable))

    @staticmethod
    def _decoys(host, names):
        host.mkdir(parents=True)
        for name in names:
            (host / name).parent.mkdir(parents=True, exist_ok=True)
            if name.endswith("/"):
                (host / name).mkdir(exist_ok=True)
            else:
                (host / name).write_bytes(DECOY)

    def tripped(self):
        """The sandbox paths of the decoys opened or read so far, in order, each once."""
        seen = []
        for wd, name in self._inotify.events():
            path = str(self._where[wd] / name) if wd in self._where else "?"
            if path not in seen:
                seen.append(path)
        return seen

    def planted(self):
        """The sandbox paths of the files (and empty folders) a submission made among the decoys."""
        return [str(Path(inside) / path.relative_to(host)) for host, inside, _ in self.binds
                for path in sorted(host.rglob("*")) if path not in self._made
                and not (path.is_dir() and any(path.iterdir()))]

    def close(self):
        self._inotify.close()
        if self.writable:
            ctypes.CDLL(None, use_errno=True).umount2(os.fsencode(self.folder), 2)  # MNT_DETACH


class DecoyLog:
    """A decoy of the grader's log, passed into the sandbox as an open read-write descriptor (``fd``).

    Nothing the grader runs in the sandbox uses it; the file itself lives outside, so what the descriptor
    let a submission do to it (truncate it, write into it) is found by reading the file after the run."""

    def __init__(self, folder):
        self.path = Path(folder) / "autograder.log"
        self.path.write_bytes(LOG_TEXT)
        self.fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CLOEXEC)

    def tampered(self):
        """A sentence when the decoy changed, else None; the descriptor is closed."""
        os.close(self.fd)
        now = self.path.read_bytes()
        if now == LOG_TEXT:
            return None
        what = "truncated" if len(now) < len(LOG_TEXT) else "wrote into"
        return (f"{what} a file descriptor it inherited, a decoy of the grader's log ({len(LOG_TEXT)} bytes, "
                f"now {len(now)})")

"""Finding the submissions to grade, in a folder or a zip, in the layouts instructors get them.

Layouts (``--layout``; by default the first that fits every notebook found):

- ``nbgrader``: ``[submitted/]<student>/<assignment>/<notebook>.ipynb``, as ``nbgrader collect`` or a
  JupyterHub exchange leaves it; the other files of the folder go along;
- ``canvas``: ``<name>_[LATE_]<user id>_<submission id>_<file>``, e.g.
  ``doejane_12345_67890_01_backprop.ipynb``; the student id is ``<name>_<user id>`` (``doejane_12345``),
  a student's other files go along, and the submission id (it grows with time) orders resubmissions;
- ``moodle``: ``<Full Name>_<id>_assignsubmission_file_<file>``, or per-student folders
  ``<Full Name>_<id>_assignsubmission_file_/<file>``; the student id is ``<Full Name>_<id>``;
- ``flat``: ``<student>.ipynb``: the student id is the whole file name, so ``jane_doe.ipynb`` and
  ``jane_roe.ipynb`` are two students.

Student ids are NFC-normalised, spaces and accents kept. Two sources that would give one student
(``alice/`` and ``alice.ipynb``; ``Alice.ipynb`` and ``alice.ipynb``, one folder on a case-insensitive
disk) are refused, naming both: nothing is merged. Several notebooks of one student for one
notebook (a resubmission) are ordered by the export's time (Canvas's submission id) or the files'
modification time, never by name; the latest is graded and a note names it and the others. Every
file found is accounted for in ``Found.files``: graded, gone along, or why not.
"""
import csv
import os
import re
import shutil
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

COPY_LIMIT = 20_000_000  # bytes of other files copied from a student's folder
LAYOUTS = ("nbgrader", "flat", "canvas", "moodle")
CANVAS = re.compile(r"^(?P<name>[^_]+)_(?P<late>(?:LATE|late)_)?(?P<user>\d+)_(?P<order>\d+)_(?P<file>.+)$")
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.*)$")
JUNK = ("__MACOSX", ".ipynb_checkpoints", "__pycache__")


class SubmissionsError(Exception):
    """The submissions cannot be used at all; the message says what to do."""


@dataclass(frozen=True)
class ZipLimits:
    """What a zip of submissions may expand to; beyond, it is refused before anything is written."""

    total_bytes: int = 4_000_000_000
    files: int = 50_000
    file_bytes: int = 200_000_000
    ratio: float = 200.0  # uncompressed / zip size, checked once the total passes ratio_from bytes
    ratio_from: int = 100_000_000


@dataclass
class Submission:
    """One student's files for one assignment.

    Attributes:
        student: the student id.
        notebooks: notebook name of the assignment -> submitted file (None when it is missing).
        folder: the submitted folder (nbgrader, Moodle folders), whose other files go along; None for flat files.
        notes: what was odd while finding the files (e.g. which of two resubmissions was graded).
        companions: name -> file of a flat LMS export's other files of this student, copied along.
        refused: why the student cannot be graded ("" when they can), naming the files.
    """

    student: str
    notebooks: dict
    folder: Path = None
    notes: list = field(default_factory=list)
    companions: dict = field(default_factory=dict)
    refused: str = ""


@dataclass
class FileFate:
    """What happened to one file found: fate is "graded", "along" (copied with a graded notebook),
    "not graded" (an earlier resubmission), "refused" or "skipped"; reason says why."""

    path: str
    student: str
    fate: str
    reason: str = ""


@dataclass
class Found:
    """The submissions (sorted by student id, refused ones included) and the fate of every file found."""

    submissions: list
    files: list
    layout: str


@dataclass
class _Candidate:
    """A notebook (or a student folder) that belongs to a student in the layout."""

    student: str
    path: Path
    origin: str  # what identifies the source: one origin per student, else the student is refused
    order: float  # time order of resubmissions
    file: str = ""  # the file's own name in an LMS export (without the LMS prefix)
    folder: bool = False
    notes: list = field(default_factory=list)


def student_id(name):
    """A student id from a folder or file name: NFC-normalised, surrounding spaces removed."""
    return unicodedata.normalize("NFC", name).strip()


def _hidden(name):
    return name.startswith(".") or name in JUNK


# --- zips ------------------------------------------------------------------------------------------
def extract_zip(path, dest, limits=ZipLimits()):
    """Extract a zip of submissions into dest; returns the FileFates of the entries left out.

    Refused as a whole (SubmissionsError naming the limit) before anything is written when its
    declared sizes pass a limit of ``limits``; sizes are counted again while extracting, in case the
    headers lie. Entries that would land outside dest, hidden entries and __MACOSX are left out.
    """
    path, dest = Path(path), Path(dest)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as err:
        raise SubmissionsError(f"{path} is not a valid zip file ({err})") from None
    with archive:
        members, left_out, seen = [], [], set()
        for info in archive.infolist():
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            where = f"{path.name}:{info.filename}"
            if info.is_dir() or not parts:
                continue
            if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                left_out.append(FileFate(where, "", "skipped", "its path leads outside the extraction folder"))
            elif any(_hidden(p) for p in parts):
                left_out.append(FileFate(where, "", "skipped", "a hidden or system file"))
            elif parts in seen:
                left_out.append(FileFate(where, "", "skipped",
                                         "a second entry of that name in the zip (the first is kept)"))
            else:
                seen.add(parts)
                members.append((info, parts))
        _check_sizes(path, [info for info, _ in members], limits)
        budget = limits.total_bytes
        for info, parts in members:
            target = dest.joinpath(*parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                budget -= _copy_bounded(archive, info, target, min(limits.file_bytes, budget), path, limits)
            except (OSError, zipfile.BadZipFile) as err:  # a file where a folder is, a corrupt entry
                left_out.append(FileFate(f"{path.name}:{info.filename}", "", "skipped", f"cannot be extracted ({err})"))
                continue
            stamp = time.mktime(info.date_time + (0, 0, -1))  # the entry's time orders resubmissions
            os.utime(target, (stamp, stamp))
    return left_out


def _check_sizes(path, infos, limits):
    total = sum(i.file_size for i in infos)
    big = max(infos, key=lambda i: i.file_size, default=None)
    zip_size = max(path.stat().st_size, 1)
    if len(infos) > limits.files:
        raise SubmissionsError(f"{path} holds {len(infos)} files, more than the limit of {limits.files}: "
                               "refused (split it, or check that it is the right zip)")
    if big is not None and big.file_size > limits.file_bytes:
        raise SubmissionsError(f"{path}: {big.filename} expands to {big.file_size:,} bytes, more than the limit "
                               f"of {limits.file_bytes:,} bytes per file: refused")
    if total > limits.total_bytes:
        raise SubmissionsError(f"{path} expands to {total:,} bytes, more than the limit of "
                               f"{limits.total_bytes:,} bytes in all: refused")
    if total > limits.ratio_from and total / zip_size > limits.ratio:
        raise SubmissionsError(f"{path} expands {total / zip_size:,.0f} times (to {total:,} bytes), more than the "
                               f"limit of {limits.ratio:g} times for a zip of submissions: refused as a zip bomb")


def _copy_bounded(archive, info, target, allowed, path, limits):
    """Copy one entry, stopping when it passes the bytes allowed (lying headers); returns its size."""
    written = 0
    with archive.open(info) as src, open(target, "wb") as out:
        while chunk := src.read(1 << 20):
            written += len(chunk)
            if written > allowed:
                raise SubmissionsError(f"{path}: {info.filename} expands beyond the limit of {limits.file_bytes:,} "
                                       f"bytes per file or {limits.total_bytes:,} bytes in all: refused")
            out.write(chunk)
    return written


# --- finding -----------------------------------------------------------------------------------
def _root(path, assignment):
    """The folder that holds the students: path itself, its submitted/ folder, or a single wrapping folder."""
    path = Path(path)
    if (path / "submitted").is_dir():
        return path / "submitted"
    entries = [p for p in path.iterdir() if not _hidden(p.name)]
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != assignment and \
            not (entries[0] / assignment).is_dir() and not MOODLE.match(entries[0].name):
        return _root(entries[0], assignment)
    return path


def find(path, assignment, notebook_names, scratch, layout=None, others=()):
    """The submissions of one assignment under path (a folder or a .zip), and the fate of every file.

    Args:
        path: the SUBMISSIONS argument.
        assignment: the assignment name, e.g. "01_backprop".
        notebook_names: the assignment's notebook file names, e.g. ["01_backprop.ipynb"].
        scratch: an empty folder where a zip is extracted.
        layout: one of LAYOUTS, or None to recognise it.
        others: the notebook names of the other assignments (their files are skipped, and said so).
    Returns:
        Found.
    Raises:
        SubmissionsError: path missing or unreadable, a bad or too large zip, or no submission in it.
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionsError(f"{path}: no such file or folder")
    files = []
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise SubmissionsError(f"{path} is a file but not a .zip: give a folder or a zip of submissions")
        files += extract_zip(path, Path(scratch) / "unzipped")
        path = Path(scratch) / "unzipped"
    try:
        root = _root(path, assignment)
        entries = sorted(root.iterdir())
        layout = layout or _recognise(entries, assignment)
        candidates = [c for entry in entries for c in _classify(entry, root, assignment, layout, files)]
    except PermissionError as err:
        raise SubmissionsError(f"{err.filename}: permission denied, cannot read the submissions") from None
    candidates = _drop_other_assignments(candidates, notebook_names, others, root, files)
    subs = [_one(student, group, notebook_names, root, files)
            for student, group in sorted(_by_student(candidates).items())]
    if not subs:
        raise SubmissionsError(
            f"no submissions of {assignment} in {path}: expected <student>/{assignment}/*.ipynb folders "
            f"(nbgrader's layout), <student>.ipynb files, or a Canvas or Moodle export")
    return Found(sorted(subs, key=lambda s: s.student), files, layout)


def _recognise(entries, assignment):
    """The layout of the top-level entries: Moodle or Canvas when every notebook there is named as
    they name exports (or Moodle's per-student folders are there), flat for other notebooks, else nbgrader."""
    notebooks = [e.stem for e in entries if e.is_file() and e.suffix.lower() == ".ipynb" and not _hidden(e.name)]
    if any(e.is_dir() and MOODLE.match(e.name) for e in entries) or notebooks and all(map(MOODLE.match, notebooks)):
        return "moodle"
    if notebooks and all(map(CANVAS.match, notebooks)):
        return "canvas"
    return "flat" if notebooks else "nbgrader"


def _rel(path, root):
    return str(Path(path).relative_to(root))


def _classify(entry, root, assignment, layout, files):
    """The candidates in one top-level entry; what is not one goes to files with the reason."""
    def skip(why):
        files.append(FileFate(_rel(entry, root) + ("/" if entry.is_dir() else ""), "", "skipped", why))
        return []

    if _hidden(entry.name):
        return skip("a hidden or system file")
    if entry.is_dir():
        if (entry / assignment).is_dir() and layout in ("nbgrader", "flat", "canvas"):
            for other in sorted(p for p in entry.iterdir() if p.name != assignment):
                files.append(FileFate(_rel(other, root) + ("/" if other.is_dir() else ""), student_id(entry.name),
                                      "skipped", f"outside the student's {assignment}/ folder"))
            return [_Candidate(student_id(entry.name), entry / assignment, f"folder {_rel(entry, root)}",
                               entry.stat().st_mtime, folder=True)]
        match = MOODLE.match(entry.name)
        if layout == "moodle" and match:
            return [_Candidate(student_id(f"{match['name']}_{match['user']}"), entry, f"moodle {match['user']}",
                               entry.stat().st_mtime, folder=True)]
        return skip(f"a folder without a {assignment}/ folder in it")
    notebook = entry.suffix.lower() == ".ipynb"
    if layout == "flat" and notebook:
        return [_Candidate(student_id(entry.stem), entry, f"file {entry.name}", entry.stat().st_mtime, entry.name)]
    pattern = {"canvas": CANVAS, "moodle": MOODLE}.get(layout)
    match = pattern.match(entry.name) if pattern else None
    if match:
        user = match["user"]
        late = ["Canvas marked it late"] if layout == "canvas" and match["late"] else []
        order = float(match["order"]) if layout == "canvas" else entry.stat().st_mtime
        name = f"{match['name']}_{user}"
        return [_Candidate(student_id(name), entry, f"{layout} {user}", order, match["file"], notes=late)]
    if layout in ("canvas", "moodle"):
        return skip(f"not named as {layout.capitalize()} names its exports")
    return skip("not a notebook" if not notebook else "a file outside the students' folders (nbgrader layout)")


def _drop_other_assignments(candidates, notebook_names, others, root, files):
    """Flat files named after another assignment's notebook (and not this one's) are skipped."""
    ours = [Path(n).stem for n in notebook_names]
    kept = []
    for c in candidates:
        stem = Path(c.file).stem if c.file else ""
        theirs = next((o for o in others if stem and stem.endswith(Path(o).stem)), None)
        if theirs and not any(stem.endswith(s) for s in ours):
            files.append(FileFate(_rel(c.path, root), c.student, "skipped",
                                  f"a notebook of another assignment ({theirs})"))
        else:
            kept.append(c)
    return kept


def _by_student(candidates):
    """Candidates grouped by student id, ids that differ only by case falling in one group."""
    groups = {}
    for c in candidates:
        if c.student:
            groups.setdefault(c.student.casefold(), []).append(c)
    return {min(c.student for c in group): group for group in groups.values()}


def _one(student, group, notebook_names, root, files):
    """One student's Submission from the candidates of one origin; refused when there are two origins."""
    if len({c.origin for c in group}) > 1 or len({c.student for c in group}) > 1:
        named = ", ".join(_rel(c.path, root) for c in sorted(group, key=lambda c: str(c.path)))
        ids = ", ".join(sorted({c.student for c in group}))
        reason = (f"refused: {named} would all be graded as this student ({ids}); "
                  "nothing was graded: rename or remove all but one and grade again")
        files += [FileFate(_rel(c.path, root), student, "refused", reason) for c in group]
        return Submission(student, {n: None for n in notebook_names}, refused=reason)
    if group[0].folder:
        return _from_folder(student, group[0], notebook_names, root, files)
    sub = Submission(student, {n: None for n in notebook_names}, )
    notebooks = [c for c in group if c.path.suffix.lower() == ".ipynb"]
    by = "the export's submission order" if group[0].origin.startswith("canvas") else "modification time"
    for name in notebook_names:
        mine = [c for c in notebooks if len(notebook_names) == 1 or Path(c.file).stem.startswith(Path(name).stem)]
        chosen = _latest([c for c in mine if _names_notebook(c.file, name)] or mine, sub, name, root, files, by)
        if chosen is not None:
            sub.notebooks[name] = chosen.path
            sub.notes[:0] = chosen.notes  # e.g. that Canvas marked the graded one late
            files.append(FileFate(_rel(chosen.path, root), student, "graded"))
    accounted = {f.path for f in files}
    for c in group:  # the student's other files (helpers, data, another notebook) go along
        if _rel(c.path, root) not in accounted:
            sub.companions[c.file] = c.path
            files.append(FileFate(_rel(c.path, root), student, "along", "copied next to the notebook"))
    return sub


def _names_notebook(file, name):
    """Whether an LMS file name is the notebook's (``01_backprop.ipynb``, or Canvas's ``01_backprop-2.ipynb``)."""
    return re.fullmatch(re.escape(Path(name).stem) + r"(-\d+)?\.ipynb", file or "", re.I) is not None


def _latest(candidates, sub, name, root, files, by):
    """The latest of a student's notebooks for one notebook of the assignment; a note names the others."""
    if not candidates:
        return None
    ordered = sorted(candidates, key=lambda c: (c.order, str(c.path)))
    chosen, earlier = ordered[-1], ordered[:-1]
    if earlier:
        others = ", ".join(_rel(c.path, root) for c in earlier)
        sub.notes.append(f"{len(ordered)} files for {name}: graded {_rel(chosen.path, root)}, the latest by {by}; "
                         f"not graded: {others}")
        files += [FileFate(_rel(c.path, root), sub.student, "not graded",
                           f"an earlier submission than {_rel(chosen.path, root)} (by {by})") for c in earlier]
    return chosen


def _from_folder(student, candidate, notebook_names, root, files):
    """A student folder (nbgrader, Moodle): its notebooks by name, else the latest notebook in it."""
    folder = candidate.path
    sub = Submission(student, {n: (folder / n if (folder / n).is_file() else None) for n in notebook_names}, folder)
    if not any(sub.notebooks.values()) and len(notebook_names) == 1:
        notebooks = [_Candidate(student, p, "", p.stat().st_mtime) for p in sorted(folder.glob("*.ipynb"))
                     if not _hidden(p.name)]
        chosen = _latest(notebooks, sub, notebook_names[0], root, files, by="modification time")
        if chosen is not None:
            sub.notebooks = {notebook_names[0]: chosen.path}
            sub.notes.append(f"the notebook was named {chosen.path.name}, not {notebook_names[0]}")
    graded = {p for p in sub.notebooks.values() if p is not None}
    accounted = {f.path for f in files}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path not in graded and _rel(path, root) not in accounted:
            hidden = any(_hidden(p) for p in path.relative_to(folder).parts)
            files.append(FileFate(_rel(path, root), student, "skipped" if hidden else "along",
                                  "a hidden or system file" if hidden else "copied next to the notebook"))
    files += [FileFate(_rel(p, root), student, "graded") for p in sorted(graded)]
    return sub


def write_files_report(files, path):
    """The CSV of what became of every file found: path, student, fate, reason (written atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "student_id", "fate", "reason"])
        writer.writerows([f.path, f.student, f.fate, f.reason] for f in sorted(files, key=lambda f: f.path))
    os.replace(tmp, path)
    return path


# --- importing -----------------------------------------------------------------------------------
def import_into(sub, assignment, submitted_dir):
    """Copy one submission into nbgrader's submitted/<student>/<assignment>/ folder.

    Returns:
        (folder, message): the student's folder there, and a sentence when an earlier submission
        with other content was replaced (None otherwise).
    """
    dest = Path(submitted_dir) / sub.student / assignment
    if sub.folder is not None and Path(sub.folder).resolve() == dest.resolve():
        return dest, None
    files = {name: path.read_bytes() for name, path in sub.notebooks.items() if path is not None}
    budget = COPY_LIMIT
    along = list(sub.companions.items())
    if sub.folder is not None:
        along += [(str(p.relative_to(sub.folder)), p) for p in sorted(Path(sub.folder).rglob("*"))]
    for rel, path in along:
        if path.is_file() and not path.is_symlink() and rel not in files and Path(rel).name not in sub.notebooks \
                and path not in sub.notebooks.values() and not any(_hidden(p) for p in Path(rel).parts) \
                and path.stat().st_size <= budget:
            budget -= path.stat().st_size
            files[rel] = path.read_bytes()
    old = {str(p.relative_to(dest)): p.read_bytes() for p in sorted(dest.rglob("*")) if p.is_file()} \
        if dest.is_dir() else {}
    if old == files:
        return dest, None
    message = None
    if old:
        message = f"{sub.student}: replaced the earlier submission in {dest} (its files changed)"
        shutil.rmtree(dest)
    for rel, data in files.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    dest.mkdir(parents=True, exist_ok=True)
    return dest, message

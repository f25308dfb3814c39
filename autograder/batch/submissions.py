"""Finding the submissions to grade, in a folder or a zip, in the layouts instructors get them.

- nbgrader's layout, as ``nbgrader collect`` or a JupyterHub exchange leaves it:
  ``[submitted/]<student>/<assignment>/<notebook>.ipynb`` (other files in the folder go along);
- the flat layout that course platforms export: ``<student>.ipynb`` or ``<student>_<anything>.ipynb``
  (the student id is the part before the first underscore).

Student ids are the folder or file names, in Unicode NFC form; spaces and accents are kept.
"""
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

COPY_LIMIT = 20_000_000  # bytes of other files copied from a student's folder


class SubmissionsError(Exception):
    """The submissions cannot be used at all; the message says what to do."""


@dataclass
class Submission:
    """One student's files for one assignment.

    Attributes:
        student: the student id.
        notebooks: notebook name of the assignment -> submitted file (None when it is missing).
        folder: the submitted folder (nbgrader layout), whose other files go along; None for flat files.
        notes: what was odd while finding the files (e.g. two files for one student).
    """

    student: str
    notebooks: dict
    folder: Path = None
    notes: list = field(default_factory=list)


def student_id(name):
    """A student id from a folder or file name: NFC-normalised, surrounding spaces removed."""
    return unicodedata.normalize("NFC", name).strip()


def _visible(path):
    return not path.name.startswith(".") and path.name not in ("__MACOSX", ".ipynb_checkpoints")


def extract_zip(path, dest):
    """Extract a zip of submissions into dest, refusing entries that would land outside it."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise SubmissionsError(f"{path} is not a valid zip file") from None
    with archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not parts or info.filename.startswith("/") or ".." in parts or \
                    any(p.startswith(".") or p == "__MACOSX" for p in parts):
                continue
            target = Path(dest).joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)
    return Path(dest)


def _root(path, assignment):
    """The folder that holds the students: path itself, its submitted/ folder, or a single wrapping folder."""
    path = Path(path)
    if (path / "submitted").is_dir():
        return path / "submitted"
    entries = [p for p in path.iterdir() if _visible(p)]
    if len(entries) == 1 and entries[0].is_dir() and entries[0].name != assignment and \
            not (entries[0] / assignment).is_dir():
        return _root(entries[0], assignment)
    return path


def find(path, assignment, notebook_names, scratch):
    """The submissions of one assignment under path (a folder or a .zip), sorted by student id.

    Args:
        path: the SUBMISSIONS argument.
        assignment: the assignment name, e.g. "01_backprop".
        notebook_names: the assignment's notebook file names, e.g. ["01_backprop.ipynb"].
        scratch: an empty folder where a zip is extracted.
    Raises:
        SubmissionsError: path missing or unreadable, a bad zip, or no submission in it.
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionsError(f"{path}: no such file or folder")
    if path.is_file():
        if path.suffix.lower() != ".zip":
            raise SubmissionsError(f"{path} is a file but not a .zip: give a folder or a zip of submissions")
        path = extract_zip(path, Path(scratch) / "unzipped")
    try:
        root = _root(path, assignment)
        entries = sorted(p for p in root.iterdir() if _visible(p))
    except PermissionError as err:
        raise SubmissionsError(f"{err.filename}: permission denied, cannot read the submissions") from None

    found = {}
    for entry in entries:
        if entry.is_dir() and (entry / assignment).is_dir():
            folder = entry / assignment
            sub = Submission(student_id(entry.name), {n: (folder / n if (folder / n).is_file() else None)
                                                      for n in notebook_names}, folder)
            if not any(sub.notebooks.values()):
                others = sorted(p.name for p in folder.glob("*.ipynb"))
                if len(notebook_names) == 1 and len(others) == 1:
                    sub.notebooks = {notebook_names[0]: folder / others[0]}
                    sub.notes.append(f"the notebook was named {others[0]}, not {notebook_names[0]}")
            found.setdefault(sub.student, []).append(sub)
        elif entry.is_file() and entry.suffix == ".ipynb":
            student = student_id(entry.stem.split("_")[0])
            name = _flat_notebook(entry.stem, notebook_names)
            if not student or name is None:
                continue
            found.setdefault(student, []).append(Submission(student, {n: (entry if n == name else None)
                                                                      for n in notebook_names}))
    if not found:
        raise SubmissionsError(
            f"no submissions of {assignment} in {path}: expected <student>/{assignment}/*.ipynb folders "
            f"(nbgrader's layout) or <student>.ipynb / <student>_<anything>.ipynb files")
    return [_one(student, subs) for student, subs in sorted(found.items())]


def _flat_notebook(stem, notebook_names):
    if len(notebook_names) == 1:
        return notebook_names[0]
    return next((n for n in notebook_names if stem.endswith(Path(n).stem)), None)


def _one(student, subs):
    """Merge what was found for one student: the last file (by name) wins for each notebook."""
    if len(subs) == 1:
        return subs[0]
    merged = Submission(student, {}, next((s.folder for s in subs if s.folder), None))
    for sub in subs:
        for name, file in sub.notebooks.items():
            if file is not None:
                previous = merged.notebooks.get(name)
                if previous is not None:
                    chosen = max(previous, file, key=lambda p: p.name)
                    merged.notes.append(f"two files for {name} ({previous.name}, {file.name}): graded {chosen.name}")
                    file = chosen
                merged.notebooks[name] = file
            else:
                merged.notebooks.setdefault(name, None)
        merged.notes += sub.notes
    return merged


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
    if sub.folder is not None:
        budget = COPY_LIMIT
        for path in sorted(Path(sub.folder).rglob("*")):
            rel = path.relative_to(sub.folder)
            if path.is_file() and not path.is_symlink() and rel.name not in sub.notebooks and \
                    not any(p.startswith(".") for p in rel.parts) and path.stat().st_size <= budget:
                budget -= path.stat().st_size
                files[str(rel)] = path.read_bytes()
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

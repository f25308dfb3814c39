"""The leak scan: does anything students or readers get reproduce an answer, a hidden test or the reference?

The rule, applied to every file of the folders and archives scanned (the student kit, the built
site), looking inside zip archives and wheels too (recursively), and into notebooks' cells (source
and text outputs) and HTML pages (as text, tags removed):

1. **Markers.** No file contains ``BEGIN SOLUTION``, ``END SOLUTION``, ``BEGIN HIDDEN TESTS`` or
   ``END HIDDEN TESTS``.
2. **Regions.** The secret regions are every ``### BEGIN SOLUTION`` … ``### END SOLUTION`` region of
   ``solutions/`` (owned by its assignment), every hidden-test region of ``solutions/`` and every
   function (and method) of ``autograder/reference/``. A region's *significant lines* are its code
   lines, stripped and with runs of blanks made one, leaving out blank lines, comments, docstrings,
   imports, ``def``/``class`` lines (the release gives every signature), and the lines the release
   itself shows: for a solution or hidden-test region, the lines of its assignment's released
   notebook (``exercises/``); for every region, the lines of the answers the course config makes
   public. A region is **reproduced** in a file when more than half of its significant lines appear
   in that file, each as a line of its own. That is a leak, except for a solution region of an
   assignment whose answers are public. Scaffolding that hands out another assignment's answer is
   caught this way: the answer's region is reproduced in the later notebook.
3. **Released notebooks only.** No notebook of an assignment the course config does not release
   (recognised by its nbgrader cell ids).

A finding checked by hand and found harmless is listed, with its reason, in
``autograder/leaks_allowed.toml`` (for one region in one file); every other finding fails.
"""
import ast
import html
import io
import json
import re
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from . import course

MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
REFERENCE = course.HERE / "reference"
ALLOWED = course.HERE / "leaks_allowed.toml"
ARCHIVES = (".zip", ".whl")
TAG = re.compile(r"<[^>]+>")
BLANKS = re.compile(r"\s+")
REGION = re.compile(r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)^[ \t]*### END \1", re.M | re.S)
DOCSTRING_START = re.compile(r'^[rbuRBU]?("""|\'\'\')')


@dataclass(frozen=True)
class Region:
    """One secret region: what it is, whose answer it is (None: never public), its significant lines."""

    where: str
    owner: str | None
    lines: frozenset


@dataclass(frozen=True)
class Leak:
    """A finding of the scan, in one sentence."""

    file: str
    what: str
    region: str = ""

    def __str__(self):
        return f"{self.file}: {self.what}"


def normalise(line):
    return BLANKS.sub(" ", line.strip())


def code_lines(text):
    """The lines of code of a piece of Python, normalised, without blanks, comments, docstrings,
    imports and def/class lines."""
    out, in_doc = [], None
    for raw in text.splitlines():
        line = normalise(raw)
        if in_doc:
            if in_doc in line:
                in_doc = None
            continue
        opened = DOCSTRING_START.match(line)
        if opened:
            quote = opened.group(1)
            if line.count(quote) == 1 or line == quote:
                in_doc = quote
            continue
        if not line or line.startswith(("#", "import ", "def ", "class ", "async def ", "@")) or (
                line.startswith("from ") and " import " in line):
            continue
        out.append(line)
    return out


def _notebook_cells(assignment, folder):
    (path,) = (folder / assignment).glob("*.ipynb")
    return nbformat.read(str(path), as_version=4).cells


def released_lines(assignment):
    """Every line the released notebook of an assignment shows, normalised."""
    return {normalise(line) for cell in _notebook_cells(assignment, course.EXERCISES) for line in cell.source.splitlines()}


def solution_regions(assignment):
    """[(kind, cell id, code)] of the solution and hidden-test regions of an assignment's solution notebook."""
    out = []
    for cell in _notebook_cells(assignment, course.SOLUTIONS):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "?")
        for found in REGION.finditer(cell.source):
            out.append((found.group(1).lower(), grade_id, found.group(2)))
    return out


def reference_functions():
    """[(where, code)] of every function and method of autograder/reference, docstrings left in (code_lines drops them)."""
    out = []
    for path in sorted(REFERENCE.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        nodes = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            nodes += [n for n in cls.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for node in nodes:
            out.append((f"autograder/reference/{path.name}:{node.name}", ast.get_source_segment(text, node)))
    return out


def secret_regions(release):
    """The regions of the rule, each with its significant lines (see the module's docstring)."""
    public = set()
    for assignment in release.answers_public:
        public |= {line for kind, _, code in solution_regions(assignment) if kind == "solution" for line in code_lines(code)}
    regions = []
    for assignment in course.assignments():
        shown = released_lines(assignment) | public
        for kind, grade_id, code in solution_regions(assignment):
            lines = frozenset(code_lines(code)) - shown
            owner = assignment if kind == "solution" else None
            regions.append(Region(f"the {kind} of solutions/{assignment} (cell {grade_id})", owner, lines))
    for where, code in reference_functions():
        regions.append(Region(f"the reference function {where}", None, frozenset(code_lines(code)) - public))
    return [r for r in regions if r.lines]


def _notebook_text(data):
    nb = json.loads(data)
    parts = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        parts.append("".join(source) if isinstance(source, list) else source)
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain") or ""
            parts.append("".join(text) if isinstance(text, list) else text)
    return "\n".join(parts), nb


def _texts(name, data):
    """Yield (name, text, notebook or None) for a file's bytes; archives are opened, binaries skipped."""
    if name.endswith(ARCHIVES):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for entry in zf.namelist():
                if not entry.endswith("/"):
                    yield from _texts(f"{name}!{entry}", zf.read(entry))
        return
    if b"\0" in data:
        return
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    if name.endswith(".ipynb"):
        try:
            text, nb = _notebook_text(text)
        except (ValueError, AttributeError):
            yield name, text, None
            return
        yield name, text, nb
        return
    if name.endswith((".html", ".htm")):
        text = html.unescape(TAG.sub("", text))
    yield name, text, None


def files(paths):
    """Yield (name, text, notebook or None) of every file under the given folders or files."""
    for path in map(Path, paths):
        for file in sorted(p for p in (path.rglob("*") if path.is_dir() else [path]) if p.is_file()):
            yield from _texts(str(file), file.read_bytes())


def _assignment_ids():
    """{assignment: its set of nbgrader grade ids}."""
    return {a: {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in _notebook_cells(a, course.SOLUTIONS)} - {None}
            for a in course.assignments()}


def scan(paths, release):
    """Every leak (rule in the module's docstring) in the files under ``paths``, for this release config."""
    regions = [r for r in secret_regions(release) if r.owner not in release.answers_public]
    ids = _assignment_ids()
    leaks = []
    for name, text, nb in files(paths):
        for marker in MARKERS:
            if marker in text:
                leaks.append(Leak(name, f"contains the marker {marker!r}"))
        present = {normalise(line) for line in text.splitlines()}
        for region in regions:
            found = len(region.lines & present)
            if 2 * found > len(region.lines):
                leaks.append(Leak(name, f"reproduces {region.where}: {found} of its {len(region.lines)} significant lines",
                                  region.where))
        if nb is not None:
            cell_ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb.get("cells", [])} - {None}
            for assignment, known in ids.items():
                if assignment not in release.released and len(cell_ids & known) * 2 > len(known):
                    leaks.append(Leak(name, f"is the notebook of {assignment}, which is not released"))
    return [leak for leak in leaks if not allowed(leak)]


def allowed(leak, path=ALLOWED):
    """Whether a finding is one of those checked by hand and listed in leaks_allowed.toml."""
    entries = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("allowed", [])
    return any(e["file"] in leak.file and e["region"] == leak.region for e in entries)

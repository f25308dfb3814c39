"""Submitted notebooks, read defensively and rebuilt on the instructor's skeleton before grading.

A submission is graded as the assignment's notebook with the student's answers in it: every
instructor cell (tests with their hidden part, locked cells, text) comes from ``solutions/`` and
the release, every answer cell from the submission, and cells the student added stay where the
student put them. Whatever was wrong with the file (deleted, duplicated, reordered or edited
cells, stripped metadata, an old format) is repaired or reported in plain words, one note each.
"""
import ast
import copy
import json
from dataclasses import dataclass, field

import nbformat


def nbgrader_meta(cell):
    """The cell's nbgrader metadata: the one accessor every part of the grader uses.

    Empty when the cell has none or it is not a dict; a ``grade_id`` that is not a string (e.g. a
    list, after an editor mangled it) is left out, so that cell is matched like an unmarked one.
    """
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if not isinstance(meta, dict):
        return {}
    if "grade_id" in meta and not isinstance(meta["grade_id"], str):
        return {k: v for k, v in meta.items() if k != "grade_id"}
    return meta


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


def is_answer(meta):
    return bool(meta.get("solution"))


def is_test(cell, meta):
    return cell["cell_type"] == "code" and bool(meta.get("grade")) and not meta.get("solution")


@dataclass
class Assignment:
    """One notebook of an assignment as the grader needs it.

    Attributes:
        name: the notebook's file name, e.g. "01_backprop.ipynb".
        release: the student version (nbformat v4 node), cells in order, with nbgrader metadata.
        instructor: grade_id -> the instructor's source of each locked cell (tests with their hidden part).
        answer_names: names the answer cells define (in the stubs or the solutions).
        points: grade_id -> points of each graded cell, in notebook order.
    """

    name: str
    release: nbformat.NotebookNode
    instructor: dict
    answer_names: set
    points: dict = field(default_factory=dict)

    @classmethod
    def from_files(cls, release_path, solution_path):
        release = nbformat.read(str(release_path), as_version=4)
        solution = nbformat.read(str(solution_path), as_version=4)
        instructor, answer_names, points = {}, set(), {}
        for cell in solution.cells:
            meta = nbgrader_meta(cell)
            if meta.get("locked") and not meta.get("solution"):
                instructor[meta["grade_id"]] = cell.source
            if is_answer(meta) and cell.cell_type == "code":
                answer_names |= bound_names(cell.source)
        for cell in release.cells:
            meta = nbgrader_meta(cell)
            if is_answer(meta) and cell.cell_type == "code":
                answer_names |= bound_names(cell.source)
            if meta.get("grade"):
                points[meta["grade_id"]] = float(meta.get("points", 0))
        return cls(release_path.name, release, instructor, answer_names, points)

    def tests(self):
        """grade_ids of the test cells (graded by running them), in order."""
        return [nbgrader_meta(c)["grade_id"] for c in self.release.cells if is_test(c, nbgrader_meta(c))]

    def graded_by_hand(self):
        """grade_ids of the answer cells graded by an instructor (written answers)."""
        return [nbgrader_meta(c)["grade_id"] for c in self.release.cells
                if nbgrader_meta(c).get("grade") and is_answer(nbgrader_meta(c))]


class Unreadable(Exception):
    """A submission that is not a notebook at all; the message says why, for the student and the instructor."""


def read_submission(data):
    """Parse submitted bytes into an nbformat v4 notebook (older formats are upgraded).

    Raises:
        Unreadable: empty file, invalid JSON, not a notebook, or a format nbformat cannot upgrade.
    """
    if not data.strip():
        raise Unreadable("the notebook file is empty")
    try:
        raw = json.loads(data.decode("utf-8", errors="replace"))
    except json.JSONDecodeError as err:
        raise Unreadable(f"the notebook is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg})") from None
    if not isinstance(raw, dict) or "nbformat" not in raw:
        raise Unreadable("the file is JSON but not a Jupyter notebook (no 'nbformat' field)")
    version = raw.get("nbformat")
    if not isinstance(version, int) or version < 3:
        raise Unreadable(f"the notebook uses nbformat {version!r}, too old to grade: save it again with Jupyter")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)
    except Exception as err:  # nbformat raises many kinds on malformed content
        raise Unreadable(f"the notebook cannot be read: {type(err).__name__}: {err}") from None
    cells = nb.get("cells")
    if not isinstance(cells, list) or any(not isinstance(c, dict) or "cell_type" not in c for c in cells):
        raise Unreadable("the notebook's cells are malformed")
    for cell in cells:
        src = cell.get("source", "")
        cell["source"] = "".join(src) if isinstance(src, list) else str(src)
    return nb, version


def canonicalize(assignment, submitted, version=4):
    """The notebook to grade, and notes on what had to be repaired.

    The student's cells are matched to the release's (by grade_id, then, for cells whose metadata an
    editor stripped, by content and position; answers split or merged by an editor are regrouped),
    then the release is rebuilt in its own order with the student's answers and extra cells in it.

    Args:
        assignment: the Assignment (its release gives the skeleton and the metadata).
        submitted: the submitted notebook (nbformat v4 node from read_submission).
        version: the nbformat version the submission was written in (for the notes).
    Returns:
        (notebook, notes): notebook is the release with the student's answers and extra cells, every
        instructor cell restored from solutions/ (tests with their hidden part); notes is a list of
        sentences.
    """
    notes = [f"the notebook was in nbformat {version}: upgraded to 4"] if version < 4 else []
    release, student = assignment.release.cells, submitted.cells
    match, used = {}, set()  # release index -> student index; student indices taken
    notes += _match_by_grade_id(release, student, match, used)
    stripped = _match_stripped(release, student, match, used)
    sources, regrouped, regroup_notes = _regrouped_answers(release, student, match, used)
    stripped += regrouped
    notes += regroup_notes
    if stripped:
        notes.append(f"{len(stripped)} cell(s) had lost their nbgrader metadata and were recognised by "
                     f"content: {', '.join(stripped)}")
    order = [match[i] for i in sorted(match)]
    if order != sorted(order):
        notes.append("cells were moved: the notebook was graded in the assignment's order")
    cells, rebuild_notes = _rebuild(assignment, student, match, used, sources)
    nb = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(assignment.release.metadata))
    return nb, notes + rebuild_notes


def _match_by_grade_id(release, student, match, used):
    """Match cells by grade_id (the first cell carrying an id wins; later ones are duplicates); returns notes."""
    notes, seen = [], {}
    position = {nbgrader_meta(c).get("grade_id"): i for i, c in enumerate(release) if nbgrader_meta(c).get("grade_id")}
    for j, cell in enumerate(student):
        gid = nbgrader_meta(cell).get("grade_id")
        if gid is None:
            continue
        if gid in seen:
            seen[gid].append(j)
            continue
        seen[gid] = [j]
        if gid in position and release[position[gid]].cell_type == cell.get("cell_type"):
            match[position[gid]] = j
            used.add(j)
        elif gid not in position:
            notes.append(f"a cell has the unknown grade_id {gid!r}: kept as an ordinary cell")
    for gid, js in seen.items():
        if len(js) > 1 and gid in position:
            what = "answer" if is_answer(nbgrader_meta(release[position[gid]])) else "instructor"
            notes.append(f"the {what} cell {gid} appears {len(js)} times: the first copy was graded"
                         + (", the others kept as ordinary cells" if what == "answer" else ", the others ignored"))
            if what != "answer":
                used.update(js[1:])
    return notes


def _match_stripped(release, student, match, used):
    """Match the release's cells that found no grade_id: plain cells by content; cells whose nbgrader metadata
    was stripped by content (locked), by the names they bind (code), or by position between matches
    (answers). Returns the grade_ids recognised."""
    stripped = []
    for i, cell in enumerate(release):
        if i in match:
            continue
        meta = nbgrader_meta(cell)
        if not meta.get("grade_id"):  # a plain cell of the release: the student's unchanged copy is no extra cell
            j = next((j for j, c in enumerate(student) if j not in used and c.get("source", "").strip()
                      == cell.source.strip()), None)
            if j is not None:
                match[i] = j
                used.add(j)
            continue
        candidates = [j for j, c in enumerate(student) if j not in used and not nbgrader_meta(c).get("grade_id")
                      and c.get("cell_type") == cell.cell_type]
        j = None
        if meta.get("locked") and not is_answer(meta):
            j = next((j for j in candidates if student[j].source.strip() == cell.source.strip()), None)
        elif cell.cell_type == "code":
            names = bound_names(cell.source)
            j = next((j for j in candidates if names and names <= bound_names(student[j].source)), None)
        if j is None and is_answer(meta):
            before = max((match[k] for k in match if k < i), default=-1)
            after = min((match[k] for k in match if k > i), default=len(student))
            between = [j for j in candidates if before < j < after]
            j = between[0] if len(between) == 1 else None
        if j is not None:
            match[i] = j
            used.add(j)
            stripped.append(meta["grade_id"])
    return stripped


def _fresh(cell):
    """A copy of a cell without outputs and, for a student's own cell, without nbgrader metadata."""
    out = copy.deepcopy(cell)
    if out.get("cell_type") == "code":
        out["outputs"], out["execution_count"] = [], None
    return nbformat.from_dict(out)


def _rebuild(assignment, student, match, used, sources):
    """The release's cells in order, each followed by the student's own cells that followed it; returns
    (cells, notes on missing answers, missing tests and edited read-only cells)."""
    release = assignment.release.cells
    extra_after, anchor = {}, -1  # release index (or -1) -> student indices of extra cells after it
    anchor_of = {j: i for i, j in match.items()}
    for j in range(len(student)):
        if j in anchor_of:
            anchor = anchor_of[j]
        elif j not in used:
            extra_after.setdefault(anchor, []).append(j)

    def extras(i):
        for j in extra_after.get(i, []):
            extra = _fresh(student[j])
            extra.get("metadata", {}).pop("nbgrader", None)
            yield extra

    cells, missing_tests, missing_answers, edited = [*extras(-1)], [], [], []
    for i, cell in enumerate(release):
        meta, out = nbgrader_meta(cell), _fresh(cell)
        gid = meta.get("grade_id")
        if is_answer(meta):
            if i in sources:
                out.source = sources[i]
            elif i in match:
                out.source = student[match[i]].source
            else:
                missing_answers.append(gid)
        elif meta.get("locked"):
            if i not in match and cell.cell_type == "code":
                (missing_tests if is_test(cell, meta) else edited).append(gid)
            elif i in match and student[match[i]].source.strip() not in (
                    cell.source.strip(), assignment.instructor.get(gid, "").strip()):
                edited.append(gid)
            if cell.cell_type == "code":
                out.source = assignment.instructor.get(gid, cell.source)
        elif i in match:
            out.source = student[match[i]].source
        cells += [out, *extras(i)]
    notes = []
    if missing_answers:
        notes.append(f"answer cell(s) missing, graded as unanswered: {', '.join(missing_answers)}")
    if missing_tests:
        notes.append(f"test cell(s) missing, restored from the assignment: {', '.join(missing_tests)}")
    edited = [g for g in edited if g not in missing_tests]
    if edited:
        notes.append(f"read-only cell(s) edited or deleted, the original was run: {', '.join(edited)}")
    return cells, notes


def _regrouped_answers(release, student, match, used):
    """Answers an editor split into several cells or merged into another answer's cell (Colab, VS Code,
    JupyterLab 4, Notebook 7), so that no release stub is put back to override them.

    An unmatched answer cell whose names are all bound by the unmarked code cells between its matched
    neighbours is those cells, joined (a split); one whose names are all bound by the cell that answers
    another question was merged into it and gets a comment instead of its stub. ``match`` and ``used``
    are updated. Returns ({release index: source}, [grade_id recognised], [notes]).
    """
    sources, recognised, notes = {}, [], []
    for i, cell in enumerate(release):
        meta = nbgrader_meta(cell)
        names = bound_names(cell.source)
        if i in match or not is_answer(meta) or cell.cell_type != "code" or not names:
            continue
        before = max((match[k] for k in match if k < i), default=-1)
        after = min((match[k] for k in match if k > i), default=len(student))
        parts = [j for j in range(before + 1, after) if j not in used and student[j].get("cell_type") == "code"
                 and not nbgrader_meta(student[j]).get("grade_id")]
        if parts and names <= set().union(*(bound_names(student[j].source) for j in parts)):
            match[i] = parts[0]
            used.update(parts)
            sources[i] = "\n\n".join(student[j].source for j in parts)
            recognised.append(meta["grade_id"])
            if len(parts) > 1:
                notes.append(f"the answer {meta['grade_id']} was split into {len(parts)} cells: graded as one")
            continue
        holder = next((k for k in sorted(match) if is_answer(nbgrader_meta(release[k]))
                       and names <= bound_names(sources.get(k, student[match[k]].source))), None)
        if holder is not None:
            sources[i] = f"# answered in the cell of {nbgrader_meta(release[holder])['grade_id']}"
            notes.append(f"the answer {meta['grade_id']} was answered in the cell of "
                         f"{nbgrader_meta(release[holder])['grade_id']} (cells were merged): graded from there")
    return sources, recognised, notes


def is_instructor(cell):
    """A cell whose source comes from solutions/, never from the student (locked, not an answer)."""
    meta = nbgrader_meta(cell)
    return bool(meta.get("locked")) and not is_answer(meta)

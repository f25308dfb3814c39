"""One submission graded: what a worker process of ``python -m autograder grade`` does.

Each notebook of the submission goes the same way, one named step after the other:

    STEPS = (read, rebuild, run, judge, write)

1. ``read``: parse the submitted file (any editor's save format; an old nbformat is upgraded), or
   say in words why it cannot be graded;
2. ``rebuild``: the assignment's notebook with the student's answers in it; every instructor cell
   (tests with their hidden part) comes from solutions/ (``autograder.notebooks.canonicalize``);
3. ``run``: the code cells in a fresh sandbox with the inputs of every hidden check
   (``autograder.sandbox``);
4. ``judge``: each test cell decided outside the sandbox from what ``collect`` sent
   (``autograder.judge``), in notebook order, each knowing the verdicts before it; a cell may earn
   part of its points ("[grader] 2 of 3 points: ..."); hand-graded answers wait for an instructor;
5. ``write``: the autograded notebook and the student's feedback page.

Nothing here touches the gradebook (the batch's parent process alone writes it). A worker returns a
``SubmissionResult`` and never raises.
"""
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.preprocessors import LimitOutput
from nbgrader.utils import compute_checksum

from .. import course, judge as judges, sandbox
from ..notebooks import Assignment, Unreadable, canonicalize, is_answer, is_instructor, is_test, nbgrader_meta, \
    read_submission
from ..records import ISOLATION_OFF_NOTE, CellResult, SubmissionResult
from .feedback import write_feedback

COMPANION_LIMIT = 20_000_000  # bytes of a submission's other files copied next to the notebook
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's bookkeeping, not the student's files

_assignments = {}


def load_assignment(release_dir, assignment, notebook):
    """The Assignment of one notebook (cached per worker process)."""
    key = (release_dir, assignment, notebook)
    if key not in _assignments:
        _assignments[key] = Assignment.from_files(Path(release_dir) / assignment / notebook,
                                                  course.SOLUTIONS / assignment / notebook)
    return _assignments[key]


@dataclass
class Grading:
    """One notebook on its way through the steps."""

    job: object
    name: str
    path: str | None
    assignment: Assignment = None
    submitted: object = None
    version: int = 4
    notebook: nbformat.NotebookNode = None
    run: sandbox.Run = None
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    failed: bool = False


def _unanswered(g, why):
    g.cells = [CellResult(gid, "manual" if gid in g.assignment.graded_by_hand() else "test", p, 0.0, why)
               for gid, p in g.assignment.points.items()]
    g.failed = True


def read(g):
    g.assignment = load_assignment(g.job.release_dir, g.job.assignment, g.name)
    if g.path is None:
        g.notes.append(f"{g.name} is missing from the submission")
        return _unanswered(g, "no gradable notebook")
    try:
        g.submitted, g.version = read_submission(Path(g.path).read_bytes())
    except Unreadable as err:
        g.notes.append(f"{g.name}: {err}")
        _unanswered(g, "no gradable notebook")
    except OSError as err:
        g.notes.append(f"{g.name} cannot be read: {err.strerror}")
        _unanswered(g, "no gradable notebook")


def rebuild(g):
    g.notebook, notes = canonicalize(g.assignment, g.submitted, g.version)
    g.notes += notes


def companions(folder, skip):
    """[(relative path, path)] of the submission's other files to copy next to the notebook, and notes on
    the files left out (hidden files, links, nbgrader's bookkeeping are skipped silently)."""
    out, notes, budget = [], [], COMPANION_LIMIT
    for path in sorted(Path(folder).rglob("*")) if folder and Path(folder).is_dir() else []:
        rel = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or rel.name in skip or rel.name in NBGRADER_FILES or \
                any(p.startswith(".") for p in rel.parts):
            continue
        size = path.stat().st_size
        if size > budget:
            notes.append(f"{rel} was not copied next to the notebook: the submission's files may hold "
                         f"{COMPANION_LIMIT // 1_000_000} MB in all")
            continue
        budget -= size
        out.append((rel, path))
    return out, notes


def run(g):
    settings = g.job.settings
    cells = [{"index": i, "source": c.source, "instructor": is_instructor(c)}
             for i, c in enumerate(g.notebook.cells) if c.cell_type == "code"]
    files, notes = companions(g.job.folder, skip=set(g.job.notebooks))
    g.notes += notes
    limits = sandbox.Limits(notebook_seconds=settings.notebook_timeout, cell_seconds=settings.timeout,
                            memory_mb=settings.memory_mb)
    mpl = sandbox.matplotlib_cache(Path(g.job.scratch_dir or "/tmp") / "matplotlib") if g.job.scratch_dir else None
    g.run = sandbox.run_notebook(cells, judges.inputs_document(g.job.assignment), files, limits,
                                 isolate=settings.isolate, mpl_cache=mpl, scratch=g.job.scratch_dir or None,
                                 grading_dir=g.job.grading_dir)
    g.notes += g.run.refused + g.run.notes  # what the grader saw from outside comes first
    if not settings.isolate:
        g.notes.append(ISOLATION_OFF_NOTE)
    for i, cell in enumerate(g.notebook.cells):
        if cell.cell_type == "code":
            cell.outputs = [nbformat.from_dict(o) for o in g.run.outputs.get(i, []) if _plausible(o)]
    _note_student_errors(g)


def _plausible(output):
    return isinstance(output, dict) and output.get("output_type") in ("stream", "display_data", "execute_result", "error")


def _note_student_errors(g):
    for index, cell in enumerate(g.notebook.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or is_instructor(cell):
            continue
        error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
        if error is not None:
            where = f"answer cell {meta['grade_id']}" if meta.get("grade_id") else f"a cell of yours (cell {index + 1})"
            message = str(error.get("evalue", "")).strip()[:120]
            g.notes.append(f"{where} raised {error.get('ename', 'an error')}" + (f": {message}" if message else ""))


def judge(g):
    tests, verdicts = judges.checks(g.job.assignment), {}
    for index, cell in enumerate(g.notebook.cells):
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        gid, points = meta["grade_id"], float(meta.get("points", 0))
        if is_answer(meta):
            answered = meta.get("checksum") != compute_checksum(cell)
            g.cells.append(CellResult(gid, "manual", points, None if answered else 0.0, "" if answered else "no answer"))
        elif is_test(cell, meta):
            if gid not in tests:
                g.cells.append(CellResult(gid, "test", points, 0.0, "internal: this test has no judge"))
                g.notes.append(f"the test {gid} has no judge in autograder/judge: tell the course staff")
                continue
            verdict = verdicts[gid] = judges.judge_cell(tests[gid], g.run.collected, points, verdicts)
            if judges.NOT_RUN in verdict.failures:
                why = _visible_error(cell) or _not_reached(g, gid, index)
                verdict.failures = [why if f == judges.NOT_RUN else f for f in verdict.failures]
            g.cells.append(CellResult(gid, "test", points, verdict.score, verdict.message))
            if verdict.message:
                cell.outputs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text=f"[grader] {verdict.score:g} of {points:g} points: {verdict.message}\n"))


def _not_reached(g, gid, index):
    """Why a test cell that shows no error never sent its results: the notebook was stopped before it, or
    code in the notebook changed how cells run (e.g. an IPython input transformer), which is noted."""
    if index not in g.run.outputs:
        return f"its hidden checks did not run: the notebook was stopped before this cell ({g.run.ended})"
    note = "the hidden checks of some test cells did not run although those cells show no error (code in the " \
           "notebook changed how cells run or what they send): "
    previous = next((n for n in g.notes if n.startswith(note)), None)
    if previous:
        g.notes[g.notes.index(previous)] = f"{previous}, {gid}"
    else:
        g.notes.append(note + gid)
    return "its hidden checks did not run, and the cell shows no error: code in the notebook changed how cells run"


def _visible_error(cell):
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    return f"{error.get('ename', 'Error')}: {error.get('evalue', '')}"[:600] if error else ""


def write(g):
    job = g.job
    for cell in g.notebook.cells:
        if cell.cell_type == "code":
            LimitOutput().preprocess_cell(cell, {}, 0)
    out_dir = Path(job.grading_dir) / "autograded" / job.student / job.assignment
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(g.notebook, str(out_dir / g.name))
    feedback_dir = Path(job.grading_dir) / "feedback" / job.student / job.assignment
    write_feedback(g.notebook, g.cells, feedback_dir / g.name, job.student, job.assignment, g.notes)
    for bookkeeping in NBGRADER_FILES:  # nbgrader's release_feedback names the feedback by them
        if job.folder and (Path(job.folder) / bookkeeping).is_file():
            for folder in (out_dir, feedback_dir):
                shutil.copyfile(Path(job.folder) / bookkeeping, folder / bookkeeping)


STEPS = (read, rebuild, run, judge, write)


def grade_notebook(job, name, path):
    """Take one notebook through the STEPS; returns its Grading (cells, notes, failed)."""
    g = Grading(job, name, path)
    for step in STEPS:
        step(g)
        if g.failed:
            break
    return g


def grade_submission(job):
    """Grade every notebook of one student's submission; returns a SubmissionResult (never raises)."""
    started = time.monotonic()
    result = SubmissionResult(job.student, job.assignment)
    failed = []
    try:
        for name, path in sorted(job.notebooks.items()):
            g = grade_notebook(job, name, path)
            result.notebooks[name] = g.cells
            result.notes += g.notes
            failed.append(g.failed)
    except Exception as err:  # a bug or an unexpected environment problem: this student only
        result.notes.append(f"internal error while grading: {type(err).__name__}: {err}")
        failed.append(True)
    result.status = "failed" if failed and all(failed) else "ok"
    result.settle_status()
    result.seconds = round(time.monotonic() - started, 3)
    return result

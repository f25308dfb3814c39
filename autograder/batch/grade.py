"""``python -m autograder grade``: import submissions, autograde them in parallel, export grades.

The pipeline, for one assignment:

1. the assignment's fresh release and its entry in nbgrader's gradebook (``nbgrader generate_assignment``,
   skipped when solutions/ has not changed since the last run);
2. the submissions found in SUBMISSIONS (``autograder.batch.submissions``), copied into nbgrader's
   ``submitted/<student>/<assignment>/`` and added to the gradebook as students;
3. each submission whose files, assignment, grader or settings changed since it was last graded goes
   to a pool of worker processes (``autograder.worker``: each notebook in its own sandbox, judged
   outside it); the others keep their results;
4. the parent alone writes the gradebook (one writer: no SQLite locking between workers) and the
   results store ``<grading>/autograder/<assignment>/results/*.json``, one file per student;
5. the grades CSV, from the results store and the gradebook (hand-graded points included).

Everything lives in the grading folder (``grading/`` or $COURSE_GRADING_DIR), in nbgrader's layout,
so ``nbgrader export``, ``formgrader`` and ``release_feedback`` keep working on it.
"""
import concurrent.futures
import contextlib
import csv
import dataclasses
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path

from .. import course, sandbox
from ..records import ISOLATION_OFF_NOTE, Job, SubmissionResult, Settings
from . import changes, submissions

# Everything that can change a grade, besides the submission and the assignment's source: the whole
# grader (the batch's own bookkeeping included: it writes the notes), the toolkit the sandbox imports,
# the reference answers (autograder/reference), and the pinned packages.
GRADE_INPUTS = (course.HERE, course.REPO / "nnlab", course.REPO / "requirements.txt")
# Parts of autograder/ that only read results, never decide a grade: changing them regrades nothing.
NOT_GRADE_INPUTS = ("autograder/__main__.py", "autograder/batch/report.py", "autograder/batch/items.py",
                    "autograder/batch/changes.py", "autograder/batch/export.py", "autograder/batch/slurm.py",
                    "autograder/mutation", "autograder/kit.py", "autograder/leaks.py", "autograder/leaks_allowed.toml")
# Test hook (fault injection): the worker given this student's job kills itself (SIGKILL) instead of
# grading it, as a worker killed by the machine would die. Unset in real runs.
KILL_WORKER_TEST_HOOK = "AUTOGRADER_TEST_KILL_WORKER_OF"


class GradingError(Exception):
    """The batch cannot run (wrong assignment, no submissions, missing gradebook...); the message says why."""


# --- where things are ----------------------------------------------------------------------------
def results_dir(grading_dir, assignment):
    return Path(grading_dir) / "autograder" / assignment / "results"


def _result_file(grading_dir, assignment, student):
    # student ids may hold spaces and accents; the file name keeps them, the id is inside the file too
    return results_dir(grading_dir, assignment) / f"{student}.json"


def load_results(grading_dir, assignment):
    """{student: SubmissionResult} of every student graded for the assignment in this grading folder."""
    folder = results_dir(grading_dir, assignment)
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        result = SubmissionResult.from_dict(json.loads(path.read_text()))
        out[result.student] = result
    return out


def check_assignment(name):
    known = course.assignments()
    if name not in known:
        raise GradingError(f"unknown assignment {name!r}; choose from {', '.join(known)}")


def notebook_names(assignment):
    return sorted(p.name for p in (course.SOLUTIONS / assignment).glob("*.ipynb"))


def _source_hash(assignment):
    h = hashlib.sha256()
    for path in sorted((course.SOLUTIONS / assignment).rglob("*")):
        if path.is_file():
            h.update(str(path.relative_to(course.SOLUTIONS)).encode() + b"\0" + path.read_bytes())
    for path in sorted((course.HERE / "reference").glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def prepare_assignment(assignment, grading_dir, log=print):
    """Generate the fresh release into <grading>/autograder/<assignment>/release and register the
    assignment in the gradebook; skipped when solutions/ and the reference are unchanged."""
    base = Path(grading_dir) / "autograder" / assignment
    stamp, release = base / "source.sha256", base / "release"
    digest = _source_hash(assignment)
    if stamp.is_file() and stamp.read_text() == digest and (release / assignment).is_dir() and \
            (Path(grading_dir) / "gradebook.db").is_file():
        return release, digest
    log(f"{assignment}: generating the release and updating the gradebook (nbgrader generate_assignment)")
    shutil.rmtree(release, ignore_errors=True)
    try:
        course.generate_release(assignment, release, grading_dir)
    except Exception as err:  # nbgrader reports a broken source notebook with its own exception types
        raise GradingError(f"nbgrader generate_assignment {assignment} failed: {err}") from err
    stamp.write_text(digest)
    return release, digest


def _grade_input(rel, assignment):
    """Whether a file of GRADE_INPUTS (path relative to the repository) can change a grade of the assignment:
    not byte code, caches, hidden files (nbgrader's log), the tools of NOT_GRADE_INPUTS, nor another
    assignment's judge (``autograder/judge/<name>.py`` judges ``NN_<name>``; the judges import only
    their package, the reference and nnlab)."""
    if rel.suffix == ".pyc" or any(part == "__pycache__" or part.startswith(".") for part in rel.parts):
        return False
    if any(rel.as_posix() == p or rel.as_posix().startswith(p + "/") for p in NOT_GRADE_INPUTS):
        return False
    judge = rel.parts[:2] == ("autograder", "judge") and len(rel.parts) == 3 and rel.name != "__init__.py"
    return not (judge and assignment is not None and rel.stem != assignment.split("_", 1)[1])


def grader_hash(assignment=None):
    """A digest of everything besides the submission that can change a grade of the assignment (of any
    assignment when None): the files of GRADE_INPUTS that ``_grade_input`` keeps, and the Python version.
    Changing any of it regrades the assignment's submissions; the report, the exports and another
    assignment's judge are not in it."""
    h = hashlib.sha256(sys.version.split()[0].encode())
    for root in map(Path, GRADE_INPUTS):
        for path in sorted([root, *root.rglob("*")]) if root.is_dir() else [root]:
            rel = path.relative_to(root.parent)
            if path.is_file() and _grade_input(rel, assignment):
                h.update(str(rel).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def cache_key(source_digest, settings, sub_folder, names, grader=None):
    """What a submission's grade depends on: its files, the assignment's source (``_source_hash``: every
    file of solutions/<assignment>/ and the reference answers), the grader (``grader_hash``), every setting."""
    h = hashlib.sha256(f"{grader or grader_hash()}|{source_digest}|".encode())
    h.update(json.dumps(dataclasses.asdict(settings), sort_keys=True).encode())
    for path in sorted(Path(sub_folder).rglob("*")) if Path(sub_folder).is_dir() else []:
        if path.is_file():
            h.update(str(path.relative_to(sub_folder)).encode() + b"\0" + path.read_bytes())
    h.update("|".join(names).encode())
    return h.hexdigest()


# --- the gradebook -------------------------------------------------------------------------------
def record(gradebook, result):
    """Write one student's SubmissionResult into nbgrader's gradebook (the student and the submission are created)."""
    from nbgrader.api import BaseCell, Comment, Grade, MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's add_submission autoflush notices
    assignment, student = result.assignment, result.student
    gradebook.update_or_create_student(student)
    try:
        gradebook.find_submission(assignment, student)
    except MissingEntry:
        gradebook.add_submission(assignment, student)
    notebooks = {}  # each notebook's grades and comments by cell, read once (not a query per cell)
    for name, cell in result.cells():
        notebook = Path(name).stem
        if notebook not in notebooks:
            submitted = gradebook.find_submission_notebook(notebook, assignment, student)
            notebooks[notebook] = tuple(
                {name: row for row, name in gradebook.db.query(kind, BaseCell.name).join(
                    BaseCell, kind.cell_id == BaseCell.id).filter(kind.notebook_id == submitted.id)}
                for kind in (Grade, Comment))
        grades, comments = notebooks[notebook]
        grade = grades.get(cell.grade_id) or gradebook.find_grade(cell.grade_id, notebook, assignment, student)
        grade.auto_score = cell.score
        grade.needs_manual_grade = cell.score is None or grade.manual_score is not None
        if cell.kind == "manual":
            comment = comments.get(cell.grade_id) or gradebook.find_comment(cell.grade_id, notebook, assignment,
                                                                             student)
            comment.auto_comment = "No response." if cell.score == 0.0 else None
    gradebook.db.commit()


def gradebook_scores(grading_dir, assignment):
    """{student: {grade_id: final score (hand-graded points when an instructor gave them)}}."""
    from nbgrader.api import Gradebook

    db = Path(grading_dir) / "gradebook.db"
    if not db.is_file():
        return {}
    out = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        for sub in gb.assignment_submissions(assignment):
            out[sub.student.id] = {g.name: g.score for nb in sub.notebooks for g in nb.grades
                                   if g.manual_score is not None or g.auto_score is not None}
    return out


# --- the grades CSV ------------------------------------------------------------------------------
def columns(results):
    """(notebook, grade_id) of every graded cell, in notebook order, from any result."""
    order = []
    for result in results.values():
        for name, cell in result.cells():
            if (name, cell.grade_id) not in order:
                order.append((name, cell.grade_id))
    return order


def grade_rows(grading_dir, assignment):
    """(header, rows) of the grades CSV: one row per student (sorted), per-cell points, total, maximum,
    status and reason; hand-graded points from the gradebook replace the grader's."""
    results = load_results(grading_dir, assignment)
    if not results:
        raise GradingError(f"no graded submissions of {assignment} in {grading_dir}: run "
                           f"`python -m autograder grade {assignment} SUBMISSIONS` first")
    final = gradebook_scores(grading_dir, assignment)
    cols = columns(results)
    several = len({name for name, _ in cols}) > 1
    header = ["student_id", "status", "score", "max_score"] + [
        f"{Path(name).stem}:{gid}" if several else gid for name, gid in cols] + ["reason"]
    rows = []
    for student, result in sorted(results.items()):
        points, total, maximum, pending = [], 0.0, 0.0, []
        for name, gid in cols:
            cell = result.cell(name, gid)
            if cell is None:
                points.append("")
                continue
            score = final.get(student, {}).get(gid, cell.score)
            maximum += cell.points
            total += score or 0.0
            points.append("" if score is None else f"{score:g}")
            if cell.kind == "manual" and score is None:
                pending.append(gid)
        reason = list(result.notes) + ([f"to be graded by hand: {', '.join(pending)}"] if pending else [])
        rows.append([student, result.status, f"{total:g}", f"{maximum:g}", *points, "; ".join(reason)])
    return header, rows


def export_csv(grading_dir, assignment, out, log=print):
    """Write the grades CSV (``grade_rows``) atomically; returns its path."""
    header, rows = grade_rows(grading_dir, assignment)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    replaced = out.is_file()
    with open(out.with_suffix(".tmp"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    os.replace(out.with_suffix(".tmp"), out)
    log(f"wrote {out} ({len(rows)} students){' — replaced the previous file' if replaced else ''}")
    return out


# --- progress ------------------------------------------------------------------------------------
class Progress:
    """A progress bar with an ETA on stderr (one line per tenth of the work when stderr is not a terminal)."""

    def __init__(self, total, enabled=True, stream=sys.stderr):
        self.total, self.done, self.enabled, self.stream = total, 0, enabled and total > 0, stream
        self.start, self.tty, self.last_tenth = time.monotonic(), stream.isatty(), -1

    def step(self, label=""):
        self.done += 1
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        bar = "#" * int(30 * self.done / self.total)
        line = (f"[{bar:<30}] {self.done}/{self.total} {100 * self.done / self.total:3.0f}%  "
                f"elapsed {_clock(elapsed)}  ETA {_clock(eta)}  {label}")
        if self.tty:
            self.stream.write("\r" + line[:120].ljust(120))
            if self.done == self.total:
                self.stream.write("\n")
        elif int(10 * self.done / self.total) != self.last_tenth or self.done == self.total:
            self.last_tenth = int(10 * self.done / self.total)
            self.stream.write(line + "\n")
        self.stream.flush()


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


# --- grading ---------------------------------------------------------------------------------------
def parse_shard(text):
    """'i/n' -> (i, n) with 1 <= i <= n."""
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise GradingError(f"--shard {text!r}: write it as i/n, e.g. 2/8") from None
    if not 1 <= i <= n:
        raise GradingError(f"--shard {text!r}: i must be between 1 and n")
    return i, n


def grade(assignment, source, grading_dir, jobs=None, settings=None, out=None, shard=None, force=False,
          progress=True, log=print, layout=None, students=None):
    """Grade the submissions of one assignment; returns the path of the grades CSV.

    layout: how SUBMISSIONS is laid out (``submissions.LAYOUTS``), None to recognise it. Next to the CSV,
    ``<csv name>-files.csv`` says what became of every file found (graded, copied along, or why not).
    students: ids to grade (--students), None for all; an id not among the submissions is an error.
    A replaced result is kept as the previous one (``changes``); the log says whose grade changed.

    Raises GradingError before anything is graded when the sandbox cannot isolate submissions here
    (unless settings.isolate is False: --no-isolation, noted in every row).
    """
    from nbgrader.api import Gradebook

    check_assignment(assignment)
    settings = settings or Settings()
    if settings.isolate:
        try:
            facts = sandbox.check()
        except sandbox.IsolationUnavailable as err:
            raise GradingError(str(err)) from None
        if facts.get("cgroup_missing"):
            log(f"warning: {facts['cgroup_missing']}")
    else:
        log(f"warning: {ISOLATION_OFF_NOTE}")
    grading_dir = Path(grading_dir).resolve()
    grading_dir.mkdir(parents=True, exist_ok=True)
    names = notebook_names(assignment)
    digest, grader = _source_hash(assignment), grader_hash(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        others = [n for a in course.assignments() if a != assignment for n in notebook_names(a)]
        search = submissions.find(source, assignment, names, scratch, layout, others)
        found = search.submissions
        if students is not None:
            missing = sorted(set(students) - {s.student for s in found})
            if missing:
                raise GradingError(f"--students: no submission of {', '.join(missing)} in {source}")
            found = [s for s in found if s.student in set(students)]
            log(f"--students: {len(found)} submission(s)")
        if shard is not None:
            i, n = shard
            found = found[i - 1::n]
            log(f"shard {i}/{n}: {len(found)} submission(s)")
        files = _account(search, {s.student for s in found}, log)
        todo, unchanged, notes_by_student, regraded = [], 0, {}, []
        for sub in found:
            if sub.refused:
                continue
            folder, message = submissions.import_into(sub, assignment, grading_dir / "submitted")
            if message:
                log(message)
            notes_by_student[sub.student] = sub.notes
            key = cache_key(digest, settings, folder, names, grader)
            previous = _result_file(grading_dir, assignment, sub.student)
            if previous.is_file():
                if not force and json.loads(previous.read_text()).get("key") == key:
                    unchanged += 1
                    continue
                regraded.append(sub.student)
            todo.append((Job(assignment, sub.student, {n: (str(folder / n) if (folder / n).is_file() else None)
                                                       for n in names}, str(folder), "", str(grading_dir), "",
                             settings), key))
        if unchanged:
            log(f"{unchanged} submission(s) unchanged since they were graded: kept their results")
        if regraded:
            shown = ", ".join(regraded[:10]) + (f" and {len(regraded) - 10} more" if len(regraded) > 10 else "")
            log(f"{len(regraded)} submission(s) graded before are graded again, their results replaced "
                f"({'--force' if force else 'the submission, the assignment, the grader or the settings changed'}): "
                f"{shown}")
        if todo:
            _run_jobs(todo, grading_dir, assignment, notes_by_student, jobs, progress, log)
        else:
            prepare_assignment(assignment, grading_dir, log)
            results_dir(grading_dir, assignment).mkdir(parents=True, exist_ok=True)
        with Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}") as gb:
            for sub in found:
                gb.update_or_create_student(sub.student)
                if sub.refused:  # a row in the CSV that says why; graded once the files are told apart
                    _store(gb, grading_dir, assignment, SubmissionResult(sub.student, assignment, "failed",
                                                                         [sub.refused]), [], "refused")
    moved = changes.changes(grading_dir, assignment, set(regraded))
    for change in moved:
        log(f"grade changed: {change.student} {change.before:g} → {change.after:g} ({change.delta:+g}): "
            f"{changes.describe(change)}")
    if regraded:
        log(f"{len(moved)} of the {len(regraded)} regraded submission(s) changed grade "
            f"(`python -m autograder report {assignment}` lists them)")
    out = Path(out) if out else grading_dir / f"{assignment}-grades.csv"
    submissions.write_files_report(files, out.with_name(f"{out.stem}-files.csv"))
    return export_csv(grading_dir, assignment, out, log)


def _account(search, students, log, shown=20):
    """Log the layout, each refused student and each file not graded; returns the files of this batch
    (a shard's students and the files of no student)."""
    if search.layout in ("canvas", "moodle"):
        log(f"recognised a {search.layout.capitalize()} export: student ids are <name>_<id> "
            "(--layout flat to take whole file names)")
    files = [f for f in search.files if not f.student or f.student in students]
    left = [f for f in files if f.fate in ("skipped", "not graded", "refused")]
    for f in left[:shown]:
        log(f"not graded: {f.path}: {f.reason}")
    if len(left) > shown:
        log(f"... and {len(left) - shown} more file(s) not graded: see the -files.csv next to the grades CSV")
    return files


def _store(gb, grading_dir, assignment, result, notes, key):
    """Record one finished result: gradebook, results store (written atomically)."""
    result.notes = list(notes) + result.notes
    result.settle_status()
    result.key = key
    record(gb, result)
    path = _result_file(grading_dir, assignment, result.student)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    changes.keep_previous(path)
    os.replace(tmp, path)


def _run_jobs(todo, grading_dir, assignment, notes_by_student, jobs, progress, log):
    """Grade the jobs in a pool of workers; the parent records each result as it arrives.

    The workers start (imports, feedback templates) while the parent generates the release, so the two
    costs overlap. A worker that dies (a submission that kills it from its sandbox cannot, but the
    machine may) costs only its own submission: the jobs a broken pool lost are graded again one at a time, and
    only one that kills its worker again is recorded as failed, with the reason.
    """
    from nbgrader.api import Gradebook

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    scratch = Path(tempfile.mkdtemp(prefix="autograder-scratch-"))
    context = multiprocessing.get_context("spawn")
    try:
        statuses, bar, gb = {}, None, None

        def prepare():  # the release first: nbgrader makes the gradebook when it is new (alembic on PATH)
            nonlocal bar, gb
            sandbox.matplotlib_cache(scratch / "matplotlib")
            release, _ = prepare_assignment(assignment, grading_dir, log)
            for job, _ in todo:
                job.release_dir, job.scratch_dir = str(release), str(scratch)
            log(f"grading {len(todo)} submission(s) of {assignment} with {jobs} worker(s)")
            bar = Progress(len(todo), progress)
            results_dir(grading_dir, assignment).mkdir(parents=True, exist_ok=True)
            gb = books.enter_context(Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}"))

        def store(job, key, result):
            _store(gb, grading_dir, assignment, result, notes_by_student.get(job.student, []), key)
            statuses[result.status] = statuses.get(result.status, 0) + 1
            bar.step(job.student)

        with contextlib.ExitStack() as books:
            lost = _pool(left=todo, jobs=jobs, context=context, store=store, prepare=prepare)
            for job, key in lost:  # after a crash: each alone, so only the one that kills its worker fails
                if _pool([(job, key)], 1, context, store):
                    store(job, key, SubmissionResult(job.student, job.assignment, "failed", [
                        "the grading worker died while grading this submission (killed, or out of memory): "
                        "nothing could be graded"]))
        log("graded: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _pool(left, jobs, context, store, prepare=None):
    """Grade the jobs in one pool of workers, storing each result as it arrives; returns the jobs a broken pool lost.

    prepare: run in the parent once every worker has been started, before the jobs are handed out (the
    workers' start-up, imports and templates, overlaps it)."""
    lost = []
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm_up) as pool:
        for _ in range(jobs):  # the pool starts a worker for each task it cannot give to an idle one
            pool.submit(int)
        if prepare is not None:
            prepare()
        futures = {pool.submit(_grade_job, job): (job, key) for job, key in left}
        for future in concurrent.futures.as_completed(futures):
            job, key = futures[future]
            try:
                result = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                lost.append((job, key))
                continue
            store(job, key, result)
    return lost


def _warm_up():
    """Worker start-up: the feedback exporter (templates, filters), built once per worker."""
    from ..worker.feedback import _exporter

    _exporter()


def _grade_job(job):
    """Worker entry point (a separate process): never raises, so one submission cannot stop the batch."""
    from ..worker import grade_submission

    if os.environ.get(KILL_WORKER_TEST_HOOK) == job.student:
        os.kill(os.getpid(), signal.SIGKILL)
    try:
        result = grade_submission(job)
    except BaseException as err:  # noqa: BLE001 (even SystemExit or a KeyboardInterrupt in a worker)
        result = SubmissionResult(job.student, job.assignment, "failed",
                                  [f"internal error while grading: {type(err).__name__}: {err}"])
    result.seconds = 0.0  # timing is not part of the result: reruns write the same files
    return result


# --- shards ----------------------------------------------------------------------------------------
def merge(assignment, shard_dirs, grading_dir, out=None, log=print):
    """Merge the results of shards graded in other grading folders into this one; returns the CSV path."""
    from nbgrader.api import Gradebook

    check_assignment(assignment)
    grading_dir = Path(grading_dir).resolve()
    seen = {}
    for shard in map(Path, shard_dirs):
        if not (shard / "gradebook.db").is_file():
            raise GradingError(f"{shard}: no gradebook.db there; is it the grading folder of a shard "
                               f"(COURSE_GRADING_DIR or --grading-dir when it was graded)?")
        results = load_results(shard, assignment)
        if not results:
            raise GradingError(f"{shard}: no results for {assignment}")
        for student, result in results.items():
            if student in seen and seen[student][1].key != result.key:
                raise GradingError(f"{student} was graded in two shards ({seen[student][0]}, {shard}) "
                                   "with different submissions: grade each student in one shard only")
            seen[student] = (shard, result)
    grading_dir.mkdir(parents=True, exist_ok=True)
    prepare_assignment(assignment, grading_dir, log)
    results_dir(grading_dir, assignment).mkdir(parents=True, exist_ok=True)
    with Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}") as gb:
        for student, (shard, result) in sorted(seen.items()):
            for part in ("submitted", "autograded", "feedback"):
                src = shard / part / student / assignment
                if src.is_dir() and src.resolve() != (grading_dir / part / student / assignment).resolve():
                    shutil.copytree(src, grading_dir / part / student / assignment, dirs_exist_ok=True)
            record(gb, result)
            path = _result_file(grading_dir, assignment, student)
            if path.is_file() and json.loads(path.read_text()) != result.to_dict():
                changes.keep_previous(path)  # a shard regraded the student: report says what changed
            path.write_text(json.dumps(result.to_dict(), indent=1, ensure_ascii=False))
    log(f"merged {len(seen)} student(s) from {len(list(shard_dirs))} shard(s) into {grading_dir}")
    return export_csv(grading_dir, assignment, Path(out) if out else grading_dir / f"{assignment}-grades.csv", log)

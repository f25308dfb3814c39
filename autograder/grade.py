"""``python -m autograder grade``: import submissions, autograde them in parallel, export grades.

The pipeline, for one assignment:

1. the assignment's fresh release and its entry in nbgrader's gradebook (``nbgrader generate_assignment``,
   skipped when solutions/ has not changed since the last run);
2. the submissions found in SUBMISSIONS (``autograder.submissions``), copied into nbgrader's
   ``submitted/<student>/<assignment>/`` and added to the gradebook as students;
3. each submission whose files, assignment or settings changed since it was last graded goes to a
   pool of worker processes (``autograder.execute``); the others keep their results;
4. the parent alone writes the gradebook (one writer: no SQLite locking between workers) and the
   results store ``<grading>/autograder/<assignment>/results/*.json``, one file per student;
5. the grades CSV, from the results store and the gradebook (hand-graded points included).

Everything lives in the grading folder (``grading/`` or $COURSE_GRADING_DIR), in nbgrader's layout,
so ``nbgrader export``, ``formgrader`` and ``release_feedback`` keep working on it.
"""
import concurrent.futures
import csv
import hashlib
import json
import multiprocessing
import os
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

from . import course, submissions
from .jobs import Job, Settings

GRADING_CODE = ("execute.py", "feedback.py", "guard.py", "notebooks.py", "sandbox.py", "templates")


class GradingError(Exception):
    """The batch cannot run (wrong assignment, no submissions, missing gradebook...); the message says why."""


# --- where things are ----------------------------------------------------------------------------
def results_dir(grading_dir, assignment):
    return Path(grading_dir) / "autograder" / assignment / "results"


def _result_file(grading_dir, assignment, student):
    # student ids may hold spaces and accents; the file name keeps them, the id is inside the file too
    return results_dir(grading_dir, assignment) / f"{student}.json"


def load_results(grading_dir, assignment):
    """{student: result} of every student graded for the assignment in this grading folder."""
    folder = results_dir(grading_dir, assignment)
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        result = json.loads(path.read_text())
        out[result["student"]] = result
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


def _grader_hash():
    """A digest of the code that grades a submission: changing it regrades everything."""
    h = hashlib.sha256()
    for name in GRADING_CODE:
        for path in sorted([course.HERE / name, *(course.HERE / name).rglob("*")]):
            if path.is_file():
                h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _cache_key(source_digest, settings, sub_folder, names):
    """What a submission's grade depends on: its files, the assignment, the grader, the settings."""
    h = hashlib.sha256(f"{_grader_hash()}|{source_digest}|{settings.fingerprint()}".encode())
    for path in sorted(Path(sub_folder).rglob("*")) if Path(sub_folder).is_dir() else []:
        if path.is_file():
            h.update(str(path.relative_to(sub_folder)).encode() + b"\0" + path.read_bytes())
    h.update("|".join(names).encode())
    return h.hexdigest()


# --- the gradebook -------------------------------------------------------------------------------
def record(gradebook, result):
    """Write one student's result into nbgrader's gradebook (the student and the submission are created)."""
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)  # nbgrader's add_submission autoflush notices
    assignment, student = result["assignment"], result["student"]
    gradebook.update_or_create_student(student)
    try:
        gradebook.find_submission(assignment, student)
    except MissingEntry:
        gradebook.add_submission(assignment, student)
    for name, cells in result["notebooks"].items():
        notebook = Path(name).stem
        for grade_id, cell in cells.items():
            grade = gradebook.find_grade(grade_id, notebook, assignment, student)
            grade.auto_score = cell["score"]
            grade.needs_manual_grade = cell["score"] is None or grade.manual_score is not None
            if cell["kind"] == "manual":
                comment = gradebook.find_comment(grade_id, notebook, assignment, student)
                comment.auto_comment = "No response." if cell["score"] == 0.0 else None
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
        for name, cells in result["notebooks"].items():
            for gid in cells:
                if (name, gid) not in order:
                    order.append((name, gid))
    return order


def export_csv(grading_dir, assignment, out, log=print):
    """Write the grades CSV: one row per student, per-cell points, total, maximum, status and reason."""
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
        points, total, maximum = [], 0.0, 0.0
        for name, gid in cols:
            cell = result["notebooks"].get(name, {}).get(gid)
            if cell is None:
                points.append("")
                continue
            score = final.get(student, {}).get(gid, cell["score"])
            maximum += cell["points"]
            total += score or 0.0
            points.append("" if score is None else f"{score:g}")
        pending = [gid for name, gid in cols
                   if result["notebooks"].get(name, {}).get(gid, {}).get("kind") == "manual"
                   and final.get(student, {}).get(gid, result["notebooks"][name][gid]["score"]) is None]
        reason = list(result["notes"]) + ([f"to be graded by hand: {', '.join(pending)}"] if pending else [])
        rows.append([student, result["status"], f"{total:g}", f"{maximum:g}", *points, "; ".join(reason)])
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
          progress=True, log=print):
    """Grade the submissions of one assignment; returns the path of the grades CSV."""
    from nbgrader.api import Gradebook

    check_assignment(assignment)
    settings = settings or Settings()
    grading_dir = Path(grading_dir).resolve()
    grading_dir.mkdir(parents=True, exist_ok=True)
    names = notebook_names(assignment)
    digest = _source_hash(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-") as scratch:
        found = submissions.find(source, assignment, names, scratch)
        if shard is not None:
            i, n = shard
            found = found[i - 1::n]
            log(f"shard {i}/{n}: {len(found)} submission(s)")
        todo, unchanged, notes_by_student, regraded = [], 0, {}, []
        for sub in found:
            folder, message = submissions.import_into(sub, assignment, grading_dir / "submitted")
            if message:
                log(message)
            notes_by_student[sub.student] = sub.notes
            key = _cache_key(digest, settings, folder, names)
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
        with Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}") as gb:
            for sub in found:
                gb.update_or_create_student(sub.student)
    out = Path(out) if out else grading_dir / f"{assignment}-grades.csv"
    return export_csv(grading_dir, assignment, out, log)


def _run_jobs(todo, grading_dir, assignment, notes_by_student, jobs, progress, log):
    """Grade the jobs in a pool of workers; the parent records each result as it arrives.

    The workers start (imports, kernel factory, feedback templates) while the parent generates the
    release, so the two costs overlap.
    """
    from nbgrader.api import Gradebook

    jobs = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
    staging = Path(tempfile.mkdtemp(prefix="autograder-staging-"))
    context = multiprocessing.get_context("spawn")
    try:
        from .execute import write_kernel_spec

        write_kernel_spec(staging)
        with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
            warm = [pool.submit(_warm_up) for _ in range(jobs)]
            release, _ = prepare_assignment(assignment, grading_dir, log)
            for job, _ in todo:
                job.release_dir, job.staging_dir = str(release), str(staging)
            concurrent.futures.wait(warm)
            log(f"grading {len(todo)} submission(s) of {assignment} with {jobs} worker(s)")
            bar = Progress(len(todo), progress)
            results_dir(grading_dir, assignment).mkdir(parents=True, exist_ok=True)
            statuses = {}
            with Gradebook(f"sqlite:///{grading_dir / 'gradebook.db'}") as gb:
                futures = {pool.submit(_grade_job, job): (job, key) for job, key in todo}
                for future in concurrent.futures.as_completed(futures):
                    job, key = futures[future]
                    result = future.result()
                    result["notes"] = notes_by_student.get(job.student, []) + result["notes"]
                    if result["notes"] and result["status"] == "ok":
                        result["status"] = "flagged"
                    result["key"] = key
                    record(gb, result)
                    path = _result_file(grading_dir, assignment, job.student)
                    path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1
                    bar.step(job.student)
        log("graded: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _warm_up():
    """Worker start-up, done while the parent prepares the assignment."""
    from .execute import KernelFactory
    from .feedback import _exporter

    KernelFactory.start()
    _exporter()


def _grade_job(job):
    """Worker entry point (a separate process): never raises, so one submission cannot stop the batch."""
    from .execute import grade_job

    try:
        result = grade_job(job)
    except BaseException as err:  # noqa: BLE001 (even SystemExit or a KeyboardInterrupt in a worker)
        result = {"student": job.student, "assignment": job.assignment, "status": "failed", "seconds": 0,
                  "notes": [f"internal error while grading: {type(err).__name__}: {err}"], "notebooks": {}}
    result.pop("seconds", None)
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
            if student in seen and seen[student][1]["key"] != result["key"]:
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
            _result_file(grading_dir, assignment, student).write_text(
                json.dumps(result, indent=1, ensure_ascii=False))
    log(f"merged {len(seen)} student(s) from {len(list(shard_dirs))} shard(s) into {grading_dir}")
    return export_csv(grading_dir, assignment, Path(out) if out else grading_dir / f"{assignment}-grades.csv", log)

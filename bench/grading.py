"""Autograding throughput: the same 40 generated submissions of 01_backprop graded three ways.

1. plain nbgrader, ``nbgrader autograde`` (sequential: nbgrader's issue #174);
2. ``python -m autograder grade --jobs 1``;
3. ``python -m autograder grade --jobs 2``.

Each way starts from an empty grading folder. The two ``grade`` runs are timed as a whole command
(release, import, grading kernels, gradebook, feedback pages, CSV); nbgrader's set-up
(``generate_assignment``, importing 40 students) is timed apart from its ``autograde``, and its
``generate_feedback`` is reported too, since ``grade`` writes feedback as it goes. Then the fixed cost
of one submission is measured on the untouched release (every cell fails at once): nbgrader's, the
grading kernel's, and the pieces of the latter (kernel start, gradebook write, feedback page).
"""
import csv
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder import course  # noqa: E402

ASSIGNMENT, NOTEBOOK, STUDENTS = "01_backprop", "01_backprop.ipynb", 40


def _meta(cell):
    return cell.metadata.get("nbgrader", {})


def submissions():
    """{student: notebook}: 20 complete, 10 with one broken function, 10 half done (stubs left)."""
    solution = nbformat.read(str(course.SOLUTIONS / ASSIGNMENT / NOTEBOOK), as_version=4)
    answers = {_meta(c)["grade_id"]: c.source for c in solution.cells if _meta(c).get("solution")}
    out = {}
    for k in range(STUDENTS):
        nb = nbformat.read(str(course.EXERCISES / ASSIGNMENT / NOTEBOOK), as_version=4)
        answer_cells = [c for c in nb.cells if _meta(c).get("grade_id") in answers]
        for i, cell in enumerate(answer_cells):
            if k % 4 == 3 and i >= len(answer_cells) // 2:
                continue  # half done: the rest keeps its stub
            cell.source = answers[_meta(cell)["grade_id"]]
            if k % 4 == 2 and _meta(cell)["grade_id"] == "relu":
                cell.source = cell.source.replace("> 0).astype", "< 0).astype")
        out[f"student{k:02d}"] = nb
    return out


def _write(folder, notebooks, layout="nbgrader"):
    for student, nb in notebooks.items():
        path = folder / student / ASSIGNMENT / NOTEBOOK if layout == "nbgrader" else folder / f"{student}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path))


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _cpu():
    """CPU seconds used so far by this process and its waited-for descendants (kernels included)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measured(fn):
    """(wall seconds, CPU seconds) of fn()."""
    cpu = _cpu()
    wall = _timed(fn)
    return wall, _cpu() - cpu


def _grade_cli(grading, source, jobs):
    subprocess.run([sys.executable, "-m", "autograder", "--grading-dir", str(grading), "grade", ASSIGNMENT,
                    str(source), "--jobs", str(jobs), "--quiet"], cwd=REPO, check=True, capture_output=True)


def _plain_nbgrader(grading, notebooks):
    """(set-up s, autograde (wall, CPU), generate_feedback (wall, CPU), scores) of plain nbgrader."""
    release = grading / "release"
    setup = _timed(lambda: course.nbgrader("generate_assignment", ASSIGNMENT, "--force",
                                           f"--CourseDirectory.release_directory={release}", grading_dir=grading))
    (grading / "students.csv").write_text("id\n" + "\n".join(notebooks) + "\n")
    setup += _timed(lambda: course.nbgrader("db", "student", "import", str(grading / "students.csv"),
                                            grading_dir=grading))
    _write(grading / "submitted", notebooks)
    autograde = _measured(lambda: course.nbgrader("autograde", ASSIGNMENT, grading_dir=grading))
    feedback = _measured(lambda: course.nbgrader("generate_feedback", ASSIGNMENT, grading_dir=grading))
    course.nbgrader("export", f"--to={grading / 'grades.csv'}", grading_dir=grading)
    with open(grading / "grades.csv") as f:
        scores = {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}
    return setup, autograde, feedback, scores


def _our_scores(grading):
    with open(grading / f"{ASSIGNMENT}-grades.csv", encoding="utf-8") as f:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}


def _overheads(tmp, repeats=5):
    """Fixed cost of one submission (the untouched release), plain nbgrader and the grading kernel's parts."""
    from jupyter_client.manager import KernelManager

    from autograder import grade as grading_module
    from autograder.execute import Job, Settings, grade_job, write_kernel_spec
    from autograder.feedback import write_feedback
    from nbgrader.api import Gradebook

    release = {f"copy{k}": nbformat.read(str(course.EXERCISES / ASSIGNMENT / NOTEBOOK), as_version=4)
               for k in range(8)}
    g = tmp / "plain-release"
    _, (plain_total, _), _, _ = _plain_nbgrader(g, release)

    ours = tmp / "ours-release"
    grading_module.prepare_assignment(ASSIGNMENT, ours, log=lambda *a: None)
    staging = tmp / "staging"
    write_kernel_spec(staging)
    path = course.EXERCISES / ASSIGNMENT / NOTEBOOK
    job = Job(ASSIGNMENT, "x", {NOTEBOOK: str(path)}, None, str(ours / "autograder" / ASSIGNMENT / "release"),
              str(ours), str(staging), Settings(timeout=60))
    grade_job(job)  # warm-up: imports, caches
    per_job = min(_timed(lambda: grade_job(job)) for _ in range(repeats))
    result = grade_job(job)

    def kernel_start():
        km = KernelManager(kernel_name="python3")
        km.start_kernel()
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=True)

    ipykernel = min(_timed(kernel_start) for _ in range(repeats))
    autograded = nbformat.read(str(ours / "autograded" / "x" / ASSIGNMENT / NOTEBOOK), as_version=4)
    cells = result["notebooks"][NOTEBOOK]
    feedback = min(_timed(lambda: write_feedback(autograded, cells, tmp / "fb" / NOTEBOOK, "x", ASSIGNMENT))
                   for _ in range(repeats))
    with Gradebook(f"sqlite:///{ours / 'gradebook.db'}") as gb:
        writes = [_timed(lambda s=s: grading_module.record(gb, {**result, "student": f"s{s}"})) for s in range(10)]
    return plain_total / len(release), per_job, ipykernel, feedback, sum(writes) / len(writes)


def run():
    """Markdown section with the three timings, the speed-ups and the per-submission overheads."""
    notebooks = submissions()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        setup, plain, plain_feedback, plain_scores = _plain_nbgrader(tmp / "plain", notebooks)
        flat = tmp / "submissions"
        _write(flat, notebooks, layout="flat")
        one = _measured(lambda: _grade_cli(tmp / "jobs1", flat, 1))
        two = _measured(lambda: _grade_cli(tmp / "jobs2", flat, 2))
        same = _our_scores(tmp / "jobs1") == _our_scores(tmp / "jobs2") == plain_scores
        plain_each, ours_each, kernel, feedback, write = _overheads(tmp)
    load = max(load, os.getloadavg()[0])
    n = len(notebooks)
    both = (plain[0] + plain_feedback[0], plain[1] + plain_feedback[1])

    def row(label, measured, bold=False):
        speed = f"{plain[0] / measured[0]:.2f}×"
        return (f"| {label} | {measured[0]:.1f} | {measured[1]:.1f} | {measured[0] / n:.2f} | "
                f"{'**' + speed + '**' if bold else speed} |")

    return "\n".join([
        "## Autograding throughput",
        "",
        f"{n} generated submissions of `{ASSIGNMENT}` (20 complete, 10 with a broken `relu_grad`, 10 half done), "
        f"graded from an empty grading folder on {os.cpu_count()} CPU(s); the load average reached {load:.1f} "
        f"during the run (other work on the machine slows every way alike; CPU seconds, kernels included, "
        f"are less sensitive to it). Scores identical across the three ways: **{'yes' if same else 'NO'}**.",
        "",
        "| way | wall s | CPU s | wall s per submission | speed-up over plain nbgrader (wall) |",
        "|---|---:|---:|---:|---:|",
        row("plain `nbgrader autograde` (sequential)", plain),
        row("plain `nbgrader autograde` + `generate_feedback`", both),
        row("`python -m autograder grade --jobs 1` (whole command)", one),
        row("`python -m autograder grade --jobs 2` (whole command)", two, bold=True),
        "",
        f"nbgrader's set-up before autograding (`generate_assignment`, `db student import`): {setup:.1f} s, not "
        "counted above; `grade` includes its own (the release, importing the students), its feedback pages "
        "and the CSV.",
        "",
        "Fixed cost of one submission, measured on the untouched release (every cell fails at once):",
        "",
        "| what | seconds |",
        "|---|---:|",
        f"| plain `nbgrader autograde`, per submission (8 in one run) | {plain_each:.2f} |",
        f"| grading kernel: one submission, start to feedback page | {ours_each:.2f} |",
        f"| of which: rendering the feedback page | {feedback:.2f} |",
        f"| gradebook write of one result (parent process, SQLite) | {write:.3f} |",
        f"| for scale: starting and stopping a plain ipykernel (not forked) | {kernel:.2f} |",
    ])

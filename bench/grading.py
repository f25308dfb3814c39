"""Autograding throughput: the same 40 generated submissions of 01_backprop graded two ways.

1. plain nbgrader, ``nbgrader autograde`` (sequential: nbgrader's issue #174; no isolation, and it
   cannot judge hidden tests decided outside the sandbox: a speed baseline only);
2. ``python -m autograder grade --jobs 2``, every notebook in its bubblewrap sandbox.

Other work on the machine slows both, so the two are interleaved in one run: the class is graded in two
halves of 20, in the order nbgrader, grade, grade, nbgrader (each tool sees the machine early and late),
each tool into its own grading folder (the second half's command finds the first half graded and grades
only the new students, as at a real deadline). The load average is sampled at each phase's start and end.
``grade`` is timed as a whole command (release, import, sandboxes, judging, gradebook, feedback pages,
CSV); nbgrader's set-up (``generate_assignment``, importing 40 students) is timed apart from its
``autograde``. Then one submission's time is split into its steps (the sandbox's start, running the
notebook, judging, the feedback page, the gradebook write), and the peak memory of the grading processes
is recorded.
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
from autograder.notebooks import nbgrader_meta  # noqa: E402

ASSIGNMENT, NOTEBOOK, STUDENTS = "01_backprop", "01_backprop.ipynb", 40


def submissions():
    """{student: notebook}: 20 complete, 10 with one broken function, 10 half done (stubs left)."""
    solution = nbformat.read(str(course.SOLUTIONS / ASSIGNMENT / NOTEBOOK), as_version=4)
    answers = {nbgrader_meta(c)["grade_id"]: c.source for c in solution.cells if nbgrader_meta(c).get("solution")}
    out = {}
    for k in range(STUDENTS):
        nb = nbformat.read(str(course.EXERCISES / ASSIGNMENT / NOTEBOOK), as_version=4)
        answer_cells = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") in answers]
        for i, cell in enumerate(answer_cells):
            if k % 4 == 3 and i >= len(answer_cells) // 2:
                continue  # half done: the rest keeps its stub
            cell.source = answers[nbgrader_meta(cell)["grade_id"]]
            if k % 4 == 2 and nbgrader_meta(cell)["grade_id"] == "relu":
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


def _nbgrader_setup(grading, notebooks):
    """Seconds of nbgrader's set-up: the release and the students imported."""
    release = grading / "release"
    setup = _timed(lambda: course.nbgrader("generate_assignment", ASSIGNMENT, "--force",
                                           f"--CourseDirectory.release_directory={release}", grading_dir=grading))
    (grading / "students.csv").write_text("id\n" + "\n".join(notebooks) + "\n")
    return setup + _timed(lambda: course.nbgrader("db", "student", "import", str(grading / "students.csv"),
                                                   grading_dir=grading))


def _plain_autograde(grading, notebooks):
    """(wall, CPU) of ``nbgrader autograde`` once these notebooks are in submitted/ (it skips the ones it graded)."""
    _write(grading / "submitted", notebooks)
    return _measured(lambda: course.nbgrader("autograde", ASSIGNMENT, grading_dir=grading))


def _plain_scores(grading):
    course.nbgrader("export", f"--to={grading / 'grades.csv'}", grading_dir=grading)
    with open(grading / "grades.csv") as f:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}


def _our_scores(grading):
    with open(grading / f"{ASSIGNMENT}-grades.csv", encoding="utf-8") as f:
        return {r["student_id"]: float(r["score"]) for r in csv.DictReader(f)}


HALF_DONE = 9.0  # the points of the tests whose answers are all in the first half of the answer cells


def _points():
    """{grade_id: points} of the assignment's graded cells (from the solution's nbgrader metadata)."""
    solution = nbformat.read(str(course.SOLUTIONS / ASSIGNMENT / NOTEBOOK), as_version=4)
    return {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0))
            for c in solution.cells if nbgrader_meta(c).get("grade")}


def _expected_scores(notebooks):
    """What the judge must give each generated submission: complete the full score, broken relu_grad the full
    score less test_relu_grad's points, half done ``HALF_DONE``."""
    points = _points()
    full = sum(points.values())
    return {s: {0: full, 1: full, 2: full - points["test_relu_grad"], 3: HALF_DONE}[int(s[-2:]) % 4]
            for s in notebooks}


def _steps(tmp, repeats=5):
    """Seconds of each step of one complete submission, the best of ``repeats`` (the sandbox is real), and the
    numbers of code cells run and of test cells judged."""
    from nbgrader.api import Gradebook

    from autograder import judge, sandbox
    from autograder.batch import grade as batch
    from autograder.notebooks import Assignment, canonicalize, is_instructor, read_submission
    from autograder.records import CellResult, SubmissionResult
    from autograder.worker.feedback import write_feedback

    grading = tmp / "steps"
    release, _ = batch.prepare_assignment(ASSIGNMENT, grading, log=lambda *a: None)
    assignment = Assignment.from_files(release / ASSIGNMENT / NOTEBOOK, course.SOLUTIONS / ASSIGNMENT / NOTEBOOK)
    nb, _ = canonicalize(assignment, *read_submission(nbformat.writes(submissions()["student00"]).encode()))
    cells = [{"index": i, "source": c.source, "instructor": is_instructor(c)}
             for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    mpl = sandbox.matplotlib_cache(tmp / "mpl")
    inputs = judge.inputs_document(ASSIGNMENT)
    empty = min(_timed(lambda: sandbox.run_notebook([], inputs, mpl_cache=mpl)) for _ in range(repeats))
    full = min(_timed(lambda: sandbox.run_notebook(cells, inputs, mpl_cache=mpl)) for _ in range(repeats))
    run = sandbox.run_notebook(cells, inputs, mpl_cache=mpl)
    tests = judge.checks(ASSIGNMENT)
    judging = min(_timed(lambda: [judge.judge_cell(c, run.collected) for c in tests.values()])
                  for _ in range(repeats))
    results = [CellResult(gid, "test", 1.0, 1.0) for gid in tests]
    feedback = min(_timed(lambda: write_feedback(nb, results, tmp / "fb" / NOTEBOOK, "x", ASSIGNMENT))
                   for _ in range(repeats))
    result = SubmissionResult("x", ASSIGNMENT, notebooks={NOTEBOOK: results})
    with Gradebook(f"sqlite:///{grading / 'gradebook.db'}") as gb:
        writes = [_timed(lambda s=s: batch.record(gb, SubmissionResult(f"s{s}", ASSIGNMENT, notebooks=result.notebooks)))
                  for s in range(10)]
    return empty, full - empty, judging, feedback, sum(writes) / len(writes), len(cells), len(tests)


def _peak_rss_mb():
    """Largest resident set of any finished descendant so far (the grader, a worker or a sandboxed notebook), MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _interleaved(tmp, notebooks):
    """{"plain": (wall, CPU), "grade": (wall, CPU), "setup": s, "load": [load averages], "right": bool,
    "scores": the expected scores, highest first}."""
    names = sorted(notebooks)
    halves = [{s: notebooks[s] for s in names[:len(names) // 2]}, {s: notebooks[s] for s in names}]
    plain_dir, ours_dir, flat = tmp / "plain", tmp / "grade", tmp / "submissions"
    setup = _nbgrader_setup(plain_dir, notebooks)
    load, spent = [os.getloadavg()[0]], {"plain": [0.0, 0.0], "grade": [0.0, 0.0]}

    def plain(half):
        return _plain_autograde(plain_dir, halves[half])

    def ours(half):
        _write(flat, halves[half], layout="flat")
        return _measured(lambda: _grade_cli(ours_dir, flat, 2))

    for tool, half in (("plain", 0), ("grade", 0), ("grade", 1), ("plain", 1)):
        wall, cpu = (plain if tool == "plain" else ours)(half)
        spent[tool][0] += wall
        spent[tool][1] += cpu
        load.append(os.getloadavg()[0])
    _plain_scores(plain_dir)  # nbgrader graded every notebook (its scores are not comparable)
    expected = _expected_scores(notebooks)
    return {"plain": tuple(spent["plain"]), "grade": tuple(spent["grade"]), "setup": setup, "load": load,
            "right": _our_scores(ours_dir) == expected, "scores": sorted(set(expected.values()), reverse=True)}


def run():
    """Markdown section with the two timings, the speed-up, the steps of one submission and the memory."""
    notebooks = submissions()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        tmp = Path(tmp)
        measured = _interleaved(tmp, notebooks)
        peak = _peak_rss_mb()
        start, notebook, judging, feedback, write, n_cells, n_tests = _steps(tmp)
    plain, two, load = measured["plain"], measured["grade"], measured["load"]
    n = len(notebooks)

    def row(label, measured, bold=False):
        speed = f"{plain[0] / measured[0]:.2f}×"
        return (f"| {label} | {measured[0]:.1f} | {measured[1]:.1f} | {measured[0] / n:.2f} | "
                f"{'**' + speed + '**' if bold else speed} |")

    return "\n".join([
        "## Autograding throughput (isolation on)",
        "",
        f"{n} generated submissions of `{ASSIGNMENT}` (20 complete, 10 with a broken `relu_grad`, 10 half done), "
        f"graded on {os.cpu_count()} CPU(s) by both tools in one run, interleaved: two halves of {n // 2}, in the "
        f"order nbgrader, grade, grade, nbgrader, each tool into its own grading folder. The machine's load "
        f"average (1 min) at the phases' starts and ends: {', '.join(f'{x:.1f}' for x in load)} (other work on "
        f"the machine slows both tools alike; CPU seconds are less sensitive to it, but miss the sandboxed "
        f"notebooks' own, which bwrap's reaper collects). `grade` runs every notebook in its own bubblewrap "
        f"sandbox and judges the hidden tests outside it; its scores are the expected ones "
        f"({' / '.join(f'{x:g}' for x in measured['scores'])}): "
        f"**{'yes' if measured['right'] else 'NO'}**. Plain nbgrader runs the same notebooks unisolated and "
        f"cannot judge the hidden tests (its scores are not comparable): it is the speed baseline.",
        "",
        "| way | wall s | CPU s | wall s per submission | speed-up over plain nbgrader (wall) |",
        "|---|---:|---:|---:|---:|",
        row("plain `nbgrader autograde` (sequential, no isolation)", plain),
        row("`python -m autograder grade --jobs 2` (whole command, isolated)", two, bold=True),
        "",
        f"nbgrader's set-up before autograding (`generate_assignment`, `db student import`): "
        f"{measured['setup']:.1f} s, not counted above; `grade` includes its own (the release, importing the "
        "students, checking the sandbox), its feedback pages and the CSV, once per half.",
        "",
        "Where one complete submission's time goes (best of 5):",
        "",
        "| step | seconds |",
        "|---|---:|",
        f"| sandbox start: bwrap, interpreter, IPython and NumPy imported, an empty notebook | {start:.2f} |",
        f"| running the notebook's {n_cells} code cells in it (answers, visible tests, collecting) | {notebook:.2f} |",
        f"| judging the {n_tests} test cells against the reference, outside | {judging:.3f} |",
        f"| rendering the feedback page | {feedback:.2f} |",
        f"| gradebook write of one result (parent process, SQLite) | {write:.3f} |",
        "",
        f"Peak memory: the largest grading process (the batch, a worker or a sandboxed notebook) used "
        f"{peak:.0f} MB resident.",
    ])

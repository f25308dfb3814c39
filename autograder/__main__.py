"""The instructor's commands: ``python -m autograder COMMAND``.

    release [ASSIGNMENT ...] [--check]     sync solutions/NN/NN.ipynb from NN.md, then regenerate
                                           exercises/ through nbgrader; --check only compares and
                                           exits 1 when anything differs
    grade ASSIGNMENT SUBMISSIONS           import a folder or zip of submissions, autograde them in
          [--jobs N] [--timeout S]         parallel, each notebook in its own sandbox; write
          [--notebook-timeout S]           feedback and the grades CSV
          [--memory MB] [--out CSV] [--no-isolation]
          [--shard i/n] [--force] [--students ID,...]
          [--layout nbgrader|flat|canvas|moodle]
    merge ASSIGNMENT SHARD_DIR ...         merge shards graded in other grading folders, write the CSV
    report ASSIGNMENT                      item analysis: pass rate, discrimination and flags of each test,
                                           reliability, score distribution, grades changed by a regrade
                                           (Markdown, CSV, an offline HTML page with the figure)
    export ASSIGNMENT --format canvas|moodle   the grades as the platform's import file, students matched
          --roster FILE --out FILE         with the roster (its gradebook export) on --match COLUMN;
          [--match COLUMN] [--column NAME] written only when every graded student matched
          [--allow-unmatched]
    slurm ASSIGNMENT SUBMISSIONS           write a Slurm job array grading --shard i/N (one task per shard)
          --shards N [--out DIR]           and a merge job after it (--dependency=afterok), with submit.sh
          [--cpus C] [--sbatch OPTION]
    mutants ASSIGNMENT ... [--max N]       plant plausible mistakes in the solution and grade them:
                                           the mutation score of the tests (see mutants --help)

Grading happens in --grading-dir (default: $COURSE_GRADING_DIR, else grading/), in nbgrader's
layout: gradebook.db, submitted/, autograded/, feedback/.
"""
import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from . import course
from .batch.export import FORMATS
from .batch.submissions import LAYOUTS, SubmissionsError


def _differences(fresh, committed):
    """Relative paths that differ between two release folders (missing, extra or changed files)."""
    cmp = filecmp.dircmp(fresh, committed)
    out = [*cmp.left_only, *cmp.right_only, *filecmp.cmpfiles(fresh, committed, cmp.common_files, shallow=False)[1]]
    for sub in cmp.common_dirs:
        out += [f"{sub}/{p}" for p in _differences(Path(fresh) / sub, Path(committed) / sub)]
    return out


def release(assignments, check):
    """Generate each assignment's student version; write it to exercises/ or, with check, compare.

    First each solution notebook is rewritten from its MyST source (``autograder.sources``); with
    check, a source that disagrees with its notebook is reported instead.
    """
    from . import sources

    stale = []
    for name in assignments:
        if check:
            for problem in sources.disagreements(name):
                stale.append(name)
                print(f"{name}: {problem}")
        else:
            for nb in sources.sync(name):
                print(f"{name}: updated {nb.relative_to(course.REPO)} from its .md source")
    with tempfile.TemporaryDirectory() as tmp:
        for name in assignments:
            course.nbgrader("generate_assignment", name, "--force",
                            f"--CourseDirectory.release_directory={tmp}", grading_dir=Path(tmp) / ".grading")
            fresh, committed = Path(tmp) / name, course.EXERCISES / name
            diff = _differences(fresh, committed) if committed.exists() else ["(missing)"]
            if not diff:
                print(f"{name}: exercises/ is up to date")
            elif check:
                stale.append(name)
                print(f"{name}: exercises/{name} differs from solutions/: {', '.join(diff)}")
            else:
                shutil.rmtree(committed, ignore_errors=True)
                shutil.copytree(fresh, committed)
                print(f"{name}: wrote exercises/{name} ({', '.join(diff)})")
    if stale:
        print("Run `python -m autograder release` to regenerate them.", file=sys.stderr)
    return 1 if stale else 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["mutants"]:  # a command with its own options, in autograder/mutants.py
        from .mutation.mutants import main as mutants_main

        return mutants_main(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--grading-dir", type=Path, default=None,
                        help="the grading folder (default: $COURSE_GRADING_DIR, else grading/)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate exercises/ from solutions/")
    p.add_argument("assignments", nargs="*", help="default: all of solutions/")
    p.add_argument("--check", action="store_true", help="compare only; exit 1 when exercises/ is stale")

    p = sub.add_parser("grade", help="autograde a folder or zip of submissions")
    p.add_argument("assignment")
    p.add_argument("submissions", help="a folder or a .zip: <student>/<assignment>/*.ipynb or <student>[_*].ipynb")
    p.add_argument("--jobs", type=course.positive_int, default=None, help="parallel workers (default: the number of CPUs)")
    p.add_argument("--timeout", type=course.positive_int, default=120, help="seconds a cell may run (default 120)")
    p.add_argument("--notebook-timeout", type=course.positive_int, default=600,
                   help="seconds a whole notebook may run (default 600)")
    p.add_argument("--memory", type=course.positive_int, default=2048, help="MB of memory per sandbox (default 2048)")
    p.add_argument("--no-isolation", action="store_true",
                   help="run submissions WITHOUT the bubblewrap sandbox (trusted code only; noted in every row)")
    p.add_argument("--out", type=Path, help="the grades CSV (default: <grading>/<assignment>-grades.csv)")
    p.add_argument("--shard", help="grade only shard i of n (students sorted by id, every n-th from the i-th)")
    p.add_argument("--force", action="store_true", help="regrade submissions even when nothing changed")
    p.add_argument("--layout", choices=LAYOUTS,
                   help="how SUBMISSIONS is laid out (default: recognised; flat: a file's whole name is the student id)")
    p.add_argument("--students", type=lambda text: [s for s in text.split(",") if s],
                   help="grade only these students (ids separated by commas), e.g. after a fix")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("merge", help="merge shards graded in other grading folders into this one")
    p.add_argument("assignment")
    p.add_argument("shards", nargs="+", type=Path, help="the shards' grading folders")
    p.add_argument("--out", type=Path, help="the grades CSV (default: <grading>/<assignment>-grades.csv)")

    p = sub.add_parser("report", help="item analysis of each test, reliability, distribution, regraded grades")
    p.add_argument("assignment")
    p.add_argument("--out-dir", type=Path, help="where the tables, the figure and the page go (default: <grading>/reports)")

    p = sub.add_parser("export", help="the grades as the import file of Canvas or Moodle, from its roster")
    p.add_argument("assignment")
    p.add_argument("--format", required=True, choices=sorted(FORMATS), help="the course platform")
    p.add_argument("--roster", required=True, type=Path,
                   help="the platform's gradebook export (Canvas: Grades > Export; Moodle: Export > Plain text file)")
    p.add_argument("--out", required=True, type=Path, help="the import file to write")
    p.add_argument("--match", help="the roster column compared with student ids (default: Canvas's 'SIS Login ID', "
                                   "Moodle's 'ID number'; e.g. 'Email address', 'ID')")
    p.add_argument("--column", help="the roster column of this assignment (default: the one named after it)")
    p.add_argument("--allow-unmatched", action="store_true",
                   help="write the file even when graded students match no roster row (they are listed)")

    p = sub.add_parser("slurm", help="write the Slurm job array that grades in shards, and the merge job after it")
    p.add_argument("assignment")
    p.add_argument("submissions", type=Path, help="a folder or a .zip the cluster's nodes can read")
    p.add_argument("--shards", required=True, type=course.positive_int, help="tasks of the job array")
    p.add_argument("--out", type=Path, help="where the scripts, the shards and the logs go (default: <grading>/slurm)")
    p.add_argument("--cpus", type=course.positive_int, default=2, help="CPUs (grading workers) per task (default 2)")
    p.add_argument("--python", default=sys.executable, help="the interpreter the jobs run (default: this one)")
    p.add_argument("--sbatch", action="append", default=[], metavar="OPTION",
                   help="an sbatch option for both jobs, e.g. --sbatch=--partition=short (repeatable)")
    p.add_argument("--timeout", type=course.positive_int, help="passed to grade")
    p.add_argument("--notebook-timeout", type=course.positive_int, help="passed to grade")
    p.add_argument("--memory", type=course.positive_int, help="passed to grade")
    p.add_argument("--layout", choices=LAYOUTS, help="passed to grade")
    p.add_argument("--no-isolation", action="store_true", help="passed to grade (trusted submissions only)")
    args = parser.parse_args(argv)

    if args.command == "release":
        known = course.assignments()
        unknown = [a for a in args.assignments if a not in known]
        if unknown:
            parser.error(f"unknown assignment(s) {', '.join(unknown)}; choose from {', '.join(known)}")
        return release(args.assignments or known, args.check)

    from .batch.grade import GradingError, grade, merge, parse_shard
    from .batch.report import report
    from .records import Settings

    grading_dir = (args.grading_dir or course.default_grading_dir()).resolve()
    try:
        if args.command == "grade":
            grade(args.assignment, args.submissions, grading_dir, jobs=args.jobs,
                  settings=Settings(timeout=args.timeout, notebook_timeout=args.notebook_timeout,
                                    memory_mb=args.memory, isolate=not args.no_isolation), out=args.out,
                  shard=parse_shard(args.shard) if args.shard else None, force=args.force,
                  progress=not args.quiet, layout=args.layout, students=args.students)
        elif args.command == "merge":
            merge(args.assignment, args.shards, grading_dir, out=args.out)
        elif args.command == "slurm":
            from .batch import slurm
            from .batch.grade import check_assignment

            check_assignment(args.assignment)
            forwarded = [x for name in ("timeout", "notebook_timeout", "memory", "layout")
                         if getattr(args, name) is not None for x in (f"--{name.replace('_', '-')}", str(getattr(args, name)))]
            slurm.write(slurm.SlurmJob(args.assignment, args.submissions, args.shards,
                                       args.out or grading_dir / "slurm", grading_dir, args.cpus, args.python,
                                       forwarded + (["--no-isolation"] if args.no_isolation else []), args.sbatch))
        elif args.command == "export":
            from .batch.export import export

            export(args.assignment, grading_dir, args.format, args.roster, args.out, match=args.match,
                   column=args.column, allow_unmatched=args.allow_unmatched)
        else:
            report(args.assignment, grading_dir, args.out_dir)
    except (GradingError, SubmissionsError) as err:
        print(f"python -m autograder {args.command}: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

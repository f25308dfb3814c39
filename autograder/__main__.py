"""The instructor's commands: ``python -m autograder COMMAND``.

    release [ASSIGNMENT ...] [--check]   regenerate exercises/ from solutions/ through nbgrader;
                                         --check only compares and exits 1 when they differ
"""
import argparse
import filecmp
import shutil
import sys
import tempfile
from pathlib import Path

from . import course


def _differences(fresh, committed):
    """Relative paths that differ between two release folders (missing, extra or changed files)."""
    cmp = filecmp.dircmp(fresh, committed)
    out = [*cmp.left_only, *cmp.right_only, *filecmp.cmpfiles(fresh, committed, cmp.common_files, shallow=False)[1]]
    for sub in cmp.common_dirs:
        out += [f"{sub}/{p}" for p in _differences(Path(fresh) / sub, Path(committed) / sub)]
    return out


def release(assignments, check):
    """Generate each assignment's student version; write it to exercises/ or, with check, compare."""
    stale = []
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
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="regenerate exercises/ from solutions/")
    p.add_argument("assignments", nargs="*", help="default: all of solutions/")
    p.add_argument("--check", action="store_true", help="compare only; exit 1 when exercises/ is stale")
    args = parser.parse_args(argv)

    known = course.assignments()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        parser.error(f"unknown assignment(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return release(args.assignments or known, args.check)


if __name__ == "__main__":
    sys.exit(main())

"""Which grades a regrade changed, and by how much.

When ``grade`` replaces a student's result (the submission, the assignment's tests, the grader or the
settings changed, or ``--force``), the result it replaces is kept in
``<grading>/autograder/<assignment>/results/previous/<student>.json``. A ``Change`` compares the two:
the totals of the test and written-answer cells the grader scored (hand-graded points live in the
gradebook and are not regraded) and each cell whose score moved.
"""
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..records import SubmissionResult


@dataclass
class Change:
    """One student's grade before and after the last regrade; cells: [(grade_id, before, after)] that moved."""

    student: str
    before: float
    after: float
    cells: list = field(default_factory=list)

    @property
    def delta(self):
        return self.after - self.before


def previous_dir(results_dir):
    return Path(results_dir) / "previous"


def keep_previous(path):
    """Before a result file is replaced: move it to previous/ (the grade it had until now)."""
    path = Path(path)
    if path.is_file():
        previous_dir(path.parent).mkdir(exist_ok=True)
        os.replace(path, previous_dir(path.parent) / path.name)


def compare(before, after):
    """The Change between two SubmissionResults of one student, None when no cell's score moved."""
    def scores(result):
        return {(name, c.grade_id): c.score or 0.0 for name, c in result.cells()}

    old, new = scores(before), scores(after)
    moved = [(gid, old.get((name, gid), 0.0), new.get((name, gid), 0.0))
             for name, gid in dict.fromkeys([*old, *new]) if abs(old.get((name, gid), 0.0) - new.get((name, gid), 0.0)) > 1e-9]
    return Change(after.student, before.score(), after.score(), moved) if moved else None


def changes(grading_dir, assignment, students=None):
    """[Change] of every student (or of those given) whose last regrade moved a score, by student id."""
    from .grade import results_dir

    folder = results_dir(grading_dir, assignment)
    out = []
    for path in sorted(previous_dir(folder).glob("*.json")) if previous_dir(folder).is_dir() else []:
        current = folder / path.name
        if not current.is_file():
            continue
        before = SubmissionResult.from_dict(json.loads(path.read_text()))
        if students is not None and before.student not in students:
            continue
        change = compare(before, SubmissionResult.from_dict(json.loads(current.read_text())))
        if change:
            out.append(change)
    return out


def describe(change):
    """'test_relu 0 → 2, test_affine 3 → 2.5': the cells that moved."""
    return ", ".join(f"{gid} {a:g} → {b:g}" for gid, a, b in change.cells)

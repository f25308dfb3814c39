"""``python -m autograder export``: an assignment's grades as the file a course platform imports.

The roster is the platform's own gradebook export; the output keeps its students and identity columns
and fills this assignment's column with the total points (hand-graded points included, as in the
grades CSV), out of the assignment's maximum:

- ``canvas``: the gradebook *Export* CSV (``Student, ID, SIS User ID, SIS Login ID, [Integration ID,]
  Section, <assignment> (<assignment id>), …``, a ``Points Possible`` row under the header) in; out, the
  same identity columns and one grade column, the roster's ``<assignment> (<id>)`` when it has one
  (Canvas then updates that assignment; a header without an id makes Canvas create one), under the
  roster's ``Points Possible`` row;
- ``moodle``: the grader report's CSV export (``First name, Last name, ID number, Institution,
  Department, Email address, Assignment: <name> (Real), …``) in; out, the identifier column and the
  grade column (the roster's column of this assignment when it has one), to map in Moodle's CSV grade
  import (identifier → the user field, e.g. *ID number*; the grade column → the grade item).

Students are matched on one roster column (``--match``; Canvas: ``SIS Login ID``, Moodle: ``ID number``;
or a login, an SIS id, an email address) compared with the nbgrader student id, ignoring case and
surrounding spaces. Canvas's ``ID`` also matches ids that end in ``_<ID>``, as the ids read from a
Canvas submissions download do (``doejane_12345``). Unmatched students on either side are listed; the
file is written only when every graded student matched, or with ``allow_unmatched``.
"""
import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .grade import GradingError, check_assignment, grade_rows


@dataclass(frozen=True)
class Format:
    """One platform's roster and import conventions."""

    name: str
    match: str  # the default roster column compared with student ids
    identity: tuple  # roster columns copied to the output (those present), in the roster's order
    points_row: bool  # whether the roster has a "Points Possible" row under its header


FORMATS = {
    "canvas": Format("canvas", "SIS Login ID",
                     ("Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section"), True),
    "moodle": Format("moodle", "ID number", (), False),
}
POINTS_POSSIBLE = "Points Possible"


@dataclass
class Export:
    """What an export decided: the rows written, and who did not match on each side."""

    header: list
    rows: list
    column: str
    unmatched_graded: list = field(default_factory=list)  # graded students absent from the roster
    unmatched_roster: list = field(default_factory=list)  # roster rows without a grade: their match value, or name
    notes: list = field(default_factory=list)


def read_roster(path):
    """(header, rows as dicts) of a roster CSV (UTF-8 with or without a byte-order mark; comma, semicolon
    or tab separated, as Moodle offers)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    header = [h.strip() for h in next(reader, [])]
    if not header:
        raise GradingError(f"{path}: the roster is empty")
    return header, [dict(zip(header, row)) for row in reader if any(cell.strip() for cell in row)]


def assignment_column(header, assignment, fmt, column=None):
    """The roster column of the assignment: ``column`` when given (it must exist), else the one named
    ``<assignment> (<id>)`` (Canvas) or ``<anything>: <assignment> (<type>)`` (Moodle), else None."""
    if column:
        if column not in header:
            raise GradingError(f"--column {column!r} is not a column of the roster: {', '.join(header)}")
        return column
    pattern = rf"{re.escape(assignment)} \(\d+\)" if fmt.name == "canvas" else rf"(.*: )?{re.escape(assignment)}( \(.*\))?"
    return next((h for h in header if re.fullmatch(pattern, h, re.I)), None)


def _key(text):
    return text.strip().casefold()


def _is_points_row(row, header):
    return row.get(header[0], "").strip() == POINTS_POSSIBLE


def build(assignment, grading_dir, fmt, roster, match=None, column=None):
    """The Export of an assignment for a roster file; raises GradingError on a roster it cannot use."""
    fmt = FORMATS[fmt] if isinstance(fmt, str) else fmt
    match = match or fmt.match
    header, rows = read_roster(roster)
    if match not in header:
        raise GradingError(f"{roster}: no {match!r} column to match students on (--match); its columns: "
                           f"{', '.join(header)}")
    grades_header, grades = grade_rows(grading_dir, assignment)
    graded = {row[0]: dict(zip(grades_header, row)) for row in grades}
    maximum = max((float(g["max_score"]) for g in graded.values()), default=0.0)
    target = assignment_column(header, assignment, fmt, column)
    out_column = target or assignment
    by_key = {}
    for student in graded:
        by_key.setdefault(_key(student), []).append(student)
    # not students: the Points Possible row, and rows naming no one (newer Canvas exports add a
    # "Manual Posting" row with empty name and id)
    students = [r for r in rows if not _is_points_row(r, header) and any(r.get(h, "").strip() for h in header[:2])]
    seen, duplicates = {}, []
    for r in students:
        value = _key(r.get(match, ""))
        if value and value in seen:
            duplicates.append(r[match])
        seen[value] = r
    if duplicates:
        raise GradingError(f"{roster}: several students share the {match} {', '.join(sorted(set(duplicates)))}: "
                           "match on another column (--match)")

    def grade_of(r):
        value = _key(r.get(match, ""))
        if not value:
            return None
        found = by_key.get(value, [])
        if not found and fmt.name == "canvas" and match == "ID":
            found = [s for s in graded if _key(s).endswith("_" + value)]
        return found[0] if len(found) == 1 else None

    identity = [h for h in header if h in fmt.identity] if fmt.identity else [match]
    out_header = identity + [out_column]
    out_rows, matched = [], set()
    if fmt.points_row:
        out_rows.append([POINTS_POSSIBLE] + [""] * (len(identity) - 1) + [f"{maximum:g}"])
        lms = next((r.get(target, "") for r in rows if _is_points_row(r, header)), "") if target else ""
    for r in students:
        student = grade_of(r)
        score = graded[student]["score"] if student else ""
        if student:
            matched.add(student)
        out_rows.append([r.get(h, "") for h in identity] + [score])
    result = Export(out_header, out_rows, out_column,
                    sorted(set(graded) - matched),
                    [r.get(match, "").strip() or f"{r.get(header[0], '')} (no {match})" for r in students
                     if grade_of(r) is None])
    if fmt.points_row and target and lms.strip() and abs(float(lms) - maximum) > 1e-9:
        result.notes.append(f"the roster's {target} is out of {lms} points, the grades out of {maximum:g}: "
                            "Canvas will show the points as they are")
    if target is None:
        result.notes.append(f"the roster has no column of {assignment}: the grades go into a new column "
                            f"{out_column!r} (--column to choose an existing one)")
    pending = sorted(s for s in matched if "to be graded by hand" in graded[s]["reason"])
    if pending:
        result.notes.append(f"written without their hand-graded points (not graded yet): {', '.join(pending)}")
    failed = sorted(s for s in matched if graded[s]["status"] == "failed")
    if failed:
        result.notes.append(f"nothing could be graded for {', '.join(failed)} (status failed, 0 points; "
                            "the grades CSV says why)")
    return result


def export(assignment, grading_dir, fmt, roster, out, match=None, column=None, allow_unmatched=False, log=print):
    """Write the import file of ``build`` to out; returns its Export. Refuses (GradingError) when a
    graded student is not in the roster, unless allow_unmatched."""
    check_assignment(assignment)
    result = build(assignment, grading_dir, fmt, roster, match, column)
    match = match or FORMATS[fmt].match
    if result.unmatched_roster:
        log(f"{len(result.unmatched_roster)} roster student(s) without a grade (left empty): "
            f"{', '.join(result.unmatched_roster)}")
    if result.unmatched_graded:
        log(f"{len(result.unmatched_graded)} graded student(s) not in the roster (by {match}): "
            f"{', '.join(result.unmatched_graded)}")
    for note in result.notes:
        log(f"note: {note}")
    if result.unmatched_graded and not allow_unmatched:
        raise GradingError(f"not written: {len(result.unmatched_graded)} graded student(s) match no roster row "
                           f"by {match!r} (another --match column, or --allow-unmatched to leave them out)")
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(result.header)
        writer.writerows(result.rows)
    graded = sum(1 for row in result.rows if row[-1] != "" and row[0] != POINTS_POSSIBLE)
    log(f"wrote {out}: {graded} grade(s) of {assignment} in the column {result.column!r} ({fmt})")
    return result

"""The typed records passed between the grader's parts.

``Job`` (batch -> worker): one student's submission to grade, with the ``Settings`` of the run.
``SubmissionResult`` (worker -> batch): what the worker decided, one ``CellResult`` per graded cell
of each notebook; the batch stores it as JSON, writes the gradebook and the CSV from it, and the
report, the feedback pages and the mutation tools read it.
"""
from dataclasses import asdict, dataclass, field

STATUSES = ("ok", "flagged", "failed")
ISOLATION_OFF_NOTE = "graded WITHOUT isolation (--no-isolation): submitted code ran with the grader's rights"


@dataclass
class Settings:
    """How submissions are run.

    Attributes:
        timeout: seconds one cell may run before it is interrupted.
        notebook_timeout: seconds one notebook may run in total; the sandbox is then stopped.
        memory_mb: memory of one sandbox.  isolate: run in bubblewrap (False only with --no-isolation).
    """

    timeout: int = 120
    notebook_timeout: int = 600
    memory_mb: int = 2048
    isolate: bool = True


@dataclass
class Job:
    """One student's submission of one assignment, as the batch hands it to a worker."""

    assignment: str
    student: str
    notebooks: dict  # notebook file name -> path of the submitted file, or None when it is missing
    folder: str  # the submitted folder (its other files are copied next to the notebook)
    release_dir: str  # the assignment's fresh release (student versions with metadata)
    grading_dir: str
    scratch_dir: str = ""  # where sandboxes make their job folders
    settings: Settings = field(default_factory=Settings)


@dataclass
class CellResult:
    """One graded cell: a test (scored by the judge) or a written answer (scored by hand)."""

    grade_id: str
    kind: str  # "test" or "manual"
    points: float
    score: float | None  # None: waiting for an instructor
    message: str = ""

    @classmethod
    def from_dict(cls, d):
        return cls(d["grade_id"], d["kind"], float(d["points"]), None if d["score"] is None else float(d["score"]),
                   d.get("message", ""))


@dataclass
class SubmissionResult:
    """Everything decided about one submission.

    Attributes:
        notebooks: notebook file name -> [CellResult] in notebook order.
        status: "ok", "flagged" (graded, with notes an instructor should read) or "failed" (nothing gradable).
        notes: sentences for the instructor and the student.
        key: the cache key it was graded under (what it depends on; see batch.grade.cache_key).
    """

    student: str
    assignment: str
    status: str = "ok"
    notes: list = field(default_factory=list)
    notebooks: dict = field(default_factory=dict)
    seconds: float = 0.0
    key: str = ""

    def cells(self):
        """(notebook, CellResult) of every graded cell."""
        return [(name, cell) for name, cells in self.notebooks.items() for cell in cells]

    def cell(self, notebook, grade_id):
        return next((c for c in self.notebooks.get(notebook, []) if c.grade_id == grade_id), None)

    def score(self):
        return sum(c.score or 0.0 for _, c in self.cells())

    def max_score(self):
        return sum(c.points for _, c in self.cells())

    def settle_status(self):
        """flagged when there are notes, failed stays failed."""
        if self.status == "ok" and self.notes:
            self.status = "flagged"

    def to_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, d):
        return cls(d["student"], d["assignment"], d.get("status", "ok"), list(d.get("notes", [])),
                   {name: [CellResult.from_dict(c) for c in cells] for name, cells in d.get("notebooks", {}).items()},
                   float(d.get("seconds", 0.0)), d.get("key", ""))

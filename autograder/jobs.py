"""What the parent of ``python -m autograder grade`` hands a worker: one Job, with its Settings.

Kept apart from ``autograder.execute`` so that the parent does not import what only workers need.
"""
from dataclasses import dataclass, field


@dataclass
class Settings:
    """How submissions are run: per-cell time limit (s), memory per kernel (MB)."""

    timeout: int = 120
    memory_mb: int = 2048

    def fingerprint(self):
        return f"timeout={self.timeout},memory={self.memory_mb}"


@dataclass
class Job:
    """One student's submission of one assignment."""

    assignment: str
    student: str
    notebooks: dict  # notebook file name -> path of the submitted file, or None when it is missing
    folder: str  # the submitted folder (other files in it are copied next to the notebook)
    release_dir: str  # the assignment's fresh release (student versions with metadata)
    grading_dir: str
    staging_dir: str  # the run's scratch space: shared/, private/, work/
    settings: Settings = field(default_factory=Settings)

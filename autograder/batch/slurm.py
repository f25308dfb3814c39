"""``python -m autograder slurm``: the job scripts that grade a class as a Slurm job array, then merge it.

Written into one folder (``--out``):

- ``grade.sbatch``: a job array of N tasks; task i runs ``grade ASSIGNMENT SUBMISSIONS --shard i/N`` (i is
  ``$SLURM_ARRAY_TASK_ID``) in its own grading folder ``<out>/shards/<i>``, with as many workers as the task
  has CPUs (``--cpus-per-task``);
- ``merge.sbatch``: ``merge ASSIGNMENT <out>/shards/1 … <out>/shards/N`` into the grading folder, which
  writes the grades CSV;
- ``submit.sh``: submits the array, then the merge with ``--dependency=afterok:<array>``, so the merge
  starts once every task succeeded (a failed task leaves it pending: rerun the task, the merge follows);
- ``logs/``: each task's and the merge's output.

Every job runs from the repository (``--chdir``) with the interpreter that wrote the scripts (``--python``
to choose another), so the cluster's nodes need the repository, its venv and the submissions at the
same paths (a shared file system).
"""
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .. import course


@dataclass
class SlurmJob:
    """What the scripts run: the grading command's arguments and the scheduler's options.

    Attributes:
        grade_options: extra options of ``grade`` (e.g. ["--timeout", "60"]).
        sbatch_options: extra ``#SBATCH`` options of both jobs (e.g. ["--partition=short", "--time=2:00:00"]).
    """

    assignment: str
    submissions: Path
    shards: int
    out: Path
    grading_dir: Path
    cpus: int = 2
    python: str = sys.executable
    grade_options: list = field(default_factory=list)
    sbatch_options: list = field(default_factory=list)


def _header(job, name, output, extra=()):
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --output={output}",
             f"#SBATCH --chdir={course.REPO}", *(f"#SBATCH {o}" for o in [*extra, *job.sbatch_options])]
    return lines + ["set -euo pipefail"]


def scripts(job):
    """{file name: text} of the three scripts."""
    q = shlex.quote
    py, shards = q(job.python), job.out.resolve() / "shards"
    logs = job.out.resolve() / "logs"
    grade = _header(job, f"grade-{job.assignment}", logs / "grade-%A_%a.out",
                    [f"--array=1-{job.shards}", f"--cpus-per-task={job.cpus}"]) + [
        'i="$SLURM_ARRAY_TASK_ID"',
        f"exec {py} -m autograder --grading-dir {q(str(shards))}/\"$i\" grade {q(job.assignment)} "
        f"{q(str(Path(job.submissions).resolve()))} --shard \"$i\"/{job.shards} "
        f"--jobs \"${{SLURM_CPUS_PER_TASK:-{job.cpus}}}\" --quiet {' '.join(map(q, job.grade_options))}".rstrip()]
    parts = " ".join(f"{q(str(shards))}/{i}" for i in range(1, job.shards + 1))
    merge = _header(job, f"merge-{job.assignment}", logs / "merge-%j.out") + [
        f"exec {py} -m autograder --grading-dir {q(str(Path(job.grading_dir).resolve()))} merge "
        f"{q(job.assignment)} {parts}"]
    submit = ["#!/bin/bash", "# Submit the grading array, then the merge once every task succeeded.",
              "set -euo pipefail", 'cd "$(dirname "$0")"', "mkdir -p logs",
              "array=$(sbatch --parsable grade.sbatch)", "array=${array%%;*}  # without the cluster name",
              'merge=$(sbatch --parsable --dependency=afterok:"$array" merge.sbatch)', "merge=${merge%%;*}",
              f'echo "grading {job.assignment}: job array $array ({job.shards} shards), then merge job $merge"',
              'echo "$array $merge" > jobs.txt']
    return {"grade.sbatch": "\n".join(grade) + "\n", "merge.sbatch": "\n".join(merge) + "\n",
            "submit.sh": "\n".join(submit) + "\n"}


def write(job, log=print):
    """Write the scripts into job.out (executable); returns the path of submit.sh."""
    out = Path(job.out)
    (out / "logs").mkdir(parents=True, exist_ok=True)
    for name, text in scripts(job).items():
        (out / name).write_text(text)
        (out / name).chmod(0o755)
    log(f"wrote {out}/grade.sbatch ({job.shards} shards × {job.cpus} CPUs), {out}/merge.sbatch and "
        f"{out}/submit.sh: run `{out}/submit.sh` on the cluster's login node")
    return out / "submit.sh"

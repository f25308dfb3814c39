"""``python -m autograder slurm``: the job array grading ``--shard i/N`` and the merge job after it; run
for real on a single-node Slurm started on localhost by the fixture (Debian's slurm-wlm and munge,
installed by .ci/run), whose merged CSV must equal a single-machine grade of the same class."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import read_csv, run_cli

import corpus
from autograder.batch import slurm

DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "squeue", "scontrol", "sinfo")


def test_the_scripts_run_each_shard_as_an_array_task_and_the_merge_after_all(tmp_path):
    job = slurm.SlurmJob("01_backprop", tmp_path / "subs", 3, tmp_path / "job", tmp_path / "grading", cpus=4,
                         python="/opt/venv/bin/python", grade_options=["--timeout", "60"],
                         sbatch_options=["--partition=short"])
    text = slurm.scripts(job)
    grade, merge, submit = text["grade.sbatch"], text["merge.sbatch"], text["submit.sh"]
    assert "#SBATCH --array=1-3\n" in grade and "#SBATCH --cpus-per-task=4\n" in grade
    assert f'--grading-dir {tmp_path}/job/shards/"$i" grade 01_backprop {tmp_path}/subs --shard "$i"/3' in grade
    assert grade.rstrip().endswith('--jobs "${SLURM_CPUS_PER_TASK:-4}" --quiet --timeout 60')
    assert f"merge 01_backprop {' '.join(f'{tmp_path}/job/shards/{i}' for i in (1, 2, 3))}" in merge
    assert "#SBATCH --partition=short" in grade and "#SBATCH --partition=short" in merge
    assert '--dependency=afterok:"$array" merge.sbatch' in submit
    code, output = run_cli("--grading-dir", tmp_path / "grading", "slurm", "01_backprop", tmp_path / "subs",
                           "--shards", 2, "--out", tmp_path / "cli", "--no-isolation")
    assert code == 0, output
    assert os.access(tmp_path / "cli" / "submit.sh", os.X_OK)
    assert "--shard \"$i\"/2" in (tmp_path / "cli" / "grade.sbatch").read_text()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path, n=15):
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:]) if Path(path).is_file() else "(no log)"


@pytest.fixture(scope="module")
def cluster():
    """A one-node Slurm on localhost: munged with a fresh key, slurmctld and slurmd, all configured in a
    temporary folder and stopped after. Skips, saying why, when it cannot start here."""
    missing = [d for d in DAEMONS if shutil.which(d) is None and not Path("/usr/sbin", d).is_file()]
    if missing:
        pytest.skip(f"Slurm is not installed ({', '.join(missing)} missing): apt-get install slurm-wlm munge")
    if os.geteuid() != 0:
        pytest.skip("the test Slurm runs its daemons as root (SlurmUser=root): run the tests as root, as CI does")
    root = Path(tempfile.mkdtemp(prefix="slurm-"))  # short: the munge socket path must fit a sockaddr_un
    for sub in ("state", "spool"):
        (root / sub).mkdir()
    env = dict(os.environ, SLURM_CONF=str(root / "slurm.conf"))
    host, sbin = socket.gethostname(), lambda name: shutil.which(name) or f"/usr/sbin/{name}"
    settings = {
        "ClusterName": "autogradertest", "SlurmctldHost": f"{host}(127.0.0.1)",
        "SlurmctldPort": _free_port(), "SlurmdPort": _free_port(),
        "AuthType": "auth/munge", "CredType": "cred/munge", "AuthInfo": f"socket={root}/munge.sock",
        "SlurmUser": "root", "SlurmdUser": "root", "StateSaveLocation": root / "state",
        "SlurmdSpoolDir": root / "spool", "SlurmctldPidFile": root / "slurmctld.pid",
        "SlurmdPidFile": root / "slurmd.pid", "SlurmctldLogFile": root / "slurmctld.log",
        "SlurmdLogFile": root / "slurmd.log", "ProctrackType": "proctrack/linuxproc", "TaskPlugin": "task/none",
        "JobAcctGatherType": "jobacct_gather/none", "AccountingStorageType": "accounting_storage/none",
        "SchedulerType": "sched/backfill", "SelectType": "select/cons_tres", "SelectTypeParameters": "CR_Core",
        "MpiDefault": "none", "ReturnToService": 2, "MinJobAge": 600,
    }
    cpus = os.cpu_count() or 1
    (root / "slurm.conf").write_text("".join(f"{k}={v}\n" for k, v in settings.items()) +
                                     f"NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} State=UNKNOWN\n"
                                     f"PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP\n")
    why = None
    try:
        subprocess.run([sbin("mungekey"), "--create", "--keyfile", root / "munge.key"], check=True,
                       capture_output=True)
        (root / "munge.key").chmod(0o400)
        subprocess.run([sbin("munged"), "--force", f"--socket={root}/munge.sock", f"--key-file={root}/munge.key",
                        f"--log-file={root}/munged.log", f"--pid-file={root}/munged.pid",
                        f"--seed-file={root}/munged.seed"], check=True, capture_output=True)
        subprocess.run([sbin("slurmctld"), "-f", root / "slurm.conf"], check=True, capture_output=True, env=env)
        subprocess.run([sbin("slurmd"), "-f", root / "slurm.conf"], check=True, capture_output=True, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, env=env).stdout.strip()
            if state == "idle":
                break
            time.sleep(1)
        else:
            why = f"the node did not become idle in 60 s (state {state!r})"
    except (subprocess.CalledProcessError, OSError) as err:
        why = f"{err}: {getattr(err, 'stderr', b'') or ''}"
    try:
        if why:
            pytest.skip(f"Slurm could not start here: {why}\nslurmctld.log:\n{_tail(root / 'slurmctld.log')}\n"
                        f"slurmd.log:\n{_tail(root / 'slurmd.log')}\nmunged.log:\n{_tail(root / 'munged.log')}")
        yield env
    finally:
        subprocess.run(["scontrol", "shutdown"], capture_output=True, env=env)
        time.sleep(1)
        subprocess.run([sbin("munged"), "--stop", f"--socket={root}/munge.sock"], capture_output=True)
        for daemon in ("slurmd", "slurmctld", "munged"):  # whichever did not stop: by its own pid file
            pid_file = root / f"{daemon}.pid"
            try:
                os.kill(int(pid_file.read_text().strip()), 15)
            except (OSError, ValueError):
                pass
        shutil.rmtree(root, ignore_errors=True)


def _wait(env, jobs, seconds=900):
    """Wait until the jobs have left the queue; returns {job id: state} (scontrol keeps finished jobs)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not subprocess.run(["squeue", "-h", "-j", ",".join(jobs)], capture_output=True, text=True,
                              env=env).stdout.strip():
            break
        time.sleep(2)
    states = {}
    for job in jobs:
        out = subprocess.run(["scontrol", "-o", "show", "job", job], capture_output=True, text=True, env=env).stdout
        states[job] = sorted({f.split("=", 1)[1] for f in out.split() if f.startswith("JobState=")})
    return states


@pytest.mark.slow
def test_three_shards_under_slurm_merge_into_the_single_machine_grades(cluster, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    answered, release = corpus.dump(corpus.answered()), corpus.dump(corpus.release())
    for student, data in (("ana", answered), ("ben", release), ("cleo", answered)):  # one per shard
        (subs / f"{student}.ipynb").write_bytes(data)
    options = ("--timeout", 60, "--notebook-timeout", 300)
    code, output = run_cli("--grading-dir", tmp_path / "single", "grade", corpus.ASSIGNMENT, subs, "--jobs", 1, *options)
    assert code == 0, output
    code, output = run_cli("--grading-dir", tmp_path / "merged", "slurm", corpus.ASSIGNMENT, subs, "--shards", 3,
                           "--cpus", 1, "--out", tmp_path / "job", *options)
    assert code == 0, output
    submitted = subprocess.run([tmp_path / "job" / "submit.sh"], capture_output=True, text=True, env=cluster)
    assert submitted.returncode == 0, submitted.stderr
    array, merge = (tmp_path / "job" / "jobs.txt").read_text().split()
    started = time.monotonic()
    states = _wait(cluster, [array, merge])
    print(f"the Slurm jobs took {time.monotonic() - started:.0f} s")
    logs = "\n".join(f"--- {p.name}\n{_tail(p)}" for p in sorted((tmp_path / "job" / "logs").glob("*.out")))
    assert states == {array: ["COMPLETED"], merge: ["COMPLETED"]}, logs
    for i in (1, 2, 3):
        assert f"shard {i}/3: 1 submission(s)" in (tmp_path / "job" / "logs").joinpath(
            f"grade-{array}_{i}.out").read_text(), logs
    single = read_csv(tmp_path / "single" / f"{corpus.ASSIGNMENT}-grades.csv")
    assert read_csv(tmp_path / "merged" / f"{corpus.ASSIGNMENT}-grades.csv") == single
    assert {s: float(r["score"]) for s, r in single.items()} == {"ana": corpus.FULL, "ben": 0.0, "cleo": corpus.FULL}

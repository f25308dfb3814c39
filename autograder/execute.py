"""Grading one student's submission: each notebook run in a fresh grading kernel, then scored.

This is what a worker process of ``python -m autograder grade`` does for one student. Nothing here
touches the gradebook (the parent process alone writes it): a worker reads the submission, runs
it in a copy of its folder under ``autograder.sandbox``, writes the autograded notebook and the
feedback page, and returns a plain dict with the scores, the status and the reasons.

Scoring is nbgrader's (``nbgrader.utils.determine_grade``: a test cell earns its points when it
runs without an error) with two more conditions: the kernel's reply for the cell says it
succeeded, and the grading kernel signed that the instructor's code of the cell ran to its end
untouched. A test cell that lacks the signature scores zero, whatever its outputs show.
"""
import asyncio
import atexit
import hashlib
import hmac
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError
from nbgrader.preprocessors import LimitOutput
from nbgrader.utils import compute_checksum, determine_grade

from . import course
from .feedback import write_feedback
from .jobs import Job, Settings  # noqa: F401 (the job a worker gets, re-exported for callers)
from .notebooks import Assignment, Unreadable, canonicalize, is_answer, is_test, nbgrader_meta, read_submission, \
    restore_instructor_sources

KERNEL_NAME = "nn-grading"
OUTPUT_LIMIT = 1_000_000  # bytes of output kept per cell; the rest is dropped with a note
SUBMISSION_FOLDER_LIMIT = 20_000_000  # bytes of a submission's other files copied next to the notebook
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # nbgrader's bookkeeping, not the student's files


def write_kernel_spec(staging_dir):
    """The grading kernel's spec in <staging>/shared/kernels (the KernelManager finds it there)."""
    spec_dir = Path(staging_dir) / "shared" / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-I", "-m", "autograder.sandbox", "-f", "{connection_file}"],
            "display_name": "Grading kernel", "language": "python", "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    for sub in ("ipython/profile_default/startup", "matplotlib", "jupyter"):
        (Path(staging_dir) / "shared" / sub).mkdir(parents=True, exist_ok=True)


class KernelFactory:
    """This worker's ``python -m autograder.sandbox --factory``: forks grading kernels on request.

    Started on first use with the environment every kernel shares (one BLAS thread); each kernel
    then gets its own environment, folder and session. Restarted if it died.
    """

    _process = None

    @classmethod
    def start(cls):
        if cls._process is None or cls._process.poll() is not None:
            env = {k: v for k, v in _kernel_env(Path("/"), Path("/")).items() if k in SHARED_ENV}
            cls._process = subprocess.Popen([sys.executable, "-I", "-m", "autograder.sandbox", "--factory"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, cwd="/")
            atexit.register(cls._stop, cls._process)

    @classmethod
    def request(cls, message):
        cls.start()
        cls._process.stdin.write(json.dumps(message).encode() + b"\n")
        cls._process.stdin.flush()
        line = cls._process.stdout.readline()
        if not line:
            raise RuntimeError("the kernel factory stopped")
        return json.loads(line)


    @staticmethod
    def _stop(process):
        process.stdin.close()
        process.wait()


class _Forked:
    """The Popen-like handle jupyter_client needs for a kernel forked by the factory (not our child)."""

    stdin = stdout = stderr = None

    def __init__(self, pid):
        self.pid, self.returncode = pid, None

    def poll(self):
        if self.returncode is None:
            self.returncode = KernelFactory.request({"status": self.pid})["returncode"]
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


class _ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with kernels forked by the worker's KernelFactory."""

    async def launch_kernel(self, cmd, **kwargs):
        reply = KernelFactory.request({"fork": list(cmd), "env": dict(kwargs.get("env") or {}),
                                       "cwd": str(kwargs.get("cwd") or "/")})
        self.process = _Forked(reply["pid"])
        self.pid = self.pgid = reply["pid"]
        self.cwd = kwargs.get("cwd")
        return self.connection_info


def _kernel_manager(staging_dir):
    km = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(
        kernel_dirs=[str(Path(staging_dir) / "shared" / "kernels")]))
    km.kernel_id = str(uuid.uuid4())
    km.provisioner = _ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    return km


class _Client(NotebookClient):
    """nbclient with a cap on each cell's output and a record of each cell's execute reply."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.output_bytes, self.truncated, self.replies = {}, set(), {}
        self.on_cell_executed = self._remember_reply

    def _remember_reply(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply["content"]

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {}), default=str))
        used = self.output_bytes.get(cell_index, 0) + size
        self.output_bytes[cell_index] = used
        if used > OUTPUT_LIMIT:
            if cell_index not in self.truncated:
                self.truncated.add(cell_index)
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout", text="\n[output truncated by the grader: more than 1 MB]\n"))
            return None
        return super().output(outs, msg, display_id, cell_index)


_assignments = {}


def load_assignment(release_dir, assignment, notebook):
    """The Assignment of one notebook (cached per worker process)."""
    key = (release_dir, assignment, notebook)
    if key not in _assignments:
        _assignments[key] = Assignment.from_files(Path(release_dir) / assignment / notebook,
                                                  course.SOLUTIONS / assignment / notebook)
    return _assignments[key]


SHARED_ENV = ("PATH", "LANG", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _kernel_env(workdir, staging):
    shared = Path(staging) / "shared"
    return {
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": str(workdir), "TMPDIR": str(workdir / ".tmp"), "LANG": "C.UTF-8",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLCONFIGDIR": str(shared / "matplotlib"), "IPYTHONDIR": str(shared / "ipython"),
        "JUPYTER_CONFIG_DIR": str(shared / "jupyter"), "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }


def _copy_folder(folder, workdir, skip):
    """Copy the submission's other files (not the notebooks) into the kernel's folder, up to a size budget."""
    budget = SUBMISSION_FOLDER_LIMIT
    for path in sorted(Path(folder).rglob("*")) if folder and Path(folder).is_dir() else []:
        rel = path.relative_to(folder)
        if path.is_symlink() or not path.is_file() or rel.name in skip or rel.name in NBGRADER_FILES or \
                any(p.startswith(".") for p in rel.parts):
            continue
        size = path.stat().st_size
        if size > budget:
            continue
        budget -= size
        (workdir / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, workdir / rel)


async def _run(nb, client, env, workdir, budget):
    """Execute every code cell; returns (died, timed_out cells, note about the kernel's end)."""
    died, timeouts, note = None, [], None
    async with client.async_setup_kernel(env=env, cwd=str(workdir), cleanup_kc=True):
        start = time.monotonic()
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            if time.monotonic() - start > budget:
                note = f"the notebook ran longer than {budget:.0f} s in total: the remaining cells were not run"
                died = index
                break
            try:
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            except DeadKernelError:
                died = index
                note = await _death(client)
                break
            reply = client.replies.get(index, {})
            if reply.get("ename") == "CellTimeoutError":
                timeouts.append(index)
                if not await _responds(client):
                    died = index + 1
                    note = "a cell ran past the time limit and ignored the interrupt: the kernel was stopped"
                    break
    return died, timeouts, note


async def _responds(client, wait=10):
    """Whether the kernel answers a kernel_info request within wait seconds (after an interrupt)."""
    try:
        await asyncio.wait_for(client.kc.kernel_info(reply=True, timeout=wait), wait + 1)
        return True
    except Exception:  # a timeout, or the kernel died meanwhile
        return False


async def _death(client):
    code = None
    try:
        code = await client.km.provisioner.poll()
    except Exception:
        pass
    if isinstance(code, int) and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        meaning = {"SIGSEGV": "a segmentation fault", "SIGKILL": "killed, e.g. out of memory",
                   "SIGXCPU": "its CPU time limit", "SIGABRT": "an abort"}.get(name, name)
        return f"the kernel crashed ({name}: {meaning})"
    if isinstance(code, int):
        return f"the kernel exited (exit code {code})"
    return "the kernel died"


def _signed_records(log_path, key):
    """The grading kernel's log: verified records {digest: (status, detail)}, and notes on what it refused
    or restored (unsigned: they only explain, they never earn points)."""
    records, refusals, restored = {}, [], []
    try:
        lines = Path(log_path).read_text(errors="replace").splitlines()
    except OSError:
        return records, refusals, restored
    for line in lines:
        kind, _, rest = line.partition("\t")
        if kind == "signed":
            mac, _, body = rest.partition("\t")
            want = hmac.new(key, body.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
            if hmac.compare_digest(mac, want):
                status, digest, detail = (body.split("\t") + ["", ""])[:3]
                records[digest] = (status, detail)
        elif kind == "refused":
            refusals.append(rest)
        elif kind == "restored":
            restored.extend(rest.partition(": ")[2].split(", "))
    return records, refusals, restored


def _error_message(cell, reply):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip().rstrip(":")
    if reply and reply.get("status") == "error":
        return f"{reply.get('ename', 'Error')}: {reply.get('evalue', '')}".strip().rstrip(":")
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            return "wrote to stderr: " + out.get("text", "").strip().splitlines()[0][:200] if out.get("text", "").strip() else "wrote to stderr"
    return ""


def _score(nb, client, records, trusted_digest, died, timeouts, settings):
    """Per graded cell: {grade_id: {"kind", "points", "score", "message"}}, in notebook order."""
    cells = {}
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if not meta.get("grade"):
            continue
        points = float(meta.get("points", 0))
        gid = meta["grade_id"]
        if is_answer(meta):
            answered = meta.get("checksum") != compute_checksum(cell)
            cells[gid] = {"kind": "manual", "points": points, "score": None if answered else 0.0,
                          "message": "" if answered else "no answer"}
            continue
        if not is_test(cell, meta):
            continue
        reply = client.replies.get(index)
        status = records.get(trusted_digest.get(index), (None, ""))
        score, message = 0.0, ""
        if died is not None and index >= died and reply is None:
            message = "not run: the kernel had stopped"
        elif index in timeouts:
            message = f"timed out: ran longer than {settings.timeout} s"
        elif status[0] == "tampered":
            message = f"submitted code changed {status[1]} while the test ran"
        else:
            nb_score, _ = determine_grade(cell)
            message = _error_message(cell, reply)
            if reply is None or reply.get("status") != "ok" or message:
                score = 0.0
            elif status[0] != "ok":
                message = "the grading kernel did not confirm that this test ran to its end"
            else:
                score = float(nb_score or 0.0)
        cells[gid] = {"kind": "test", "points": points, "score": score, "message": message[:300]}
    return cells


def grade_notebook(job, name, path, workdir, private):
    """Grade one notebook of the job; returns (cells, notes, failed) and writes the autograded copy."""
    assignment = load_assignment(job.release_dir, job.assignment, name)
    out_dir = Path(job.grading_dir) / "autograded" / job.student / job.assignment
    empty = {gid: {"kind": "manual" if gid in assignment.graded_by_hand() else "test", "points": p,
                   "score": 0.0, "message": "no gradable notebook"} for gid, p in assignment.points.items()}
    if path is None:
        return empty, [f"{name} is missing from the submission"], True
    try:
        submitted, version = read_submission(Path(path).read_bytes())
    except Unreadable as err:
        return empty, [f"{name}: {err}"], True
    except OSError as err:
        return empty, [f"{name} cannot be read: {err.strerror}"], True

    nb, notes, trusted = canonicalize(assignment, submitted, version)
    key = secrets.token_bytes(32)
    log_path = private / f"{Path(name).stem}.log"
    manifest = {
        "trusted_cells": trusted, "answer_names": sorted(assignment.answer_names), "key": key.hex(),
        "protected": sorted({str(course.REPO), str(course.HERE), str(Path(job.grading_dir).resolve()),
                             str(Path(job.staging_dir).resolve())}),
        "allowed": sorted({str(Path(p).resolve()) for p in (course.REPO / "nnlab", sys.prefix, sys.base_prefix)}
                          | {str(Path(job.staging_dir).resolve() / "shared"), str(workdir)}),
        "trusted_roots": sorted({str(Path(p).resolve()) for p in (course.REPO / "nnlab", course.HERE, sys.prefix,
                                                                  sys.base_prefix)}),
        "workdir": str(workdir), "log": str(log_path), "memory_mb": job.settings.memory_mb,
        "cpu_seconds": job.settings.timeout * (len(nb.cells) + 1) + 60, "file_mb": 64,
    }
    manifest_path = private / f"{Path(name).stem}.manifest.json"
    manifest_path.write_text(json.dumps(manifest))
    manifest_path.chmod(0o600)

    km = _kernel_manager(job.staging_dir)
    client = _Client(nb, km=km, timeout=job.settings.timeout, interrupt_on_timeout=True, allow_errors=True,
                     error_on_timeout={"ename": "CellTimeoutError", "evalue": f"the cell ran longer than "
                                       f"{job.settings.timeout} s and was interrupted", "traceback": []},
                     extra_arguments=["--manifest", str(manifest_path)], startup_timeout=120,
                     iopub_timeout=10, record_timing=False, shutdown_kernel="immediate")
    budget = job.settings.timeout * max(1, sum(c.cell_type == "code" for c in nb.cells)) + 60
    try:
        died, timeouts, note = asyncio.run(_run(nb, client, _kernel_env(workdir, job.staging_dir), workdir, budget))
    except Exception as err:  # the kernel could not start, or nbclient gave up: the notebook scores zero
        died, timeouts, note = 0, [], f"the grading kernel failed: {type(err).__name__}: {err}"
    finally:
        atexit.unregister(client._cleanup_kernel)  # nbclient's safety net; the kernel is already stopped
    if note:
        notes.append(note)
    records, refusals, restored = _signed_records(log_path, key)
    if refusals:
        shown = "; ".join(dict.fromkeys(refusals))
        notes.append(f"the grading kernel refused to let submitted code {shown[:500]}")
    if restored:
        shown = ", ".join(sorted(set(restored)))
        notes.append(f"submitted code had changed {shown[:300]}: restored before the instructor's cells ran")
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and not meta.get("locked") and index not in timeouts:
            error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
            if error is not None:
                where = f"answer cell {meta['grade_id']}" if meta.get("grade_id") else f"a cell of yours (cell {index + 1})"
                message = str(error.get("evalue", "")).strip()[:120]
                notes.append(f"{where} raised {error.get('ename', 'an error')}" + (f": {message}" if message else ""))
    trusted_digest = {i: hashlib.sha256(c.source.encode()).hexdigest() for i, c in enumerate(nb.cells)
                      if c.cell_type == "code" and hashlib.sha256(c.source.encode()).hexdigest() in trusted}
    cells = _score(nb, client, records, trusted_digest, died, timeouts, job.settings)
    if client.truncated:
        notes.append(f"output was truncated in {len(client.truncated)} cell(s)")
    if timeouts:
        notes.append(f"{len(timeouts)} cell(s) ran past the time limit ({job.settings.timeout} s) and were interrupted")
    tampered = sorted({d for s, d in records.values() if s == "tampered"})
    if tampered:
        notes.append(f"submitted code changed {'; '.join(tampered)} while tests ran: those tests score 0")

    restore_instructor_sources(nb, assignment)
    for cell in nb.cells:
        if cell.cell_type == "code":
            LimitOutput().preprocess_cell(cell, {}, 0)
    out_dir.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(out_dir / name))
    feedback_dir = Path(job.grading_dir) / "feedback" / job.student / job.assignment
    write_feedback(nb, cells, feedback_dir / name, job.student, job.assignment, notes)
    for bookkeeping in NBGRADER_FILES:  # nbgrader's release_feedback names the feedback by them
        if job.folder and (Path(job.folder) / bookkeeping).is_file():
            for folder in (out_dir, feedback_dir):
                shutil.copyfile(Path(job.folder) / bookkeeping, folder / bookkeeping)
    return cells, notes, False


def grade_job(job):
    """Grade every notebook of one student's submission; returns the result dict (never raises)."""
    started = time.monotonic()
    staging = Path(job.staging_dir)
    safe = hashlib.sha256(job.student.encode()).hexdigest()[:16]
    workdir, private = staging / "work" / safe, staging / "private" / safe
    notebooks, notes, failed = {}, [], []
    try:
        for name, path in sorted(job.notebooks.items()):
            for d in (workdir, private):
                shutil.rmtree(d, ignore_errors=True)
                d.mkdir(parents=True)
            (workdir / ".tmp").mkdir()
            _copy_folder(job.folder, workdir, skip=set(job.notebooks))
            cells, nb_notes, nb_failed = grade_notebook(job, name, path, workdir, private)
            notebooks[name] = cells
            notes += nb_notes
            failed.append(nb_failed)
    except Exception as err:  # a bug or an unexpected environment problem: this student only
        notes.append(f"internal error while grading: {type(err).__name__}: {err}")
        failed.append(True)
    finally:
        for d in (workdir, private):
            shutil.rmtree(d, ignore_errors=True)
    status = "failed" if failed and all(failed) else ("flagged" if notes else "ok")
    return {"student": job.student, "assignment": job.assignment, "status": status, "notes": notes,
            "notebooks": notebooks, "seconds": round(time.monotonic() - started, 3)}

"""Runs one submitted notebook inside the grading sandbox: ``python -I -S -B runner.py JOB.json``.

This file is the only piece of the grader that enters the sandbox (bound read-only on its own);
it imports nothing from ``autograder``. It lowers the resource limits, copies the submission's
companion files into the private home folder, then runs the notebook's code cells one by one in an
IPython shell (no kernel, no ZMQ) and reports each cell's outputs as one JSON line on the channel
file descriptor. The grader treats every byte it reports as untrusted: outputs are only shown in
the feedback, and points come from the judge (``autograder/judge``), never from here.

Before any submitted code it also makes decoys of the answer key's functions (``_decoy``): the grader
watches the tripwire a decoy opens when called.

Instructor cells run with the shell's default compiler flags (an answer's ``from __future__``
import does not change how a test is compiled) and stay out of ``In``, ``_ih`` and ``linecache``.
"""
import json
import linecache
import os
import resource
import shutil
import signal
import sys
import time

OUTPUT_PER_CELL = 1_000_000  # characters kept per cell, all outputs together; the rest is replaced by a note
DECOYS = []  # the decoys of the answer key's functions (``_decoy``), alive for the whole run


class CellTimeout(KeyboardInterrupt):
    """Raised in a cell that runs past its time limit (a KeyboardInterrupt, so ``except Exception`` lets it through)."""


def _send(fd, message):
    data = (json.dumps(message) + "\n").encode()
    while data:
        data = data[os.write(fd, data):]


def _limit(limits):
    """Lower this process's limits (soft and hard): nothing run later can raise them again."""
    for name, value in (("RLIMIT_AS", limits["memory_mb"] << 20), ("RLIMIT_NPROC", limits["processes"]),
                        ("RLIMIT_CPU", limits["cpu_seconds"]), ("RLIMIT_FSIZE", limits["file_mb"] << 20),
                        ("RLIMIT_NOFILE", limits["open_files"]), ("RLIMIT_CORE", 0)):
        resource.setrlimit(getattr(resource, name), (value, value))


def _decoy(module, name, path):
    """A function named as one of the answer key's: called, it opens ``path`` (a tripwire the grader watches
    from outside) and raises. Kept in this module's memory only, where a search of the process finds it."""

    def decoy(*args, **kwargs):
        try:
            os.close(os.open(path, os.O_RDONLY))
        except OSError:
            pass
        raise ModuleNotFoundError(f"No module named {module!r}: the grading sandbox holds no answer key")

    decoy.__module__, decoy.__name__, decoy.__qualname__ = module, name, name
    return decoy


def _as_site_would(job):
    """What the site module does for a venv, which the runner starts without (``-S``: no .pth file runs):
    the venv's packages on sys.path, ``sys.prefix`` the venv, the builtins help, exit, quit and copyright."""
    import site

    sys.path.extend(job["site_packages"])
    sys.prefix = sys.exec_prefix = job["prefix"]
    site.setquit()
    site.setcopyright()
    site.sethelper()


def _copy_tree(source, home):
    """Copy the submission's companion files into the writable home; returns a note on what failed."""
    failed = []
    for folder, _, files in os.walk(source):
        target = os.path.join(home, os.path.relpath(folder, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            try:
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
            except OSError as err:
                failed.append(f"{name} ({err.strerror})")
    return f"not copied next to the notebook: {', '.join(failed[:5])}" if failed else None


def _shell():
    from IPython.core.displayhook import DisplayHook
    from IPython.core.interactiveshell import InteractiveShell

    class Results(DisplayHook):
        """The value of a cell's last expression, kept as an ``execute_result`` instead of printed."""

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.shell.cell_outputs.append({"output_type": "execute_result", "data": format_dict,
                                            "metadata": md_dict or {}, "execution_count": self.prompt_count})

        def finish_displayhook(self):
            pass

    class GradingShell(InteractiveShell):
        """An IPython shell that records each error as a notebook ``error`` output."""

        displayhook_class = Results

        def _showtraceback(self, etype, evalue, stb):
            self.cell_outputs.append({"output_type": "error", "ename": etype.__name__,
                                      "evalue": str(evalue)[:2000], "traceback": list(stb)[-40:]})

    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False  # no SQLite file in the home: In/_ih stay, nothing is written
    shell = GradingShell.instance(config=config, colors="nocolor", autocall=0, autoindent=False, automagic=True)
    shell.cell_outputs = []
    return shell


def _streams(captured):
    return [{"output_type": "stream", "name": name, "text": text}
            for name, text in (("stdout", captured.stdout), ("stderr", captured.stderr)) if text]


def _bounded(outputs, budget=OUTPUT_PER_CELL):
    """The cell's outputs within ``budget`` characters in all (streams, displays, results and errors):
    a text is cut, any other output that does not fit is replaced by a note."""
    kept = []
    for out in outputs:
        size = len(json.dumps(out))
        if size <= budget:
            kept.append(out)
            budget -= size
        elif out["output_type"] == "stream" and budget > 200:
            kept.append({**out, "text": out["text"][:budget - 200]
                         + f"\n[output truncated by the grader: more than {OUTPUT_PER_CELL} characters in the cell]\n"})
            budget = 0
        else:
            kept.append({"output_type": "stream", "name": "stderr",
                         "text": f"[a {out['output_type']} output of {size} characters left out by the grader: "
                                 f"more than {OUTPUT_PER_CELL} characters in the cell]\n"})
            budget = max(0, budget - 200)
    return kept


def _displays(captured):
    return [{"output_type": "display_data", "data": out.data, "metadata": out.metadata or {}}
            for out in captured.outputs]


def _flush_figures():
    """Show the figures a cell drew (what the inline backend of a Jupyter kernel does after each cell)."""
    if "matplotlib_inline.backend_inline" in sys.modules:
        sys.modules["matplotlib_inline.backend_inline"].flush_figures()


def run_cell(shell, cell, seconds, base_flags):
    """Run one cell; returns its outputs (streams, displays, result, error) in notebook format, and whether
    some were cut (see ``_bounded``)."""
    from IPython.utils.capture import capture_output

    shell.cell_outputs = []
    before = set(linecache.cache)
    saved_flags = shell.compile.flags
    if cell["instructor"]:
        shell.compile.flags = base_flags
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        with capture_output(stdout=True, stderr=True, display=True) as captured:
            shell.run_cell(cell["source"], store_history=not cell["instructor"])
            _flush_figures()
    except CellTimeout:  # raised between IPython's own handlers
        shell.cell_outputs.append({"output_type": "error", "ename": "CellTimeout",
                                   "evalue": f"the cell ran longer than {seconds:g} s", "traceback": []})
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if cell["instructor"]:
            shell.compile.flags = saved_flags
            for name in set(linecache.cache) - before:
                linecache.cache.pop(name, None)
    for out in shell.cell_outputs:
        if out.get("ename") == "KeyboardInterrupt" or out.get("ename") == "CellTimeout":
            out.update(ename="CellTimeout", evalue=f"the cell ran longer than {seconds:g} s and was interrupted")
    outputs = _streams(captured) + _displays(captured) + shell.cell_outputs
    kept = _bounded(outputs)
    return kept, kept != outputs


def main(job_path):
    with open(job_path) as f:
        job = json.load(f)
    channel = job["channel_fd"]
    _limit(job["limits"])
    notes = [note for note in [_copy_tree(job["submission_dir"], job["home"])] if note]
    if job.get("matplotlib_cache") and os.path.isdir(job["matplotlib_cache"]):
        shutil.copytree(job["matplotlib_cache"], os.environ["MPLCONFIGDIR"], dirs_exist_ok=True)
    os.chdir(job["home"])
    sys.path.insert(0, job["home"])
    sys.path.insert(1, job["toolkit"])
    _as_site_would(job)

    def timeout(signum, frame):
        raise CellTimeout()

    signal.signal(signal.SIGALRM, timeout)
    DECOYS.extend(_decoy(*entry) for entry in job.get("decoy_functions", []))
    shell = _shell()
    base_flags = shell.compile.flags
    _send(channel, {"kind": "ready", "notes": notes})
    for cell in job["cells"]:
        started = time.monotonic()
        outputs, cut = run_cell(shell, cell, job["cell_seconds"], base_flags)
        _send(channel, {"kind": "cell", "index": cell["index"], "outputs": outputs, "cut": cut,
                        "seconds": round(time.monotonic() - started, 3)})
    _send(channel, {"kind": "done"})


if __name__ == "__main__":
    main(sys.argv[1])

"""Small notebooks run in a real sandbox (``autograder.sandbox.run_notebook``), for the isolation tests.

Each test file of this folder checks one isolation rule by running the offending code in a sandbox
with the grader's own command line, never a mock. The limits are small so each run takes seconds.
"""
import functools
import json

from autograder import sandbox

SMALL = sandbox.Limits(notebook_seconds=40, cell_seconds=15, memory_mb=1024, processes=48, disk_mb=32,
                       output_bytes=2_000_000)


@functools.lru_cache(maxsize=1)
def _isolation():
    sandbox.check()  # a machine without bubblewrap fails these tests with the message of what to install
    return True


def cgroup_available():
    """Whether sandboxes get a control group here (root with cgroups writable); when not, the grader
    warns at start and the rlimits hold per process (tests of the group itself are then skipped)."""
    return _isolation() and sandbox.check().get("cgroup") is not None


def run(*sources, limits=SMALL, companions=(), inputs="{}", **options):
    """Run the cells (student code) in a fresh sandbox; returns the ``sandbox.Run``.

    options: more arguments of ``run_notebook`` (scratch, isolate).
    """
    _isolation()
    cells = [{"index": i, "source": source, "instructor": False} for i, source in enumerate(sources)]
    return sandbox.run_notebook(cells, inputs, companions, limits, **options)


def stdout(result, index=0):
    return "".join(o["text"] for o in result.outputs.get(index, [])
                   if o["output_type"] == "stream" and o["name"] == "stdout")


def error(result, index=0):
    """The name of the exception cell ``index`` raised, or None."""
    return next((o["ename"] for o in result.outputs.get(index, []) if o["output_type"] == "error"), None)


def facts(source, **kwargs):
    """Run one cell that ends by printing a JSON document; returns it (the cell must not fail)."""
    result = run(source, **kwargs)
    assert result.finished and error(result) is None, (result.ended, result.outputs)
    return json.loads(stdout(result).strip().splitlines()[-1])


ATTEMPT = '''
import json, os
def attempt(call):
    """'allowed', or the errno name of the OSError the call raised."""
    try:
        call()
        return "allowed"
    except OSError as err:
        import errno
        return errno.errorcode.get(err.errno, str(err))
'''

"""Rules: a cell that runs too long is interrupted (the next cell runs); a notebook that runs too long
in total is stopped from outside (a cell that ignores the interruption cannot hold the worker); the CPU
time of every process is limited and the limit cannot be raised."""
import dataclasses
import time

from sandboxed import SMALL, error, facts, run, stdout

TIGHT = dataclasses.replace(SMALL, cell_seconds=2, notebook_seconds=8)


def test_a_cell_past_its_time_limit_is_interrupted_and_the_next_cell_runs():
    result = run("while True:\n    pass", "print('next')", limits=TIGHT)
    assert error(result, 0) == "CellTimeout" and stdout(result, 1).strip() == "next" and result.finished


def test_a_cell_that_swallows_the_interruption_is_stopped_by_the_notebook_wall_time():
    started = time.monotonic()
    result = run("import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\nwhile True:\n    try:\n"
                 "        pass\n    except BaseException:\n        pass", "print('never')", limits=TIGHT)
    assert not result.finished and "longer than 8 s in total" in result.ended
    assert time.monotonic() - started < TIGHT.notebook_seconds + 15


def test_cells_sleeping_just_under_the_cell_limit_are_bounded_by_the_notebook_wall_time():
    """The issue's 25 cells each sleeping just under --timeout: the notebook's total is what counts."""
    cells = ["import time\ntime.sleep(1.8)"] * 25
    started = time.monotonic()
    result = run(*cells, limits=TIGHT)
    assert not result.finished and "in total" in result.ended and len(result.outputs) < 6
    assert time.monotonic() - started < TIGHT.notebook_seconds + 15


def test_the_cpu_time_of_every_process_is_limited_and_cannot_be_raised():
    seen = facts("import json, resource\nsoft, hard = resource.getrlimit(resource.RLIMIT_CPU)\n"
                 "try:\n    resource.setrlimit(resource.RLIMIT_CPU, (hard + 1, hard + 1))\n    raised = True\n"
                 "except (ValueError, OSError):\n    raised = False\n"
                 "print(json.dumps({'soft': soft, 'hard': hard, 'raised': raised}))")
    assert seen["soft"] == seen["hard"] == int(SMALL.notebook_seconds) + 10 and not seen["raised"], seen

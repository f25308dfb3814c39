"""Rule: output is bounded per cell (cut with a note) and per notebook (the sandbox is stopped)."""
import dataclasses

from sandboxed import SMALL, run

PRINT = "print('x' * 900_000)"


def _size(result):
    return sum(len(str(o)) for outs in result.outputs.values() for o in outs)


def test_a_notebook_printing_past_its_total_budget_is_stopped():
    limits = dataclasses.replace(SMALL, output_bytes=3_000_000)
    result = run(*[PRINT] * 20, limits=limits)
    assert not result.finished and "printed more than 3 MB" in result.ended
    assert _size(result) <= limits.output_bytes


def test_a_cell_printing_past_the_cell_budget_is_cut_with_a_note():
    result = run("print('y' * 3_000_000)", "from IPython.display import HTML, display\ndisplay(HTML('z' * 3_000_000))",
                 "print('after')")
    assert "output truncated by the grader" in result.outputs[0][0]["text"]
    assert result.finished and _size(result) < SMALL.output_bytes

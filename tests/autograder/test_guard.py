"""The guard's source helpers: how instructor cells are instrumented, which names a cell binds."""
import ast

from autograder.guard import END_LINE, RESULT_NAME, bound_names, instrument


def test_instrumented_cell_keeps_its_lines_and_ends_with_the_end_event():
    source = 'x = 1\nassert x == 1, "one"'
    out = instrument(source)
    assert out.splitlines()[:2] == source.splitlines()
    assert out.splitlines()[-1] == END_LINE
    ast.parse(out)


def test_a_final_expression_stays_the_displayed_value_after_the_end_event():
    out = instrument("score = 0.5\nscore * 2")
    lines = out.splitlines()
    assert lines == ["score = 0.5", f"{RESULT_NAME} = (score * 2)", END_LINE, RESULT_NAME]
    namespace = {"__import__": __import__}
    exec(compile("\n".join(lines[:2]), "cell", "exec"), namespace)
    assert namespace[RESULT_NAME] == 1.0


def test_a_multiline_final_expression_is_still_valid_python():
    out = instrument("check(\n    1,\n    2,\n)")
    ast.parse(out)
    assert out.splitlines()[-1] == RESULT_NAME


def test_bound_names_are_the_cells_globals_not_its_functions_locals():
    source = """
import numpy as np
from a.b import c, d as e
x, (y, z) = 1, (2, 3)
def f():
    global g
    w = 1
class K: pass
for i in range(3): pass
with open("f") as handle: pass
"""
    assert bound_names(source) == {"np", "c", "e", "x", "y", "z", "f", "g", "K", "i", "handle"}


def test_bound_names_of_invalid_source_is_empty():
    assert bound_names("def (") == set()

"""Instructor side of the course: reference implementations (the answers) and the grading tools.

Never shipped to students. ``python -m autograder --help`` lists the instructor's commands.
"""
import sys

# jsonschema, which nbformat imports, imports ``rfc3987_syntax`` when it is installed (jupyter-events pulls it
# in) only to check the "iri" string format, which no notebook schema uses; building its 38 grammars costs
# 0.75 s in every process that reads a notebook: the grader, each worker, each nbgrader step. Without it,
# jsonschema leaves that one format unchecked (its documented fallback: the import is optional).
sys.modules.setdefault("rfc3987_syntax", None)

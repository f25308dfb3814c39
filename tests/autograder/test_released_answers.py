"""The released notebooks (exercises/) make the student derive the graded results: no cell, text or
code, hint or test, hands out the reference's formula.

``ANSWERS`` lists, per assignment, the formulas an exercise asks the student to find, each as
patterns matched against every cell of the released notebook once spacing and LaTeX spacing
commands are removed. Each entry also gives ``examples``: ways of writing the answer that its
patterns must catch, so a pattern can never silently match nothing. The owner of an exercise adds
its entries here when the exercise is rewritten to be derived (01's stable softplus, 03's
initialisation variances, 05's hinge-loss gradient, ...).
"""
import re
from dataclasses import dataclass

import nbformat
import pytest

from autograder import course


@dataclass(frozen=True)
class Answer:
    """A result the student must derive, and how it looks when it is written out.

    Attributes:
        what: the result, in words (the failure message names it).
        patterns: regular expressions (case-insensitive) matched against a cell's normalized text.
        examples: texts that state the answer; each must match one of the patterns.
    """

    what: str
    patterns: tuple
    examples: tuple


ANSWERS = {
    "04_batchnorm": [
        Answer("the closed-form batch-norm backward pass (Part 3)",
               (r"n\*?(g|dout|dxhat|dy)\w*(_n|_i)?-(np\.)?(\\sum|sum)",                  # N g - sum g ... (math or code)
                r"-\\hat\{?x\}?_?\{?[ni]\}?\\sum_?\{?[kj]?\}?(g|\\text\{dout\}|dout)",  # ... - xhat_n sum g_k xhat_k
                r"xhat\*\(?(\w+\*xhat|xhat\*\w+)\)?\.sum\(axis=0",                      # xhat * (g * xhat).sum(axis=0)
                r"xhat\*np\.sum\((\w+\*xhat|xhat\*\w+),axis=0",
                r"\w+\.mean\(axis=0\)-xhat\*\(\w+\*xhat\)\.mean\(axis=0"),              # g - mean(g) - xhat mean(g xhat)
               (r"\frac{1}{N s}\Bigl(N g_n - \sum_{k} g_k - \hat x_n \sum_{k} g_k\, \hat x_k\Bigr)",
                "dx = (n * g - g.sum(axis=0) - xhat * (g * xhat).sum(axis=0)) / (n * s)",
                "dx = (1. / N) * gamma * (var + eps)**(-1. / 2.) * (N * dout - np.sum(dout, axis=0)"
                " - (x - mu) * (var + eps)**(-1.0) * np.sum(dout * (x - mu), axis=0))",
                "dx = (dxhat - dxhat.mean(axis=0) - xhat * (dxhat * xhat).mean(axis=0)) / s",
                "dx = (N * dxhat - np.sum(dxhat, axis=0) - xhat * np.sum(dxhat * xhat, axis=0)) / (N * std)")),
    ],
}

SPACING = re.compile(r"\s+|\\[,;!:]|\\(?:left|right|[Bb]igg?[lr]?)\b")


def normalized(text):
    """The text without spaces, line breaks and LaTeX spacing or sizing commands."""
    return SPACING.sub("", text)


def released_cells(assignment):
    (path,) = (course.EXERCISES / assignment).glob("*.ipynb")
    return nbformat.read(path, as_version=4).cells


ENTRIES = [(assignment, answer) for assignment, answers in ANSWERS.items() for answer in answers]


@pytest.mark.parametrize("assignment, answer", ENTRIES, ids=[f"{a}:{e.what}" for a, e in ENTRIES])
def test_each_pattern_set_catches_the_ways_of_writing_its_answer(assignment, answer):
    for example in answer.examples:
        assert any(re.search(p, normalized(example), flags=re.IGNORECASE) for p in answer.patterns), (
            f"{assignment}: no pattern of '{answer.what}' catches {example!r}")


@pytest.mark.parametrize("assignment, answer", ENTRIES, ids=[f"{a}:{e.what}" for a, e in ENTRIES])
def test_released_notebook_does_not_hand_out_the_answer(assignment, answer):
    for index, cell in enumerate(released_cells(assignment)):
        text = normalized(cell.source)
        for pattern in answer.patterns:
            match = re.search(pattern, text, flags=re.IGNORECASE)
            assert match is None, (f"exercises/{assignment}, cell {index + 1} ({cell.cell_type}): it gives "
                                   f"{answer.what} ({match.group(0)!r}); the student should derive it")


def test_every_entry_is_an_assignment_of_the_course():
    assert set(ANSWERS) <= set(course.assignments())

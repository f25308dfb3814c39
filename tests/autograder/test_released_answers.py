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
    "01_backprop": [
        Answer("the numerically stable softplus (Part 1)",
               (r"log1p\((np\.)?exp\(-(np\.)?abs\(",                        # log1p(exp(-abs(x)))
                r"log1p\((np\.)?exp\(-x\)\)",                              # x + log1p(exp(-x)) for x > 0
                r"\\log\(1\+e\^\{?-\|x\|\}?\)",                            # log(1 + e^{-|x|})
                r"x\+\\log\(1\+e\^\{?-x\}?\)"),                             # x + log(1 + e^{-x})
               ("np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))",
                r"$\log(1+e^{x}) = \max(x, 0) + \log(1 + e^{-|x|})$",
                "np.where(x > 0, x + np.log1p(np.exp(-x)), np.log1p(np.exp(x)))",
                r"for $x > 0$, $\log(1 + e^{x}) = x + \log(1 + e^{-x})$")),
    ],
    "03_init_normalization": [
        Answer("the initialisation variances of Xavier and He (Part 2)",
               (r"(?<![\w.])[26](\.0)?/\(?(fan_?in|n_?\{?(\\text\{)?in\}?\}?)\+(fan_?out|n_?\{?(\\text\{)?out)",
                r"\\d?frac\{(\\text\{gain\}\^2(\\cdot)?)?[26]?\}\{(\\text\{fan\}|n)_\{?(\\text\{)?in\}?\}?\+",
                r"(?<![\w.])[23](\.0)?/(fan_?in|n_?\{?(\\text\{)?in\b)",
                r"\\d?frac\{(\\text\{gain\}\^2|2)\}\{(\\text\{fan\}|n)_\{?(\\text\{)?in\}?\}?\}",
                r"gain/(np\.)?sqrt\(fan_?in\)",
                r"(?<![\w.])2/1[05]0\b"),                                   # the old visible cases' variances
               ("rng.normal(0.0, gain * np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))",
                "bound = gain * np.sqrt(6.0 / (fan_in + fan_out))",
                "bound = gain * np.sqrt(3.0 / fan_in)",
                "rng.normal(0.0, gain / np.sqrt(fan_in), size=(fan_in, fan_out))",
                r"$\text{gain}^2 \cdot \dfrac{2}{\text{fan}_{\text{in}}+\text{fan}_{\text{out}}}$",
                r"$\dfrac{\text{gain}^2}{\text{fan}_{\text{in}}}$, `gain=sqrt(2)`, so $\dfrac{2}{\text{fan}_{\text{in}}}$",
                r"Var(w) = 2 / (n_in + n_out)",
                "check_initializer(xavier_normal, 100, 50, 2 / 150, \"xavier_normal\")",
                "check_initializer(he_normal, 100, 50, 2 / 100, \"he_normal\")")),
    ],
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
    "05_regularization": [
        Answer("the gradient of the multiclass hinge loss (Part 2)",
               (r"-\\frac\{1\}\{N\}\\sum_\{?j\\ne\{?y_\{?i\}?\}?\}?",                    # - 1/N sum_{j != y_i} ...
                r"\\frac\{1\}\{N\}(\\mathbb\{1\}|\\mathbf\{1\}|1)?[\[\(]m_\{?ij\}?>0",      # 1/N [m_ij > 0]
                r"\[[\w.()]+,y\]-?=-?(np\.)?(\w+\.)?sum\(\w*,?axis=1\)",                  # [rows, y] = -active.sum(axis=1)
                r"d\w*\[:,y\[i\]\]-="),                                                   # dW[:, y[i]] -= X[i] (a loop)
               (r"\frac{\partial L_\text{data}}{\partial f_{i y_i}} = -\frac{1}{N} \sum_{j \ne y_i} [m_{ij} > 0]",
                r"\frac{\partial L_\text{data}}{\partial f_{ij}} = \frac{1}{N}\,[m_{ij} > 0] \quad (j \ne y_i)",
                "active[rows, y] = -active.sum(axis=1)",
                "binary[np.arange(num_train), y] = -np.sum(binary, axis=1)",
                "margins_positive[np.arange(n), y] -= margins_positive.sum(axis=1)",
                "dW[:, y[i]] -= X[i]")),
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

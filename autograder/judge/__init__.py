"""Hidden tests judged outside the sandbox, against ``autograder.reference``.

The grading protocol, which every test cell of every assignment is written to:

1. **Checks.** The assignment's judge module (``autograder/judge/<name>.py``: ``backprop`` for
   ``01_backprop``, …) maps each test cell's ``grade_id`` to a list of ``Check``s in ``TESTS``. A
   check has a ``key``, the inputs (``cases``: argument tuples, made here from fixed seeds) and a
   ``judge`` that decides from the student's results. The cases include the visible test's own
   inputs, so the judge is never weaker than what the student sees.
2. **Collect (in the sandbox).** The grader writes every check's inputs into the sandbox
   (``inputs_document``). The hidden part of the test cell calls ``nnlab.collect.collect(key, fn)``
   once per key, with ``fn`` calling the student's code (e.g. ``lambda x, w, b: affine_forward(x, w, b)[0]``);
   ``collect`` sends back each value, error, warning and modified argument.
3. **Judge (here).** ``judge_cell`` decides each test cell from what came back: the reference is
   called here, on the inputs made here, never on anything the sandbox sends.
4. **Points come from the judge only**, visible tests included. A check with ``points=p`` earns p
   on its own when it passes (partial credit: an edge case worth 1 of a 3-point cell); the checks
   without points earn the rest of the cell's points together, all or nothing. The visible asserts
   still run in the notebook, for the student's immediate feedback; when one fails, the cell stops
   before its hidden part and the judge reports the checks as not run.
5. **One mistake, one charge.** A downstream cell (a network built from the student's layers) must
   not take points again for an upstream mistake. Its hidden part collects twice: once on the
   student's own components (key ``X``) and once with the upstream components replaced by the
   documented non-answers of ``nnlab.standins`` (key ``X_standin``, collected first, before the
   visible asserts, with ``nnlab.standins.replacing``); the judge computes both expectations here
   and decides with ``any_of(against("X", ...), against("X_standin", ...))``. A check's
   ``builds_on`` names the upstream test cells it depends on: when it fails and one of them lost
   points, its message says "fails because `f` fails above" instead of repeating the upstream
   message (and when nothing but the upstream mistake can explain the failure, it costs nothing).
   ``judge_cell`` receives the verdicts of the cells judged before it for that.

A submission that reads every byte of its sandbox learns the test inputs, never the expected
outputs or the reference's code.

What is verified here and what rests on the sandbox's own report (``collect`` runs in the student's
process, which may have patched it): a *value* is compared with the reference's, computed here, so it
can only be produced by computing it; an *error* costs the check, so reporting one falsely only loses;
*warnings* and *modified arguments* (``stable``, ``pure``, and the custom judges that read
``Result.warnings`` / ``Result.mutated``) are facts about that process that nothing outside can check:
a submission that patches ``nnlab.collect`` or ``warnings`` can hide them and keep those points. Write a
stability check so that the values decide where they can (inputs at which an unstable formula
overflows to inf or nan), and treat the warning as the explanation. Write a check with ``against`` (compare with a reference function)
or ``custom`` (any judgment, e.g. statistics of a random mask, or a recorded sequence of calls).
"""
import functools
import importlib
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from nnlab.checks import check_close
from nnlab.collect import from_doc, to_doc

NOT_RUN = "its hidden checks did not run (the cell stopped before them: see its error above)"


class Failure(AssertionError):
    """A check that did not pass; the message is written for the student."""


@dataclass
class Result:
    """What the student's code did on one case (sent by ``collect``; untrusted)."""

    value: Any = None
    error: str | None = None
    warnings: list = field(default_factory=list)
    mutated: list = field(default_factory=list)


@dataclass(frozen=True)
class Check:
    """One collected key of a test cell and how to judge it (or, with ``members``, several: see ``any_of``).

    Attributes:
        key: the name the hidden test collects under.
        cases: argument tuples (arrays, numbers, strings, containers of them).
        judge: judge(results, cases) raises ``Failure`` with a sentence; results are ``Result``s, one per case.
        points: what the check earns on its own when it passes (partial credit); None: it shares, with the
            cell's other checks without points, the cell's remaining points, all or nothing.
        builds_on: ((grade_id, component), ...): the upstream test cells whose component this check's
            values depend on (see ``judge_cell``).
        members: the checks of an ``any_of`` (then key, cases and judge are those of the first).
        fallback: an ``any_of`` member decided only when one of its ``builds_on`` cells lost points (a
            judgment of the cell's own answer alone, for when the upstream mistake spoils the rest).
    """

    key: str
    cases: tuple
    judge: Callable
    points: float | None = None
    builds_on: tuple = ()
    members: tuple = ()
    fallback: bool = False

    @property
    def keys(self):
        """Every key this check decides on (what the hidden part must collect)."""
        return tuple(k for m in self.members for k in m.keys) if self.members else (self.key,)

    def collected(self):
        """[(key, cases)] of every key this check decides on."""
        return [pair for m in self.members for pair in m.collected()] if self.members else [(self.key, self.cases)]


@dataclass
class Verdict:
    """What the judge decided about one test cell.

    Attributes:
        score: points earned, out of ``points``.
        failures: sentences for the checks that cost points (in the order of the cell's checks).
        notes: sentences for the checks that failed but cost nothing (an upstream mistake explains them).
    """

    score: float
    points: float
    failures: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def passed(self):
        return not self.failures

    @property
    def lost(self):
        return self.score < self.points

    @property
    def message(self):
        """The failures, then the notes, as one text (empty when every check passed)."""
        return " | ".join(dict.fromkeys(self.failures + self.notes))


def _builds_on(builds_on):
    """((grade_id, component), ...) from a dict {grade_id: component} or pairs."""
    return tuple((builds_on or {}).items()) if isinstance(builds_on, dict) else tuple(builds_on or ())


def _shape(arg):
    """An argument in a few characters: an array by its shape, a container by its kind and length."""
    if isinstance(arg, np.ndarray):
        return str(arg.shape)
    if isinstance(arg, (dict, list, tuple)):
        return f"a {type(arg).__name__} of {len(arg)}"
    return repr(arg)[:20]


def _shapes(args):
    return ", ".join(_shape(a) for a in args)


def compare(got, want, what, **tolerances):
    """Failure unless got matches want: arrays and numbers by ``check_close``, tuples, lists and dicts by item."""
    if isinstance(want, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(want):
            raise Failure(f"{what} should return {len(want)} values; got {type(got).__name__}"
                          + (f" of {len(got)}" if isinstance(got, (tuple, list)) else ""))
        for k, (g, w) in enumerate(zip(got, want)):
            compare(g, w, f"{what}, output {k}", **tolerances)
    elif isinstance(want, dict):
        if not isinstance(got, dict) or set(got) != set(want):
            raise Failure(f"{what} should be a dict with keys {sorted(want)}; got "
                          + (f"keys {sorted(got)}" if isinstance(got, dict) else type(got).__name__))
        for k in want:
            compare(got[k], want[k], f"{what}[{k!r}]", **tolerances)
    else:
        try:
            check_close(got, want, what, **tolerances)
        except AssertionError as err:
            raise Failure(str(err)) from None


def against(key, reference, cases, what=None, stable=False, pure=False, points=None, builds_on=None, **tolerances):
    """A check comparing the student's result on each case with ``reference(*case)``.

    Args:
        reference: called here on fresh copies of each case.
        points, builds_on: as ``Check``.
        stable: also fail on any floating-point warning (overflow, invalid value, division by zero).
        pure: also fail when an argument was modified (the contract says inputs are not mutated).
        tolerances: rtol, atol for ``check_close``.
    """
    what = what or key

    def judge(results, cases):
        for args, result in zip(cases, results):
            where = f"{what} for inputs of shapes {_shapes(args)}"
            if result.error:
                raise Failure(f"{where} raised {result.error}")
            if stable and result.warnings:
                raise Failure(f"{what} is not numerically stable: NumPy warned '{result.warnings[0]}' for "
                              f"inputs up to |x| = {max(np.max(np.abs(a)) for a in args if isinstance(a, np.ndarray)):g}. "
                              "Rewrite it so that exp() never sees a large positive argument.")
            if pure and result.mutated:
                raise Failure(f"{where} modified its argument number {result.mutated[0] + 1}: "
                              "the contract says inputs are not changed (work on a copy)")
            compare(result.value, reference(*_fresh(args)), where, **tolerances)

    return Check(key, tuple(cases), judge, points, _builds_on(builds_on))


def custom(key, cases, judge, points=None, builds_on=None, fallback=False):
    """A check with its own judgment: judge(results, cases) raises ``Failure``; points, builds_on, fallback: as
    ``Check``."""
    return Check(key, tuple(cases), judge, points, _builds_on(builds_on), fallback=fallback)


def any_of(*checks, points=None):
    """One check that passes when any of ``checks`` passes (each judged on its own key).

    For a downstream cell: ``any_of(against("X", on_own_components), against("X_standin", on_standins))``.
    When none passes, it reports the first check's message, unless that check ``builds_on`` an
    upstream cell that lost points: then the first message no upstream mistake explains (the stand-in
    run's, which says what is wrong with the downstream code itself). When an upstream mistake
    explains every member's failure, it costs nothing.
    """
    if not checks:
        raise ValueError("any_of needs at least one check")
    first = checks[0]
    return Check(first.key, first.cases, first.judge, points, (), tuple(checks))


def _fresh(args):
    return [a.copy() if isinstance(a, np.ndarray) else a for a in args]


def module(assignment):
    """The judge module of an assignment: '01_backprop' -> autograder.judge.backprop."""
    return importlib.import_module(f"{__name__}.{assignment.split('_', 1)[1]}")


def checks(assignment):
    """{grade_id: [Check]} of an assignment."""
    return module(assignment).TESTS


@functools.lru_cache(maxsize=None)
def inputs_document(assignment):
    """The JSON text the sandbox's ``collect`` reads: {key: [case, ...]} for every check of the assignment
    (made once per process)."""
    return json.dumps(to_doc({key: list(cases) for cs in checks(assignment).values() for c in cs
                              for key, cases in c.collected()}))


def _results(raw, count):
    """The untrusted results of one key as ``Result``s, or None when they are missing or malformed."""
    if not isinstance(raw, list) or len(raw) != count:
        return None
    out = []
    for entry in raw:
        if not isinstance(entry, dict):
            return None
        try:
            value = from_doc(entry["value"]) if isinstance(entry.get("value"), dict) else None
        except (ValueError, KeyError, TypeError):
            return None
        error = entry.get("error")
        out.append(Result(value, str(error)[:500] if error else None,
                          [str(w)[:200] for w in entry.get("warnings", [])[:5]] if isinstance(entry.get("warnings"), list) else [],
                          [int(i) for i in entry.get("mutated", []) if isinstance(i, int)][:5]
                          if isinstance(entry.get("mutated"), list) else []))
    return out


def _failed_upstream(check, verdicts):
    """The components of the upstream cells this check builds on that lost points, as "`f` fails above (cell)"."""
    return [f"`{component}` fails above ({gid})" for gid, component in check.builds_on
            if gid in verdicts and verdicts[gid].lost]


def _decide(check, collected, verdicts):
    """(passed, message, explained) of one check; explained: an upstream mistake accounts for its failure."""
    if check.members:
        outcomes = [_decide(m, collected, verdicts) for m in check.members]
        if any(ok for ok, _, _ in outcomes):
            return True, "", False
        unexplained = [message for _, message, explained in outcomes if not explained]
        return False, (unexplained or [outcomes[0][1]])[0], not unexplained
    if check.fallback and not _failed_upstream(check, verdicts):
        return False, "", True  # not in play: the other members decide
    results = _results(collected.get(check.key), len(check.cases))
    if results is None:
        message = NOT_RUN
    else:
        try:
            check.judge(results, check.cases)
            return True, "", False
        except Failure as failure:
            message = str(failure)[:600]
        except Exception as err:  # a value of an unexpected kind (e.g. a string where numbers belong)
            message = f"{check.key}: the result could not be judged ({type(err).__name__}: {str(err)[:200]})"
    upstream = [] if check.fallback else _failed_upstream(check, verdicts)  # a fallback's failure is its own
    if upstream and message != NOT_RUN and "NotImplementedError" not in message:  # nothing run, or nothing written: no points
        return False, f"{check.key} fails because {' and '.join(upstream)}: not charged again here", True
    return False, message, False


def judge_cell(cell_checks, collected, points=1.0, verdicts=None):
    """The ``Verdict`` of one test cell worth ``points``, from the collected results.

    Each check with points earns them when it passes; the checks without points earn the rest
    together. ``verdicts`` ({grade_id: Verdict}) are the cells judged before this one: a check that
    builds on one of them that lost points is not charged for a failure that mistake explains.
    """
    verdicts = verdicts or {}
    explicit = sum(c.points for c in cell_checks if c.points is not None)
    verdict, rest_passed = Verdict(0.0, float(points)), True
    for check in cell_checks:
        ok, message, explained = _decide(check, collected, verdicts)
        if not ok:
            (verdict.notes if explained else verdict.failures).append(message)
        earned = ok or explained
        if check.points is not None:
            verdict.score += check.points if earned else 0.0
        else:
            rest_passed = rest_passed and earned
    verdict.score += max(float(points) - explicit, 0.0) if rest_passed else 0.0
    return verdict

"""Item analysis of one assignment across the class: which tests measure what the class knows.

The class is the matrix X (n students × k tests) of points earned, X[s, t] in [0, p_t] (floats:
partial credit), from the students with at least one graded test; hand-graded cells are left out.
With T_s = Σ_t X[s, t] the student's total and R_s^t = T_s − X[s, t] the *rest score* of test t:

- pass rate of t: the fraction of students with X[s, t] ≥ p_t (full points);
- mean points of t: mean over s of X[s, t];
- discrimination r_t: the point-biserial correlation of X[:, t] with R^t (Pearson's correlation;
  point-biserial when the test is pass/fail). The rest score, not the total, so that a test is not
  correlated with itself. Undefined (None) when the test or the rest score is the same for everyone;
- upper–lower index D_t: the students sorted by R^t (ties by student id), g = max(1, round(0.27 n)),
  D_t = mean of X[s, t] / p_t over the g highest − the same over the g lowest (in [−1, 1]);
- flags: r_t < 0.1 (or undefined), pass rate > 98 %, pass rate < 5 %.

Per assignment, with population variances σ²:

- KR-20 on pass/fail (x = 1 when a test is passed): k/(k−1) · (1 − Σ_t p_t q_t / σ²(Σ_t x)), p_t the
  pass rate and q_t = 1 − p_t;
- Cronbach's α on points: k/(k−1) · (1 − Σ_t σ²(X[:, t]) / σ²(T)) (equal to KR-20 when every test
  is worth 1 point and scored 0 or 1);
- the distribution of T / Σ_t p_t: mean, standard deviation, median, min, max and a histogram in tenths.

Both reliabilities are None with fewer than two tests or when every total is the same.
"""
from dataclasses import dataclass, field

import numpy as np

LOW_DISCRIMINATION, EASY, HARD, UPPER_LOWER = 0.1, 0.98, 0.05, 0.27
BINS = 10  # the score histogram: tenths of the maximum


@dataclass
class Item:
    """The numbers of one test cell (see the module docstring)."""

    notebook: str
    grade_id: str
    points: float
    students: int
    passed: int
    pass_rate: float
    mean_points: float
    discrimination: float | None
    upper_lower: float
    flags: list = field(default_factory=list)


@dataclass
class Distribution:
    """Totals as fractions of the maximum: summary numbers and counts per tenth (the last includes 100 %)."""

    mean: float
    sd: float
    median: float
    low: float
    high: float
    counts: list


@dataclass
class Analysis:
    """One assignment's item analysis: the items in notebook order, its reliability, the score distribution."""

    assignment: str
    students: list
    items: list
    kr20: float | None
    alpha: float | None
    distribution: Distribution


def class_matrix(results):
    """(students, [(notebook, grade_id, points)], X): the tests' points earned, n × k float64.

    results: {student: SubmissionResult}; a missing cell or a score of None counts 0.
    """
    tests = []
    for result in results.values():
        for name, cell in result.cells():
            if cell.kind == "test" and (name, cell.grade_id) not in [(n, g) for n, g, _ in tests]:
                tests.append((name, cell.grade_id, cell.points))
    students = sorted(s for s, r in results.items() if any(c.kind == "test" for _, c in r.cells()))
    x = np.zeros((len(students), len(tests)))
    for i, student in enumerate(students):
        for j, (name, gid, _) in enumerate(tests):
            cell = results[student].cell(name, gid)
            x[i, j] = (cell.score or 0.0) if cell is not None else 0.0
    return students, tests, x


def correlation(a, b):
    """Pearson's correlation of two vectors, None when either is constant."""
    a, b = a - a.mean(), b - b.mean()
    denominator = np.sqrt((a @ a) * (b @ b))
    return None if denominator < 1e-12 else float(a @ b / denominator)


def upper_lower(fraction, rest, students):
    """Mean fraction of the test's points in the top 27 % by rest score minus that in the bottom 27 %."""
    n = len(rest)
    g = max(1, round(UPPER_LOWER * n))
    order = sorted(range(n), key=lambda i: (rest[i], students[i]))
    return float(fraction[order[-g:]].mean() - fraction[order[:g]].mean())


def reliability(x):
    """k/(k−1) · (1 − Σ column variances / variance of the row sums); None when undefined."""
    k = x.shape[1]
    total = x.sum(axis=1).var()
    if k < 2 or total < 1e-12:
        return None
    return float(k / (k - 1) * (1 - x.var(axis=0).sum() / total))


def distribution(fractions):
    """The Distribution of the totals' fractions of the maximum (at least one student)."""
    f = np.asarray(fractions, dtype=float)
    counts = np.histogram(np.clip(f, 0, 1), bins=BINS, range=(0, 1))[0]
    return Distribution(float(f.mean()), float(f.std()), float(np.median(f)), float(f.min()), float(f.max()),
                        [int(c) for c in counts])


def analyse(assignment, results):
    """The Analysis of one assignment from {student: SubmissionResult}."""
    students, tests, x = class_matrix(results)
    points = np.array([p for _, _, p in tests], dtype=float)
    full = x >= points - 1e-9
    totals = x.sum(axis=1)
    items = []
    for j, (name, gid, p) in enumerate(tests):
        rest = totals - x[:, j]
        fraction = x[:, j] / p if p else np.ones(len(students))
        rate = float(full[:, j].mean())
        r = correlation(x[:, j], rest)
        flags = []
        if r is None or r < LOW_DISCRIMINATION:
            flags.append("no discrimination (everyone scored the same)" if r is None and x[:, j].std() < 1e-12
                         else f"discrimination below {LOW_DISCRIMINATION:g}")
        if rate > EASY:
            flags.append(f"pass rate above {100 * EASY:.0f} %")
        if rate < HARD:
            flags.append(f"pass rate below {100 * HARD:.0f} %")
        items.append(Item(name, gid, float(p), len(students), int(full[:, j].sum()), rate, float(x[:, j].mean()),
                          r, upper_lower(fraction, rest, students), flags))
    maximum = points.sum()
    return Analysis(assignment, students, items, reliability(full.astype(float)), reliability(x),
                    distribution(totals / maximum if maximum else totals))

"""``python -m autograder report``: item analysis of one assignment across the class.

For every test cell: how many students passed it, the mean fraction of its points earned, and the
commonest failure messages (numbers in messages are replaced by ``#`` so that the same mistake on
different inputs counts once). Written as a Markdown table, a CSV and a bar chart (PNG), and the
table is printed. Hard tests and shared misconceptions show up at the top of the failure lists.
"""
import collections
import csv
import re
from pathlib import Path

from .grade import GradingError, check_assignment, load_results

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def normalise(message):
    """A failure message with its numbers replaced by '#' (one line, at most 140 characters)."""
    text = NUMBER.sub("#", message.splitlines()[0] if message else "")
    return text if len(text) <= 140 else text[:139] + "…"


def item_analysis(results):
    """One row per test cell: notebook, grade_id, points, students, passed, pass rate, mean score, failures.

    results: {student: SubmissionResult}.
    """
    rows = {}
    for result in results.values():
        for name, cell in result.cells():
            if cell.kind != "test":
                continue
            row = rows.setdefault((name, cell.grade_id), {"notebook": name, "grade_id": cell.grade_id,
                                                          "points": cell.points, "students": 0, "passed": 0,
                                                          "earned": 0.0, "failures": collections.Counter()})
            row["students"] += 1
            row["earned"] += cell.score or 0.0
            if cell.score is not None and cell.score >= cell.points:
                row["passed"] += 1
            else:
                row["failures"][normalise(cell.message) or "(no message)"] += 1
    for row in rows.values():
        row["pass_rate"] = row["passed"] / row["students"]
        row["mean_fraction"] = row["earned"] / (row["points"] * row["students"]) if row["points"] else 1.0
    return list(rows.values())


def _markdown(assignment, rows, n_students):
    lines = [f"# Item analysis: {assignment} ({n_students} students)", "",
             "| test | points | passed | pass rate | mean score | commonest failures (count) |",
             "|---|---:|---:|---:|---:|---|"]
    for r in rows:
        failures = "; ".join(f"{m.replace('|', '/')} ({c})" for m, c in r["failures"].most_common(3)) or "—"
        lines.append(f"| {r['grade_id']} | {r['points']:g} | {r['passed']}/{r['students']} | "
                     f"{100 * r['pass_rate']:.0f} % | {100 * r['mean_fraction']:.0f} % | {failures} |")
    return "\n".join(lines) + "\n"


def _plot(assignment, rows, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [r["grade_id"] for r in rows]
    rates = [100 * r["pass_rate"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(rows) + 1.4))
    ax.barh(range(len(rows)), rates, color="#4C72B0")
    ax.set_yticks(range(len(rows)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("students passing the test (%)")
    ax.set_title(f"{assignment}: pass rate of each test")
    for i, rate in enumerate(rates):
        ax.text(min(rate + 1, 92), i, f"{rate:.0f} %", va="center", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def report(assignment, grading_dir, out_dir=None, log=print):
    """Write <out_dir>/<assignment>-items.{md,csv,png} and print the table; returns the three paths."""
    check_assignment(assignment)
    grading_dir = Path(grading_dir)
    if not (grading_dir / "gradebook.db").is_file():
        raise GradingError(f"no gradebook in {grading_dir}: grade first with `python -m autograder grade "
                           f"{assignment} SUBMISSIONS`, or point --grading-dir at the folder you graded in")
    results = load_results(grading_dir, assignment)
    if not results:
        raise GradingError(f"no graded submissions of {assignment} in {grading_dir}")
    rows = item_analysis(results)
    out_dir = Path(out_dir) if out_dir else grading_dir / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    md, table, png = (out_dir / f"{assignment}-items.{ext}" for ext in ("md", "csv", "png"))
    text = _markdown(assignment, rows, len(results))
    md.write_text(text, encoding="utf-8")
    with open(table, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["notebook", "grade_id", "points", "students", "passed", "pass_rate", "mean_fraction",
                         "commonest_failure", "count"])
        for r in rows:
            top = r["failures"].most_common(1)
            writer.writerow([r["notebook"], r["grade_id"], f"{r['points']:g}", r["students"], r["passed"],
                             f"{r['pass_rate']:.4f}", f"{r['mean_fraction']:.4f}",
                             top[0][0] if top else "", top[0][1] if top else 0])
    _plot(assignment, rows, png)
    log(text)
    log(f"wrote {md}, {table}, {png}")
    return md, table, png

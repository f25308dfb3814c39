"""``python -m autograder report``: item analysis of one assignment across the class.

For every test cell the numbers of ``autograder.batch.items`` (pass rate, mean points, discrimination
against the rest score, the upper–lower 27 % index, flags) and the commonest failure messages (numbers
in messages are replaced by ``#`` so that the same mistake on different inputs counts once); for the
assignment its reliability (KR-20, Cronbach's α) and the score distribution; and, when students were
regraded, whose grade changed and by how much (``autograder.batch.changes``). Written to
``<out_dir>/<assignment>-``:

- ``items.md`` (printed too) and ``items.csv``: one row per test;
- ``assignment.csv``: the assignment's numbers, one ``quantity,value`` per row;
- ``changes.csv``: one row per regraded student whose grade changed;
- ``items.png`` and ``items.html``: the figure (pass rate against discrimination, the distribution of
  totals) and a self-contained page with the figure inlined as SVG and the tables: it loads nothing.
"""
import collections
import csv
import html
import io
import re
from pathlib import Path

from . import changes as regrades
from . import items as analysis
from .grade import GradingError, check_assignment, load_results

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def normalise(message):
    """A failure message with its numbers replaced by '#' (one line, at most 140 characters)."""
    text = NUMBER.sub("#", message.splitlines()[0] if message else "")
    return text if len(text) <= 140 else text[:139] + "…"


def failures(results):
    """{(notebook, grade_id): Counter of normalised messages} of every test cell not given full points."""
    out = collections.defaultdict(collections.Counter)
    for result in results.values():
        for name, cell in result.cells():
            if cell.kind == "test" and (cell.score is None or cell.score < cell.points):
                out[(name, cell.grade_id)][normalise(cell.message) or "(no message)"] += 1
    return out


def _number(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def _commonest(counter, n=3):
    return "; ".join(f"{m} ({c})" for m, c in counter.most_common(n)) or "—"


ITEM_COLUMNS = ("test", "points", "passed", "pass rate", "mean points", "discrimination r", "upper–lower D",
                "flags", "commonest failures (count)")


def _item_cells(item, fails):
    return [item.grade_id, f"{item.points:g}", f"{item.passed}/{item.students}", f"{100 * item.pass_rate:.0f} %",
            f"{item.mean_points:.2f}", _number(item.discrimination), _number(item.upper_lower),
            "; ".join(item.flags) or "—", _commonest(fails[(item.notebook, item.grade_id)])]


def _assignment_rows(a):
    d = a.distribution
    rows = [("students", len(a.students)), ("tests", len(a.items)), ("kr20", _number(a.kr20, 4)),
            ("cronbach_alpha", _number(a.alpha, 4)), ("mean_fraction", f"{d.mean:.4f}"), ("sd_fraction", f"{d.sd:.4f}"),
            ("median_fraction", f"{d.median:.4f}"), ("min_fraction", f"{d.low:.4f}"), ("max_fraction", f"{d.high:.4f}")]
    return rows + [(f"students_{10 * i}_to_{10 * i + 10}_percent", c) for i, c in enumerate(d.counts)]


def _markdown(a, fails, changed):
    d = a.distribution
    lines = [f"# Item analysis: {a.assignment} ({len(a.students)} students)", "",
             f"Reliability: KR-20 {_number(a.kr20)}, Cronbach's α {_number(a.alpha)}. Totals: mean "
             f"{100 * d.mean:.0f} %, sd {100 * d.sd:.0f} %, median {100 * d.median:.0f} % of the maximum.", "",
             "| " + " | ".join(ITEM_COLUMNS) + " |", "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    for item in a.items:
        lines.append("| " + " | ".join(c.replace("|", "/") for c in _item_cells(item, fails)) + " |")
    flagged = [i for i in a.items if i.flags]
    lines += ["", f"Flagged tests: {', '.join(i.grade_id for i in flagged) or 'none'}."]
    if changed:
        lines += ["", f"Grades changed at the last regrade ({len(changed)}):", ""]
        lines += [f"- {c.student}: {c.before:g} → {c.after:g} ({c.delta:+g}); {regrades.describe(c)}" for c in changed]
    return "\n".join(lines) + "\n"


def figure(a):
    """The report's figure: (left) pass rate against discrimination, flagged tests in red and named (hollow:
    discrimination undefined, drawn at 0; tests at one place share a marker, larger, and a label);
    (right) the histogram of totals in tenths of the maximum."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from matplotlib.ticker import MaxNLocator

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2))
    spots = collections.defaultdict(list)  # tests drawn at the same place get one label
    for item in a.items:
        r = 0.0 if item.discrimination is None else item.discrimination
        spots[(round(r, 2), round(100 * item.pass_rate, 1), item.discrimination is None)].append(item)
    for (r, rate, undefined), tests in spots.items():
        flagged = any(i.flags for i in tests)
        colour = "#C44E52" if flagged else "#4C72B0"
        left.scatter(r, rate, s=40 + 8 * (len(tests) - 1), zorder=3, color="white" if undefined else colour,
                     edgecolors=colour, linewidths=1.5)
        if flagged:
            names = tests[0].grade_id if len(tests) == 1 else f"{len(tests)} tests"
            left.annotate(names + (" (r undefined: all equal)" if undefined else ""), (r, rate), fontsize=7,
                          xytext=(6, -10 if rate > 90 else 4), textcoords="offset points")
    left.axvline(analysis.LOW_DISCRIMINATION, color="grey", ls="--", lw=1)
    for rate in (100 * analysis.EASY, 100 * analysis.HARD):
        left.axhline(rate, color="grey", ls=":", lw=1)
    left.set(xlim=(-1, 1), ylim=(-3, 103), xlabel="discrimination: correlation with the rest score (r)",
             ylabel="students passing the test (%)", title="Figure 1a. Tests (red: flagged)")
    d = a.distribution
    right.bar([10 * i + 5 for i in range(analysis.BINS)], d.counts, width=9, color="#55A868")
    right.yaxis.set_major_locator(MaxNLocator(integer=True))
    right.set(xlim=(0, 100), xlabel="total score (% of the maximum)", ylabel="students",
              title="Figure 1b. Distribution of totals")
    fig.suptitle(f"{a.assignment}: item analysis of {len(a.students)} students")
    fig.tight_layout()
    return fig


def svg(fig):
    """The figure as an inline <svg> element (no date in it: the same class gives the same page)."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata={"Date": None})
    text = out.getvalue()
    return text[text.index("<svg"):]


def _table(header, rows):
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(a, fails, changed, figure_svg):
    """The self-contained HTML page (inline SVG and CSS; no script, nothing loaded)."""
    d = a.distribution
    flagged = [i for i in a.items if i.flags]
    rows = [[*_item_cells(i, fails)] for i in a.items]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Item analysis: {html.escape(a.assignment)}</title>",
        "<style>body{font-family:sans-serif;margin:2em;max-width:80em} table{border-collapse:collapse;margin:1em 0}"
        " td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left;vertical-align:top}"
        " tr.flagged td{background:#fbe9e9} svg{max-width:100%;height:auto} .summary{font-size:1.1em}</style>",
        "</head><body>", f"<h1>Item analysis: {html.escape(a.assignment)}</h1>",
        f'<p class="summary">{len(a.students)} students, {len(a.items)} tests. Reliability: KR-20 '
        f"{_number(a.kr20)}, Cronbach's α {_number(a.alpha)}. Totals: mean {100 * d.mean:.0f} %, "
        f"sd {100 * d.sd:.0f} %, median {100 * d.median:.0f} %, from {100 * d.low:.0f} % to {100 * d.high:.0f} % "
        "of the maximum.</p>",
        f"<h2>Flagged tests ({len(flagged)})</h2>",
        "<ul>" + "".join(f"<li><b>{html.escape(i.grade_id)}</b>: {html.escape('; '.join(i.flags))}</li>"
                         for i in flagged) + "</ul>" if flagged else "<p>None.</p>",
        f"<figure>{figure_svg}<figcaption>Figure 1. (a) Each test's pass rate against its discrimination (the "
        f"correlation of its points with the rest of the total; hollow: undefined, everyone scored the same); "
        f"red: flagged; dashed: r = {analysis.LOW_DISCRIMINATION:g}, "
        f"dotted: {100 * analysis.HARD:.0f} % and {100 * analysis.EASY:.0f} % pass rates. (b) Number of students "
        "per tenth of the maximum total.</figcaption></figure>",
        "<h2>Tests</h2>", _table(ITEM_COLUMNS, rows),
        "<h2>Assignment</h2>", _table(("quantity", "value"), _assignment_rows(a)),
    ]
    if changed:
        parts += [f"<h2>Grades changed at the last regrade ({len(changed)})</h2>",
                  _table(("student", "before", "after", "change", "tests"),
                         [(c.student, f"{c.before:g}", f"{c.after:g}", f"{c.delta:+g}", regrades.describe(c))
                          for c in changed])]
    parts.append("</body></html>")
    text = "\n".join(parts)
    for i in flagged:  # shade the flagged tests' rows
        text = text.replace(f"<tr><td>{html.escape(i.grade_id)}</td>", f'<tr class="flagged"><td>{html.escape(i.grade_id)}</td>')
    return text


def _write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def report(assignment, grading_dir, out_dir=None, log=print):
    """Write the report's files (module docstring) and print the table; returns {kind: path}."""
    check_assignment(assignment)
    grading_dir = Path(grading_dir)
    if not (grading_dir / "gradebook.db").is_file():
        raise GradingError(f"no gradebook in {grading_dir}: grade first with `python -m autograder grade "
                           f"{assignment} SUBMISSIONS`, or point --grading-dir at the folder you graded in")
    results = load_results(grading_dir, assignment)
    a = analysis.analyse(assignment, results)
    if not a.students:
        raise GradingError(f"no graded submissions of {assignment} in {grading_dir}")
    fails, changed = failures(results), regrades.changes(grading_dir, assignment)
    out_dir = Path(out_dir) if out_dir else grading_dir / "reports"
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {kind: out_dir / f"{assignment}-{kind}" for kind in
             ("items.md", "items.csv", "assignment.csv", "changes.csv", "items.png", "items.html")}
    text = _markdown(a, fails, changed)
    paths["items.md"].write_text(text, encoding="utf-8")
    _write_csv(paths["items.csv"], ["notebook", "grade_id", "points", "students", "passed", "pass_rate", "mean_points",
                                    "discrimination", "upper_lower", "flags", "commonest_failure", "count"],
               [[i.notebook, i.grade_id, f"{i.points:g}", i.students, i.passed, f"{i.pass_rate:.4f}",
                 f"{i.mean_points:.4f}", "" if i.discrimination is None else f"{i.discrimination:.4f}",
                 f"{i.upper_lower:.4f}", "; ".join(i.flags),
                 *(fails[(i.notebook, i.grade_id)].most_common(1) or [("", 0)])[0]] for i in a.items])
    _write_csv(paths["assignment.csv"], ["quantity", "value"], _assignment_rows(a))
    _write_csv(paths["changes.csv"], ["student_id", "before", "after", "change", "tests"],
               [[c.student, f"{c.before:g}", f"{c.after:g}", f"{c.delta:+g}", regrades.describe(c)] for c in changed])
    import matplotlib.pyplot as plt

    fig = figure(a)
    fig.savefig(paths["items.png"], dpi=120)
    paths["items.html"].write_text(page(a, fails, changed, svg(fig)), encoding="utf-8")
    plt.close(fig)
    log(text)
    log("wrote " + ", ".join(str(p) for p in paths.values()))
    return paths

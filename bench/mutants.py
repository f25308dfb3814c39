"""Mutation testing of every assignment's tests: the full run of ``python -m autograder mutants``.

Every generated mutant (one plausible mistake in one answer cell) and every hand-written classic
mistake is graded by `python -m autograder grade` (sandboxed, judged outside) as a student of one batch
per assignment, with two workers.
The goal: at least 95 % of the generated mutants killed (after the ones excluded by hand in
autograder/mutation/equivalent.toml) and every classic mistake caught with a message that says
what is wrong. This takes tens of minutes on 2 cores.
"""
from autograder import course
from autograder.mutation import mutants

GOAL = 0.95


def run():
    """Markdown section: one row per assignment, then every survivor as a diff."""
    excluded = mutants.equivalent()
    rows, details = [], []
    for assignment in course.assignments():
        report = mutants.run(assignment, jobs=2, log=lambda *args: None)
        graded = len(report.killed) + len(report.survived)
        kinds = [e["kind"] for e in excluded.values() if e["assignment"] == assignment]
        classic = len(report.classic_caught) + len(report.classic_missed)
        ok = report.score >= GOAL and not report.classic_missed and not report.silent()
        free = kinds.count("free choice")
        strict = len(report.killed) / (graded + free) if graded + free else 1.0
        rows.append(f"| {assignment} | {report.generated} | {kinds.count('equivalent')} + {free} "
                    f"| {len(report.killed)} / {graded} | **{100 * report.score:.1f} %** | {100 * strict:.1f} % "
                    f"| {len(report.survived)} "
                    f"| {len(report.classic_caught)} / {classic} | {len(report.silent())} | {report.seconds / 60:.1f} "
                    f"| {'yes' if ok else '**no**'} |")
        for mutant in report.survived:
            details += [f"- `{assignment}` `{mutant.id}` in `{mutant.cell}`: {mutant.description}", "",
                        "  ```diff", *[f"  {line}" for line in mutant.diff().splitlines()], "  ```"]
        for mutant, why in report.classic_missed:
            details.append(f"- `{assignment}` classic mistake `{mutant.classic.name}` not caught: {why}")
        for mutant in report.silent():
            details.append(f"- `{assignment}` `{mutant.student}` fails a test whose message does not say why")
    return "\n".join([
        "## Mutation testing of the tests",
        "",
        "Each generated mutant is the solution with one plausible mistake in one answer cell (operators swapped,",
        "constants changed, axis/keepdims/sum/mean/max/min swapped, a minus sign, transpose or in-place update",
        "dropped, a condition negated, another local returned), graded by nbgrader like a student. Killed: it loses",
        "at least one point. Excluded: mutants that no test of the contract can tell apart from the solution",
        "(equivalent), or settings the assignment leaves to the student (free choice), each with its reason in",
        "`autograder/mutation/equivalent.toml`. Classic mistakes: `autograder/classic_mistakes.py`, each required to",
        f"fail named tests with a message that says what is wrong. Goal: {100 * GOAL:.0f} % and every classic mistake.",
        "",
        "A free choice changes what the program computes, but not anything the assignment asks for: the capstone",
        "(06) grades a recipe whose hyperparameters, architecture and components (already graded in 02-05) are the",
        "student's, so most of its free choices are the recipe's settings and the constants of the pasted",
        "components. The column after the score counts them as survivors, for a reader who disagrees.",
        "",
        "| assignment | generated | excluded (equivalent + free choice) | killed | mutation score "
        "| score if free choices counted as survivors | survivors "
        "| classic mistakes caught | failing without a message | minutes | goal met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
        *rows,
        *(["", "Surviving mutants, missed classic mistakes, failures without a message:", "", *details] if details else []),
    ])

"""The exercises' sources: ``solutions/NN/NN.md`` (what maintainers edit) paired with ``NN.ipynb``.

The MyST markdown file is the one a reviewer reads: each cell is a fenced block with its nbgrader
metadata in the block's options, so a one-line change to a test is a one-line diff. The notebook
next to it is what nbgrader and the grader read; jupytext keeps it in sync (pairing is set for the
whole folder by ``solutions/jupytext.toml``, so no notebook carries jupytext metadata into a release,
and cell ids survive a sync). ``python -m autograder release`` syncs before it generates.
"""
import jupytext
import nbformat
from jupytext.cli import jupytext as jupytext_cli

from . import course
from .notebooks import nbgrader_meta

SYNC_COMMAND = "python -m autograder release {assignment}"


def pairs(assignment):
    """[(markdown source, notebook)] of one assignment, one pair per notebook of its solutions folder."""
    folder = course.SOLUTIONS / assignment
    return [(nb.with_suffix(".md"), nb) for nb in sorted(folder.glob("*.ipynb"))]


def sync(assignment):
    """Rewrite each notebook from its markdown source, keeping the notebook's cell ids and metadata.

    Returns the notebooks whose content changed.
    """
    changed = []
    for md, nb in pairs(assignment):
        if not md.exists():
            raise FileNotFoundError(f"{md} is missing: every solution notebook needs its MyST source "
                                    f"(create it with `jupytext --sync {nb}`)")
        before = nb.read_bytes()
        jupytext_cli(["--quiet", "--to", "ipynb", "--update", str(md)])  # --update keeps ids and metadata
        if nb.read_bytes() != before:
            changed.append(nb)
    return changed


def _cell_view(cell):
    return cell.cell_type, cell.source.strip("\n"), nbgrader_meta(cell)


def disagreements(assignment):
    """Sentences naming each place where a markdown source and its notebook differ (empty when in sync)."""
    out = []
    for md, nb in pairs(assignment):
        if not md.exists():
            out.append(f"solutions/{md.relative_to(course.SOLUTIONS)} is missing")
            continue
        text, notebook = jupytext.read(md), nbformat.read(nb, as_version=4)
        if len(text.cells) != len(notebook.cells):
            out.append(f"{md.name} has {len(text.cells)} cells, {nb.name} has {len(notebook.cells)}")
        for index, (a, b) in enumerate(zip(text.cells, notebook.cells)):
            for what, x, y in zip(("cell type", "source", "nbgrader metadata"), _cell_view(a), _cell_view(b)):
                if x != y:
                    out.append(f"cell {index} ({b.metadata.get('nbgrader', {}).get('grade_id', '?')}): "
                               f"the {what} differs between {md.name} and {nb.name}")
    return out

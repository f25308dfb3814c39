"""The exercises page's downloads, following the course config (course.toml).

The directive ``{released-exercises}`` takes one line per assignment, ``NN_name | title | what you
implement``, and renders the table of the assignments the config releases, each with its notebook
(from exercises/) for download. The directive ``{student-kit-download}`` renders a download link of
the student kit, which it builds first (``autograder.kit``, into _build/student and
_build/student.zip). A page using either is read again whenever the config, the released notebooks
or the kit's parts change, so the site never offers a stale kit.
"""
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

REPO = Path(__file__).resolve().parents[2]


def _release():
    from autograder.kit import Release

    return Release.read()


def _depend_on(directive, paths):
    for path in paths:
        directive.env.note_dependency(str(path))


def _rendered(directive, markdown_lines):
    """The nodes of some MyST markdown, parsed as if it stood in the page."""
    container = nodes.container()
    directive.state.nested_parse(StringList(markdown_lines, source=directive.env.docname),
                                 directive.content_offset, container)
    return container.children


def _relative(directive, path):
    """``path`` relative to the folder of the current page, as the download role wants it."""
    page = Path(directive.env.doc2path(directive.env.docname)).parent
    return Path(*[".."] * len(page.relative_to(REPO).parts), path.relative_to(REPO)).as_posix()


class ReleasedExercises(SphinxDirective):
    has_content = True

    def run(self):
        release = _release()
        _depend_on(self, [REPO / "course.toml"])
        rows = ["| assignment | what you implement | notebook |", "|---|---|---|"]
        number = 0
        for line in self.content:
            name, title, what = (part.strip() for part in line.split("|"))
            number += 1
            if name not in release.released:
                continue
            notebook = REPO / "exercises" / name / f"{name}.ipynb"
            _depend_on(self, [notebook])
            rows.append(f"| {number}. {{doc}}`{title} <{name}>` | {what} | "
                        f"{{download}}`{name}.ipynb <{_relative(self, notebook)}>` |")
        return _rendered(self, rows)


class StudentKitDownload(SphinxDirective):
    has_content = False

    def run(self):
        from autograder import kit

        kit_dir, zip_path = kit.build()
        parts = [REPO / "course.toml", *sorted((REPO / "nnlab").glob("*.py")),
                 *sorted(p for p in (REPO / "student").rglob("*") if p.is_file()),
                 *sorted((REPO / "exercises").glob("*/*.ipynb"))]
        _depend_on(self, parts)
        size_mb = zip_path.stat().st_size / 1e6
        return _rendered(self, [f"{{download}}`Download the student kit (student.zip, {size_mb:.1f} MB) "
                                f"<{_relative(self, zip_path)}>`"])


def setup(app):
    app.add_directive("released-exercises", ReleasedExercises)
    app.add_directive("student-kit-download", StudentKitDownload)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Feedback pages for students: nbgrader's feedback layout, without the hidden tests or the network.

nbgrader's own ``generate_feedback`` renders the autograded notebook as it ran, so the source of
the hidden tests appears in it (nbgrader issues #917, #1363), tracebacks quote that source line by
line, and the page loads MathJax from a CDN. Here each test cell shows only its visible part,
each error only its last line (the exception and its message, which the tests write for
students), and the page loads no script at all (formulas appear as their TeX source). HTML in the
notebook is sanitised, so a submission cannot put scripts into a page an instructor opens.
"""
import copy
import functools
import html
import os
import re
from pathlib import Path

import nbformat
import nbgrader
from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbgrader.preprocessors import ClearHiddenTests

from ..notebooks import is_answer, is_test, nbgrader_meta

TEMPLATES = Path(__file__).resolve().parent / "templates"
_NBGRADER_TEMPLATES = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates"
_BOOTSTRAP_CSS = Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "static" / "node_modules" / \
    "bootstrap" / "dist" / "css"


NO_ALT = re.compile(r"<img(?![^>]*\balt=)")
# nbgrader's list of the graded cells at the top of the page calls each test "Test cell": name it as well, so
# the student finds the test that lost points ("Test cell test_relu_grad (Score: 0.0 / 1.0)").
UNNAMED_TEST = re.compile(r'(<a href="#([\w.-]+)">)Test cell</a>')


class CachedHighlight(Highlight2HTML):
    """nbconvert's syntax highlighting, remembering each cell it coloured (``HIGHLIGHTS`` per process): the
    pages of a batch share most cells (the instructor's, the release's, every complete answer alike), and
    Pygments was over half of a page's time."""

    HIGHLIGHTS = 4096

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._cache = {}

    def __call__(self, source, language=None, metadata=None):
        key = (source, language or self.pygments_lexer, (metadata or {}).get("magics_language"))  # all it reads
        if key not in self._cache:
            if len(self._cache) >= self.HIGHLIGHTS:
                self._cache.clear()
            self._cache[key] = super().__call__(source, language, metadata)
        return self._cache[key]


class FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter without its last pass: it parses the whole page with BeautifulSoup to add
    ``alt`` to images and ``tabindex`` to JupyterLab's cell wrappers (which this classic template does not
    have), over half of a page's time. The ``alt`` is added here by a regular expression instead."""

    MARKDOWN_CELLS = 4096  # markdown cells rendered and remembered per process

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._highlighters = {}  # pygments lexer -> its CachedHighlight, kept from page to page
        self._markdown = {}

    @pass_context
    def markdown2html(self, context, source):
        """nbconvert's markdown filter, remembering each cell without attachments it rendered (the
        assignment's text is the same on every page)."""
        if context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        if source not in self._markdown:
            if len(self._markdown) >= self.MARKDOWN_CELLS:
                self._markdown.clear()
            self._markdown[source] = super().markdown2html(context, source)
        return self._markdown[source]

    def _validate_preprocessor(self, nbc, preprocessor):
        """No schema validation after each preprocessor (nbconvert's: twelve a page, a third of its time left):
        the page's notebook is the grader's own, built from the assignment and the outputs it kept."""

    def from_notebook_node(self, nb, resources=None, **kw):
        lexer = nb.metadata.get("language_info", {}).get("pygments_lexer", "ipython3")
        if lexer not in self._highlighters:
            self._highlighters[lexer] = CachedHighlight(pygments_lexer=lexer, parent=self)
        self.register_filter("highlight_code", self._highlighters[lexer])
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata,
                                                                       parent=self, resources=resources))
        body, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        body = UNNAMED_TEST.sub(r"\1Test cell \2</a>", body)
        return NO_ALT.sub('<img alt="A figure the notebook drew"', body), resources


@functools.lru_cache(maxsize=1)
def _exporter():
    """One HTML exporter per process: building it (templates, filters) costs more than a page."""
    return FeedbackExporter(template_name="feedback_offline", sanitize_html=True,
                            extra_template_basedirs=[str(TEMPLATES), str(_NBGRADER_TEMPLATES)],
                            extra_template_paths=[str(_BOOTSTRAP_CSS), str(_NBGRADER_TEMPLATES)])


def warning_lines(text):
    """Each warning in a stderr text as "Category: message", without the file, line number and the source line
    Python prints with a warning (that line may belong to a hidden test)."""
    return [re.sub(r"^.*?:\d+: (?=\w*Warning:)", "", line).strip()
            for line in "".join(text).splitlines() if re.search(r"\w*Warning: ", line)]


def _warnings_only(text):
    """A test cell's stderr as the page shows it: its warnings alone (see warning_lines) when there are some,
    else the text (a debug print of the student's code called by the test; it never costs points)."""
    warnings = warning_lines(text)
    return "\n".join(warnings) + "\n" if warnings else "".join(text)


HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
REDACTED = "[hidden test]"


def hidden_lines(nb):
    """Lines of the hidden tests of the notebook's test cells (20 characters or more) that no visible part
    shows, longest first, and the markers around them."""
    hidden, visible = set(), set()
    for cell in nb.cells:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source  # as stored in a notebook file
        if cell.cell_type == "code" and is_test(cell, nbgrader_meta(cell)):
            for block in HIDDEN_BLOCK.findall(source):
                hidden |= {line.strip() for line in block.splitlines() if len(line.strip()) >= 20}
            source = HIDDEN_BLOCK.sub("", source)
        visible |= {line.strip() for line in source.splitlines()}
    markers = ["### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"]
    return sorted(hidden - visible, key=len, reverse=True) + markers


def _redact(value, lines):
    """value (a text, a list of texts, or a dict of them) with every hidden line replaced by REDACTED."""
    if isinstance(value, str):
        for line in lines:
            if line in value:
                value = value.replace(line, REDACTED)
        return value
    if isinstance(value, list):
        return [_redact(v, lines) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, lines) for k, v in value.items()}
    return value


def student_view(nb, results, notes=()):
    """The notebook as the feedback page shows it: scores in the metadata, hidden tests and traceback lines
    removed, and any copy of a hidden test's line that submitted code printed replaced by REDACTED.

    results: the notebook's [CellResult].
    """
    nb = copy.deepcopy(nb)
    cells = {c.grade_id: c for c in results}
    clear = ClearHiddenTests()
    hidden = hidden_lines(nb)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if is_test(cell, meta):
            cell, _ = clear.preprocess_cell(cell, {}, 0)
        if cell.cell_type == "code":
            # the sandbox runs the hidden tests, so submitted code can print them: never onto the page
            cell.outputs = [nbformat.from_dict(_redact(out, hidden)) for out in cell.get("outputs", [])]
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
                elif is_test(cell, meta) and out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["text"] = _warnings_only(out.get("text", ""))
        if meta.get("grade_id") in cells:
            result = cells[meta["grade_id"]]
            meta["score"], meta["points"] = result.score, result.points
            if result.kind == "manual" and result.score is None:
                meta["comment"] = "Graded by your instructor."
        elif meta.get("grade") or is_answer(meta):
            meta.setdefault("comment", None)
            if meta.get("grade"):  # a graded cell without a result yet (e.g. graded by hand later)
                meta.setdefault("score", None)
    if notes:
        text = "**Notes from the grader**\n\n" + "\n".join(f"- {html.escape(n)}" for n in notes)
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(text))
    return nb


def write_feedback(nb, results, path, student, assignment, notes=()):
    """Write the feedback page of one autograded notebook to path (its suffix becomes .html).

    results: the notebook's [CellResult].
    """
    view = student_view(nb, results, notes)
    total = sum(c.score or 0.0 for c in results)
    maximum = sum(c.points for c in results)
    resources = {"nbgrader": {"notebook": Path(path).stem, "score": total, "max_score": maximum, "late_penalty": 0,
                              "student": student, "assignment": assignment}}
    body, _ = _exporter().from_notebook_node(view, resources=resources)
    path = Path(path).with_suffix(".html")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, path)
    return path

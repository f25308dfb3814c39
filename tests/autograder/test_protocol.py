"""Every test cell is written to the grading protocol (autograder/judge): the hidden part collects,
the judge decides, partial points add up, stand-ins come from nnlab.standins, and nothing of the
answer key appears in a notebook."""
import ast
import importlib
import pkgutil
import re

import nbformat
import numpy as np
import pytest

import autograder.reference
from autograder import course, judge
from autograder.notebooks import is_answer, is_test, nbgrader_meta
from nnlab import standins

COLLECT = re.compile(r"""collect\(\s*["'](\w+)["']""")
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", flags=re.DOTALL)


def notebook(assignment):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    return nbformat.read(path, as_version=4)


def graded_cells(assignment):
    nb = notebook(assignment)
    return {nbgrader_meta(c)["grade_id"]: c.source for c in nb.cells if is_test(c, nbgrader_meta(c))}


def hidden_blocks(assignment):
    """[(grade_id, hidden block's source)] of every hidden block of the assignment's test cells."""
    return [(gid, block) for gid, source in graded_cells(assignment).items() for block in HIDDEN.findall(source)]


@pytest.mark.parametrize("assignment", course.assignments())
def test_every_test_cell_has_a_judge_and_every_judge_a_cell(assignment):
    cells, checks = graded_cells(assignment), judge.checks(assignment)
    assert set(cells) == set(checks), (f"test cells without a judge: {sorted(set(cells) - set(checks))}; "
                                       f"judges without a test cell: {sorted(set(checks) - set(cells))}")


@pytest.mark.parametrize("assignment", course.assignments())
def test_each_cell_collects_exactly_the_keys_its_judge_decides_on(assignment):
    cells, checks = graded_cells(assignment), judge.checks(assignment)
    for gid, source in cells.items():
        collected = set(COLLECT.findall(source))
        judged = {k for c in checks.get(gid, []) for k in c.keys}
        assert collected == judged, f"{gid}: collects {sorted(collected)}, its judge decides on {sorted(judged)}"


@pytest.mark.parametrize("assignment", course.assignments())
def test_no_notebook_cell_reaches_for_the_answer_key(assignment):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    for cell in nbformat.read(path, as_version=4).cells:
        assert "autograder" not in cell.source, (
            f"{nbgrader_meta(cell).get('grade_id')}: a notebook cell mentions `autograder`; the reference stays "
            "in the judge, outside the sandbox (autograder/judge)")


def test_keys_are_unique_within_an_assignment():
    for assignment in course.assignments():
        keys = [k for cs in judge.checks(assignment).values() for c in cs for k in c.keys]
        assert len(keys) == len(set(keys)), f"{assignment}: a key is judged twice: {sorted(keys)}"


@pytest.mark.parametrize("assignment", course.assignments())
def test_explicit_points_never_exceed_the_cells_points(assignment):
    points = {nbgrader_meta(c)["grade_id"]: float(nbgrader_meta(c).get("points", 0)) for c in notebook(assignment).cells
              if is_test(c, nbgrader_meta(c))}
    for gid, checks in judge.checks(assignment).items():
        explicit = [c.points for c in checks if c.points is not None]
        assert all(p > 0 for p in explicit), f"{gid}: a check's points must be positive; got {explicit}"
        assert sum(explicit) <= points[gid], f"{gid}: its checks' points {explicit} exceed the cell's {points[gid]:g}"
        assert len(explicit) < len(checks) or sum(explicit) == points[gid], (
            f"{gid}: every check has points, and they add up to {sum(explicit):g}, not the cell's {points[gid]:g}")
        assert all(m.points is None for c in checks for m in c.members), f"{gid}: points go on the any_of, not its members"


def _standin_names(tree):
    """Names a hidden block imported from nnlab.standins (and the module's own name, if imported)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "nnlab.standins":
            names |= {a.asname or a.name for a in node.names}
        if isinstance(node, ast.ImportFrom) and node.module == "nnlab" and any(a.name == "standins" for a in node.names):
            names |= {a.asname or a.name for a in node.names if a.name == "standins"}
    return names


@pytest.mark.parametrize("assignment", course.assignments())
def test_hidden_blocks_replace_components_only_with_the_standins_of_nnlab(assignment):
    for gid, block in hidden_blocks(assignment):
        tree = ast.parse(block)
        allowed = _standin_names(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "replacing":
                for keyword in node.keywords:
                    value = keyword.value
                    root = value.value.id if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) \
                        else getattr(value, "id", None)
                    assert root in allowed and (not isinstance(value, ast.Attribute) or hasattr(standins, value.attr)), (
                        f"{assignment}/{gid}: {keyword.arg} is replaced by {ast.unparse(value)}, which is not a stand-in "
                        "of nnlab.standins (a hidden block never holds a component of its own)")


@pytest.mark.parametrize("assignment", course.assignments())
def test_a_standin_run_is_collected_before_the_visible_asserts(assignment):
    for gid, source in graded_cells(assignment).items():
        for match in HIDDEN.finditer(source):
            if not re.search(r"""collect\(\s*["']\w+_standin["']""", match.group(1)):
                continue
            before = ast.parse(HIDDEN.sub("", source[:match.start()]))
            visible = [n for n in ast.walk(before) if isinstance(n, ast.Assert) or (
                isinstance(n, ast.Call) and getattr(n.func, "id", getattr(n.func, "attr", "")).startswith("check"))]
            assert not visible, (f"{assignment}/{gid}: the stand-in run must be collected before the visible asserts "
                                 "(put its hidden block first), so that an upstream mistake does not stop it")


def _graded_references(assignment):
    """{name: reference function} for the functions the assignment's answer cells define that the reference has."""
    defined = set()
    for cell in notebook(assignment).cells:
        if cell.cell_type == "code" and is_answer(nbgrader_meta(cell)):
            try:
                defined |= {n.name for n in ast.walk(ast.parse(cell.source)) if isinstance(n, ast.FunctionDef)}
            except SyntaxError:
                continue
    out = {}
    for info in pkgutil.iter_modules(autograder.reference.__path__):
        mod = importlib.import_module(f"autograder.reference.{info.name}")
        out.update({name: getattr(mod, name) for name in defined if callable(getattr(mod, name, None))})
    return out


def _functions(block):
    """(description, function) of every def (at any depth) and lambda of a hidden block, compiled on its own with
    only NumPy in reach (a function that needs the student's code or the block's other names fails when called)."""
    out = []
    for node in ast.walk(ast.parse(block)):
        namespace = {"np": np}
        if isinstance(node, (ast.FunctionDef, ast.Lambda)):
            if isinstance(node, ast.FunctionDef):
                exec(compile(ast.Module([node], []), "<hidden>", "exec"), namespace)
                out.append((f"def {node.name}", namespace[node.name]))
            else:
                out.append((ast.unparse(node)[:60], eval(compile(ast.Expression(node), "<hidden>", "eval"), namespace)))
    return out


def _same(a, b):
    try:
        judge.compare(a, b, "x")
        return True
    except Exception:
        return False


def _required(fn):
    code = fn.__code__
    return code.co_argcount - len(fn.__defaults__ or ())


@pytest.mark.parametrize("assignment", course.assignments())
def test_no_function_of_a_hidden_block_computes_what_the_reference_computes(assignment):
    references = _graded_references(assignment)
    rng = np.random.default_rng(0)
    for gid, block in hidden_blocks(assignment):
        for what, fn in _functions(block):
            n = _required(fn)
            args = [rng.normal(size=(6, 4)) for _ in range(n)]
            try:
                got = fn(*[a.copy() for a in args])
            except Exception:
                continue  # it calls the student's code (an adapter) or needs other inputs
            for name, reference in references.items():
                try:
                    want = reference(*[a.copy() for a in args])
                except Exception:
                    continue
                assert not _same(got, want), (f"{assignment}/{gid}: the hidden block's {what} computes what the "
                                              f"reference {name} computes: put a stand-in in nnlab.standins instead")

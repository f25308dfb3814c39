"""``python -m autograder mutants``: do the tests catch every plausible mistake?

Mutation testing of an assignment's tests. Each *mutant* is the solution notebook with one small,
plausible mistake planted in one answer cell (``+`` for ``-``, ``>`` for ``>=``, a constant changed,
``axis=0`` for ``axis=1``, ``sum`` for ``mean``, a forgotten minus sign or in-place update, the wrong
local returned, ...). Mistakes are made on the syntax tree and spliced back into the cell's text,
so every mutant is valid Python and its diff shows exactly one change. Only the lines between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` are mutated (what a student writes), and only in
answer cells that some test depends on.

Every mutant, the hand-written classic mistakes of ``autograder.mutation.classic_mistakes`` and an
unmutated control are graded as students of one batch by ``python -m autograder grade`` (each in its
own sandbox, its hidden tests judged outside it: plain nbgrader cannot judge them).
A mutant is *killed* when it loses at least one point on the autograded cells. The report gives
the mutation score (killed / graded) and every survivor as a unified diff. Mutants that no test of
the contract can tell apart from the solution (equivalent), or that change a setting the assignment
leaves to the student (free choice), are listed by hand, each with its reason, in
``autograder/mutation/equivalent.toml`` and left out of the score.

    python -m autograder mutants ASSIGNMENT [--max N] [--jobs N] [--no-classic | --classic-only]
                                 [--only ID,...] [--messages] [--list]

``--list`` prints every generated mutant with its id (what the equivalents file refers to);
``--only`` regrades chosen mutants after a test changed; ``--messages`` prints the failure message
of every test each mutant failed, to check that it says what is wrong.

Answer cells that no test depends on (a free-form experiment) are replaced by a comment in every
submission of the batch, so that grading time goes to the graded cells.
"""
import argparse
import ast
import copy
import difflib
import hashlib
import json
import re
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path


from .. import course
from ..notebooks import nbgrader_meta

EQUIVALENT_FILE = Path(__file__).with_name("equivalent.toml")
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
CELL_TIMEOUT = 60  # seconds a cell of a mutant may run (the slowest solution cell takes about 2 s)
UNGRADED_STUB = "# (not run while testing the tests: no test depends on this cell)"

NAME_SWAPS = {"sum": "mean", "mean": "sum", "max": "min", "min": "max", "maximum": "minimum",
              "minimum": "maximum", "var": "std", "std": "var", "argmax": "argmin", "argmin": "argmax"}
BINOP_SWAPS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
CMPOP_SWAPS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Eq: ast.NotEq,
               ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.In: ast.NotIn, ast.NotIn: ast.In}
SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<",
           ast.LtE: "<=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is", ast.IsNot: "is not", ast.In: "in",
           ast.NotIn: "not in", ast.And: "and", ast.Or: "or"}
DROPPABLE_KEYWORDS = ("axis", "keepdims", "ddof")


# --- planting mistakes in one cell -----------------------------------------------------------------
@dataclass(frozen=True)
class Mutation:
    """One change of a cell's source: the text from offset start to end becomes new."""

    operator: str  # what the mistake is, in words ("+ -> -", "axis=0 -> axis=1", ...)
    start: int
    end: int
    new: str
    tree: str  # ast.dump of the whole mutated cell: what the spliced text must parse to

    def apply(self, source):
        return source[:self.start] + self.new + source[self.end:]


class _Offsets:
    """Character offsets of (line, column) positions (ast gives columns in UTF-8 bytes)."""

    def __init__(self, source):
        self.lines = source.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def __call__(self, lineno, col):
        line = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        return self.starts[lineno - 1] + len(line.encode()[:col].decode(errors="replace"))

    def span(self, node):
        return self(node.lineno, node.col_offset), self(node.end_lineno, node.end_col_offset)


def solution_lines(source):
    """Line numbers (1-based) strictly between the BEGIN and END SOLUTION markers; all lines if there are none."""
    lines = source.splitlines()
    inside, keep = False, set()
    for number, line in enumerate(lines, start=1):
        if line.strip().startswith(BEGIN):
            inside = True
        elif line.strip().startswith(END):
            inside = False
        elif inside:
            keep.add(number)
    return keep if any(line.strip().startswith(BEGIN) for line in lines) else set(range(1, len(lines) + 1))


def _number(value):
    """Source text of a numeric constant, parenthesised when negative."""
    text = repr(value)
    return f"({text})" if text.startswith("-") else text


def _constant_changes(value):
    """The plausible wrong values of a numeric constant: 0 <-> 1, c + 1, 2c, 0.5 -> 1."""
    if isinstance(value, bool):
        return [not value]
    if not isinstance(value, (int, float)):
        return []
    out = []
    for new in ([1] if value == 0 else []) + ([0] if value == 1 else []) + [value + 1, 2 * value] + \
            ([1.0] if value == 0.5 else []):
        new = type(value)(new)
        if new != value and new not in out:
            out.append(new)
    return out


def _in_fstring_or_docstring(tree):
    """ids of the nodes a mutation must not touch: those inside f-strings (messages) and docstrings."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skip.update(id(n) for n in ast.walk(node))
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef, ast.Module)) and node.body \
                and isinstance(node.body[0], ast.Expr) and isinstance(getattr(node.body[0], "value", None), ast.Constant):
            skip.update(id(n) for n in ast.walk(node.body[0]))
    return skip


def _recent_locals(function, line, n=3):
    """The n names most recently assigned in ``function`` before ``line``: the plausible wrong things to return."""
    assigned = sorted(((node.lineno, node.col_offset), node.id) for node in ast.walk(function)
                      if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.lineno < line)
    recent = []
    for _, name in reversed(assigned):
        if name not in recent:
            recent.append(name)
    return recent[:n]


def _find_token(source, start, end, token):
    """(start, end) offsets of the operator ``token`` in source[start:end] (the text between two operands,
    where only brackets, spaces and comments can stand besides it); None if it is not there."""
    pattern = {"is": r"\bis\b(?!\s+not\b)", "in": r"(?<!not )\bin\b", "is not": r"\bis\s+not\b",
               "not in": r"\bnot\s+in\b", "and": r"\band\b", "or": r"\bor\b",
               "*": r"(?<![*])\*(?![*=])", "/": r"(?<!/)/(?![/=])", "<": r"<(?![<=])", ">": r">(?![>=])",
               "+": r"\+(?!=)", "-": r"-(?!=)"}.get(token, re.escape(token))
    match = re.search(pattern, source[start:end])
    if match is None:
        return None
    return start + match.start(), start + match.end()


class _CellMutator:
    """Plants, one at a time, every mistake the operators know in the solution lines of one cell.

    Each operator names a node and the text that replaces part of the source; the mutation is kept
    only if the new text parses to exactly the original tree with that one node changed (so a
    splice can never produce something other than the mistake it claims).
    """

    def __init__(self, source, lines):
        self.source, self.lines = source, lines
        self.tree = ast.parse(source)
        self.original = ast.dump(self.tree)
        self.offsets = _Offsets(source)
        self.skip = _in_fstring_or_docstring(self.tree)
        self.parents = {id(child): node for node in ast.walk(self.tree) for child in ast.iter_child_nodes(node)}
        self.found = []

    def mutations(self):
        operators = {ast.BinOp: self.binop, ast.AugAssign: self.binop, ast.Compare: self.compare,
                     ast.BoolOp: self.boolop, ast.Constant: self.constant, ast.UnaryOp: self.unary,
                     ast.Attribute: self.attribute, ast.Name: self.called_name, ast.Call: self.keywords,
                     ast.If: self.condition, ast.IfExp: self.condition, ast.Return: self.returned}
        for node in ast.walk(self.tree):
            if getattr(node, "lineno", None) not in self.lines or id(node) in self.skip:
                continue
            if type(node) in operators:
                operators[type(node)](node)
            if isinstance(node, (ast.AugAssign, ast.Assign)) and _updates_in_place(node):
                self.replace(node, ast.Pass(), "forget an in-place update", "pass")
        return self.found

    # --- recording a mutation ----------------------------------------------------------------------
    def splice(self, operator, start, end, new, edit):
        """Keep the mutation if the text with source[start:end] replaced by new parses to edit(tree copy)."""
        mutated = copy.deepcopy(self.tree)
        edit(mutated)
        want = ast.dump(mutated)
        try:
            got = ast.dump(ast.parse(self.source[:start] + new + self.source[end:]))
        except SyntaxError:
            return
        if got == want != self.original:
            self.found.append(Mutation(operator, start, end, new, want))

    def at(self, node):
        """A function finding, in a deep copy of the tree, the node at ``node``'s place."""
        path = _path_to(self.tree, node)

        def find(tree):
            for name, index in path:
                tree = getattr(tree, name) if index is None else getattr(tree, name)[index]
            return tree
        return find

    def change(self, node, operator, start, end, new, **fields):
        """A mutation that sets fields of the node (e.g. op=ast.Sub())."""
        find = self.at(node)

        def edit(tree):
            for name, value in fields.items():
                setattr(find(tree), name, value)
        self.splice(operator, start, end, new, edit)

    def replace(self, node, replacement, operator, new):
        """A mutation that puts ``replacement`` (a node, or a function of the copied node) in ``node``'s place."""
        parent, (name, index) = _parent_field(self.tree, node)
        if parent is None:
            return
        find_parent, find = self.at(parent), self.at(node)

        def edit(tree):
            value = replacement(find(tree)) if callable(replacement) else replacement
            if index is None:
                setattr(find_parent(tree), name, value)
            else:
                getattr(find_parent(tree), name)[index] = value
        self.splice(operator, *self.offsets.span(node), new, edit)

    def token(self, left, right, symbol):
        """(start, end) of the operator symbol between two operands."""
        return _find_token(self.source, self.offsets(left.end_lineno, left.end_col_offset),
                           self.offsets(right.lineno, right.col_offset), symbol)

    def text(self, node, wrap=()):
        start, end = self.offsets.span(node)
        return f"({self.source[start:end]})" if isinstance(node, wrap) else self.source[start:end]

    # --- the operators -----------------------------------------------------------------------------
    def binop(self, node):
        """+ <-> -, * <-> / (also in augmented assignments: -= <-> +=)."""
        if type(node.op) not in BINOP_SWAPS:
            return
        left, right = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.target, node.value)
        suffix = "=" if isinstance(node, ast.AugAssign) else ""
        old, new = SYMBOLS[type(node.op)] + suffix, SYMBOLS[BINOP_SWAPS[type(node.op)]] + suffix
        span = self.token(left, right, old)
        if span:
            self.change(node, f"{old} -> {new}", *span, new, op=BINOP_SWAPS[type(node.op)]())

    def compare(self, node):
        """> <-> >=, < <-> <=, == <-> !=, is <-> is not, in <-> not in."""
        operands = [node.left, *node.comparators]
        for k, op in enumerate(node.ops):
            if type(op) not in CMPOP_SWAPS:
                continue
            new_op = CMPOP_SWAPS[type(op)]
            span = self.token(operands[k], operands[k + 1], SYMBOLS[type(op)])
            if span:
                ops = [*node.ops[:k], new_op(), *node.ops[k + 1:]]
                self.change(node, f"{SYMBOLS[type(op)]} -> {SYMBOLS[new_op]}", *span, SYMBOLS[new_op], ops=ops)

    def boolop(self, node):
        """and <-> or."""
        new_op = ast.Or if isinstance(node.op, ast.And) else ast.And
        span = self.token(node.values[0], node.values[1], SYMBOLS[type(node.op)])
        if span:
            self.change(node, f"{SYMBOLS[type(node.op)]} -> {SYMBOLS[new_op]}", *span, SYMBOLS[new_op], op=new_op())

    def constant(self, node):
        """0 <-> 1, c -> c + 1, c -> 2c, 0.5 -> 1, True <-> False (named after the keyword it sets, if any)."""
        if isinstance(node.value, str):
            return
        parent = self.parents.get(id(node))
        where = f"{parent.arg}=" if isinstance(parent, ast.keyword) else ""
        for new in _constant_changes(node.value):
            self.change(node, f"{where}{node.value!r} -> {where}{new!r}", *self.offsets.span(node), _number(new),
                        value=new)

    def unary(self, node):
        """Drop a minus sign or a not."""
        if isinstance(node.op, (ast.USub, ast.Not)):
            inner = self.text(node.operand, (ast.BinOp, ast.Compare, ast.BoolOp, ast.IfExp))
            word = "a minus sign" if isinstance(node.op, ast.USub) else "a not"
            self.replace(node, lambda copied: copied.operand, f"drop {word}", inner)

    def attribute(self, node):
        """.sum <-> .mean, .max <-> .min, np.maximum <-> np.minimum, .var <-> .std, ...; drop a transpose (.T)."""
        start, end = self.offsets.span(node)
        if node.attr == "T":
            self.replace(node, lambda copied: copied.value, "drop a transpose (.T)", self.text(node.value))
        elif node.attr in NAME_SWAPS:
            new = NAME_SWAPS[node.attr]
            self.change(node, f".{node.attr} -> .{new}", end - len(node.attr), end, new, attr=new)

    def called_name(self, node):
        """max() <-> min(), sum() -> mean() for builtins and names called directly."""
        parent = self.parents.get(id(node))
        if node.id in NAME_SWAPS and isinstance(parent, ast.Call) and parent.func is node:
            self.change(node, f"{node.id}() -> {NAME_SWAPS[node.id]}()", *self.offsets.span(node),
                        NAME_SWAPS[node.id], id=NAME_SWAPS[node.id])

    def keywords(self, node):
        """Drop axis=, keepdims= or ddof= from a call."""
        for k, keyword in enumerate(node.keywords):
            if keyword.arg in DROPPABLE_KEYWORDS:
                shorter = copy.deepcopy(node)
                del shorter.keywords[k]
                self.change(node, f"drop {keyword.arg}=", *self.offsets.span(node), ast.unparse(shorter),
                            keywords=[*node.keywords[:k], *node.keywords[k + 1:]])

    def condition(self, node):
        """if c -> if not c."""
        start, end = self.offsets.span(node.test)
        negated = f"not {self.text(node.test, (ast.BoolOp, ast.Compare, ast.IfExp, ast.BinOp))}"
        self.change(node, "negate a condition", start, end, negated, test=ast.UnaryOp(ast.Not(), node.test))

    def returned(self, node):
        """return x -> return one of the three names assigned last before the return."""
        function = _enclosing_function(node, self.parents)
        if node.value is None or function is None:
            return
        elements = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
        for element in elements:
            if isinstance(element, ast.Name):
                for other in [n for n in _recent_locals(function, node.lineno, 4) if n != element.id][:3]:
                    self.change(element, f"return {other} instead of {element.id}", *self.offsets.span(element),
                                other, id=other)


def cell_mutations(source, lines=None):
    """Every single mutation of a cell's source on the given lines (default: the solution's lines).
    Each parses, to the original tree with one node changed."""
    return _CellMutator(source, solution_lines(source) if lines is None else lines).mutations()


def _updates_in_place(node):
    """An augmented assignment, or an assignment into an item or attribute: a step one can forget."""
    if isinstance(node, ast.AugAssign):
        return True
    return all(isinstance(t, (ast.Subscript, ast.Attribute)) for t in node.targets)


def _path_to(tree, target):
    """The (field, index) steps from the tree's root to ``target``."""
    def walk(node, path):
        if node is target:
            return path
        for name, value in ast.iter_fields(node):
            items = [(None, value)] if isinstance(value, ast.AST) else \
                list(enumerate(value)) if isinstance(value, list) else []
            for index, item in items:
                if isinstance(item, ast.AST):
                    found = walk(item, path + [(name, index)])
                    if found is not None:
                        return found
        return None
    return walk(tree, [])


def _parent_field(tree, target):
    """(parent node, (field name, index or None)) of ``target``."""
    for node in ast.walk(tree):
        for name, value in ast.iter_fields(node):
            if value is target:
                return node, (name, None)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if item is target:
                        return node, (name, i)
    return None, (None, None)


def _enclosing_function(target, parents):
    node = parents.get(id(target))
    while node is not None and not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        node = parents.get(id(node))
    return node


# --- the mutants of an assignment ------------------------------------------------------------------
@dataclass(frozen=True)
class Mutant:
    """The solution notebook with one answer cell changed: a generated mutation or a classic mistake."""

    assignment: str
    cell: str  # grade_id of the changed answer cell
    description: str
    original: str  # the cell's source in the solution
    source: str  # the cell's changed source
    id: str  # stable: the cell and the changed lines (see mutant_id)
    classic: object = None  # the ClassicMistake it comes from, if any

    @property
    def student(self):
        return f"classic_{self.classic.name}" if self.classic else f"mutant_{self.id}"

    def diff(self):
        """Unified diff of the cell, 2 lines of context."""
        return "".join(difflib.unified_diff(self.original.splitlines(keepends=True), self.source.splitlines(keepends=True),
                                            f"{self.cell} (solution)", f"{self.cell} (mutant)", n=2))


def mutant_id(assignment, cell, original, source):
    """A short hash of the changed lines and of how often those lines occur earlier in the cell: it stays the same
    when other lines of the cell, or other cells, change."""
    old, new = original.splitlines(), source.splitlines()
    opcodes = [op for op in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes() if op[0] != "equal"]
    changed = [[old[i1:i2], new[j1:j2]] for _, i1, i2, j1, j2 in opcodes]
    first, block = (opcodes[0][1], old[opcodes[0][1]:opcodes[0][2]]) if opcodes else (0, [])
    occurrence = sum(old[k:k + len(block)] == block for k in range(first)) if block else 0
    text = json.dumps([assignment, cell, changed, occurrence])
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def solution_notebook(assignment):
    (path,) = (course.SOLUTIONS / assignment).glob("*.ipynb")
    return path, json.loads(path.read_text())


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _defined(source):
    """Names a cell defines at its top level (functions, classes, assignments, imports)."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return set()
    names = set()
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _free(source):
    """Names a cell reads but binds nowhere itself (what it needs from earlier cells)."""
    from ..notebooks import bound_names

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    loads = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    arguments = {a.arg for a in ast.walk(tree) if isinstance(a, ast.arg)}
    return loads - bound_names(source) - arguments


def graded_answer_cells(nb):
    """grade_ids of the code answer cells that some test depends on, directly or through other cells' names."""
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    needed = {id(c) for c in code if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}
    used = set().union(*(_free(_source(c)) for c in code if id(c) in needed))
    changed = True
    while changed:
        changed = False
        for c in code:
            if id(c) not in needed and _defined(_source(c)) & used:
                needed.add(id(c))
                used |= _free(_source(c))
                changed = True
    return [nbgrader_meta(c)["grade_id"] for c in code if nbgrader_meta(c).get("solution") and id(c) in needed]


def ungraded_answer_cells(nb):
    graded = set(graded_answer_cells(nb))
    return [nbgrader_meta(c)["grade_id"] for c in nb["cells"]
            if c["cell_type"] == "code" and nbgrader_meta(c).get("solution") and nbgrader_meta(c)["grade_id"] not in graded]


def generate(assignment):
    """Every generated mutant of the assignment, in notebook order (duplicates of the same text dropped)."""
    _, nb = solution_notebook(assignment)
    graded = set(graded_answer_cells(nb))
    out, seen = [], set()
    for cell in nb["cells"]:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if cell["cell_type"] != "code" or grade_id not in graded:
            continue
        original = _source(cell)
        for mutation in cell_mutations(original):
            source = mutation.apply(original)
            if (grade_id, source) in seen:
                continue
            seen.add((grade_id, source))
            out.append(Mutant(assignment, grade_id, mutation.operator, original, source,
                              mutant_id(assignment, grade_id, original, source)))
    return out


def classic(assignment):
    """The hand-written classic mistakes of the assignment, as mutants."""
    from .classic_mistakes import MISTAKES

    _, nb = solution_notebook(assignment)
    sources = {nbgrader_meta(c).get("grade_id"): _source(c) for c in nb["cells"]}
    out = []
    for mistake in MISTAKES:
        if mistake.assignment != assignment:
            continue
        original = sources[mistake.cell]
        if mistake.old not in original:
            raise ValueError(f"classic mistake {mistake.name}: cell {mistake.cell} of {assignment} no longer contains "
                             f"{mistake.old!r}; update autograder/classic_mistakes.py")
        source = original.replace(mistake.old, mistake.new)
        out.append(Mutant(assignment, mistake.cell, mistake.what, original, source,
                          mutant_id(assignment, mistake.cell, original, source), classic=mistake))
    return out


def equivalent(assignment=None, path=EQUIVALENT_FILE):
    """{mutant id: entry} of the mutants excluded by hand (each entry has assignment, cell, id, mutation, kind, reason)."""
    if not Path(path).is_file():
        return {}
    entries = tomllib.loads(Path(path).read_text()).get("equivalent", [])
    for entry in entries:
        missing = {"assignment", "cell", "id", "mutation", "kind", "reason"} - set(entry)
        if missing or not str(entry.get("reason", "")).strip() or entry["kind"] not in ("equivalent", "free choice"):
            raise ValueError(f"{path}: entry {entry} lacks {sorted(missing) or ['a reason']}")
    return {e["id"]: e for e in entries if assignment is None or e["assignment"] == assignment}


def sample(mutants, n):
    """A deterministic sample of n mutants: those with the smallest ids (ids are hashes, so this spreads over cells)."""
    return sorted(mutants, key=lambda m: m.id)[:n] if n is not None else list(mutants)


# --- grading a batch -------------------------------------------------------------------------------
@dataclass
class Graded:
    """One student's autograded cells: {grade_id: (score, max score, failure message)}."""

    student: str
    cells: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    notebook: object = None  # the autograded notebook (JSON), for feedback pages

    def lost(self):
        """grade_ids of the autograded cells that lost points."""
        return {gid for gid, (score, points, _) in self.cells.items() if (score or 0.0) < points}

    def messages(self):
        return {gid: message for gid, (score, points, message) in self.cells.items() if (score or 0.0) < points}


def build_submission(nb, replacements, stub_cells=()):
    """A copy of the notebook with some answer cells' sources replaced ({grade_id: source}) and others stubbed."""
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in replacements:
            cell["source"] = replacements[gid]
        elif gid in stub_cells:
            cell["source"] = UNGRADED_STUB
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return nb


def grade_batch(assignment, submissions, workdir, jobs=2, timeout=CELL_TIMEOUT, log=print):
    """Grade {student: notebook} with ``python -m autograder grade`` (each in its sandbox, judged outside it);
    returns {student: Graded}."""
    from ..batch.grade import grade, load_results
    from ..records import Settings

    path, _ = solution_notebook(assignment)
    folder = Path(workdir) / "submissions"
    for student, nb in submissions.items():  # nbgrader's layout keeps the whole student id
        (folder / student / assignment).mkdir(parents=True)
        (folder / student / assignment / path.name).write_text(json.dumps(nb))
    grading = Path(workdir) / "grading"
    grade(assignment, folder, grading, jobs=jobs, settings=Settings(timeout=timeout), progress=False,
          log=lambda *a: None)
    out = {}
    for student, result in load_results(grading, assignment).items():
        cells = {c.grade_id: (c.score, c.points, c.message) for c in result.notebooks.get(path.name, [])
                 if c.kind == "test"}
        autograded = grading / "autograded" / student / assignment / path.name
        out[student] = Graded(student, cells, list(result.notes),
                              json.loads(autograded.read_text()) if autograded.is_file() else None)
    return out


# --- a run -----------------------------------------------------------------------------------------
def _uninformative(message):
    """A failure message that does not say what went wrong (an assert without text)."""
    return message.strip().rstrip(":") in ("", "AssertionError")


@dataclass
class Report:
    """The outcome of one batch: which mutants were killed, which classic mistakes were caught, and how."""

    assignment: str
    generated: int  # mutants generated, before exclusions and sampling
    excluded: list  # the entries of the equivalents file that matched a generated mutant
    killed: list  # Mutant
    survived: list  # Mutant
    classic_caught: list  # Mutant
    classic_missed: list  # (Mutant, why)
    stale_equivalents: list  # ids in the equivalents file that no generated mutant has
    graded: dict = field(default_factory=dict)  # student -> Graded
    seconds: float = 0.0

    @property
    def score(self):
        graded = len(self.killed) + len(self.survived)
        return len(self.killed) / graded if graded else 1.0

    def silent(self):
        """Killed mutants and caught classic mistakes whose failing cells only say "AssertionError"."""
        return [m for m in [*self.killed, *self.classic_caught]
                if any(_uninformative(msg) for msg in self.graded[m.student].messages().values())]

    def summary(self):
        graded = len(self.killed) + len(self.survived)
        classic = len(self.classic_caught) + len(self.classic_missed)
        return (f"{self.assignment}: mutation score {100 * self.score:.1f} % ({len(self.killed)} of {graded} killed; "
                f"{self.generated} generated, {len(self.excluded)} excluded by hand); classic mistakes caught "
                f"{len(self.classic_caught)} of {classic}; {self.seconds:.0f} s")

    def text(self, diffs=True, messages=False):
        lines = [self.summary()]
        for mutant in self.survived:
            lines.append(f"\nSURVIVED {mutant.id} in {mutant.cell}: {mutant.description}")
            if diffs:
                lines.append(mutant.diff().rstrip())
        for mutant, why in self.classic_missed:
            lines.append(f"\nCLASSIC MISTAKE NOT CAUGHT: {mutant.classic.name} ({mutant.classic.what}): {why}")
            if diffs:
                lines.append(mutant.diff().rstrip())
        for mutant in self.silent():
            lines.append(f"\nNO MESSAGE: {mutant.student} ({mutant.description}) fails a test that does not say why: "
                         f"{self.graded[mutant.student].messages()}")
        for mutant in [*self.classic_caught, *(m for m, _ in self.classic_missed)]:
            g = self.graded[mutant.student]
            score, total = sum(c[0] or 0.0 for c in g.cells.values()), sum(c[1] for c in g.cells.values())
            lines.append(f"\n{mutant.student}: {score:g} of {total:g} points (lost in {', '.join(sorted(g.lost())) or 'none'})")
        for entry in self.stale_equivalents:
            lines.append(f"\nstale entry in {EQUIVALENT_FILE.name}: {entry} matches no generated mutant")
        if messages:
            lines.append("")
            for mutant in [*self.classic_caught, *self.killed]:
                for gid, msg in sorted(self.graded[mutant.student].messages().items()):
                    lines.append(f"{mutant.student:28s} {gid:30s} {msg[:200]!r}")
        return "\n".join(lines)


def judge_classic(mutant, graded):
    """None if the classic mistake lost points in exactly the cells it must fail (one mistake, one charge),
    with the message it must show; else why not."""
    mistake = mutant.classic
    lost = graded.lost()
    if not lost:
        return "it lost no points"
    missing, extra = set(mistake.fails) - lost, lost - set(mistake.fails)
    if missing:
        return f"it should fail {sorted(missing)} too; it failed {sorted(lost)}"
    if extra:
        return (f"it should fail only {sorted(mistake.fails)}; also lost: "
                + ", ".join(f"{gid} ({graded.cells[gid][0] or 0:g} of {graded.cells[gid][1]:g}: "
                            f"{graded.cells[gid][2][:160]})" for gid in sorted(extra)))
    messages = graded.messages()
    shown = " | ".join(messages.get(gid, "") for gid in sorted(mistake.fails or lost))
    if not re.search(mistake.message, shown, flags=re.IGNORECASE | re.DOTALL):
        return f"the failure message should match {mistake.message!r}; it was: {shown[:600]}"
    return None


def run(assignment, max_mutants=None, jobs=2, classic_mistakes=True, generated=True, workdir=None, only=None,
        log=print):
    """Grade the assignment's mutants (a sample of max_mutants when given, or the ids in only) and its classic
    mistakes in one batch; returns a Report."""
    started = time.monotonic()
    _, nb = solution_notebook(assignment)
    every = generate(assignment) if generated else []
    excluded_ids = equivalent(assignment)
    ids = {m.id for m in every}
    excluded = [excluded_ids[m.id] for m in every if m.id in excluded_ids]
    stale = [i for i in excluded_ids if i not in ids] if generated else []
    chosen = sample([m for m in every if m.id not in excluded_ids and (only is None or m.id in only)], max_mutants)
    chosen += classic(assignment) if classic_mistakes else []
    stubs = ungraded_answer_cells(nb)
    submissions = {"control": build_submission(nb, {}, stubs)}
    for m in chosen:
        submissions[m.student] = build_submission(nb, {m.cell: m.source}, stubs)
    with tempfile.TemporaryDirectory(prefix=f"mutants-{assignment}-", dir=workdir) as tmp:
        graded = grade_batch(assignment, submissions, tmp, jobs=jobs, log=log)
    control = graded["control"]
    if control.lost():
        raise RuntimeError(f"{assignment}: the unmutated solution loses points in {sorted(control.lost())} "
                           f"({control.messages()}): fix the solution or the tests first")
    report = Report(assignment, len(every), excluded, [], [], [], [], stale, graded)
    for m in chosen:
        g = graded[m.student]
        if m.classic:
            why = judge_classic(m, g)
            (report.classic_missed.append((m, why)) if why else report.classic_caught.append(m))
        else:
            (report.killed if g.lost() else report.survived).append(m)
    report.seconds = time.monotonic() - started
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m autograder mutants", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="+", metavar="ASSIGNMENT")
    parser.add_argument("--max", type=int, default=None, help="grade a deterministic sample of N generated mutants")
    parser.add_argument("--jobs", type=course.positive_int, default=2, help="parallel grading processes (default 2)")
    parser.add_argument("--no-classic", action="store_true", help="leave out the hand-written classic mistakes")
    parser.add_argument("--classic-only", action="store_true", help="only the classic mistakes")
    parser.add_argument("--only", help="grade only these generated mutants (ids separated by commas)")
    parser.add_argument("--messages", action="store_true", help="also print the failure messages of every mutant")
    parser.add_argument("--list", action="store_true", help="list the generated mutants with their ids; grade nothing")
    parser.add_argument("--fail-under", type=float, default=95.0, help="exit 1 below this mutation score, in %% (default 95)")
    args = parser.parse_args(argv)
    known = course.assignments()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        parser.error(f"unknown assignment(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    status = 0
    for assignment in args.assignments:
        if args.list:
            skip = equivalent(assignment)
            for m in generate(assignment):
                excluded = f"   (excluded: {skip[m.id]['kind']})" if m.id in skip else ""
                print(f"{m.id}  {m.cell:28s} {m.description}{excluded}")
            continue
        report = run(assignment, args.max, args.jobs, classic_mistakes=not args.no_classic,
                     generated=not args.classic_only,
                     only=set(args.only.split(",")) if args.only else None)
        print(report.text(messages=args.messages))
        if 100 * report.score < args.fail_under or report.classic_missed:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())

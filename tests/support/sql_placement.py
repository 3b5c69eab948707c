"""Where SQL may live: a scan of the syntax tree of every module under services/ for SQL strings and
`text(` calls outside repository modules, migrations and services/common.

It reads string constants (f-strings and `+` joins of constants included) and calls, never comments, and
passes over docstrings, so prose about SQL is not SQL and a comment cannot hide a statement."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A statement's shape: keywords in upper case with the words that only SQL puts after them.
_UPPER = re.compile(
    r"""
      \bSELECT\b[\s\S]+?\bFROM\b
    | \bINSERT\s+INTO\b
    | \bUPDATE\s+[\w."]+\s+SET\b
    | \bDELETE\s+FROM\b
    | \b(?:CREATE|ALTER|DROP)\s+(?:OR\s+REPLACE\s+)?(?:TEMP(?:ORARY)?\s+)?(?:UNIQUE\s+)?
        (?:TABLE|INDEX|SCHEMA|VIEW|MATERIALIZED\s+VIEW|FUNCTION|PROCEDURE|POLICY|ROLE|TYPE|TRIGGER|
           EXTENSION|SEQUENCE|DATABASE)\b
    | \bWITH\s+(?:RECURSIVE\s+)?\w+\s+AS\s*\(
    """,
    re.VERBOSE,
)
# The same in lower case, where English uses the words too ("select a plan from the list"): what
# follows the table name must be SQL as well.
_LOWER = re.compile(
    r"""
      \bselect\b[\s\S]+?\bfrom\s+[\w."]+\s*(?:where\b|join\b|group\b|order\b|limit\b|for\b|;|\)|$)
    | \binsert\s+into\s+[\w."]+\s*(?:\(|values\b|select\b)
    | \bupdate\s+[\w."]+\s+set\s+\w+\s*=
    | \bdelete\s+from\s+[\w."]+\s*(?:where\b|using\b|returning\b|;|$)
    | \b(?:create|alter|drop)\s+(?:or\s+replace\s+)?(?:unique\s+)?(?:table|index|schema|view|function|policy)
        \s+(?:if\s+(?:not\s+)?exists\s+)?[\w."]+\s*(?:\(|on\b|as\b|cascade\b|add\b|drop\b|enable\b|;|$)
    | \bwith\s+(?:recursive\s+)?\w+\s+as\s*\(\s*select\b
    """,
    re.VERBOSE,
)
# A string that opens with an upper-case statement keyword is SQL even without a FROM
# ("SELECT pg_advisory_xact_lock($1)", "LOCK TABLE ...", "VACUUM ANALYZE").
_OPENING = re.compile(
    r"^\s*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE|LOCK|COPY|GRANT|REVOKE|"
    r"ANALYZE|VACUUM|SET|RESET|CALL|MERGE|EXPLAIN)\s"
)


@dataclass(frozen=True)
class Offence:
    """SQL found at `path:line`: a SQL string or a call of SQLAlchemy's text()."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def is_sql(value: str) -> bool:
    return bool(_OPENING.match(value) or _UPPER.search(value) or _LOWER.search(value))


def may_hold_sql(relative: Path) -> bool:
    """Repository modules, migrations and services/common are where SQL belongs."""
    parts = relative.parts
    return (
        "repository" in relative.name
        or "migrations" in parts[:-1]
        or parts[:2] == ("services", "common")
    )


def scan_source(source: str, path: str = "<source>") -> list[Offence]:
    """Every SQL string and text() call in one module's source, docstrings passed over."""
    tree = ast.parse(source, filename=path)
    return sorted(_Scanner(path).scan(tree), key=lambda o: o.line)


def scan_tree(root: Path = ROOT, package: str = "services") -> list[Offence]:
    """Offences in every module under `root/package` that may not hold SQL."""
    found: list[Offence] = []
    for file in sorted((root / package).rglob("*.py")):
        relative = file.relative_to(root)
        if may_hold_sql(relative) or file.name.endswith(("_pb2.py", "_pb2_grpc.py")):
            continue
        found.extend(scan_source(file.read_text(encoding="utf-8"), str(relative)))
    return found


class _Scanner:
    def __init__(self, path: str) -> None:
        self._path = path
        self._text_names: set[str] = set()  # names bound to sqlalchemy's text
        self._modules: set[str] = set()  # names bound to sqlalchemy or one of its submodules

    def scan(self, tree: ast.Module) -> Iterator[Offence]:
        self._learn_imports(tree)
        # Docstrings are prose; the parts of a string read whole (an f-string, a `+` chain) are not
        # read again one by one.
        passed_over = set(_docstring_nodes(tree))
        for node in ast.walk(tree):  # outer nodes come before the nodes inside them
            if isinstance(node, ast.Call) and self._is_text_call(node):
                yield Offence(self._path, node.lineno, "call of sqlalchemy text()")
            if id(node) in passed_over:
                continue
            whole = _added_text(node) if isinstance(node, (ast.BinOp, ast.JoinedStr)) else None
            if whole is not None:
                passed_over.update(id(inner) for inner in ast.walk(node))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                whole = node.value
            if whole is not None and is_sql(whole):
                yield self._offence(node, whole)

    def _offence(self, node: ast.expr, value: str) -> Offence:
        excerpt = " ".join(value.split())[:60]
        return Offence(self._path, node.lineno, f"SQL string {excerpt!r}")

    def _learn_imports(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "sqlalchemy" or alias.name.startswith("sqlalchemy."):
                        self._modules.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
                for alias in node.names:
                    if alias.name == "text":
                        self._text_names.add(alias.asname or "text")
                    else:
                        self._modules.add(alias.asname or alias.name)

    def _is_text_call(self, call: ast.Call) -> bool:
        func = call.func
        if isinstance(func, ast.Name):
            return func.id in self._text_names
        if isinstance(func, ast.Attribute) and func.attr == "text":
            return _root_name(func.value) in self._modules
        return False


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _docstring_nodes(tree: ast.Module) -> Iterable[int]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                yield id(first.value)


def _joined_text(node: ast.JoinedStr) -> str:
    # A placeholder stands for one word of the statement, e.g. a schema or table name.
    return "".join(part.value if isinstance(part, ast.Constant) else "x" for part in node.values)


def _added_text(node: ast.expr) -> str | None:
    """The text of a `+` chain of string constants and f-strings; None if any operand is not one."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _added_text(node.left), _added_text(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return _joined_text(node)
    return None

"""The project uses only the public API of great-tables, pandera, polars, DuckDB and Dagster.

A private module or name of a library (one whose name starts with an underscore) can change or
vanish in any release without notice, and code that patches or calls it breaks silently on the
next one. Every .py file of the project is parsed with `ast` and fails this test when it

* imports a private module of one of those libraries: `import polars._utils`,
  `from pandera.backends._x import y`;
* imports a private name from one: `from great_tables import _locale`;
* reaches a private name through a name imported from one: `pl._x`, `pl.DataFrame._from_pydf`,
  `errors._y` after `from pandera import errors`;
* uses a private attribute (`obj._check_fn`, `getattr(obj, "_check_kwargs")`) that the project
  never defines itself but one of those libraries does: a library object's private state.

Dunder names (`__version__`, `__init__`) are public.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

LIBRARIES = ("great_tables", "pandera", "polars", "duckdb", "dagster")
ROOT = Path(__file__).resolve().parents[2]
_SKIPPED_DIRS = {"node_modules", "build", "dist", "site-packages", "__pycache__"}
_ACCESSORS = {"getattr", "setattr", "hasattr", "delattr"}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _library(module: str | None) -> bool:
    return module is not None and module.split(".")[0] in LIBRARIES


def project_files(root: Path = ROOT) -> list[Path]:
    """Every .py file of the project (not the virtual environment or hidden folders)."""
    return sorted(
        path
        for path in root.rglob("*.py")
        if not any(
            part.startswith(".") or part in _SKIPPED_DIRS
            for part in path.relative_to(root).parts[:-1]
        )
    )


_DEFINED_PRIVATE = re.compile(
    r"^\s*(?:async\s+)?(?:def|class)\s+(_[A-Za-z]\w*)"
    r"|\bself\.(_[A-Za-z]\w*)\s*(?::|=(?!=))"
    r"|^\s*(_[A-Za-z]\w*)\s*(?::|=(?!=))",
    re.M,
)


@cache
def library_private_names() -> frozenset[str]:
    """The private names the libraries define (functions, classes, attributes, globals)."""
    names: set[str] = set()
    for library in LIBRARIES:
        spec = importlib.util.find_spec(library)
        assert spec is not None and spec.submodule_search_locations, library
        for folder in spec.submodule_search_locations:
            for path in Path(folder).rglob("*.py"):
                text = path.read_text("utf-8", errors="replace")
                for match in _DEFINED_PRIVATE.finditer(text):
                    names.add(next(group for group in match.groups() if group))
    return frozenset(names)


def project_private_names(trees: list[ast.AST]) -> frozenset[str]:
    """The private names the project defines itself: its own private state is fine to use."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.keyword) and node.arg:
                names.add(node.arg)  # e.g. a dataclass or namedtuple field made by a call
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
    return frozenset(name for name in names if _private(name))


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.what}"


def _dotted(node: ast.AST) -> list[str] | None:
    """`a.b.c` as ["a", "b", "c"], or None when it does not start at a plain name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def private_uses(
    tree: ast.AST, path: str, *, foreign: frozenset[str], own: frozenset[str]
) -> list[Finding]:
    """Every use of a private module or name of the libraries in one parsed file.

    `foreign`: private names the libraries define; `own`: private names the project defines.
    """
    found: list[Finding] = []
    aliases: dict[str, str] = {}  # local name -> the library module or object it stands for

    def add(node: ast.AST, what: str) -> None:
        found.append(Finding(path, getattr(node, "lineno", 0), what))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not _library(alias.name):
                    continue
                if any(_private(part) for part in alias.name.split(".")):
                    add(node, f"import {alias.name}")
                if alias.asname:
                    aliases[alias.asname] = alias.name
                else:
                    root = alias.name.split(".")[0]
                    aliases[root] = root
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _library(node.module):
            module = node.module or ""
            if any(_private(part) for part in module.split(".")):
                add(node, f"from {module} import ...")
            for alias in node.names:
                if _private(alias.name):
                    add(node, f"from {module} import {alias.name}")
                aliases[alias.asname or alias.name] = f"{module}.{alias.name}"

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            parts = _dotted(node)
            if parts and parts[0] in aliases:
                # only the outermost attribute of a chain reports, once for the chain
                private = [part for part in parts[1:] if _private(part)]
                if private and parts[-1] == node.attr:
                    add(node, f"{'.'.join(parts)} ({aliases[parts[0]]})")
                    continue
            if _private(node.attr) and node.attr in foreign and node.attr not in own:
                add(node, f"private attribute .{node.attr} of a library object")
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _ACCESSORS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            name = node.args[1].value
            if _private(name) and name in foreign and name not in own:
                add(node, f'{node.func.id}(..., "{name}") on a library object')
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            target = node.args[0].value
            called = _dotted(node.func)
            if (
                called in (["importlib", "import_module"], ["import_module"], ["__import__"])
                and isinstance(target, str)
                and _library(target)
                and any(_private(part) for part in target.split("."))
            ):
                add(node, f'{".".join(called)}("{target}")')
    return found


def scan(files: list[Path], root: Path = ROOT) -> list[Finding]:
    trees = {path: ast.parse(path.read_text("utf-8"), filename=str(path)) for path in files}
    own = project_private_names(list(trees.values()))
    foreign = library_private_names()
    found: list[Finding] = []
    for path, tree in trees.items():
        found += private_uses(tree, path.relative_to(root).as_posix(), foreign=foreign, own=own)
    return found


# ------------------------------------------------------------------------------------------


def test_the_project_uses_only_public_library_apis():
    files = project_files()
    assert any(path.name == "test_public_apis.py" for path in files)
    assert len(files) > 50, "the project's files were not found"
    found = scan(files)
    assert not found, "private library internals used:\n" + "\n".join(map(str, found))


def _check(source: str, own: frozenset[str] = frozenset()) -> list[str]:
    tree = ast.parse(source)
    return [f.what for f in private_uses(tree, "x.py", foreign=library_private_names(), own=own)]


@pytest.mark.parametrize(
    "source",
    [
        "import polars._utils",
        "import great_tables._locale as loc",
        "from great_tables import GT, _locale",
        "from pandera.backends._polars import x",
        "from dagster._core.definitions import AssetKey",
        "import polars as pl\npl._x",
        "import polars as pl\npl.DataFrame._from_pydf(x)",
        "from great_tables import gt as m\nm._migrate_unformatted_to_output = f",
        "import pandera.polars\npandera.polars._private",
        "from pandera import errors\nerrors._y",
        "import duckdb\nduckdb.DuckDBPyConnection._x",
        "check._check_fn",
        "fn(**check._check_kwargs)",
        'getattr(check, "_check_fn")',
        'import importlib\nimportlib.import_module("great_tables._scss")',
    ],
)
def test_the_check_finds_private_uses(source):
    assert _check(source), source


@pytest.mark.parametrize(
    "source",
    [
        "import polars as pl\npl.DataFrame().height",
        "import polars as pl\npl.__version__",
        "from great_tables import GT\nGT(df).as_raw_html()",
        "import pandera.errors\npandera.errors.SchemaErrors",
        "import os\nos._exit(0)",  # not one of the libraries
        "self._index = {}\nself._index.get(k)",
        "from .gt import _helper",  # the project's own module
    ],
)
def test_the_check_allows_public_uses(source):
    tree = ast.parse(source)
    own = project_private_names([tree])
    assert not _check(source, own), source


def test_a_private_name_the_project_defines_itself_is_its_own():
    assert not _check("obj._check_fn", own=frozenset({"_check_fn"}))

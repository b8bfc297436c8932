"""The test suite's own layout (tests/README.md): every test module sits in unit/, integration/
or browser/, so its marker follows from its folder, and test modules share helpers only through
tests/support."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
FOLDERS = {"unit", "integration", "browser"}


def test_every_test_module_is_in_a_marked_folder():
    misplaced = [
        str(p.relative_to(TESTS))
        for p in TESTS.rglob("test_*.py")
        if p.relative_to(TESTS).parts[0] not in FOLDERS
    ]
    assert misplaced == [], "test modules belong in tests/unit, tests/integration or tests/browser"


def test_test_modules_import_helpers_only_from_tests_support():
    offending = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "tests" and any(p.startswith(("test_", "conftest")) for p in parts):
                    offending.append(f"{path.relative_to(TESTS)}: {name}")
    assert offending == [], "move shared helpers to tests/support"

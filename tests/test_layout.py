"""The tests' own layout: no module under tests/ imports a test module (tests/**/test_*.py).
Shared factories, helpers and fixtures live in non-test modules (tests/factories.py, the
directories' conftest.py, helpers.py, and shared modules such as tests/petition_world.py), so a
test module can be run, moved or deleted on its own and its fixtures are not registered twice."""

import ast
from pathlib import Path

TESTS = Path(__file__).parent
ROOT = TESTS.parent


def _module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _test_modules():
    return {_module_name(path) for path in TESTS.rglob("test_*.py")}


def _imported(path, tree):
    """Every module name an import in `path` may refer to, at any depth (function-level too)."""
    package = _module_name(path).split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            yield node.lineno, module
            for alias in node.names:  # from tests.petitions import test_signing
                yield node.lineno, f"{module}.{alias.name}"


def test_no_module_imports_a_test_module():
    test_modules = _test_modules()
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        where = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
        for line, module in _imported(path, tree):
            if module in test_modules and module != _module_name(path):
                found.append(f"{where}:{line} imports {module}")
    assert not found, "move shared helpers out of test modules:\n" + "\n".join(found)

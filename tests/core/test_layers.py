"""What the import contracts (pyproject.toml, `lint-imports` in CI) cannot express: no module
imports another module's private (`_name`) functions, not even within its area, and migrations import no application code
(they must replay the schema as it was, whatever the models say today)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "participation"


def _module_name(path):
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _module_aliases(tree):
    """{local name: module} for the application's modules this one imports as modules
    (`from participation.comments import queries as comment_queries`, `import participation.x`)."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("participation"):
            for alias in node.names:
                dotted = f"{node.module}.{alias.name}"
                path = ROOT / Path(*dotted.split("."))
                if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
                    aliases[alias.asname or alias.name] = dotted
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("participation.") and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def private_imports(source, module):
    """(line, name) for every `from participation.<another module> import _name`, and every
    `other_module._name` reached through a module imported as such."""
    found = []
    tree = ast.parse(source)
    aliases = _module_aliases(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and aliases[node.value.id] != module
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append((node.lineno, f"{aliases[node.value.id]}.{node.attr}"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("participation."):
            if node.module == module:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append((node.lineno, f"{node.module}.{alias.name}"))
    return found


def test_the_scan_finds_a_private_import_from_another_module():
    source = (
        "from participation.petitions.services import _petition_transition\n"
        "from participation.petitions.models import _helper\n"
        "from participation.core.models import utcnow\n"
    )
    assert private_imports(source, "participation.petitions.services") == [
        (2, "participation.petitions.models._helper"),
    ]
    reached = "from participation.comments import queries as comment_queries\nx = comment_queries._public\n"
    assert private_imports(reached, "participation.api.queries") == [
        (2, "participation.comments.queries._public")
    ]
    assert private_imports(source, "participation.stats.queries") == [
        (1, "participation.petitions.services._petition_transition"),
        (2, "participation.petitions.models._helper"),
    ]


def test_no_module_imports_another_modules_private_names():
    offenders = [
        f"{path.relative_to(ROOT)}:{line} {name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, name in private_imports(path.read_text(), _module_name(path))
    ]
    assert offenders == []


def imports_of_the_application(source):
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "participation"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {
            "participation",
            "config",
        }:
            found.append(node.module)
    return found


def test_migrations_import_no_application_code():
    assert imports_of_the_application("from participation.auth.models import Role\n") == [
        "participation.auth.models"
    ]
    offenders = {
        path.name: imports_of_the_application(path.read_text())
        for path in sorted((ROOT / "migrations" / "versions").glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_revision_ids_fit_alembic_version_on_postgresql():
    """alembic_version.version_num is VARCHAR(32): a longer id upgrades on SQLite (which ignores
    the length) and fails on PostgreSQL."""
    ids = {}
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and [t.id for t in node.targets] == ["revision"]:
                ids[path.name] = node.value.value
    assert len(ids) >= 14
    assert {name: rid for name, rid in ids.items() if len(rid) > 32} == {}

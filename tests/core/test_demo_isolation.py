"""`participation/demo/` (demo content, large seeds) is never imported by production code: only the
seed commands of `participation/cli.py` import it, lazily, when they run (STYLE.md, Layout).

The scan is tested on a sample first, so that a scan that finds nothing cannot pass for a codebase
without offenders."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import participation

PACKAGE = Path(participation.__file__).parent
ROOT = PACKAGE.parent
DEMO = "participation.demo"
ALLOWED = {"participation/cli.py"}


def _module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_names(tree, module, is_package):
    """Every module an import statement names (relative imports resolved), and every string that
    names a module the way importlib.import_module would take it."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def _demo_imports(tree, module, is_package=False):
    return sorted(
        {
            name
            for name in _imported_names(tree, module, is_package)
            if name == DEMO or name.startswith(DEMO + ".")
        }
    )


def test_the_scan_finds_every_way_of_importing_the_demo_package():
    sample = ast.parse(
        textwrap.dedent("""
        import participation.demo.large
        from participation.demo import seed
        from participation import demo
        from .. import demo as relative
        importlib.import_module("participation.demo.accounts")
        from participation.demographics import chart
        import participation.petitions.services
    """)
    )
    assert _demo_imports(sample, "participation.stats.views") == [
        "participation.demo",
        "participation.demo.accounts",
        "participation.demo.large",
        "participation.demo.seed",
    ]


def test_no_production_module_imports_the_demo_package():
    sources = [
        *PACKAGE.rglob("*.py"),
        *(ROOT / "migrations").rglob("*.py"),
        ROOT / "config.py",
        ROOT / "wsgi.py",
    ]
    offenders = {}
    for path in sources:
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith("participation/demo/") or relative in ALLOWED:
            continue
        found = _demo_imports(
            ast.parse(path.read_text()), _module_name(path), path.name == "__init__.py"
        )
        if found:
            offenders[relative] = found
    assert offenders == {}


def test_the_cli_imports_the_demo_package_only_inside_its_seed_commands():
    tree = ast.parse((PACKAGE / "cli.py").read_text())
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert _demo_imports(ast.Module(body=top_level, type_ignores=[]), "participation.cli") == []
    importing = sorted(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and _demo_imports(ast.Module(body=node.body, type_ignores=[]), "participation.cli")
    )
    assert importing == ["seed_demo", "stats_seed_large"]


def test_creating_the_app_and_importing_every_production_module_loads_no_demo_code(tmp_path):
    """In a fresh interpreter: this test process may have imported the demo package already."""
    script = textwrap.dedent(f"""
        import importlib, sys
        from pathlib import Path
        from config import TestingConfig
        from participation import create_app

        config = TestingConfig()
        config.INSTANCE_PATH = {str(tmp_path / "instance")!r}
        config.SQLALCHEMY_DATABASE_URI = "sqlite:///" + {str(tmp_path / "demo-isolation.db")!r}
        app = create_app(config)
        package = Path({str(PACKAGE)!r})
        for path in sorted(package.rglob("*.py")):
            parts = path.relative_to(package.parent).with_suffix("").parts
            if parts[:2] == ("participation", "demo"):
                continue
            importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
        print(sorted(name for name in sys.modules if name == "{DEMO}" or name.startswith("{DEMO}.")))
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"

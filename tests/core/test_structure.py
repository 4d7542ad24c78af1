"""Structural rules of STYLE.md: every route has an access policy, every service a guard, and the
route list is snapshotted so removing or adding a URL is a deliberate change."""
import importlib
import inspect
import os
import pkgutil
from pathlib import Path

import participation

SNAPSHOT = Path(__file__).parent / "routes.snapshot"
EXEMPT_ENDPOINTS = {"static"}


def test_every_route_declares_an_access_policy(app):
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT_ENDPOINTS and not getattr(app.view_functions[rule.endpoint], "access_policy", None)
    ]
    assert missing == []


def test_routes_match_the_snapshot(app):
    current = sorted(
        f"{rule.rule} {','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))} {rule.endpoint} "
        f"{getattr(app.view_functions[rule.endpoint], 'access_policy', '-')}"
        for rule in app.url_map.iter_rules()
    )
    if os.environ.get("UPDATE_ROUTES_SNAPSHOT") == "1":  # a deliberate change: rewrite, then review the diff
        SNAPSHOT.write_text("\n".join(current) + "\n")
    assert SNAPSHOT.read_text().splitlines() == current, (
        "The routes changed. If this is deliberate, run this test with UPDATE_ROUTES_SNAPSHOT=1 and review "
        "the diff of tests/core/routes.snapshot:\n" + "\n".join(current)
    )


def _service_modules():
    for module in pkgutil.walk_packages(participation.__path__, "participation."):
        if module.name.endswith(".services"):
            yield importlib.import_module(module.name)


def test_every_service_function_declares_its_guard():
    unguarded = []
    for module in _service_modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != module.__name__ or name.startswith("_"):
                continue
            if name.startswith(("get_", "list_", "count_")):
                continue  # read-side queries
            if name in {"hash_password", "password_matches", "normalise_email"}:
                continue  # pure helpers, no data change
            if not hasattr(function, "guarded_by"):
                unguarded.append(f"{module.__name__}.{name}")
    assert unguarded == []


def test_views_do_not_write_to_the_session_without_a_service():
    """Views call services; they never add or delete rows themselves."""
    offenders = []
    for path in Path(participation.__file__).parent.rglob("views.py"):
        text = path.read_text()
        for forbidden in ("db.session.add(", "db.session.delete(", "db.session.execute("):
            if forbidden in text:
                offenders.append(f"{path.name}: {forbidden}")
    assert offenders == []


def test_no_configuration_is_read_at_import_time():
    for path in Path(participation.__file__).parent.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith(("os.environ", "os.getenv")) or (not line.startswith((" ", "\t")) and "os.environ" in line):
                raise AssertionError(f"{path}:{number} reads the environment at import time")

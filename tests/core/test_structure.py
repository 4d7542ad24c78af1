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
        if rule.endpoint not in EXEMPT_ENDPOINTS
        and not getattr(app.view_functions[rule.endpoint], "access_policy", None)
    ]
    assert missing == []


def test_routes_match_the_snapshot(app):
    current = sorted(
        f"{rule.rule} {','.join(sorted(rule.methods - {'HEAD', 'OPTIONS'}))} {rule.endpoint} "
        f"{getattr(app.view_functions[rule.endpoint], 'access_policy', '-')}"
        for rule in app.url_map.iter_rules()
    )
    if (
        os.environ.get("UPDATE_ROUTES_SNAPSHOT") == "1"
    ):  # a deliberate change: rewrite, then review the diff
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
            if (
                f"{module.__name__}.{name}"
                == "participation.comments.services.change_comment_status"
            ):
                continue  # called only by the overseer's guarded services (the component knows none)
            if not hasattr(function, "guarded_by"):
                unguarded.append(f"{module.__name__}.{name}")
    assert unguarded == []


PACKAGE = Path(participation.__file__).parent
# Views call services, and end the request's transaction only through core/views.perform (or its
# streaming twin committed_when_done), the one place that commits and rolls back.
VIEW_HELPERS = PACKAGE / "core" / "views.py"
FORBIDDEN_IN_VIEWS = (
    "db.session.add(",
    "db.session.delete(",
    "db.session.execute(",
    "db.session.commit(",
    "db.session.rollback(",
)


def _view_modules():
    """Every module that declares routes, whatever its name (views.py, officer_views.py, api/*.py)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path != VIEW_HELPERS and (
            path.name.endswith("views.py") or ".route(" in path.read_text()
        ):
            yield path


def _session_misuses(path, text):
    return [
        f"{path.relative_to(PACKAGE.parent).as_posix()}: {forbidden}"
        for forbidden in FORBIDDEN_IN_VIEWS
        if forbidden in text
    ]


def test_the_view_scan_covers_every_route_module_and_finds_a_hand_written_commit():
    scanned = {path.relative_to(PACKAGE).as_posix() for path in _view_modules()}
    assert {
        "auth/views.py",
        "petitions/officer_views.py",
        "moderation/views.py",
        "api/petitions.py",
    } <= scanned
    assert "core/views.py" not in scanned
    sample = (
        "def save():\n    services.save()\n    db.session.commit()\n    db.session.rollback()\n"
    )
    assert _session_misuses(PACKAGE / "area" / "views.py", sample) == [
        "participation/area/views.py: db.session.commit(",
        "participation/area/views.py: db.session.rollback(",
    ]


def test_views_do_not_write_to_the_session_nor_end_its_transaction_by_hand():
    offenders = [
        line for path in _view_modules() for line in _session_misuses(path, path.read_text())
    ]
    assert offenders == []


def test_no_configuration_is_read_at_import_time():
    for path in Path(participation.__file__).parent.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith(("os.environ", "os.getenv")) or (
                not line.startswith((" ", "\t")) and "os.environ" in line
            ):
                raise AssertionError(f"{path}:{number} reads the environment at import time")

"""What the load balancer and the operators ask a node (SPEC §9): `/healthz`, is the process alive
(no database, so a database outage does not make every node look dead and restarted), and
`/readyz`, can it serve: the database answers, Redis answers when configured, and the database's
schema is at the migrations' head (a node started with newer code before `flask db upgrade`, or
older code after it, is not ready).

Both are plain routes with the public policy and no rate limit. A probe addressed to a node's own
address (Host: 10.0.0.11:8000) would get the 400 of TRUSTED_HOSTS: `ProbesAnswerAnyHost` gives
these two paths, and only them, a trusted host name before Flask checks it (installed by the
public blueprint when it is registered). They build no URL, so the Host they were sent with does
not matter to them. A load balancer's probe carries no cookie, so the staff two-factor gate
(core/policy.py), which concerns signed-in staff only, never stops it.
"""

import logging

import redis
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from participation.core.database import ping
from participation.extensions import db

log = logging.getLogger(__name__)

PROBE_PATHS = frozenset({"/healthz", "/readyz"})
# /healthz's body, what jsonify(status="ok") makes, encoded once instead of on every probe.
ALIVE = b'{"status":"ok"}\n'
# A probe must answer within the load balancer's check interval, not wait for TCP's own timeouts.
REDIS_TIMEOUT_SECONDS = 1.0


class ProbesAnswerAnyHost:
    """WSGI middleware: requests for PROBE_PATHS are addressed to the first trusted host."""

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") in PROBE_PATHS:
            trusted = self.app.config.get("TRUSTED_HOSTS")
            if trusted:
                environ["HTTP_HOST"] = trusted[0].lstrip(".")
        return self.wsgi_app(environ, start_response)


def alive():
    """The answer of /healthz: the process answers."""
    return current_app.response_class(ALIVE, mimetype="application/json")


def script_heads():
    """The head revisions of the migration scripts this code ships, read once per process."""
    cache = current_app.extensions.setdefault("participation_health", {})
    if "heads" not in cache:
        directory = current_app.extensions["migrate"].directory
        cache["heads"] = frozenset(ScriptDirectory(directory).get_heads())
    return cache["heads"]


def _redis_client(url):
    clients = current_app.extensions.setdefault("participation_health", {}).setdefault("redis", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
    return clients[url]


def _current_revisions(connection):
    """The alembic_version rows (alembic's MigrationContext would log two INFO lines per probe).
    No table: a database never migrated."""
    try:
        with connection.begin_nested():
            rows = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
            return frozenset(rows.scalars())
    except (sa.exc.ProgrammingError, sa.exc.OperationalError):
        if connection.closed or connection.invalidated:
            raise
        return frozenset()


def _database_checks():
    """(database, migrations): one connection, `SELECT 1` and the alembic_version rows."""
    try:
        with db.engine.connect() as connection:
            ping(connection)
            current = _current_revisions(connection)
    except sa.exc.SQLAlchemyError as error:
        # The error's text can name the server and the user: logged, never answered.
        log.warning("readiness: database unreachable (%s)", type(error).__name__)
        return "unreachable", "unknown"
    heads = script_heads()
    if current == heads:
        return "ok", "ok"
    return "ok", (
        f"database at {', '.join(sorted(current)) or 'no revision'}, "
        f"code at {', '.join(sorted(heads))}"
    )


def _redis_check():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    try:
        _redis_client(url).ping()
    except redis.RedisError as error:
        log.warning("readiness: Redis unreachable (%s)", type(error).__name__)
        return "unreachable"
    return "ok"


def readiness():
    """(ready, checks): every check's outcome by name, "ok" (or "not configured") when it passed."""
    database, migrations = _database_checks()
    checks = {"database": database, "migrations": migrations, "redis": _redis_check()}
    ready = all(outcome in {"ok", "not configured"} for outcome in checks.values())
    return ready, checks

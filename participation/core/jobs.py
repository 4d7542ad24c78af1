"""Periodic jobs that every node may start at the same minute (SPEC §9).

`single_run(name)` lets one process run a job while the others skip it:

    with single_run("tick") as acquired:
        if acquired:
            ...  # the job

On PostgreSQL it takes a session-level advisory lock, `pg_try_advisory_lock(hashtext('job:' ||
name))`, on a connection of its own: not the session's, whose transactions the job commits, and
in autocommit, so that holding the lock for a long job holds no transaction open. The lock is
released when the job ends, and by PostgreSQL when the process dies or its connection drops. On
SQLite (the embedded, one-machine set-up) it is an exclusive `flock` on
instance/jobs/<name>.lock, also released by the kernel when the process dies.

The lock is the first line. The second is in the jobs themselves: each claims the rows it changes
(`FOR UPDATE SKIP LOCKED`, the outbox one message at a time), so that even two runs that both got
in (a connection lost mid-job releases its lock) record each transition and queue each mail once.

Usable from Python as well as from the CLI: an in-process scheduler takes the same locks.
"""

import contextlib
import fcntl
import logging
import time
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from participation.extensions import db

log = logging.getLogger(__name__)


def lock_key(name):
    """The text hashed into the advisory lock's key; an operator can see who holds it with
    SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext('job:tick')::oid."""
    return f"job:{name}"


def skipped_message(name):
    return f"skipped: another node is running {name}"


@contextlib.contextmanager
def single_run(name, *, shared_on_postgresql=False, engine=None):
    """Yield True if this process now holds job `name` (until the block ends), False if another
    process, here or on another node, is running it.

    `shared_on_postgresql`: the job claims each row it works on with SKIP LOCKED (the outbox), so
    on PostgreSQL every node may run it at once and share the work; SQLite has no row locks, so
    there it still runs one at a time."""
    engine = engine or db.engine
    postgresql = engine.dialect.name == "postgresql"
    if postgresql and shared_on_postgresql:
        yield True
        return
    lock = _advisory_lock if postgresql else _file_lock
    started = time.monotonic()
    with lock(engine, name) as acquired:
        if not acquired:
            log.info("job %s skipped: another process holds its lock", name)
            yield False
            return
        log.info("job %s started", name)
        yield True
        log.info("job %s finished in %.3f s", name, time.monotonic() - started)


def run_single(name, job, *args, shared_on_postgresql=False, **kwargs):
    """Run `job(*args, **kwargs)` if no other process is running `name`; returns (ran, result)."""
    with single_run(name, shared_on_postgresql=shared_on_postgresql) as acquired:
        if not acquired:
            return False, None
        return True, job(*args, **kwargs)


@contextlib.contextmanager
def _advisory_lock(engine, name):
    connection = engine.connect()
    try:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        key = {"key": lock_key(name)}
        if not connection.scalar(sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), key):
            yield False
            return
        try:
            yield True
        finally:
            _unlock(connection, name, key)
    finally:
        connection.close()


def _unlock(connection, name, key):
    try:
        held = connection.scalar(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), key)
    except sa.exc.DBAPIError:
        # The server may not know the connection any more (and so holds no lock for it); it
        # must not go back to the pool in a state nobody knows.
        connection.invalidate()
        log.warning("job %s: its lock's connection was lost during the run", name)
        return
    if not held:
        log.warning("job %s: its lock was lost during the run", name)


@contextlib.contextmanager
def _file_lock(engine, name):
    directory = Path(current_app.instance_path) / "jobs"
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{name}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

"""Counting SQL statements, for the tests that a page or a query runs a fixed number of them
whatever the data's size: `QueryCounter` and `queries_for` (a count per page, transaction control
not counted), `counted_queries` (the statements themselves)."""

from contextlib import contextmanager

import sqlalchemy as sa

from participation.core import page_cache
from participation.extensions import db


class QueryCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, *args):
        # Transaction control depends on the test's session state, not on the data: not counted.
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            self.count += 1


def queries_for(client, paths):
    counts = {}
    for path in paths:
        client.get(path)  # warm caches that are not about data size
        page_cache.clear()  # but render the page: a stored anonymous answer runs no query
        with QueryCounter(db.engine) as counter:
            response = client.get(path)
        assert response.status_code == 200, path
        counts[path] = counter.count
    return counts


@contextmanager
def counted_queries():
    statements = []

    def record(conn, cursor, statement, *args):
        if not statement.startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

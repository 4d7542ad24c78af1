"""Prebuilt Core statements run on the driver's cursor, for the busiest request (signing).

For the two statements of a signature, SQLAlchemy's work on each execution (cache key,
parameter and result processing, result objects) cost more CPU than psycopg's own (measured: about
200 µs against 90 µs for the signer query; bench/sign_throughput.py has the whole story). On
PostgreSQL a `DriverStatement` compiles its statement once and hands the SQL and the parameters
to the pooled connection's cursor, so every value must be one psycopg adapts as the column needs
(ints, strings, dates, booleans, timezone-aware datetimes: PostgreSQL stores timestamptz, so no
type decorator has work to do). Elsewhere (SQLite stores naive datetimes that UTCDateTime must
mend) it runs through SQLAlchemy as usual. Either way the rows are plain tuples.

Kept because it measured worth it (issue 12, item 6: through SQLAlchemy's execution the signing
request cost 10-19 % more server CPU, bench/private_apis.py, docs/benchmarks.md). SQLAlchemy and
psycopg are pinned to their major versions, and tests/core/test_library_private_apis.py checks
that the only processing skipped is UTCDateTime's, and that the cursor returns what SQLAlchemy does.
"""


class DriverStatement:
    def __init__(self, statement):
        self.statement = statement
        self._compiled = {}  # dialect class -> (SQL, the statement's own bound values)

    def _sql(self, dialect):
        compiled = self._compiled.get(type(dialect))
        if compiled is None:
            sql = self.statement.compile(dialect=dialect)
            defaults = {name: value for name, value in sql.params.items() if value is not None}
            compiled = self._compiled[type(dialect)] = (str(sql), defaults)
        return compiled

    def rows(self, connection, parameters, *, reconnect=False):
        """Execute on `connection` (a SQLAlchemy Connection) and return every row as a tuple.

        With `reconnect` (a first statement that writes nothing, on a pool without pre-ping):
        when the pooled connection turns out dead (the server restarted since it was last
        used), it is invalidated and the statement runs once more on a new one."""
        if connection.dialect.name != "postgresql":
            return [tuple(row) for row in connection.execute(self.statement, parameters)]
        sql, defaults = self._sql(connection.dialect)
        try:
            return self._fetch(connection, sql, {**defaults, **parameters})
        except connection.dialect.dbapi.OperationalError:
            if not reconnect or not connection.connection.driver_connection.closed:
                raise
        connection.invalidate()
        return self._fetch(connection, sql, {**defaults, **parameters})

    @staticmethod
    def _fetch(connection, sql, parameters):
        cursor = connection.connection.cursor()
        try:
            # Any other driver error propagates as psycopg raised it.
            cursor.execute(sql, parameters)
            return cursor.fetchall()
        finally:
            cursor.close()

    def first(self, connection, parameters, *, reconnect=False):
        found = self.rows(connection, parameters, reconnect=reconnect)
        return found[0] if found else None

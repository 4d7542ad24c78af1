"""The ceiling for bench/sign_throughput.py: a bare Flask endpoint doing one INSERT into the same
database, served by the same gunicorn set-up. Run by the benchmark, not on its own."""

import os

import sqlalchemy as sa
from flask import Flask

app = Flask(__name__)
engine = sa.create_engine(os.environ["BENCH_DATABASE_URL"], pool_pre_ping=True)
if engine.dialect.name == "sqlite":

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA busy_timeout = 5000")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


ROWS = sa.table("bench_rows", sa.column("payload"))


@app.post("/insert")
def insert():
    with engine.begin() as connection:
        connection.execute(sa.insert(ROWS).values(payload="x"))
    return "", 204

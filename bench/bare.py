"""The ceilings of bench/surge.py, served by the same gunicorn set-up as the platform (4 sync
workers, deploy/gunicorn.conf.py):

- POST /insert: a bare Flask endpoint doing ONE autocommit `INSERT … ON CONFLICT DO NOTHING`
  through psycopg, on a connection per worker opened at the first request and kept open: no
  pool, no pre-ping, no BEGIN/COMMIT, one round trip. Each request inserts a new row (its `key`,
  sent once by wrk), so the ceiling pays a real insert into a table with a unique index;
- GET /hello: a bare Flask "hello", the ceiling of pages that need no database.

Run by the benchmark (`bench_rows` is created there), not on its own."""

import os

import psycopg
from flask import Flask, request

app = Flask(__name__)
connection = None  # one per worker process: opened after gunicorn's fork, at the first request


@app.post("/insert")
def insert():
    global connection
    if connection is None:
        connection = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)
    connection.execute(
        "INSERT INTO bench_rows (key, payload) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
        (request.form["key"], "x"),
    )
    return "", 204


@app.get("/hello")
def hello():
    return "Hello"

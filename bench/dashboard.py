"""Dashboard speed on a large data set: the observatory and the public statistics page against a
trivial page of the same application, measured in the same run on the same machine.

For each database (PostgreSQL, then SQLite):
1. build the database with the migrations and `flask stats seed-large` (by default a million
   signatures and a hundred thousand comments over two years), or reuse it when it is already
   seeded (the seeding takes minutes; `--fresh` starts again);
2. time the refresh that `flask tick` runs (this month and the previous one) and the full rebuild;
3. sign in an observer through the Flask test client and request each page N times after two
   warm-up requests; print p50/p95 in milliseconds, the ratio of p50 to the trivial page's
   (/fr/about/fonts: the same layout, no data), and the number of SQL queries per page.

Usage: python bench/dashboard.py [--signatures 1000000] [--comments 100000] [--requests 30] [--db postgresql,sqlite]
       [--fresh] [--no-rebuild]
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_URL = "postgresql://postgres@127.0.0.1:5432/part_dash_bench"
SQLITE_DIR = Path("/tmp/part-dash-bench")
OBSERVER = "bench-observer@bench.participation.ma"
PASSWORD = "bench observer password"


def make_app(database_url):
    from config import DevelopmentConfig
    from participation import create_app

    config = DevelopmentConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url.replace("postgresql://", "postgresql+psycopg://")
    config.INSTANCE_PATH = str(SQLITE_DIR / "instance")
    config.MAIL_FILE_DIR = str(SQLITE_DIR / "instance" / "mail")
    config.RATELIMIT_STORAGE_URI = "sweeping-memory://"
    config.RATELIMIT_LOGIN = "1000 per minute"
    config.MAIL_DELIVER_INLINE = False
    config.REQUIRE_STAFF_2FA = False
    return create_app(config)


def create_postgres_database(url, fresh):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def prepare(app, signatures, comments):
    """Migrate and seed unless already seeded; return the seeding time (None when reused)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from participation.auth.models import Role, User
    from participation.auth.services import hash_password
    from participation.extensions import db
    from participation.core.progress import tracker
    from participation.demo.large import EMAIL, seed_large

    with app.app_context():
        upgrade()
        seeded = (
            db.session.scalar(sa.select(User.id).where(User.email == EMAIL.format(0))) is not None
        )
        took = None
        if not seeded:
            started = time.perf_counter()
            with app.test_request_context("/"):
                print(
                    seed_large(
                        signatures=signatures, comments=comments, track=tracker("seed-large")
                    ),
                    flush=True,
                )
            took = time.perf_counter() - started
        if db.session.scalar(sa.select(User.id).where(User.email == OBSERVER)) is None:
            from participation.auth.models import RoleGrant
            from participation.core.models import utcnow

            observer = User(
                email=OBSERVER,
                password_hash=hash_password(PASSWORD),
                display_name="Bench observer",
                language="fr",
                email_verified_at=utcnow(),
            )
            db.session.add(observer)
            db.session.flush()
            db.session.add(RoleGrant(user_id=observer.id, role=Role.OBSERVER.value))
            db.session.commit()
        return took


def time_refresh(app, full):
    from participation.extensions import db
    from participation.stats.aggregates import refresh_statistics

    with app.app_context():
        timings = {}
        for label, everything in (("tick refresh (2 months)", False), ("full rebuild", True))[
            : 2 if full else 1
        ]:
            started = time.perf_counter()
            refresh_statistics(everything=everything)
            db.session.commit()
            timings[label] = time.perf_counter() - started
        return timings


def signed_in_client(app):
    import re

    client = app.test_client()
    page = client.get("/fr/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/fr/account/login", data={"email": OBSERVER, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.status_code
    return client


def pages(app):
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.institutions.models import Region
    from participation.stats.periods import add_months, this_month

    with app.app_context():
        region = db.session.scalar(sa.select(Region.id).order_by(Region.code).offset(3).limit(1))
    last = this_month()
    two_years = f"start={add_months(last, -24):%Y-%m}&end={last:%Y-%m}"
    return [
        ("trivial page /fr/about/fonts", "/fr/about/fonts"),
        ("observatory, last 12 months", "/fr/observatory/"),
        ("observatory, 25 months", f"/fr/observatory/?{two_years}"),
        ("observatory, one region, 25 months", f"/fr/observatory/?{two_years}&region={region}"),
        ("CSV participation by region", f"/fr/observatory/participation-by-region.csv?{two_years}"),
        ("public statistics /fr/stats", "/fr/stats"),
    ]


def measure(app, client, path, requests):
    import sqlalchemy as sa

    from participation.extensions import db

    for _ in range(2):
        assert client.get(path).status_code == 200, path
    durations = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, path
    queries = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: queries.append(1))
        client.get(path)
    durations.sort()
    return (
        statistics.median(durations),
        durations[max(int(len(durations) * 0.95) - 1, 0)],
        len(queries),
    )


def run(database, url, args):
    print(f"\n## {database}", flush=True)
    if database == "PostgreSQL":
        create_postgres_database(url, args.fresh)
    elif args.fresh and SQLITE_DIR.exists():
        (SQLITE_DIR / "bench.db").unlink(missing_ok=True)
    app = make_app(url)
    took = prepare(app, args.signatures, args.comments)
    print(f"seeding: {'reused' if took is None else f'{took:.0f} s'}", flush=True)
    with app.app_context():
        import sqlalchemy as sa

        from participation.comments.models import Comment
        from participation.extensions import db
        from participation.petitions.models import Signature

        print(
            f"rows: {db.session.scalar(sa.select(sa.func.count()).select_from(Signature)):,} signatures, "
            f"{db.session.scalar(sa.select(sa.func.count()).select_from(Comment)):,} comments",
            flush=True,
        )
    for label, seconds in time_refresh(app, not args.no_rebuild).items():
        print(f"{label}: {seconds:.2f} s", flush=True)
    client = signed_in_client(app)
    results = [(label, *measure(app, client, path, args.requests)) for label, path in pages(app)]
    base = results[0][1]
    print(
        "\n| page | p50 ms | p95 ms | ratio to trivial (p50) | SQL queries |\n| --- | ---: | ---: | ---: | ---: |"
    )
    for label, p50, p95, queries in results:
        print(f"| {label} | {p50:.1f} | {p95:.1f} | {p50 / base:.1f} | {queries} |", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db", default="postgresql,sqlite")
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument(
        "--fresh", action="store_true", help="Drop the benchmark databases and seed again."
    )
    parser.add_argument(
        "--no-rebuild",
        action="store_true",
        help="Do not time the full rebuild of the statistics (minutes on SQLite).",
    )
    args = parser.parse_args()
    os.environ.setdefault("PARTICIPATION_CONFIG", "development")
    SQLITE_DIR.mkdir(parents=True, exist_ok=True)
    for database in args.db.split(","):
        if database == "postgresql":
            run("PostgreSQL", args.pg_url, args)
        else:
            run("SQLite", f"sqlite:///{SQLITE_DIR / 'bench.db'}", args)


if __name__ == "__main__":
    main()

"""CPU time and SQL statements of the signed-in petition page (issue 15, item 2: "signed-in pages
render from cached fragments"), in-process with Flask's test client: no server, no network, so
what is measured is the application's own work (PostgreSQL's work is not counted; its round
trips are, as the statements).

The demo content (seed-demo) in a throw-away PostgreSQL database, 25 comments added to the open
petition with the most signatures; three readers signed in (a citizen who signed it, one who did
not, the addressee's officer). For each reader, N views after warm-up, in two modes:
- `cold`: the page cache emptied before each view (every fragment rendered, as without fragments);
- `warm`: the cache kept (fragments that show a count age out after PAGE_CACHE_SECONDS, as they do
  in production, so a few views in a run render them again).
Prints CPU ms per view (time.process_time, median and mean) and statements per view.

`--root` runs another checkout of the code against the same database (e.g. the commit before a
change, unpacked with `git archive <commit> | tar -x -C /tmp/before`), so before and after are
measured in the same run on the same machine.

Usage: python bench/signed_in_page.py [--views 200] [--root PATH] [--modes cold,warm]
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from pathlib import Path

DATABASE = "postgresql://postgres@127.0.0.1:5432/part_signed_in_bench"


def parse():
    parser = argparse.ArgumentParser()
    parser.add_argument("--views", type=int, default=200)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--modes", default="cold,warm")
    parser.add_argument("--profile", action="store_true", help="cProfile the warm views")
    parser.add_argument("--fresh", action="store_true", help="drop and seed the database again")
    return parser.parse_args()


def create_database(fresh):
    import psycopg

    base, name = DATABASE.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and fresh:
            connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def make_app(root):
    from config import DevelopmentConfig
    from participation import create_app

    config = DevelopmentConfig()
    config.SQLALCHEMY_DATABASE_URI = DATABASE.replace("postgresql://", "postgresql+psycopg://")
    config.INSTANCE_PATH = "/tmp/part-signed-in-bench/instance"
    config.MAIL_FILE_DIR = "/tmp/part-signed-in-bench/mail"
    config.MAIL_DELIVER_INLINE = False
    config.JOBS_IN_PROCESS = False
    config.REQUIRE_STAFF_2FA = False
    config.PAGE_CACHE_URL = None  # the in-process store: no Redis round trip in the figures
    return create_app(config)


def prepare(app, state):
    """Seed once; return (the page of the `state` petition with the most signatures, readers)."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from participation.auth.models import User
    from participation.comments.models import Comment
    from participation.comments.services import post_comment
    from participation.comments.targets import resolve_target
    from participation.demo import seed
    from participation.extensions import db
    from participation.petitions.models import Petition, Signature

    with app.test_request_context("/"):
        # Migrated and seeded once, by the first checkout run (a newer one may have added
        # migrations the older one does not know).
        if not sa.inspect(db.engine).has_table("users"):
            upgrade()
        if db.session.scalar(sa.select(sa.func.count(User.id))) == 0:
            seed(password_for=lambda: "bench password 123")
            db.session.commit()
        petition = db.session.scalars(
            sa.select(Petition)
            .join(Signature, Signature.petition_id == Petition.id)
            .where(Petition.state == state)
            .group_by(Petition.id)
            .order_by(sa.func.count(Signature.id).desc())
            .limit(1)
        ).one()
        signer = db.session.scalars(
            sa.select(User)
            .join(Signature, Signature.user_id == User.id)
            .where(Signature.petition_id == petition.id)
            .limit(1)
        ).first()  # None when the signatories were erased (SIGNATORY_RETENTION_DAYS)
        officer = db.session.scalars(sa.select(User).where(User.email.like("officer.hog@%"))).one()
        signers = sa.select(Signature.user_id).where(
            Signature.petition_id == petition.id, Signature.user_id.is_not(None)
        )
        other = (
            db.session.scalars(
                sa.select(User).where(User.id.not_in(signers), User.email.like("citizen@%"))
            ).first()
            or db.session.scalars(
                sa.select(User).where(User.id.not_in(signers), User.id != officer.id).limit(1)
            ).one()
        )
        target = resolve_target("petition", petition.id)
        have = db.session.scalar(
            sa.select(sa.func.count(Comment.id)).where(
                Comment.target_type == "petition", Comment.target_id == petition.id
            )
        )
        for n in range(have if target.accepts_comments else 25, 25):
            post_comment(other, target, body=f"Avis numéro {n} sur cette pétition, argumenté.")
        db.session.commit()
        url = f"/fr/petitions/{petition.id}-{petition.slug}"
        readers = [("not signed", other.id), ("officer", officer.id)]
        return url, ([("signed", signer.id)] if signer else []) + readers


def signed_in(app, user_id):
    from flask_login import login_user

    from participation.auth.models import User
    from participation.extensions import db

    client = app.test_client()
    with app.test_request_context():
        login_user(db.session.get(User, user_id))
        from flask import session

        written = dict(session)
    with client.session_transaction() as session:
        session.update(written)
    return client


def measure(app, client, url, views, cold):
    from participation.core import page_cache
    from participation.extensions import db
    from tests.query_counts import QueryCounter

    with app.app_context():
        for _ in range(5):
            assert client.get(url).status_code == 200
        cpu, statements = [], []
        for _ in range(views):
            if cold:
                page_cache.clear()
            with QueryCounter(db.engine) as counter:
                started = time.process_time()
                response = client.get(url)
                cpu.append((time.process_time() - started) * 1000)
            assert response.status_code == 200
            statements.append(counter.count)
        return cpu, statements


def main():
    options = parse()
    sys.path.insert(0, options.root)
    create_database(options.fresh)
    app = make_app(options.root)
    import participation

    print(f"code: {participation.__file__}  views per line: {options.views}", flush=True)
    for state in ("open", "answered"):
        url, readers = prepare(app, state)
        for mode, (label, user_id) in (
            (mode, reader) for mode in options.modes.split(",") for reader in readers
        ):
            profiler = cProfile.Profile() if options.profile and mode == "warm" else None
            if profiler:
                profiler.enable()
            cpu, statements = measure(
                app, signed_in(app, user_id), url, options.views, cold=mode == "cold"
            )
            if profiler:
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
            print(
                f"{state:8} {mode:5} {label:11} CPU ms/view median {statistics.median(cpu):6.2f}"
                f" mean {statistics.mean(cpu):6.2f}  statements/view median"
                f" {statistics.median(statements):4.0f} max {max(statements):3d}",
                flush=True,
            )


if __name__ == "__main__":
    main()

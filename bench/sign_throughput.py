"""Signing throughput: the platform's real signing endpoint against the machine's ceiling.

For each database (PostgreSQL and SQLite), in one run on one machine:
1. build a fresh database with the migrations, N citizens with complete identity profiles and one
   open petition;
2. start gunicorn with several workers on the application, and the same gunicorn set-up on
   bench/bare_insert.py, a bare Flask endpoint doing one INSERT into the same database;
3. warm both up with untimed requests, then time alternating rounds: concurrent POSTs to
   /<lang>/petitions/<id>/sign, each by a distinct signed-in citizen (sessions and CSRF tokens are
   minted with the application's own serializers, so no login is timed), then as many POSTs to the
   bare endpoint; alternating puts a change in the shared machine's load on both;
4. print signatures per second, the ceiling, their ratio (overall and per round), p50/p95
   latency, errors, and whether the final count (sharded counters) equals the signature rows.

Usage: python bench/sign_throughput.py [--signers 2000] [--workers 4] [--concurrency 32] [--db postgresql,sqlite]
                                     [--warmup 200] [--rounds 3]
"""

import argparse
import contextlib
import http.client
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, instance):
    return {
        **os.environ,
        "PARTICIPATION_CONFIG": "production",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "s" * 40,
        "CIN_HASH_KEY": "bench-hash-key",
        "CIN_ENCRYPTION_KEYS": "YmVuY2gta2V5LWJlbmNoLWtleS1iZW5jaC1rZXktMTI=",
        "INSTANCE_PATH": str(instance),
        "PUBLIC_BASE_URL": "http://127.0.0.1",  # the load comes to 127.0.0.1, a trusted host
        "MAIL_BACKEND": "file",
        # The benchmark measures throughput, not abuse handling: limits out of the way.
        "RATELIMIT_SIGN": "100000000 per minute",
        "SIGNING_LIMIT_PER_IP": "100000000 per hour",
        "SIGNING_LIMIT_PER_ACCOUNT": "100000000 per hour",
        "REQUIRE_STAFF_2FA": "0",
        "BENCH_DATABASE_URL": database_url.replace("postgresql://", "postgresql+psycopg://"),
    }


def prepare(env, signers):
    """Migrate, seed citizens and an open petition; return (petition id, [(cookie, csrf)])."""
    os.environ.update(env)
    import sqlalchemy as sa
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf
    from itsdangerous import URLSafeTimedSerializer

    from config import load_config
    from participation import create_app
    from participation.auth.models import IdentityProfile, User
    from participation.core.crypto import encrypt, keyed_hash
    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.institutions.models import Institution, Province
    from participation.institutions.services import load_territories
    from participation.petitions.models import Petition, PetitionKind
    from participation.petitions.rules import load_petition_kinds

    app = create_app(load_config("production"))
    credentials = []
    with app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        load_territories()
        db.session.add(Institution(kind="head_of_government", name={"fr": "Chef du gouvernement"}))
        db.session.flush()
        load_petition_kinds()
        provinces = db.session.scalars(sa.select(Province)).all()
        kind = db.session.scalar(
            sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
        )
        now = utcnow()
        users = [
            User(
                email=f"s{i}@bench.invalid",
                display_name=f"S{i}",
                language="fr",
                email_verified_at=now,
                password_hash="x",
                session_token=secrets.token_hex(8),
            )
            for i in range(signers)
        ]
        db.session.add_all(users)
        db.session.flush()
        for i, user in enumerate(users):
            province = provinces[i % len(provinces)]
            cin = f"BK{i:07d}"
            db.session.add(
                IdentityProfile(
                    user_id=user.id,
                    first_name="S",
                    last_name=str(i),
                    cin_hash=keyed_hash(cin),
                    cin_encrypted=encrypt(cin),
                    cin_hint=cin[-2:],
                    cin_expiry=date.today() + timedelta(days=1000),
                    birth_date=date(1990, 1, 1),
                    address="Rabat",
                    abroad=False,
                    region_id=province.region_id,
                    province_id=province.id,
                    declaration_accepted_at=now,
                    verified_by="declarative",
                )
            )
        petition = Petition(
            kind_id=kind.id,
            initiator_id=users[0].id,
            title={"fr": "Banc d'essai"},
            demands={"fr": "x"},
            memorandum={"fr": "x"},
            state="open",
            signatures_required=4000,
            addressee_id=kind.institution_id,
            published_at=now,
            closes_at=now + timedelta(days=30),
            slug="banc",
        )
        db.session.add(petition)
        db.session.execute(
            sa.text(
                "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY"
                + (
                    " AUTOINCREMENT"
                    if db.engine.dialect.name == "sqlite"
                    else " GENERATED BY DEFAULT AS IDENTITY"
                )
                + ", payload TEXT)"
            )
        )
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        csrf_serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        for user in users:
            raw = secrets.token_hex(20)
            cookie = serializer.dumps(
                {"_user_id": user.get_id(), "_fresh": True, "csrf_token": raw}
            )
            credentials.append((cookie, csrf_serializer.dumps(raw)))
        petition_id = petition.id
        assert generate_csrf  # the same serializer Flask-WTF uses
        db.engine.dispose()
    return petition_id, credentials


def serve(env, target, workers, port):
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        cwd=ROOT if target.startswith("wsgi") else ROOT / "bench",
        env=env,
    )


@contextlib.contextmanager
def served(env, target, workers, health_path):
    """gunicorn on `target` with `workers`, up and answering `health_path`; yields its port."""
    port = free_port()
    server = serve(env, target, workers, port)
    try:
        wait_until_up(port, health_path)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextlib.contextmanager
def scratch_database(kind, postgres_server, prefix):
    """A throw-away database and instance folder, dropped and removed afterwards; yields
    (database URL, instance folder). `postgres_server` is a server URL without a database."""
    instance = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    database = None
    try:
        if kind == "postgresql":
            database = f"{prefix.replace('-', '_')}_{os.getpid()}_{secrets.randbelow(10**6)}"
            subprocess.run(
                ["psql", postgres_server + "/postgres", "-qc", f"CREATE DATABASE {database}"],
                check=True,
            )
            yield f"{postgres_server}/{database}", instance
        else:
            yield f"sqlite:///{instance / (prefix + '.db')}", instance
    finally:
        if database:
            subprocess.run(
                [
                    "psql",
                    postgres_server + "/postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
                ],
                check=False,
            )
        shutil.rmtree(instance, ignore_errors=True)


def wait_until_up(port, path):
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def drive(port, requests, concurrency):
    """requests: [(path, body, headers)]. Returns (seconds, latencies, statuses)."""
    latencies, statuses, lock = [], [], threading.Lock()
    local = threading.local()

    def one(request):
        path, body, headers = request
        if not hasattr(local, "connection"):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start = time.perf_counter()
        try:
            local.connection.request("POST", path, body=body, headers=headers)
            response = local.connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            local.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status = 0
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            statuses.append(status)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, requests))
    return time.perf_counter() - started, latencies, statuses


def percentile(values, p):
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def final_counts(env, petition_id):
    os.environ.update(env)
    import sqlalchemy as sa

    from config import load_config
    from participation import create_app
    from participation.extensions import db
    from participation.petitions.models import Signature
    from participation.petitions.queries import count_signatures

    app = create_app(load_config("production"))
    with app.app_context():
        rows = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.petition_id == petition_id, Signature.status == "counted")
        )
        counted = count_signatures(petition_id)
        bare = db.session.scalar(sa.text("SELECT COUNT(*) FROM bench_rows"))
        db.engine.dispose()
    return rows, counted, bare


def _measure(requests, latencies_by_endpoint, name, port, concurrency):
    seconds, latencies, statuses = drive(port, requests, concurrency)
    record = latencies_by_endpoint.setdefault(
        name, {"seconds": 0.0, "requests": 0, "latencies": [], "errors": 0}
    )
    record["seconds"] += seconds
    record["requests"] += len(requests)
    record["latencies"] += latencies
    record["errors"] += sum(1 for s in statuses if s != (302 if name == "sign" else 204))
    return len(requests) / seconds


def run(database, args):
    instance = Path(tempfile.mkdtemp(prefix="bench-"))
    created_db = None
    if database == "postgresql":
        created_db = f"bench_sign_{os.getpid()}"
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {created_db}"],
            check=True,
        )
        url = f"postgresql://postgres@127.0.0.1:5432/{created_db}"
    else:
        url = f"sqlite:///{instance / 'bench.db'}"
    env = environment(url, instance)
    servers = []
    try:
        petition_id, credentials = prepare(env, args.warmup + args.signers)
        signs = [
            (
                f"/fr/petitions/{petition_id}/sign",
                f"consent=y&csrf_token={csrf}",
                {
                    "Cookie": f"session={cookie}",
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            for cookie, csrf in credentials
        ]
        inserts = [("/insert", "", {})] * len(signs)
        ports = {"sign": free_port(), "bare insert": free_port()}
        servers = [
            serve(env, "wsgi:app", args.workers, ports["sign"]),
            serve(env, "bare_insert:app", args.workers, ports["bare insert"]),
        ]
        wait_until_up(ports["sign"], "/healthz")
        wait_until_up(ports["bare insert"], "/")
        # Untimed warm-up of every worker (imports, catalogs, compiled statements, pooled
        # connections), then timed rounds that alternate the two endpoints so that a change in
        # the machine's load during the run falls on both.
        drive(ports["sign"], signs[: args.warmup], args.concurrency)
        drive(ports["bare insert"], inserts[: args.warmup], args.concurrency)
        results, round_ratios = {}, []
        size = -(-args.signers // args.rounds)
        for start in range(args.warmup, len(signs), size):
            sign_rate = _measure(
                signs[start : start + size], results, "sign", ports["sign"], args.concurrency
            )
            bare_rate = _measure(
                inserts[start : start + size],
                results,
                "bare insert",
                ports["bare insert"],
                args.concurrency,
            )
            round_ratios.append(sign_rate / bare_rate)
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        servers = []
        summary = {
            name: {
                "per_second": r["requests"] / r["seconds"],
                "p50_ms": percentile(r["latencies"], 50) * 1000,
                "p95_ms": percentile(r["latencies"], 95) * 1000,
                "errors": r["errors"],
            }
            for name, r in results.items()
        }
        rows, counted, bare = final_counts(env, petition_id)
        return summary, round_ratios, rows, counted, bare
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
        if created_db:
            subprocess.run(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-qc",
                    f"DROP DATABASE IF EXISTS {created_db} WITH (FORCE)",
                ],
                check=False,
            )
        shutil.rmtree(instance, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signers", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--db", default="postgresql,sqlite")
    parser.add_argument(
        "--warmup",
        type=int,
        default=200,
        help="untimed requests per endpoint first (their own signers)",
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed rounds, alternating the two endpoints"
    )
    args = parser.parse_args()
    print(
        f"{args.signers} distinct signers timed (+{args.warmup} warm-up), {args.rounds} alternating rounds, "
        f"gunicorn --workers {args.workers}, {args.concurrency} concurrent clients"
    )
    print(
        f"{'database':<11} {'endpoint':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'errors':>7}"
    )
    for database in args.db.split(","):
        results, round_ratios, rows, counted, bare = run(database, args)
        for name, r in results.items():
            print(
                f"{database:<11} {name:<12} {r['per_second']:>8.0f} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['errors']:>7}"
            )
        ratio = results["sign"]["per_second"] / results["bare insert"]["per_second"]
        expected = args.warmup + args.signers
        print(
            f"{database:<11} ratio sign / bare insert = {ratio:.2f} (rounds: {', '.join(f'{r:.2f}' for r in round_ratios)}); "
            f"signature rows {rows}, count shown {counted}, {'exact' if rows == counted == expected else 'MISMATCH'}; bare rows {bare}"
        )


if __name__ == "__main__":
    main()

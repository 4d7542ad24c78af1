"""What the scripts of bench/ share: a throw-away database, the platform's settings, citizens with
identity profiles and their session cookies and CSRF tokens (minted with the application's own
serializers, so no login is ever timed), gunicorn servers, wrk with bench/surge.lua, and the CPU
time of processes read from /proc.

Two ways to send requests, for two purposes:
- `run_wrk`: throughput and latency (bench/surge.py, bench/private_apis.py). wrk is C; the
  scripts print its CPU time per request next to the server's, so it is seen not to be the
  bottleneck.
- `drive`: a Python thread pool that returns every answer's status, for the correctness scripts
  (bench/concurrent_signing.py, bench/signing_storm.py: duplicates racing each other, exact
  counts). It saturates near 1,000 requests/s on two cores: never use it to measure speed.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database_url, instance):
    """The platform's production settings on `database_url`, abuse limits out of the way."""
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
        # The benchmarks measure throughput, not abuse handling: limits out of the way (they are
        # still counted on every signature).
        "RATELIMIT_SIGN": "100000000 per minute",
        "SIGNING_LIMIT_PER_IP": "100000000 per hour",
        "SIGNING_LIMIT_PER_ACCOUNT": "100000000 per hour",
        "REQUIRE_STAFF_2FA": "0",
        "BENCH_DATABASE_URL": database_url,
    }


def production_app(env):
    os.environ.update(env)
    from config import load_config
    from participation import create_app

    return create_app(load_config("production"))


class Citizen:
    """A seeded citizen: what a signed-in session needs (the id Flask-Login stores)."""

    def __init__(self, user_id, session_token):
        self.id, self.session_token = user_id, session_token

    def get_id(self):
        return f"{self.id}:{self.session_token}"  # as auth.models.User.get_id


def add_citizens(count, provinces, *, prefix="s", cin_prefix="BK"):
    """`count` signed-up citizens with complete identity profiles, spread over `provinces`, written
    with Core executemany inserts (in an app context; not committed). Returns [Citizen]."""
    import sqlalchemy as sa

    from participation.auth.models import IdentityProfile, User
    from participation.core.crypto import encrypt, keyed_hash
    from participation.core.models import utcnow
    from participation.extensions import db

    now = utcnow()
    tokens = [secrets.token_hex(8) for _ in range(count)]
    ids = db.session.scalars(
        sa.insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {
                "email": f"{prefix}{i}@bench.invalid",
                "display_name": f"{prefix.upper()}{i}",
                "language": "fr",
                "email_verified_at": now,
                "password_hash": "x",
                "session_token": tokens[i],
            }
            for i in range(count)
        ],
    ).all()
    profiles = []
    for i, user_id in enumerate(ids):
        province = provinces[i % len(provinces)]
        cin = f"{cin_prefix}{i:07d}"
        profiles.append(
            {
                "user_id": user_id,
                "first_name": prefix.upper(),
                "last_name": str(i),
                "cin_hash": keyed_hash(cin),
                "cin_encrypted": encrypt(cin),
                "cin_hint": cin[-2:],
                "cin_expiry": date.today() + timedelta(days=1000),
                "birth_date": date(1990, 1, 1),
                "address": "Rabat",
                "abroad": False,
                "region_id": province.region_id,
                "province_id": province.id,
                "declaration_accepted_at": now,
                "verified_by": "declarative",
                "updated_at": now,
            }
        )
    for start in range(0, len(profiles), 5000):
        db.session.execute(sa.insert(IdentityProfile), profiles[start : start + 5000])
    return [Citizen(user_id, token) for user_id, token in zip(ids, tokens)]


def credentials_for(app, users):
    """[(session cookie, CSRF token)] of signed-in sessions of `users`, as the application
    writes them (Flask's session serializer, Flask-WTF's token serializer)."""
    from itsdangerous import URLSafeTimedSerializer

    serializer = app.session_interface.get_signing_serializer(app)
    csrf_serializer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
    credentials = []
    for user in users:
        raw = secrets.token_hex(20)
        cookie = serializer.dumps({"_user_id": user.get_id(), "_fresh": True, "csrf_token": raw})
        credentials.append((cookie, csrf_serializer.dumps(raw)))
    return credentials


def prepare(env, signers):
    """Migrate, seed `signers` citizens and an open petition; return (petition id,
    [(cookie, csrf)]). The small set-up of the correctness scripts and deploy/test_topology.py."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from participation.core.models import utcnow
    from participation.extensions import db
    from participation.institutions.models import Institution, Province
    from participation.institutions.services import load_territories
    from participation.petitions.models import Petition, PetitionKind
    from participation.petitions.rules import load_petition_kinds

    app = production_app(env)
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
        users = add_citizens(signers, provinces)
        now = utcnow()
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
        # The in-process bare INSERT of bench/request_instructions.py writes here.
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
        credentials = credentials_for(app, users)
        petition_id = petition.id
        db.engine.dispose()
    return petition_id, credentials


def final_counts(env, petition_id):
    """(counted signature rows, count shown: the sum of the sharded counters) of a petition."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.petitions.models import Signature
    from participation.petitions.queries import count_signatures

    app = production_app(env)
    with app.app_context():
        rows = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Signature)
            .where(Signature.petition_id == petition_id, Signature.status == "counted")
        )
        counted = count_signatures(petition_id)
        db.engine.dispose()
    return rows, counted


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


def serve(env, target, workers, port, *, cwd=ROOT, log=None, production=False):
    """gunicorn (sync workers) on `target`; with `production`, deploy/gunicorn.conf.py as in the
    deployment (its metrics directory in the instance folder). Output to `log` when given."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers)]
    command += ["--worker-class", "sync", "--bind", f"127.0.0.1:{port}"]
    if production:
        command += ["--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
        metrics = Path(env["INSTANCE_PATH"]) / f"prometheus-{port}"
        env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    else:
        command += ["--log-level", "warning"]
    output = open(log, "w") if log else None  # noqa: SIM115 (the server keeps it open)
    try:
        return subprocess.Popen(
            command + [target],
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )
    finally:
        if output:
            output.close()


def stop(server):
    server.terminate()
    server.wait(timeout=30)


@contextlib.contextmanager
def served(env, target, workers, health_path, **options):
    """gunicorn on `target` with `workers`, up and answering `health_path`; yields its port."""
    port = free_port()
    server = serve(env, target, workers, port, **options)
    try:
        wait_until_up(port, health_path)
        yield port
    finally:
        stop(server)


def wait_until_up(port, path):
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            connection.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def drive(port, requests, concurrency):
    """Correctness scripts only (see the module's docstring). requests: [(path, body, headers)],
    all POSTs. Returns (seconds, latencies, statuses); a failed connection is status 0."""
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


def process_tree_cpu(pid):
    """CPU time (user + system, seconds) used so far by a process and its live children (a
    gunicorn master and its workers), from /proc."""
    ticks = 0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for process in [pid, *map(int, children)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def loadavg():
    return float(Path("/proc/loadavg").read_text().split()[0])


def write_requests(path, lines):
    """A request file for bench/surge.lua: one request (or journey) per line, tab-separated."""
    Path(path).write_text("".join("\t".join(fields) + "\n" for fields in lines))
    return path


RESULT = re.compile(r"RESULT (\{.*\})")


def run_wrk(port, mode, requests, *, seconds, threads=2, connections=16, expected=200):
    """wrk with bench/surge.lua on a request file (see the script for the modes). Returns its
    RESULT, plus `rate` (ok answers, or journeys, per second of the measured time), `wrk_cpu`
    (wrk's user + system seconds, from wait4) and `wall` (wrk's whole run)."""
    done = Path(tempfile.mkstemp(prefix="surge-done-")[1])
    # Where connections with nothing more to send go (surge.lua): a listening socket whose queue
    # of connections is kept full, so that the kernel drops their SYNs and they stay connecting
    # (until the phase ends): a connection never opened never asks the script for a request, so
    # it cannot take work meant for a connection to the server.
    sockets = contextlib.ExitStack()
    sink = sockets.enter_context(socket.socket())
    sink.bind(("127.0.0.1", 0))
    sink.listen(0)
    for _ in range(2):
        filler = sockets.enter_context(socket.socket())
        filler.setblocking(False)
        filler.connect_ex(sink.getsockname())
    command = ["wrk", "--threads", str(threads), "--connections", str(connections)]
    command += ["--duration", f"{int(seconds) + 30}s", "--timeout", "10s"]
    command += ["--script", str(BENCH / "surge.lua"), f"http://127.0.0.1:{port}", "--"]
    command += [mode, str(requests), str(threads), str(seconds), str(done), str(expected)]
    command += [str(sink.getsockname()[1]), str(connections // threads)]
    started = time.perf_counter()
    with sockets, tempfile.TemporaryFile("w+") as output:
        wrk = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        try:
            _pid, status, usage = os.wait4(wrk.pid, 0)
        except BaseException:
            wrk.send_signal(signal.SIGKILL)
            raise
        wrk.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    done.unlink()
    match = RESULT.search(text)
    if match is None:
        raise RuntimeError(f"wrk gave no result:\n{text}")
    result = json.loads(match.group(1))
    result["wall"] = time.perf_counter() - started
    result["wrk_cpu"] = usage.ru_utime + usage.ru_stime
    result["rate"] = result["ok"] / result["seconds"] if result["seconds"] else 0.0
    return result

"""The topology test (issue 14): the production set-up of docs/deployment.md, started for real on
loopback ports, and checked against SPEC §9 and §10.

    . .venv/bin/activate && python deploy/test_topology.py        (as root in CI, or as a user)

It starts, in a temporary directory removed afterwards:
- a throw-away PostgreSQL cluster (Debian's initdb and pg_ctl, run as `postgres` when started by
  root) on a free port: never the machine's shared server, which the test restarts;
- a throw-away redis-server on a free port (the test stops it), database 8;
- an SMTP server (aiosmtpd, in this process) that records every message it receives;
- two gunicorn nodes, each `gunicorn -c deploy/gunicorn.conf.py wsgi:app` with its own bind,
  with PARTICIPATION_CONFIG=production and the settings of deploy/participation.env.example;
- Debian's nginx with deploy/nginx/participation.conf, only its addresses, ports, certificate
  (self-signed, made here with openssl) and paths substituted: TLS, HTTP/2, the upstream with its
  passive health checks and retry rules, X-Forwarded-For from $proxy_add_x_forwarded_for, all as
  shipped. The site's IPv6 `listen` lines are left out (containers often have no IPv6).

The database is migrated with `flask db upgrade`, seeded with `flask seed-demo` (the demo
citizen who signs in) and with bench/harness.py's prepare() (citizens with verified
identities, an open petition, their session cookies). Then it checks:

1. real client addresses: clients on distinct loopback addresses (127.0.0.11, 127.0.0.12...)
   reach nginx, which adds each one's address to X-Forwarded-For as shipped; with
   TRUSTED_PROXIES=1 the nodes count sign-in attempts per client: one client gets 429 while the
   other is still served, and a client's own X-Forwarded-For does not get it out of its limit.
   Distinct source addresses exercise the site exactly as shipped; a trusted hop in front of
   nginx would be TRUSTED_PROXIES=2 (deploy/participation.env.example), not this set-up.
2. shared state: a sign-in made on node A is a session on node B (each node hit directly), and a
   client's sign-in attempts are counted once over both nodes (Redis). Shared pages: an
   anonymous GET of the home page, the petitions listing and a petition page is a MISS of nginx's
   cache, the next one a HIT (public, s-maxage, ETag); one with a session cookie a BYPASS.
3. crash: a signing storm of distinct signed-in citizens through nginx, each from its own
   address; node A's whole process group is killed with SIGKILL mid-storm; nginx carries on with
   node B; every signature answered with success is in the database; counters equal rows
   (bench/signing_storm.py's count_by_province, which runs the app's reconcile_counts).
4. database restart: PostgreSQL (the throw-away cluster) stopped and started mid-storm: only
   503s (with Retry-After), no 500 or 502, no acknowledged signature lost, served again within
   10 s of PostgreSQL's return, counters equal rows.
5. Redis stop: redis-server stopped mid-storm: every signature still answered with success.
6. jobs: `flask tick`, then `flask outbox send`, started at the same moment with each node's
   settings: no signer told twice of a step, every queued e-mail received once by the SMTP server.

A citizen whose signature got a 502 or 503 tries again (as a person would), so every citizen of
a storm ends up signed. It prints a table of what it did and what it saw and exits 1 on any
violation (2 when a tool is missing). Durations are trimmed (storms of a few seconds, two
workers per node), not checks.
"""

import argparse
import contextlib
import email
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, deque
from glob import glob
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
HOST = "participation.test"
REDIS_DB = 8
LOGIN_LIMIT = 5  # RATELIMIT_LOGIN_ADDRESS for the test: "5 per minute"
SIGNERS_PER_STORM = 700
STORM_CLIENTS = 12
NOTIFY_BATCH = 300  # SIGNER_NOTIFICATION_BATCH: signers told per tick
FORM = "application/x-www-form-urlencoded"


class Missing(Exception):
    """A required tool is not installed."""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signer_address(index):
    """Each citizen of the storms signs from an address of its own."""
    return f"127.1.{index // 250}.{index % 250 + 1}"


# HTTP ----------------------------------------------------------------------------------------


class _TLSConnection(http.client.HTTPSConnection):
    """To nginx on 127.0.0.1 with SNI participation.test (the site refuses handshakes without it)."""

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout, self.source_address)
        self.sock = self._context.wrap_socket(sock, server_hostname=HOST)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def cookie(self, name="session"):
        for header, value in self.headers:
            if header.lower() == "set-cookie" and value.startswith(name + "="):
                return value.split(";", 1)[0].split("=", 1)[1]
        return None

    def header(self, name):
        return next((v for h, v in self.headers if h.lower() == name.lower()), None)


def fetch(
    port,
    method,
    path,
    *,
    tls_context=None,
    source="127.0.0.1",
    body=None,
    cookie=None,
    headers=None,
    timeout=30,
):
    """One request on a new connection from `source`: through nginx when `tls_context` is given,
    else straight to a node. Returns an Answer, or status 0 when the connection failed."""
    if tls_context is not None:
        connection = _TLSConnection(
            HOST, port, context=tls_context, timeout=timeout, source_address=(source, 0)
        )
    else:
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=timeout, source_address=(source, 0)
        )
    sent = {"Host": HOST, "Referer": f"https://{HOST}/fr/", **(headers or {})}
    if cookie:
        sent["Cookie"] = f"session={cookie}"
    if body is not None:
        sent["Content-Type"] = FORM
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return Answer(
            response.status, response.getheaders(), response.read().decode("utf-8", "replace")
        )
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, [], f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def csrf_token(page):
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', page)
    value = field and re.search(r'value="([^"]+)"', field.group(0))
    if not value:
        raise AssertionError("no csrf_token in the page")
    return value.group(1)


# SMTP ----------------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler: every message received, by Message-ID."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = []  # (Message-ID, recipients)

    async def handle_DATA(self, server, session, envelope):
        parsed = email.message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append((parsed["Message-ID"], tuple(envelope.rcpt_tos)))
        return "250 OK"


# The set-up ----------------------------------------------------------------------------------


class Topology:
    def __init__(self, work):
        self.work = work
        self.processes = {}  # name -> Popen (each the leader of its own process group)
        self.logs = {}
        self.pg_bin = None
        self.pg_data = work / "pg" / "data"
        self.smtp = None
        self.mailbox = Mailbox()
        self.ports = {
            name: free_port()
            for name in ("postgres", "redis", "smtp", "node a", "node b", "http", "https")
        }
        self.secrets = {}

    # tools
    def check_tools(self):
        initdb = sorted(glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
        if not initdb:
            raise Missing("PostgreSQL's server binaries (/usr/lib/postgresql/*/bin/initdb)")
        self.pg_bin = Path(initdb[-1]).parent
        for tool in ("nginx", "openssl", "redis-server", "redis-cli"):
            if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
                raise Missing(tool)
        for module in ("aiosmtpd", "gunicorn", "flask"):
            try:
                __import__(module)
            except ImportError:
                raise Missing(f"python module {module} (pip install -e '.[test]')")
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise Missing("the postgres account (Debian's postgresql package makes it)")

    def as_postgres(self, command):
        """PostgreSQL refuses to run as root: as root, run its tools as the postgres account."""
        return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command

    def start_process(self, name, command, *, env=None, cwd=ROOT):
        log = (self.work / "logs" / f"{name.replace(' ', '-')}.log").open("ab")
        self.logs[name] = Path(log.name)
        self.processes[name] = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        return self.processes[name]

    def stop_process(self, name, sig=signal.SIGTERM, wait=15):
        process = self.processes.pop(name, None)
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        # Whatever the leader left behind in its group (gunicorn's workers after a SIGKILL).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, name, lines=40):
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    # PostgreSQL
    def start_postgres(self):
        (self.work / "pg").mkdir()
        self.pg_data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.work / "pg", "postgres", "postgres")
            shutil.chown(self.pg_data, "postgres", "postgres")
        subprocess.run(
            self.as_postgres(
                [
                    str(self.pg_bin / "initdb"),
                    "-D",
                    str(self.pg_data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                    "--no-sync",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self.pg_ctl("start")
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports["postgres"]),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE participation",
            ],
            check=True,
            capture_output=True,
        )

    def pg_ctl(self, action, *extra):
        # fsync off: the test restarts the server process, never the machine, so nothing
        # committed can be lost by it; it spares the shared disk.
        options = (
            f"-p {self.ports['postgres']} -c listen_addresses=127.0.0.1 "
            "-c unix_socket_directories='' -c fsync=off -c max_connections=60"
        )
        command = [str(self.pg_bin / "pg_ctl"), action, "-D", str(self.pg_data), "-w", *extra]
        if action == "start":
            command += ["-o", options, "-l", str(self.work / "pg" / "server.log")]
        subprocess.run(self.as_postgres(command), check=True, capture_output=True, timeout=60)

    def stop_postgres(self):
        if (self.pg_data / "postmaster.pid").exists():
            subprocess.run(
                self.as_postgres(
                    [
                        str(self.pg_bin / "pg_ctl"),
                        "stop",
                        "-D",
                        str(self.pg_data),
                        "-m",
                        "immediate",
                    ]
                ),
                capture_output=True,
                timeout=60,
            )

    # Redis and SMTP
    def start_redis(self):
        directory = self.work / "redis"
        directory.mkdir(exist_ok=True)
        self.start_process(
            "redis",
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.ports["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
        )
        for _ in range(100):
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.ports["redis"]), "ping"], capture_output=True
            )
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start:\n" + self.log_tail("redis"))

    def start_smtp(self):
        from aiosmtpd.controller import Controller

        self.smtp = Controller(self.mailbox, hostname="127.0.0.1", port=self.ports["smtp"])
        self.smtp.start()

    # The application
    def environment(self, node):
        """One node's environment file (deploy/participation.env.example), for this machine."""
        from cryptography.fernet import Fernet

        if not self.secrets:
            self.secrets = {
                "SECRET_KEY": secrets.token_urlsafe(48),
                "CIN_HASH_KEY": secrets.token_urlsafe(48),
                "CIN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            }
        shared = self.work / "shared"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PARTICIPATION_", "TEST_", "RATELIMIT_", "FLASK_"))
        }
        env.update(self.secrets)
        env.update(
            {
                "PARTICIPATION_CONFIG": "production",
                "PUBLIC_BASE_URL": f"https://{HOST}",
                "TRUSTED_HOSTS": HOST,
                "TRUSTED_PROXIES": "1",
                "DATABASE_URL": (
                    f"postgresql://postgres@127.0.0.1:{self.ports['postgres']}/participation"
                ),
                "PGCONNECT_TIMEOUT": "5",
                "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/{REDIS_DB}",
                "INSTANCE_PATH": str(shared),
                "ATTACHMENT_DIR": str(shared / "attachments"),
                "MAIL_BACKEND": "smtp",
                "MAIL_DELIVER_INLINE": "false",
                "MAIL_FROM": "Participation <no-reply@participation.test>",
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(self.ports["smtp"]),
                "SMTP_STARTTLS": "false",
                "SMTP_SSL": "false",
                "SMTP_TIMEOUT": "20",
                "REQUIRE_STAFF_2FA": "true",
                "SESSION_COOKIE_SECURE": "true",
                "PREFERRED_URL_SCHEME": "https",
                "LOG_FORMAT": "json",
                "GUNICORN_BIND": f"127.0.0.1:{self.ports[node]}",
                # Each node's own metrics directory, as on two machines.
                "PROMETHEUS_MULTIPROC_DIR": str(self.work / node.replace(" ", "-") / "metrics"),
                # Trimmed for the test: a limit reached in a few requests, a small tick batch.
                "RATELIMIT_LOGIN_ADDRESS": f"{LOGIN_LIMIT} per minute",
                "SIGNER_NOTIFICATION_BATCH": str(NOTIFY_BATCH),
                "PYTHONDONTWRITEBYTECODE": "1",
            }
        )
        return env

    def flask(self, node, *args, check=True, timeout=300):
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.environment(node),
            capture_output=True,
            text=True,
            check=check,
            timeout=timeout,
        )

    def helper(self, name, *args):
        """This script's --helper `name`, in a process of its own with node A's settings."""
        finished = subprocess.run(
            [sys.executable, __file__, "--helper", name, *map(str, args)],
            cwd=ROOT,
            env=self.environment("node a"),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if finished.returncode != 0:
            raise RuntimeError(f"helper {name} failed:\n{finished.stderr[-4000:]}")
        return json.loads(finished.stdout.strip().splitlines()[-1])

    def start_node(self, node):
        self.start_process(
            node,
            [
                sys.executable,
                "-m",
                "gunicorn",
                "wsgi:app",
                "--config",
                "deploy/gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.ports[node]}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
                "--max-requests",
                "10000",
                "--max-requests-jitter",
                "1000",
            ],
            env=self.environment(node),
        )

    def wait_ready(self, node, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.processes[node].poll() is not None:
                break
            if fetch(self.ports[node], "GET", "/readyz", timeout=5).status == 200:
                return
            time.sleep(0.25)
        raise RuntimeError(f"{node} is not ready:\n" + self.log_tail(node))

    # nginx
    def start_nginx(self):
        directory = self.work / "nginx"
        directory.mkdir()
        for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (directory / temp).mkdir()
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                f"/CN={HOST}",
                "-addext",
                f"subjectAltName=DNS:{HOST}",
                "-keyout",
                str(directory / "privkey.pem"),
                "-out",
                str(directory / "fullchain.pem"),
            ],
            check=True,
            capture_output=True,
        )
        (directory / "participation.conf").write_text(self.nginx_site(directory))
        user = ""
        if os.geteuid() == 0:  # as Debian's nginx.conf: workers run as www-data
            account = "www-data" if _account_exists("www-data") else "nobody"
            user = f"user {account};"
            for temp in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                shutil.chown(directory / temp, account)
        (directory / "nginx.conf").write_text(
            f"""{user}
daemon off;
worker_processes 2;
pid {directory}/nginx.pid;
error_log {directory}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    client_body_temp_path {directory}/body;
    proxy_temp_path {directory}/proxy;
    fastcgi_temp_path {directory}/fastcgi;
    uwsgi_temp_path {directory}/uwsgi;
    scgi_temp_path {directory}/scgi;
    include {directory}/participation.conf;
}}
"""
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        command = [nginx, "-p", str(directory), "-c", str(directory / "nginx.conf")]
        test = subprocess.run(
            [*command, "-e", str(directory / "error.log"), "-t"], capture_output=True, text=True
        )
        if test.returncode != 0:
            raise RuntimeError("nginx -t refused the generated site:\n" + test.stderr)
        self.start_process("nginx", [*command, "-e", str(directory / "error.log")])
        self.tls = ssl.create_default_context(cafile=str(directory / "fullchain.pem"))
        for _ in range(100):
            if fetch(self.ports["https"], "GET", "/healthz", tls_context=self.tls).status == 200:
                return
            time.sleep(0.1)
        raise RuntimeError("nginx does not answer:\n" + self.log_tail("nginx"))

    def nginx_site(self, directory):
        """deploy/nginx/participation.conf with this machine's ports, certificate and paths; each
        substitution must apply exactly as often as expected, so a change of the site is noticed."""
        site = (ROOT / "deploy" / "nginx" / "participation.conf").read_text()
        http_port, https_port = self.ports["http"], self.ports["https"]
        replacements = [
            ("server 10.0.0.11:8000 ", f"server 127.0.0.1:{self.ports['node a']} ", 1),
            ("server 10.0.0.12:8000 ", f"server 127.0.0.1:{self.ports['node b']} ", 1),
            ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;", 1),
            ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
            ("listen 443 ssl ", f"listen 127.0.0.1:{https_port} ssl ", 2),
            ("server_name participation.ma;", f"server_name {HOST};", 2),
            ("/etc/ssl/participation/", f"{directory}/", 2),
            ("/var/log/nginx/", f"{directory}/", 2),
            ("/var/cache/nginx/participation ", f"{directory}/cache ", 1),
            ("alias /srv/participation/app/static/;", f"alias {ROOT}/static/;", 1),
        ]
        for old, new, count in replacements:
            if site.count(old) != count:
                raise RuntimeError(
                    f"deploy/nginx/participation.conf changed: {old!r} appears "
                    f"{site.count(old)} times, expected {count}; update deploy/test_topology.py"
                )
            site = site.replace(old, new)
        site, ipv6 = re.subn(r"^\s*listen \[::\]:\d+[^;]*;\n", "", site, flags=re.M)
        if ipv6 != 4:
            raise RuntimeError(f"expected 4 IPv6 listen lines in the site, found {ipv6}")
        return site

    def cleanup(self):
        for name in list(self.processes):
            self.stop_process(name, signal.SIGTERM, wait=10)
        if self.smtp is not None:
            with contextlib.suppress(Exception):
                self.smtp.stop()
        self.stop_postgres()


def _version(path):
    return int(re.search(r"/postgresql/(\d+)/", path).group(1))


def _account_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# The report ------------------------------------------------------------------------------------


class Report:
    def __init__(self):
        self.rows = []  # (check, did, saw, ok)

    def add(self, check, did, saw, ok):
        self.rows.append((check, did, saw, bool(ok)))
        print(f"[{'ok' if ok else 'VIOLATION'}] {check}: {saw}", flush=True)
        return ok

    @property
    def failed(self):
        return [row for row in self.rows if not row[3]]

    def print(self):
        headers = ("check", "what it did", "what it saw", "result")
        rows = [(c, d, s, "ok" if ok else "VIOLATION") for c, d, s, ok in self.rows]
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(3)]
        widths = [min(width, limit) for width, limit in zip(widths, (26, 58, 78))]
        print()
        line = "+".join("-" * (w + 2) for w in [*widths, 9])
        print(line)
        for row in [headers, *rows]:
            cells = [_wrap(str(value), width) for value, width in zip(row[:3], widths)]
            height = max(len(cell) for cell in cells)
            for i in range(height):
                parts = [
                    (cell[i] if i < len(cell) else "").ljust(w) for cell, w in zip(cells, widths)
                ]
                parts.append(row[3] if i == 0 else "")
                print(" | ".join(parts))
            print(line)


def _wrap(text, width):
    lines, current = [], ""
    for word in text.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current]


# The storms ------------------------------------------------------------------------------------


class Storm:
    """Distinct signed-in citizens sign one petition through nginx, `clients` at a time, each from
    its own address; a citizen answered 502 or 503 (or whose connection failed) tries again after
    a pause, as a person would. `disrupt` runs in this thread `at` seconds in; the storm goes on
    for `after` seconds once it returned (or until its citizens have all signed).

    Outcomes: "ok" (302 to the petition's #your-signature: acknowledged), "already signed" (302
    to the petition without it: the signature was refused as a repeat; expected only for a
    citizen trying again after a 502 or 503 whose signature had been kept after all), the HTTP
    status otherwise, 0 when the connection to nginx failed."""

    def __init__(self, topology, petition_id, credentials, signers):
        self.topology, self.petition_id = topology, petition_id
        self.credentials, self.queue = credentials, deque(signers)
        self.lock = threading.Lock()
        self.records = []  # (signer, started, ended, outcome, retry, retry_after, detail)
        self.tried = set()
        self.stop = threading.Event()

    def sign(self, index):
        cookie, csrf = self.credentials[index]
        petition = f"/fr/petitions/{self.petition_id}"
        started = time.monotonic()
        answer = fetch(
            self.topology.ports["https"],
            "POST",
            petition + "/sign",
            tls_context=self.topology.tls,
            source=signer_address(index),
            body=f"consent=y&csrf_token={csrf}",
            cookie=cookie,
            headers={"Referer": f"https://{HOST}{petition}"},
            timeout=60,
        )
        location = answer.header("Location") or ""
        outcome = answer.status
        if answer.status == 302 and location.startswith(petition):
            outcome = "ok" if location.endswith("#your-signature") else "already signed"
        with self.lock:
            retry = index in self.tried
            self.tried.add(index)
            self.records.append(
                (
                    index,
                    started,
                    time.monotonic(),
                    outcome,
                    retry,
                    answer.header("Retry-After"),
                    answer.body[:200] if answer.status == 0 else "",
                )
            )
        return outcome

    def client(self):
        while not self.stop.is_set():
            with self.lock:
                index = self.queue.popleft() if self.queue else None
            if index is None:
                return
            if self.sign(index) in (0, 502, 503):
                with self.lock:
                    self.queue.append(index)
                time.sleep(0.1)

    def run(self, disrupt, *, at=1.2, after=3.0, clients=STORM_CLIENTS):
        threads = [threading.Thread(target=self.client, daemon=True) for _ in range(clients)]
        self.started = time.monotonic()
        for thread in threads:
            thread.start()
        time.sleep(at)
        outcome = disrupt()
        self.disrupted = time.monotonic()
        deadline = self.disrupted + after
        while time.monotonic() < deadline and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        self.stop.set()
        for thread in threads:
            thread.join(timeout=90)
        self.ended = time.monotonic()
        return outcome

    def acknowledged(self):
        return {record[0] for record in self.records if record[3] == "ok"}

    def already_signed(self):
        return {record[0] for record in self.records if record[3] == "already signed"}

    def statuses(self, since=None, until=None):
        """Outcomes of the requests started in [since, until); a repeat refused on a retry counts
        as "kept earlier", one on a first attempt as "already signed" (unexpected)."""
        return Counter(
            "kept earlier" if record[3] == "already signed" and record[4] else record[3]
            for record in self.records
            if (since is None or record[1] >= since) and (until is None or record[1] < until)
        )

    def failures(self):
        return sorted({record[6] for record in self.records if record[3] == 0})


def _statuses(counter):
    return ", ".join(f"{status}: {n}" for status, n in sorted(counter.items(), key=str)) or "none"


# The checks ------------------------------------------------------------------------------------


def check_client_addresses(topology, report):
    """Sign-in attempts through nginx from two client addresses; one reaches the limit."""
    port, tls = topology.ports["https"], topology.tls

    def attempts(source, count, spoof=None):
        page = fetch(port, "GET", "/fr/account/login", tls_context=tls, source=source)
        cookie, token = page.cookie(), csrf_token(page.body)
        headers = {"X-Forwarded-For": spoof} if spoof else {}
        statuses = []
        for _ in range(count):
            answer = fetch(
                port,
                "POST",
                "/fr/account/login",
                tls_context=tls,
                source=source,
                cookie=cookie,
                body=f"csrf_token={token}&email=nobody%40participation.test&password=wrong-password",
                headers=headers,
            )
            statuses.append(answer.status)
        return statuses

    first = attempts("127.0.0.11", LOGIN_LIMIT + 1)
    spoofed = attempts("127.0.0.11", 2, spoof="203.0.113.7")
    second = attempts("127.0.0.12", 2)
    expected_first = [200] * LOGIN_LIMIT + [429]
    report.add(
        "real client addresses",
        f"through nginx (TLS): {LOGIN_LIMIT + 1} wrong sign-ins from 127.0.0.11, 2 more with "
        "its own X-Forwarded-For: 203.0.113.7, then 2 from 127.0.0.12 "
        f"(limit {LOGIN_LIMIT}/min per address)",
        f"127.0.0.11: {first}; spoofing: {spoofed}; 127.0.0.12: {second}",
        first == expected_first and spoofed == [429, 429] and second == [200, 200],
    )
    seen = set()
    for node in ("node a", "node b"):
        for line in topology.logs[node].read_text(errors="replace").splitlines():
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if record.get("path") == "/fr/account/login" and record.get("remote"):
                    seen.add(record["remote"])
    report.add(
        "real client addresses",
        "read the nodes' request logs (remote, after ProxyFix with TRUSTED_PROXIES=1)",
        f"addresses logged for /fr/account/login: {sorted(seen)}",
        seen == {"127.0.0.11", "127.0.0.12"},
    )


def check_shared_state(topology, report, demo_email, demo_password):
    a, b = topology.ports["node a"], topology.ports["node b"]
    page = fetch(a, "GET", "/fr/account/login", source="127.0.0.21")
    signed_in = fetch(
        a,
        "POST",
        "/fr/account/login",
        source="127.0.0.21",
        cookie=page.cookie(),
        body=(
            f"csrf_token={csrf_token(page.body)}&email={demo_email.replace('@', '%40')}"
            f"&password={demo_password}"
        ),
    )
    session = signed_in.cookie()
    on_b = fetch(b, "GET", "/fr/account/", source="127.0.0.21", cookie=session)
    anonymous_on_b = fetch(b, "GET", "/fr/account/", source="127.0.0.21")
    report.add(
        "shared state: session",
        f"signed in as {demo_email} on node A (port {a}), then opened /fr/account/ on node B "
        f"(port {b}) with that cookie, and without it",
        f"A: {signed_in.status} -> {signed_in.header('Location')}; B with the cookie: "
        f"{on_b.status}, account shown: {demo_email in on_b.body}; B without: "
        f"{anonymous_on_b.status} -> {anonymous_on_b.header('Location')}",
        signed_in.status == 302
        and session
        and on_b.status == 200
        and demo_email in on_b.body
        and anonymous_on_b.status == 302
        and "/account/login" in (anonymous_on_b.header("Location") or ""),
    )

    # One address, its sign-in attempts split over the nodes.
    source = "127.0.0.22"
    page = fetch(a, "GET", "/fr/account/login", source=source)
    cookie, token = page.cookie(), csrf_token(page.body)
    body = f"csrf_token={token}&email=nobody%40participation.test&password=wrong-password"
    plan = ["A"] * 3 + ["B"] * (LOGIN_LIMIT - 3) + ["B", "A"]
    seen = [
        (node, fetch(a if node == "A" else b, "POST", "/fr/account/login", source=source,
                     cookie=cookie, body=body).status)
        for node in plan
    ]  # fmt: skip
    expected = [200] * LOGIN_LIMIT + [429, 429]
    report.add(
        "shared state: limits",
        f"{len(plan)} wrong sign-ins from 127.0.0.22 straight to the nodes: {''.join(plan)} "
        f"(limit {LOGIN_LIMIT}/min per address, counted in Redis)",
        " ".join(f"{node}:{status}" for node, status in seen),
        [status for _node, status in seen] == expected,
    )


def check_shared_pages(topology, report, petition_id):
    """The anonymous public pages through nginx (docs/caching.md): the second GET is a HIT of
    nginx's cache, with the application's public caching headers; with a session cookie the cache
    is bypassed."""
    https, tls = topology.ports["https"], topology.tls
    moved = fetch(https, "GET", f"/fr/petitions/{petition_id}", tls_context=tls)
    page = urllib.parse.urlsplit(moved.header("Location") or "").path or "/fr/petitions/"
    seen = []
    for path in ("/fr/", "/fr/petitions/", page):
        first, second = (fetch(https, "GET", path, tls_context=tls) for _ in range(2))
        with_cookie = fetch(https, "GET", path, tls_context=tls, cookie="not-signed-in")
        seen.append(
            (
                path,
                first.status,
                first.header("X-Cache-Status"),
                second.header("X-Cache-Status"),
                with_cookie.header("X-Cache-Status"),
                second.header("Cache-Control"),
                bool(second.header("ETag")),
            )
        )
    report.add(
        "shared pages",
        "two anonymous GETs of the home page, the petitions listing and the petition page "
        "through nginx, then one with a session cookie",
        "; ".join(
            f"{path}: {status} {first}, then {second}, with a cookie {cookie} ({control}, "
            f"ETag {etag})"
            for path, status, first, second, cookie, control, etag in seen
        ),
        all(
            status == 200
            and first in {"MISS", "EXPIRED"}
            and second == "HIT"
            and cookie == "BYPASS"
            and control.startswith("public, max-age=0, s-maxage=")
            and etag
            for _path, status, first, second, cookie, control, etag in seen
        ),
    )


def verify_signatures(topology, report, check, storm, petition_id):
    """Every acknowledged signature has its row; counters equal rows; reconcile finds no drift."""
    found = topology.helper("inspect", petition_id)
    signed = set(found["signed"])
    lost = sorted(storm.acknowledged() - signed)
    # Refused as a repeat on a retry: the attempt answered 502/503 had been kept.
    kept_missing = sorted(storm.already_signed() - signed)
    report.add(
        check,
        "compared the acknowledged signatures with the database; counters with rows "
        "(count_by_province, reconcile_counts)",
        f"{len(storm.acknowledged())} acknowledged, {len(lost)} missing; "
        f"{len(storm.already_signed())} refused as repeats on a retry, {len(kept_missing)} of "
        f"them missing; rows {found['rows']} "
        f"(counted), counters {found['counters']}, provinces unequal {found['unequal']}, "
        f"reconcile drift {found['drift']}",
        not lost
        and not kept_missing
        and found["rows"] == found["counters"]
        and not found["unequal"]
        and not found["drift"],
    )
    return found


def check_crash(topology, report, petition_id, credentials, signers):
    storm = Storm(topology, petition_id, credentials, signers)
    process = topology.processes["node a"]

    def kill_node_a():
        os.killpg(process.pid, signal.SIGKILL)
        storm.killed = time.monotonic()
        topology.processes.pop("node a")
        process.wait(timeout=10)
        # Connections already queued in the dying node's listen backlog still fail after the
        # signal; from here on, its port refuses them and nginx passes POSTs to node B.
        while fetch(topology.ports["node a"], "GET", "/healthz", timeout=2).status != 0:
            time.sleep(0.01)
        storm.gone = time.monotonic()

    storm.run(kill_node_a, at=1.2, after=3.0)
    dying = storm.statuses(since=storm.killed - 60, until=storm.gone)
    after = storm.statuses(since=storm.gone)
    report.add(
        "crash",
        f"signing storm through nginx, {STORM_CLIENTS} clients, each citizen from its own "
        f"address; kill -9 of node A's process group {storm.killed - storm.started:.1f} s in "
        f"(its port refused connections {1000 * (storm.gone - storm.killed):.0f} ms later); "
        f"storm went on {storm.ended - storm.gone:.1f} s",
        f"requests started once node A was gone: {_statuses(after)}",
        after.get("ok", 0) >= 20 and set(after) <= {"ok", "kept earlier"},
    )
    report.add(
        "crash",
        "requests started before node A's port closed (those that reached it get nginx's 502: "
        "proxy_next_upstream without non_idempotent never sends a POST twice; one whose answer "
        "node A had begun to send when it died reaches the client as a closed connection, 0, "
        "since nginx cannot turn a relayed answer into a 502: unacknowledged either way)",
        _statuses(dying) + (f"; failed connections: {storm.failures()}" if dying.get(0) else ""),
        set(dying) <= {"ok", 502, 0, "kept earlier"},
    )
    verify_signatures(topology, report, "crash", storm, petition_id)
    topology.start_node("node a")
    topology.wait_ready("node a")


def check_database_restart(topology, report, petition_id, credentials, signers):
    storm = Storm(topology, petition_id, credentials, signers)
    times = {}

    def restart():
        times["stop"] = time.monotonic()
        topology.pg_ctl("stop", "-m", "fast")
        time.sleep(1.0)  # down for a second at least, so that the storm meets the outage
        topology.pg_ctl("start")
        times["up"] = time.monotonic()

    storm.run(restart, at=1.2, after=3.0)
    seen = storm.statuses()
    during = storm.statuses(since=times["stop"], until=times["up"])
    back = [r for r in storm.records if r[1] >= times["up"] and r[3] == "ok"]
    recovery = min(r[2] for r in back) - times["up"] if back else None
    without_retry_after = sum(1 for r in storm.records if r[3] == 503 and not r[5])
    report.add(
        "database restart",
        "signing storm through nginx; the test's PostgreSQL stopped (pg_ctl stop -m fast) "
        f"{times['stop'] - storm.started:.1f} s in, started again after "
        f"{times['up'] - times['stop']:.1f} s",
        f"all answers: {_statuses(seen)}; during the outage: {_statuses(during)}; "
        f"503 without Retry-After: {without_retry_after}",
        set(seen) <= {"ok", 503, "kept earlier"}
        and seen.get(503, 0) > 0
        and not without_retry_after,
    )
    report.add(
        "database restart",
        "time from PostgreSQL accepting connections to the first signature answered with success",
        f"{recovery:.2f} s" if recovery is not None else "never served again",
        recovery is not None and recovery <= 10,
    )
    verify_signatures(topology, report, "database restart", storm, petition_id)


def check_redis_stop(topology, report, petition_id, credentials, signers):
    storm = Storm(topology, petition_id, credentials, signers)

    def stop_redis():
        topology.stop_process("redis", signal.SIGTERM)
        storm.stopped = time.monotonic()

    storm.run(stop_redis, at=1.2, after=3.0)
    after = storm.statuses(since=storm.stopped)
    warned = [
        node
        for node in ("node a", "node b")
        if "rate-limit storage unreachable" in topology.logs[node].read_text(errors="replace")
    ]
    report.add(
        "Redis stop",
        "signing storm through nginx; redis-server stopped (SIGTERM) "
        f"{storm.stopped - storm.started:.1f} s in; storm went on {storm.ended - storm.stopped:.1f} s",
        f"all answers: {_statuses(storm.statuses())}; after the stop: {_statuses(after)}; "
        f"fallback warning logged by: {', '.join(warned) or 'no node'}",
        set(storm.statuses()) <= {"ok", "kept earlier"} and after.get("ok", 0) >= 20 and warned,
    )
    verify_signatures(topology, report, "Redis stop", storm, petition_id)


# `flask --app wsgi <command>`, its imports done first, then held until the given moment: the two
# runs start within milliseconds of each other, as two nodes' timers firing at the same second.
LAUNCHER = """
import sys, time
import wsgi  # noqa: F401 (the application, created before the wait)
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
print(f"started {time.time() - start:+.3f} s", flush=True)
from flask.cli import main
sys.argv = ["flask", "--app", "wsgi", *sys.argv[2:]]
main()
"""


def run_on_both_nodes(topology, *args):
    """The same command with each node's settings, started at the same moment (two timers).
    Returns [(exit code, first line, last line, stderr)]."""
    start = time.time() + 8  # after both processes' imports, on a loaded machine
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(start), *args],
            cwd=ROOT,
            env=topology.environment(node),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for node in ("node a", "node b")
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        lines = out.strip().splitlines() or [""]
        results.append((process.returncode, lines[0], lines[-1], err))
        if process.returncode:
            print(err[-3000:], file=sys.stderr)
    return results


def _runs(results):
    return "; ".join(
        f"node {node}: {first}, exit {code}, {last!r}"
        for node, (code, first, last, _err) in zip("AB", results)
    )


def check_jobs(topology, report, petition_id):
    before = topology.helper("step", petition_id)
    ticks = run_on_both_nodes(topology, "tick")
    told = topology.helper("outbox", petition_id)
    report.add(
        "jobs: tick",
        f"recorded a step of the petition ({before['counted']} signers); `flask tick` started on "
        f"both nodes at once (batch {NOTIFY_BATCH} signers per run)",
        _runs(ticks)
        + f"; step mails queued {told['step_mails']} ({told['bench_step_mails']} to the storms' "
        f"signers), the same mail twice to one person: {told['step_twice']}",
        all(code == 0 for code, *_rest in ticks)
        and told["bench_step_mails"] > 0
        and not told["step_twice"],
    )
    queued = told["queued"]
    received_before = len(topology.mailbox.messages)
    rounds = []
    # One run sends at most 500 messages (send_due_messages' limit): rounds as the timers' minutes.
    for _round in range(4):
        rounds.append(run_on_both_nodes(topology, "outbox", "send"))
        after = topology.helper("outbox", petition_id)
        if not after["queued"]:
            break
    with topology.mailbox.lock:
        arrived = [mid or "" for mid, _to in topology.mailbox.messages[received_before:]]
    # make_msgid(idstring=f"outbox{id}"): <time.pid.random.outbox<id>@host>, new at each delivery.
    received_ids = Counter(
        m.group(1) if (m := re.search(r"\.outbox(\d+)@", mid)) else mid for mid in arrived
    )
    expected = Counter(str(mid) for mid in queued)
    twice = sum(1 for n in received_ids.values() if n > 1)
    report.add(
        "jobs: outbox send",
        f"`flask outbox send` started on both nodes at once, {len(queued)} e-mails queued; "
        f"{len(rounds)} round(s) until none was left",
        " / ".join(_runs(results) for results in rounds)
        + f"; received at the SMTP server {sum(received_ids.values())} "
        f"({len(received_ids)} distinct, {twice} more than once, "
        f"{len(set(received_ids) - set(expected))} not queued), still queued "
        f"{len(after['queued'])}",
        all(code == 0 for results in rounds for code, *_rest in results)
        and received_ids == expected
        and not after["queued"],
    )


# Helpers run in a process of their own, with a node's settings ---------------------------------


def helper_main(name, args):
    sys.path[:0] = [str(ROOT), str(BENCH)]
    import sqlalchemy as sa

    from config import load_config
    from participation import create_app
    from participation.extensions import db

    if name == "seed":
        from harness import prepare

        petition_id, credentials = prepare(dict(os.environ), int(args[0]))
        print(json.dumps({"petition_id": petition_id, "credentials": credentials}))
        return
    petition_id = int(args[0])
    if name == "inspect":
        from signing_storm import count_by_province

        provinces, drift, _lowest = count_by_province(dict(os.environ), petition_id)
        from participation.auth.models import User
        from participation.petitions.models import Signature

        app = create_app(load_config("production"))
        with app.app_context():
            emails = db.session.scalars(
                sa.select(User.email)
                .join(Signature, Signature.user_id == User.id)
                .where(Signature.petition_id == petition_id)
            ).all()
            db.engine.dispose()
        signed = [int(m.group(1)) for e in emails if (m := re.match(r"s(\d+)@bench", e or ""))]
        print(
            json.dumps(
                {
                    "signed": signed,
                    "rows": sum(rows for rows, _c in provinces.values()),
                    "counters": sum(counted for _r, counted in provinces.values()),
                    "unequal": sum(1 for rows, counted in provinces.values() if rows != counted),
                    "drift": len(drift),
                }
            )
        )
        return
    from participation.core.mail import OutboxMessage
    from participation.petitions.models import ProcessingStep, Signature

    app = create_app(load_config("production"))
    with app.app_context():
        if name == "step":
            from datetime import date

            db.session.add(
                ProcessingStep(
                    petition_id=petition_id,
                    kind="receipt",
                    occurred_on=date.today(),
                    body={"fr": "Reçue par le secrétariat.", "ar": "توصلت بها الكتابة."},
                )
            )
            db.session.commit()
            counted = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Signature)
                .where(Signature.petition_id == petition_id, Signature.status == "counted")
            )
            print(json.dumps({"counted": counted}))
        elif name == "outbox":
            # A person told twice of one step gets the same subject and text twice.
            step_mails = Counter(
                db.session.execute(
                    sa.select(
                        OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.body_text
                    ).where(OutboxMessage.template == "petition_step")
                ).all()
            )
            queued = db.session.scalars(
                sa.select(OutboxMessage.id).where(OutboxMessage.status == "queued")
            ).all()
            print(
                json.dumps(
                    {
                        "step_mails": sum(step_mails.values()),
                        "step_twice": sum(n - 1 for n in step_mails.values()),
                        "bench_step_mails": sum(
                            n
                            for (to, _s, _b), n in step_mails.items()
                            if to.endswith("@bench.invalid")
                        ),
                        "queued": queued,
                    }
                )
            )
        db.engine.dispose()


# Main ------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--helper", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()
    if options.helper:
        return helper_main(options.helper[0], options.helper[1:])

    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="participation-topology-"))
    work.chmod(0o755)  # the postgres and www-data accounts reach their folders in it
    (work / "logs").mkdir()
    topology = Topology(work)
    report = Report()
    status = 1
    try:
        try:
            topology.check_tools()
        except Missing as missing:
            print(f"missing required tool: {missing}", file=sys.stderr)
            return 2
        step = time.monotonic()
        topology.start_postgres()
        topology.start_redis()
        topology.start_smtp()
        topology.flask("node a", "db", "upgrade")
        demo_password = "Topology-" + secrets.token_urlsafe(12)
        seeded = topology.flask("node a", "seed-demo", "--password", demo_password).stdout
        demo_email = re.search(r"^\s+citizen\s+(\S+@\S+)\s+password:", seeded, re.M).group(1)
        signers = 1 + 3 * SIGNERS_PER_STORM
        seed = topology.helper("seed", signers)
        petition_id = seed["petition_id"]
        credentials = [tuple(pair) for pair in seed["credentials"]]
        report.add(
            "set-up",
            f"PostgreSQL {topology.pg_bin.parent.name} cluster on :{topology.ports['postgres']}, "
            f"redis-server on :{topology.ports['redis']} (db {REDIS_DB}), aiosmtpd on "
            f":{topology.ports['smtp']}; flask db upgrade, flask seed-demo, {signers - 1} "
            "citizens with verified identities and an open petition",
            f"ready in {time.monotonic() - step:.1f} s; petition {petition_id}",
            True,
        )
        step = time.monotonic()
        topology.start_node("node a")
        topology.start_node("node b")
        topology.wait_ready("node a")
        topology.wait_ready("node b")
        topology.start_nginx()
        static = fetch(
            topology.ports["https"], "GET", "/static/css/site.css", tls_context=topology.tls
        )
        report.add(
            "set-up",
            f"gunicorn -c deploy/gunicorn.conf.py on :{topology.ports['node a']} (A) and "
            f":{topology.ports['node b']} (B), 2 workers each, production config; nginx with "
            f"deploy/nginx/participation.conf on :{topology.ports['https']} (TLS, self-signed) "
            f"and :{topology.ports['http']}",
            f"/readyz 200 on both nodes, nginx up in {time.monotonic() - step:.1f} s; "
            f"/static/css/site.css from nginx: {static.status}, "
            f"Cache-Control {static.header('Cache-Control')!r}",
            static.status == 200 and static.header("Cache-Control") == "public, max-age=3600",
        )
        check_client_addresses(topology, report)
        check_shared_state(topology, report, demo_email, demo_password)
        check_shared_pages(topology, report, petition_id)
        pools = [
            range(1 + n * SIGNERS_PER_STORM, 1 + (n + 1) * SIGNERS_PER_STORM) for n in range(3)
        ]
        check_crash(topology, report, petition_id, credentials, pools[0])
        check_database_restart(topology, report, petition_id, credentials, pools[1])
        check_redis_stop(topology, report, petition_id, credentials, pools[2])
        check_jobs(topology, report, petition_id)
        status = 1 if report.failed else 0
    except Exception as error:
        report.add("error", "the run stopped", f"{type(error).__name__}: {error}", False)
        for name in list(topology.processes):
            print(f"--- {name} (last lines)\n{topology.log_tail(name)}", file=sys.stderr)
        status = 1
    finally:
        topology.cleanup()
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report.print()
    print(
        f"\n{len(report.rows) - len(report.failed)} of {len(report.rows)} observations as expected, "
        f"{len(report.failed)} violations; {time.monotonic() - started:.0f} s"
    )
    return status


if __name__ == "__main__":
    sys.exit(main())

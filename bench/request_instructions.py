"""Instructions per request, counted by callgrind: repeatable whatever the machine's load.

wrk's throughput on a shared 2-core machine moves by a third from run to run; the number of
instructions a request executes in the server process moves by about 1 %. This script serves
requests in-process through gunicorn's own sync-worker code (`SyncWorker.handle`: its HTTP parser,
its WSGI environ, its response writer) over a socket pair, so the count covers what a gunicorn
worker executes for one request except the kernel's work (accept, the TCP stack), which is the
same for every endpoint. Targets:

  hello    a bare Flask app answering "hello" (the ceiling for pages without the database)
  insert   a bare Flask endpoint doing one autocommit INSERT … ON CONFLICT DO NOTHING through
           psycopg, on a connection kept open (the ceiling for signing)
  healthz  the platform's GET /healthz, no cookie
  sign     the platform's signing POST, each by a distinct signed-in citizen (session cookie and
           CSRF token minted with the application's serializers), limits counted but raised
  page     the anonymous petition page (GET /fr/petitions/<id>-<slug>, no cookie), served from
           the page cache
  home     the anonymous home page /fr/, from the page cache
  listing  the anonymous petitions listing /fr/petitions/, from the page cache

The shared pages are requested once untimed (the cache is filled), then measured: every measured
request must be a cache hit, which the script checks by counting the calls of the page's view (a
hit runs none). The store's clock is frozen while they run, so that no entry ages out under
valgrind's slowdown (50 times: 2 s of PAGE_CACHE_SECONDS would last a dozen requests).
Before each target's measured requests the garbage collector runs once (untimed), so that what
the targets before it left is not collected in its window.

Run under valgrind, instrumentation on only around the measured requests (a tiny C helper,
compiled here with gcc, calls callgrind's client requests):

    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file=/tmp/cg.%p \
        python bench/request_instructions.py --requests 200

It prints, per target, the instructions per request (Ir of the dumped part divided by the number
of requests). Without valgrind it runs the same requests and checks their answers (a quick
self-test). The database (--database, created and seeded on first use, kept for later runs)
gets a new petition per run, so every signing POST is a new signature.
"""

import argparse
import ctypes
import gc
import os
import re
import socket
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path


def tree_from_arguments():
    """--tree PATH (default: this checkout): the code measured, imported before anything else."""
    if "--tree" in sys.argv:
        return Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    return Path(__file__).resolve().parent.parent


ROOT = tree_from_arguments()
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

POSTGRES = "postgresql://postgres@127.0.0.1:5432"

HELPER = r"""
#include <valgrind/callgrind.h>
int on_valgrind(void) { return RUNNING_ON_VALGRIND; }
void start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; }
void stop(const char *name) { CALLGRIND_STOP_INSTRUMENTATION; CALLGRIND_DUMP_STATS_AT(name); }
"""


def callgrind_helper():
    folder = Path(tempfile.mkdtemp(prefix="callgrind-helper-"))
    (folder / "helper.c").write_text(HELPER)
    subprocess.run(
        ["gcc", "-O1", "-shared", "-fPIC", "-o", folder / "helper.so", folder / "helper.c"],
        check=True,
    )
    helper = ctypes.CDLL(str(folder / "helper.so"))
    helper.stop.argtypes = [ctypes.c_char_p]
    return helper


class Worker:
    """gunicorn's sync worker, fed one request at a time over a socket pair."""

    def __init__(self, wsgi):
        from gunicorn.config import Config
        from gunicorn.glogging import Logger
        from gunicorn.workers.sync import SyncWorker

        cfg = Config()
        cfg.set("loglevel", "warning")
        self.worker = SyncWorker(0, os.getpid(), [], None, 30, cfg, Logger(cfg))
        self.worker.wsgi = wsgi
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))

    def request(self, raw):
        client, server = socket.socketpair()
        try:
            client.sendall(raw)
            client.shutdown(socket.SHUT_WR)  # as wrk's next read would, lets the worker close
            self.worker.handle(self.listener, server, ("127.0.0.1", 40000))
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
            return answer
        finally:
            client.close()


def raw_request(method, path, *, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    if body:
        lines += [
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def status_of(answer):
    return int(answer.split(b" ", 2)[1])


def hello_app():
    from flask import Flask

    app = Flask("hello")

    @app.get("/hello")
    def hello():
        return "hello"

    return app


def insert_app(database_url):
    import psycopg
    from flask import Flask

    app = Flask("insert")
    connection = psycopg.connect(database_url, autocommit=True)

    @app.post("/insert")
    def insert():
        connection.execute("INSERT INTO bench_rows (payload) VALUES ('x') ON CONFLICT DO NOTHING")
        return "", 204

    return app


SHARED_PAGES = {
    "page": ("petitions.detail", "/fr/petitions/{petition}-banc"),
    "home": ("public.home", "/fr/"),
    "listing": ("petitions.index", "/fr/petitions/"),
}


def counting_views(app, endpoints):
    """Wrap the views of `endpoints` to count their calls: a page served from the cache runs
    none, so a count that does not move proves every request was a hit."""
    calls = dict.fromkeys(endpoints, 0)
    for endpoint in endpoints:
        view = app.view_functions[endpoint]

        def counted(*args, _view=view, _endpoint=endpoint, **kwargs):
            calls[_endpoint] += 1
            return _view(*args, **kwargs)

        counted.__dict__.update(view.__dict__)  # the access policy, the shared page's generations
        app.view_functions[endpoint] = counted
    return calls


def freeze_page_cache_clock(app):
    """The page cache's store keeps its entries by a clock of its own: frozen at its reading now."""
    store = app.extensions["page_cache"].store
    frozen = store.clock()
    store.clock = lambda: frozen


def ensure_database(name, signers):
    """Create and seed the database `name` unless it exists; returns the environment."""
    from private_apis import add_petitions  # noqa: F401  (checked importable before seeding)
    from harness import environment, prepare

    instance = Path(tempfile.gettempdir()) / f"{name}-instance"
    instance.mkdir(exist_ok=True)
    env = environment(f"{POSTGRES}/{name}", instance)
    env.pop("REDIS_URL", None)
    credentials_file = instance / "credentials.tsv"
    exists = subprocess.run(
        [
            "psql",
            f"{POSTGRES}/postgres",
            "-tAc",
            f"SELECT 1 FROM pg_database WHERE datname='{name}'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not exists or not credentials_file.exists():
        subprocess.run(["psql", f"{POSTGRES}/postgres", "-qc", f"DROP DATABASE IF EXISTS {name}"])
        subprocess.run(
            ["psql", f"{POSTGRES}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True
        )
        petition_id, credentials = prepare(env, signers)
        credentials_file.write_text(
            f"{petition_id}\n" + "".join(f"{c}\t{t}\n" for c, t in credentials)
        )
        # Seeding configured logging (alembic's): measure in a process of its own.
        os.execv(sys.executable, [sys.executable, *sys.argv])
    first, *lines = credentials_file.read_text().splitlines()
    return env, int(first), [tuple(line.split("\t")) for line in lines]


def under_callgrind(argv, requests):
    """Run this script again under callgrind; {target: instructions per request}."""
    folder = Path(tempfile.mkdtemp(prefix="callgrind-"))
    argv = [a for a in argv if a != "--callgrind"]
    with open(folder / "stderr.log", "w") as log:
        subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
            + [f"--callgrind-out-file={folder}/callgrind.out", sys.executable, *argv],
            stderr=log,
            check=True,
        )
    found = {}
    for dump in sorted(folder.glob("callgrind.out.*")):
        text = dump.read_text(errors="replace")
        trigger = re.search(r"^desc: Trigger: Client Request: (\S+)", text, re.M)
        total = re.search(r"^totals: (\d+)", text, re.M)
        if trigger and total:
            found[trigger.group(1)] = int(total.group(1)) / requests
    return found, folder


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="measured, per target")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured, per target first")
    parser.add_argument("--targets", default="hello,insert,healthz,sign")
    parser.add_argument("--tree", default=str(ROOT), help="a checkout of the repository")
    parser.add_argument("--database", default="bench_instructions")
    parser.add_argument("--signers", type=int, default=3000)
    parser.add_argument(
        "--set", action="append", default=[], help="NAME=VALUE: environment for the platform"
    )
    parser.add_argument(
        "--callgrind", action="store_true", help="run under valgrind and print the counts"
    )
    args = parser.parse_args()
    targets = args.targets.split(",")
    if args.callgrind:
        ensure_database(args.database, args.signers)  # seeded natively, not under valgrind
        found, folder = under_callgrind(sys.argv, args.requests)
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        print(f"tree {ROOT} at {commit}; {args.requests} requests per target; dumps in {folder}")
        for target in targets:
            print(
                f"{target:<10} {found.get(target, float('nan')) / 1e6:8.3f} M instructions/request"
            )
        return

    env, template_petition, credentials = ensure_database(args.database, args.signers)
    env.update(item.split("=", 1) for item in args.set)
    os.environ.update(env)
    from private_apis import add_petitions

    needed = args.warmup + args.requests
    if "sign" in targets and needed > len(credentials):
        raise SystemExit(f"{needed} signers needed, {len(credentials)} seeded (--signers)")
    petition_id = add_petitions(env, template_petition, 1)[0] if "sign" in targets else None

    helper = callgrind_helper()
    measured = bool(helper.on_valgrind())

    from config import load_config
    from participation import create_app

    platform = create_app(load_config("production"))
    view_calls = counting_views(
        platform, [SHARED_PAGES[t][0] for t in targets if t in SHARED_PAGES]
    )
    freeze_page_cache_clock(platform)
    psycopg_url = env["DATABASE_URL"]
    apps = {
        "hello": hello_app,
        "insert": lambda: insert_app(psycopg_url),
        "healthz": lambda: platform,
        "sign": lambda: platform,
        **{target: lambda: platform for target in SHARED_PAGES},
    }

    def requests_for(target):
        if target == "hello":
            return [raw_request("GET", "/hello")] * needed, 200
        if target == "insert":
            return [raw_request("POST", "/insert")] * needed, 204
        if target == "healthz":
            return [raw_request("GET", "/healthz")] * needed, 200
        if target in SHARED_PAGES:
            path = SHARED_PAGES[target][1].format(petition=template_petition)
            return [raw_request("GET", path)] * needed, 200
        path = f"/fr/petitions/{petition_id}/sign"
        return [
            raw_request(
                "POST",
                path,
                headers=[("Cookie", f"session={cookie}")],
                body=urllib.parse.urlencode({"consent": "y", "csrf_token": token}).encode(),
            )
            for cookie, token in credentials[:needed]
        ], 302

    results = {}
    for target in targets:
        worker = Worker(apps[target]())
        requests, expected = requests_for(target)
        for raw in requests[: args.warmup]:
            assert status_of(worker.request(raw)) == expected, worker.request(raw)[:500]
        endpoint = SHARED_PAGES.get(target, (None,))[0]
        rendered = view_calls.get(endpoint)
        statuses = []
        # The garbage of the targets before (the signing POSTs' above all) collected now, not by
        # a full collection falling into this target's window (+0.4 M per request, seen once).
        gc.collect()
        helper.start()
        for raw in requests[args.warmup :]:
            statuses.append(worker.request(raw))
        helper.stop(target.encode())
        wrong = [s for s in statuses if status_of(s) != expected]
        if wrong:
            raise SystemExit(f"{target}: {len(wrong)} unexpected answers, first:\n{wrong[0][:800]}")
        if endpoint is not None and (view_calls[endpoint] != rendered or rendered != 1):
            raise SystemExit(
                f"{target}: the view ran {view_calls[endpoint]} times, once expected (the "
                "warm-up's first request): a measured request was not a cache hit"
            )
        results[target] = len(statuses)
    print(f"served {results} (answers checked){'' if measured else '; not under valgrind'}")


if __name__ == "__main__":
    main()

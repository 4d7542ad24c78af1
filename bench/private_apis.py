"""A/B of code trees on the signing POST, in one run: is a change worth keeping?

Made for issue 12, item 6 (keep a library's private API only for a gain of at least 5 %), and
usable for any change of the signing path. Each `--tree NAME=PATH` is a checkout of the
repository (a `git worktree`), the first one the reference. In one run, on one machine:
1. one fresh PostgreSQL database, built with the migrations of the repository this script is in:
   N citizens with complete identity profiles and, for every tree and round, an open petition of
   its own, so that every timed POST is a new signature by a distinct signed-in citizen (sessions
   and CSRF tokens minted with the application's serializers: no login is timed);
2. gunicorn (same workers) on every tree's `wsgi:app`, each importing its own tree's package;
3. an untimed warm-up per tree, then rounds: in each round every tree signs its petition for
   `--seconds`, driven by wrk (C, `--threads`, `--connections`) with bench/surge.lua ("once":
   each POST by the next citizen, every POST sent answered before wrk stops); the order of the
   trees rotates from round to round, so that a change in the shared machine's load falls on all
   of them;
4. per round, each tree's signatures per second (302 answers over the time measured) divided by
   the reference's in the same round, and its server CPU time per signature likewise; the
   geometric mean of those ratios; errors (any other answer, a socket error, a timeout); and, per
   petition, whether the count shown (sharded counters) equals the signature rows and the 302s.

Usage (the two trees of issue 12, item 6):
    git worktree add --detach /tmp/with-private <commit>; git worktree add --detach /tmp/public HEAD
    python bench/private_apis.py --tree private=/tmp/with-private --tree public=/tmp/public \
        [--signers 6000] [--seconds 6] [--rounds 5] [--workers 4] [--threads 2] [--connections 16]
"""

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    POSTGRES,
    environment,
    free_port,
    loadavg,
    prepare,
    process_tree_cpu,
    production_app,
    serve,
    run_wrk,
    wait_until_up,
    write_requests,
)


def add_petitions(env, template_id, count):
    """`count` more open petitions like `template_id`; returns their ids."""
    from participation.extensions import db
    from participation.petitions.models import Petition

    app = production_app(env)
    ids = []
    with app.app_context():
        template = db.session.get(Petition, template_id)
        columns = [c.key for c in Petition.__table__.columns if c.key not in ("id", "slug")]
        for i in range(count):
            petition = Petition(
                **{name: getattr(template, name) for name in columns}, slug=f"banc-{i}"
            )
            db.session.add(petition)
            db.session.flush()
            ids.append(petition.id)
        db.session.commit()
        db.engine.dispose()
    return ids


def counts(env, petition_ids):
    """{petition id: (signature rows counted, count shown)}."""
    import sqlalchemy as sa

    from participation.extensions import db
    from participation.petitions.models import Signature
    from participation.petitions.queries import count_signatures

    app = production_app(env)
    found = {}
    with app.app_context():
        for petition_id in petition_ids:
            rows = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Signature)
                .where(Signature.petition_id == petition_id, Signature.status == "counted")
            )
            found[petition_id] = (rows, count_signatures(petition_id))
        db.engine.dispose()
    return found


def request_file(folder, petition_id, credentials):
    return write_requests(
        Path(folder) / f"sign-{petition_id}.tsv",
        [
            (
                "POST",
                f"/fr/petitions/{petition_id}/sign",
                f"consent=y&csrf_token={csrf}",
                f"session={cookie}",
            )
            for cookie, csrf in credentials
        ],
    )


def drive(port, requests, args):
    """wrk with bench/surge.lua: each POST of the file once, for --seconds; every POST sent is
    answered before wrk stops."""
    return run_wrk(
        port,
        "once",
        requests,
        seconds=args.seconds,
        threads=args.threads,
        connections=args.connections,
        expected=302,
    )


def rate(result):
    return result["rate"]


def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", action="append", required=True, help="NAME=PATH, reference first")
    parser.add_argument(
        "--signers", type=int, default=6000, help="citizens: more than a round's signatures"
    )
    parser.add_argument("--seconds", type=int, default=6, help="per tree and round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree)
    names = list(trees)
    for name, tree in trees.items():
        commit = subprocess.run(
            ["git", "-C", tree, "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", tree, "status", "--short"], capture_output=True, text=True
        ).stdout.split("\n")
        print(f"tree {name}: {tree} at {commit}, {len([c for c in changed if c])} changed files")
    print(
        f"{args.seconds} s per tree and round, each POST by a distinct citizen, {args.rounds} rounds, "
        f"gunicorn --workers "
        f"{args.workers} per tree, wrk --threads {args.threads} --connections {args.connections}"
    )

    database = f"bench_ab_{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="bench-ab-"))
    subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-qc", f"CREATE DATABASE {database}"], check=True
    )
    env = environment(f"{POSTGRES}/{database}", folder)
    env.pop("REDIS_URL", None)  # in-process limit counters, as in the embedded set-up
    servers = []
    try:
        first, credentials = prepare(env, args.signers)
        petitions = [first] + add_petitions(env, first, len(names) * (args.rounds + 1) - 1)
        warmups = dict(zip(names, petitions))
        timed = {
            (r, name): petitions[len(names) * (r + 1) + i]
            for r in range(args.rounds)
            for i, name in enumerate(names)
        }
        ports = {name: free_port() for name in names}
        logs = {name: folder / f"{name}.log" for name in names}
        servers = [
            serve(env, "wsgi:app", args.workers, ports[name], cwd=trees[name], log=logs[name])
            for name in names
        ]
        for name in names:
            try:
                wait_until_up(ports[name], "/healthz")
            except RuntimeError:
                print(logs[name].read_text()[-3000:])
                raise
        for name in names:
            drive(ports[name], request_file(folder, warmups[name], credentials), args)
        results = {}
        for r in range(args.rounds):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                requests = request_file(folder, timed[r, name], credentials)
                before = process_tree_cpu(servers[names.index(name)].pid)
                results[r, name] = drive(ports[name], requests, args)
                used = process_tree_cpu(servers[names.index(name)].pid) - before
                results[r, name]["cpu_ms"] = 1000 * used / max(results[r, name]["ok"], 1)
                results[r, name]["load"] = loadavg()
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        servers = []
        found = counts(env, list(timed.values()))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        subprocess.run(
            [
                "psql",
                f"{POSTGRES}/postgres",
                "-qc",
                f"DROP DATABASE IF EXISTS {database} WITH (FORCE)",
            ],
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)

    reference = names[0]
    print(
        f"\n{'round':<6} {'tree':<18} {'sign/s':>7} {'ratio':>6} {'cpu ms':>7} {'ratio':>6}"
        f" {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'load':>5}  count shown = rows, 302s"
    )
    for r in range(args.rounds):
        for name in names:
            result, base = results[r, name], results[r, reference]
            rows, shown = found[timed[r, name]]
            exact = shown == rows == result["ok"]
            errors = result["errors"] + result["socket_errors"] + result["timeouts"]
            print(
                f"{r + 1:<6} {name:<18} {rate(result):>7.0f} {rate(result) / rate(base):>6.3f}"
                f" {result['cpu_ms']:>7.2f} {result['cpu_ms'] / base['cpu_ms']:>6.3f}"
                f" {result['p50_ms']:>7.1f} {result['p99_ms']:>7.1f} {errors:>6} {result['load']:>5.1f}"
                f"  {shown} = {rows}, {result['ok']} {'exact' if exact else 'MISMATCH'}"
                + (" (ran out of citizens)" if result["threads_exhausted"] else "")
            )
    for title, ratio in (
        ("signatures per second", lambda a, b: rate(a) / rate(b)),
        (
            "server CPU per signature (gunicorn master and workers)",
            lambda a, b: a["cpu_ms"] / b["cpu_ms"],
        ),
    ):
        print(f"\n{title}, ratio to {reference} in the same round; geometric mean:")
        for name in names[1:]:
            ratios = [ratio(results[r, name], results[r, reference]) for r in range(args.rounds)]
            print(
                f"  {name:<18} {', '.join(f'{x:.3f}' for x in ratios)}"
                f"  mean {geometric_mean(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f},"
                f" stdev {statistics.pstdev(ratios):.3f})"
            )


if __name__ == "__main__":
    main()

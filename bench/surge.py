"""A viral petition, end to end (issue 15): the platform against the machine's ceilings, in one run.

On this machine, in one run:
1. a fresh PostgreSQL database (over TCP) built with the migrations and realistic content: the
   demonstration set (`flask seed-demo`: petitions and consultations in every state, comments,
   moderation), a small `flask stats seed-large` (30 more petitions, 48 consultations, their
   signatures and comments, the statistics), and the viral petition: a real text in Arabic, French
   and Tifinagh, a few hundred signatures by citizens across the regions, a few comments; then the
   citizens who will sign during the run, with complete identity profiles and signed-in sessions
   (cookies and CSRF tokens minted with the application's own serializers: no login is timed);
2. gunicorn, 4 sync workers with deploy/gunicorn.conf.py, on the platform (`wsgi:app`, production
   settings, abuse limits raised out of the way) and on bench/bare.py (the ceilings: one
   autocommit `INSERT … ON CONFLICT DO NOTHING` through psycopg on a connection kept per worker,
   and a bare Flask "hello");
3. an untimed warm-up of every request, then rounds; each round measures the ceilings and the
   platform's requests one after the other (the order reverses every other round, so that a
   change in the shared machine's load falls on both sides), each for `--seconds` with wrk
   (`--threads` 2, `--connections` 16) and bench/surge.lua:
   - bare INSERT, bare hello (the ceilings);
   - the signing POST, each by a distinct signed-in citizen, once;
   - /healthz; the anonymous petition page, home page /fr/, petitions listing, consultations
     listing and a consultation page: plain GETs without cookies or validators (the full answer,
     from the application's cache when it has one, never a 304);
   - the petition page signed in, with the cookies of distinct citizens;
   - the signer journey: GET the petition page, POST the signature, GET the page it redirects to,
     chained per signer, each journey by a distinct citizen;
4. prints the issue's Targets table for the run (rate, ratio to its ceiling overall and per
   round, target, p50/p99 from wrk's latency distribution, pass), then the checks, enforced:
   - zero errors: every answer has the expected status (302 for a signature, 200 for a page, 204
     for a bare INSERT), no socket error, no timeout;
   - exact counts: signature rows == count shown (the sharded counters) == 302s answered to the
     signing POSTs (wrk lets every POST it sent finish), and bare rows == 204s;
   - the count on the anonymous petition page equals the rows within 5 s of the last signature
     (checked after every round);
   - wrk is not the bottleneck: the CPU time of wrk's threads per request while they measure
     (getrusage per thread in surge.lua, so reading the request file is left out) against the
     server's (gunicorn master and workers, /proc), for every request measured; at most a third.

Exit status: 0 when every check passes and every target is met, 2 when the checks pass but a target
is missed, 1 when a check fails.

Usage: python bench/surge.py [--rounds 3] [--seconds 4] [--workers 4] [--threads 2]
                             [--connections 16] [--json results.json] [--redis-url URL]
"""

import argparse
import http.client
import json
import logging
import math
import re
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    POSTGRES,
    ROOT,
    add_citizens,
    credentials_for,
    environment,
    free_port,
    loadavg,
    process_tree_cpu,
    production_app,
    run_wrk,
    scratch_database,
    serve,
    stop,
    wait_until_up,
    write_requests,
)

# The wrk side must stay well below the server: at most this share of its CPU per request.
WRK_CPU_SHARE = 1 / 3
FRESHNESS_SECONDS = 5.0

VIRAL = {
    "title": {
        "ar": "من أجل الماء الصالح للشرب في كل دوار",
        "fr": "De l'eau potable au robinet dans chaque douar",
        "zgh": "ⴰⵎⴰⵏ ⵏ ⵜⵉⵙⵙⵉ ⴳ ⴽⵓ ⴰⴷⵡⴰⵔ",
    },
    "demands": {
        "ar": (
            "نطالب الحكومة بوضع برنامج وطني يضمن ربط كل دوار بشبكة الماء الصالح للشرب قبل سنة"
            " 2030، مع جدول زمني منشور لكل إقليم وميزانية سنوية مخصصة.\n\n"
            "كما نطالب بنشر تقرير سنوي عن تقدم الأشغال وعن جودة الماء الموزع في كل جماعة قروية."
        ),
        "fr": (
            "Nous demandons au gouvernement un programme national qui raccorde chaque douar au"
            " réseau d'eau potable avant 2030, avec un calendrier publié pour chaque province et"
            " un budget annuel dédié.\n\n"
            "Nous demandons aussi un rapport annuel public sur l'avancement des travaux et sur la"
            " qualité de l'eau distribuée dans chaque commune rurale."
        ),
        "zgh": "ⵏⵙⵙⵓⵜⵔ ⵙⴳ ⵜⵏⴱⴰⴹⵜ ⴰⴷ ⵜⵙⵙⵏⵜⵉ ⵢⴰⵏ ⵓⵖⴰⵡⴰⵙ ⴰⵏⴰⵎⵓⵔ ⵏ ⵡⴰⵎⴰⵏ ⵉ ⴽⵓ ⴰⴷⵡⴰⵔ.",
    },
    "memorandum": {
        "ar": (
            "ما زالت آلاف الأسر في العالم القروي تقطع كل يوم كيلومترات لجلب الماء، وغالبا ما"
            " تتحمل النساء والفتيات هذا العبء على حساب الدراسة والعمل.\n\n"
            "سنوات الجفاف المتتالية زادت من هشاشة العيون والآبار، وأصبحت الصهاريج المتنقلة"
            " حلا دائما بدل أن تكون حلا مؤقتا.\n\n"
            "الماء حق يكفله الدستور في فصله 31، ونريد أن يصبح هذا الحق واقعا في كل دوار."
        ),
        "fr": (
            "Des milliers de familles rurales parcourent encore chaque jour des kilomètres pour"
            " chercher de l'eau ; ce sont le plus souvent les femmes et les filles qui en portent"
            " la charge, au détriment de l'école et du travail.\n\n"
            "Les années de sécheresse ont fragilisé les sources et les puits, et les camions-"
            "citernes sont devenus une solution permanente au lieu d'un dépannage.\n\n"
            "L'accès à l'eau est un droit garanti par l'article 31 de la Constitution : nous"
            " voulons qu'il devienne une réalité dans chaque douar."
        ),
        "zgh": "ⴰⵎⴰⵏ ⴷ ⴰⵣⵔⴼ ⵏ ⴽⵓ ⵢⴰⵏ.",
    },
}

COMMENTS = [
    "Dans notre douar près de Taroudant, les filles font trois kilomètres chaque matin pour l'eau.",
    "في دوارنا بإقليم أزيلال ننتظر الشاحنة الصهريجية مرتين في الأسبوع فقط.",
    "Il faut aussi prévoir l'entretien des réseaux : plusieurs bornes-fontaines sont en panne.",
    "أدعم العريضة، ويجب نشر الجدول الزمني لكل جماعة بشكل واضح.",
    "Un calendrier public par province permettrait enfin de suivre les promesses.",
]


def seed(env, *, supporters, signers, journeys, large_signatures):
    """Build the database; returns the run's URLs and the signers' credentials."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from participation.auth.models import User
    from participation.comments.services import post_comment
    from participation.comments.targets import resolve_target
    from participation.consultations.models import Consultation
    from participation.core.models import utcnow
    from participation.demo import seed as seed_demo
    from participation.demo.large import seed_large
    from participation.extensions import db
    from participation.institutions.models import Province
    from participation.petitions import signing
    from participation.petitions.models import Petition, PetitionKind

    app = production_app(env)
    with app.test_request_context("/", base_url=env["PUBLIC_BASE_URL"]):
        logging.disable(logging.INFO)  # alembic's line per migration
        upgrade(directory=str(ROOT / "migrations"))
        logging.disable(logging.NOTSET)
        seed_demo(password_for=lambda: "bench-demo-password")
        db.session.commit()
        seed_large(signatures=large_signatures, comments=large_signatures // 10)
        db.session.commit()
        provinces = db.session.scalars(sa.select(Province).order_by(Province.id)).all()
        kind = db.session.scalar(
            sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
        )
        people = db.session.scalars(
            sa.select(User).where(
                User.id.in_(
                    c.id for c in add_citizens(supporters, provinces, prefix="p", cin_prefix="BP")
                )
            )
        ).all()
        now = utcnow()
        petition = Petition(
            kind_id=kind.id,
            initiator_id=people[0].id,
            languages=" ar fr zgh ",
            state="open",
            signatures_required=kind.signatures_required,
            addressee_id=kind.institution_id,
            created_at=now - timedelta(days=9),
            submitted_at=now - timedelta(days=8),
            published_at=now - timedelta(days=6),
            closes_at=now + timedelta(days=kind.signing_window_days - 6),
            slug="eau-potable-douar",
            search_text=" ".join(VIRAL["title"].values()),
            **VIRAL,
        )
        db.session.add(petition)
        db.session.flush()
        for person in people:
            signing.sign_petition(person, petition, consent=True, ip="192.0.2.1")
        target = resolve_target("petition", petition.id)
        for person, body in zip(people[1:], COMMENTS):
            post_comment(person, target, body=body)
        db.session.commit()
        consultation = db.session.scalar(
            sa.select(Consultation).where(Consultation.state == "open").order_by(Consultation.id)
        )
        citizens = add_citizens(signers + journeys, provinces, prefix="s", cin_prefix="SG")
        db.session.commit()
        credentials = credentials_for(app, citizens)
        urls = {
            "petition": quote(f"/fr/petitions/{petition.id}-{petition.slug}"),
            "sign": f"/fr/petitions/{petition.id}/sign",
            "consultation": quote(f"/fr/consultations/{consultation.id}-{consultation.slug}"),
            "petition_id": petition.id,
        }
        counts = {
            "petitions": db.session.scalar(sa.select(sa.func.count()).select_from(Petition)),
            "consultations": db.session.scalar(
                sa.select(sa.func.count()).select_from(Consultation)
            ),
        }
        db.session.execute(
            sa.text("CREATE TABLE bench_rows (key TEXT PRIMARY KEY, payload TEXT NOT NULL)")
        )
        db.session.commit()
        db.engine.dispose()
    return urls, credentials[:signers], credentials[signers:], counts


def database_counts(database_url, petition_id):
    """(counted signature rows, count shown by the counters, bare rows), straight from PostgreSQL."""
    import psycopg

    with psycopg.connect(database_url) as connection:
        rows = connection.execute(
            "SELECT count(*) FROM petition_signatures WHERE petition_id = %s AND status = 'counted'",
            (petition_id,),
        ).fetchone()[0]
        counters = connection.execute(
            "SELECT coalesce(sum(count), 0) FROM petition_signature_counters WHERE petition_id = %s",
            (petition_id,),
        ).fetchone()[0]
        bare = connection.execute("SELECT count(*) FROM bench_rows").fetchone()[0]
    return rows, int(counters), bare


PROGRESS = re.compile(r"<progress[^>]*>\s*(\d+)\s*</progress>")


def count_on_page(port, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode()
    match = PROGRESS.search(body)
    if response.status != 200 or match is None:
        raise RuntimeError(f"GET {path}: {response.status}, no count found")
    return int(match.group(1))


def freshness(port, path, expected):
    """Seconds until the anonymous page shows `expected` (None when not within the limit)."""
    started = time.perf_counter()
    while True:
        shown = count_on_page(port, path)
        elapsed = time.perf_counter() - started
        if shown == expected:
            return elapsed, shown
        if elapsed > FRESHNESS_SECONDS:
            return None, shown
        time.sleep(0.05)


class Phase:
    """One request of the table: what wrk sends, to which server, judged against which ceiling."""

    def __init__(self, key, label, server, mode, expected=200, ceiling=None, target=None):
        self.key, self.label, self.server, self.mode = key, label, server, mode
        self.expected, self.ceiling, self.target = expected, ceiling, target
        self.results = []  # one per round
        self.warmup = None

    def rate(self):
        return sum(r["ok"] for r in self.results) / sum(r["seconds"] for r in self.results)


def phases():
    return [
        Phase("insert", "bare INSERT endpoint (ceiling)", "bare", "once", expected=204),
        Phase("hello", "bare Flask hello (ceiling)", "bare", "cycle"),
        Phase("sign", "signing POST, distinct signers", "app", "once", 302, "insert", 0.5),
        Phase("healthz", "trivial page /healthz", "app", "cycle", 200, "hello", 0.8),
        Phase("petition", "petition page, anonymous", "app", "cycle", 200, "insert", 1.0),
        Phase("home", "home page /fr/, anonymous", "app", "cycle", 200, "insert", 1.0),
        Phase("petitions", "petitions listing, anonymous", "app", "cycle", 200, "insert", 1.0),
        Phase(
            "consultations", "consultations listing, anonymous", "app", "cycle", 200, "insert", 1.0
        ),
        Phase("consultation", "consultation page, anonymous", "app", "cycle", 200, "insert"),
        Phase("signed_in", "petition page, signed in", "app", "cycle", 200, "insert", 0.6),
        Phase("journey", "signer journey (GET, POST, GET)", "app", "journey", 200, "insert", 0.15),
    ]


def request_files(folder, urls, signers, journeyers, args):
    """Every phase's request file per run (the warm-up, then each round). The distinct signers,
    journeys and bare INSERT keys are split between the runs in proportion to their duration,
    so that nobody signs twice and no key is sent twice."""
    durations = [args.warmup] + [args.seconds] * args.rounds
    total = sum(durations)

    def slices(items):
        bounds = [0]
        for duration in durations:
            bounds.append(bounds[-1] + int(len(items) * duration / total))
        return [items[a:b] for a, b in zip(bounds, bounds[1:])]

    def form(csrf):
        return f"consent=y&csrf_token={csrf}"

    files = {}
    for name, path in (
        ("hello", "/hello"),
        ("healthz", "/healthz"),
        ("petition", urls["petition"]),
        ("home", "/fr/"),
        ("petitions", "/fr/petitions/"),
        ("consultations", "/fr/consultations/"),
        ("consultation", urls["consultation"]),
    ):
        files[name] = [write_requests(folder / f"{name}.tsv", [("GET", path, "", "")])] * len(
            durations
        )
    signed_in = [("GET", urls["petition"], "", f"session={cookie}") for cookie, _csrf in signers]
    files["signed_in"] = [write_requests(folder / "signed_in.tsv", signed_in)] * len(durations)
    files["sign"] = [
        write_requests(
            folder / f"sign-{n}.tsv",
            [("POST", urls["sign"], form(csrf), f"session={cookie}") for cookie, csrf in part],
        )
        for n, part in enumerate(slices(signers))
    ]
    files["journey"] = [
        write_requests(
            folder / f"journey-{n}.tsv",
            [
                (urls["petition"], urls["sign"], form(csrf), f"session={cookie}")
                for cookie, csrf in part
            ],
        )
        for n, part in enumerate(slices(journeyers))
    ]
    keys = [f"k{n}" for n in range(int(args.insert_keys_per_second * total))]
    files["insert"] = [
        write_requests(
            folder / f"insert-{n}.tsv", [("POST", "/insert", f"key={k}", "") for k in part]
        )
        for n, part in enumerate(slices(keys))
    ]
    return files


def measure(phase, server, port, request_file, args, seconds):
    before = process_tree_cpu(server.pid)
    result = run_wrk(
        port,
        phase.mode,
        request_file,
        seconds=seconds,
        threads=args.threads,
        connections=args.connections,
        expected=phase.expected,
    )
    result["server_cpu"] = process_tree_cpu(server.pid) - before
    result["load"] = loadavg()
    return result


def ratio(phase, by_key, round_index=None):
    ceiling = by_key[phase.ceiling]
    if round_index is None:
        return phase.rate() / ceiling.rate()
    return phase.results[round_index]["rate"] / ceiling.results[round_index]["rate"]


def geometric_mean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if all(values) else 0.0


def report(table, by_key, args):
    print(
        "\n| request | per second | ratio | rounds | target | p50 / p99 ms | pass? |\n"
        "| --- | ---: | ---: | --- | --- | --- | --- |"
    )
    for phase in table:
        p50 = max(r["p50_ms"] for r in phase.results)
        p99 = max(r["p99_ms"] for r in phase.results)
        if phase.ceiling is None:
            ratio_text, rounds_text, target_text, verdict = "1", "", "ceiling", ""
        else:
            overall = ratio(phase, by_key)
            per_round = [ratio(phase, by_key, r) for r in range(len(phase.results))]
            ratio_text = f"**{overall:.2f}**"
            rounds_text = ", ".join(f"{x:.2f}" for x in per_round)
            ceiling_name = "hello" if phase.ceiling == "hello" else "INSERT"
            if phase.target is None:
                target_text, verdict = f"of the {ceiling_name} (no target)", ""
            else:
                target_text = f"≥ {phase.target} of the {ceiling_name}"
                verdict = "yes" if overall >= phase.target else "**no**"
        print(
            f"| {phase.label} | {phase.rate():,.0f} | {ratio_text} | {rounds_text} |"
            f" {target_text} | {p50:.1f} / {p99:.1f} | {verdict} |"
        )
    print(
        "\np50/p99: the highest of the rounds' values (wrk's latency distribution; the journey's"
        " are its requests')."
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4, help="per request and round")
    parser.add_argument("--warmup", type=float, default=1, help="seconds per request, untimed")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--signers",
        type=int,
        default=16000,
        help="citizens for the signing POSTs, shared by the warm-up and the rounds (a phase that"
        " runs out ends early: its rate stays right, a note says so)",
    )
    parser.add_argument(
        "--journeys", type=int, default=4000, help="citizens for the journeys, likewise"
    )
    parser.add_argument(
        "--insert-keys-per-second",
        type=int,
        default=8000,
        help="distinct keys for the bare INSERT, per second of measure",
    )
    parser.add_argument("--supporters", type=int, default=300, help="signatures before the run")
    parser.add_argument(
        "--large-signatures",
        type=int,
        default=20000,
        help="signatures of `flask stats seed-large` (the other petitions)",
    )
    parser.add_argument("--postgres", default=POSTGRES, help="server URL, without a database")
    parser.add_argument(
        "--redis-url", help="REDIS_URL for the platform (default: none, in-process)"
    )
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    table = phases()
    by_key = {phase.key: phase for phase in table}
    failures = []
    started = time.perf_counter()
    with scratch_database("postgresql", args.postgres, "surge") as (database_url, instance):
        env = environment(database_url, instance)
        env.pop("REDIS_URL", None)
        if args.redis_url:
            env["REDIS_URL"] = args.redis_url
        urls, signers, journeyers, counts = seed(
            env,
            supporters=args.supporters,
            signers=args.signers,
            journeys=args.journeys,
            large_signatures=args.large_signatures,
        )
        seeded = time.perf_counter() - started
        rows_before = database_counts(database_url, urls["petition_id"])[0]
        print(
            f"seeded in {seeded:.0f} s: {counts['petitions']} petitions, {counts['consultations']}"
            f" consultations; the viral petition has {rows_before} signatures;"
            f" {len(signers)} + {len(journeyers)} citizens will sign"
        )
        print(
            f"gunicorn --workers {args.workers} (sync, deploy/gunicorn.conf.py) on each side;"
            f" wrk --threads {args.threads} --connections {args.connections};"
            f" {args.rounds} rounds of {args.seconds:g} s per request;"
            f" limits {'in Redis' if args.redis_url else 'in-process'}"
        )
        folder = Path(tempfile.mkdtemp(prefix="surge-requests-", dir=instance))
        files = request_files(folder, urls, signers, journeyers, args)
        ports = {}
        servers = {}
        try:
            for name, target in (("app", "wsgi:app"), ("bare", "bench.bare:app")):
                ports[name] = free_port()
                servers[name] = serve(
                    env,
                    target,
                    args.workers,
                    ports[name],
                    log=instance / f"{name}.log",
                    production=True,
                )
            for name, path in (("app", "/healthz"), ("bare", "/hello")):
                try:
                    wait_until_up(ports[name], path)
                except RuntimeError:
                    print((instance / f"{name}.log").read_text()[-3000:])
                    raise
            for name, path in (
                ("petition", urls["petition"]),
                ("consultation", urls["consultation"]),
            ):
                check_page(ports["app"], path, name)
            for phase in table:  # untimed warm-up: imports, caches, prepared statements
                phase.warmup = measure(
                    phase,
                    servers[phase.server],
                    ports[phase.server],
                    files[phase.key][0],
                    args,
                    args.warmup,
                )
            signed = 0
            for r in range(args.rounds):
                order = table if r % 2 == 0 else table[::-1]
                for phase in order:
                    result = measure(
                        phase,
                        servers[phase.server],
                        ports[phase.server],
                        files[phase.key][r + 1],
                        args,
                        args.seconds,
                    )
                    phase.results.append(result)
                    print(
                        f"  {phase.label:<36} {result['rate']:8.0f}/s over {result['seconds']:.2f} s"
                        f" (wrk ran {result['wall']:.2f} s), p50 {result['p50_ms']:.1f} ms,"
                        f" errors {result['errors'] + result['socket_errors']}",
                        flush=True,
                    )
                after = database_counts(database_url, urls["petition_id"])[0]
                waited, shown = freshness(ports["app"], urls["petition"], after)
                by_key["sign"].results[r]["freshness"] = waited
                if waited is None:
                    failures.append(
                        f"round {r + 1}: the petition page showed {shown}, not {after}, "
                        f"{FRESHNESS_SECONDS:g} s after the last signature"
                    )
                signed = after
                print(
                    f"round {r + 1}: load {by_key['sign'].results[r]['load']:.1f},"
                    f" {signed} signatures, count on the page "
                    + (f"right after {waited:.2f} s" if waited is not None else "STALE")
                )
        finally:
            for server in servers.values():
                stop(server)
            logs = Path(tempfile.mkdtemp(prefix="surge-logs-"))
            for name in servers:
                shutil.copy(instance / f"{name}.log", logs)
        rows, counters, bare_rows = database_counts(database_url, urls["petition_id"])
        elapsed = time.perf_counter() - started
        report(table, by_key, args)
        failures += checks(table, by_key, rows_before, rows, counters, bare_rows, args)
        print(f"\nrun: {elapsed:.0f} s (seeding {seeded:.0f} s), then the database is dropped")
    missed = [p.label for p in table if p.target is not None and ratio(p, by_key) < p.target]
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "arguments": {k: str(v) for k, v in vars(args).items()},
                    "phases": {
                        p.key: {
                            "label": p.label,
                            "per_second": p.rate(),
                            "ceiling": p.ceiling,
                            "target": p.target,
                            "ratio": ratio(p, by_key) if p.ceiling else None,
                            "rounds": p.results,
                        }
                        for p in table
                    },
                    "signature_rows": rows,
                    "count_shown": counters,
                    "failures": failures,
                    "targets_missed": missed,
                },
                indent=1,
            )
        )
    if failures:
        print("\nFAILED:\n- " + "\n- ".join(failures))
        print(f"the servers' logs: {logs}")
        sys.exit(1)
    shutil.rmtree(logs)
    if missed:
        print("\nchecks passed; targets missed: " + "; ".join(missed))
        sys.exit(2)
    print("\nchecks passed; every target met")


def check_page(port, path, name):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"{name} page {path} answered {response.status}")


def checks(table, by_key, rows_before, rows, counters, bare_rows, args):
    """Print and return the failed checks."""
    failures = []
    print("\nchecks")
    for phase in table:
        errors = sum(r["errors"] + r["socket_errors"] + r["timeouts"] for r in phase.results)
        bad = {}
        for r in phase.results:
            for status, n in r["bad"].items():
                bad[status] = bad.get(status, 0) + n
        if errors:
            failures.append(f"{phase.label}: {errors} errors {bad}")
        unfinished = [r for r in phase.results if r["threads_finished"] < args.threads]
        if unfinished:
            failures.append(f"{phase.label}: wrk's threads did not all finish (requests lost)")
        short = [r for r in phase.results if r["threads_exhausted"]]
        if short:
            print(
                f"  note: {phase.label}: ran out of citizens or keys before {args.seconds:g} s in"
                f" {len(short)} round(s) (the rate is over the time measured; raise --signers)"
            )

    discarded = sum(r.get("discarded", 0) for phase in table for r in phase.results)
    print(
        f"  discards answered (connections with nothing left to send, bench/surge.lua; not"
        f" counted): {discarded}"
    )

    def runs(key):
        return [by_key[key].warmup, *by_key[key].results]

    signed = sum(r["ok"] for r in runs("sign")) + sum(r["signatures"] for r in runs("journey"))
    exact = rows == counters == rows_before + signed
    print(
        f"  signatures: {rows_before} before the run + {signed} POSTs answered 302 (warm-up"
        f" included) = {rows_before + signed}; signature rows {rows}; count shown {counters}:"
        f" {'exact' if exact else 'MISMATCH'}"
    )
    if not exact:
        failures.append(
            f"signature rows {rows}, count shown {counters}, 302s {rows_before} + {signed}"
        )
    inserted = sum(r["ok"] for r in runs("insert"))
    print(
        f"  bare INSERTs answered 204: {inserted}; bare rows {bare_rows}:"
        f" {'exact' if inserted == bare_rows else 'MISMATCH'}"
    )
    if inserted != bare_rows:
        failures.append(f"bare rows {bare_rows} != 204s {inserted}")
    # wrk against the server, CPU per request. wrk's is its threads' CPU from their first request
    # to their last answer (getrusage per thread, in surge.lua): reading the request file before
    # the run is not load generation.
    print(
        "  CPU per request, ms: wrk's threads while measuring / the server (gunicorn master and"
        " workers), share; and what wrk could drive at that cost on one core"
    )
    for phase in table:
        requests = sum(r["requests"] for r in phase.results)
        wrk_ms = 1000 * sum(r["wrk_threads_cpu"] for r in phase.results) / requests
        server_ms = 1000 * sum(r["server_cpu"] for r in phase.results) / requests
        share = wrk_ms / server_ms if server_ms else math.inf
        capacity = 1000 / wrk_ms if wrk_ms else math.inf
        print(
            f"    {phase.label:<36} {wrk_ms:6.3f} / {server_ms:6.3f}  {share:5.2f}"
            f"  {capacity:9,.0f}/s"
        )
        if share > WRK_CPU_SHARE:
            failures.append(
                f"{phase.label}: wrk used {share:.2f} of the server's CPU per request"
                f" (at most {WRK_CPU_SHARE:.2f}): wrk may be the bottleneck"
            )
    return failures


if __name__ == "__main__":
    main()

"""flask commands: create-admin, seed-demo, territories, outbox, translate."""

import functools
import secrets
import subprocess
import sys
from pathlib import Path

import click
from flask import current_app

from config import ROOT
from participation.core.progress import silent, tracker
from participation.extensions import db


def register_cli(app):
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(territories)
    app.cli.add_command(outbox)
    app.cli.add_command(translate)
    app.cli.add_command(consultations)
    app.cli.add_command(tick)
    app.cli.add_command(petitions)
    app.cli.add_command(open_data)
    app.cli.add_command(ogp)
    app.cli.add_command(stats)


def _request_context():
    """Commands render e-mails and links: give them a request context on the public address."""
    return current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"])


def run_job(name, body, **options):
    """Run periodic job `name` (`body()`) only where no other process is running it
    (participation/core/jobs.py: an advisory lock on PostgreSQL, a file lock on SQLite), and
    record the run, skipped ones included, for /metrics (core/metrics.py). The commands and the
    in-process scheduler (participation/scheduler.py) both run their jobs through here. Returns
    (ran, what body returned)."""
    from participation.core.jobs import single_run
    from participation.core.metrics import job_run

    with single_run(name, **options) as acquired, job_run(name) as run:
        if not acquired:
            run.outcome = "skipped"
            return False, None
        return True, body()


def _single_run(name, **options):
    """A periodic command that every node starts: run it only where no other process is running
    job `name`; elsewhere say so and exit 0."""

    def decorate(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            from participation.core.jobs import skipped_message

            ran, result = run_job(name, lambda: command(*args, **kwargs), **options)
            if not ran:
                click.echo(skipped_message(name))
            return result

        return run

    return decorate


def send_outbox(include_failed=False):
    """Outbox send's work: (sent, failed). On PostgreSQL every node shares the outbox (each
    message is claimed with SKIP LOCKED), so its job lock is taken only on SQLite."""
    from participation.core.mail import send_due_messages

    return send_due_messages(include_failed=include_failed)


def dump_open_data(directory=None, track=silent):
    """Open-data dump's work: the names of the files written (progress to `track`)."""
    from participation.opendata.dumps import write_dumps

    return write_dumps(directory, track=track)


# The periodic jobs as the scheduler runs them: (job name, work, options of run_job).
PERIODIC_JOBS = {
    "tick": (lambda: run_tick(), {}),
    "outbox-send": (lambda: send_outbox(), {"shared_on_postgresql": True}),
    "open-data-dump": (lambda: dump_open_data(), {}),
}


def run_periodic_job(name):
    """Run one of PERIODIC_JOBS under its lock; returns (ran, result)."""
    work, options = PERIODIC_JOBS[name]
    return run_job(name, work, **options)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", "display_name", default="Administrator", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email, display_name, password):
    """Create (or promote) an administrator account."""
    from participation.auth.services import create_administrator
    from participation.core.errors import DomainError

    with _request_context():
        try:
            user = create_administrator(email=email, password=password, display_name=display_name)
        except DomainError as refused:  # the password policy of every other place a password is set
            raise click.BadParameter(str(refused.message), param_hint="--password")
        db.session.commit()
        click.echo(f"Administrator ready: {user.email}")


@click.command("seed-demo")
@click.option(
    "--password",
    default=None,
    help="One password for every demo account (default: random, printed).",
)
def seed_demo(password):
    """Load territories, demo institutions and one demo account per role; print the passwords."""
    from participation.core.jobs import skipped_message
    from participation.demo import seed
    from participation.demo.accounts import APPEALS_MODERATOR, DEMO_DOMAIN

    appeals_moderator = f"{APPEALS_MODERATOR}@{DEMO_DOMAIN}"

    with _request_context():
        accounts = seed(password_for=lambda: password or secrets.token_urlsafe(9))
        db.session.commit()
    # The statistics, the observatory and the open data are filled from the first page on, as
    # the in-process scheduler of `flask run` will keep them.
    for name in PERIODIC_JOBS:
        ran, _result = run_periodic_job(name)
        click.echo(f"{name}: {'done' if ran else skipped_message(name)}")
    click.echo("")
    click.echo(
        "Demo accounts (sign in at /ar/account/login, /fr/account/login or /zgh/account/login):"
    )
    width = max(len(a["email"]) for a in accounts)
    for account in accounts:
        click.echo(
            f"  {account['role']:<14} {account['email']:<{width}}  password: {account['password']}"
        )
    click.echo(
        f"Appeals: the demo's appeal waits in the moderation queue for {appeals_moderator}, "
        "a moderator other than the one who took the decision."
    )
    click.echo("")


@click.group()
def territories():
    """Regions and prefectures/provinces."""


@territories.command("load")
def territories_load():
    """Insert the regions and provinces from the project's regions.json and the communes from
    communes.csv (idempotent: existing rows keep their edits)."""
    from participation.institutions.services import load_communes, load_territories

    added = load_territories()
    communes = load_communes()
    db.session.commit()
    click.echo(f"{added} territories added")
    click.echo(f"{communes} communes added")


@territories.command("import-communes")
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option(
    "--dry-run", is_flag=True, help="Check the file and count the changes; write nothing."
)
def territories_import_communes(csv_file, dry_run):
    """Insert or update communes from CSV_FILE, matched by code (columns: code, province, name_ar,
    name_fr, kind; optional name_zgh, population, population_year, has_arrondissements; see
    participation/institutions/communes.py). A file with any invalid line changes nothing."""
    from participation.institutions.communes import CommuneFileRefused
    from participation.institutions.services import import_communes

    try:
        text = csv_file.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(f"the file is not UTF-8 text ({error.reason})") from None
    try:
        result = import_communes(text, dry_run=dry_run)
    except CommuneFileRefused as refused:
        db.session.rollback()
        for problem in refused.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(
            f"{len(refused.problems)} problem(s): nothing was imported"
        ) from None
    if dry_run:
        db.session.rollback()
        click.echo(
            f"dry run, nothing written: {result.added} would be added, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
        return
    db.session.commit()
    click.echo(
        f"{result.added} communes added, {result.updated} updated, {result.unchanged} unchanged"
    )


@click.group()
def consultations():
    """Public consultations."""


@click.command("tick")
@_single_run("tick")
def tick():
    """Scheduled duties (run every minute): open and close consultations on time and e-mail their
    followers; expire petitions whose signing window ended below the threshold; tell a batch of
    signers about the addressee's new steps; anonymise signatories after the retention period."""
    click.echo(run_tick())


def run_tick():
    """The tick's work, for a caller that already holds the "tick" job (the command, or an
    in-process scheduler); returns what it did, in a line."""
    from participation.consultations.services import advance_due_consultations
    from participation.core.jobs import single_run
    from participation.petitions.countlog import append_due_entries
    from participation.petitions.processing import anonymise_ended_petitions, notify_signers
    from participation.petitions.signing import expire_due_petitions
    from participation.stats.aggregates import refresh_statistics_if_due

    with _request_context():
        changed = advance_due_consultations()
        expired = expire_due_petitions()
        told = notify_signers()
        anonymised = anonymise_ended_petitions()
        db.session.commit()
        logged = append_due_entries()
        db.session.commit()
        with single_run("statistics") as acquired:  # not while `flask stats refresh` runs
            if acquired:
                refresh_statistics_if_due()
                db.session.commit()
    return (
        f"{changed} consultations opened or closed, {expired} petitions expired, "
        f"{told} signers told of new steps, {anonymised} petitions' signatories anonymised, "
        f"{logged} count log entries appended"
    )


@consultations.command("topics")
def consultations_topics():
    """Add the default topic tags (idempotent)."""
    from participation.consultations.topics import load_default_topics

    added = load_default_topics()
    db.session.commit()
    click.echo(f"{added} topics added")


@click.group()
def petitions():
    """Petitions and legislative motions."""


@petitions.command("load-kinds")
def petitions_load_kinds():
    """Add the petition and motion kinds of the organic laws (idempotent; edits are kept)."""
    from participation.petitions.rules import load_petition_kinds

    added = load_petition_kinds()
    db.session.commit()
    click.echo(f"{added} kinds added")


@petitions.command("reconcile")
@click.option("--fix", is_flag=True, help="Rewrite the counters of petitions that drifted.")
def petitions_reconcile(fix):
    """Recount signatures from the rows and compare with the sharded counters (expected: no drift)."""
    from participation.petitions.signing import reconcile_counts

    drift = reconcile_counts(fix=fix, track=tracker("petitions reconcile"))
    db.session.commit()
    if not drift:
        click.echo("no drift: every counter equals its rows")
        return
    for petition_id, province, rows, counter in drift:
        click.echo(f"petition {petition_id} province {province}: {rows} rows, counter {counter}")
    sys.exit(0 if fix else 1)


@click.group("open-data")
def open_data():
    """Bulk open-data dumps for the public open-data page."""


@open_data.command("dump")
@click.option(
    "--directory",
    type=click.Path(file_okay=False),
    help="Where to write (default: instance/open-data).",
)
@_single_run("open-data-dump")
def open_data_dump(directory):
    """Write every public dataset as CSV and JSON (run nightly from cron)."""
    from participation.opendata.dumps import dump_directory

    names = dump_open_data(directory, track=tracker("open-data dump"))
    click.echo(f"{len(names)} files written to {directory or dump_directory()}")


@click.group()
def ogp():
    """The Open Government Partnership commitments tracker."""


@ogp.command("load")
def ogp_load():
    """Add the 18 commitments of the 2018-2020 action plan (idempotent; observers' records are kept)."""
    from participation.ogp.services import load_commitments

    added = load_commitments()
    db.session.commit()
    click.echo(f"{added} commitments added")


@click.group()
def stats():
    """Statistics: the monthly figures of the dashboards, and a large data set for benchmarks."""


@stats.command("refresh")
@click.option(
    "--all",
    "everything",
    is_flag=True,
    help="Rebuild every month, not only this month and the previous one.",
)
@_single_run("statistics")
def stats_refresh(everything):
    """Recompute the pre-aggregated monthly figures (`flask tick` does it every few minutes)."""
    from participation.stats.aggregates import refresh_statistics

    months = refresh_statistics(everything=everything, track=tracker("stats refresh"))
    db.session.commit()
    click.echo(f"statistics refreshed: {months} month(s)")


@stats.command("seed-large")
@click.option("--signatures", default=1_000_000, show_default=True)
@click.option("--comments", default=100_000, show_default=True)
@click.option(
    "--seed",
    "random_seed",
    default=2026,
    show_default=True,
    help="Random seed: the same numbers give the same data.",
)
def stats_seed_large(signatures, comments, random_seed):
    """Bulk-insert a large, plausible data set (people across regions, consultations, petitions,
    signatures and comments over two years) for benchmarks; never on a production database."""
    from participation.core.errors import DomainError
    from participation.demo.large import seed_large

    with _request_context():
        try:
            summary = seed_large(
                signatures=signatures,
                comments=comments,
                random_seed=random_seed,
                track=tracker("seed-large"),
            )
        except DomainError as error:
            raise click.ClickException(str(error.message))
    click.echo(", ".join(f"{n} {what}" for what, n in summary.items()))


@click.group()
def outbox():
    """The mail outbox."""


@outbox.command("send")
@click.option(
    "--include-failed", is_flag=True, help="Also retry messages that reached the attempt limit."
)
@_single_run("outbox-send", shared_on_postgresql=True)  # each message claimed with SKIP LOCKED
def outbox_send(include_failed):
    """Deliver queued messages that are due, retrying earlier failures."""
    sent, failed = send_outbox(include_failed=include_failed)
    click.echo(f"sent {sent}, failed {failed}")
    if failed:
        sys.exit(1)


@click.group()
def translate():
    """Translation catalogs: extract, update, compile (see docs/translations.md)."""


def _pybabel(*args):
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


POT = Path("translations") / "messages.pot"


def extract_messages(output):
    """Every marked string of the code and templates into the .pot file `output` (the catalog
    test extracts the same way into a temporary file to find a stale messages.pot)."""
    _pybabel(
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "lazy_ngettext:1,2",
        "-k",
        "lazy_pgettext:1c,2",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(output),
        ".",
    )


@translate.command("extract")
def translate_extract():
    """Collect every marked string of the code and templates into translations/messages.pot."""
    extract_messages(POT)


@translate.command("update")
def translate_update():
    """Extract, then merge new strings into the ar, fr and zgh catalogs."""
    translate_extract.callback()
    _pybabel(
        "update", "-i", str(POT), "-d", "translations", "--no-fuzzy-matching", "--ignore-obsolete"
    )


@translate.command("compile")
def translate_compile():
    """Compile the catalogs to .mo files (they are committed, so a fresh clone runs as is)."""
    _pybabel("compile", "-d", "translations", "--statistics")


@translate.command("fill")
@click.argument("source", type=click.File("r", encoding="utf-8"))
def translate_fill(source):
    """Write translations from a JSON file {"ar": {msgid: msgstr or [plural forms]}, "fr": ..., "zgh": ...}
    into the catalogs (run `translate update` before and `translate compile` after). A message with a
    context (pgettext) is keyed "context\\u0004msgid" in the JSON, as gettext keys it in a .mo file. Messages that
    are not in a catalog are reported, not added: the code is the source of the message ids."""
    import json

    from babel.messages.pofile import read_po, write_po

    missing = 0
    for language, messages in json.load(source).items():
        path = ROOT / "translations" / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
        for key, msgstr in messages.items():
            context, _, msgid = key.rpartition("\x04")
            message = catalog.get(msgid, context=context or None)
            if message is None:
                click.echo(f"{language}: not in the catalog: {key!r}", err=True)
                missing += 1
                continue
            message.string = tuple(msgstr) if isinstance(msgstr, list) else msgstr
            message.flags.discard("fuzzy")
        with path.open("wb") as handle:
            write_po(handle, catalog, width=76, omit_header=False, ignore_obsolete=True)
    if missing:
        sys.exit(1)


@translate.command("init")
@click.argument("language")
def translate_init(language):
    """Start a catalog for a new language."""
    _pybabel("init", "-i", str(POT), "-d", "translations", "-l", language)

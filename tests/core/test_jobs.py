"""Periodic jobs started on every node at the same minute (issue 14, item 3; SPEC §9).

On PostgreSQL, real processes (`python -m flask --app wsgi ...`) run at the same time against the
test database. They are made to overlap, not hoped to: the test holds a table lock that the job
needs (a barrier), waits until every process is either blocked on it or finished, then lets go.
Then it counts what happened: audit rows, outbox rows, messages at an SMTP server, dump runs.
On SQLite (one machine) the same jobs take a file lock; those tests run on both.
"""

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from config import ROOT
from participation.auth.models import Role
from participation.consultations import services as consultation_services
from participation.consultations.models import Consultation, Follow
from participation.core.audit import AuditEntry
from participation.core.jobs import lock_key, single_run, skipped_message
from participation.core.mail import SENT, OutboxMessage, queue_mail
from participation.core.models import utcnow
from participation.extensions import db
from participation.opendata import dumps
from participation.petitions import processing
from tests.conftest import POSTGRES_URL
from tests.factories import make_consultation, make_institution, make_user
from tests.petition_world import addressee_officer, deposited, open_petition, step

on_postgresql = pytest.mark.skipif(
    not POSTGRES_URL,
    reason="several nodes share PostgreSQL: run with TEST_DATABASE_URL (CI's PostgreSQL run does)",
)

TICK_WITHOUT_ITS_LOCK = (
    "from wsgi import app\n"
    "from participation.cli import run_tick\n"
    "with app.app_context():\n"
    "    print(run_tick())\n"
)


# Processes -------------------------------------------------------------------------------------


def job_environment(app, name, **settings):
    """A node's environment: the test database, this test's instance folder, no Redis."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "REDIS", "DATABASE", "MAIL_", "SMTP_", "PG"))
    }
    environment.update(
        PARTICIPATION_CONFIG="development",
        DATABASE_URL=POSTGRES_URL or app.config["SQLALCHEMY_DATABASE_URI"],
        INSTANCE_PATH=app.instance_path,
        MAIL_FILE_DIR=app.config["MAIL_FILE_DIR"],
        PUBLIC_BASE_URL="http://participation.test",
        PGAPPNAME=name,  # the test finds the process's connections by it
        PYTHONDONTWRITEBYTECODE="1",
        **settings,
    )
    return environment


def start(app, name, *arguments, script=None, **settings):
    command = [sys.executable, "-c", script] if script else [sys.executable, "-m", "flask"]
    if not script:
        command += ["--app", "wsgi", *arguments]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=job_environment(app, name, **settings),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    process.name = name
    return process


def finish(process):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, f"{process.name}: {out}\n{err}"
    return out


def wait_for(condition, what, timeout=300):
    """Poll until `condition()`; the timeout only ends a test that would hang."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.05)


def blocked_on_a_lock(name):
    with db.engine.connect() as connection:
        return bool(
            connection.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = :name AND wait_event_type = 'Lock'"
                ),
                {"name": name},
            )
        )


def connected(name):
    """The process still has a connection open (PostgreSQL has not yet seen a killed one go)."""
    with db.engine.connect() as connection:
        return bool(
            connection.scalar(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": name},
            )
        )


def killed(process):
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


def gone(process):
    """PostgreSQL has closed a killed process's sessions (one waiting on a lock notices only when
    the wait ends) and rolled back what it had not committed."""
    wait_for(lambda: not connected(process.name), f"the end of {process.name}'s sessions")


def free(job):
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        key = {"key": lock_key(job)}
        taken = connection.scalar(sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), key)
        if taken:
            connection.scalar(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), key)
        return taken


def blocked_or_done(processes):
    """Every process is waiting on a table or row lock, or has exited."""
    return all(p.poll() is not None or blocked_on_a_lock(p.name) for p in processes)


@contextlib.contextmanager
def barrier(*tables, mode="SHARE ROW EXCLUSIVE"):
    """Hold a lock on `tables` (SHARE ROW EXCLUSIVE: no one writes them; ACCESS EXCLUSIVE: no one
    reads them either) until the block ends: a job that gets there waits, mid-transaction."""
    db.session.commit()
    connection = db.engine.connect()
    transaction = connection.begin()
    connection.exec_driver_sql(f"LOCK TABLE {', '.join(tables)} IN {mode} MODE")
    try:
        yield
    finally:
        transaction.rollback()
        connection.close()


@contextlib.contextmanager
def held_elsewhere(name):
    """Job `name` held by another node: its advisory lock taken on a connection of the test's."""
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        key = {"key": lock_key(name)}
        assert connection.scalar(sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), key)
        try:
            yield
        finally:
            connection.scalar(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), key)


def audit_count(action, target):
    return db.session.scalar(
        sa.select(sa.func.count()).where(
            AuditEntry.action == action,
            AuditEntry.target_type == type(target).__tablename__,
            AuditEntry.target_id == target.id,
        )
    )


def mails_to(template):
    return db.session.scalars(
        sa.select(OutboxMessage.to_address).where(OutboxMessage.template == template)
    ).all()


# What a tick has to do -------------------------------------------------------------------------


def due_work():
    """A consultation due to open with three followers, a petition whose signing window ended
    below its threshold, and an addressee's step whose four signers are still to be told."""
    now = utcnow()
    consultation = make_consultation(
        state="scheduled",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=10),
    )
    followers = [make_user() for _ in range(3)]
    for follower in followers:
        db.session.add(Follow(consultation_id=consultation.id, user_id=follower.id))
    expiring, *_ = open_petition()
    expiring.closes_at = now - timedelta(minutes=1)
    answered, signers = deposited(signers=4)
    processing.record_step(addressee_officer(answered), answered, step("receipt"))
    db.session.commit()
    return consultation, followers, expiring, signers


def assert_done_once(consultation, followers, expiring, signers):
    db.session.expire_all()
    assert consultation.state == "open" and expiring.state == "expired"
    assert audit_count("consultation.open", consultation) == 1
    assert audit_count("petition.expired", expiring) == 1
    opened = mails_to("consultation_opened")
    assert sorted(opened) == sorted(f.email for f in followers)
    told = mails_to("petition_step")
    for signer in signers:
        assert told.count(signer.email) == 1


def race(app, processes_arguments, tables, mode="SHARE ROW EXCLUSIVE"):
    """Start the processes together behind a barrier on `tables`; let go when each is blocked or
    done; return their outputs."""
    with barrier(*tables, mode=mode):
        processes = [
            start(app, name, *arguments, **kw) for name, arguments, kw in processes_arguments
        ]
        wait_for(lambda: blocked_or_done(processes), "both processes to block or finish")
    return [finish(p) for p in processes]


@on_postgresql
def test_two_ticks_at_once_transition_once_and_queue_each_mail_once(app, world):
    """Before the lock and the claims, both ticks opened the consultation, expired the petition
    and told the signers: two audit rows each, every mail queued twice."""
    work = due_work()
    outputs = race(
        app, [("tick-a", ["tick"], {}), ("tick-b", ["tick"], {})], ["audit_log", "mail_outbox"]
    )
    assert sorted(skipped_message("tick") in out for out in outputs) == [False, True]
    assert_done_once(*work)


@on_postgresql
def test_without_the_lock_the_row_claims_still_record_and_mail_once(app, world):
    """The second line: two runs of the tick's work that both got in (as when a node's lock
    connection dropped mid-run) still do each thing once: each claims its rows, SKIP LOCKED."""
    work = due_work()
    outputs = race(
        app,
        [
            ("tick-a", [], {"script": TICK_WITHOUT_ITS_LOCK}),
            ("tick-b", [], {"script": TICK_WITHOUT_ITS_LOCK}),
        ],
        ["audit_log", "mail_outbox"],
    )
    assert not any(skipped_message("tick") in out for out in outputs)
    assert_done_once(*work)


def waiting_on_locks():
    with db.engine.connect() as connection:
        return connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


@on_postgresql
def test_an_officer_acting_while_a_tick_opens_the_consultation_does_not_open_it_again(app):
    """An officer's withdrawal records the opening the clock made due, as the tick does; when
    both happen at once, the officer's request waits for the tick's claim and finds it opened.
    Before, both recorded the opening and the followers got two e-mails."""
    institution = make_institution()
    officer = make_user(roles=[Role.OFFICER], institution=institution)
    consultation = make_consultation(
        institution=institution,
        state="scheduled",
        opens_at=utcnow() - timedelta(minutes=1),
        closes_at=utcnow() + timedelta(days=10),
    )
    followers = [make_user() for _ in range(2)]
    for follower in followers:
        db.session.add(Follow(consultation_id=consultation.id, user_id=follower.id))
    db.session.commit()
    ids = consultation.id, officer.id

    def withdraw():
        with app.app_context(), app.test_request_context():
            mine = db.session.get(Consultation, ids[0])
            actor = db.session.get(type(officer), ids[1])
            consultation_services.withdraw_consultation(actor, mine, reason="Texte retiré.")
            db.session.commit()
            db.session.remove()

    with barrier("audit_log", "mail_outbox"):
        tick = start(app, "tick-with-officer", "tick")
        wait_for(lambda: blocked_or_done([tick]), "the tick to claim the consultation")
        assert tick.poll() is None, finish(tick)
        officer_request = threading.Thread(target=withdraw)
        officer_request.start()
        wait_for(lambda: waiting_on_locks() == 2, "the officer's request to wait")
    finish(tick)
    officer_request.join(timeout=300)
    db.session.expire_all()
    assert consultation.state == "withdrawn"
    assert audit_count("consultation.open", consultation) == 1
    assert sorted(mails_to("consultation_opened")) == sorted(f.email for f in followers)


@on_postgresql
@pytest.mark.parametrize(
    "job, arguments",
    [
        ("tick", ["tick"]),
        ("open-data-dump", ["open-data", "dump"]),
        ("statistics", ["stats", "refresh"]),
    ],
)
def test_a_job_held_by_another_node_is_skipped_and_runs_once_released(app, world, job, arguments):
    work = due_work()
    with held_elsewhere(job):
        process = start(app, f"{job}-second", *arguments)
        out = finish(process)
    assert out.strip() == skipped_message(job)
    db.session.expire_all()
    assert work[0].state == "scheduled" and not mails_to("consultation_opened")
    assert not (Path(app.instance_path) / "open-data").exists()
    out = finish(start(app, f"{job}-again", *arguments))
    assert skipped_message(job) not in out


@on_postgresql
def test_the_tick_lock_is_released_when_its_process_is_killed(app, world):
    work = due_work()
    with barrier("audit_log", "mail_outbox"):
        first = start(app, "tick-killed", "tick")
        wait_for(lambda: blocked_on_a_lock("tick-killed"), "the tick to hold its lock and wait")
        killed(first)
        # Its idle lock connection is closed at once: the job is free while the killed
        # transaction still waits on the barrier.
        wait_for(lambda: free("tick"), "the killed tick's lock to be released")
    gone(first)
    out = finish(start(app, "tick-next", "tick"))
    assert skipped_message("tick") not in out
    assert_done_once(*work)


@on_postgresql
def test_two_dumps_at_once_write_once(app, world):
    open_petition()
    directory = Path(app.instance_path) / "open-data"
    outputs = race(
        app,
        [("dump-a", ["open-data", "dump"], {}), ("dump-b", ["open-data", "dump"], {})],
        ["consultations"],
        mode="ACCESS EXCLUSIVE",  # the dump only reads
    )
    written = [out for out in outputs if "files written" in out]
    assert len(written) == 1
    assert sorted(out.strip() for out in outputs if out not in written) == [
        skipped_message("open-data-dump")
    ]
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        d.filename(f) for d in dumps.DATASETS for f in dumps.FORMATS
    )
    assert len(json.loads((directory / "petitions.json").read_text(encoding="utf-8"))) == 1


# The outbox: several senders share it ----------------------------------------------------------


class HoldingServer:
    """An SMTP server that holds the first message it gets until a second one arrives (so the
    first sender is mid-send, its row claimed, while the other sender works), or, with `hang`,
    never answers while hang is set."""

    def __init__(self, hang=False):
        self.hang = hang
        self.arrived = 0
        self.accepted = []

    async def handle_DATA(self, server, session, envelope):
        self.arrived += 1
        if self.hang:
            while self.hang:
                await asyncio.sleep(0.05)
            return "451 try again later"
        if self.arrived == 1:
            for _ in range(6000):
                if self.arrived > 1:
                    break
                await asyncio.sleep(0.05)
        self.accepted.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def smtp_server(handler):
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield {"MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(controller.port)}
    finally:
        handler.hang = False
        controller.stop()


def queue_messages(count):
    people = [make_user() for _ in range(count)]
    for person in people:
        queue_mail(
            to=person.email, language=person.language, template="password_changed", user=person
        )
    db.session.commit()
    return sorted(person.email for person in people)


@on_postgresql
def test_two_senders_at_once_deliver_each_message_once(app):
    addresses = queue_messages(8)
    server = HoldingServer()
    with smtp_server(server) as settings:
        senders = [start(app, name, "outbox", "send", **settings) for name in ("send-a", "send-b")]
        outputs = [finish(sender) for sender in senders]
    delivered = sorted(to for envelope in server.accepted for to in envelope.rcpt_tos)
    assert delivered == addresses
    sent = [int(out.split()[1].rstrip(",")) for out in outputs]
    assert sum(sent) == 8 and min(sent) >= 1, outputs  # both sent: they overlapped
    db.session.expire_all()
    rows = db.session.scalars(sa.select(OutboxMessage)).all()
    assert {(m.status, m.attempts) for m in rows} == {(SENT, 1)}


@on_postgresql
def test_a_sender_killed_mid_send_leaves_the_message_to_the_next_one(app):
    """The row is claimed in a transaction that the crash rolls back: queued again, not lost."""
    [address] = queue_messages(1)
    server = HoldingServer(hang=True)
    with smtp_server(server) as settings:
        sender = start(app, "send-killed", "outbox", "send", **settings)
        wait_for(lambda: server.arrived == 1, "the message to reach the server")
        killed(sender)
        server.hang = False
        gone(sender)
        db.session.expire_all()
        message = db.session.scalars(sa.select(OutboxMessage)).one()
        assert (message.status, message.attempts) == ("queued", 0)
        out = finish(start(app, "send-next", "outbox", "send", **settings))
    assert out.strip() == "sent 1, failed 0"
    assert [to for envelope in server.accepted for to in envelope.rcpt_tos] == [address]


# On both databases -----------------------------------------------------------------------------


def test_single_run_admits_one_holder_at_a_time(app):
    with single_run("tick") as first:
        with single_run("tick") as second, single_run("statistics") as other:
            assert (first, second, other) == (True, False, True)
    with single_run("tick") as again:
        assert again


def test_outbox_senders_share_the_outbox_only_on_postgresql(app):
    with single_run("outbox-send", shared_on_postgresql=True) as first:
        with single_run("outbox-send", shared_on_postgresql=True) as second:
            assert first and second == bool(POSTGRES_URL)


def test_the_command_says_it_skipped_and_exits_0(app, world):
    consultation, *_ = due_work()
    with single_run("tick"):
        result = app.test_cli_runner().invoke(args=["tick"])
    assert result.exit_code == 0
    assert result.output.strip() == skipped_message("tick")
    db.session.expire_all()
    assert consultation.state == "scheduled"


def test_on_sqlite_the_lock_is_a_file_in_the_instance_folder(app):
    if POSTGRES_URL:
        pytest.skip("PostgreSQL takes an advisory lock, tested above")
    path = Path(app.instance_path) / "jobs" / "open-data-dump.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:  # as another process holding it would
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = app.test_cli_runner().invoke(args=["open-data", "dump"])
    assert result.output.strip() == skipped_message("open-data-dump")
    assert not (Path(app.instance_path) / "open-data").exists()


def test_a_dump_written_while_another_run_writes_the_same_file_is_whole(app, tmp_path):
    """Two runs that both write (no lock, e.g. two directories' worth of cron) never share a
    temporary file: the last rename wins and the file is one run's, whole."""
    path = tmp_path / "open-data" / "petitions.json"
    path.parent.mkdir()
    mine = [f'{{"row": {n}}}\n' for n in range(2000)]

    def chunks():
        for number, chunk in enumerate(mine):
            if number == 1000:
                dumps._write_atomically(path, iter(['{"other": true}\n']))
            yield chunk

    dumps._write_atomically(path, chunks())
    assert path.read_text(encoding="utf-8") == "".join(mine)
    assert [p.name for p in path.parent.iterdir()] == ["petitions.json"]

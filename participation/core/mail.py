"""The mail outbox (SPEC §9).

A message is rendered in the recipient's language and inserted into the outbox in the same
transaction as the change that caused it: no mail for a rolled-back change, and no mail lost when
the SMTP server is down. Delivery happens afterwards, by `flask outbox send` (cron or a worker) or,
in the embedded set-up, right after the request that queued it. Failures are retried with
exponential back-off until MAIL_MAX_ATTEMPTS.
"""

import logging
import smtplib
import sys
from datetime import timedelta
from email.header import Header
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from participation.core.i18n import FORMAT_LOCALES, LANGUAGES
from participation.core.models import UTCDateTime, utcnow
from participation.extensions import db

log = logging.getLogger(__name__)

QUEUED, SENT, FAILED = "queued", "sent", "failed"


class OutboxMessage(db.Model):
    __tablename__ = "mail_outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    to_address = sa.Column(sa.String(320), nullable=False)
    language = sa.Column(sa.String(8), nullable=False)
    template = sa.Column(sa.String(80), nullable=False)
    subject = sa.Column(sa.String(300), nullable=False)
    body_text = sa.Column(sa.Text, nullable=False)
    status = sa.Column(sa.String(16), nullable=False, default=QUEUED)
    attempts = sa.Column(sa.Integer, nullable=False, default=0)
    next_attempt_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    last_error = sa.Column(sa.Text, nullable=True)
    sent_at = sa.Column(UTCDateTime, nullable=True)

    __table_args__ = (
        sa.CheckConstraint(f"status IN ('{QUEUED}', '{SENT}', '{FAILED}')", name="status"),
        sa.Index("ix_mail_outbox_due", "status", "next_attempt_at"),
    )


def queue_mail(*, to, language, template, **context):
    """Render emails/<template>.subject.txt and .txt in `language` and add them to the outbox."""
    language = language if language in LANGUAGES else "ar"
    with force_locale(FORMAT_LOCALES[language]):
        context = {"lang_code": language, **context}
        subject = render_template(f"emails/{template}.subject.txt", **context).strip()
        body = render_template(f"emails/{template}.txt", **context)
    message = OutboxMessage(
        to_address=to,
        language=language,
        template=template,
        subject=" ".join(subject.split()),
        body_text=body,
    )
    db.session.add(message)
    db.session.info.setdefault("queued_mail", []).append(message)
    return message


def build_email(message):
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to_address
    if message.subject.isascii():
        email["Subject"] = message.subject
    else:
        # The default policy's folder (Python 3.11) can put the space where it cuts a long
        # non-ASCII subject outside the encoded words, and readers drop it ("مشروعمرسوم"). The
        # legacy Header encoder keeps every space inside an encoded word; set_raw keeps its folding.
        email.set_raw("Subject", Header(message.subject, "utf-8", header_name="Subject").encode())
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email.set_content(message.body_text)
    email["Content-Language"] = (
        message.language
    )  # after set_content, which resets Content-* headers
    return email


class FileBackend:
    """Writes each message as an .eml file (the embedded default)."""

    def __init__(self, config):
        self.directory = Path(config["MAIL_FILE_DIR"])

    def send(self, message, email):
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        (self.directory / f"{stamp}-{message.id:06d}.eml").write_bytes(bytes(email))


class ConsoleBackend:
    def __init__(self, config):
        pass

    def send(self, message, email):
        sys.stdout.write(email.as_string() + "\n" + "-" * 72 + "\n")
        sys.stdout.flush()


class SmtpBackend:
    def __init__(self, config):
        self.config = config

    def send(self, message, email):
        c = self.config
        factory = smtplib.SMTP_SSL if c["SMTP_SSL"] else smtplib.SMTP
        with factory(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"]) as smtp:
            if c["SMTP_STARTTLS"]:
                smtp.starttls()
            if c["SMTP_USERNAME"]:
                smtp.login(c["SMTP_USERNAME"], c["SMTP_PASSWORD"] or "")
            smtp.send_message(email)


BACKENDS = {"file": FileBackend, "console": ConsoleBackend, "smtp": SmtpBackend}


def get_backend():
    name = current_app.config["MAIL_BACKEND"]
    try:
        return BACKENDS[name](current_app.config)
    except KeyError:
        raise RuntimeError(f"Unknown MAIL_BACKEND {name!r}; use one of {sorted(BACKENDS)}")


def retry_delay(attempts):
    """1, 2, 4, ... minutes, at most six hours."""
    return timedelta(minutes=min(2 ** (attempts - 1), 360))


def deliver(message, backend):
    """Try one message once and record the result; the caller commits."""
    try:
        backend.send(message, build_email(message))
    except Exception as error:  # any transport failure is retried later, never lost
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:2000]
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            message.status = FAILED
        else:
            message.next_attempt_at = utcnow() + retry_delay(message.attempts)
        # The message's id is enough to find it; its address is personal data.
        log.warning(
            "mail %s failed (attempt %s): %s", message.id, message.attempts, message.last_error
        )
        return False
    message.attempts += 1
    message.status = SENT
    message.sent_at = utcnow()
    message.last_error = None
    return True


def send_due_messages(*, include_failed=False, limit=500):
    """Deliver queued messages whose time has come; returns (sent, failed) counts."""
    statuses = [QUEUED, FAILED] if include_failed else [QUEUED]
    backend = get_backend()
    sent = failed = 0
    ids = db.session.scalars(
        sa.select(OutboxMessage.id)
        .where(OutboxMessage.status.in_(statuses), OutboxMessage.next_attempt_at <= utcnow())
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()
    for message_id in ids:
        # One short transaction per message: a crash never resends what was already sent, and
        # SKIP LOCKED lets several workers share the outbox on PostgreSQL.
        message = db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status.in_(statuses))
            .with_for_update(skip_locked=True)
        ).first()
        if message is None:
            db.session.commit()
            continue
        if include_failed and message.status == FAILED:
            message.status, message.attempts = QUEUED, 0
        if deliver(message, backend):
            sent += 1
        else:
            failed += 1
        db.session.commit()
    return sent, failed


def deliver_just_queued():
    """Embedded mode: after a request committed, deliver the mail it queued (best effort)."""
    if not db.session.registry.has():
        return  # the request made no database session, so queued nothing (and none is made here)
    queued = db.session.info.pop("queued_mail", [])
    if not queued or not current_app.config["MAIL_DELIVER_INLINE"]:
        return
    backend = get_backend()
    for message in queued:
        try:
            current = db.session.get(OutboxMessage, message.id) if message.id else None
        except Exception:  # the request's transaction was rolled back: nothing to send
            db.session.rollback()
            return
        if current is not None and current.status == QUEUED:
            deliver(current, backend)
    db.session.commit()

"""The outbox: mail is committed with the change, delivered after, retried, in the right language."""

import socket
from pathlib import Path
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from participation.core import mail
from participation.core.mail import (
    FAILED,
    QUEUED,
    SENT,
    OutboxMessage,
    queue_mail,
    send_due_messages,
)
from participation.core.models import utcnow
from participation.extensions import db
from tests.factories import make_user


class Recorder:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, recorder
    controller.stop()


def _queue(user, template="password_changed"):
    message = queue_mail(to=user.email, language=user.language, template=template, user=user)
    db.session.commit()
    return message


@pytest.mark.parametrize(
    "language, words", [("ar", "كلمة"), ("fr", "mot de passe"), ("zgh", "\u2d30")]
)
def test_message_is_rendered_in_the_recipients_language(app, language, words):
    user = make_user(language=language)
    message = _queue(user)
    assert words in (message.subject + message.body_text).lower()
    assert message.language == language


def test_file_backend_writes_eml_files(app):
    user = make_user()
    _queue(user)
    sent, failed = send_due_messages()
    assert (sent, failed) == (1, 0)
    files = list(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))
    assert len(files) == 1
    parsed = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == user.email
    assert parsed["Content-Language"] == "fr"


def test_console_backend_prints(app, capsys):
    app.config["MAIL_BACKEND"] = "console"
    user = make_user()
    _queue(user)
    send_due_messages()
    assert user.email in capsys.readouterr().out


def test_smtp_backend_delivers_to_a_real_server(app, smtp_server):
    controller, recorder = smtp_server
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    user = make_user(language="ar")
    message = _queue(user)
    assert send_due_messages() == (1, 0)
    assert len(recorder.messages) == 1
    envelope = recorder.messages[0]
    assert envelope.rcpt_tos == [user.email]
    parsed = message_from_bytes(envelope.content, policy=policy.default)
    assert parsed["Subject"] == message.subject
    assert db.session.get(OutboxMessage, message.id).status == SENT


def test_smtp_failure_is_retried_later_and_nothing_is_lost(app, smtp_server):
    controller, recorder = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port()
    )  # nobody listens
    user = make_user()
    message = _queue(user)
    assert send_due_messages() == (0, 1)
    stored = db.session.get(OutboxMessage, message.id)
    assert stored.status == QUEUED
    assert stored.attempts == 1
    assert stored.last_error
    assert stored.next_attempt_at > utcnow()
    # Not due yet: nothing happens.
    assert send_due_messages() == (0, 0)
    stored.next_attempt_at = utcnow()
    db.session.commit()
    app.config["SMTP_PORT"] = controller.port
    assert send_due_messages() == (1, 0)
    assert db.session.get(OutboxMessage, message.id).status == SENT
    assert len(recorder.messages) == 1


def test_message_fails_after_the_attempt_limit_and_can_be_retried(app, smtp_server):
    controller, recorder = smtp_server
    app.config.update(
        MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), MAIL_MAX_ATTEMPTS=2
    )
    message = _queue(make_user())
    for _ in range(2):
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
        send_due_messages()
    assert db.session.get(OutboxMessage, message.id).status == FAILED
    app.config["SMTP_PORT"] = controller.port
    assert send_due_messages() == (0, 0)
    assert send_due_messages(include_failed=True) == (1, 0)
    assert len(recorder.messages) == 1


def test_outbox_send_command(app, smtp_server):
    controller, recorder = smtp_server
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    _queue(make_user())
    _queue(make_user())
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "sent 2, failed 0" in result.output
    assert len(recorder.messages) == 2


def test_rolled_back_change_sends_no_mail(app, outbox):
    user = make_user()
    queue_mail(to=user.email, language="fr", template="password_changed", user=user)
    db.session.rollback()
    assert outbox() == []


def test_retry_delay_grows_and_is_capped():
    assert mail.retry_delay(1).total_seconds() == 60
    assert mail.retry_delay(3).total_seconds() == 240
    assert mail.retry_delay(30).total_seconds() == 6 * 3600


@pytest.mark.parametrize(
    "subject",
    [
        "فُتحت الاستشارة «مشروع مرسوم بتطبيق القانون المتعلق بالحق في الحصول على المعلومات»",
        "حصيلة الاستشارة «مشروع مرسوم بتطبيق القانون المتعلق بالحق في الحصول على المعلومات»",
        "ⵜⴰⵙⵓⵔⵜ «ⴰⵙⵏⴼⵍⵓⵍ ⵏ ⵓⵏⵎⵓⵍ ⵏ ⵓⵙⵏⵜⵍ ⵏ ⵜⵓⴳⴳⴰ ⴳ ⵓⴽⵛⴰⵎ ⵖⵔ ⵉⵙⴰⵍⵍⵏ» ⵜⵜⵓⵕⵥⵎ",
        "La consultation « Projet de décret pris pour l’application de la loi n° 31.13 » est ouverte",
        "Plain ASCII subject",
    ],
    ids=["ar-opened", "ar-outcome", "zgh", "fr", "ascii"],
)
def test_a_long_subject_keeps_every_space_once_folded(app, subject):
    user = make_user(language="ar")
    message = _queue(user)
    message.subject = subject
    raw = bytes(mail.build_email(message))
    parsed = message_from_bytes(raw, policy=policy.default)
    assert parsed["Subject"] == subject
    header = raw.split(b"\n\n")[0].decode("ascii")
    assert max(len(line.rstrip("\r")) for line in header.split("\n")) <= 78

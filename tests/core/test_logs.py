"""Personal data never reaches a log line (issue 11, finding 10): every path by which something is
logged, through handlers added after the application, with the values a real failure carries."""

import io
import logging

import pytest
import sqlalchemy as sa

from participation.core.logs import REDACTIONS, scrub
from participation.extensions import db

EMAIL = "fatima.zahra@example.org"
CIN = "AB654321"
FERNET = "gAAAAABrFmXgskCMfXhP1eES7054XHNgk2r3AyfTwhjYr6dYGMq2NBPlfpYULuzQHkXgMpgQz6Qyia3D7ogxvBlc0vMralaLZQ=="
ADDRESS = "3 avenue Mohammed V, Rabat"
TOKEN = "Le4rJngRh37sngBxyQNJxZZ3lPlfe0Byz5oRMpUhAsk"
PERSONAL = [EMAIL, CIN, "654321", FERNET[:20], ADDRESS, "Zahra", "1985-05-20", TOKEN]


@pytest.fixture
def log_output(app):
    """What a handler attached to the root logger after create_app() writes, at INFO."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def assert_no_personal_data(text):
    leaked = [value for value in PERSONAL if value in text]
    assert leaked == [], text


@pytest.mark.parametrize(
    "text, kept",
    [
        (f"sign-in failed for {EMAIL}", "sign-in failed for"),
        (f"cin {CIN} and cin ab-654321 and AB 654321", "cin"),
        (f"cin_encrypted={FERNET}", "cin_encrypted="),
        (f"GET /fr/account/password/reset/{TOKEN} HTTP/1.1", "/fr/account/password/reset/"),
        (f"POST /ar/account/verify/{TOKEN}?next=/fr/ HTTP/1.1", "/ar/account/verify/"),
        (
            f"[SQL: INSERT INTO identity_profiles (first_name, address) VALUES (?, ?)]\n[parameters: ('Zahra', '{ADDRESS}', '1985-05-20')]",
            "INSERT INTO identity_profiles",
        ),
        (f"DETAIL:  Key (cin_hash)=({FERNET}) already exists.", "already exists"),
        (
            f"DETAIL:  Failing row contains (1, Zahra, {ADDRESS}, 1985-05-20).",
            "Failing row contains",
        ),
    ],
)
def test_scrub_removes_each_kind_of_personal_data_and_keeps_the_rest(text, kept):
    cleaned = scrub(text)
    assert_no_personal_data(cleaned)
    assert kept in cleaned


def test_scrub_leaves_ordinary_lines_alone():
    line = '203.0.113.5 - - [07/Dec/2026 10:00:00] "GET /fr/account/verify/resend HTTP/1.1" 200 -'
    assert scrub(line) == line


@pytest.mark.parametrize(
    "text",
    [
        "GET /healthz 200",
        "POST /fr/petitions/12/sign 302",
        f"{EMAIL} AB654321 /fr/account/verify/{TOKEN}?next=/fr/ GET /fr/search?q=Zahra",
        f"[parameters: ('Zahra')] Key (cin_hash)=({FERNET}) Failing row contains (1, Zahra)",
        f"https://example.org/fr/petitions/invitation/{TOKEN}?x=1 ab-654321 12345",
    ],
)
def test_scrub_skips_only_the_patterns_that_cannot_match(text):
    # scrub looks for what each pattern needs before substituting: the same result as running
    # every substitution in order.
    expected = text
    for pattern, replacement, _needed in REDACTIONS:
        expected = pattern.sub(replacement, expected)
    assert scrub(text) == expected


def test_the_application_logger(app, log_output):
    app.logger.warning("sign-in for %s with CIN %s", EMAIL, CIN)
    output = log_output.getvalue()
    assert "sign-in for" in output
    assert_no_personal_data(output)


def _add_failing_route(app):
    def fail():
        raise RuntimeError(f"could not save {EMAIL}: cin {CIN}, {FERNET}")

    fail.access_policy = "public"
    app.add_url_rule("/fail-with-personal-data", "fail_with_personal_data", fail)


@pytest.mark.parametrize("extend_app", [_add_failing_route], ids=["failing route"])
def test_the_exception_logged_for_a_500(app, client, log_output):
    assert client.get("/fail-with-personal-data").status_code == 500
    output = log_output.getvalue()
    assert "Traceback" in output
    assert "RuntimeError" in output
    assert_no_personal_data(output)


def test_an_integrity_error_with_its_parameters(app, log_output):
    engine = sa.create_engine("sqlite://")  # without hide_parameters: the filter alone must hold
    table = sa.Table(
        "people",
        sa.MetaData(),
        sa.Column("cin", sa.String, unique=True),
        sa.Column("email", sa.String),
        sa.Column("address", sa.String),
    )
    table.metadata.create_all(engine)
    with engine.connect() as connection:
        connection.execute(table.insert(), {"cin": CIN, "email": EMAIL, "address": ADDRESS})
        try:
            connection.execute(table.insert(), {"cin": CIN, "email": EMAIL, "address": ADDRESS})
        except sa.exc.IntegrityError as error:
            assert ADDRESS in str(error)  # the raw exception does carry them
            logging.getLogger("participation.test").exception("write failed")
            logging.getLogger("sqlalchemy.engine").error("write failed: %s", error)
    engine.dispose()
    output = log_output.getvalue()
    assert "IntegrityError" in output
    assert "[parameters:" in output
    assert_no_personal_data(output)


def test_the_application_engine_hides_parameters(app):
    assert db.engine.hide_parameters is True


def test_werkzeugs_request_line_with_a_token_url(app, log_output):
    # The shape of werkzeug.serving's request log line (WSGIRequestHandler.log_request).
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s',
        "203.0.113.5",
        "07/Dec/2026 10:00:00",
        f"GET /fr/account/password/reset/{TOKEN}?email={EMAIL} HTTP/1.1",
        "200",
        "-",
    )
    output = log_output.getvalue()
    assert "/fr/account/password/reset/" in output
    assert_no_personal_data(output)

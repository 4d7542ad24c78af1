"""Structured logs (issue 14, item 5): one JSON object per line with the request's id, and no
personal data on any path by which the platform logs, captured at the handler the way production
formats (participation.core.logs.make_handler("json"))."""

import importlib.util
import io
import json
import logging
import os
import re
from unittest import mock

import pytest
import sqlalchemy as sa

from config import ROOT, DevelopmentConfig, ProductionConfig
from participation.core import mail
from participation.core.logs import make_handler
from tests.factories import make_user

EMAIL = "fatima.zahra@example.org"
CIN = "AB654321"
NAME = "Benkirane"  # a family name: no pattern can recognise one, so it must never be logged
PASSWORD = "Tr1cky-Passw0rd!"
SESSION = "eyJfZnJlc2giOmZhbHNlLCJfdXNlcl9pZCI6IjQyIn0.Z1b2c3.SeSsIoNcOoKiEsIgNaTuRe"
TOKEN = "Le4rJngRh37sngBxyQNJxZZ3lPlfe0Byz5oRMpUhAsk"
PERSONAL = [EMAIL, "fatima.zahra", CIN, "654321", NAME, PASSWORD, SESSION, TOKEN]


@pytest.fixture
def json_lines(app):
    """The JSON lines the production handler writes, from the root logger at INFO."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)

    def lines():
        text = stream.getvalue()
        leaked = [value for value in PERSONAL if value in text]
        assert leaked == [], text
        return [json.loads(line) for line in text.splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(level)


def request_lines(lines):
    return [line for line in lines if line["logger"] == "participation.request"]


def test_a_request_line_is_one_json_object_with_the_request_id_given(app, client, json_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "0f8e2c1d-9b7a-4c3e-8d2f"})
    assert response.headers["X-Request-ID"] == "0f8e2c1d-9b7a-4c3e-8d2f"
    [line] = request_lines(json_lines())
    assert line["request_id"] == "0f8e2c1d-9b7a-4c3e-8d2f"
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["endpoint"] == "public.health"
    assert line["status"] == 200
    assert line["remote"] == "127.0.0.1"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "user" not in line and "user_id" not in line


@pytest.mark.parametrize(
    "sent",
    [None, "short", "x" * 65, "has space 12345", "abc\tdef123456", '"quoted-id-123"', "ïd-ünïcödé"],
)
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_new_one(app, client, json_lines, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second
    assert [line["request_id"] for line in request_lines(json_lines())] == [first, second]


def _log_inside_a_request(app):
    def noisy():
        logging.getLogger("participation.test").warning("working on it")
        return "done"

    noisy.access_policy = "public"
    app.add_url_rule("/noisy", "noisy", noisy)


@pytest.mark.parametrize("extend_app", [_log_inside_a_request], ids=["logging route"])
def test_every_record_made_during_a_request_carries_its_id(app, client, json_lines):
    response = client.get("/noisy", headers={"X-Request-ID": "req-0123456789"})
    assert response.headers["X-Request-ID"] == "req-0123456789"
    lines = json_lines()
    [record] = [line for line in lines if line["logger"] == "participation.test"]
    assert record["request_id"] == "req-0123456789"
    assert record["level"] == "WARNING"
    assert request_lines(lines)[0]["request_id"] == "req-0123456789"


@pytest.fixture
def config_overrides(request):
    return getattr(request, "param", {})


@pytest.mark.parametrize("config_overrides", [{"TRUSTED_PROXIES": 1}], indirect=True)
def test_the_remote_address_is_the_client_behind_the_trusted_proxy(app, client, json_lines):
    client.get("/healthz", headers={"X-Forwarded-For": "198.51.100.23"})
    assert request_lines(json_lines())[0]["remote"] == "198.51.100.23"


def test_production_writes_json_and_development_text(monkeypatch):
    for name in ("SECRET_KEY", "CIN_HASH_KEY", "CIN_ENCRYPTION_KEYS"):
        monkeypatch.setenv(name, "k" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/participation")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://participation.ma")
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    assert ProductionConfig().LOG_FORMAT == "json"
    assert DevelopmentConfig().LOG_FORMAT == "text"


def test_the_text_format_is_a_readable_line_with_the_request_id(app):
    stream = io.StringIO()
    handler = make_handler("text", stream)
    logger = logging.getLogger("participation.test")
    logger.addHandler(handler)
    try:
        with app.test_request_context(headers={"X-Request-ID": "text-req-0001"}):
            logger.warning("sign-in for %s", EMAIL)
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    assert line.endswith("WARNING participation.test [text-req-0001] sign-in for [e-mail]")
    outside = logging.LogRecord("x", logging.INFO, __file__, 1, "outside any request", (), None)
    assert handler.format(outside).endswith("[-] outside any request")


def test_an_unknown_log_format_is_refused():
    with pytest.raises(RuntimeError, match="LOG_FORMAT"):
        make_handler("xml")


# --- Personal data through every path by which something is logged -------------------------


def _fail_with_sql_parameters(app):
    def save_identity():
        engine = sa.create_engine("sqlite://")  # parameters not hidden: the filter alone holds
        people = sa.Table(
            "people",
            sa.MetaData(),
            sa.Column("cin", sa.String, unique=True),
            sa.Column("name", sa.String),
            sa.Column("email", sa.String),
        )
        people.metadata.create_all(engine)
        row = {"cin": CIN, "name": NAME, "email": EMAIL}
        with engine.begin() as connection:
            connection.execute(people.insert(), row)
            connection.execute(people.insert(), row)  # IntegrityError, with its parameters
        return "unreachable"

    save_identity.access_policy = "public"
    app.add_url_rule("/save-identity", "save_identity", save_identity)


@pytest.mark.parametrize("extend_app", [_fail_with_sql_parameters], ids=["failing route"])
def test_no_personal_data_on_any_log_path(app, client, json_lines, monkeypatch):
    hostile = {
        "Cookie": f"session={SESSION}; remember_token={TOKEN}",
        "Authorization": f"Bearer {TOKEN}",
        "Referer": f"https://participation.test/fr/account/verify/{TOKEN}?email={EMAIL}",
        "X-Request-ID": f"{NAME}-{CIN}",  # a valid form: echoed, so it is not personal here
        "User-Agent": f"{NAME} {EMAIL}",
    }
    query = {"email": EMAIL, "cin": CIN, "name": NAME, "password": PASSWORD, "q": NAME}
    paths = [
        f"/fr/account/verify/{TOKEN}",
        f"/fr/account/password/reset/{TOKEN}",
        f"/fr/petitions/invitation/{TOKEN}",
        f"/fr/{NAME}/{EMAIL}/{CIN}",  # matches no route: the path is not logged at all
        "/fr/petitions/",
    ]
    hostile["X-Request-ID"] = "probe-request-0001"
    for path in paths:
        client.get(path, query_string=query, headers=hostile)
    # A sign-in with the password in the body and the address in the form.
    client.post(
        "/fr/account/login",
        data={"email": EMAIL, "password": PASSWORD},
        query_string={"next": f"/fr/?name={NAME}"},
        headers=hostile,
    )
    # The 500 path: an IntegrityError carrying the name, CIN and address as SQL parameters.
    assert client.get("/save-identity", query_string=query, headers=hostile).status_code == 500

    # The outbox's failure log, from a page's inline delivery and from the CLI command.
    user = make_user(email=EMAIL, display_name=NAME)
    mail.queue_mail(to=user.email, language="fr", template="password_changed", user=user)

    class Refusing:
        def __init__(self, config):
            pass

        def send(self, message, email):
            raise OSError(f"550 5.1.1 <{EMAIL}>: recipient {CIN} unknown")

    monkeypatch.setitem(mail.BACKENDS, "file", Refusing)
    from participation.extensions import db

    db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "failed 1" in result.output
    # Other CLI commands: create-admin with an address, a name and a password.
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", f"admin.{EMAIL}", "--name", NAME, "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output

    # The development server's request line and gunicorn's access line.
    logging.getLogger("werkzeug").info(
        '%s - - [%s] "%s" %s %s',
        "203.0.113.5",
        "07/Dec/2026 10:00:00",
        f"GET /fr/account/password/reset/{TOKEN}?email={EMAIL}&name={NAME}&cin={CIN} HTTP/1.1",
        "200",
        "-",
    )
    gunicorn_access_line(hostile, query)

    lines = json_lines()  # asserts that no personal value appears anywhere in the output
    requests = request_lines(lines)
    assert len(requests) == len(paths) + 2
    logged_paths = [line.get("path") for line in requests]
    assert "/fr/account/verify/[token]" in logged_paths
    assert "/fr/account/password/reset/[token]" in logged_paths
    assert "/fr/petitions/invitation/[token]" in logged_paths
    assert None in logged_paths  # the unmatched path
    assert any("IntegrityError" in line.get("exception", "") for line in lines)
    assert any("[parameters: hidden]" in line.get("exception", "") for line in lines)
    assert any(
        line["message"].startswith("mail ") and "failed" in line["message"] for line in lines
    )
    assert any(line["logger"] == "werkzeug" for line in lines)
    assert any(line["logger"] == "gunicorn.access" for line in lines)
    assert all(line["request_id"] == "probe-request-0001" for line in requests)


def gunicorn_access_line(sent_headers, query):
    """Log one access line as gunicorn's Logger.access does, with deploy/gunicorn.conf.py's
    format, for a request carrying the hostile headers and query string."""
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    spec = importlib.util.spec_from_file_location(
        "gunicorn_conf", ROOT / "deploy" / "gunicorn.conf.py"
    )
    settings = importlib.util.module_from_spec(spec)
    # The file sets PROMETHEUS_MULTIPROC_DIR for gunicorn's processes: not for this one, whose
    # later tests (metrics, gunicorn subprocesses) would inherit it.
    with mock.patch.dict(os.environ):
        spec.loader.exec_module(settings)
    config = Config()
    config.set("access_log_format", settings.access_log_format)
    config.set("accesslog", "-")
    logger = Logger(config)
    # Logger() gives gunicorn.access a stdout handler and stops propagation; here the record goes
    # to the root logger's captured handler instead, as logconfig_dict's handler would take it.
    access = logging.getLogger("gunicorn.access")
    handlers, access.handlers, access.propagate = access.handlers, [], True
    query_string = "&".join(f"{k}={v}" for k, v in query.items())

    class Request:
        method = "GET"
        path = f"/fr/account/verify/{TOKEN}"
        uri = f"{path}?{query_string}"
        version = (1, 1)
        headers = [(name.upper(), value) for name, value in sent_headers.items()]

    class Response:
        status = "200 OK"
        status_code = 200
        response_length = 10
        sent = 10
        headers = [("X-Request-ID", "probe-request-0001")]

    from datetime import timedelta

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": Request.path,
        "HTTP_REFERER": sent_headers["Referer"],
        "HTTP_USER_AGENT": sent_headers["User-Agent"],
        "HTTP_AUTHORIZATION": sent_headers["Authorization"],
        "HTTP_COOKIE": sent_headers["Cookie"],
        "REMOTE_ADDR": "203.0.113.5",
        "QUERY_STRING": query_string,
        "RAW_URI": Request.uri,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    try:
        logger.access(Response(), Request(), environ, timedelta(milliseconds=12))
    finally:
        access.handlers = handlers

"""The session cookie is Flask's signed cookie (core/sessions.py). Until issue 12 (item 6) the
platform wrote it without zlib through a serializer of its own; those cookies must still load."""

import hashlib
import json

from flask import request, session, url_for
from flask_login import user_accessed
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_encode

from participation.core.sessions import SessionInterface
from participation.extensions import db
from tests.factories import make_user


def test_the_session_cookie_round_trips_and_its_answer_stays_private(app):
    assert isinstance(app.session_interface, SessionInterface)
    with app.test_request_context():
        session["value"] = "kept"
        response = app.response_class("ok")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    assert "private" in response.headers["Cache-Control"]
    with app.test_request_context(headers={"Cookie": cookie}):
        assert app.session_interface.open_session(app, request)["value"] == "kept"


def test_a_cookie_written_by_the_former_uncompressed_serializer_still_loads(app):
    # The former SessionInterface: Flask's salt, key derivation and digest, JSON then base64,
    # never zlib (what such a cookie holds: the user id and session token, the CSRF secret).
    payload = {"_user_id": "7:abcdef", "_fresh": True, "csrf_token": "0" * 40}
    signer = TimestampSigner(
        app.secret_key, salt="cookie-session", key_derivation="hmac", digest_method=hashlib.sha1
    )
    compact = json.dumps(payload, separators=(",", ":")).encode()
    cookie = signer.sign(base64_encode(compact)).decode()
    with app.test_request_context(
        headers={"Cookie": f"{app.config['SESSION_COOKIE_NAME']}={cookie}"}
    ):
        loaded = app.session_interface.open_session(app, request)
    assert dict(loaded) == payload


def test_a_request_without_cookies_is_anonymous_without_loading_a_user(app, client):
    # core/visitors.py: an empty session and no cookie give the anonymous user without asking
    # Flask-Login (which signals each user load); the answer still varies on the Cookie header.
    with user_accessed.connected_to(record := Recorder()):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert record.calls == 0
        assert "Cookie" in response.headers.get("Vary", "")
        assert "Set-Cookie" not in response.headers
        login_page = client.get("/fr/account/login")  # sets a session (its CSRF token)
        assert login_page.status_code == 200 and "Set-Cookie" in login_page.headers
        client.get("/healthz")  # a session cookie now: Flask-Login answers
        assert record.calls > 0


def test_a_session_cookie_still_goes_through_flask_login(app, client, login):
    user = make_user(email="session@example.org")
    db.session.commit()
    login(user)
    with user_accessed.connected_to(record := Recorder()):
        response = client.get(url_for("auth.profile", lang_code="fr"))
    assert response.status_code == 200
    assert record.calls > 0
    assert "private" in response.headers["Cache-Control"]


class Recorder:
    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1


def test_an_emptied_session_still_deletes_its_cookie(app):
    # SessionInterface.save_session's shortcut is for a session that was empty all along.
    with app.test_request_context(headers={"Cookie": "session=x"}):
        session["value"] = "kept"
        session.clear()
        response = app.response_class("ok")
        app.session_interface.save_session(app, session, response)
    assert "session=;" in response.headers["Set-Cookie"]
    assert "private" in response.headers["Cache-Control"]

"""The session cookie is Flask's signed cookie (core/sessions.py). Until issue 12 (item 6) the
platform wrote it without zlib through a serializer of its own; those cookies must still load."""

import hashlib
import json

from flask import request, session
from itsdangerous import TimestampSigner
from itsdangerous.encoding import base64_encode

from participation.core.sessions import SessionInterface


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

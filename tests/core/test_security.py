import pytest
from flask import abort

from participation.core import policy
from participation.core.security import SecurityHeaders
from tests.factories import make_user


# Written out here, not read from core/security.py: a change to a policy must change this test too.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


@pytest.mark.parametrize(
    "path",
    [
        "/fr/",
        "/ar/account/login",
        "/fr/nothing-here",
        "/api/v1/regions",
        "/static/css/site.css",
        "/healthz",
    ],
)
def test_every_answer_has_exactly_the_security_headers(client, path):
    with client.get(path) as response:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.getlist(name) == [value], name


def test_pages_are_not_stored(client):
    """Except the shared pages' anonymous answers (tests/core/test_page_cache.py)."""
    assert client.get("/fr/about/fonts").headers.getlist("Cache-Control") == ["no-store"]


def test_pages_have_no_inline_script(client):
    for path in ("/ar/", "/fr/account/login", "/zgh/account/register"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html
        assert " on" + "click=" not in html


def test_session_cookie_is_httponly_secure_and_samesite(app, database_template, tmp_path):
    from participation import create_app
    from tests.conftest import _clean_database_url, make_config

    (tmp_path / "s").mkdir()
    secure_app = create_app(
        make_config(
            tmp_path / "secure",
            _clean_database_url(database_template, tmp_path / "s"),
            SESSION_COOKIE_SECURE=True,
        )
    )
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    assert secure_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert secure_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    client = secure_app.test_client()
    response = client.get("/fr/account/login")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert response.headers.getlist("Strict-Transport-Security") == [
        "max-age=31536000; includeSubDomains"
    ]
    with secure_app.app_context():
        from participation.extensions import db

        db.engine.dispose()


def test_post_without_csrf_token_is_refused_with_a_translated_page(client):
    user = make_user()
    response = client.post(
        "/fr/account/login", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'lang="fr"' in html
    assert "csrf" not in html.lower()  # a human explanation, not the library's message


def test_oversized_request_gets_413(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/ar/account/login", data={"email": "a@b.c", "password": "x" * 5000})
    assert response.status_code == 413
    assert 'lang="ar"' in response.get_data(as_text=True)


def test_oversized_form_field_gets_413(client, app):
    # Small numbers keep the body in memory (a large one would be spooled to a temporary file).
    app.config["MAX_FORM_MEMORY_SIZE"] = 1000
    response = client.post(
        "/fr/account/login",
        data={"email": "a@b.c", "password": "x" * 2000},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/fr/nothing-here")
    assert response.status_code == 404
    assert 'lang="fr"' in response.get_data(as_text=True)


def test_wrong_method_is_a_translated_405_that_names_the_allowed_methods(client):
    response = client.get("/fr/account/logout")
    assert response.status_code == 405
    assert 'lang="fr"' in response.get_data(as_text=True)
    assert sorted(response.headers["Allow"].split(", ")) == ["OPTIONS", "POST"]


def test_api_errors_are_json(client):
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"] == "not_found"


def test_api_method_error_is_json(client):
    response = client.post("/api/v1/regions")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"
    assert sorted(response.headers["Allow"].split(", ")) == ["GET", "HEAD", "OPTIONS"]


def _add_failing_routes(app):
    @app.route("/<lang:lang_code>/test-crash")
    @policy.public
    def crash():
        raise RuntimeError("boom")

    @app.route("/<lang:lang_code>/test-forbidden")
    @policy.public
    def forbidden():
        abort(403)

    @app.route("/api/v1/test-crash")
    @policy.public
    def api_crash():
        raise RuntimeError("boom")


with_failing_routes = pytest.mark.parametrize(
    "extend_app", [_add_failing_routes], ids=["failing routes"]
)


@with_failing_routes
def test_unexpected_error_is_a_translated_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.get("/zgh/test-crash")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert 'lang="zgh"' in html
    assert "boom" not in html
    api = client.get("/api/v1/test-crash")
    assert api.status_code == 500
    assert api.get_json()["error"] == "server_error"


@with_failing_routes
def test_forbidden_is_a_translated_403(app):
    response = app.test_client().get("/ar/test-forbidden")
    assert response.status_code == 403
    assert 'dir="rtl"' in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [400, 403, 404, 405, 413, 429, 500])
def test_every_error_page_is_translated(app, status):
    from participation.core.errors import render_error
    from flask import g

    rendered = {}
    for lang in ("ar", "fr"):
        with app.test_request_context(f"/{lang}/"):
            g.lang_code = lang
            body, code = render_error(status)
        assert code == status
        rendered[lang] = body
    assert rendered["ar"] != rendered["fr"]


@pytest.mark.parametrize("field", ["email", "password"])
def test_nul_bytes_in_a_form_are_a_clear_400_not_a_500(client, field):
    from tests.conftest import csrf_token

    data = {
        "email": "a@example.org",
        "password": "secret secret",
        "csrf_token": csrf_token(client, "/fr/account/login"),
    }
    data[field] = "abc\x00def"
    response = client.post("/fr/account/login", data=data)
    assert response.status_code == 400
    assert 'lang="fr"' in response.get_data(as_text=True)
    assert client.get("/fr/admin/users?q=%00").status_code == 400


def test_invalid_utf8_in_a_form_is_handled(client):
    from tests.conftest import csrf_token

    token = csrf_token(client, "/fr/account/login")
    response = client.post(
        "/fr/account/login",
        data=b"email=%FF%FE%80&password=x&csrf_token=" + token.encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 400)


def test_security_headers_keep_what_the_view_set_and_store_no_page():
    # core/security.SecurityHeaders works on the WSGI header list: a header the view set is kept
    # (not doubled); a page without caching headers is not stored; other answers keep theirs.
    middleware = SecurityHeaders(None, {"SESSION_COOKIE_SECURE": True})
    page = middleware.secured(
        [("Content-Type", "text/html; charset=utf-8"), ("X-Frame-Options", "SAMEORIGIN")]
    )
    names = [name for name, _value in page]
    assert dict(page)["X-Frame-Options"] == "SAMEORIGIN" and names.count("X-Frame-Options") == 1
    assert dict(page)["Cache-Control"] == "no-store"
    assert dict(page)["Strict-Transport-Security"].startswith("max-age=")
    for name, value in SECURITY_HEADERS.items():
        if name != "X-Frame-Options":
            assert dict(page)[name] == value
    data = middleware.secured([("Content-Type", "application/json"), ("Cache-Control", "public")])
    assert [value for name, value in data if name == "Cache-Control"] == ["public"]
    plain = SecurityHeaders(None, {"SESSION_COOKIE_SECURE": False}).secured([])
    assert "Strict-Transport-Security" not in dict(plain)

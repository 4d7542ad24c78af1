"""Every error page speaks the language of its URL (issue 13, item 4), or the visitor's own outside a
language prefix, through real requests: a routing failure (no route matched, so no language was
parsed from the URL) used to fall back to Arabic."""

import re
from html import unescape

import pytest
from flask import abort
from flask_babel import force_locale

from participation.core import policy
from participation.core.errors import CSRF_MESSAGE, ERROR_MESSAGES, ERROR_TITLES
from participation.core.i18n import FORMAT_LOCALES
from tests.conftest import csrf_token
from tests.factories import make_user

LANGUAGES = ("ar", "fr", "zgh")
DIRECTIONS = {"ar": "rtl", "fr": "ltr", "zgh": "ltr"}


def _add_failing_route(app):
    @app.route("/<lang:lang_code>/test-error-page-crash")
    @policy.public
    def crash():
        raise RuntimeError("boom")

    @app.route("/<lang:lang_code>/test-error-page-forbidden")
    @policy.public
    def forbidden():
        abort(403)


def _expected(lang, status, message=None):
    with force_locale(FORMAT_LOCALES[lang]):
        return str(ERROR_TITLES[status]), str(message or ERROR_MESSAGES[status])


def _assert_page_in(response, lang, status, message=None):
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert (
        re.search(r"<html[^>]*>", html).group(0) == f'<html lang="{lang}" dir="{DIRECTIONS[lang]}">'
    )
    title, text = _expected(lang, status, message)
    assert re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip() == title
    assert text in unescape(html)
    # The page's links stay in its language (the home link of the error page).
    assert f'href="/{lang}/"' in html
    if lang != "ar":
        assert not re.search("[\u0600-\u06ff]", re.search(r"<main.*</main>", html, re.S).group(0))


def test_the_expected_texts_differ_between_languages(app):
    titles = {lang: _expected(lang, 404)[0] for lang in LANGUAGES}
    assert len(set(titles.values())) == 3, titles


@pytest.mark.parametrize("lang", LANGUAGES)
def test_unknown_address_is_a_404_in_the_language_of_the_url(client, lang):
    _assert_page_in(client.get(f"/{lang}/nothing-here/at-all"), lang, 404)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_missing_object_is_a_404_in_the_language_of_the_url(client, lang):
    _assert_page_in(client.get(f"/{lang}/petitions/999999"), lang, 404)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_wrong_method_is_a_405_in_the_language_of_the_url(client, lang):
    _assert_page_in(client.get(f"/{lang}/account/logout"), lang, 405)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_forbidden_page_is_a_403_in_the_language_of_the_url(client, login, lang):
    login(make_user(language="ar"))
    _assert_page_in(client.get(f"/{lang}/admin/users"), lang, 403)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bad_request_is_a_400_in_the_language_of_the_url(client, lang):
    _assert_page_in(client.get(f"/{lang}/consultations/?q=%00"), lang, 400)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_csrf_failure_is_a_400_in_the_language_of_the_url(client, lang):
    response = client.post(f"/{lang}/account/login", data={"email": "a@b.c", "password": "x"})
    _assert_page_in(response, lang, 400, CSRF_MESSAGE)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_too_large_request_is_a_413_in_the_language_of_the_url(client, app, lang):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post(
        f"/{lang}/account/login", data={"email": "a@b.c", "password": "x" * 5000}
    )
    _assert_page_in(response, lang, 413)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_rate_limited_request_is_a_429_in_the_language_of_the_url(client, lang):
    token = csrf_token(client, f"/{lang}/account/login")
    for attempt in range(20):
        response = client.post(
            f"/{lang}/account/login",
            data={
                "email": "nobody@example.org",
                "password": f"wrong {attempt}",
                "csrf_token": token,
            },
        )
        if response.status_code == 429:
            break
    _assert_page_in(response, lang, 429)


with_failing_route = pytest.mark.parametrize(
    "extend_app", [_add_failing_route], ids=["failing route"]
)


@with_failing_route
@pytest.mark.parametrize("lang", LANGUAGES)
def test_server_error_is_a_500_in_the_language_of_the_url(app, lang):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    _assert_page_in(app.test_client().get(f"/{lang}/test-error-page-crash"), lang, 500)


@with_failing_route
@pytest.mark.parametrize("lang", LANGUAGES)
def test_aborted_403_is_in_the_language_of_the_url(app, lang):
    _assert_page_in(app.test_client().get(f"/{lang}/test-error-page-forbidden"), lang, 403)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_address_without_a_language_follows_accept_language(client, lang):
    response = client.get("/nothing-here", headers={"Accept-Language": f"{lang};q=0.9"})
    _assert_page_in(response, lang, 404)


def test_an_address_without_a_language_follows_the_saved_choice_first(client, login):
    login(make_user(language="zgh"))
    response = client.get("/nothing-here", headers={"Accept-Language": "fr"})
    _assert_page_in(response, "zgh", 404)


def test_an_address_without_a_language_and_no_choice_is_in_arabic(client):
    _assert_page_in(client.get("/nothing-here"), "ar", 404)


def test_the_url_language_wins_over_accept_language(client):
    response = client.get("/zgh/nothing-here", headers={"Accept-Language": "fr"})
    _assert_page_in(response, "zgh", 404)

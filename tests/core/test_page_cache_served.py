"""Stored shared pages are answered by a WSGI middleware before Flask makes a request context
(core/page_cache.SharedPages, docs/caching.md "Where a stored answer is served"): such an answer
still gets its own request id, its request line and its measurement, by the functions the
application's hooks call; a host outside TRUSTED_HOSTS, a session or remember cookie, another
method or a long query string go on to the application as before."""

import io
import json
import logging
from urllib.parse import unquote

import pytest
from flask import request_started, url_for

from participation.core import metrics
from participation.core.logs import make_handler
from tests.petition_world import open_petition


@pytest.fixture
def petition(app, world):  # noqa: F811
    petition, _initiator, _members = open_petition()
    return petition


@pytest.fixture
def url(petition):
    return url_for("petitions.detail", lang_code="fr", petition_id=petition.id, slug=petition.slug)


@pytest.fixture
def flask_requests(app):
    """How many requests Flask itself handled (its `request_started` signal)."""
    started = []
    with request_started.connected_to(lambda sender, **_: started.append(1), app):
        yield started


@pytest.fixture
def request_lines():
    """The request lines the production JSON handler writes."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logger = logging.getLogger("participation.request")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)

    def lines():
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def measured(endpoint, status):
    series = metrics._request_series.get((endpoint, "GET", status))
    if series is None:
        return 0
    return sum(bucket.get() for bucket in series._buckets)


def test_a_stored_page_is_answered_without_flask_and_with_every_duty(
    client, url, flask_requests, request_lines
):
    rendered = client.get(url)
    assert len(flask_requests) == 1
    before = measured("petitions.detail", 200)
    served = client.get(url, headers={"X-Request-ID": "served-request-0001"})
    assert len(flask_requests) == 1  # no request context, no hook, no view
    assert served.status_code == 200 and served.get_data() == rendered.get_data()
    assert served.headers["X-Request-ID"] == "served-request-0001"
    assert served.headers["X-Frame-Options"] == "DENY"  # the security headers' middleware
    assert measured("petitions.detail", 200) == before + 1
    line = request_lines()[-1]
    assert line["request_id"] == "served-request-0001"
    assert (line["method"], line["path"], line["endpoint"], line["status"]) == (
        "GET",
        unquote(url),
        "petitions.detail",
        200,
    )
    assert line["remote"] == "127.0.0.1" and line["duration_ms"] >= 0
    assert line["message"] == f"GET {unquote(url)} 200"


def test_a_304_from_the_store_is_measured_and_logged_as_one(
    client, url, flask_requests, request_lines
):
    etag = client.get(url).headers["ETag"]
    before = measured("petitions.detail", 304)
    answer = client.get(url, headers={"If-None-Match": etag})
    assert len(flask_requests) == 1
    assert answer.status_code == 304 and answer.get_data() == b""
    assert "Content-Type" not in answer.headers and "Content-Length" not in answer.headers
    assert answer.headers["X-Request-ID"] and answer.headers["ETag"] == etag
    assert measured("petitions.detail", 304) == before + 1
    assert request_lines()[-1]["status"] == 304


def test_each_served_answer_has_an_id_of_its_own(client, url, request_lines):
    client.get(url)
    ids = {client.get(url).headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3
    assert ids == {line["request_id"] for line in request_lines()[-3:]}


def test_an_untrusted_host_gets_the_400_not_the_stored_page(client, url, flask_requests):
    assert client.get(url).status_code == 200
    answer = client.get(url, headers={"Host": "evil.example"})
    assert answer.status_code == 400
    assert len(flask_requests) == 2


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_a_session_or_remember_cookie_goes_to_the_application(
    app, client, url, flask_requests, cookie
):
    client.get(url)
    client.set_cookie(cookie, "anything", domain="participation.test")
    answer = client.get(url)
    assert len(flask_requests) == 2
    assert answer.headers["Cache-Control"] != "public, max-age=0, s-maxage=2"


def test_an_unrelated_cookie_is_still_served_from_the_store(client, url, flask_requests):
    client.get(url)
    client.set_cookie("theme", "dark", domain="participation.test")
    assert client.get(url).status_code == 200
    assert len(flask_requests) == 1


def test_other_methods_and_long_query_strings_go_to_the_application(client, flask_requests):
    client.get("/fr/petitions/")
    client.get("/fr/petitions/")
    assert len(flask_requests) == 1
    long_query = "/fr/petitions/?q=" + "x" * 600
    client.get(long_query)
    client.get(long_query)
    assert len(flask_requests) == 3  # never stored, never served
    client.post("/fr/petitions/")
    assert len(flask_requests) == 4


def test_pages_that_are_not_shared_are_never_served_by_the_middleware(client, flask_requests):
    for _ in range(2):
        assert client.get("/healthz").status_code == 200
    assert len(flask_requests) == 2

"""The caching contract of the shared pages (issue 15, part 2; docs/caching.md): anonymous answers
of the home page, the listings, a petition and a consultation are public for s-maxage seconds with
an ETag (304 on a match) and served again from the application's cache without running the view;
signed-in ones are `private, no-store`; a served answer equals a rendered one, headers included;
a signature shows once the page ages out (the cache's own clock is moved, no sleeping), an edit at
once; a session cookie or a flashed message is never served from nor stored in the cache; Redis
away is a miss, never an error."""

import logging
import re

import pytest
import redis
from flask import url_for

from participation.comments.services import post_comment
from participation.comments.targets import resolve_target
from participation.core import page_cache
from participation.core.page_cache import CSRF_PLACEHOLDER, MemoryStore, RedisStore
from participation.extensions import db
from tests.conftest import Clock, signed_in_client
from participation.petitions import signing
from tests.factories import make_consultation
from tests.petition_world import citizen, open_petition
from tests.query_counts import QueryCounter

SHARED = "public, max-age=0, s-maxage=2"
PRIVATE = "private, no-store"
COUNT = '<p class="count">{} signatures sur'


@pytest.fixture
def use_store(app, monkeypatch):
    def use(store):
        monkeypatch.setattr(app.extensions["page_cache"], "store", store)

    return use


@pytest.fixture
def petition(app, world):  # noqa: F811
    petition, _initiator, _members = open_petition()
    return petition


def petition_url(petition, lang="fr"):
    return url_for("petitions.detail", lang_code=lang, petition_id=petition.id, slug=petition.slug)


def queries(client, url, **kwargs):
    """(response, number of SQL statements it ran): 0 when it was served from the cache."""
    with QueryCounter(db.engine) as counter:
        response = client.get(url, **kwargs)
    return response, counter.count


def shared_urls(petition, consultation):
    return [
        "/fr/",
        "/ar/petitions/",
        "/zgh/consultations/",
        petition_url(petition),
        url_for(
            "consultations.detail",
            lang_code="fr",
            consultation_id=consultation.id,
            slug=consultation.slug,
        ),
    ]


def test_anonymous_answers_of_the_shared_pages_are_public_with_an_etag(client, petition):
    consultation = make_consultation(state="open")
    for url in shared_urls(petition, consultation):
        first, _ = queries(client, url)
        assert first.status_code == 200, url
        assert first.headers["Cache-Control"] == SHARED, url
        assert first.headers["ETag"], url
        assert "Set-Cookie" not in first.headers, url
        again, statements = queries(client, url)
        assert statements == 0, url  # served from the cache
        assert again.get_data() == first.get_data(), url
        # Nothing in them is one visitor's: no CSRF token, no form to post.
        assert b"csrf_token" not in first.get_data(), url


def test_signed_in_answers_are_private_and_never_come_from_the_cache(client, login, petition):
    url = petition_url(petition)
    anonymous = client.get(url)
    person = citizen(display_name="Zahra Signed-In")
    login(person)
    signed_in, statements = queries(client, url)
    assert signed_in.headers["Cache-Control"] == PRIVATE
    assert "ETag" not in signed_in.headers
    assert statements > 0
    assert "Zahra Signed-In" in signed_in.get_data(as_text=True)
    assert "Zahra Signed-In" not in anonymous.get_data(as_text=True)
    # And the signed-in page was not stored for the next anonymous visitor.
    again = client.application.test_client().get(url)
    assert "Zahra Signed-In" not in again.get_data(as_text=True)


@pytest.mark.parametrize("cached", [False, True], ids=["rendered", "from the cache"])
def test_a_matching_if_none_match_gets_a_304_with_the_caching_headers(client, petition, cached):
    url = petition_url(petition)
    first = client.get(url)
    if not cached:
        page_cache.clear()
    answer = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert answer.status_code == 304
    assert answer.get_data() == b""
    assert answer.headers["ETag"] == first.headers["ETag"]
    assert answer.headers["Cache-Control"] == SHARED
    weak = client.get(url, headers={"If-None-Match": f'"x", W/{first.headers["ETag"]}'})
    assert weak.status_code == 304  # If-None-Match compares weakly (RFC 9110 13.1.2)
    other = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200 and other.get_data() == first.get_data()


def test_a_cached_answer_equals_a_rendered_one_headers_logs_and_head_included(
    client, petition, caplog
):
    url = petition_url(petition)
    caplog.set_level(logging.INFO, logger="participation.request")
    rendered, rendered_statements = queries(client, url)
    served, served_statements = queries(client, url)
    assert rendered_statements > 0 and served_statements == 0

    def comparable(response):
        return sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")

    assert comparable(served) == comparable(rendered)
    assert "Date" not in rendered.headers  # gunicorn adds it: one, not two
    assert served.headers["X-Request-ID"] != rendered.headers["X-Request-ID"]
    assert served.headers["Content-Security-Policy"] == rendered.headers["Content-Security-Policy"]
    assert served.get_data() == rendered.get_data()
    lines = [r for r in caplog.records if r.name == "participation.request"]
    assert [(r.method, r.endpoint, r.status) for r in lines[-2:]] == [
        ("GET", "petitions.detail", 200)
    ] * 2
    with QueryCounter(db.engine) as counter:
        head = client.head(url)
    statements = counter.count
    assert statements == 0
    assert head.status_code == 200 and head.get_data() == b""
    assert comparable(head) == comparable(rendered)


def test_the_same_page_for_every_anonymous_visitor(app, petition):
    url = petition_url(petition)
    one = app.test_client().get(url, environ_base={"REMOTE_ADDR": "203.0.113.1"})
    page_cache.clear()
    other = app.test_client().get(
        url, environ_base={"REMOTE_ADDR": "198.51.100.9"}, headers={"Accept-Language": "ar"}
    )
    assert one.get_data() == other.get_data()


def test_a_signature_shows_when_the_page_ages_out(app, client, petition, cache_clock):
    url = petition_url(petition)
    assert COUNT.format(0) in client.get(url).get_data(as_text=True)
    signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    # No write on the signing path: the stored page is served until it ages out...
    stale, statements = queries(client, url)
    assert statements == 0 and COUNT.format(0) in stale.get_data(as_text=True)
    cache_clock.now += app.config["PAGE_CACHE_SECONDS"]
    # ... which is within the count's 5 s with nginx's s-maxage on top.
    assert app.config["PAGE_CACHE_SECONDS"] + app.config["PAGE_CACHE_SHARED_SECONDS"] <= 5
    fresh, statements = queries(client, url)
    assert statements > 0 and COUNT.format(1) in fresh.get_data(as_text=True)


def test_a_comment_shows_at_once(client, petition):
    url = petition_url(petition)
    client.get(url)
    post_comment(citizen(), resolve_target("petition", petition.id), body="Un avis tout neuf.")
    db.session.commit()
    assert "Un avis tout neuf." in client.get(url).get_data(as_text=True)


def test_an_edit_shows_at_once_on_its_page_and_in_the_listings(client, petition):
    consultation = make_consultation(state="open", title={"fr": "Projet ancien"})
    page = url_for(
        "consultations.detail",
        lang_code="fr",
        consultation_id=consultation.id,
        slug=consultation.slug,
    )
    for url in (page, "/fr/consultations/", "/fr/"):
        assert "Projet ancien" in client.get(url).get_data(as_text=True), url
    petition_page = client.get(petition_url(petition)).get_data()
    consultation.title = {"fr": "Projet revu"}
    db.session.commit()
    for url in (page, "/fr/consultations/", "/fr/"):
        text = client.get(url).get_data(as_text=True)
        assert "Projet revu" in text and "Projet ancien" not in text, url
    # Another object's page keeps its stored answer.
    assert queries(client, petition_url(petition))[1] == 0
    assert client.get(petition_url(petition)).get_data() == petition_page


def test_a_rolled_back_change_invalidates_nothing(client, petition):
    url = petition_url(petition)
    client.get(url)
    petition.title = {"fr": "Jamais enregistré"}
    db.session.flush()
    db.session.rollback()
    assert queries(client, url)[1] == 0


def test_a_session_cookie_bypasses_the_cache(client, petition):
    url = petition_url(petition)
    client.get(url)  # stored
    with client.session_transaction() as session:
        session["anything"] = "x"  # a visitor who has a session, signed in or not
    answer, statements = queries(client, url)
    assert statements > 0
    assert answer.headers["Cache-Control"] != SHARED


def test_a_flashed_message_is_shown_to_its_visitor_only(app, client, petition):
    url = petition_url(petition)
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Message pour une seule personne")]
    flashed = client.get(url)
    assert "Message pour une seule personne" in flashed.get_data(as_text=True)
    assert flashed.headers["Cache-Control"] == PRIVATE  # it clears the flash: a cookie is set
    other = app.test_client().get(url)
    assert "Message pour une seule personne" not in other.get_data(as_text=True)


def test_an_answer_that_touched_the_session_is_not_stored(app, client, petition):
    """A view that put a CSRF token (or anything) in the session: its answer is one visitor's."""
    url = petition_url(petition)

    def touch_session(response):
        from flask import session

        session["csrf_token"] = "one visitor's"
        return response

    app.after_request_funcs.setdefault(None, []).append(touch_session)  # runs first
    try:
        answer = client.get(url)
    finally:
        app.after_request_funcs[None].remove(touch_session)
    assert answer.headers["Cache-Control"] == PRIVATE
    assert queries(app.test_client(), url)[1] > 0  # nothing was stored


def test_redis_out_of_reach_renders_the_page(client, petition, caplog, use_store):
    use_store(RedisStore("redis://127.0.0.1:1/0"))
    url = petition_url(petition)
    for _ in range(2):
        answer = client.get(url)
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == SHARED
    assert "Redis unreachable" in caplog.text


REDIS_TEST_URL = "redis://127.0.0.1:6379/13"


def test_redis_shares_pages_and_generations_between_workers(app, petition, use_store):
    clocks = [Clock(), Clock()]
    stores = [
        RedisStore(REDIS_TEST_URL, prefix="participation-test:cache:", clock=clock)
        for clock in clocks
    ]
    try:
        stores[0].client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    stores[0].clear()
    url = petition_url(petition)
    try:
        use_store(stores[0])
        rendered, _ = queries(app.test_client(), url)
        use_store(stores[1])  # another worker, another node
        served, statements = queries(app.test_client(), url)
        assert statements == 0 and served.get_data() == rendered.get_data()
        use_store(stores[0])
        assert queries(app.test_client(), url)[1] == 0  # worker 0 holds the lookup nearby now
        use_store(stores[1])
        petition.title = {"fr": "Titre changé ailleurs"}
        db.session.commit()  # by worker 1: it sees the change at once
        assert "Titre changé ailleurs" in app.test_client().get(url).get_data(as_text=True)
        # Worker 0 asks Redis again within NEAR_SECONDS, and then sees it.
        use_store(stores[0])
        assert "Titre changé ailleurs" not in app.test_client().get(url).get_data(as_text=True)
        clocks[0].now += RedisStore.NEAR_SECONDS
        assert "Titre changé ailleurs" in app.test_client().get(url).get_data(as_text=True)
    finally:
        stores[0].clear()


def test_the_memory_store_is_bounded():
    clock = Clock()
    store = MemoryStore(max_entries=2, clock=clock)
    for key in ("a", "b", "c"):
        store.set(key, key.encode(), 10)
    assert store.get_many(["a", "b", "c"]) == [None, b"b", b"c"]
    clock.now += 10
    assert store.get_many(["c"]) == [None]


def test_lifetimes_beyond_the_counts_freshness_are_refused(app):
    from participation import create_app

    config = type("Config", (), {})()
    for key, value in app.config.items():
        setattr(config, key, value)
    config.PAGE_CACHE_SECONDS, config.PAGE_CACHE_SHARED_SECONDS = 3, 3
    with pytest.raises(RuntimeError, match="PAGE_CACHE_SECONDS"):
        create_app(config)


def test_a_fragment_keeps_each_readers_csrf_token(app, client, login, petition):
    template = app.jinja_env.from_string(
        '{% call cached_fragment("test", 1) %}<b>{{ n }}</b>'
        '<input name="csrf_token" value="{{ csrf_token() }}">{% endcall %}'
    )
    tokens = []
    for n in (1, 2):
        with app.test_request_context("/fr/"):
            from flask import g, session
            from flask_wtf.csrf import generate_csrf

            g.pop("csrf_token", None)  # the tests' application context outlives a request
            session["csrf_token"] = f"secret-{n}"
            html = template.render(n=n)
            tokens.append(generate_csrf())
            assert f'value="{tokens[-1]}"' in html
            assert "<b>1</b>" in html  # the second reader got the stored fragment
    assert tokens[0] != tokens[1]
    stored = [v for _, v in app.extensions["page_cache"].store.entries.values()]
    assert any(CSRF_PLACEHOLDER.encode() in value for value in stored)
    assert not any(token.encode() in value for value in stored for token in tokens)


def test_each_reader_gets_the_stored_comment_forms_with_their_own_token(app, login, petition):
    """The reply and report forms under a comment are rendered once per language and comment
    (comments/_thread.html); each signed-in reader's copy carries their own, working, token."""
    comment = post_comment(
        citizen(), resolve_target("petition", petition.id), body="Un avis à discuter."
    )
    db.session.commit()
    url = petition_url(petition)
    tokens = []
    for name in ("Amina", "Youssef"):
        client = signed_in_client(app, citizen(display_name=name))
        html = client.get(url).get_data(as_text=True)
        assert f'action="/fr/comments/{comment.id}/reply"' in html
        page_tokens = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', html))
        assert len(page_tokens) == 1 and CSRF_PLACEHOLDER not in html
        tokens.append(page_tokens.pop())
        answer = client.post(
            f"/fr/comments/{comment.id}/reply",
            data={"csrf_token": tokens[-1], "body": f"Réponse de {name}"},
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    assert tokens[0] != tokens[1]
    stored = [value for _, value in app.extensions["page_cache"].local.entries.values()]
    assert stored and not any(t.encode() in value for value in stored for t in tokens)

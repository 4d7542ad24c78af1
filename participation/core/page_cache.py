"""The shared page cache: anonymous public pages served again without running their view, and
fragments of signed-in pages that are not personal (docs/caching.md says what and why).

Whole pages. A view marked `@shared_page(...)` (the home page, the two listings, a petition, a
consultation) answers an anonymous visitor with `Cache-Control: public, max-age=0,
s-maxage=PAGE_CACHE_SHARED_SECONDS` and an ETag (a matching If-None-Match gets a 304), and its answer
is kept PAGE_CACHE_SECONDS in the cache. The next anonymous GET or HEAD of the same URL in the
same language is served from it by a WSGI middleware (`SharedPages`), before Flask makes a request
context: the stored answer is kept ready to send (its headers, those of its 304, no parsing per
request), and the duties of every answer are done by the functions the application's request
hooks call too: the request id (`logs.request_id_from`), the metrics (`metrics.observe`), the
request log line (`logs.log_request`); the security headers are added by the middleware around
it (`security.SecurityHeaders`) as to every answer. Only requests without a session or remember
cookie, to a trusted host, are served or stored, and an answer is stored only when rendering it
left the session untouched (no CSRF token, no flashed message, no cookie): nothing personal can
be in it.

Freshness. A page shows a signature count, which must be within 5 s of the signatures: an answer
is at most PAGE_CACHE_SECONDS old when the application gives it out, and a shared cache in front
(nginx) keeps it at most PAGE_CACHE_SHARED_SECONDS more; their sum stays within 5 s (checked at
start). A signature writes nothing to the cache: its count shows when the page ages out.
Everything else on these pages changes through the ORM and is seen at once: after a commit that
changed a tracked model (`track()`), the generations it concerns are bumped ("site" for what every
page shows, "listings" for the listings and the home page, "petition:<id>", "consultation:<id>"),
and an answer stored under an older generation is not served again.

Storage. Redis (PAGE_CACHE_URL, by default REDIS_URL) shared by every worker and node; without it
a bounded in-process store per worker (the embedded set-up, the tests). Redis out of reach is a
miss, never an error: pages are rendered as without a cache, one warning is logged per outage,
and Redis is tried again after RETRY_SECONDS."""

import hashlib
import logging
import time
from collections import OrderedDict
from pathlib import Path
from threading import Lock

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session
from flask import current_app, has_app_context, request, session
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.http import HTTP_STATUS_CODES, parse_etags, remove_entity_headers, unquote_etag
from werkzeug.wrappers import Request
from werkzeug.wsgi import get_host

from participation.core.i18n import LANGUAGES, current_language
from participation.core.logs import REQUEST_ID_HEADER, log_request, request_id_from, scrub
from participation.core.metrics import observe

log = logging.getLogger(__name__)

EXTENSION = "page_cache"
RETRY_SECONDS = 5.0
# A Redis that does not answer within this time counts as away: a page never waits longer.
REDIS_TIMEOUT_SECONDS = 0.5
# The count shown may be this old at most (SPEC §9); the two lifetimes together stay within it.
COUNT_FRESHNESS_SECONDS = 5
MAX_BODY_BYTES = 512 * 1024
MAX_QUERY_BYTES = 512
# Stored answers decoded and kept ready in each process (about one per page and language).
DECODED_ANSWERS = 256
# Headers of the stored answer that belong to one request and are not kept.
PER_REQUEST_HEADERS = {"content-length", "set-cookie", "x-request-id", "date"}
SITE = "site"
LISTINGS = "listings"


# -- storage -----------------------------------------------------------------------------------


class MemoryStore:
    """Per-process storage: at most `max_entries` entries (least recently used dropped first),
    each until its expiry by `clock`; the generations in a dict of their own, never dropped (one
    integer per object changed in this process)."""

    def __init__(self, max_entries, clock=time.monotonic):
        self.max_entries = max_entries
        self.clock = clock
        self.entries = OrderedDict()
        self.generations = {}
        self.lock = Lock()

    def get_many(self, keys):
        now = self.clock()
        values = []
        with self.lock:
            for key in keys:
                if key.startswith("gen:"):
                    values.append(str(self.generations.get(key, 0)).encode())
                    continue
                entry = self.entries.get(key)
                if entry is None or entry[0] <= now:
                    self.entries.pop(key, None)
                    values.append(None)
                else:
                    self.entries.move_to_end(key)
                    values.append(entry[1])
        return values

    def set(self, key, value, seconds):
        with self.lock:
            self.entries[key] = (self.clock() + seconds, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def bump(self, keys):
        with self.lock:
            for key in keys:
                self.generations[key] = self.generations.get(key, 0) + 1

    def clear(self):
        with self.lock:
            self.entries.clear()
            self.generations.clear()


class RedisStore:
    """Storage in Redis: one MGET per lookup (the entry and its generations), SET with an expiry,
    INCR for the generations. Any Redis error makes the call a miss (or a no-op) for
    RETRY_SECONDS; one warning per outage.

    In front of it, each process keeps what a lookup returned for NEAR_SECONDS (`near`): during a
    surge a worker asks Redis about a page a few times a second, not on every request. An answer
    may therefore be served NEAR_SECONDS after Redis dropped it (counted in the count's 5 s, see
    init_app), and a change committed by another process shows in this one NEAR_SECONDS later at
    most (at once in the process that committed it)."""

    NEAR_SECONDS = 0.5
    NEAR_ENTRIES = 256

    def __init__(self, url, prefix="participation:cache:", clock=time.monotonic):
        self.client = redis.Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self.prefix = prefix
        self.clock = clock
        self.retry_at = None
        self.near = OrderedDict()  # key list -> (time fetched, values)
        self.lock = Lock()

    def _call(self, operation, away):
        if self.retry_at is not None and self.clock() < self.retry_at:
            return away
        try:
            result = operation()
        except redis.RedisError as error:
            if self.retry_at is None:
                log.warning(
                    "page cache: Redis unreachable (%s), pages are rendered without it",
                    type(error).__name__,
                )
            self.retry_at = self.clock() + RETRY_SECONDS
            return away
        if self.retry_at is not None:
            self.retry_at = None
            log.warning("page cache: Redis reachable again")
        return result

    def get_many(self, keys):
        lookup, now = tuple(keys), self.clock()
        with self.lock:
            near = self.near.get(lookup)
        if near is not None and now - near[0] < self.NEAR_SECONDS:
            return near[1]
        values = self._call(lambda: self.client.mget([self.prefix + key for key in keys]), None)
        if values is None:
            return [None] * len(keys)
        with self.lock:
            self.near[lookup] = (now, values)
            self.near.move_to_end(lookup)
            while len(self.near) > self.NEAR_ENTRIES:
                self.near.popitem(last=False)
        return values

    def forget_near(self):
        with self.lock:
            self.near.clear()

    def set(self, key, value, seconds):
        self.forget_near()
        self._call(lambda: self.client.set(self.prefix + key, value, px=int(seconds * 1000)), None)

    def bump(self, keys):
        self.forget_near()  # this process sees its own change at once

        def incr_all():
            with self.client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.incr(self.prefix + key)
                pipe.execute()

        self._call(incr_all, None)

    def clear(self):
        self.forget_near()

        def delete_all():
            for key in self.client.scan_iter(match=self.prefix + "*", count=500):
                self.client.delete(key)

        self._call(delete_all, None)


def release_fingerprint(app):
    """What the stored answers were made by: a hash of the templates, the compiled translations
    and the package's code. Nodes running the same release share entries; a new release starts
    afresh instead of serving pages rendered by the previous one."""
    digest = hashlib.blake2b(digest_size=6)
    for folder, pattern in (
        (app.template_folder, "**/*.html"),
        (app.config["BABEL_TRANSLATION_DIRECTORIES"], "**/*.mo"),
        (app.root_path, "**/*.py"),
    ):
        folder = Path(folder)
        for path in sorted(folder.glob(pattern)):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


class PageCache:
    """What create_app() keeps in app.extensions["page_cache"]."""

    def __init__(self, store, page_seconds, shared_seconds, release, local_entries=2048):
        self.store = store
        # Fragments that depend on nothing but the release and the language (a comment's reply
        # and report forms): in this process's memory, never in Redis, whose round trip would
        # cost more than rendering them.
        self.local = MemoryStore(local_entries)
        self.page_seconds = page_seconds
        self.shared_seconds = shared_seconds
        self.release = release
        # The stored answers this process decoded, by their bytes (the memory store and Redis's
        # near copy give the same bytes object again: a lookup costs no hashing of the body).
        self.decoded = {}

    @property
    def enabled(self):
        return self.page_seconds > 0

    def answer(self, value):
        """The StoredAnswer kept as `value`, or None if the value is not one."""
        stored = self.decoded.get(value)
        if stored is None:
            try:
                stored = StoredAnswer(value)
            except (ValueError, KeyError):
                return None
            if len(self.decoded) >= DECODED_ANSWERS:
                self.decoded.clear()
            self.decoded[value] = stored
        return stored


def init_app(app):
    """Build the store. The stored pages are served by the `SharedPages` middleware, which the
    application installs inside its security headers' middleware."""
    page_seconds = app.config["PAGE_CACHE_SECONDS"]
    shared_seconds = app.config["PAGE_CACHE_SHARED_SECONDS"]
    url = app.config["PAGE_CACHE_URL"]
    near = RedisStore.NEAR_SECONDS if url else 0
    if page_seconds + shared_seconds + near > COUNT_FRESHNESS_SECONDS:
        raise RuntimeError(
            "PAGE_CACHE_SECONDS + PAGE_CACHE_SHARED_SECONDS must not exceed "
            f"{COUNT_FRESHNESS_SECONDS - near}: pages show a signature count fresh within "
            f"{COUNT_FRESHNESS_SECONDS} s"
        )
    store = RedisStore(url) if url else MemoryStore(app.config["PAGE_CACHE_MAX_ENTRIES"])
    app.extensions[EXTENSION] = PageCache(
        store, page_seconds, shared_seconds, release_fingerprint(app)
    )
    app.jinja_env.globals["cached_fragment"] = cached_fragment


def page_cache():
    return current_app.extensions[EXTENSION]


# -- generations -------------------------------------------------------------------------------

TRACKED = {}  # model class -> function(instance) -> generation names


def track(model, generations):
    """After a commit that added, changed or deleted an instance of `model`, bump the generations
    `generations(instance)` names. Areas register what their public pages show
    (public/cached_pages.py)."""
    TRACKED[model] = generations


def generation_key(name):
    return f"gen:{name}"


def bump(*names):
    """Bump these generations now (after a change made outside the ORM's unit of work)."""
    if has_app_context() and EXTENSION in current_app.extensions and names:
        page_cache().store.bump([generation_key(name) for name in names])


@sa.event.listens_for(Session, "after_flush")
def _note_changes(db_session, _flush_context):
    if not TRACKED:
        return
    names = db_session.info.setdefault("page_generations", set())
    for instance in (*db_session.new, *db_session.dirty, *db_session.deleted):
        generations = TRACKED.get(type(instance))
        if generations is not None:
            names.update(generations(instance))


@sa.event.listens_for(Session, "after_commit")
def _bump_after_commit(db_session):
    names = db_session.info.pop("page_generations", None)
    if names:
        bump(*sorted(names))


@sa.event.listens_for(Session, "after_soft_rollback")
def _forget_changes(db_session, _previous_transaction):
    db_session.info.pop("page_generations", None)


# -- whole pages -------------------------------------------------------------------------------


def shared_page(*generations):
    """Decorator for a public view whose anonymous answers are shared (cached here and by nginx).
    `generations` are names, or functions of the view's arguments giving a name, of what the page
    shows besides SITE: LISTINGS, or `lambda petition_id, **_: f"petition:{petition_id}"`."""

    def decorator(view):
        view.shared_page_generations = generations
        return view

    return decorator


def _page_generations(view, view_args):
    names = [SITE]
    for item in getattr(view, "shared_page_generations", ()):
        names.append(item(**(view_args or {})) if callable(item) else item)
    return names


def _carries_session(config, cookies):
    return (
        config["SESSION_COOKIE_NAME"] in cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies
    )


def _shared_view():
    view = current_app.view_functions.get(request.endpoint)
    return view if hasattr(view, "shared_page_generations") else None


def _page_key(cache, language, path, query_string):
    """Everything the answer varies on: the release, the URL with its query string and the
    language (HEAD is answered from the GET's entry, as HTTP caches do)."""
    raw = b"\0".join([cache.release.encode(), language.encode(), path.encode(), query_string])
    return "page:" + hashlib.blake2b(raw, digest_size=16).hexdigest()


NOT_MODIFIED = f"304 {HTTP_STATUS_CODES[304].upper()}"  # as Werkzeug sends it


class StoredAnswer:
    """A stored answer ready to send: its generations, status line, headers (those of its 304
    too) and body, decoded once per process (`PageCache.answer`), not on every request."""

    __slots__ = ("generations", "status", "headers", "not_modified_headers", "etag", "body")

    def __init__(self, value):
        head, _blank, self.body = value.partition(b"\n\n")
        first, *lines = head.decode().split("\n")
        status, _space, generations = first.partition(" ")
        self.generations = generations.split(",")
        self.status = f"{status} {HTTP_STATUS_CODES[int(status)].upper()}"
        self.headers = [tuple(line.split(": ", 1)) for line in lines]
        self.etag = next((unquote_etag(v)[0] for n, v in self.headers if n == "ETag"), None)
        # What Werkzeug sends with a 304: the headers less the entity headers, no body.
        self.not_modified_headers = list(self.headers)
        remove_entity_headers(self.not_modified_headers)
        self.headers.append(("Content-Length", str(len(self.body))))


def _encode(response, body, generations):
    """The bytes kept for an answer: "<status> <generations>", its headers as they are sent on
    every request but those that belong to one request, a blank line and the body."""
    lines = [f"{response.status_code} {','.join(generations)}"]
    lines += [
        f"{name}: {value}"
        for name, value in response.headers.items()
        if name.lower() not in PER_REQUEST_HEADERS
    ]
    return "\n".join(lines).encode() + b"\n\n" + body


class SharedPages:
    """WSGI middleware, inside SecurityHeaders: an anonymous GET or HEAD of a shared page whose
    stored answer is current is answered here, before Flask makes a request context, runs its
    hooks and opens the session; any other request goes on to Flask. An answer served here gets
    what every answer gets: its request id (X-Request-ID), the 304 when If-None-Match names its
    ETag, the metrics and the request line (through the functions the application's hooks call),
    and the security headers (the middleware around this one). Requests to a host outside
    TRUSTED_HOSTS go on to Flask (which answers 400), as do those with a session or remember
    cookie (which may be signed in: never a shared answer, and the staff two-factor gate).

    On a miss the lookup (key and generations, read before the view runs, so a change committed
    while it renders makes the answer stale at once) is left in the environ for
    `share_anonymous_page` to store the rendered answer under."""

    LOOKUP = "participation.page_cache.lookup"
    ROUTES_REMEMBERED = 4096

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        # WSGI path -> (endpoint, view, view arguments) of a shared page, or None: the URL
        # map's answer for a GET, which depends on the path alone (no host matching, no
        # subdomains). Looked up before anything else, so other pages pay little here.
        self.routes = {}

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        found = self.stored_answer(environ)
        if found is None:
            return self.wsgi_app(environ, start_response)
        request, endpoint, stored = found
        if stored.etag is not None and _names_etag(environ.get("HTTP_IF_NONE_MATCH"), stored.etag):
            status, code, headers, body = NOT_MODIFIED, 304, stored.not_modified_headers, b""
        else:
            status, code, headers, body = stored.status, 200, stored.headers, stored.body
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID"))
        start_response(status, [*headers, (REQUEST_ID_HEADER, request_id)])
        method = request.method
        observe(endpoint, method, code, started)
        log_request(
            method, scrub(request.path), endpoint, code, started, request.remote_addr, request_id
        )
        return [] if method == "HEAD" else [body]

    def stored_answer(self, environ):
        """(request, endpoint, StoredAnswer) of an anonymous GET/HEAD of a shared page whose
        stored answer is current, else None."""
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return None
        cache = self.app.extensions[EXTENSION]
        if not cache.enabled or len(environ.get("QUERY_STRING", "")) > MAX_QUERY_BYTES:
            return None
        route = self.route(environ)
        if route is None:
            return None
        config = self.app.config
        request = Request(environ)
        if "HTTP_COOKIE" in environ and _carries_session(config, request.cookies):
            return None
        try:
            get_host(environ, config["TRUSTED_HOSTS"])  # as Flask checks it, before routing
        except SecurityError:
            return None
        endpoint, view, view_args = route
        key = _page_key(cache, view_args["lang_code"], request.path, request.query_string)
        names = _page_generations(view, view_args)
        values = cache.store.get_many([key, *map(generation_key, names)])
        generations = [value.decode() if value is not None else "0" for value in values[1:]]
        environ[self.LOOKUP] = (key, generations)
        if values[0] is None:
            return None
        stored = cache.answer(values[0])
        if stored is None or stored.generations != generations:
            return None
        return request, endpoint, stored

    def route(self, environ):
        """(endpoint, view, view arguments) when the WSGI path is a shared page's, else None."""
        path = environ.get("PATH_INFO", "")
        try:
            return self.routes[path]
        except KeyError:
            pass
        try:
            rule, view_args = self.app.url_map.bind_to_environ(environ).match(
                method="GET", return_rule=True
            )
        except HTTPException:  # no such page, a redirect, another method
            route = None
        else:
            view = self.app.view_functions.get(rule.endpoint)
            shared = hasattr(view, "shared_page_generations")
            language = view_args.get("lang_code")
            route = (rule.endpoint, view, view_args) if shared and language in LANGUAGES else None
        if len(self.routes) >= self.ROUTES_REMEMBERED:
            self.routes.clear()
        self.routes[path] = route
        return route


def _names_etag(if_none_match, etag):
    """Whether an If-None-Match header names `etag` (weak comparison, RFC 9110 13.1.2)."""
    return bool(if_none_match) and parse_etags(if_none_match).contains_weak(etag)


def shared_cache_control(cache):
    return f"public, max-age=0, s-maxage={cache.shared_seconds}"


def share_anonymous_page(response):
    """The after_request half, called by core.caching.apply_cache_rule for a shared view's answer
    to a visitor who is not signed in: the public caching headers and the ETag, the answer kept
    for the next visitor, a 304 when the client's copy is the same. Returns False when the answer
    is not one that may be shared (the caller keeps it private)."""
    if _shared_view() is None or not page_cache().enabled:
        return False
    if (
        response.status_code != 200
        or request.method not in ("GET", "HEAD")
        or session.modified
        or "Set-Cookie" in response.headers
        or response.is_streamed
        or _carries_session(current_app.config, request.cookies)
    ):
        return False
    cache = page_cache()
    response.headers["Cache-Control"] = shared_cache_control(cache)
    response.headers.pop("Expires", None)
    # What the answer depends on besides its URL: the absence of a session cookie. Saving the
    # session says so too, but the stored answer must say it without a session.
    response.vary.add("Cookie")
    response.add_etag()
    lookup = request.environ.get(SharedPages.LOOKUP)
    body = response.get_data()
    if lookup is not None and len(body) <= MAX_BODY_BYTES:
        key, generations = lookup
        cache.store.set(key, _encode(response, body, generations), cache.page_seconds)
    not_modified_if_matching(response)
    return True


def not_modified_if_matching(response):
    """A 304 (same headers, no body: Werkzeug sends none for a 304) when the client's
    If-None-Match names this answer's ETag (weak comparison, RFC 9110 13.1.2). Not Werkzeug's
    make_conditional, which would also add a Date header that gunicorn sends a second time."""
    if response.status_code == 200:
        etag, _weak = response.get_etag()
        if etag and _names_etag(request.headers.get("If-None-Match"), etag):
            response.status_code = 304
    return response


# -- fragments ---------------------------------------------------------------------------------

CSRF_PLACEHOLDER = "\x00csrf\x00"


def cached_fragment(
    name, *parts, generations=(), seconds=60, local=False, shows_count=False, caller=None
):
    """For templates, around a part of a page that is the same for every reader in a language:

        {% call cached_fragment("petition-texts", petition.id,
                                generations=["petition:%d" % petition.id]) %}…{% endcall %}

    The part is rendered once and reused while SITE and `generations` are unchanged, for at most
    `seconds`. A CSRF token rendered in it is stored as a placeholder and each reader gets their
    own; nothing else personal may be inside. `local=True`: a part that depends on nothing but
    the release, the language and `parts`, kept in this process only (no generation).
    `shows_count=True`: a part showing a signature count (or what follows from it, a state),
    kept at most PAGE_CACHE_SECONDS, as a shared page is: signatures bump no generation. The
    data a part needs is best read inside it (lazily), so that a stored part costs no query."""
    cache = page_cache()
    if not cache.enabled:
        return caller()
    if shows_count:
        seconds = min(seconds, cache.page_seconds)
    raw = "\0".join([cache.release, current_language(), name, *map(str, parts)]).encode()
    key = "fragment:" + hashlib.blake2b(raw, digest_size=16).hexdigest()
    store = cache.local if local else cache.store
    names = () if local else (SITE, *generations)
    values = store.get_many([key, *(generation_key(n) for n in names)])
    stamp = ".".join(value.decode() if value is not None else "0" for value in values[1:])
    if values[0] is not None:
        stored_stamp, _newline, html = values[0].decode().partition("\n")
        if stored_stamp == stamp:
            if CSRF_PLACEHOLDER in html:
                html = html.replace(CSRF_PLACEHOLDER, _csrf_token())
            return Markup(html)
    html = str(caller())
    token = _csrf_token() if _csrf_field() in session else None
    stored = html.replace(token, CSRF_PLACEHOLDER) if token else html
    store.set(key, f"{stamp}\n{stored}".encode(), seconds)
    return Markup(html)


def _csrf_field():
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")


def _csrf_token():
    """This reader's CSRF token: the one the page's other forms carry (Flask-WTF gives one per
    request)."""
    from flask_wtf.csrf import generate_csrf

    return generate_csrf()


def clear():
    """Forget every stored answer, fragment and generation of this application (tests, operators)."""
    page_cache().store.clear()
    page_cache().local.clear()

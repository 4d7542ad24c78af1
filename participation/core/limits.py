"""Rate limits (SPEC §10): fixed windows counted in the storage named by RATELIMIT_STORAGE_URI
(Redis in production; in-process counters otherwise, see limit_storage.py), with limit strings
such as "10 per minute;50 per hour" read from the configuration when the request comes.

A small module rather than Flask-Limiter: that extension ran a before_request hook, an
after_request hook and a teardown on every request of the platform, limited or not, which cost the
signing request more than its own three limits (bench/sign_throughput.py). Here only the routes
that carry a limit pay for it.

When the shared storage (Redis) cannot be reached, the counters go on in the process's memory and
a warning is logged; the shared storage is tried again every FALLBACK_RETRY_SECONDS and used again
as soon as it answers (FallbackStorage). Pages and signing never fail because Redis is away; the
limits become per process, so looser, for the length of the outage (docs/degradation.md says why).
"""

import functools
import logging
import time

from flask import abort, current_app, request
from limits import parse
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter

from participation.core import limit_storage  # noqa: F401  (registers sweeping-memory://)

log = logging.getLogger(__name__)

IN_PROCESS_STORAGE = "sweeping-memory://"
FALLBACK_RETRY_SECONDS = 5.0
# A Redis that does not answer within this time counts as away (a signature never waits longer).
SHARED_STORAGE_TIMEOUT_SECONDS = 1.0


class FallbackStorage(Storage):
    """A shared storage that gives way to an in-process one while it cannot be reached.

    Every call goes to `shared`; when it fails (limits' StorageError: the storage is built with
    wrap_exceptions), the call and the ones of the next `retry_seconds` go to `fallback`, and one
    warning is logged per outage. The first call after that tries `shared` again. Counts made in
    memory during an outage stay there: the shared counters start again from what they held."""

    STORAGE_SCHEME = None  # built by RateLimits around a storage, never from a URI

    def __init__(self, shared, fallback, retry_seconds=FALLBACK_RETRY_SECONDS):
        super().__init__()
        self.shared, self.fallback = shared, fallback
        self.retry_seconds = retry_seconds
        self.retry_at = None  # while the shared storage is away: when to try it again

    @property
    def base_exceptions(self):
        return ()  # the shared storage's errors are caught below, never raised

    @property
    def in_fallback(self):
        return self.retry_at is not None

    def _call(self, method, *args, **kwargs):
        if self.retry_at is not None and time.monotonic() < self.retry_at:
            return getattr(self.fallback, method)(*args, **kwargs)
        try:
            result = getattr(self.shared, method)(*args, **kwargs)
        except StorageError as error:
            if self.retry_at is None:
                log.warning(
                    "rate-limit storage unreachable (%s): counting in this process's memory, "
                    "limits are per process until it answers again",
                    error,
                )
            self.retry_at = time.monotonic() + self.retry_seconds
            return getattr(self.fallback, method)(*args, **kwargs)
        if self.retry_at is not None:
            self.retry_at = None
            log.warning("rate-limit storage reachable again: counting in it again")
        return result

    def incr(self, key, expiry, amount=1):
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key):
        return self._call("get", key)

    def get_expiry(self, key):
        return self._call("get_expiry", key)

    def check(self):
        return self.shared.check()

    def reset(self):
        self.fallback.reset()
        return self._call("reset")

    def clear(self, key):
        self.fallback.clear(key)
        return self._call("clear", key)


def make_storage(uri):
    """The storage named by `uri`; a shared one (any but memory) with the in-process fallback."""
    if uri.split(":", 1)[0] in {"memory", "sweeping-memory"}:
        return storage_from_string(uri)
    options = {}
    if uri.startswith(("redis", "rediss")):
        options = {
            "socket_connect_timeout": SHARED_STORAGE_TIMEOUT_SECONDS,
            "socket_timeout": SHARED_STORAGE_TIMEOUT_SECONDS,
        }
    shared = storage_from_string(uri, wrap_exceptions=True, **options)
    return FallbackStorage(shared, storage_from_string(IN_PROCESS_STORAGE))


class RateLimits:
    """The application's limit counters, in app.extensions["rate_limits"]."""

    def init_app(self, app):
        app.extensions["rate_limits"] = FixedWindowRateLimiter(
            make_storage(app.config["RATELIMIT_STORAGE_URI"])
        )

    @staticmethod
    def strategy():
        return current_app.extensions["rate_limits"]

    def reset(self):
        self.strategy().storage.reset()


rate_limits = RateLimits()


@functools.lru_cache(maxsize=32)
def parse_many(value):
    """Limit strings such as "20 per hour;100 per day", parsed once per process."""
    return tuple(parse(part) for part in value.split(";") if part.strip())


def remote_address():
    return request.remote_addr or "127.0.0.1"


def within_limits(setting, scope, key):
    """Count one hit against every limit of the configuration `setting` for `key`; False when any
    of them is exceeded. Every limit is hit, so that each window counts every attempt."""
    strategy = RateLimits.strategy()
    within = True
    for item in parse_many(current_app.config[setting]):
        if not strategy.hit(item, scope, key):
            within = False
    return within


def enforce_limits(setting, scope, key):
    """within_limits(), answering 429 when a limit is exceeded."""
    if not within_limits(setting, scope, key):
        abort(429)


def limited(setting, *, scope=None, key=remote_address, methods=("POST",)):
    """Decorator for a view: a request of one of `methods` beyond a limit of `setting` gets a 429
    before the view runs. Each route counts apart (per client address by default) unless routes
    name a shared `scope`; `key` gives the identity counted (an account, say)."""

    def decorator(view):
        name = scope or f"{view.__module__}.{view.__qualname__}"

        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            if request.method in methods:
                enforce_limits(setting, name, key())
            return view(*args, **kwargs)

        return wrapper

    return decorator

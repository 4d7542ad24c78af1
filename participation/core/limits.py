"""Rate limits (SPEC §10): fixed windows counted in the storage named by RATELIMIT_STORAGE_URI
(Redis in production; in-process counters otherwise, see limit_storage.py), with limit strings
such as "10 per minute;50 per hour" read from the configuration when the request comes.

A small module rather than Flask-Limiter: that extension ran a before_request hook, an
after_request hook and a teardown on every request of the platform, limited or not, which cost the
signing request more than its own three limits (bench/sign_throughput.py). Here only the routes
that carry a limit pay for it.
"""

import functools

from flask import abort, current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from participation.core import limit_storage  # noqa: F401  (registers sweeping-memory://)


class RateLimits:
    """The application's limit counters, in app.extensions["rate_limits"]."""

    def init_app(self, app):
        app.extensions["rate_limits"] = FixedWindowRateLimiter(
            storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
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

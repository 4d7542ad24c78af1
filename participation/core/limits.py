"""Rate limits checked by hand, with Flask-Limiter's own storage (memory or Redis), where a view
needs more than its decorator gives: limits whose excess is held rather than refused (signatures),
and the signing route, whose per-request decorator machinery cost more than the signature."""
import functools

from flask import current_app
from limits import parse

from participation.extensions import limiter


@functools.lru_cache(maxsize=32)
def parse_many(value):
    """Limit strings such as "20 per hour;100 per day", parsed once per process."""
    return tuple(parse(part) for part in value.split(";") if part.strip())


def within_limits(setting, scope, key):
    """Count one hit against every limit of the configuration `setting` for `key`; False when any
    of them is exceeded. Every limit is hit, as Flask-Limiter does, so the windows stay exact."""
    within = True
    for item in parse_many(current_app.config[setting]):
        if not limiter.limiter.hit(item, scope, key):
            within = False
    return within

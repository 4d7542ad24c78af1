"""What a URL may hold: ids in the path (a converter shared by every route) and numbers in the query
string (one parser shared by every listing, filter and API parameter), both bounded by the
databases' integer types."""

from flask import request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest INTEGER key the databases hold
MAX_PAGE = 1_000_000  # keeps OFFSET (page × page size) inside every database's integer range


class DatabaseIdConverter(IntegerConverter):
    """Replaces `<int:…>` in every route: a number beyond a 32-bit INTEGER key names nothing, and
    binding it would overflow the database's integer (a 500), so such a URL does not match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def bounded_int(raw, *, minimum=1, maximum=MAX_ID):
    """`raw` as a whole number between minimum and maximum, else None. ASCII digits only: int()
    also takes " 12", "+12", "1_000" and other scripts' digits, none of which a link of ours holds."""
    if raw is None or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def query_int(name, default=None, *, minimum=1, maximum=MAX_ID):
    """A number from the query string; a missing or bad value gives `default`: pages and filters
    of the site never fail on what a visitor typed (the API answers 400 instead)."""
    value = bounded_int(request.args.get(name), minimum=minimum, maximum=maximum)
    return default if value is None else value


def query_page():
    return query_int("page", 1, maximum=MAX_PAGE)

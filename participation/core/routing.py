"""URL converters shared by every route."""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest INTEGER key the databases hold


class DatabaseIdConverter(IntegerConverter):
    """Replaces `<int:…>` in every route: a number beyond a 32-bit INTEGER key names nothing, and
    binding it would overflow the database's integer (a 500), so such a URL does not match (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)

"""What every /api/v1 route shares: the blueprint, its rate limit, query parameters that answer a
JSON 400 with a stable code, the list envelope, language objects and the caching headers.

Error messages are translated like the rest of the site: the request's Accept-Language (ar, fr,
zgh), else Arabic, the platform's default language, as the application-wide JSON errors (404,
405, 429) already do."""

from flask import Blueprint, abort, jsonify, request
from flask_babel import gettext as _

from participation.core.i18n import LANGUAGES
from participation.core.limits import enforce_limits, remote_address
from participation.core.routing import MAX_ID, MAX_PAGE, bounded_int

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def _rate_limit():
    """One budget per client for the whole API (not one per route), set by RATELIMIT_API."""
    enforce_limits("RATELIMIT_API", "api", remote_address())


MAX_PER_PAGE = 100


class BadParameter(Exception):
    def __init__(self, name, message):
        super().__init__(str(message))
        self.name = name
        self.message = message


@bp.errorhandler(BadParameter)
def _bad_parameter(error):
    response = jsonify(error="invalid_parameter", parameter=error.name, message=str(error.message))
    response.vary.add("Accept-Language")
    return response, 400


def int_param(name, default=None, *, minimum=1, maximum=MAX_ID):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit():
        raise BadParameter(name, _("%(name)s must be a positive whole number.", name=name))
    value = bounded_int(raw, minimum=minimum, maximum=maximum)
    if value is None:
        raise BadParameter(
            name,
            _(
                "%(name)s must be between %(minimum)s and %(maximum)s.",
                name=name,
                minimum=minimum,
                maximum=maximum,
            ),
        )
    return value


def choice_param(name, choices):
    raw = request.args.get(name)
    if raw is None:
        return None
    if raw not in choices:
        raise BadParameter(
            name,
            _(
                "%(name)s must be one of: %(choices)s.",
                name=name,
                choices=", ".join(sorted(choices)),
            ),
        )
    return raw


def page_params():
    return int_param("page", 1, maximum=MAX_PAGE), int_param("per_page", 20, maximum=MAX_PER_PAGE)


def existing(item):
    """404 (JSON, like every API error) for an unknown or private object."""
    if item is None:
        abort(404)
    return item


def checked_id(value):
    """Ids in the path are matched by Flask's int converter, which accepts any length."""
    if value > MAX_ID:
        abort(404)
    return value


def texts(mapping):
    """A translatable field as an object keyed by language, holding the languages it exists in."""
    return {
        lang: text
        for lang, text in (mapping or {}).items()
        if lang in LANGUAGES and isinstance(text, str) and text.strip()
    }


def iso(value):
    return value.isoformat() if value is not None else None


def envelope(items, *, page, per_page, total):
    """The list envelope of every list route."""
    return {"data": items, "page": page, "per_page": per_page, "total": total}


def public_json(data, max_age):
    """A public, cacheable answer with an ETag (a matching If-None-Match gets 304)."""
    response = jsonify(data)
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.add_etag()
    return response.make_conditional(request)

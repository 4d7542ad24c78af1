"""Domain errors and the translated error pages (HTML) or JSON errors (under /api/)."""

import logging

from flask import Response, g, jsonify, make_response, render_template, request
from flask_babel import force_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from participation.core.i18n import LANGUAGES, language_in_path, preferred_language

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the domain refused an action. `message` is a lazy translated string."""

    def __init__(self, message, code="refused"):
        super().__init__(str(message))
        self.message = message
        self.code = code


class PermissionDenied(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _l("You are not allowed to do this."), code="forbidden")


ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "server_error",
}

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

ERROR_MESSAGES = {
    400: _l("Please go back, check what you entered and try again."),
    403: _l("You do not have permission to see this page or do this action."),
    404: _l("The page you asked for does not exist or was moved."),
    405: _l("This address does not accept this kind of request."),
    413: _l("The data or file you sent is larger than allowed. Please send something smaller."),
    429: _l("You made too many attempts in a short time. Please wait a little and try again."),
    500: _l("The error was recorded. Please try again later."),
}

CSRF_MESSAGE = _l(
    "Your form expired or was sent from another site. Please reload the page and try again."
)


def wants_json():
    return request.path.startswith("/api/")


def speak_the_visitors_language():
    """When no route matched (a 404, a 405) the language preprocessor never saw the URL's language,
    and some addresses carry none: take it from the path, else the visitor's saved choice or
    Accept-Language, so that the page's words, its `lang`, its direction and its links agree. A
    locale looked up earlier in the request, before this was known, is dropped."""
    if getattr(g, "lang_code", None) in LANGUAGES:
        return
    g.lang_code = language_in_path(request.path) or preferred_language(current_user)
    refresh()


def render_error(status, message=None):
    message = message or ERROR_MESSAGES.get(status, ERROR_MESSAGES[500])
    if wants_json():
        return jsonify(error=ERROR_CODES.get(status, "error"), message=str(message)), status
    speak_the_visitors_language()
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app):
    from participation.extensions import db

    @app.errorhandler(CSRFError)
    def _csrf(error):
        return render_error(400, CSRF_MESSAGE)

    @app.errorhandler(SecurityError)
    def _unknown_host(error):
        # A Host header outside TRUSTED_HOSTS: no URL can be built for such a request (Flask has
        # no URL adapter for it), so no page with links; a short text in the three languages.
        lines = []
        for language in ("ar", "fr", "zgh"):
            with force_locale(language):
                lines.append(f"{ERROR_TITLES[400]}. {ERROR_MESSAGES[400]}")
        return Response("\n".join(lines) + "\n", status=400, mimetype="text/plain")

    @app.errorhandler(HTTPException)
    def _http(error):
        status = error.code or 500
        if status not in ERROR_CODES:
            status = 500 if status >= 500 else 400
        response = make_response(render_error(status))
        # The exception's own headers belong to the answer: Allow on a 405 (RFC 9110), Retry-After.
        response.headers.extend(
            [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
        )
        return response

    @app.errorhandler(Exception)
    def _unexpected(error):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(500)

    @app.errorhandler(InternalServerError)
    def _internal(error):
        db.session.rollback()
        return render_error(500)

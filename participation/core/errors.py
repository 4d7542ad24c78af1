"""Domain errors and the translated error pages (HTML) or JSON errors (under /api/)."""

import logging

import psycopg
import sqlalchemy as sa
from flask import Response, current_app, g, jsonify, make_response, render_template, request
from flask_babel import force_locale, refresh
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from participation.core.i18n import LANGUAGES, language_in_path, preferred_language
from participation.core.templating import template_globals

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
    503: "unavailable",
}

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("Access denied"),
    404: _l("Page not found"),
    405: _l("This action is not allowed here"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("The platform is briefly unavailable"),
}

ERROR_MESSAGES = {
    400: _l("Please go back, check what you entered and try again."),
    403: _l("You do not have permission to see this page or do this action."),
    404: _l("The page you asked for does not exist or was moved."),
    405: _l("This address does not accept this kind of request."),
    413: _l("The data or file you sent is larger than allowed. Please send something smaller."),
    429: _l("You made too many attempts in a short time. Please wait a little and try again."),
    500: _l("The error was recorded. Please try again later."),
    503: _l(
        "Please try again in a few moments. If you were sending a form, check afterwards whether "
        "it was recorded."
    ),
}

# The database cannot be reached: down, restarting, a connection broken under a request, or no
# pooled connection free in time. The answer is a 503 with Retry-After (a load balancer or a
# browser tries again), never a 500; the request's transaction, if any, was not committed.
DATABASE_UNAVAILABLE = (
    sa.exc.OperationalError,
    sa.exc.InterfaceError,
    sa.exc.DisconnectionError,
    sa.exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)
RETRY_AFTER_SECONDS = 5

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
    title = ERROR_TITLES.get(status, ERROR_TITLES[500])
    try:
        speak_the_visitors_language()  # may load the signed-in account
        return render_template(
            "errors/error.html", status=status, title=title, message=message
        ), status
    except DATABASE_UNAVAILABLE as error:  # the page's banner or account menu needed the database
        return render_unavailable(error)


def is_database_unavailable(error):
    """True for the errors of a database that cannot be reached (see DATABASE_UNAVAILABLE), and for
    any driver error after which SQLAlchemy found the connection dead."""
    return isinstance(error, DATABASE_UNAVAILABLE) or getattr(
        error, "connection_invalidated", False
    )


def render_unavailable(error):
    """The 503 answer, made without the database: the request's transaction is dropped (it was not
    committed) and the page leaves out what would read the database (errors/error.html with
    `database_unavailable`: no account menu, no banner, no moderation notice). Its language comes
    from the URL, else Accept-Language: the account's saved choice would need the database."""
    from participation.extensions import db

    # One line per request, not a traceback per request for the length of an outage.
    cause = str(getattr(error, "orig", None) or error).strip() or type(error).__name__
    log.warning(
        "database unavailable on %s %s: %s", request.method, request.path, cause.splitlines()[0]
    )
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        db.session.invalidate()  # the connection is dead: drop it rather than roll it back
    if getattr(g, "lang_code", None) not in LANGUAGES:
        g.lang_code = language_in_path(request.path) or preferred_language()
        refresh()
    if wants_json():
        response = jsonify(error=ERROR_CODES[503], message=str(ERROR_MESSAGES[503]))
    else:
        # Not render_template(): its context processors include Flask-Login's, which loads the
        # signed-in account from the database. The template's own values, none of which reads it.
        page = current_app.jinja_env.get_template("errors/error.html").render(
            template_globals(),
            status=503,
            title=ERROR_TITLES[503],
            message=ERROR_MESSAGES[503],
            database_unavailable=True,
        )
        response = make_response(page)
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


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

    @app.errorhandler(sa.exc.DBAPIError)
    @app.errorhandler(sa.exc.DisconnectionError)
    @app.errorhandler(sa.exc.TimeoutError)
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(psycopg.InterfaceError)
    def _database(error):
        if is_database_unavailable(error):
            return render_unavailable(error)
        return _unexpected(error)

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

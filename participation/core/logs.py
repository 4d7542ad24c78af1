"""Personal data kept out of the logs (SPEC §10).

Every log record is scrubbed when it is made: e-mail addresses, Fernet tokens (the encrypted CIN
and TOTP secrets), the parameter blocks SQLAlchemy puts in its exceptions, PostgreSQL's echo of
the conflicting values, the tokens of e-mailed links in URLs, and CIN-like values. The message,
the exception text and the stack are scrubbed alike.

The scrubbing is a logging.Filter run by a wrapped log-record factory rather than attached to
handlers or loggers: a filter on a handler misses the handlers configured after the application
(gunicorn's, a test's, Python's last-resort one), and a filter on a logger misses the records that
propagate to it from child loggers (`participation.*` to the root). The factory sees every record
of the process once.

Structured logs (SPEC §9). `configure_logging` gives the root logger one handler: one JSON object
per line in production (LOG_FORMAT=json), a readable line in development (text); "off" leaves
logging to the host (the test runner). Every record made while a request is served carries its
request id: the `X-Request-ID` nginx sends when it has a safe form (REQUEST_ID_PATTERN; anything
else could forge or break log lines), or a new uuid4; the answer echoes it in the same header.
After each request one line, logger `participation.request`, says what was asked and answered:
method, path, endpoint, status, duration_ms and remote (the client's address, after ProxyFix).

What a request line leaves out, on purpose:
- the query string, the headers (Cookie, Authorization, Referer) and the body: any of them can
  carry an e-mail address, a name typed into a search box, a password or a session;
- the path of a request that matched no route (it is whatever the client typed, a name included;
  nginx's log has it for the operators who need it), and the tokens of e-mailed links in the
  paths that did match (`scrub`);
- the user id. It is pseudonymous, not anonymous: with the database it names the person, and
  next to the path (POST /petitions/12/sign) it records who supported which cause, a political
  opinion (law 09-08, sensitive data). Nothing an operator needs from a log requires it.
The client's address is kept, as nginx keeps it: rate limits, holds and abuse reports are about
addresses, and the log system's retention bounds it.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import g, has_request_context, request
from flask.logging import default_handler

# (pattern, replacement, what a text must contain for the pattern to match). Every log record is
# scrubbed, nearly all of them contain none of these, and looking for the literals costs far
# less than eight substitutions that find nothing.
REDACTIONS = (
    # SQLAlchemy exceptions: "[parameters: ('Zahra', '3 avenue …', …)]", one line.
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: hidden]", r"\[parameters: "),
    # PostgreSQL: "Key (cin_hash)=(…) already exists.", "Failing row contains (…)."
    (re.compile(r"(Key \([^)\n]*\)=)\([^\n]*\)"), r"\1(…)", r"Key \("),
    (re.compile(r"(Failing row contains )\([^\n]*\)"), r"\1(…)", r"Failing row contains \("),
    (re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*"), "[encrypted]", "gAAAAA"),
    (re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "[e-mail]", "@"),
    # /verify/<token>, /password/reset/<token>, /petitions/invitation/<token>; the tokens are 43
    # characters, /verify/resend stays.
    (
        re.compile(r"(/(?:verify|reset|invitation)/)[A-Za-z0-9_\-]{20,}"),
        r"\1[token]",
        "/(?:verify|reset|invitation)/",
    ),
    # Query strings of URLs and request lines ("GET /fr/search?q=Zahra HTTP/1.1", a Referer): a
    # name typed into a search box cannot be recognised, so no query string is kept.
    (
        re.compile(
            r"((?:https?://|\b(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) )[^\s?\"]*)\?[^\s\"]*"
        ),
        r"\1?[query]",
        r"\?",
    ),
    (re.compile(r"\b[A-Za-z]{1,2}[ \-]?[0-9]{5,8}\b"), "[CIN]", "[0-9]{5}"),
)
# Each pattern with the search for what it needs; and one search for what any of them needs.
_SCRUBBERS = tuple(
    (pattern, replacement, re.compile(needed).search) for pattern, replacement, needed in REDACTIONS
)
_MAY_NEED_SCRUBBING = re.compile("|".join(needed for _p, _r, needed in REDACTIONS)).search


def scrub(text):
    if _MAY_NEED_SCRUBBING(text) is None:
        return text
    for pattern, replacement, needed in _SCRUBBERS:
        if needed(text) is not None:
            text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Rewrites a record in place: its message (formatted), exception text and stack, scrubbed."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it when a handler formats the record
            return True
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text instead of formatting exc_info again.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def install_personal_data_filter():
    """Scrub every record made from now on in this process (idempotent: one app per test)."""
    factory = logging.getLogRecordFactory()
    if getattr(factory, "personal_data_filter", None) is not None:
        return
    personal_data_filter = PersonalDataFilter()

    def scrubbed_record(*args, **kwargs):
        record = factory(*args, **kwargs)
        personal_data_filter.filter(record)
        if has_request_context():
            record.request_id = current_request_id()
        return record

    scrubbed_record.personal_data_filter = personal_data_filter
    logging.setLogRecordFactory(scrubbed_record)


REQUEST_ID_HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; a UUID with dashes is 36 characters. Nothing else gets in:
# no spaces, quotes or line breaks that could forge a log line.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9-]{8,64}")


def request_id_from(value):
    """The id sent by the proxy when it has a safe form, else a new one."""
    if value and REQUEST_ID_PATTERN.fullmatch(value):
        return value
    return uuid.uuid4().hex


def current_request_id():
    """The id of the request being served (made on first use)."""
    state = g._get_current_object()  # every record made during a request asks: one proxy access
    request_id = getattr(state, "request_id", None)
    if request_id is None:
        request_id = state.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    return request_id


# The fields a record may carry besides its message, in the order a JSON line shows them.
FIELDS = (
    "request_id",
    "method",
    "path",
    "endpoint",
    "status",
    "duration_ms",
    "remote",
    "job",
    "outcome",
)


# Made once: json.dumps with these options would make an encoder for every line.
_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the FIELDS the
    record has, and the exception or stack if any. Everything is scrubbed again here, for records
    that were not made through the factory (another process's, `logging.makeLogRecord`)."""

    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = scrub(record.exc_text)
        if record.stack_info:
            entry["stack"] = scrub(record.stack_info)
        return _JSON.encode(entry)


class TextFormatter(logging.Formatter):
    """For a developer's terminal: time, level, logger, request id, message (scrubbed)."""

    def __init__(self):
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            defaults={"request_id": "-"},
        )

    def format(self, record):
        return scrub(super().format(record))


FORMATTERS = {"json": JsonFormatter, "text": TextFormatter}


def make_handler(log_format, stream=None):
    """The handler configure_logging installs: a stream (stderr, which systemd's journal and
    gunicorn keep) with the formatter named by LOG_FORMAT."""
    try:
        formatter = FORMATTERS[log_format]()
    except KeyError:
        raise RuntimeError(f"Unknown LOG_FORMAT {log_format!r}; use json, text or off")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(formatter)
    return handler


def configure_logging(app):
    """The root logger's handler, as LOG_FORMAT and LOG_LEVEL say (one per process, replaced when
    another app is made); with "off" the host's logging is left as it is."""
    log_format = app.config["LOG_FORMAT"]
    if log_format == "off":
        return
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "participation_handler", False)]:
        root.removeHandler(handler)
    handler = make_handler(log_format)
    handler.participation_handler = True
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Flask's own stderr handler on app.logger would print each of its records a second time.
    app.logger.removeHandler(default_handler)


request_log = logging.getLogger("participation.request")


# The request's part, called by the application's request hooks (participation/__init__.py) with
# the request and `g` themselves: each access through Flask's proxies costs every request.


def start_request(request, g):
    """First thing of every request: its id and the moment it started (for the duration)."""
    g.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
    g.request_started = time.perf_counter()


def finish_request(request, g, response):
    """Last thing before the answer leaves: the id in its header and one request line."""
    request_id = getattr(g, "request_id", None) or current_request_id()  # g: the object
    response.headers[REQUEST_ID_HEADER] = request_id
    rule = request.url_rule
    log_request(
        request.method,
        scrub(request.path) if rule is not None else None,
        rule.endpoint if rule is not None else None,
        response.status_code,
        getattr(g, "request_started", None),
        request.remote_addr,
    )


def log_request(method, path, endpoint, status, started, remote, request_id=None):
    """The request line, for every answer: those of the application's hooks (`finish_request`)
    and those the page cache serves before Flask makes a request context, which give their
    `request_id` (within a request context the record factory adds it). `path`: already
    scrubbed, None for a request that matched no route; `started`: time.perf_counter() at the
    start, or None."""
    if not request_log.isEnabledFor(logging.INFO):
        return
    extra = {
        "method": method,
        "path": path,
        "endpoint": endpoint,
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "remote": remote,
    }
    # Made and handled as Logger.info would, less its search of the stack for the caller.
    record = request_log.makeRecord(
        request_log.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %s",
        (method, path or "-", status),
        None,
        "log_request",
        extra,
    )
    if request_id is not None:  # set after the factory's: this request's, not an outer one's
        record.request_id = request_id
    request_log.handle(record)


def forget_request(g):
    # Tests serve several requests in one application context: each gets its own id.
    g.pop("request_id", None)
    g.pop("request_started", None)

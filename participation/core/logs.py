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
"""

import logging
import re

REDACTIONS = (
    # SQLAlchemy exceptions: "[parameters: ('Zahra', '3 avenue …', …)]", one line.
    (re.compile(r"\[parameters: [^\n]*"), "[parameters: hidden]"),
    # PostgreSQL: "Key (cin_hash)=(…) already exists.", "Failing row contains (…)."
    (re.compile(r"(Key \([^)\n]*\)=)\([^\n]*\)"), r"\1(…)"),
    (re.compile(r"(Failing row contains )\([^\n]*\)"), r"\1(…)"),
    (re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*"), "[encrypted]"),
    (re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+"), "[e-mail]"),
    # /verify/<token>, /password/reset/<token>; the tokens are 43 characters, /verify/resend stays.
    (re.compile(r"(/(?:verify|reset)/)[A-Za-z0-9_\-]{20,}"), r"\1[token]"),
    (re.compile(r"\b[A-Za-z]{1,2}[ \-]?[0-9]{5,8}\b"), "[CIN]"),
)


def scrub(text):
    for pattern, replacement in REDACTIONS:
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
        return record

    scrubbed_record.personal_data_filter = personal_data_filter
    logging.setLogRecordFactory(scrubbed_record)

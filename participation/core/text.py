"""Free text typed by a person (a note, a reason, an appeal): trimmed, line ends made one, and
bounded, with a translated refusal."""

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from participation.core.errors import DomainError


def clean_text(value, *, limit, required=False, message=None):
    """The text, or None when empty; refuses an empty required text and one over `limit`."""
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError(message or _l("Write something before sending."), code="empty")
    if len(text) > limit:
        raise DomainError(
            ngettext("Use at most %(num)d character.", "Use at most %(num)d characters.", limit),
            code="too_long",
        )
    return text or None

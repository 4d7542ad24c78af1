"""What the comments component tells a person on their notifications page (core/notifications.py)."""

from flask_babel import gettext as _

from participation.core.notifications import (
    notification_kind,
    sentence,
    text_in_reader_language,
)

REPLY = notification_kind(
    "comment_reply", lambda params: sentence(_("Someone replied to your comment"))
)
OFFICIAL_ANSWER = notification_kind(
    "official_answer",
    lambda params: sentence(
        _("%(institution)s answered your comment"),
        institution=text_in_reader_language(params["institution"]),
    ),
)

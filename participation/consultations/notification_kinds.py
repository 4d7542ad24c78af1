"""What a consultation's followers and participants read on their notifications page
(core/notifications.py): the sentences of the e-mails' subjects."""

from flask_babel import gettext as _

from participation.core.notifications import notification_kind, titled


# Named after the e-mail templates they go with.
KINDS = {
    "consultation_opened": lambda: _("The consultation “%(title)s” is open"),
    "consultation_closed": lambda: _("The consultation “%(title)s” is closed"),
    "consultation_closed_early": lambda: _("The consultation “%(title)s” was closed early"),
    "consultation_extended": lambda: _("The consultation “%(title)s” is extended"),
    "consultation_outcome": lambda: _("Outcome of the consultation “%(title)s”"),
}
for _name, _message in KINDS.items():
    notification_kind(_name, titled(_message))

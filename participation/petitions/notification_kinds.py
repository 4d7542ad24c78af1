"""What a petition's committee, followers and signers read on their notifications page
(core/notifications.py): the sentences of the e-mails' subjects."""

from flask_babel import gettext as _

from participation.core.notifications import (
    notification_kind,
    sentence,
    text_in_reader_language,
    titled,
)
from participation.petitions.models import STEP_LABELS, StepKind


def _step(params):
    return sentence(
        _("%(step)s: the petition “%(title)s”"),
        step=STEP_LABELS[StepKind(params["step"])],
        title=text_in_reader_language(params["title"]),
    )


# The committee's kinds are named after the e-mail templates they go with.
COMMITTEE_KINDS = {
    "petition_published": lambda: _("The petition “%(title)s” is open for signatures"),
    "petition_returned": lambda: _("The petition “%(title)s” needs changes"),
    "petition_rejected": lambda: _("The petition “%(title)s” was rejected"),
    "petition_deposited": lambda: _("The petition “%(title)s” was deposited"),
}
for _name, _message in COMMITTEE_KINDS.items():
    notification_kind(_name, titled(_message))
STEP = notification_kind("petition_step", _step)
SIGNATURE_COUNTED = notification_kind(
    "signature_counted", titled(lambda: _("Your signature on “%(title)s” is counted"))
)
SIGNATURE_NOT_KEPT = notification_kind(
    "signature_not_kept", titled(lambda: _("Your signature on “%(title)s” was not kept"))
)

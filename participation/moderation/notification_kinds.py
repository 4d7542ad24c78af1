"""What a comment's author reads on their notifications page about a moderation decision or an
appeal (core/notifications.py): the sentences of the e-mails' subjects."""

from flask_babel import gettext as _

from participation.core.notifications import notification_kind, sentence
from participation.moderation.models import DECISION_OUTCOME_LABELS, Decision


def _decision(params):
    if params.get("automatic"):
        return sentence(_("Your comment is hidden until a moderator reviews it"))
    return sentence(
        _("Moderation of your comment: %(decision)s"),
        decision=DECISION_OUTCOME_LABELS[Decision(params["decision"])],
    )


def _appeal(params):
    if params.get("overturned"):
        return sentence(_("Your appeal is accepted: your comment is restored"))
    return sentence(_("Your appeal is examined: the decision is kept"))


# Named after the e-mail templates they go with.
DECISION = notification_kind("moderation_decision", _decision)
APPEAL_DECIDED = notification_kind("moderation_appeal_decided", _appeal)

"""Who may report, moderate, appeal and block. Anonymous users answer False everywhere.

Nobody moderates their own content (SPEC §1), and an appeal goes to a moderator other than the
one who made the decision appealed.
"""

from participation.auth.permissions import is_administrator, is_citizen, is_moderator, is_staff
from participation.moderation.queries import get_appeal, get_latest_decision, is_appealable
from participation.comments.permissions import is_comment_author, is_public
from participation.comments.targets import target_of
from participation.core.permissions import is_signed_in


def can_report_comment(user, comment, target=None):
    """A citizen reports someone else's public comment on a page they may read."""
    if (
        not is_citizen(user)
        or comment is None
        or not is_public(comment)
        or is_comment_author(user, comment)
    ):
        return False
    target = target or target_of(comment)
    return target is not None and target.is_visible_to(user)


def can_view_moderation_queue(user):
    return is_moderator(user)


def can_moderate_comment(user, comment, open_appeal=None):
    """A moderator decides on (and locks) anyone's comment but their own; while the author's
    appeal is open, only a moderator who did not make the decision appealed."""
    return (
        is_moderator(user)
        and comment is not None
        and comment.author_id != user.id
        and (open_appeal is None or open_appeal.decision.moderator_id != user.id)
    )


def can_appeal_decision(user, decision, now=None):
    """The author appeals a moderator's hide or reject once, within the window, while it is the
    comment's latest decision."""
    if decision is None or not is_signed_in(user) or decision.comment.author_id != user.id:
        return False
    latest = get_latest_decision(decision.comment_id)
    return (
        latest.id == decision.id
        and is_appealable(decision, decision.comment, now)
        and get_appeal(decision.id) is None
    )


def can_view_user_moderation(user):
    return is_moderator(user) or is_administrator(user)


def can_block_user(user, target):
    """Moderators block participants, not themselves nor staff (an administrator revokes a
    staff member's role instead)."""
    return (
        is_moderator(user)
        and target is not None
        and target.is_active
        and target.id != user.id
        and not target.is_blocked
        and not is_staff(target)
    )


def can_unblock_user(user, target):
    return is_administrator(user) and target is not None and target.is_blocked


def can_manage_screening(user):
    return is_administrator(user)

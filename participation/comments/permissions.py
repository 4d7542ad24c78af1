"""Who may do what with comments. Anonymous users answer False everywhere.

Predicates that need the comment's target accept it as an argument (pages already hold it) and
otherwise resolve it.
"""

from datetime import timedelta

from flask import current_app

from participation.auth.models import Role
from participation.auth.permissions import has_role, is_citizen
from participation.comments.models import CommentStatus
from participation.comments.targets import target_of
from participation.core.models import utcnow
from participation.core.permissions import is_signed_in

EDITABLE_STATUSES = {CommentStatus.PENDING, CommentStatus.VISIBLE}


def can_comment(user, target):
    return (
        is_citizen(user)
        and target is not None
        and target.accepts_comments
        and target.is_visible_to(user)
    )


def is_public(comment):
    """Visible, not deleted, and its author not blocked (blocking hides a person's content)."""
    return (
        comment.status == CommentStatus.VISIBLE
        and not comment.is_deleted
        and not comment.author.is_blocked
    )


def can_reply(user, comment, target):
    """Replies go under a public comment of an open target (the service checks the depth, to
    explain the limit)."""
    return (
        can_comment(user, target)
        and comment is not None
        and target.holds(comment)
        and is_public(comment)
    )


def is_comment_author(user, comment):
    return is_signed_in(user) and comment is not None and comment.author_id == user.id


def within_edit_window(comment, now=None):
    window = timedelta(minutes=current_app.config["COMMENT_EDIT_WINDOW_MINUTES"])
    return (now or utcnow()) - comment.created_at <= window


def can_edit_comment(user, comment, now=None, target=None):
    if not (
        is_comment_author(user, comment)
        and not comment.is_deleted
        and comment.status in EDITABLE_STATUSES
        and within_edit_window(comment, now)
    ):
        return False
    if comment.status == CommentStatus.VISIBLE:
        # Where a moderator reads comments before publication, the published text is the one approved.
        target = target or target_of(comment)
        return target is not None and not target.pre_moderated
    return True


def can_delete_comment(user, comment):
    return is_comment_author(user, comment) and not comment.is_deleted


def can_vote_useful(user, comment, target=None):
    """A citizen marks someone else's public comment as useful while the target is open."""
    if comment is None or not is_public(comment) or is_comment_author(user, comment):
        return False
    return can_comment(user, target or target_of(comment))


def can_answer_officially(user, target):
    """An officer of the institution that owns the target: their comments are official answers."""
    return (
        has_role(user, Role.OFFICER)
        and target is not None
        and target.institution_id is not None
        and user.officer_institution_id == target.institution_id
    )


def can_see_comment(user, comment, target=None):
    """Public comments for whoever may read the target; the others for their author only."""
    if comment is None:
        return False
    target = target or target_of(comment)
    if target is None or not target.is_visible_to(user):
        return False
    return comment.status == CommentStatus.VISIBLE or is_comment_author(user, comment)

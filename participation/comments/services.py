"""Comment services: post, reply, edit, delete, "useful" votes, and the one status change.

Services take the acting user as a parameter, never read the request, flush and leave the commit
to the caller (one commit per request).
"""

from urllib.parse import urljoin

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from participation.comments import markdown
from participation.comments import notification_kinds as kinds
from participation.comments import permissions as perms
from participation.comments.oversight import current_overseer
from participation.comments.models import (
    STATUS_TRANSITIONS,
    Comment,
    CommentStatus,
    CommentVote,
    Stance,
)
from participation.comments.queries import page_of
from participation.comments.targets import target_of
from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.mail import queue_mail
from participation.core.models import utcnow
from participation.core.notifications import all_languages, language_free, notify
from participation.core.permissions import guarded_by, require
from participation.core.urls import external_url
from participation.extensions import db


def _stance(target, parent, stance):
    if not stance:
        return None
    try:
        stance = Stance(stance)
    except ValueError:
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_stance")
    if parent is not None:
        raise DomainError(
            _l("A reply cannot take a position: only a comment that starts a discussion can."),
            code="stance_on_reply",
        )
    if not target.allows_stance:
        raise DomainError(
            _l("Positions (agree, disagree, neutral) are not asked for here."),
            code="stance_not_allowed",
        )
    return stance.value


@guarded_by(perms.can_comment)
def post_comment(actor, target, *, body, parent=None, stance=None):
    """A new comment on `target`, or a reply to `parent`; an officer of the target's institution
    writes an official answer. Pre-moderated targets, and screening rules that fire, keep it
    pending until a moderator approves."""
    if parent is None:
        require(perms.can_comment(actor, target))
    else:
        require(perms.can_reply(actor, parent, target))
        if not parent.accepts_replies:
            raise DomainError(
                _l(
                    "This reply is already at the deepest level of the discussion: answer the comment above it instead."
                ),
                code="too_deep",
            )
    stance = _stance(target, parent, stance)
    official = perms.can_answer_officially(actor, target)
    if official and stance:
        raise DomainError(
            _l("An official answer cannot take a position."), code="stance_not_allowed"
        )
    source = markdown.clean_source(body)
    screening = current_overseer().screen_new(source, official=official)
    comment = Comment(
        target_type=target.target_type,
        target_id=target.target_id,
        author_id=actor.id,
        stance=stance,
        status=CommentStatus.PENDING
        if target.pre_moderated or screening.holds
        else CommentStatus.VISIBLE,
        is_official=official,
        official_institution_id=target.institution_id if official else None,
    )
    comment.place_in_thread(parent)
    comment.write(source)
    db.session.add(comment)
    db.session.flush()
    screening.record(comment, target)
    if official:
        record_audit(
            actor,
            "comment.official_answer",
            comment,
            target_type=target.target_type,
            target_id=target.target_id,
        )
    if comment.status == CommentStatus.VISIBLE:
        _announce_publication(comment, target)
    return comment


def _announce_publication(comment, target):
    """When a reply to a citizen's comment becomes public, tell that citizen: on their
    notifications page, and by e-mail when it is an institution's official answer."""
    if comment.parent_id is None or target is None:
        return
    parent = db.session.get(Comment, comment.parent_id)
    recipient = parent.author
    if (
        parent.is_official
        or parent.is_deleted
        or recipient.id == comment.author_id
        or not recipient.is_active
    ):
        return
    page = page_of(comment, recipient)
    link = language_free(target.link(comment_id=comment.id, page=page))
    if not comment.is_official:
        notify(recipient, kinds.REPLY, link=link)
        return
    institution = comment.official_institution
    notify(
        recipient,
        kinds.OFFICIAL_ANSWER,
        link=link,
        institution=all_languages(institution.display_name),
    )
    language = recipient.language
    queue_mail(
        to=recipient.email,
        language=language,
        template="official_answer",
        user=recipient,
        institution=institution.display_name(language),
        link=urljoin(
            external_url("public.home", lang_code=language),
            target.link(comment_id=comment.id, page=page, language=language),
        ),
    )


def change_comment_status(comment, status):
    """The only place a comment's status changes after it was written. Whoever oversees comments
    (the registered overseer, see oversight.py) calls it, having checked its own permission and
    recorded why."""
    current, status = CommentStatus(comment.status), CommentStatus(status)
    if status not in STATUS_TRANSITIONS[current]:
        raise DomainError(
            _l("This comment cannot be moved to that state."), code="invalid_transition"
        )
    comment.status = status.value
    db.session.flush()
    if current == CommentStatus.PENDING and status == CommentStatus.VISIBLE:
        _announce_publication(comment, target_of(comment))
    return comment


@guarded_by(perms.can_edit_comment)
def edit_comment(actor, comment, *, body):
    """The author corrects a comment soon after writing it; the comment is marked as edited."""
    allowed = perms.can_edit_comment(actor, comment)
    if not allowed and perms.is_comment_author(actor, comment) and not comment.is_deleted:
        if not perms.within_edit_window(comment):
            minutes = current_app.config["COMMENT_EDIT_WINDOW_MINUTES"]
            raise DomainError(
                ngettext(
                    "A comment can be changed only during the first %(num)d minute after it was sent. You can still delete it.",
                    "A comment can be changed only during the first %(num)d minutes after it was sent. You can still delete it.",
                    minutes,
                ),
                code="edit_window_over",
            )
        if comment.status == CommentStatus.VISIBLE:
            raise DomainError(
                _l(
                    "A moderator approved this comment as it is, so it can no longer be changed. You can still delete it."
                ),
                code="approved_text",
            )
    require(allowed)
    source = markdown.clean_source(body)
    if source != comment.body_source:
        comment.write(source)
        comment.edited_at = utcnow()
        db.session.flush()
        current_overseer().screen_edit(actor, comment)
    db.session.flush()
    return comment


@guarded_by(perms.can_delete_comment)
def delete_comment(actor, comment):
    """The author withdraws a comment: a tombstone stays so the replies keep their place."""
    require(perms.can_delete_comment(actor, comment))
    comment.body_source = ""
    comment.body_html = ""
    comment.stance = None
    comment.deleted_at = utcnow()
    db.session.flush()
    return comment


@guarded_by(perms.can_vote_useful)
def toggle_useful_vote(actor, comment):
    """Mark someone else's comment as useful, or take the mark back; returns whether it is marked."""
    if perms.is_comment_author(actor, comment):
        raise DomainError(_l("You cannot mark your own comment as useful."), code="own_comment")
    require(perms.can_vote_useful(actor, comment))
    vote = db.session.scalar(
        sa.select(CommentVote).where(
            CommentVote.comment_id == comment.id, CommentVote.user_id == actor.id
        )
    )
    if vote is None:
        db.session.add(CommentVote(comment_id=comment.id, user_id=actor.id))
        comment.useful_count = Comment.useful_count + 1  # computed by the database: no lost update
    else:
        db.session.delete(vote)
        comment.useful_count = Comment.useful_count - 1
    db.session.flush()
    db.session.refresh(comment, ["useful_count"])
    return vote is None

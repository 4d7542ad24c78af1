"""Moderation services: reports, locks, decisions (one by one or in bulk), appeals, blocking and
the screening settings.

A comment's status changes after creation only here, through comments.services.change_comment_status,
and every change is recorded as an append-only decision. Services take the acting user as a
parameter, never read the request, flush and leave the commit to the caller.
"""

from urllib.parse import urljoin

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from participation.comments.models import CommentStatus
from participation.moderation import notification_kinds as kinds
from participation.moderation import permissions as perms
from participation.moderation.models import (
    APPEAL,
    DECISION_EFFECTS,
    DECISION_REASONS,
    MODERATOR_DECISIONS,
    CommentReport,
    Decision,
    DecisionReason,
    ItemKind,
    ModerationAppeal,
    ModerationDecision,
    ModerationItem,
    ReportReason,
    ScreeningSettings,
    WordList,
)
from participation.moderation.queries import (
    appeal_deadline,
    count_open_reports,
    get_appeal,
    get_latest_decision,
    get_open_appeal,
    get_open_item,
    is_appealable,
)
from participation.moderation.screening import guess_language, screen_comment
from participation.comments.permissions import can_edit_comment, is_comment_author
from participation.comments.queries import page_of
from participation.comments.services import change_comment_status
from participation.comments.targets import target_of
from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.filters import when
from participation.core.mail import queue_mail
from participation.core.models import lock_expiry, refresh_for_update, utcnow
from participation.core.notifications import language_free, notify
from participation.core.permissions import guarded_by, require
from participation.core.text import clean_text
from participation.core.urls import external_url
from participation.extensions import db

TEXT_LIMIT = 2000  # report details, notes, appeals and block reasons


def _text(value, *, required=False, message=None):
    return clean_text(value, limit=TEXT_LIMIT, required=required, message=message)


# Reports


@guarded_by(perms.can_report_comment)
def report_comment(actor, comment, *, reason, details=None):
    """A citizen reports a comment once. At the threshold of open reports, a public comment is
    hidden until a moderator reviews it, and its author is told why."""
    if is_comment_author(actor, comment):
        raise DomainError(_l("You cannot report your own comment."), code="own_comment")
    refresh_for_update(
        comment
    )  # reports on one comment queue up: one queue item, one automatic hide
    target = target_of(comment)
    require(perms.can_report_comment(actor, comment, target))
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_reason")
    details = _text(
        details,
        required=reason == ReportReason.OTHER,
        message=_l("Say what is wrong with this comment."),
    )
    already = sa.select(CommentReport.id).where(
        CommentReport.comment_id == comment.id, CommentReport.reporter_id == actor.id
    )
    if db.session.scalar(already) is not None:
        raise DomainError(_l("You have already reported this comment."), code="already_reported")
    report = CommentReport(
        comment_id=comment.id,
        reporter_id=actor.id,
        reason=reason.value,
        details=details,
        created_at=utcnow(),
    )
    db.session.add(report)
    item = ModerationItem.open_for(
        comment,
        kind=ItemKind.REPORTED,
        reason=reason.value,
        institution_id=target.institution_id,
        language=guess_language(comment.body_source),
    )
    threshold = current_app.config["MODERATION_REPORT_THRESHOLD"]
    if comment.status == CommentStatus.VISIBLE and count_open_reports(comment.id) >= threshold:
        _decide(
            None, comment, Decision.HIDE, DecisionReason.REPORTED, item=item, keep_item_open=True
        )
    return report


# Locks


def _check_moderator(actor, comment, appeal):
    """Refuse with the reason a moderator would want to know, then check the predicate."""
    require(perms.can_view_moderation_queue(actor))
    if comment.author_id == actor.id:
        raise DomainError(
            _l("You cannot moderate your own comment: another moderator will."), code="own_content"
        )
    if appeal is not None and appeal.decision.moderator_id == actor.id:
        raise DomainError(
            _l("The author appealed your decision: another moderator must decide the appeal."),
            code="own_decision",
        )
    require(perms.can_moderate_comment(actor, comment, appeal))


def _locked_elsewhere(actor, item, now):
    if item is not None and item.locked_by_other(actor, now):
        raise DomainError(
            _l(
                "Another moderator is working on this comment until %(time)s.",
                time=when(item.locked_until),
            ),
            code="locked",
        )


@guarded_by(perms.can_moderate_comment)
def take_item(actor, item, now=None):
    """Lock a queue item for a while so that no other moderator decides it meanwhile."""
    now = now or utcnow()
    refresh_for_update(item)
    _check_moderator(
        actor,
        item.comment,
        get_open_appeal(item.comment_id) if item.kind == ItemKind.APPEAL else None,
    )
    if not item.is_open:
        raise DomainError(_l("This comment was already decided."), code="already_decided")
    _locked_elsewhere(actor, item, now)
    item.locked_by_id = actor.id
    item.locked_until = lock_expiry(now)
    db.session.flush()
    return item


@guarded_by(perms.can_moderate_comment)
def release_item(actor, item, now=None):
    refresh_for_update(item)
    require(perms.can_moderate_comment(actor, item.comment) and item.held_by(actor, now))
    item.locked_by_id = item.locked_until = None
    db.session.flush()
    return item


# Decisions


def _coded(decision, reason, note):
    try:
        decision, reason = Decision(decision), DecisionReason(reason)
    except ValueError:
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_choice")
    if decision not in MODERATOR_DECISIONS:  # holding an edited comment is the platform's
        raise DomainError(_l("Choose one of the options in the list."), code="invalid_choice")
    if reason not in DECISION_REASONS[decision]:
        raise DomainError(_l("Choose a reason that fits this decision."), code="reason_mismatch")
    note = _text(
        note, required=reason == DecisionReason.OTHER, message=_l("Explain the reason in the note.")
    )
    return decision, reason, note


def _decide(
    actor, comment, decision, reason, *, note=None, item=None, appeal=None, keep_item_open=False
):
    """Record a decision and apply its effect on the comment; the one path to change_comment_status."""
    current = CommentStatus(comment.status)
    new = DECISION_EFFECTS[decision].get(current)
    if new is None:
        raise DomainError(
            _l("This decision does not apply to a comment in this state."), code="invalid_decision"
        )
    if new == current and item is None:
        raise DomainError(
            _l("There is nothing to decide on this comment."), code="nothing_to_decide"
        )
    now = utcnow()
    record = ModerationDecision(
        comment_id=comment.id,
        moderator_id=actor.id if actor is not None else None,
        item_id=item.id if item is not None else None,
        appeal_of_id=appeal.decision_id if appeal is not None else None,
        decision=decision.value,
        reason=reason.value,
        note=note,
        from_status=current.value,
        to_status=new.value,
        created_at=now,
    )
    db.session.add(record)
    if new != current:
        change_comment_status(comment, new)
    if item is not None and not keep_item_open:
        item.closed_at, item.locked_by_id, item.locked_until = now, None, None
        db.session.execute(
            sa.update(CommentReport)
            .where(CommentReport.comment_id == comment.id, CommentReport.resolved_at.is_(None))
            .values(resolved_at=now)
        )
    db.session.flush()
    record_audit(
        actor,
        "moderation.decision",
        comment,
        decision=decision.value,
        reason=reason.value,
        decision_id=record.id,
        appeal_of=record.appeal_of_id,
    )
    # Dismissed reports change nothing for the author; an edit held again is shown on the comment.
    if not (decision == Decision.APPROVE and new == current) and decision != Decision.HOLD:
        _notify_author(comment, record)
    return record


@guarded_by(can_edit_comment)
def screen_edited_comment(actor, comment, *, now=None):
    """Screen an edited comment with the rules of a new one (comments.services.edit_comment calls
    it once the new text is written). A rule that fires never deletes: a published comment goes
    back to pending through a recorded decision of the platform, and waits in the queue with the
    rule. Returns the decision, or None when the comment keeps its status."""
    require(can_edit_comment(actor, comment, now))
    now = now or utcnow()
    screening = screen_comment(
        comment.body_source, official=comment.is_official, now=now, comment_id=comment.id
    )
    item = screening.record_edit(comment, target_of(comment), now)
    if item is None or comment.status != CommentStatus.VISIBLE:
        return None
    return _decide(
        None, comment, Decision.HOLD, DecisionReason.SCREENED, item=item, keep_item_open=True
    )


@guarded_by(perms.can_moderate_comment)
def decide_comment(actor, comment, *, decision, reason, note=None, item=None, now=None):
    """A moderator's coded decision on a comment. `item` is the queue item the moderator looked
    at (None when the comment was not in the queue): if it was decided meanwhile, the decision is
    refused rather than taken twice."""
    refresh_for_update(comment)
    appeal = get_open_appeal(comment.id)
    _check_moderator(actor, comment, appeal)
    current_item = get_open_item(comment.id)
    if (current_item.id if current_item else None) != (item.id if item else None):
        raise DomainError(
            _l(
                "Another moderator decided on this comment meanwhile. Look at it again before deciding."
            ),
            code="already_decided",
        )
    _locked_elsewhere(actor, current_item, now or utcnow())
    decision, reason, note = _coded(decision, reason, note)
    return _decide(actor, comment, decision, reason, note=note, item=current_item, appeal=appeal)


@guarded_by(perms.can_view_moderation_queue)
def decide_items(actor, items, *, decision, reason, note=None):
    """The same decision on several queue items. Items another moderator holds, or that the
    actor may not decide (their own content, their own decision appealed), are left in the queue;
    returns (decisions taken, items left)."""
    require(perms.can_view_moderation_queue(actor))
    _coded(decision, reason, note)
    decided, left = [], []
    for item in items:
        try:
            with db.session.begin_nested():
                decided.append(
                    decide_comment(
                        actor, item.comment, decision=decision, reason=reason, note=note, item=item
                    )
                )
        except DomainError:
            left.append(item)
    return decided, left


def _thread_link(comment, recipient):
    target = target_of(comment)
    if target is None:
        return None
    language = recipient.language
    return urljoin(
        external_url("public.home", lang_code=language),
        target.link(comment_id=comment.id, page=page_of(comment, recipient), language=language),
    )


def _notify_author(comment, record):
    """Tell the author, in their language, what was decided and why, and how to appeal."""
    author = comment.author
    if not author.is_active:
        return
    appealable = is_appealable(record, comment)
    overturned = record.to_status == CommentStatus.VISIBLE
    target = target_of(comment)
    link = target and language_free(
        target.link(comment_id=comment.id, page=page_of(comment, author))
    )
    if record.appeal_of_id:
        notify(author, kinds.APPEAL_DECIDED, link=link, overturned=overturned)
    else:
        notify(
            author,
            kinds.DECISION,
            link=link,
            decision=record.decision,
            automatic=record.is_automatic,
        )
    queue_mail(
        to=author.email,
        language=author.language,
        template="moderation_appeal_decided" if record.appeal_of_id else "moderation_decision",
        user=author,
        record=record,
        overturned=overturned,
        excerpt=comment.body_source[:200],
        link=_thread_link(comment, author),
        appeal_link=external_url(
            "moderation.appeal", lang_code=author.language, decision_id=record.id
        )
        if appealable
        else None,
        deadline=appeal_deadline(record) if appealable else None,
    )


# Appeals


@guarded_by(perms.can_appeal_decision)
def appeal_decision(actor, decision, *, text, now=None):
    """The author asks another moderator to look again at a hide or a reject."""
    now = now or utcnow()
    comment = decision.comment
    if is_comment_author(actor, comment):
        if get_appeal(decision.id) is not None:
            raise DomainError(
                _l("You have already appealed this decision."), code="already_appealed"
            )
        if now > appeal_deadline(decision) and get_latest_decision(comment.id).id == decision.id:
            raise DomainError(
                _l("The time to appeal this decision is over."), code="appeal_window_over"
            )
    require(perms.can_appeal_decision(actor, decision, now))
    appeal = ModerationAppeal(
        decision_id=decision.id,
        comment_id=comment.id,
        author_id=actor.id,
        text=_text(text, required=True, message=_l("Explain why the decision should change.")),
        created_at=now,
    )
    db.session.add(appeal)
    target = target_of(comment)
    ModerationItem.open_for(
        comment,
        kind=ItemKind.APPEAL,
        reason=APPEAL,
        institution_id=target.institution_id if target else None,
        language=guess_language(comment.body_source),
    )
    db.session.flush()
    return appeal


# Blocking


@guarded_by(perms.can_block_user)
def block_user(actor, user, *, reason):
    """Hide a participant's content and stop them posting; they are told why."""
    if user.is_blocked:
        raise DomainError(_l("This person is already blocked."), code="already_blocked")
    require(perms.can_block_user(actor, user))
    user.blocked_reason = _text(reason, required=True, message=_l("Give the reason for blocking."))
    user.blocked_at, user.blocked_by_id = utcnow(), actor.id
    record_audit(actor, "moderation.user_blocked", user, reason=user.blocked_reason)
    queue_mail(
        to=user.email,
        language=user.language,
        template="account_blocked",
        user=user,
        reason=user.blocked_reason,
    )
    db.session.flush()
    return user


@guarded_by(perms.can_unblock_user)
def unblock_user(actor, user):
    require(perms.can_unblock_user(actor, user))
    record_audit(
        actor,
        "moderation.user_unblocked",
        user,
        blocked_reason=user.blocked_reason,
        blocked_by=user.blocked_by_id,
    )
    user.blocked_at = user.blocked_reason = user.blocked_by_id = None
    queue_mail(to=user.email, language=user.language, template="account_unblocked", user=user)
    db.session.flush()
    return user


# Screening settings


def _terms(text):
    """One term per line, trimmed, without blank lines or repeats."""
    terms = []
    for line in (text or "").splitlines():
        term = " ".join(line.split())
        if term and term not in terms:
            terms.append(term)
    return "\n".join(terms)


@guarded_by(perms.can_manage_screening)
def update_screening_settings(
    actor,
    *,
    check_links,
    max_links,
    check_repeats,
    repeat_window_hours,
    repeat_min_length,
    check_words,
    word_lists,
):
    require(perms.can_manage_screening(actor))
    if not (
        0 <= max_links <= 100
        and 1 <= repeat_window_hours <= 24 * 30
        and 0 <= repeat_min_length <= 2000
    ):
        raise DomainError(_l("A number is outside the allowed range."), code="out_of_range")
    settings = db.session.get(ScreeningSettings, 1)
    if settings is None:
        settings = ScreeningSettings(id=1)
        db.session.add(settings)
    settings.check_links, settings.max_links = bool(check_links), max_links
    settings.check_repeats, settings.repeat_window_hours = bool(check_repeats), repeat_window_hours
    settings.repeat_min_length, settings.check_words = repeat_min_length, bool(check_words)
    settings.word_lists = {
        word_list.value: _terms(word_lists.get(word_list.value)) for word_list in WordList
    }
    settings.updated_at, settings.updated_by_id = utcnow(), actor.id
    db.session.flush()
    record_audit(actor, "moderation.screening_updated", settings)
    return settings

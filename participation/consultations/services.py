"""Consultation services: drafting, sections, the lifecycle, corrections, follows, outcome reports.

Every state change goes through `_transition`, which checks the TRANSITIONS table.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.auth.models import User
from participation.consultations import notification_kinds  # noqa: F401  (declares the kinds)
from participation.consultations import permissions as perms
from participation.consultations.drafts import align_parts, heading_number, split_into_sections
from participation.consultations.models import (
    TRANSITIONS,
    ClosingChangeKind,
    ClosingDateChange,
    Consultation,
    ConsultationState,
    Correction,
    Decision,
    Follow,
    ModerationMode,
    OutcomeReport,
    Scope,
    Section,
    SectionOutcome,
    Topic,
)
from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.i18n import LANGUAGES
from participation.core.mail import queue_mail
from participation.core.models import clean_translations, utcnow
from participation.core.notifications import link_to, notify_many
from participation.core.permissions import SYSTEM, guarded_by, require
from participation.core.urls import external_url, slugify
from participation.extensions import db

S = ConsultationState


@dataclass
class ConsultationData:
    """What an officer fills in; translatable fields are {lang: text}."""

    title: dict
    summary: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)
    scope: str = Scope.NATIONAL.value
    region: object = None
    province: object = None
    topics: list = field(default_factory=list)
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    moderation_mode: str = ModerationMode.POST.value


def _apply(consultation, data):
    title = clean_translations(data.title)
    if not title:
        raise DomainError(_l("Give the title in at least one language."), code="title_required")
    scope = Scope(data.scope)
    if scope == Scope.REGION and data.region is None:
        raise DomainError(
            _l("Choose the region this consultation is about."), code="region_required"
        )
    if scope == Scope.PROVINCE and data.province is None:
        raise DomainError(
            _l("Choose the prefecture or province this consultation is about."),
            code="province_required",
        )
    if data.opens_at and data.closes_at and data.opens_at >= data.closes_at:
        raise DomainError(_l("The closing date must come after the opening date."), code="dates")
    consultation.title = title
    consultation.summary = clean_translations(data.summary)
    consultation.body = clean_translations(data.body)
    consultation.languages = " " + " ".join(lang for lang in LANGUAGES if lang in title) + " "
    consultation.slug = slugify(title.get("fr") or title.get("ar") or title.get("zgh"))
    consultation.scope = scope.value
    consultation.region_id = (
        data.region.id
        if scope == Scope.REGION
        else (data.province.region_id if scope == Scope.PROVINCE else None)
    )
    consultation.province_id = data.province.id if scope == Scope.PROVINCE else None
    consultation.topics = list(data.topics)
    consultation.opens_at = data.opens_at
    consultation.closes_at = data.closes_at
    consultation.moderation_mode = ModerationMode(data.moderation_mode).value
    consultation.refresh_search_text()


@guarded_by(perms.can_create_consultation)
def create_consultation(actor, data):
    require(perms.can_create_consultation(actor))
    consultation = Consultation(
        institution_id=actor.officer_institution_id, created_by_id=actor.id, state=S.DRAFT.value
    )
    db.session.add(consultation)
    _apply(consultation, data)
    db.session.flush()
    record_audit(actor, "consultation.created", consultation)
    return consultation


@guarded_by(perms.can_edit_consultation)
def update_consultation(actor, consultation, data):
    require(perms.can_edit_consultation(actor, consultation))
    _apply(consultation, data)
    db.session.flush()
    return consultation


def _check_section(heading, body):
    heading, body = clean_translations(heading), clean_translations(body)
    if not heading:
        raise DomainError(
            _l("Give the section heading in at least one language."), code="heading_required"
        )
    return heading, body


@guarded_by(perms.can_edit_consultation)
def add_section(actor, consultation, *, heading, body):
    require(perms.can_edit_consultation(actor, consultation))
    heading, body = _check_section(heading, body)
    section = Section(heading=heading, body=body, position=len(consultation.sections) + 1)
    consultation.sections.append(section)
    consultation.refresh_search_text()
    db.session.flush()
    return section


@guarded_by(perms.can_edit_consultation)
def update_section(actor, section, *, heading, body):
    require(perms.can_edit_consultation(actor, section.consultation))
    section.heading, section.body = _check_section(heading, body)
    section.consultation.refresh_search_text()
    db.session.flush()
    return section


@guarded_by(perms.can_edit_consultation)
def delete_section(actor, section):
    consultation = section.consultation
    require(perms.can_edit_consultation(actor, consultation))
    consultation.sections.remove(section)
    _renumber(consultation)
    consultation.refresh_search_text()
    db.session.flush()


@guarded_by(perms.can_edit_consultation)
def move_section(actor, section, offset):
    """Move a section up (-1) or down (+1)."""
    consultation = section.consultation
    require(perms.can_edit_consultation(actor, consultation))
    ordered = list(consultation.sections)
    index = ordered.index(section)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, item in enumerate(ordered, 1):
            item.position = position
    db.session.flush()


def _renumber(consultation):
    for position, item in enumerate(sorted(consultation.sections, key=lambda s: s.position), 1):
        item.position = position


@dataclass
class ImportReport:
    """What an import did: the sections it created or filled, and what it could not match (the
    officer corrects the text and imports it again; nothing else changes)."""

    language: str
    replaced: bool
    filled: list = field(default_factory=list)  # sections given the text
    sections_without_part: list = field(default_factory=list)  # sections left as they were
    parts_without_section: list = field(default_factory=list)  # (place in the text, heading)

    @property
    def complete(self):
        return not self.sections_without_part and not self.parts_without_section


def _section_languages(consultation):
    return {lang for s in consultation.sections for lang in (*s.heading, *s.body)}


def _section_number(section, language):
    """The number of a section's heading, read first in the languages the import leaves alone."""
    for lang in sorted(section.heading, key=lambda lang: lang == language):
        number = heading_number(section.heading[lang])
        if number is not None:
            return number
    return None


def _fill_section(section, language, heading, body):
    section.heading = {**section.heading, language: heading}
    section.body = {lang: text for lang, text in section.body.items() if lang != language}
    if body:
        section.body = {**section.body, language: body}


@guarded_by(perms.can_edit_consultation)
def import_sections(actor, consultation, *, text, language, preamble_heading):
    """Sections from a pasted draft in one language. When no section holds another language yet,
    the text replaces them; otherwise it fills that language into the sections it matches (by
    order and by the numbers of their headings), and reports what it could not match.
    `preamble_heading` names the text before the first heading, in the text's language."""
    require(perms.can_edit_consultation(actor, consultation))
    if language not in LANGUAGES:
        raise DomainError(_l("Choose the language of the text."), code="language")
    parts = split_into_sections(text)
    if not parts:
        raise DomainError(_l("No text to split. Paste the draft first."), code="empty")
    if not _section_languages(consultation) - {language}:
        consultation.sections.clear()
        db.session.flush()
        for position, (heading, body) in enumerate(parts, 1):
            consultation.sections.append(
                Section(
                    position=position,
                    heading={language: heading or preamble_heading},
                    body={language: body} if body else {},
                )
            )
        report = ImportReport(language, replaced=True, filled=list(consultation.sections))
    else:
        sections = list(consultation.sections)
        alignment = align_parts(
            [_section_number(section, language) for section in sections],
            [heading_number(heading) for heading, _body in parts],
        )
        report = ImportReport(language, replaced=False)
        for i, j in alignment.pairs:
            heading, body = parts[j]
            _fill_section(sections[i], language, heading or preamble_heading, body)
            report.filled.append(sections[i])
        report.sections_without_part = [sections[i] for i in alignment.sections_without_part]
        report.parts_without_section = [
            (j + 1, parts[j][0] or preamble_heading) for j in alignment.parts_without_section
        ]
    consultation.refresh_search_text()
    db.session.flush()
    return report


def _transition(consultation, target, actor, *, now, **details):
    current = consultation.status
    if target not in TRANSITIONS[current]:
        raise DomainError(
            _l("This consultation cannot go from this state to that one."), code="transition"
        )
    consultation.state = target.value
    stamp = {
        S.OPEN: "opened_at",
        S.CLOSED: "closed_at",
        S.OUTCOME_PUBLISHED: "outcome_published_at",
        S.WITHDRAWN: "withdrawn_at",
    }
    if target in stamp:
        setattr(consultation, stamp[target], now)
    record_audit(
        actor, f"consultation.{target.value}", consultation, previous=current.value, **details
    )
    db.session.flush()


@guarded_by(perms.can_manage_consultation)
def schedule_consultation(actor, consultation, *, now=None):
    """Publish a draft: it is announced, and opens by itself at its opening time."""
    now = now or utcnow()
    require(perms.can_manage_consultation(actor, consultation))
    if not consultation.sections:
        raise DomainError(_l("Add at least one section before publishing."), code="no_sections")
    if consultation.opens_at is None or consultation.closes_at is None:
        raise DomainError(
            _l("Set the opening and closing dates before publishing."), code="no_dates"
        )
    if consultation.closes_at <= now:
        raise DomainError(_l("The closing date is already past."), code="closing_past")
    _transition(consultation, S.SCHEDULED, actor, now=now)
    if consultation.opens_at <= now:
        _open(consultation, now)
    return consultation


@guarded_by(perms.can_manage_consultation)
def unschedule_consultation(actor, consultation, *, now=None):
    """Back to draft for editing, only before it has opened."""
    now = now or utcnow()
    require(perms.can_manage_consultation(actor, consultation))
    if consultation.effective_state(now) != S.SCHEDULED:
        raise DomainError(
            _l("An open consultation cannot go back to draft; add a correction instead."),
            code="transition",
        )
    _transition(consultation, S.DRAFT, actor, now=now)


@guarded_by(perms.can_manage_consultation)
def withdraw_consultation(actor, consultation, *, reason, now=None):
    now = now or utcnow()
    require(perms.can_manage_consultation(actor, consultation))
    if not (reason or "").strip():
        raise DomainError(
            _l("Explain publicly why the consultation is withdrawn."), code="reason_required"
        )
    advance_consultation(consultation, now)
    consultation.withdrawal_reason = reason.strip()
    _transition(consultation, S.WITHDRAWN, actor, now=now)


REASON_MAX_LENGTH = 2000
MAX_EXTENSION = timedelta(days=180)


def _closing_reason(reason):
    reason = clean_translations(reason)
    if not reason:
        raise DomainError(
            _l("Give the public reason in at least one language."), code="reason_required"
        )
    if any(len(text) > REASON_MAX_LENGTH for text in reason.values()):
        raise DomainError(
            _l("The reason is too long: at most %(max)d characters.", max=REASON_MAX_LENGTH),
            code="reason_too_long",
        )
    return reason


def _claim(consultation, now):
    """Read the consultation again under the tick's write lock (FOR NO KEY UPDATE) and record the
    opening the clock made due: a tick, or another officer, acting on it at this moment waits, and
    then sees what this one did."""
    db.session.refresh(consultation, with_for_update={"key_share": True, "of": Consultation})
    advance_consultation(consultation, now)


def _record_closing_change(consultation, kind, closes_at, reason, now):
    change = ClosingDateChange(
        consultation_id=consultation.id,
        kind=kind.value,
        previous_closes_at=consultation.closes_at,
        closes_at=closes_at,
        reason=reason,
        created_at=now,
    )
    db.session.add(change)
    consultation.closes_at = closes_at
    db.session.flush()
    return change


@guarded_by(perms.can_close_consultation)
def close_consultation_early(actor, consultation, *, reason, now=None):
    """Close an open consultation now, before its closing date, with a public reason; its
    followers are told why."""
    now = now or utcnow()
    require(perms.can_manage_consultation(actor, consultation))
    reason = _closing_reason(reason)
    _claim(consultation, now)
    if not perms.can_close_consultation(actor, consultation, now):
        raise DomainError(_l("Only an open consultation can be closed early."), code="not_open")
    if consultation.opens_at is not None and consultation.opens_at >= now:
        raise DomainError(_l("This consultation has only just opened."), code="just_opened")
    change = _record_closing_change(consultation, ClosingChangeKind.CLOSED_EARLY, now, reason, now)
    _transition(
        consultation,
        S.CLOSED,
        actor,
        now=now,
        early=True,
        change_id=change.id,
        previous_closes_at=change.previous_closes_at.isoformat(),
    )
    _notify_closing_change(consultation, change, "consultation_closed_early")
    return change


@guarded_by(perms.can_extend_consultation)
def extend_consultation(actor, consultation, *, closes_at, reason, now=None):
    """Move an open consultation's closing date later, with a public reason; its followers are
    told the new date and why."""
    now = now or utcnow()
    require(perms.can_manage_consultation(actor, consultation))
    reason = _closing_reason(reason)
    if closes_at is None:
        raise DomainError(_l("Enter the new closing date."), code="closing_required")
    _claim(consultation, now)
    if not perms.can_extend_consultation(actor, consultation, now):
        raise DomainError(_l("Only an open consultation can be extended."), code="not_open")
    if closes_at <= now:
        raise DomainError(_l("The new closing date must be in the future."), code="closing_past")
    if closes_at <= consultation.closes_at:
        raise DomainError(
            _l(
                "The new closing date must come after the current one. To end the consultation sooner, close it early."
            ),
            code="not_later",
        )
    if closes_at > consultation.closes_at + MAX_EXTENSION:
        raise DomainError(
            _l(
                "An extension can move the closing date by at most %(days)d days.",
                days=MAX_EXTENSION.days,
            ),
            code="too_far",
        )
    change = _record_closing_change(
        consultation, ClosingChangeKind.EXTENDED, closes_at, reason, now
    )
    record_audit(
        actor,
        "consultation.extended",
        consultation,
        change_id=change.id,
        previous_closes_at=change.previous_closes_at.isoformat(),
        closes_at=change.closes_at.isoformat(),
    )
    db.session.flush()
    _notify_closing_change(consultation, change, "consultation_extended")
    return change


def _open(consultation, now):
    _transition(consultation, S.OPEN, None, now=now)
    _notify_followers(consultation, "consultation_opened")


def _close(consultation, now):
    _transition(consultation, S.CLOSED, None, now=now)
    _notify_followers(consultation, "consultation_closed")


@guarded_by(SYSTEM)
def advance_consultation(consultation, now):
    """Record the opening and closing the clock has already made effective. When one is due, the
    row is read again under a write lock first: a tick on any node may be recording it right now,
    and then it is recorded, and the followers told, once, by whichever commits first."""
    if consultation.effective_state(now) == consultation.status:
        return
    # The tick's claim (FOR NO KEY UPDATE); OF: not the joined institution's row.
    db.session.refresh(consultation, with_for_update={"key_share": True, "of": Consultation})
    if consultation.status == S.SCHEDULED and consultation.effective_state(now) != S.SCHEDULED:
        _open(consultation, consultation.opens_at)
    if consultation.status == S.OPEN and consultation.effective_state(now) == S.CLOSED:
        _close(consultation, consultation.closes_at)


@guarded_by(SYSTEM)
def advance_due_consultations(*, now=None):
    """Run by `flask tick` on every node: open and close on time. Each consultation is claimed
    (FOR NO KEY UPDATE SKIP LOCKED, read afresh) until the commit, so two ticks at once never both
    record its opening and e-mail its followers twice: the other skips it, or sees it opened."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Consultation)
        .where(
            sa.or_(
                sa.and_(Consultation.state == S.SCHEDULED.value, Consultation.opens_at <= now),
                sa.and_(Consultation.state == S.OPEN.value, Consultation.closes_at <= now),
            )
        )
        .with_for_update(skip_locked=True, key_share=True, of=Consultation)
        .execution_options(populate_existing=True)
    ).all()
    for consultation in due:
        advance_consultation(consultation, now)
    return len(due)


@guarded_by(perms.can_correct_consultation)
def add_correction(actor, consultation, *, note, section=None, now=None):
    now = now or utcnow()
    require(perms.can_correct_consultation(actor, consultation, now))
    note = clean_translations(note)
    if not note:
        raise DomainError(
            _l("Describe the correction in at least one language."), code="note_required"
        )
    if section is not None and section.consultation_id != consultation.id:
        raise DomainError(_l("This section belongs to another consultation."), code="section")
    correction = Correction(
        consultation_id=consultation.id,
        section_id=section.id if section else None,
        created_by_id=actor.id,
        note=note,
        created_at=now,
    )
    db.session.add(correction)
    db.session.flush()
    record_audit(actor, "consultation.corrected", consultation, correction_id=correction.id)
    return correction


@guarded_by(perms.can_follow_consultation)
def follow_consultation(actor, consultation):
    require(perms.can_follow_consultation(actor, consultation))
    exists = db.session.scalar(
        sa.select(Follow.id).where(
            Follow.consultation_id == consultation.id, Follow.user_id == actor.id
        )
    )
    if exists is None:
        db.session.add(Follow(consultation_id=consultation.id, user_id=actor.id))
        db.session.flush()


@guarded_by(perms.can_follow_consultation)
def unfollow_consultation(actor, consultation):
    require(perms.can_follow_consultation(actor, consultation))
    db.session.execute(
        sa.delete(Follow).where(
            Follow.consultation_id == consultation.id, Follow.user_id == actor.id
        )
    )


def _title_in(consultation, language):
    return consultation.text("title", language)[0]


def _notify(users, consultation, template, **context):
    """Tell each active user on their notifications page (one statement) and by e-mail."""
    users = [user for user in users if user.is_active]
    _tell(users, consultation, template)
    _mail(users, consultation, template, **context)


def _tell(users, consultation, kind):
    notify_many(
        [user.id for user in users],
        kind,
        link=link_to(
            "consultations.detail", consultation_id=consultation.id, slug=consultation.slug
        ),
        title=consultation.title,
    )


def _mail(users, consultation, template, **context):
    for user in users:
        queue_mail(
            to=user.email,
            language=user.language,
            template=template,
            user=user,
            title=_title_in(consultation, user.language),
            link=external_url(
                "consultations.detail",
                lang_code=user.language,
                consultation_id=consultation.id,
                slug=consultation.slug,
            ),
            **context,
        )


def _followers(consultation):
    return db.session.scalars(
        sa.select(User)
        .join(Follow, Follow.user_id == User.id)
        .where(Follow.consultation_id == consultation.id)
    ).all()


def _notify_followers(consultation, template):
    _notify(_followers(consultation), consultation, template)


def _notify_closing_change(consultation, change, template):
    """Each follower gets the reason in their language, or the one the institution wrote."""
    followers = [user for user in _followers(consultation) if user.is_active]
    _tell(followers, consultation, template)
    for user in followers:
        reason, _language = change.text("reason", user.language)
        _mail([user], consultation, template, change=change, reason=reason)


@dataclass
class SectionDecision:
    section: Section
    decision: str
    heard: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)


@guarded_by(perms.can_write_outcome)
def save_outcome(
    actor, consultation, *, summary, final_text, final_text_url, decisions, publish=False, now=None
):
    """Write (or rewrite) the outcome report of a closed consultation; publish it if asked."""
    now = now or utcnow()
    require(perms.can_write_outcome(actor, consultation, now))
    advance_consultation(consultation, now)
    report = consultation.outcome or OutcomeReport(consultation_id=consultation.id)
    report.summary = clean_translations(summary)
    report.final_text = clean_translations(final_text)
    report.final_text_url = (final_text_url or "").strip() or None
    by_section = {item.section_id: item for item in report.sections}
    for entry in decisions:
        if entry.section.consultation_id != consultation.id:
            raise DomainError(_l("This section belongs to another consultation."), code="section")
        item = by_section.get(entry.section.id) or SectionOutcome(section_id=entry.section.id)
        item.decision = Decision(entry.decision).value
        item.heard = clean_translations(entry.heard)
        item.reasons = clean_translations(entry.reasons)
        if item not in report.sections:
            report.sections.append(item)
    consultation.outcome = report
    db.session.flush()
    if publish:
        publish_outcome(actor, consultation, now=now)
    return report


@guarded_by(perms.can_write_outcome)
def publish_outcome(actor, consultation, *, now=None):
    """Publish the "you said, we did" report and tell participants and followers."""
    now = now or utcnow()
    require(perms.can_write_outcome(actor, consultation, now))
    report = consultation.outcome
    if report is None or not report.summary:
        raise DomainError(
            _l("Write the summary of the outcome report before publishing it."), code="no_summary"
        )
    decided = {item.section_id for item in report.sections}
    if any(section.id not in decided for section in consultation.sections):
        raise DomainError(
            _l("Give a decision for every section before publishing."), code="missing_decisions"
        )
    advance_consultation(consultation, now)
    report.published_at, report.published_by_id = now, actor.id
    _transition(consultation, S.OUTCOME_PUBLISHED, actor, now=now)
    recipients = {
        user.id: user for user in _followers(consultation) + list_participants(consultation)
    }
    _notify(recipients.values(), consultation, "consultation_outcome")
    return report


def list_participants(consultation):
    """People who commented on the consultation or one of its sections (hook filled by comments)."""
    from participation.consultations.comment_targets import participant_users

    return participant_users(consultation)


def list_topics():
    return db.session.scalars(sa.select(Topic).order_by(Topic.slug)).all()

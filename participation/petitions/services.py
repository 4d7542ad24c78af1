"""Petition services: administrators edit the kinds; citizens draft petitions, form their
committee and submit them; moderators review them."""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from participation.auth.models import User

from participation.core.audit import record_audit
from participation.core.errors import DomainError
from participation.core.i18n import LANGUAGES
from participation.core.mail import queue_mail
from participation.core.models import clean_translations, utcnow
from participation.core.notifications import link_to, notify_many
from participation.core.permissions import guarded_by, require
from participation.core.search import joined_text
from participation.core.switches import Switch, is_on
from participation.core.urls import external_url, slugify
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind
from participation.petitions import notification_kinds  # noqa: F401  (declares the kinds)
from participation.petitions import permissions as perms
from participation.petitions.models import (
    CommitteeMember,
    CommitteeRole,
    Level,
    Petition,
    PetitionState,
)
from participation.petitions.thresholds import required_signatures
from participation.petitions.transitions import record_transition


@dataclass
class KindData:
    name: dict
    addressee: dict
    institution: object = None
    signatures_required: int | None = None
    signatures_by_population: list | None = None
    signatures_with_arrondissements: int | None = None
    per_province_min_share: float | None = None
    min_committee_members: int = 1
    min_committee_regions: int | None = None
    signing_window_days: int = 365
    rejection_notice_months: int | None = None
    deadlines_days: dict = field(default_factory=dict)
    ground_labels: dict = field(default_factory=dict)  # {code: {lang: text}}
    legal_status: str = "verified"
    note: dict = field(default_factory=dict)  # {lang: text}
    active: bool = True


AUDITED_FIGURES = (
    "signatures_required",
    "signatures_by_population",
    "signatures_with_arrondissements",
    "per_province_min_share",
    "min_committee_members",
    "min_committee_regions",
    "deadlines_days",
    "signing_window_days",
    "rejection_notice_months",
)


def _figures(kind):
    return {name: getattr(kind, name) for name in AUDITED_FIGURES}


@guarded_by(perms.can_manage_petition_kinds)
def update_petition_kind(actor, kind, data):
    require(perms.can_manage_petition_kinds(actor))
    name = clean_translations(data.name)
    if not name:
        raise DomainError(_l("Give the name in at least one language."), code="name_required")
    if data.signatures_required is None and not data.signatures_by_population:
        raise DomainError(
            _l("Give the number of signatures, or the numbers by population."),
            code="threshold_required",
        )
    if data.min_committee_regions and data.min_committee_regions > data.min_committee_members:
        raise DomainError(
            _l("A committee cannot come from more regions than it has members."),
            code="committee_regions",
        )
    before = _figures(kind)
    kind.name = name
    kind.addressee = clean_translations(data.addressee) or kind.addressee
    kind.institution_id = data.institution.id if data.institution else None
    kind.signatures_required = data.signatures_required
    kind.signatures_by_population = data.signatures_by_population
    kind.signatures_with_arrondissements = data.signatures_with_arrondissements
    kind.per_province_min_share = data.per_province_min_share
    kind.min_committee_members = data.min_committee_members
    kind.min_committee_regions = data.min_committee_regions
    kind.signing_window_days = data.signing_window_days
    kind.rejection_notice_months = data.rejection_notice_months
    kind.deadlines_days = {
        key: days for key, days in data.deadlines_days.items() if days is not None
    }
    kind.grounds = [
        {
            **ground,
            "label": clean_translations(data.ground_labels.get(ground["code"], ground["label"]))
            or ground["label"],
        }
        for ground in kind.grounds
    ]
    kind.legal_status = data.legal_status
    kind.note = clean_translations(data.note) or None
    kind.active = data.active
    db.session.flush()
    record_audit(actor, "petition_kind.updated", kind, before=before, after=_figures(kind))
    return kind


# Drafting, the committee, review ------------------------------------------------------------


@dataclass
class PetitionData:
    title: dict
    demands: dict = field(default_factory=dict)
    memorandum: dict = field(default_factory=dict)
    region: object = None  # regional kinds
    province: object = None  # provincial kinds
    commune: object = None  # communal kinds: the Commune


def _communal_addressee(data):
    """A communal petition's council (the active communal council linked to the commune, or
    None until an administrator links one), region, province and commune."""
    commune = data.commune
    if commune is None:
        raise DomainError(_l("Choose the commune."), code="territory_required")
    if data.province is not None and commune.province_id != data.province.id:
        raise DomainError(
            _l("This commune is not in the prefecture or province you chose."),
            code="commune_mismatch",
        )
    council = db.session.scalar(
        sa.select(Institution)
        .where(
            Institution.kind == InstitutionKind.COMMUNAL_COUNCIL.value,
            Institution.commune_id == commune.id,
            Institution.active,
        )
        .order_by(Institution.id)
    )
    return council, commune.province.region_id, commune.province_id, commune.id


def _addressee(kind, data):
    """The institution that receives the petition: the kind's, or the council of the territory;
    with the territory's region, province and commune ids."""
    if kind.level == Level.NATIONAL:
        return kind.institution, None, None, None
    if kind.level == Level.COMMUNE:
        return _communal_addressee(data)
    territory = data.region if kind.level == Level.REGION else data.province
    if territory is None:
        raise DomainError(_l("Choose the territory of the petition."), code="territory_required")
    column = Institution.region_id if kind.level == Level.REGION else Institution.province_id
    council = db.session.scalar(
        sa.select(Institution).where(
            Institution.kind == kind.institution_kind, column == territory.id, Institution.active
        )
    )
    region_id = territory.id if kind.level == Level.REGION else territory.region_id
    return council, region_id, (territory.id if kind.level == Level.PROVINCE else None), None


def _apply_petition(petition, kind, data):
    title = clean_translations(data.title)
    if not title:
        raise DomainError(_l("Give the title in at least one language."), code="title_required")
    addressee, region_id, province_id, commune_id = _addressee(kind, data)
    petition.kind_id = kind.id
    petition.title = title
    petition.demands = clean_translations(data.demands)
    petition.memorandum = clean_translations(data.memorandum)
    petition.languages = " " + " ".join(lang for lang in LANGUAGES if lang in title) + " "
    petition.slug = slugify(
        title.get("fr") or title.get("ar") or title.get("zgh"), default="petition"
    )
    petition.addressee_id = addressee.id if addressee else None
    petition.region_id, petition.province_id = region_id, province_id
    petition.commune_id = commune_id
    petition.search_text = joined_text(petition.title, petition.demands, petition.memorandum)


@guarded_by(perms.can_start_petition)
def create_petition(actor, kind, data):
    require(perms.can_start_petition(actor))
    if is_on(Switch.PAUSE_PETITION_CREATION):
        raise DomainError(
            _l(
                "Starting new petitions is paused on the platform for the moment. Please come back later."
            ),
            code="paused",
        )
    if not kind.active:
        raise DomainError(
            _l("Petitions of this kind cannot be started at the moment."), code="kind_inactive"
        )
    petition = Petition(initiator_id=actor.id, state=PetitionState.DRAFT.value)
    _apply_petition(petition, kind, data)
    petition.members.append(
        CommitteeMember(user_id=actor.id, email=actor.email, accepted_at=utcnow())
    )
    db.session.add(petition)
    db.session.flush()
    return petition


@guarded_by(perms.can_edit_petition)
def update_petition(actor, petition, kind, data):
    require(perms.can_edit_petition(actor, petition))
    _apply_petition(petition, kind, data)
    db.session.flush()
    return petition


@guarded_by(perms.can_edit_petition)
def invite_member(actor, petition, *, email, language=None):
    """Invite an address to the committee. The mail goes in the invitee's own language when the
    address has an account, else in `language`, the language of the page the inviter used (their
    saved language when none is given): what they read is what the invitee will read. The title is
    the petition's in that language, or another one of its languages, and the link opens the
    invitation in that language."""
    require(perms.can_edit_petition(actor, petition))
    email = (email or "").strip().lower()
    if any(m.email == email for m in petition.members):
        raise DomainError(_l("This person is already invited."), code="already_invited")
    raw = secrets.token_urlsafe(32)
    member = CommitteeMember(email=email, invitation_hash=hashlib.sha256(raw.encode()).hexdigest())
    petition.members.append(member)
    db.session.flush()
    invitee = db.session.scalar(sa.select(User).where(User.email == email))
    language = invitee.language if invitee else (language or actor.language)
    queue_mail(
        to=email,
        language=language,
        template="petition_invitation",
        inviter=actor.display_name,
        title=petition.text("title", language)[0],
        link=external_url("petitions.invitation", lang_code=language, token=raw),
    )
    return member


def get_invitation(raw):
    if not raw or len(raw) > 200:
        return None
    return db.session.scalar(
        sa.select(CommitteeMember).where(
            CommitteeMember.invitation_hash == hashlib.sha256(raw.encode()).hexdigest()
        )
    )


@guarded_by(perms.can_accept_invitation)
def accept_invitation(actor, member):
    require(
        perms.can_accept_invitation(actor, member),
        _l(
            "This invitation is for another e-mail address, or your identity details are not complete."
        ),
    )
    member.user_id = actor.id
    member.accepted_at = utcnow()
    member.invitation_hash = None  # single use
    db.session.flush()
    return member


@guarded_by(perms.can_edit_petition)
def remove_member(actor, member):
    petition = member.petition
    require(perms.can_edit_petition(actor, petition))
    if member.user_id == petition.initiator_id:
        raise DomainError(_l("The initiator stays in the committee."), code="initiator")
    petition.members.remove(member)
    db.session.flush()


@guarded_by(perms.can_edit_petition)
def name_agent_and_deputy(actor, petition, *, agent, deputy):
    require(perms.can_edit_petition(actor, petition))
    if agent is None or deputy is None or agent is deputy:
        raise DomainError(
            _l("Choose two different committee members as agent and deputy."), code="agent_deputy"
        )
    if (
        not (agent.accepted_at and deputy.accepted_at)
        or agent.petition_id != petition.id
        or deputy.petition_id != petition.id
    ):
        raise DomainError(
            _l("The agent and the deputy must be members who accepted the invitation."),
            code="agent_deputy",
        )
    for member in petition.members:
        member.role = (
            CommitteeRole.AGENT.value
            if member is agent
            else CommitteeRole.DEPUTY.value
            if member is deputy
            else CommitteeRole.MEMBER.value
        )
    db.session.flush()


def list_committee_problems(petition):
    """Why the petition cannot be submitted yet (empty when it can), as translated sentences."""
    kind = petition.kind
    problems = []
    accepted = petition.accepted_members
    if len(accepted) < kind.min_committee_members:
        problems.append(
            _l(
                "The committee needs at least %(count)s members who accepted; it has %(have)s.",
                count=kind.min_committee_members,
                have=len(accepted),
            )
        )
    if kind.min_committee_regions:
        regions = {
            m.user.identity.region_id
            for m in accepted
            if m.user and m.user.identity and m.user.identity.region_id
        }
        if len(regions) < kind.min_committee_regions:
            problems.append(
                _l(
                    "The committee members must live in at least %(count)s different regions; they live in %(have)s.",
                    count=kind.min_committee_regions,
                    have=len(regions),
                )
            )
    if petition.agent is None or petition.deputy is None:
        problems.append(_l("Name the agent and the deputy of the committee."))
    if not petition.demands or not petition.memorandum:
        problems.append(_l("Write the demands and the memorandum (reasons and aims)."))
    if petition.addressee_id is None:
        problems.append(
            _l(
                "The addressee institution is not on the platform yet; the platform team has to add it first."
            )
        )
    threshold = required_signatures(kind, get_territory(petition))
    if not threshold.known:
        problems.append(threshold.reason)
    return problems


def get_territory(petition):
    if petition.kind.level == Level.REGION:
        return petition.region
    if petition.kind.level == Level.PROVINCE:
        return petition.province
    if petition.kind.level == Level.COMMUNE:
        # A petition drafted before communes were loaded named its council only.
        return petition.commune or petition.addressee
    return None


@guarded_by(perms.can_submit_petition)
def submit_petition(actor, petition, *, now=None):
    require(perms.can_submit_petition(actor, petition))
    problems = list_committee_problems(petition)
    if problems:
        raise SubmissionRefused(problems)
    petition.submitted_at = now or utcnow()
    petition.review_note = None
    record_transition(petition, PetitionState.SUBMITTED, actor)


class SubmissionRefused(DomainError):
    def __init__(self, problems):
        super().__init__(problems[0], code="committee_rules")
        self.problems = problems


@guarded_by(perms.can_review_petition)
def publish_petition(actor, petition, *, checked, now=None):
    """Admissible: open for signatures for the kind's window. `checked`: the checklist codes the
    reviewer ticked; every condition must be among them."""
    require(perms.can_review_petition(actor, petition))
    conditions = {g["code"] for g in petition.kind.grounds if g["stage"] == "condition"}
    if not conditions <= set(checked):
        raise DomainError(
            _l("Tick every condition of the admissibility checklist before publishing."),
            code="checklist",
        )
    threshold = required_signatures(petition.kind, get_territory(petition))
    if not threshold.known:
        raise DomainError(threshold.reason, code="threshold_unknown")
    now = now or utcnow()
    petition.signatures_required = threshold.signatures
    petition.published_at = now
    petition.closes_at = now + timedelta(days=petition.kind.signing_window_days)
    record_transition(petition, PetitionState.OPEN, actor, checked=sorted(checked))
    _tell_committee(petition, "petition_published")


@guarded_by(perms.can_review_petition)
def return_petition(actor, petition, *, note):
    require(perms.can_review_petition(actor, petition))
    if not (note or "").strip():
        raise DomainError(_l("Explain what the committee should change."), code="note_required")
    petition.review_note = note.strip()
    record_transition(petition, PetitionState.DRAFT, actor)
    _tell_committee(petition, "petition_returned")


@guarded_by(perms.can_review_petition)
def reject_petition(actor, petition, *, ground, explanation, now=None):
    require(perms.can_review_petition(actor, petition))
    codes = {g["code"] for g in petition.kind.grounds if g["stage"] != "condition"}
    if ground not in codes:
        raise DomainError(_l("Choose the ground of inadmissibility."), code="ground_required")
    if not (explanation or "").strip():
        raise DomainError(
            _l("Write the public explanation of the rejection."), code="explanation_required"
        )
    petition.rejection_ground = ground
    petition.rejection_explanation = explanation.strip()
    petition.decided_at = now or utcnow()
    record_transition(petition, PetitionState.REJECTED, actor, ground=ground)
    _tell_committee(petition, "petition_rejected")


@guarded_by(perms.can_withdraw_petition)
def withdraw_petition(actor, petition, *, reason, now=None):
    require(perms.can_withdraw_petition(actor, petition))
    if not (reason or "").strip():
        raise DomainError(
            _l("Explain publicly why the petition is withdrawn."), code="reason_required"
        )
    petition.withdrawal_reason = reason.strip()
    petition.decided_at = now or utcnow()
    record_transition(petition, PetitionState.WITHDRAWN, actor)


def _tell_committee(petition, template):
    """Tell the committee on their notifications pages and by e-mail (`template` names both)."""
    notify_many(
        [member.user.id for member in petition.accepted_members],
        template,
        link=link_to("petitions.detail", petition_id=petition.id, slug=petition.slug),
        title=petition.title,
    )
    for member in petition.accepted_members:
        user = member.user
        queue_mail(
            to=user.email,
            language=user.language,
            template=template,
            user=user,
            title=petition.text("title", user.language)[0],
            note=petition.review_note or petition.rejection_explanation or "",
            link=external_url(
                "petitions.detail",
                lang_code=user.language,
                petition_id=petition.id,
                slug=petition.slug,
            ),
        )


@guarded_by(perms.can_deposit_petition)
def deposit_petition(actor, petition, *, now=None):
    """The agent deposits a petition that reached its threshold with the addressee institution."""
    from participation.petitions.queries import count_signatures

    require(perms.can_deposit_petition(actor, petition))
    if count_signatures(petition.id) < (petition.signatures_required or 0):
        raise DomainError(
            _l("The petition has not reached the number of signatures required."),
            code="below_threshold",
        )
    if petition.addressee_id is None:
        raise DomainError(
            _l("The addressee institution is not on the platform yet."), code="no_addressee"
        )
    petition.decided_at = petition.deposited_at = now or utcnow()
    record_transition(petition, PetitionState.DEPOSITED, actor)
    _tell_committee(petition, "petition_deposited")

import enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import relationship

from participation.core.audit import append_only
from participation.core.models import (
    TimedLock,
    TranslatedFields,
    UTCDateTime,
    translated,
    utcnow,
)
from participation.core.i18n import current_language
from participation.extensions import db


class Category(enum.StrEnum):
    PETITION = "petition"
    MOTION = "motion"


class Level(enum.StrEnum):
    """Whose citizens may sign, and where the addressee sits."""

    NATIONAL = "national"
    REGION = "region"
    PROVINCE = "province"
    COMMUNE = "commune"


LEVEL_LABELS = {
    Level.NATIONAL: _l("National"),
    Level.REGION: _l("Region"),
    Level.PROVINCE: _l("Prefecture or province"),
    Level.COMMUNE: _l("Commune"),
}

DEADLINE_LABELS = {
    "referral_to_petitions_commission": _l("Referral to the petitions commission (days)"),
    "commission_opinion_after_referral": _l("Commission opinion after referral (days)"),
    "reasoned_inadmissibility_after_opinion": _l(
        "Reasoned inadmissibility decision after the opinion (days)"
    ),
    "referral_to_petitions_committee": _l("Referral to the petitions committee (days)"),
    "electoral_roll_check_by_head_of_government": _l(
        "Electoral roll check by the Head of Government (days)"
    ),
    "committee_opinion": _l("Committee opinion (days)"),
    "bureau_decision_after_deposit": _l("Bureau decision after deposit (days)"),
    "notify_agent_after_decision": _l("Notification of the agent after the decision (days)"),
}

STAGE_LABELS = {
    "condition": _l("Condition of admissibility"),
    "at_deposit": _l("Inadmissible at deposit"),
    "after_study": _l("Inadmissible after study"),
}

LEGAL_STATUS_LABELS = {
    "verified": _l("Verified in the consolidated legal text"),
    "uncertain": _l("Uncertain: single or conflicting sources, check before relying on it"),
}


class PetitionKind(db.Model):
    """A kind of petition or motion with its legal rules, editable by administrators (laws change
    and some territorial figures are disputed; every figure shows its legal basis to staff)."""

    __tablename__ = "petition_kinds"

    id = sa.Column(sa.Integer, primary_key=True)
    key = sa.Column(sa.String(60), nullable=False, unique=True)
    category = sa.Column(sa.String(10), nullable=False)
    level = sa.Column(sa.String(10), nullable=False)
    name = sa.Column(sa.JSON, nullable=False)
    law = sa.Column(sa.JSON, nullable=False)  # {lang: "Organic law 44.14, ..."}: the legal basis
    addressee = sa.Column(
        sa.JSON, nullable=False
    )  # {lang: "Head of Government"}, as the law names it
    # National kinds have one addressee institution; territorial ones address the council of the
    # territory the petition is about (found by this institution kind and the territory).
    institution_id = sa.Column(sa.Integer, sa.ForeignKey("institutions.id"), nullable=True)
    institution_kind = sa.Column(sa.String(32), nullable=False)
    signatures_required = sa.Column(sa.Integer, nullable=True)
    # [{"population_below": 1000000 | null, "signatures": 300}, ...], ascending; null = and above
    signatures_by_population = sa.Column(sa.JSON, nullable=True)
    signatures_with_arrondissements = sa.Column(sa.Integer, nullable=True)
    per_province_min_share = sa.Column(sa.Float, nullable=True)
    min_committee_members = sa.Column(sa.Integer, nullable=False, default=1)
    min_committee_regions = sa.Column(sa.Integer, nullable=True)
    deadlines_days = sa.Column(sa.JSON, nullable=False, default=dict)  # {"referral": 15, ...}
    rejection_notice_months = sa.Column(sa.Integer, nullable=True)
    signing_window_days = sa.Column(sa.Integer, nullable=False, default=365)
    associations_may_petition = sa.Column(sa.Boolean, nullable=False, default=False)
    appeal_allowed = sa.Column(sa.Boolean, nullable=False, default=True)
    # Admissibility checklist: [{"code": ..., "stage": "condition" | "at_deposit" | "after_study", "label": {lang: text}}]
    grounds = sa.Column(sa.JSON, nullable=False, default=list)
    legal_status = sa.Column(sa.String(10), nullable=False, default="verified")
    note = sa.Column(sa.JSON, nullable=True)  # {lang: text}: sources and doubts, for staff
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)

    institution = relationship("Institution")

    __table_args__ = (
        sa.CheckConstraint("category IN ('petition', 'motion')", name="category"),
        sa.CheckConstraint("level IN ('national', 'region', 'province', 'commune')", name="level"),
        sa.CheckConstraint("legal_status IN ('verified', 'uncertain')", name="legal_status"),
        sa.CheckConstraint(
            "signatures_required IS NULL OR signatures_required > 0", name="signatures_required"
        ),
        sa.CheckConstraint("min_committee_members >= 1", name="min_committee_members"),
        sa.CheckConstraint("signing_window_days > 0", name="signing_window_days"),
    )

    def display_name(self, language=None):
        return translated(self.name, language or current_language())[0]

    def addressee_name(self, language=None):
        return translated(self.addressee, language or current_language())[0]

    def ground_label(self, ground, language=None):
        return translated(ground.get("label"), language or current_language())[0] or ground["code"]

    def ground_label_by_code(self, code, language=None):
        ground = next((g for g in self.grounds if g["code"] == code), {"code": code})
        return self.ground_label(ground, language)

    def legal_basis(self, language=None):
        return translated(self.law, language or current_language())[0]

    def staff_note(self, language=None):
        """(text, language shown): an administrator may have written it in one language only."""
        return translated(self.note, language or current_language())

    @property
    def level_label(self):
        return LEVEL_LABELS[Level(self.level)]

    @property
    def legal_status_label(self):
        return LEGAL_STATUS_LABELS[self.legal_status]


class PetitionState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # awaiting a moderator's admissibility review
    OPEN = "open"  # published, collecting signatures
    REJECTED = "rejected"  # inadmissible at review (coded ground, public explanation)
    EXPIRED = "expired"  # the signing window ended below the threshold
    WITHDRAWN = "withdrawn"  # by the committee
    DEPOSITED = "deposited"  # with the addressee institution; processing follows
    INADMISSIBLE = "inadmissible"  # the addressee's reasoned decision after deposit
    ANSWERED = "answered"  # the addressee's final answer, with the measures it plans


P = PetitionState
PETITION_TRANSITIONS = {
    P.DRAFT: {P.SUBMITTED, P.WITHDRAWN},
    P.SUBMITTED: {P.DRAFT, P.OPEN, P.REJECTED},  # DRAFT: returned for changes with a note
    P.OPEN: {P.DEPOSITED, P.EXPIRED, P.WITHDRAWN},
    # Withdrawal after deposit: a motion only until members of parliament adopt it (checked by
    # the permission, which knows the steps).
    P.DEPOSITED: {P.INADMISSIBLE, P.ANSWERED, P.WITHDRAWN},
    P.INADMISSIBLE: set(),
    P.ANSWERED: set(),
    P.REJECTED: set(),
    P.EXPIRED: set(),
    P.WITHDRAWN: set(),
}

PETITION_STATE_LABELS = {
    P.DRAFT: _l("Draft"),
    P.SUBMITTED: _l("Awaiting review"),
    P.OPEN: _l("Open for signatures"),
    P.REJECTED: _l("Rejected"),
    P.EXPIRED: _l("Expired"),
    P.WITHDRAWN: _l("Withdrawn"),
    P.DEPOSITED: _l("Deposited with the addressee"),
    P.INADMISSIBLE: _l("Declared inadmissible by the addressee"),
    P.ANSWERED: _l("Answered by the addressee"),
}
# An open petition whose signing window ended with its threshold reached stays open in the state
# machine (its agent may still deposit it), but nobody may sign it any more.
AWAITING_DEPOSIT_LABEL = _l("Signing closed, awaiting deposit")


def is_open_for_signatures(petition, now):
    """Whether signing is possible at `now`: open, and its window not yet ended. Reads only `status`
    and `closes_at`, so the signing path's records (signers.py) answer it as ORM petitions do."""
    return petition.status == P.OPEN and petition.closes_at is not None and now < petition.closes_at


class Petition(TranslatedFields, db.Model):
    __tablename__ = "petitions"

    id = sa.Column(sa.Integer, primary_key=True)
    kind_id = sa.Column(sa.Integer, sa.ForeignKey("petition_kinds.id"), nullable=False, index=True)
    initiator_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    title = sa.Column(sa.JSON, nullable=False)
    demands = sa.Column(sa.JSON, nullable=False, default=dict)
    memorandum = sa.Column(sa.JSON, nullable=False, default=dict)
    languages = sa.Column(sa.String(20), nullable=False, default="")
    slug = sa.Column(sa.String(80), nullable=False, default="petition")
    # The territory of a territorial kind, and the institution that receives the petition.
    region_id = sa.Column(sa.Integer, sa.ForeignKey("regions.id"), nullable=True, index=True)
    province_id = sa.Column(sa.Integer, sa.ForeignKey("provinces.id"), nullable=True)
    commune_id = sa.Column(sa.Integer, sa.ForeignKey("communes.id"), nullable=True, index=True)
    addressee_id = sa.Column(
        sa.Integer, sa.ForeignKey("institutions.id"), nullable=True, index=True
    )
    state = sa.Column(sa.String(12), nullable=False, default=P.DRAFT.value, index=True)
    signatures_required = sa.Column(sa.Integer, nullable=True)  # fixed when published
    review_note = sa.Column(sa.Text, nullable=True)  # a moderator's note when returning it
    rejection_ground = sa.Column(sa.String(40), nullable=True)
    rejection_explanation = sa.Column(sa.Text, nullable=True)  # public
    withdrawal_reason = sa.Column(sa.Text, nullable=True)
    search_text = sa.Column(sa.Text, nullable=False, default="")
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    submitted_at = sa.Column(UTCDateTime, nullable=True)
    published_at = sa.Column(UTCDateTime, nullable=True)
    closes_at = sa.Column(UTCDateTime, nullable=True)
    decided_at = sa.Column(UTCDateTime, nullable=True)  # the last change of state after publication
    deposited_at = sa.Column(UTCDateTime, nullable=True)  # starts the addressee's legal clocks
    signatories_anonymised_at = sa.Column(UTCDateTime, nullable=True)

    kind = relationship("PetitionKind", lazy="joined")
    initiator = relationship("User", foreign_keys=[initiator_id])
    region = relationship("Region")
    province = relationship("Province")
    commune = relationship("Commune")
    addressee = relationship("Institution")
    members = relationship(
        "CommitteeMember",
        back_populates="petition",
        order_by="CommitteeMember.id",
        cascade="all, delete-orphan",
    )
    steps = relationship(
        "ProcessingStep",
        back_populates="petition",
        order_by="(ProcessingStep.occurred_on, ProcessingStep.id)",
    )

    __table_args__ = (
        sa.CheckConstraint(
            "state IN (" + ", ".join(f"'{s.value}'" for s in PetitionState) + ")", name="state"
        ),
    )

    @property
    def status(self):
        return PetitionState(self.state)

    @property
    def state_label(self):
        return PETITION_STATE_LABELS[self.status]

    def effective_state(self, now=None, *, signatures):
        """The state the clock says, even before `flask tick` has recorded it: from the first
        second after `closes_at`, an open petition below its threshold is expired (what
        signing.expire_due_petitions will record); one that reached it stays open until its agent
        deposits it. `signatures` is the counted number (queries.count_signatures)."""
        now = now or utcnow()
        closed = self.closes_at is not None and self.closes_at <= now
        if self.status == P.OPEN and closed and signatures < (self.signatures_required or 0):
            return P.EXPIRED
        return self.status

    @classmethod
    def effective_state_sql(cls, now):
        """effective_state() as a SQL expression, for listings, filters, the API and the dumps."""
        counted = (
            sa.select(sa.func.coalesce(sa.func.sum(SignatureCounter.count), 0))
            .where(SignatureCounter.petition_id == cls.id)
            .scalar_subquery()
        )
        return sa.case(
            (
                sa.and_(
                    cls.state == P.OPEN.value,
                    cls.closes_at <= now,
                    counted < sa.func.coalesce(cls.signatures_required, 0),
                ),
                P.EXPIRED.value,
            ),
            else_=cls.state,
        )

    def effective_label(self, now=None, *, signatures):
        """The badge: the effective state's label, or that signing has closed and the petition
        awaits its deposit."""
        now = now or utcnow()
        state = self.effective_state(now, signatures=signatures)
        if state == P.OPEN and not is_open_for_signatures(self, now):
            return AWAITING_DEPOSIT_LABEL
        return PETITION_STATE_LABELS[state]

    @property
    def level(self):
        """The kind's territorial level (as signers.SignablePetition carries it)."""
        return self.kind.level

    @property
    def agent(self):
        return next(
            (m for m in self.members if m.role == CommitteeRole.AGENT and m.accepted_at), None
        )

    @property
    def deputy(self):
        return next(
            (m for m in self.members if m.role == CommitteeRole.DEPUTY and m.accepted_at), None
        )

    @property
    def accepted_members(self):
        return [m for m in self.members if m.accepted_at is not None]


class CommitteeRole(enum.StrEnum):
    MEMBER = "member"
    AGENT = "agent"  # وكيل: the addressee's only contact
    DEPUTY = "deputy"  # نائب الوكيل


COMMITTEE_ROLE_LABELS = {
    CommitteeRole.MEMBER: _l("Member"),
    CommitteeRole.AGENT: _l("Agent"),
    CommitteeRole.DEPUTY: _l("Deputy agent"),
}


class CommitteeMember(db.Model):
    """A member of a petition's committee: invited by e-mail, accepted with their own account."""

    __tablename__ = "petition_committee_members"

    id = sa.Column(sa.Integer, primary_key=True)
    petition_id = sa.Column(
        sa.Integer, sa.ForeignKey("petitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True, index=True)
    email = sa.Column(sa.String(320), nullable=False)
    role = sa.Column(sa.String(10), nullable=False, default=CommitteeRole.MEMBER.value)
    invitation_hash = sa.Column(sa.String(64), nullable=True, unique=True)
    invited_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    accepted_at = sa.Column(UTCDateTime, nullable=True)

    petition = relationship("Petition", back_populates="members")
    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint(
            "petition_id", "email", name="uq_petition_committee_members_petition_email"
        ),
        sa.CheckConstraint("role IN ('member', 'agent', 'deputy')", name="role"),
        sa.CheckConstraint("accepted_at IS NULL OR user_id IS NOT NULL", name="accepted_by_user"),
    )

    @property
    def role_label(self):
        return COMMITTEE_ROLE_LABELS[CommitteeRole(self.role)]


class SignatureStatus(enum.StrEnum):
    COUNTED = "counted"
    SUSPECT = "suspect"  # over a rate limit: held for a moderator, not counted, not dropped


class Signature(db.Model):
    """One person's support. The personal data the organic laws require is copied from the
    identity profile at signing (name, CIN, expiry, address), so the addressee's list is what
    the person confirmed; the CIN is kept only encrypted and as a keyed hash."""

    __tablename__ = "petition_signatures"

    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False)
    user_id = sa.Column(
        sa.Integer, sa.ForeignKey("users.id"), nullable=True
    )  # null once anonymised
    cin_hash = sa.Column(sa.String(64), nullable=True)
    region_id = sa.Column(sa.Integer, nullable=True)
    province_id = sa.Column(sa.Integer, nullable=True)
    first_name = sa.Column(sa.String(100), nullable=True)
    last_name = sa.Column(sa.String(100), nullable=True)
    address = sa.Column(sa.String(300), nullable=True)
    cin_encrypted = sa.Column(sa.Text, nullable=True)
    cin_expiry = sa.Column(sa.Date, nullable=True)
    status = sa.Column(sa.String(8), nullable=False, default=SignatureStatus.COUNTED.value)
    shard = sa.Column(sa.SmallInteger, nullable=False, default=0)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    anonymised_at = sa.Column(UTCDateTime, nullable=True)
    # Anti-abuse (moderation alerts): a keyed hash of the signer's network (IPv4 /24, IPv6 /48),
    # never the address; and which signing limit held a suspect signature ("account" or "ip").
    network_hash = sa.Column(sa.String(32), nullable=True)
    held_limit = sa.Column(sa.String(8), nullable=True)
    # SHA-256 of the signer's receipt code (receipts.py): a leaf of the count log. Null only for
    # a row written before migration 0018 by a process not yet updated; the tick fills it.
    receipt_hash = sa.Column(sa.String(64), nullable=True)

    __table_args__ = (
        # One signature per account and per CIN per petition, enforced by the database.
        sa.UniqueConstraint("petition_id", "user_id", name="uq_petition_signatures_petition_user"),
        sa.UniqueConstraint("petition_id", "cin_hash", name="uq_petition_signatures_petition_cin"),
        sa.CheckConstraint("status IN ('counted', 'suspect')", name="status"),
        sa.Index("ix_petition_signatures_user", "user_id"),
        sa.Index("ix_petition_signatures_petition_status", "petition_id", "status"),
        # Moderators' queue and trending alerts: held signatures oldest first, recent networks.
        sa.Index(
            "ix_petition_signatures_suspect",
            "created_at",
            sqlite_where=sa.text("status = 'suspect'"),
            postgresql_where=sa.text("status = 'suspect'"),
        ),
        sa.Index("ix_petition_signatures_recent", "created_at", "petition_id", "network_hash"),
        sa.Index("ix_petition_signatures_receipt_hash", "receipt_hash", unique=True),
    )


class SignatureCounter(db.Model):
    """Exact signature counts without a hot row: each signature adds 1 to one of several shards
    of its (petition, province) in the signing transaction; a count is the sum of a petition's
    rows, whose number does not depend on the number of signatures."""

    __tablename__ = "petition_signature_counters"

    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), primary_key=True)
    province_key = sa.Column(sa.Integer, primary_key=True)  # province id, 0 for signers abroad
    shard = sa.Column(sa.SmallInteger, primary_key=True)
    region_key = sa.Column(sa.Integer, nullable=False)  # region id, 0 abroad
    count = sa.Column(sa.BigInteger, nullable=False, default=0)
    updated_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    # The last line of defence behind the withdrawal's conditional decrement: a bug that takes
    # more than was added fails loudly instead of lowering a petition's count.
    __table_args__ = (sa.CheckConstraint("count >= 0", name="count_not_negative"),)


class StepKind(enum.StrEnum):
    """What the addressee records after deposit, each at most once per petition."""

    RECEIPT = "receipt"
    REFERRAL = "referral"  # to the petitions commission or committee, or to the bureau
    ROLL_CHECK = "roll_check"  # the electoral-roll check by the Head of Government
    OPINION = "opinion"
    DECISION = "decision"  # admissible or not, with reasons
    ADOPTION = "adoption"  # motions: taken up by members of parliament
    ANSWER = "answer"  # the final answer with the planned measures


STEP_LABELS = {
    StepKind.RECEIPT: _l("Receipt"),
    StepKind.REFERRAL: _l("Referral"),
    StepKind.ROLL_CHECK: _l("Electoral roll check"),
    StepKind.OPINION: _l("Opinion"),
    StepKind.DECISION: _l("Admissibility decision"),
    StepKind.ADOPTION: _l("Adoption by members of parliament"),
    StepKind.ANSWER: _l("Final answer"),
}


class ProcessingStep(TranslatedFields, db.Model):
    """A dated, public step of the addressee's processing. The date is when the institution acted
    (it may be recorded later; the deadline clocks use it); recorded_at is when it was entered."""

    __tablename__ = "petition_steps"

    id = sa.Column(sa.Integer, primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False, index=True)
    kind = sa.Column(sa.String(12), nullable=False)
    occurred_on = sa.Column(sa.Date, nullable=False)
    body = sa.Column(
        sa.JSON, nullable=False, default=dict
    )  # what happened, the reasons, the answer
    measures = sa.Column(sa.JSON, nullable=False, default=dict)  # planned measures (final answer)
    admissible = sa.Column(sa.Boolean, nullable=True)  # decisions only
    ground = sa.Column(sa.String(40), nullable=True)  # the kind's ground code when inadmissible
    recorded_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=True)
    recorded_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)
    # Signers are told in batches by `flask tick` (a petition may have a million of them): the
    # last signature id already told, and when all were.
    signers_notified_through = sa.Column(sa.BigInteger, nullable=False, default=0)
    signers_notified_at = sa.Column(UTCDateTime, nullable=True)

    petition = relationship("Petition", back_populates="steps")

    __table_args__ = (
        sa.UniqueConstraint("petition_id", "kind", name="uq_petition_steps_petition_kind"),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(f"'{k.value}'" for k in StepKind) + ")", name="kind"
        ),
        sa.CheckConstraint("kind <> 'decision' OR admissible IS NOT NULL", name="decision_outcome"),
        sa.Index("ix_petition_steps_signers_pending", "signers_notified_at"),
    )

    @property
    def step_kind(self):
        return StepKind(self.kind)

    @property
    def label(self):
        return STEP_LABELS[self.step_kind]


class PetitionFollow(db.Model):
    __tablename__ = "petition_follows"

    id = sa.Column(sa.Integer, primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False, index=True)
    user_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    user = relationship("User")

    __table_args__ = (
        sa.UniqueConstraint("petition_id", "user_id", name="uq_petition_follows_petition_user"),
    )


# Held signatures (SPEC §4 anti-abuse): a signing limit holds a signature as suspect; a moderator
# locks it for a while and counts or discards it, and the decision is kept, append-only.
class HeldLimit(enum.StrEnum):
    """Which signing limit held a signature (signing.py); a moderator then counts or discards it."""

    ACCOUNT = "account"
    IP = "ip"


HELD_LIMIT_LABELS = {
    HeldLimit.ACCOUNT: _l("Over the signing limit of one account"),
    HeldLimit.IP: _l("Over the signing limit of one network address"),
}


class SignatureDecisionKind(enum.StrEnum):
    # Stored as "release" since migration 0009 (the CHECK constraint names it); it means: count it.
    COUNT = "release"
    DISCARD = "discard"


SIGNATURE_DECISION_LABELS = {
    SignatureDecisionKind.COUNT: _l("Count the signature"),
    SignatureDecisionKind.DISCARD: _l("Discard the signature"),
}
SIGNATURE_OUTCOME_LABELS = {
    SignatureDecisionKind.COUNT: _l("Counted"),
    SignatureDecisionKind.DISCARD: _l("Discarded"),
}


class SignatureLock(TimedLock, db.Model):
    """A moderator works on a held signature for a while, so that no other moderator decides it
    meanwhile. Goes with the signature when it is discarded."""

    __tablename__ = "signature_locks"

    signature_id = sa.Column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey("petition_signatures.id", ondelete="CASCADE"),
        primary_key=True,
    )
    locked_by_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False)
    locked_until = sa.Column(UTCDateTime, nullable=False)

    locked_by = relationship("User")


class SignatureDecision(db.Model):
    """A moderator's decision on a held signature, append-only. Keeps no personal data: the
    signature itself is deleted when discarded, and its row is the signer's business."""

    __tablename__ = "signature_decisions"

    id = sa.Column(sa.Integer, primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False, index=True)
    signature_id = sa.Column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False, unique=True
    )
    moderator_id = sa.Column(sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True)
    decision = sa.Column(sa.String(10), nullable=False)
    held_limit = sa.Column(sa.String(8), nullable=True)
    note = sa.Column(sa.Text, nullable=True)
    held_at = sa.Column(UTCDateTime, nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow, index=True)

    moderator = relationship("User")

    __table_args__ = (sa.CheckConstraint("decision IN ('release', 'discard')", name="decision"),)

    @property
    def label(self):
        return SIGNATURE_OUTCOME_LABELS[SignatureDecisionKind(self.decision)]


append_only(SignatureDecision)


class AdditionReason(enum.StrEnum):
    SIGNED = "signed"
    RELEASED = "released"  # a held signature a moderator counted


class RemovalReason(enum.StrEnum):
    WITHDRAWN = "withdrawn"  # by its signer
    INVALIDATED = "invalidated"  # found invalid by the platform (reserved: nothing does it yet)
    UNACCOUNTED = "unaccounted"  # gone without the platform removing it: a tampered database


REMOVAL_REASON_LABELS = {
    RemovalReason.WITHDRAWN: _l("withdrawn by the signer"),
    RemovalReason.INVALIDATED: _l("invalidated"),
    RemovalReason.UNACCOUNTED: _l("gone without a recorded reason"),
}
ADDITION_REASON_LABELS = {
    AdditionReason.SIGNED: _l("signed"),
    AdditionReason.RELEASED: _l("held, then counted by a moderator"),
}


class ReceiptRemoval(db.Model):
    """Why a counted receipt left the count: written in the transaction that removes the
    signature, read by the next count log entry. No personal data: a receipt hash is public."""

    __tablename__ = "petition_receipt_removals"

    id = sa.Column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False)
    receipt_hash = sa.Column(sa.String(64), nullable=False)
    reason = sa.Column(sa.String(12), nullable=False)
    created_at = sa.Column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (
        sa.Index("ix_petition_receipt_removals_petition_hash", "petition_id", "receipt_hash"),
        sa.CheckConstraint(
            "reason IN (" + ", ".join(f"'{r.value}'" for r in RemovalReason) + ")", name="reason"
        ),
    )


class CountLogEntry(db.Model):
    """An entry of a petition's public, append-only count log (countlog.py,
    docs/verifiable-counts.md): the Merkle root over the counted receipts, their number, the
    changes since the previous entry with their reasons, and the previous entry's hash."""

    __tablename__ = "petition_count_log"

    id = sa.Column(sa.Integer, primary_key=True)
    petition_id = sa.Column(sa.Integer, sa.ForeignKey("petitions.id"), nullable=False)
    sequence = sa.Column(sa.Integer, nullable=False)  # 1, 2, ... per petition
    recorded_at = sa.Column(UTCDateTime, nullable=False)
    event = sa.Column(sa.String(16), nullable=False)  # "tick" or the petition's new state
    count = sa.Column(sa.Integer, nullable=False)
    root = sa.Column(sa.String(64), nullable=False)
    added = sa.Column(sa.JSON, nullable=False, default=list)  # [[receipt hash, reason]], sorted
    removed = sa.Column(sa.JSON, nullable=False, default=list)  # [[receipt hash, reason]], sorted
    previous_hash = sa.Column(sa.String(64), nullable=False)
    entry_hash = sa.Column(sa.String(64), nullable=False)

    __table_args__ = (
        sa.UniqueConstraint(
            "petition_id", "sequence", name="uq_petition_count_log_petition_sequence"
        ),
        sa.CheckConstraint("count >= 0", name="count_not_negative"),
    )


append_only(CountLogEntry)

"""Who may do what with petitions. Drafts belong to their committee; reviewers never review a
petition they initiated or joined (or, later, signed).

The signing rules are one function, signing_refusal(), read by the petition page, the ORM path and
the signing fast path (whose records, signers.py, are not ORM objects): the Protocols below say
exactly what it reads."""

from datetime import date, datetime
from typing import Protocol

from flask_babel import lazy_gettext as _l

from participation.auth.permissions import (
    has_role,
    is_administrator,
    is_citizen,
    is_moderator,
    is_officer_of,
)
from participation.auth.models import Role
from participation.core.models import utcnow
from participation.core.permissions import is_signed_in
from participation.core.switches import Switch, is_on
from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.petitions.models import (
    Petition,
    Category,
    Level,
    PetitionState,
    StepKind,
    is_open_for_signatures,
)
from participation.petitions.models import PetitionState as P
from participation.petitions.queries import is_involved_in_petition, is_public

AFTER_DEPOSIT = {P.DEPOSITED, P.INADMISSIBLE, P.ANSWERED}


class SignatoryIdentity(Protocol):
    """What the signing rules read of an identity profile (auth.models.IdentityProfile or
    signers.SignerIdentity)."""

    @property
    def cin_expiry(self) -> date: ...

    @property
    def abroad(self) -> bool: ...

    @property
    def region_id(self) -> int | None: ...

    @property
    def province_id(self) -> int | None: ...

    @property
    def commune_id(self) -> int | None: ...


class Signatory(Protocol):
    """What the signing rules read of a person (a Flask-Login user, anonymous or not, or
    signers.Signer)."""

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_active(self) -> bool: ...

    @property
    def email_verified(self) -> bool: ...

    @property
    def is_blocked(self) -> bool: ...

    @property
    def identity(self) -> SignatoryIdentity | None: ...


class SignableRecord(Protocol):
    """What the signing rules read of a petition (models.Petition or signers.SignablePetition)."""

    @property
    def status(self) -> PetitionState: ...

    @property
    def closes_at(self) -> datetime | None: ...

    @property
    def level(self) -> str: ...

    @property
    def region_id(self) -> int | None: ...

    @property
    def province_id(self) -> int | None: ...

    @property
    def commune_id(self) -> int | None: ...


def has_valid_identity_card(profile: SignatoryIdentity, now: datetime | None = None) -> bool:
    """A card is valid through its expiry date, as a calendar date in Morocco (at 00:30 in
    Casablanca it is already the next day, while UTC still says the day before)."""
    return profile.cin_expiry >= morocco_date(now)


def lives_in_territory(profile: SignatoryIdentity, petition: SignableRecord) -> bool:
    """Territorial petitions are for residents of the territory: of the commune for communal
    petitions (113.14 art. 123), or of its province for one drafted before communes were
    loaded."""
    level = Level(petition.level)
    if level == Level.NATIONAL:
        return True
    if profile.abroad:
        return False
    if level == Level.COMMUNE and petition.commune_id is not None:
        return profile.commune_id == petition.commune_id
    if level == Level.REGION or (level == Level.COMMUNE and petition.province_id is None):
        return profile.region_id == petition.region_id
    return profile.province_id == petition.province_id


def signing_refusal(
    user: Signatory | None, petition: SignableRecord, *, now: datetime | None = None
):
    """Why this person cannot sign this petition now (a translated sentence), or None: every
    signing rule, for every path that signs or offers to."""
    now = now or utcnow()
    if not is_open_for_signatures(petition, now):
        return _l("This petition is not open for signatures.")
    if is_on(Switch.PAUSE_SIGNING):
        return _l("Signing is paused on the whole platform for the moment. Please come back later.")
    if not is_citizen(user):
        return _l("Sign in with a confirmed account to sign.")
    profile = user.identity
    if profile is None:
        return _l(
            "Complete your identity details to sign: the organic laws require them from every signatory."
        )
    if not has_valid_identity_card(profile, now):
        return _l("Your identity card has expired. Update your identity details to sign.")
    if not lives_in_territory(profile, petition):
        return _l("This petition can only be signed by residents of its territory.")
    return None


def can_sign_petition(
    user: Signatory | None, petition: SignableRecord | None, *, now: datetime | None = None
) -> bool:
    return petition is not None and signing_refusal(user, petition, now=now) is None


def can_manage_petition_kinds(user):
    return is_administrator(user)


def has_complete_identity(user, now=None):
    """Initiating needs the identity profile of SPEC §2 with a CIN still valid (signing checks
    the same in signing_refusal)."""
    profile = getattr(user, "identity", None)
    return profile is not None and has_valid_identity_card(profile, now)


def can_start_petition(user):
    return is_citizen(user) and has_complete_identity(user)


def is_committee_member(user, petition):
    return is_citizen(user) and any(
        m.user_id == user.id and m.accepted_at for m in petition.members
    )


def is_initiator(user, petition):
    return is_citizen(user) and petition is not None and petition.initiator_id == user.id


def can_view_petition(user, petition):
    """An ORM petition: a non-public one is shown to its committee, which the signing path's
    records do not carry (the sign view checks queries.is_public on its record instead)."""
    if petition is None:
        return False
    if is_public(petition):
        return True
    if petition.status == P.SUBMITTED and is_moderator(user):
        return True
    return is_committee_member(user, petition)


def can_edit_petition(user, petition):
    return is_initiator(user, petition) and petition.status == P.DRAFT


def can_submit_petition(user, petition):
    return can_edit_petition(user, petition)


def can_accept_invitation(user, member):
    """The invited address must be the account's own verified address."""
    return (
        can_start_petition(user)
        and member is not None
        and member.accepted_at is None
        and member.petition.status == P.DRAFT
        and member.email == user.email
    )


def can_review_petition(user, petition):
    return (
        is_moderator(user)
        and petition is not None
        and petition.status == P.SUBMITTED
        and not any(m.user_id == user.id for m in petition.members)
        and petition.initiator_id != user.id
    )


def is_adopted(petition):
    return any(step.kind == StepKind.ADOPTION for step in petition.steps)


def can_withdraw_petition(user, petition):
    """The committee (its initiator or agent) withdraws, until the addressee decides; a motion
    only until members of parliament adopt it."""
    if petition is None or petition.status not in (P.DRAFT, P.OPEN, P.DEPOSITED):
        return False
    if (
        petition.status == P.DEPOSITED
        and petition.kind.category == Category.MOTION
        and is_adopted(petition)
    ):
        return False
    agent = petition.agent
    return is_initiator(user, petition) or (
        agent is not None and is_citizen(user) and agent.user_id == user.id
    )


def can_withdraw_signature(user, petition):
    """Any signed-in account that is not blocked may take back its own support (its e-mail or
    identity card may have lapsed since: withdrawing needs neither); a blocked account may not,
    since a block freezes what an abusive account did to the counts until a moderator decides.
    Whether there is a signature to withdraw, and whether the petition is still open, the
    service says in words."""
    return (
        is_signed_in(user) and not user.is_blocked and petition is not None and is_public(petition)
    )


def can_deposit_petition(user, petition):
    """Only the committee's agent deposits (the agent is the addressee's only contact)."""
    agent = petition.agent if petition is not None else None
    return (
        is_citizen(user)
        and petition.status == P.OPEN
        and agent is not None
        and agent.user_id == user.id
    )


def can_use_petition_inbox(user):
    """Officers of an institution see the petitions deposited with it."""
    return has_role(user, Role.OFFICER) and user.officer_institution_id is not None


def is_addressee_officer(user, petition):
    return (
        petition is not None
        and petition.deposited_at is not None
        and is_officer_of(user, petition.addressee)
    )


def can_process_petition(user, petition):
    """Only the addressee's officers record steps, and only while the petition is with them."""
    return is_addressee_officer(user, petition) and petition.status == P.DEPOSITED


def can_export_signatories(user, petition):
    """The signatory list with CIN numbers: the addressee's officers, after deposit, until the
    personal data is anonymised."""
    return (
        is_addressee_officer(user, petition)
        and petition.status in AFTER_DEPOSIT
        and petition.signatories_anonymised_at is None
    )


def can_follow_petition(user, petition):
    return is_signed_in(user) and petition is not None and petition.published_at is not None


def can_decide_signature(user, signature, petition=None):
    """A moderator counts or discards a held signature, except on a petition they initiated,
    joined or signed (their own signature included)."""
    if not is_moderator(user) or signature is None:
        return False
    if signature.user_id == user.id:
        return False
    return not is_involved_in_petition(user, petition or signature_petition(signature))


def signature_petition(signature):
    return db.session.get(Petition, signature.petition_id)

"""Who may do what with petitions. Drafts belong to their committee; reviewers never review a
petition they initiated or joined (or, later, signed)."""
from datetime import date

from participation.auth.permissions import has_role, is_administrator, is_citizen, is_moderator, is_officer_of
from participation.auth.models import Role
from participation.core.permissions import is_signed_in
from participation.petitions.models import Category, StepKind
from participation.petitions.models import PetitionState as P

PUBLIC_STATES = {P.OPEN, P.REJECTED, P.EXPIRED, P.DEPOSITED, P.INADMISSIBLE, P.ANSWERED}
AFTER_DEPOSIT = {P.DEPOSITED, P.INADMISSIBLE, P.ANSWERED}


def can_manage_petition_kinds(user):
    return is_administrator(user)


def has_complete_identity(user, today=None):
    """Signing and initiating need the identity profile of SPEC §2 with a CIN still valid."""
    profile = getattr(user, "identity", None)
    return profile is not None and profile.cin_expiry >= (today or date.today())


def can_start_petition(user):
    return is_citizen(user) and has_complete_identity(user)


def is_committee_member(user, petition):
    return is_citizen(user) and any(m.user_id == user.id and m.accepted_at for m in petition.members)


def is_initiator(user, petition):
    return is_citizen(user) and petition is not None and petition.initiator_id == user.id


def is_public_petition(petition):
    """Published petitions stay public whatever happens to them next."""
    return petition.status in PUBLIC_STATES or (petition.status == P.WITHDRAWN and petition.published_at is not None)


def can_view_petition(user, petition):
    if petition is None:
        return False
    if is_public_petition(petition):
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
    if petition.status == P.DEPOSITED and petition.kind.category == Category.MOTION and is_adopted(petition):
        return False
    agent = petition.agent
    return is_initiator(user, petition) or (agent is not None and is_citizen(user) and agent.user_id == user.id)


def can_sign_petition(user, petition):
    """The coarse rule; signing.signing_problem() explains each refusal in words."""
    return is_citizen(user) and has_complete_identity(user) and petition is not None and petition.status == P.OPEN


def can_withdraw_signature(user, petition):
    """Any signed-in account that is not blocked may take back its own support (its e-mail or
    identity card may have lapsed since: withdrawing needs neither); a blocked account may not,
    since a block freezes what an abusive account did to the counts until a moderator decides.
    Whether there is a signature to withdraw, and whether the petition is still open, the
    service says in words."""
    return is_signed_in(user) and not user.is_blocked and petition is not None and is_public_petition(petition)


def can_deposit_petition(user, petition):
    """Only the committee's agent deposits (the agent is the addressee's only contact)."""
    agent = petition.agent if petition is not None else None
    return is_citizen(user) and petition.status == P.OPEN and agent is not None and agent.user_id == user.id


def can_use_petition_inbox(user):
    """Officers of an institution see the petitions deposited with it."""
    return has_role(user, Role.OFFICER) and user.officer_institution_id is not None


def is_addressee_officer(user, petition):
    return petition is not None and petition.deposited_at is not None and is_officer_of(user, petition.addressee)


def can_process_petition(user, petition):
    """Only the addressee's officers record steps, and only while the petition is with them."""
    return is_addressee_officer(user, petition) and petition.status == P.DEPOSITED


def can_export_signatories(user, petition):
    """The signatory list with CIN numbers: the addressee's officers, after deposit, until the
    personal data is anonymised."""
    return is_addressee_officer(user, petition) and petition.status in AFTER_DEPOSIT and petition.signatories_anonymised_at is None


def can_follow_petition(user, petition):
    return is_signed_in(user) and petition is not None and petition.published_at is not None

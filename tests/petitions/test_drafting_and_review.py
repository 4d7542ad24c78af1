"""Drafting a petition, its committee (invitations, agent and deputy, the kind's rules), the
moderators' admissibility review, and the state machine."""

import re
from datetime import date, timedelta
from itertools import product

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from participation.institutions.models import InstitutionKind, Region
from participation.petitions import permissions as perms
from participation.petitions import services
from participation.petitions.transitions import record_transition
from participation.petitions.models import CommitteeMember, Petition, PetitionState
from tests.factories import make_identity, make_institution, make_user
from tests.petition_world import (
    citizen,
    data,
    full_committee,
    kind,
    provinces_of_regions,
    set_up_world,
)

P = PetitionState


@pytest.fixture
def world(app, territories):
    set_up_world(house_of_representatives=True)


# Written out rather than read from PETITION_TRANSITIONS, so that a wrong edge in the table fails a test.
ALLOWED = {
    (P.DRAFT, P.SUBMITTED),
    (P.DRAFT, P.WITHDRAWN),
    (P.SUBMITTED, P.DRAFT),
    (P.SUBMITTED, P.OPEN),
    (P.SUBMITTED, P.REJECTED),
    (P.OPEN, P.DEPOSITED),
    (P.OPEN, P.EXPIRED),
    (P.OPEN, P.WITHDRAWN),
    (P.DEPOSITED, P.INADMISSIBLE),
    (P.DEPOSITED, P.ANSWERED),
    (P.DEPOSITED, P.WITHDRAWN),
}


@pytest.mark.parametrize(
    "source, target", list(product(P, P)), ids=[f"{a.value}->{b.value}" for a, b in product(P, P)]
)
def test_transition_table(world, source, target):
    initiator = citizen()
    petition = services.create_petition(initiator, kind("petition_head_of_government"), data())
    petition.state = source.value
    if (source, target) in ALLOWED:
        record_transition(petition, target, None)
        assert petition.state == target.value
    else:
        with pytest.raises(DomainError):
            record_transition(petition, target, None)
        assert petition.state == source.value


def test_only_citizens_with_a_valid_identity_start(world):
    with pytest.raises(PermissionDenied):
        services.create_petition(make_user(), kind("petition_head_of_government"), data())
    expired = make_user()
    make_identity(
        expired,
        cin="ZZ1",
        province=provinces_of_regions(1)[0],
        cin_expiry=date.today() - timedelta(days=1),
    )
    with pytest.raises(PermissionDenied):
        services.create_petition(expired, kind("petition_head_of_government"), data())
    petition = services.create_petition(citizen(), kind("petition_head_of_government"), data())
    assert petition.addressee.kind == "head_of_government" and len(petition.accepted_members) == 1


def test_territorial_petition_goes_to_the_council_of_its_territory(world):
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    with pytest.raises(DomainError):
        services.create_petition(
            citizen(), kind("regional_petition"), data()
        )  # no territory chosen
    petition = services.create_petition(citizen(), kind("regional_petition"), data(region=region))
    assert petition.addressee is None  # the council is not on the platform yet
    council = make_institution(kind=InstitutionKind.REGIONAL_COUNCIL, region=region)
    petition = services.create_petition(citizen(), kind("regional_petition"), data(region=region))
    assert petition.addressee_id == council.id and petition.region_id == region.id


def test_motion_committee_needs_five_members_from_four_regions(world):
    provinces = provinces_of_regions(4)
    initiator = citizen(province=provinces[0])
    motion = services.create_petition(
        initiator, kind("legislative_motion_house_of_representatives"), data()
    )
    with pytest.raises(services.SubmissionRefused) as refused:
        services.submit_petition(initiator, motion)
    assert len(refused.value.problems) >= 2
    full_committee(motion, initiator, provinces[:2], 5)  # 5 members but only 2 regions
    problems = [str(p) for p in services.list_committee_problems(motion)]
    assert len(problems) == 1 and "4" in problems[0]
    last = citizen(province=provinces[2])
    services.accept_invitation(last, services.invite_member(initiator, motion, email=last.email))
    fourth = citizen(province=provinces[3])
    services.accept_invitation(
        fourth, services.invite_member(initiator, motion, email=fourth.email)
    )
    assert services.list_committee_problems(motion) == []
    services.submit_petition(initiator, motion)
    assert motion.state == "submitted"


def test_invitations_are_for_their_address_and_single_use(world):
    initiator = citizen()
    petition = services.create_petition(initiator, kind("petition_head_of_government"), data())
    invited, stranger = citizen(), citizen()
    member = services.invite_member(initiator, petition, email=invited.email)
    with pytest.raises(DomainError):
        services.invite_member(initiator, petition, email=invited.email.upper())
    with pytest.raises(PermissionDenied):
        services.accept_invitation(stranger, member)
    services.accept_invitation(invited, member)
    assert member.invitation_hash is None
    with pytest.raises(PermissionDenied):
        services.accept_invitation(invited, member)


def _submitted(world_kind="petition_head_of_government"):
    initiator = citizen()
    petition = services.create_petition(initiator, kind(world_kind), data())
    members = full_committee(petition, initiator, provinces_of_regions(1), 5)
    services.submit_petition(initiator, petition)
    db.session.commit()
    return petition, initiator, members


def test_review_publish(world, outbox):
    petition, initiator, _ = _submitted()
    moderator = make_user(roles=[Role.MODERATOR])
    conditions = [g["code"] for g in petition.kind.grounds if g["stage"] == "condition"]
    with pytest.raises(DomainError):
        services.publish_petition(moderator, petition, checked=conditions[:-1])
    services.publish_petition(moderator, petition, checked=conditions)
    db.session.commit()
    assert petition.state == "open" and petition.signatures_required == 4000
    assert petition.closes_at - petition.published_at == timedelta(days=365)
    assert {m.template for m in outbox(to_address=initiator.email)} >= {"petition_published"}
    assert (
        db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "petition.open"))
        is not None
    )


def test_review_return_and_reject(world):
    petition, initiator, _ = _submitted()
    moderator = make_user(roles=[Role.MODERATOR])
    with pytest.raises(DomainError):
        services.return_petition(moderator, petition, note=" ")
    services.return_petition(moderator, petition, note="Précisez la demande 2.")
    assert petition.state == "draft" and petition.review_note == "Précisez la demande 2."
    services.submit_petition(initiator, petition)
    with pytest.raises(DomainError):
        services.reject_petition(
            moderator, petition, ground="general_interest", explanation="x"
        )  # a condition, not a ground
    services.reject_petition(
        moderator,
        petition,
        ground="courts",
        explanation="L'affaire est pendante devant le tribunal.",
    )
    assert petition.state == "rejected" and petition.rejection_ground == "courts"


def test_nobody_reviews_a_petition_they_initiated_or_joined(world):
    from participation.auth.models import RoleGrant

    petition, initiator, members = _submitted()
    moderator_member = members[1].user
    db.session.add(RoleGrant(user_id=moderator_member.id, role="moderator"))
    db.session.flush()
    db.session.expire(moderator_member, ["grants"])
    assert perms.can_review_petition(moderator_member, petition) is False
    with pytest.raises(PermissionDenied):
        services.publish_petition(moderator_member, petition, checked=[])


@pytest.mark.parametrize("person", ["anonymous", "citizen", "member", "moderator"])
def test_drafts_are_private_to_their_committee(world, person):
    from flask_login import AnonymousUserMixin

    initiator = citizen()
    petition = services.create_petition(initiator, kind("petition_head_of_government"), data())
    member = citizen()
    services.accept_invitation(
        member, services.invite_member(initiator, petition, email=member.email)
    )
    people = {
        "anonymous": AnonymousUserMixin(),
        "citizen": citizen(),
        "member": member,
        "moderator": make_user(roles=[Role.MODERATOR]),
    }
    assert perms.can_view_petition(people[person], petition) is (person == "member")


def test_the_whole_journey_through_the_pages(client, login, post_form, world, outbox):
    initiator = citizen(display_name="Initiatrice")
    login(initiator)
    hog = kind("petition_head_of_government")
    response = post_form(
        "/fr/petitions/new",
        {
            "kind_id": str(hog.id),
            "region_id": "0",
            "province_id": "0",
            "commune_id": "0",
            "title_fr": "Pour des bibliothèques ouvertes",
            "demands_fr": "Ouvrir le soir.",
            "memorandum_fr": "Parce que.",
        },
    )
    assert response.status_code == 302
    petition = db.session.scalar(sa.select(Petition))
    committee = f"/fr/petitions/{petition.id}/committee"
    invited = citizen()
    assert (
        post_form(committee, {"action": "invite", "invite-email": invited.email}).status_code == 302
    )
    link = re.search(
        r"/fr/petitions/invitation/\S+", outbox(to_address=invited.email)[-1].body_text
    ).group(0)
    client.post(
        "/fr/account/logout",
        data={
            "csrf_token": __import__("tests.conftest", fromlist=["x"]).csrf_token(
                client, "/fr/account/"
            )
        },
    )
    login(invited)
    assert client.get(link).status_code == 200  # opening the link changes nothing
    assert (
        db.session.scalar(
            sa.select(CommitteeMember.accepted_at).where(CommitteeMember.email == invited.email)
        )
        is None
    )
    assert post_form(link).status_code == 302
    assert (
        db.session.scalar(
            sa.select(CommitteeMember.accepted_at).where(CommitteeMember.email == invited.email)
        )
        is not None
    )
    refused = post_form(committee, {"action": "submit"}, form_page="/fr/account/")
    assert refused.status_code == 403  # only the initiator submits
    page = client.get(f"/fr/petitions/{petition.id}-{petition.slug}")
    assert page.status_code == 200 and "Pour des bibliothèques ouvertes" in page.get_data(
        as_text=True
    )
    client.post(
        "/fr/account/logout",
        data={
            "csrf_token": __import__("tests.conftest", fromlist=["x"]).csrf_token(
                client, "/fr/account/"
            )
        },
    )
    assert (
        client.get(f"/fr/petitions/{petition.id}-{petition.slug}").status_code == 404
    )  # a draft is private

"""Petitions for tests: the `world` fixture (the head of government and the petition kinds), citizens
with an identity, a petition's data and committee, an open petition, a deposited one and its
addressee's steps, and the `held_by_ip` fixture. The petitions' tests and those of every area
that shows petitions (moderation, stats, the API and dumps, core) share them: their conftest files
import the fixtures, their test modules the functions."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.models import utcnow
from participation.core.timezones import morocco_date
from participation.extensions import db
from participation.institutions.models import InstitutionKind, Province, Region
from participation.petitions import services, signing
from participation.petitions.models import PetitionKind, Signature
from participation.petitions.processing import StepData
from participation.petitions.rules import load_petition_kinds
from tests.factories import make_identity, make_institution, make_user

TODAY = morocco_date()


def set_up_world(*, house_of_representatives=False):
    """The head of government (and the House of Representatives, for motions) and the kinds."""
    make_institution(kind=InstitutionKind.HEAD_OF_GOVERNMENT, name={"fr": "Chef du gouvernement"})
    if house_of_representatives:
        make_institution(
            kind=InstitutionKind.HOUSE_OF_REPRESENTATIVES, name={"fr": "Chambre des représentants"}
        )
    load_petition_kinds()
    db.session.commit()


@pytest.fixture
def world(app, territories):
    set_up_world()


def kind(key):
    return db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == key))


def provinces_of_regions(n):
    regions = db.session.scalars(sa.select(Region).order_by(Region.code).limit(n)).all()
    return [
        db.session.scalar(sa.select(Province).where(Province.region_id == r.id)) for r in regions
    ]


_cin = iter(range(100000, 999999))


def citizen(province=None, **kwargs):
    user = make_user(**kwargs)
    make_identity(user, cin=f"AB{next(_cin)}", province=province or provinces_of_regions(1)[0])
    return user


def data(**overrides):
    values = dict(
        title={"fr": "Pour des bibliothèques ouvertes le soir"},
        demands={"fr": "Ouvrir jusqu'à 21 h."},
        memorandum={"fr": "Les étudiants travaillent."},
    )
    values.update(overrides)
    return services.PetitionData(**values)


def full_committee(petition, initiator, provinces, size):
    members = []
    for i in range(size - 1):
        person = citizen(province=provinces[i % len(provinces)])
        member = services.invite_member(initiator, petition, email=person.email)
        services.accept_invitation(person, member)
        members.append(member)
    own = next(m for m in petition.members if m.user_id == initiator.id)
    services.name_agent_and_deputy(initiator, petition, agent=own, deputy=members[0])
    return members


def open_petition(key="petition_head_of_government", **overrides):
    initiator = citizen()
    petition = services.create_petition(
        initiator,
        db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == key)),
        data(**overrides),
    )
    members = full_committee(petition, initiator, provinces_of_regions(1), 5)
    services.submit_petition(initiator, petition)
    moderator = make_user(roles=[Role.MODERATOR])
    services.publish_petition(
        moderator,
        petition,
        checked=[g["code"] for g in petition.kind.grounds if g["stage"] == "condition"],
    )
    db.session.commit()
    return petition, initiator, members


def deposited(
    key="petition_head_of_government", signers=2, deposited_days_ago=0, member_signs=False
):
    petition, initiator, members = open_petition(key)
    petition.signatures_required = signers
    people = [citizen() for _ in range(signers)]
    if member_signs:
        signing.sign_petition(petition.accepted_members[0].user, petition, consent=True)
    for person in people:
        signing.sign_petition(person, petition, consent=True)
    services.deposit_petition(
        petition.agent.user, petition, now=utcnow() - timedelta(days=deposited_days_ago)
    )
    db.session.commit()
    return petition, people


def addressee_officer(petition):
    return make_user(roles=[Role.OFFICER], institution=petition.addressee)


def step(kind, days_ago=0, **values):
    values.setdefault("text", {"fr": f"Étape {kind}."})
    return StepData(kind=kind, occurred_on=TODAY - timedelta(days=days_ago), **values)


@pytest.fixture
def held_by_ip(app, world):  # noqa: F811
    """Sign `petition` from a busy network: the first signature is counted, the others held."""
    app.config["SIGNING_LIMIT_PER_IP"] = "1 per day"

    def sign(petition, count=1, *, ip="203.0.113.7", **person):
        signing.sign_petition(
            citizen(**person), petition, consent=True, ip=ip
        )  # within the limit: counted
        held = []
        for _ in range(count):
            signer = citizen(**person)
            receipt = signing.sign_petition(signer, petition, consent=True, ip=ip)
            assert receipt.status == "suspect"
            held.append(db.session.get(Signature, receipt.id))
        db.session.commit()
        return held

    return sign

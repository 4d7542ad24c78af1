"""Communal petitions (organic law 113.14): filed for a commune chosen region → province →
commune, addressed to its council, their threshold from its population, signed by its residents
only."""

import re

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.errors import DomainError
from participation.extensions import db
from participation.institutions.models import Commune, Institution, InstitutionKind
from participation.institutions.services import load_communes
from participation.petitions import permissions, queries, services, signing
from participation.petitions.models import Petition
from participation.petitions.thresholds import required_signatures
from tests.factories import make_identity, make_user
from tests.petition_world import data, kind, world  # noqa: F401 (fixture)


@pytest.fixture
def communes(world):  # noqa: F811
    load_communes()
    db.session.commit()


def commune(code):
    return db.session.scalar(sa.select(Commune).where(Commune.code == code))


_cin = iter(range(500000, 599999))


def resident(commune_code):
    user = make_user()
    make_identity(user, cin=f"CD{next(_cin)}", commune=commune(commune_code))
    return user


def council_of(code):
    place = commune(code)
    council = Institution(
        kind=InstitutionKind.COMMUNAL_COUNCIL.value,
        name={"fr": f"Conseil communal de {place.name['fr']}"},
        region_id=place.province.region_id,
        province_id=place.province_id,
        commune_id=place.id,
    )
    db.session.add(council)
    db.session.commit()
    return council


TOUARGA = "04.421.01.07"  # 5,703 inhabitants in 2024
RABAT = "04.421.01.0"  # arrondissements
TEMARA = "04.501.01.07"


def published_communal_petition(code):
    council_of(code)
    initiator = resident(code)
    petition = services.create_petition(
        initiator, kind("communal_petition"), data(commune=commune(code))
    )
    deputy = resident(code)
    services.accept_invitation(
        deputy, services.invite_member(initiator, petition, email=deputy.email)
    )
    own, other = petition.accepted_members
    services.name_agent_and_deputy(initiator, petition, agent=own, deputy=other)
    services.submit_petition(initiator, petition)
    moderator = make_user(roles=[Role.MODERATOR])
    services.publish_petition(
        moderator,
        petition,
        checked=[g["code"] for g in petition.kind.grounds if g["stage"] == "condition"],
    )
    db.session.commit()
    return petition


def test_a_citizen_files_a_communal_petition_through_the_three_lists(
    client, login, post_form, communes
):
    council = council_of(TOUARGA)
    touarga = commune(TOUARGA)
    citizen = resident(TOUARGA)
    login(citizen)
    form = {
        "kind_id": str(kind("communal_petition").id),
        "region_id": str(touarga.province.region_id),
        "province_id": str(touarga.province_id),
        "commune_id": "0",
        "title_fr": "Un éclairage public dans le quartier",
    }
    # Without the script: the province step lists the province's communes, nothing is saved.
    step = post_form("/fr/petitions/new", {**form, "step": "province"})
    assert step.status_code == 200
    page = step.get_data(as_text=True)
    listed = re.search(r'<select[^>]*id="commune_id"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert f'value="{touarga.id}"' in listed and ">Touarga<" in listed
    assert f'value="{commune("01.511.01.0").id}"' not in listed
    assert 'value="Un éclairage public dans le quartier"' in page
    assert db.session.scalar(sa.select(sa.func.count(Petition.id))) == 0
    saved = post_form("/fr/petitions/new", {**form, "commune_id": str(touarga.id)})
    assert saved.status_code == 302
    petition = db.session.scalar(sa.select(Petition))
    assert petition.commune_id == touarga.id
    assert petition.addressee_id == council.id
    assert (petition.province_id, petition.region_id) == (
        touarga.province_id,
        touarga.province.region_id,
    )
    assert required_signatures(petition.kind, services.get_territory(petition)).signatures == 100


def test_the_commune_must_be_in_the_chosen_province(communes):
    with pytest.raises(DomainError) as refused:
        services.create_petition(
            resident(TOUARGA),
            kind("communal_petition"),
            data(commune=commune(TOUARGA), province=commune(TEMARA).province),
        )
    assert refused.value.code == "commune_mismatch"
    with pytest.raises(DomainError) as missing:
        services.create_petition(resident(TOUARGA), kind("communal_petition"), data())
    assert missing.value.code == "territory_required"


def test_without_a_linked_council_the_petition_waits_for_one(communes):
    petition = services.create_petition(
        resident(TEMARA), kind("communal_petition"), data(commune=commune(TEMARA))
    )
    assert petition.addressee_id is None and petition.commune_id == commune(TEMARA).id


@pytest.mark.parametrize("code, signatures", [(TOUARGA, 100), (TEMARA, 200), (RABAT, 400)])
def test_the_threshold_follows_the_commune(communes, code, signatures):
    petition = services.create_petition(
        resident(code), kind("communal_petition"), data(commune=commune(code))
    )
    assert required_signatures(petition.kind, services.get_territory(petition)).signatures == (
        signatures
    )


def test_only_the_communes_residents_can_sign(communes):
    petition = published_communal_petition(TOUARGA)
    neighbour = resident(RABAT)  # same prefecture, another commune
    assert permissions.signing_refusal(neighbour, petition) is not None
    with pytest.raises(DomainError):
        signing.sign_petition(neighbour, petition, consent=True)
    assert signing.sign_petition(resident(TOUARGA), petition, consent=True).status == "counted"
    # Someone of the province whose profile has no commune yet is not a resident of it.
    unplaced = make_user()
    make_identity(unplaced, cin="EF123456", province=commune(TOUARGA).province)
    assert permissions.signing_refusal(unplaced, petition) is not None


def test_the_signing_route_applies_the_commune_rule(client, login, post_form, communes):
    """The signing route reads the signer and the petition in one query (signers.py): the
    commune is part of it."""
    petition = published_communal_petition(TOUARGA)
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    login(resident(RABAT))
    post_form(f"/fr/petitions/{petition.id}/sign", {"consent": "y"}, form_page=page)
    assert queries.count_signatures(petition.id) == 0
    login(resident(TOUARGA))
    post_form(f"/fr/petitions/{petition.id}/sign", {"consent": "y"}, form_page=page)
    assert queries.count_signatures(petition.id) == 1


def test_the_petition_page_names_its_commune(client, communes):
    petition = published_communal_petition(TOUARGA)
    page = client.get(f"/fr/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert "Commune\u00a0: <bdi>Touarga</bdi>" in page


def test_the_demo_citizen_can_petition_her_communal_council(app, demo):
    """After `flask seed-demo`, the demo citizen lives in the commune of Rabat, whose council is
    on the platform: her communal petition has an addressee and she can sign it."""
    from participation.auth.models import User
    from participation.demo.accounts import DEMO_DOMAIN

    amina = db.session.scalar(sa.select(User).where(User.email == f"citizen@{DEMO_DOMAIN}"))
    rabat = commune(RABAT)
    assert amina.identity.commune_id == rabat.id
    petition = services.create_petition(
        amina, kind("communal_petition"), data(commune=rabat, province=rabat.province)
    )
    assert petition.addressee.commune_id == rabat.id
    assert permissions.lives_in_territory(amina.identity, petition)

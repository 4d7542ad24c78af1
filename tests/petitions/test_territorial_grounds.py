"""Territorial petitions (OL 111.14, 112.14, 113.14) ask a council to put an item within its
powers on its agenda: they are reviewed against the conditions and grounds of their own law, not
the 44.14 grounds of national petitions (issue 13, item 11). The committee rule of a national
petition after OL 70.21: at least 5 members, no regional condition (art. 2 as amended)."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.errors import DomainError
from participation.extensions import db
from participation.institutions.models import InstitutionKind, Region
from participation.petitions import services
from participation.petitions.rules import load_petition_kinds
from tests.factories import make_institution, make_user
from tests.petition_world import (
    citizen,
    data,
    full_committee,
    kind,
    provinces_of_regions,
    set_up_world,
)

NATIONAL_ONLY = {"courts", "inquiry", "security", "public_services", "partisan", "defamation"}


@pytest.fixture
def world(app, territories):
    """As in test_drafting_and_review: the House of Representatives too."""
    set_up_world(house_of_representatives=True)


@pytest.mark.parametrize(
    "key, conditions",
    [
        (
            "regional_petition",
            {"within_powers", "residents", "common_interest", "supporting_documents"},
        ),
        (
            "provincial_petition",
            {
                "within_powers",
                "residents",
                "electoral_rolls",
                "common_interest",
                "supporting_documents",
            },
        ),
        (
            "communal_petition",
            {
                "within_powers",
                "residents",
                "electoral_rolls",
                "common_interest",
                "supporting_documents",
            },
        ),
    ],
)
def test_territorial_kinds_have_the_grounds_of_their_own_law(world, key, conditions):
    grounds = kind(key).grounds
    assert {g["code"] for g in grounds if g["stage"] == "condition"} == conditions
    assert {g["code"] for g in grounds if g["stage"] != "condition"} == {
        "constants",
        "outside_powers",
        "conditions_not_met",
    }
    assert not NATIONAL_ONLY & {g["code"] for g in grounds}


def _submitted_regional_petition():
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    region.population = 5_132_639
    make_institution(kind=InstitutionKind.REGIONAL_COUNCIL, region=region)
    petition = services.create_petition(citizen(), kind("regional_petition"), data(region=region))
    petition.state = "submitted"
    return petition


def test_review_checks_a_territorial_petition_against_its_own_checklist(world):
    petition = _submitted_regional_petition()
    moderator = make_user(roles=[Role.MODERATOR])
    national_conditions = [
        g["code"] for g in kind("petition_head_of_government").grounds if g["stage"] == "condition"
    ]
    with pytest.raises(DomainError):
        services.publish_petition(moderator, petition, checked=national_conditions)
    own = [g["code"] for g in petition.kind.grounds if g["stage"] == "condition"]
    services.publish_petition(moderator, petition, checked=own)
    assert petition.state == "open"


def test_a_territorial_petition_is_rejected_on_its_own_grounds_only(world):
    petition = _submitted_regional_petition()
    moderator = make_user(roles=[Role.MODERATOR])
    with pytest.raises(DomainError):  # a 44.14 ground, not one of 111.14
        services.reject_petition(moderator, petition, ground="courts", explanation="Affaire jugée.")
    services.reject_petition(
        moderator, petition, ground="outside_powers", explanation="Hors des attributions."
    )
    assert petition.state == "rejected"
    assert petition.kind.ground_label_by_code("outside_powers", "ar").startswith("تتعلق بنقطة")


def test_kinds_loaded_by_an_earlier_version_get_their_own_grounds(world):
    regional = kind("regional_petition")
    regional.grounds = [dict(g) for g in kind("petition_head_of_government").grounds]
    for ground in regional.grounds:
        ground["label"] = {"ar": ground["label"]["ar"], "fr": ground["label"]["fr"]}
    national = kind("petition_head_of_government")
    national.grounds = [
        {**g, "label": {"ar": g["label"]["ar"], "fr": "Libellé édité"}} for g in national.grounds
    ]
    db.session.commit()
    load_petition_kinds()
    assert "outside_powers" in {g["code"] for g in regional.grounds}
    assert not NATIONAL_ONLY & {g["code"] for g in regional.grounds}
    # A national kind keeps an administrator's wording and gains the Amazigh it lacked.
    assert all(g["label"]["fr"] == "Libellé édité" and g["label"]["zgh"] for g in national.grounds)


def test_a_national_petition_committee_needs_five_members_and_no_regional_spread(world):
    """OL 44.14 art. 2 as amended by OL 70.21: "لجنة مكونة من خمسة أعضاء على الأقل" with no
    condition on their regions (the one-third-of-the-regions rule stays for motions, 64.14 art. 2)."""
    petition_kind = kind("petition_head_of_government")
    assert (petition_kind.min_committee_members, petition_kind.min_committee_regions) == (5, None)
    province = provinces_of_regions(1)[0]
    initiator = citizen(province=province)
    petition = services.create_petition(initiator, petition_kind, data())
    full_committee(petition, initiator, [province], 4)
    problems = [str(p) for p in services.list_committee_problems(petition)]
    assert len(problems) == 1 and "5" in problems[0]
    last = citizen(province=province)
    services.accept_invitation(last, services.invite_member(initiator, petition, email=last.email))
    assert services.list_committee_problems(petition) == []


@pytest.mark.parametrize(
    "language, basis", [("ar", "القانون التنظيمي رقم 44.14"), ("zgh", "ⴰⵙⵍⴳⵏ ⴰⵏⴰⵥⵓⵕ 44.14")]
)
def test_staff_pages_give_the_legal_basis_and_notes_in_the_page_language(
    world, client, login, language, basis
):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    page = client.get(f"/{language}/admin/petition-kinds").get_data(as_text=True)
    assert basis in page
    assert "OL 44.14" not in page and "as amended" not in page
    assert "regional council sites" not in page and "later amendments" not in page

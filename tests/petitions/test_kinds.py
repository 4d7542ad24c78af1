"""Petition and motion kinds: loaded from the organic laws' figures, thresholds computed from
territories' populations, edited by administrators (audited)."""

import pytest
import sqlalchemy as sa

from participation.auth.models import Role
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from participation.institutions.models import Institution, InstitutionKind, Region
from participation.petitions import services
from participation.petitions.brackets import parse_brackets
from participation.petitions.models import PetitionKind
from participation.petitions.rules import load_petition_kinds
from participation.petitions.thresholds import required_signatures
from tests.factories import make_institution, make_user


def kind(key):
    return db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == key))


@pytest.fixture
def kinds(app, territories):
    make_institution(kind=InstitutionKind.HEAD_OF_GOVERNMENT, name={"fr": "Chef du gouvernement"})
    make_institution(
        kind=InstitutionKind.HOUSE_OF_REPRESENTATIVES, name={"fr": "Chambre des représentants"}
    )
    assert load_petition_kinds() == 8
    db.session.commit()


def test_loading_is_idempotent_and_links_national_addressees(kinds):
    assert load_petition_kinds() == 0
    assert kind("petition_head_of_government").institution.kind == "head_of_government"
    assert (
        kind("legislative_motion_house_of_representatives").institution.kind
        == "house_of_representatives"
    )
    assert kind("petition_house_of_councillors").institution is None  # no such institution yet
    assert kind("regional_petition").institution is None  # the council of the chosen region


def test_legal_figures(kinds):
    motion = kind("legislative_motion_house_of_representatives")
    assert (
        motion.signatures_required,
        motion.min_committee_members,
        motion.min_committee_regions,
    ) == (20000, 5, 4)
    assert motion.appeal_allowed is False
    assert motion.deadlines_days == {
        "electoral_roll_check_by_head_of_government": 20,
        "bureau_decision_after_deposit": 60,
        "notify_agent_after_decision": 15,
    }
    petition = kind("petition_head_of_government")
    assert (
        petition.signatures_required,
        petition.min_committee_members,
        petition.min_committee_regions,
    ) == (4000, 5, None)
    assert {g["stage"] for g in petition.grounds} == {"condition", "at_deposit", "after_study"}
    assert all(g["label"]["ar"] and g["label"]["fr"] for g in petition.grounds)
    assert kind("regional_petition").legal_status == "uncertain"


@pytest.mark.parametrize(
    "population, expected, per_province",
    [(999_999, 300, 15), (1_000_000, 400, 20), (2_999_999, 400, 20), (4_030_222, 500, 25)],
)
def test_regional_threshold_follows_population(kinds, population, expected, per_province):
    region = db.session.scalar(sa.select(Region).where(Region.code == "01"))
    region.population = population
    threshold = required_signatures(kind("regional_petition"), region)
    assert (threshold.signatures, threshold.per_province_minimum) == (expected, per_province)


def test_unknown_population_is_said_not_guessed(kinds):
    region = db.session.scalar(sa.select(Region).where(Region.population.is_(None)))
    threshold = required_signatures(kind("regional_petition"), region)
    assert threshold.signatures is None and not threshold.known
    from flask_babel import force_locale

    with force_locale("en"):  # no English catalog: the source text
        assert "population of this territory is not known" in str(threshold.reason)
    assert required_signatures(kind("regional_petition"), None).signatures is None


@pytest.mark.parametrize(
    "population, arrondissements, expected",
    [(20_000, False, 100), (35_000, False, 200), (900_000, True, 400)],
)
def test_communal_threshold(kinds, population, arrondissements, expected):
    commune = make_institution(
        kind=InstitutionKind.COMMUNAL_COUNCIL, region=db.session.scalar(sa.select(Region))
    )
    commune.population, commune.has_arrondissements = population, arrondissements
    assert required_signatures(kind("communal_petition"), commune).signatures == expected


def test_fixed_thresholds(kinds):
    assert required_signatures(kind("provincial_petition")).signatures == 300
    assert required_signatures(kind("petition_head_of_government")).signatures == 4000


def _data(k, **changes):
    data = services.KindData(
        name=dict(k.name),
        addressee=dict(k.addressee),
        institution=k.institution,
        signatures_required=k.signatures_required,
        signatures_by_population=k.signatures_by_population,
        min_committee_members=k.min_committee_members,
        min_committee_regions=k.min_committee_regions,
        deadlines_days=dict(k.deadlines_days),
        legal_status=k.legal_status,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


def test_administrators_edit_kinds_and_it_is_audited(kinds):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    petition = kind("petition_head_of_government")
    services.update_petition_kind(
        admin,
        petition,
        _data(
            petition,
            signatures_required=5000,
            deadlines_days={**petition.deadlines_days, "referral_to_petitions_commission": 20},
        ),
    )
    db.session.commit()
    assert (
        petition.signatures_required == 5000
        and petition.deadlines_days["referral_to_petitions_commission"] == 20
    )
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "petition_kind.updated")
    )
    assert (
        entry.details["before"]["signatures_required"] == 4000
        and entry.details["after"]["signatures_required"] == 5000
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"name": {"fr": " "}},
        {"signatures_required": None, "signatures_by_population": None},
        {"min_committee_members": 3, "min_committee_regions": 4},
    ],
)
def test_invalid_kind_edits_are_refused(kinds, changes):
    admin = make_user(roles=[Role.ADMINISTRATOR])
    motion = kind("legislative_motion_house_of_representatives")
    with pytest.raises(DomainError):
        services.update_petition_kind(admin, motion, _data(motion, **changes))


@pytest.mark.parametrize("roles", [[], [Role.MODERATOR], [Role.OBSERVER], [Role.OFFICER]])
def test_only_administrators_edit_kinds(kinds, roles):
    petition = kind("petition_head_of_government")
    with pytest.raises(PermissionDenied):
        services.update_petition_kind(make_user(roles=roles), petition, _data(petition))


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "1000000: 300\n3 000 000: 400\n*: 500",
            [
                {"population_below": 1000000, "signatures": 300},
                {"population_below": 3000000, "signatures": 400},
                {"population_below": None, "signatures": 500},
            ],
        ),
        ("", None),
    ],
)
def test_brackets_are_parsed(text, expected):
    assert parse_brackets(text) == expected


@pytest.mark.parametrize(
    "text",
    ["abc", "1000: x", "*: 5\n1000: 3", "3000: 4\n1000: 3\n*: 9", "1000: 0\n*: 4", "1000: 3"],
)
def test_bad_brackets_are_refused(text):
    with pytest.raises(DomainError):
        parse_brackets(text)


def test_admin_pages(client, login, post_form, kinds):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    assert "4" in client.get("/fr/admin/petition-kinds").get_data(as_text=True)
    regional = kind("regional_petition")
    page = f"/fr/admin/petition-kinds/{regional.id}"
    html = client.get(page).get_data(as_text=True)
    assert "1000000: 300" in html
    response = post_form(
        page,
        {
            "name_fr": "Pétition régionale",
            "brackets": "1000000: 300\n*: 600",
            "min_committee_members": "1",
            "signing_window_days": "365",
            "legal_status": "uncertain",
            "institution_id": "0",
            "active": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(regional)
    assert regional.signatures_by_population[-1] == {"population_below": None, "signatures": 600}
    bad = post_form(
        page,
        {
            "name_fr": "Pétition régionale",
            "brackets": "nonsense",
            "min_committee_members": "1",
            "signing_window_days": "365",
            "legal_status": "uncertain",
            "institution_id": "0",
        },
    )
    assert bad.status_code == 400 and 'id="brackets-error"' in bad.get_data(as_text=True)


@pytest.mark.parametrize("roles", [[], [Role.MODERATOR], [Role.OFFICER]])
def test_admin_pages_refuse_others(client, login, kinds, roles):
    login(make_user(roles=roles))
    assert client.get("/fr/admin/petition-kinds").status_code == 403


def test_communal_population_is_edited_on_the_institution(client, login, post_form, kinds):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    response = post_form(
        "/fr/admin/institutions/new",
        {
            "kind": "communal_council",
            "name_fr": "Conseil communal de Témara",
            "region_id": str(region.id),
            "province_id": "0",
            "population": "313510",
            "has_arrondissements": "",
        },
    )
    assert response.status_code == 302
    commune = db.session.scalar(
        sa.select(Institution).where(Institution.kind == "communal_council")
    )
    assert (
        commune.population == 313510
        and required_signatures(kind("communal_petition"), commune).signatures == 200
    )

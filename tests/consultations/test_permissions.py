"""Who sees and runs which consultation: the IDOR matrix between institutions and roles."""

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import Role
from participation.consultations import permissions as p
from tests.factories import make_consultation, make_institution, make_user

PEOPLE = [
    "anonymous",
    "unverified",
    "citizen",
    "officer_a",
    "officer_b",
    "moderator",
    "observer",
    "administrator",
]


@pytest.fixture
def world(app):
    a, b = make_institution(), make_institution()
    return {
        "a": a,
        "anonymous": AnonymousUserMixin(),
        "unverified": make_user(verified=False),
        "citizen": make_user(),
        "officer_a": make_user(roles=[Role.OFFICER], institution=a),
        "officer_b": make_user(roles=[Role.OFFICER], institution=b),
        "moderator": make_user(roles=[Role.MODERATOR]),
        "observer": make_user(roles=[Role.OBSERVER]),
        "administrator": make_user(roles=[Role.ADMINISTRATOR]),
    }


@pytest.mark.parametrize("person", PEOPLE)
def test_only_the_owning_officers_see_a_draft(world, person):
    draft = make_consultation(institution=world["a"], state="draft")
    assert p.can_view_consultation(world[person], draft) is (person == "officer_a")


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("state", ["scheduled", "open", "closed", "outcome_published", "withdrawn"])
def test_everyone_sees_published_consultations(world, person, state):
    assert (
        p.can_view_consultation(
            world[person], make_consultation(institution=world["a"], state=state)
        )
        is True
    )


@pytest.mark.parametrize("person", PEOPLE)
def test_only_owning_officers_edit_and_manage(world, person):
    draft = make_consultation(institution=world["a"], state="draft")
    assert p.can_edit_consultation(world[person], draft) is (person == "officer_a")
    assert p.can_manage_consultation(world[person], draft) is (person == "officer_a")


@pytest.mark.parametrize("state", ["scheduled", "open", "closed", "outcome_published", "withdrawn"])
def test_published_consultations_are_not_freely_editable(world, state):
    assert (
        p.can_edit_consultation(
            world["officer_a"], make_consultation(institution=world["a"], state=state)
        )
        is False
    )


@pytest.mark.parametrize("person", PEOPLE)
def test_exports(world, person):
    consultation = make_consultation(institution=world["a"], state="closed")
    assert p.can_export_consultation(world[person], consultation) is (
        person in {"officer_a", "observer"}
    )
    assert p.export_includes_personal_data(world[person], consultation) is (person == "officer_a")


@pytest.mark.parametrize("person", PEOPLE)
def test_follow_needs_a_verified_account(world, person):
    consultation = make_consultation(institution=world["a"], state="open")
    expected = person not in {"anonymous", "unverified"}
    assert p.can_follow_consultation(world[person], consultation) is expected


@pytest.mark.parametrize("person", PEOPLE)
def test_only_officers_create(world, person):
    assert p.can_create_consultation(world[person]) is person.startswith("officer")

import pytest
from flask_login import AnonymousUserMixin

from participation.auth import permissions as p
from participation.auth.models import Role
from tests.factories import make_institution, make_user

ROLES = ["anonymous", "unverified", "citizen", "officer", "moderator", "observer", "administrator"]


@pytest.fixture
def people(app):
    institution = make_institution()
    return {
        "anonymous": AnonymousUserMixin(),
        "unverified": make_user(verified=False),
        "citizen": make_user(),
        "officer": make_user(roles=[Role.OFFICER], institution=institution),
        "moderator": make_user(roles=[Role.MODERATOR]),
        "observer": make_user(roles=[Role.OBSERVER]),
        "administrator": make_user(roles=[Role.ADMINISTRATOR]),
        "institution": institution,
    }


EXPECTED = {
    "is_citizen": {"citizen", "officer", "moderator", "observer", "administrator"},
    "is_staff": {"officer", "moderator", "observer", "administrator"},
    "is_moderator": {"moderator"},
    "is_observer": {"observer"},
    "is_administrator": {"administrator"},
    "can_manage_users": {"administrator"},
    "can_view_audit_log": {"administrator"},
}


@pytest.mark.parametrize("predicate", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_role_predicates(people, predicate, role):
    assert getattr(p, predicate)(people[role]) is (role in EXPECTED[predicate])


@pytest.mark.parametrize("role", ROLES)
def test_only_the_officer_of_an_institution_acts_for_it(people, role):
    assert p.is_officer_of(people[role], people["institution"]) is (role == "officer")
    assert p.is_officer_of(people[role], make_institution()) is False


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_grant_roles_and_never_to_themselves(people, role):
    target = people["citizen"]
    assert p.can_grant_role(people[role], target) is (role == "administrator")
    admin = people["administrator"]
    assert p.can_grant_role(admin, admin) is False


def test_roles_cannot_be_granted_to_unverified_or_deleted_accounts(people):
    admin = people["administrator"]
    assert p.can_grant_role(admin, people["unverified"]) is False


@pytest.mark.parametrize("role", ROLES)
def test_own_account_only(people, role):
    assert p.can_manage_own_account(people[role], people["citizen"]) is (role == "citizen")

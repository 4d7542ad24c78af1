import pytest
import sqlalchemy as sa

from participation.auth.models import Role, RoleGrant
from participation.auth.services import grant_role, revoke_role
from participation.core.audit import AuditEntry
from participation.core.errors import DomainError, PermissionDenied
from participation.extensions import db
from tests.factories import make_institution, make_user


@pytest.fixture
def admin(app):
    return make_user(roles=[Role.ADMINISTRATOR])


def test_grant_and_revoke_are_audited(admin):
    target = make_user()
    grant = grant_role(admin, target, Role.MODERATOR)
    db.session.commit()
    assert Role.MODERATOR in target.roles
    revoke_role(admin, grant)
    db.session.commit()
    assert Role.MODERATOR not in target.roles
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.target_id == target.id)
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["role.granted", "role.revoked"]


def test_officer_needs_an_institution(admin):
    with pytest.raises(DomainError):
        grant_role(admin, make_user(), Role.OFFICER)
    institution = make_institution()
    target = make_user()
    grant_role(admin, target, Role.OFFICER, institution=institution)
    db.session.commit()
    assert target.officer_institution_id == institution.id


def test_a_role_is_granted_once(admin):
    target = make_user()
    grant_role(admin, target, Role.OBSERVER)
    with pytest.raises(DomainError):
        grant_role(admin, target, Role.OBSERVER)


def test_database_refuses_two_active_grants_of_a_role(admin):
    target = make_user()
    db.session.add_all(
        [
            RoleGrant(user_id=target.id, role="observer"),
            RoleGrant(user_id=target.id, role="observer"),
        ]
    )
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("actor_roles", [[], [Role.MODERATOR], [Role.OBSERVER], [Role.OFFICER]])
def test_non_administrators_cannot_grant(app, actor_roles):
    actor = make_user(roles=actor_roles)
    with pytest.raises(PermissionDenied):
        grant_role(actor, make_user(), Role.MODERATOR)


def test_administrator_cannot_grant_to_self_or_revoke_own_role(admin):
    with pytest.raises(PermissionDenied):
        grant_role(admin, admin, Role.MODERATOR)
    with pytest.raises(PermissionDenied):
        revoke_role(admin, admin.grants[0])


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Boss@Example.org", "--password", "a strong password"]
    )
    assert result.exit_code == 0, result.output
    from participation.auth.services import get_user_by_email

    user = get_user_by_email("boss@example.org")
    assert Role.ADMINISTRATOR in user.roles
    assert user.email_verified
    assert (
        db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == user.id))
        == "role.granted"
    )


def test_create_admin_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "a@example.org", "--password", "short"]
    )
    assert result.exit_code != 0

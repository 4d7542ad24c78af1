"""Who may do what with accounts and roles. Anonymous users answer False everywhere."""

from participation.auth.models import Role
from participation.core.permissions import has_role, is_signed_in


def is_administrator(user):
    return has_role(user, Role.ADMINISTRATOR)


def is_moderator(user):
    return has_role(user, Role.MODERATOR)


def is_observer(user):
    return has_role(user, Role.OBSERVER)


def is_translator(user):
    return has_role(user, Role.TRANSLATOR)


def is_officer_of(user, institution):
    return (
        has_role(user, Role.OFFICER)
        and institution is not None
        and user.officer_institution_id == institution.id
    )


def is_staff(user):
    return is_signed_in(user) and bool(user.roles)


def is_citizen(user):
    """A registered person whose e-mail is verified and who is not blocked: may comment, follow,
    start and sign petitions."""
    return is_signed_in(user) and user.email_verified and not user.is_blocked


def can_manage_users(user):
    return is_administrator(user)


def can_grant_role(user, target, role=None):
    """Administrators grant staff roles to others, never to themselves (SPEC §1)."""
    return (
        is_administrator(user)
        and target is not None
        and target.is_active
        and target.id != user.id
        and target.email_verified
    )


def can_revoke_role(user, grant):
    return is_administrator(user) and grant is not None and grant.user_id != user.id


def can_manage_own_account(user, target):
    return is_signed_in(user) and target is not None and user.id == target.id


def can_view_audit_log(user):
    return is_administrator(user)

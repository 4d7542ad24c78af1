"""Who manages the reference data. Institutions sit below auth (accounts point at provinces and
institutions), so the predicates use the kernel's has_role, not auth's."""

from participation.core.permissions import has_role
from participation.core.roles import Role


def _is_administrator(user):
    return has_role(user, Role.ADMINISTRATOR)


def can_manage_institutions(user):
    return _is_administrator(user)


def can_edit_population(user):
    return _is_administrator(user)


def can_load_territories(user):
    return _is_administrator(user)

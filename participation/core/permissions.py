"""Helpers shared by the permission predicates of every area.

Predicates are named can_<verb>_<noun>(user, obj=None) -> bool and answer False for anonymous
users. Services mark which predicate guards them with @guarded_by, and re-check it with
require(); a structural test fails on any service function without a declared guard.
"""

from participation.core.errors import PermissionDenied

SELF_SERVICE = "self-service"  # the actor acts on their own account or is anonymous by design
SYSTEM = "system"  # run by the platform itself (CLI, scheduled jobs), never from a request


def is_signed_in(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_active)


def has_role(user, role):
    """`role` is a core.roles.Role; anonymous users have none."""
    return is_signed_in(user) and role in user.roles


def guarded_by(guard):
    """Declare the predicate (or SELF_SERVICE / SYSTEM) that authorises a service function."""

    def decorator(function):
        function.guarded_by = guard
        return function

    return decorator


def require(allowed, message=None):
    if not allowed:
        raise PermissionDenied(message)

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import Role
from participation.ogp.permissions import can_track_commitments
from tests.factories import make_user


@pytest.mark.parametrize(
    "roles, allowed",
    [
        ((), False),
        ((Role.OFFICER,), False),
        ((Role.MODERATOR,), False),
        ((Role.OBSERVER,), True),
        ((Role.ADMINISTRATOR,), True),
        ((Role.OFFICER, Role.OBSERVER), True),
    ],
)
def test_only_observers_and_administrators_track_commitments(app, roles, allowed):
    assert can_track_commitments(make_user(roles=roles)) is allowed


def test_anonymous_visitors_do_not_track_commitments(app):
    assert can_track_commitments(AnonymousUserMixin()) is False

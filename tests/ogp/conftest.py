from datetime import date

import pytest

from participation.auth.models import Role
from participation.extensions import db
from participation.ogp.queries import get_commitment
from participation.ogp.services import load_commitments
from tests.factories import make_user

TODAY = date(2026, 11, 29)


@pytest.fixture
def commitments(app):
    load_commitments()
    db.session.commit()


@pytest.fixture
def commitment(commitments):
    return get_commitment(4)


@pytest.fixture
def observer(app):
    return make_user(
        roles=[Role.OBSERVER], display_name="Hassan Observer", email="hassan.observer@example.org"
    )


@pytest.fixture
def administrator(app):
    return make_user(roles=[Role.ADMINISTRATOR])


@pytest.fixture
def people(app):
    """Everyone who must be refused, by name."""
    return {
        "citizen": make_user(),
        "unverified": make_user(verified=False),
        "officer": make_user(roles=[Role.OFFICER]),
        "moderator": make_user(roles=[Role.MODERATOR]),
    }

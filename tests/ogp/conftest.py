import pytest

from participation.extensions import db
from participation.ogp.queries import get_commitment
from participation.ogp.services import load_commitments
from tests.factories import make_user


@pytest.fixture
def commitments(app):
    load_commitments()
    db.session.commit()


@pytest.fixture
def commitment(commitments):
    return get_commitment(4)


@pytest.fixture
def observer(app):
    return make_user(roles=["observer"], display_name="Hassan Observer")


@pytest.fixture
def administrator(app):
    return make_user(roles=["administrator"])

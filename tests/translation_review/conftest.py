import pytest

from participation.auth.models import Role
from participation.translation_review.catalog import entry_key
from participation.translation_review.queries import get_entry
from tests.factories import make_user

# Messages the interface has had from the start; the tests read their texts from the catalogs.
SINGULAR = "Statistics"
PLURAL = "%(count)s account"


@pytest.fixture
def translator(app):
    return make_user(roles=[Role.TRANSLATOR], display_name="Itto Translator")


@pytest.fixture
def administrator(app):
    return make_user(roles=[Role.ADMINISTRATOR], display_name="Nadia Admin")


@pytest.fixture
def entry(app):
    return get_entry(entry_key("", SINGULAR))


@pytest.fixture
def plural_entry(app):
    return get_entry(entry_key("", PLURAL))

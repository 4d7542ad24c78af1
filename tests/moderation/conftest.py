"""People and comments for the moderation desk's tests; every test here has the stand-in "note"
comment target type of tests/notes.py."""

import pytest

from participation.auth.models import Role
from tests.comments.factories import make_comment
from tests.conftest import Login, csrf_token
from tests.factories import make_user
from tests.notes import extend_app, note, notes, target  # noqa: F401 (fixtures)
from tests.petition_world import held_by_ip, world  # noqa: F401 (fixtures)

ACCOUNT = "/fr/account/"  # any page with a form gives the session's CSRF token
SIGN_IN = "/fr/account/login"


@pytest.fixture(autouse=True)
def _note_targets(notes):  # noqa: F811
    """Autouse: every test here has the "note" target type."""


@pytest.fixture
def citizen(app):
    return make_user(display_name="Amina")


@pytest.fixture
def author(app):
    return make_user(display_name="Amina", language="ar")


@pytest.fixture
def moderator(app):
    return make_user(display_name="Moderator One", roles=[Role.MODERATOR])


@pytest.fixture
def second_moderator(app):
    return make_user(display_name="Moderator Two", roles=[Role.MODERATOR])


@pytest.fixture
def administrator(app):
    return make_user(display_name="Admin", roles=[Role.ADMINISTRATOR])


@pytest.fixture
def reporters(app):
    return [make_user(display_name=f"Reporter {n}") for n in range(4)]


@pytest.fixture
def comment(note, author):
    return make_comment(note, author, body="Un avis sur l'article 2.")


class Visitor:
    """A browser of its own, signed in as one person: several people act in one test."""

    def __init__(self, app, user=None):
        self.client = app.test_client()
        self.signed_in = user is not None
        if user is not None:
            Login(self.client)(user)

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def post(self, path, data=None, *, form_page=None):
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(
            self.client, form_page or (ACCOUNT if self.signed_in else SIGN_IN)
        )
        return self.client.post(path, data=payload)


@pytest.fixture
def visitor(app):
    return lambda user=None: Visitor(app, user)

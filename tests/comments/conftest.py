"""Every comments test has the stand-in "note" target type (tests/notes.py)."""

import pytest

from tests.factories import make_user
from tests.notes import extend_app, note, notes, target  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def _note_targets(notes):  # noqa: F811
    """Autouse: every test here has the "note" target type."""


@pytest.fixture
def citizen(app):
    return make_user(display_name="Amina")

"""Who may use the translators' desk: every role, and anonymous visitors."""

import pytest
from flask_login import AnonymousUserMixin

from participation.auth.models import Role
from participation.translation_review.permissions import (
    can_export_translation_proposals,
    can_review_translations,
    can_view_translation_desk,
)
from tests.factories import make_user

# roles: (view the desk, review, export)
MATRIX = [
    ((), (False, False, False)),
    ((Role.OFFICER,), (False, False, False)),
    ((Role.MODERATOR,), (False, False, False)),
    ((Role.OBSERVER,), (False, False, False)),
    ((Role.ADMINISTRATOR,), (True, False, True)),
    ((Role.TRANSLATOR,), (True, True, False)),
    ((Role.TRANSLATOR, Role.ADMINISTRATOR), (True, True, True)),
]


@pytest.mark.parametrize("roles, allowed", MATRIX)
def test_every_role(app, roles, allowed):
    user = make_user(roles=roles)
    assert can_view_translation_desk(user) is allowed[0]
    assert can_review_translations(user) is allowed[1]
    assert can_export_translation_proposals(user) is allowed[2]


def test_every_role_is_in_the_matrix():
    assert {role for roles, _allowed in MATRIX for role in roles} == set(Role)


@pytest.mark.parametrize(
    "predicate",
    [can_view_translation_desk, can_review_translations, can_export_translation_proposals],
)
def test_anonymous_visitors_are_refused(app, predicate):
    assert predicate(AnonymousUserMixin()) is False


def test_an_unverified_or_deleted_translator_keeps_no_access(app):
    from participation.core.models import utcnow
    from participation.extensions import db

    translator = make_user(roles=[Role.TRANSLATOR])
    translator.deleted_at = utcnow()
    db.session.commit()
    assert can_review_translations(translator) is False

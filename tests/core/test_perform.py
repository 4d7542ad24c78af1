"""core/views.perform, the one place a view's transaction ends, and committed_when_done, its twin
for streamed bodies."""

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages

from participation.consultations.models import Topic
from participation.core.errors import DomainError, PermissionDenied
from participation.core.views import committed_when_done, perform
from participation.extensions import db


class FieldProblems(DomainError):
    pass


def _add_topic(slug):
    db.session.add(Topic(slug=slug, name={"fr": slug}))
    db.session.flush()
    return slug


def _kept_slugs():
    db.session.rollback()  # read what another transaction would see
    return db.session.scalars(
        sa.select(Topic.slug).where(Topic.slug.like("perform-%")).order_by(Topic.slug)
    ).all()


def test_a_successful_action_is_committed_and_its_message_flashed(app):
    with app.test_request_context("/"):
        assert perform(lambda: _add_topic("perform-kept"), success="saved") == (
            True,
            "perform-kept",
        )
        assert get_flashed_messages(with_categories=True) == [("success", "saved")]
        assert _kept_slugs() == ["perform-kept"]


def test_a_step_the_view_does_not_keep_is_rolled_back_and_its_result_returned(app):
    with app.test_request_context("/"):
        assert perform(
            lambda: _add_topic("perform-abandoned"), keep=lambda slug: False, success="saved"
        ) == (False, "perform-abandoned")
        assert get_flashed_messages() == []
        assert _kept_slugs() == []


def test_a_refusal_is_rolled_back_and_shown(app):
    def refused():
        _add_topic("perform-refused")
        raise DomainError("not now")

    with app.test_request_context("/"):
        assert perform(refused) == (False, None)
        assert get_flashed_messages(with_categories=True) == [("error", "not now")]
        assert _kept_slugs() == []


def test_a_narrowed_refusal_goes_to_its_handler_and_other_refusals_propagate(app):
    def refused(error):
        def action():
            _add_topic("perform-refused")
            raise error

        return action

    with app.test_request_context("/"):
        answer = perform(
            refused(FieldProblems("field")),
            refusal=FieldProblems,
            on_refusal=lambda error: ("page", error.message),
        )
        assert answer == (False, ("page", "field"))
        assert _kept_slugs() == []
        with pytest.raises(PermissionDenied):
            perform(
                refused(PermissionDenied()), refusal=FieldProblems, on_refusal=lambda error: "page"
            )
        assert get_flashed_messages() == []


def test_a_streamed_body_is_committed_when_it_ends_even_when_abandoned(app):
    def chunks():
        yield "header\n"
        _add_topic("perform-streamed")
        yield "row\n"

    with app.test_request_context("/"):
        body = committed_when_done(chunks())
        assert next(body) == "header\n"
        assert next(body) == "row\n"
        body.close()  # the client left before the end
        assert _kept_slugs() == ["perform-streamed"]

"""A stand-in comment target type, "note", registered for each test that uses these fixtures, and
a page that shows a note's thread the way a consultation page does. The comments component's
tests and the moderation desk's tests share it (their conftest files import these fixtures)."""

import pytest
from flask import render_template_string, url_for

from participation.comments import targets
from participation.comments.targets import CommentTarget, register_target_type, resolve_target
from participation.comments.views import thread_for_request
from participation.core import policy
from participation.core.i18n import current_language
from tests.comments.factories import Note, new_id

PAGE = """{% extends "base.html" %}{% block title %}{{ target.title }}{% endblock %}{% block content %}
<h1>{{ target.title }}</h1>
<section id="comments" aria-labelledby="comments-heading"><h2 id="comments-heading">Comments</h2>
{% include "comments/_thread.html" %}</section>{% endblock %}"""


class Notes:
    def __init__(self):
        self.store = {}

    def __call__(self, **settings):
        note = Note(id=new_id(), **settings)
        self.store[note.id] = note
        return note

    def resolve(self, note_id):
        note = self.store.get(note_id)
        if note is None:
            return None
        return CommentTarget(
            target_type="note",
            target_id=note.id,
            title=f"Note {note.id}",
            url=url_for("note_page", lang_code=current_language(), note_id=note.id),
            accepts_comments=note.open,
            moderation_mode=note.moderation_mode,
            allows_stance=note.allows_stance,
            institution_id=note.institution_id,
            is_visible_to=lambda user: (
                note.readers is None or (user.is_authenticated and user.id in note.readers)
            ),
        )

    def target(self, note):
        return self.resolve(note.id)


def _add_note_page(app):
    @app.route("/<lang:lang_code>/test-notes/<int:note_id>")
    @policy.public
    def note_page(note_id):
        target = resolve_target("note", note_id)
        return render_template_string(PAGE, target=target, thread=thread_for_request(target))


@pytest.fixture
def extend_app():
    return _add_note_page


@pytest.fixture
def notes(app, monkeypatch):
    monkeypatch.setattr(
        targets, "_resolvers", dict(targets._resolvers)
    )  # registrations end with the test
    registry = Notes()
    register_target_type("note", registry.resolve)
    return registry


@pytest.fixture
def note(notes):
    return notes()


@pytest.fixture
def target(notes, note):
    return notes.target(note)

"""A comment's own part of a thread is rendered once and stored under everything it shows
(CommentNode.shown, templates/comments/_thread.html; issue 15, "signed-in pages render from
cached fragments"): readers with the same rights share it, each with their own CSRF token; any
change to what it shows is a new key, so it shows on the next page; the reader's own comment,
with its edit and delete links, is never stored."""

import re

from flask import url_for

from participation.core import page_cache
from participation.comments import services
from participation.extensions import db
from tests.comments.factories import make_comment
from tests.conftest import signed_in_client as reader
from tests.factories import make_user

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def page(client, note):
    response = client.get(f"/fr/test-notes/{note.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def stored_comments(app, comment):
    """The stored renderings that hold this comment's article."""
    marker = f'<article id="comment-{comment.id}"'
    return [
        value.decode()
        for _, value in app.extensions["page_cache"].local.entries.values()
        if marker in value.decode()
    ]


def test_readers_share_a_stored_comment_with_their_own_token_and_mark(app, note, citizen):
    comment = make_comment(note, citizen, body="Ouvrir les bibliothèques le soir.")
    first, second = make_user(display_name="Omar"), make_user(display_name="Salma")
    services.toggle_useful_vote(first, comment)
    db.session.commit()
    page_cache.clear()
    clients = {"first": reader(app, first), "second": reader(app, second)}
    pages = {name: page(client, note) for name, client in clients.items()}

    assert "Retirer ma mention" in pages["first"]
    assert "Retirer ma mention" not in pages["second"]
    assert "Marquer comme utile" in pages["second"]
    # One rendering for each set of rights: the voter's, and the other reader's.
    assert len(stored_comments(app, comment)) == 2
    for name, html in pages.items():
        tokens = set(TOKEN.findall(html))
        assert len(tokens) == 1, f"{name}: one CSRF token on the page, the reader's own"
    assert TOKEN.search(pages["first"]).group(1) != TOKEN.search(pages["second"]).group(1)

    # The second view of the same reader comes from the store, identical but for nothing.
    assert page(clients["second"], note) == pages["second"]


def test_what_a_comment_shows_changes_on_the_next_page(app, note, citizen):
    comment = make_comment(note, citizen, body="Première version.")
    other = make_user(display_name="Omar")
    client = reader(app, other)
    page_cache.clear()
    assert "Première version." in page(client, note)

    services.edit_comment(citizen, comment, body="Deuxième version.")
    db.session.commit()
    html = page(client, note)
    assert "Deuxième version." in html and "Modifié" in html

    services.toggle_useful_vote(make_user(), comment)
    db.session.commit()
    assert "1 personne a trouvé ce commentaire utile" in page(client, note)

    citizen.display_name = "Amina B."
    db.session.commit()
    assert "Amina B." in page(client, note)

    services.delete_comment(citizen, comment)
    db.session.commit()
    html = page(client, note)
    assert "Commentaire supprimé par son auteur." in html
    assert "Deuxième version." not in html


def test_the_readers_own_comment_is_never_stored(app, note, citizen):
    comment = make_comment(note, citizen)
    page_cache.clear()
    html = page(reader(app, citizen), note)
    edit_link = url_for("comments.edit_comment", lang_code="fr", comment_id=comment.id)
    assert edit_link in html
    assert stored_comments(app, comment) == []

"""The signed-in petition page from cached fragments (issue 15, item 2; docs/caching.md, "Signed-in
pages: fragments"): readers share the parts that are the same for everyone (head, count, regions,
reconciliation and count log, texts and processing) and each gets their own personal parts; nothing
personal enters a stored fragment; an edit or a state change shows at once, a signature when the
count's fragments age out; a warm page runs a bounded number of statements."""

import re

from flask import url_for

from participation.core import page_cache
from participation.extensions import db
from participation.petitions import processing, services, signing
from tests.conftest import signed_in_client as reader
from tests.petition_world import addressee_officer, citizen, deposited, open_petition
from tests.query_counts import QueryCounter

COUNT = '<p class="count">{} signatures sur'
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def page_url(petition):
    return url_for("petitions.detail", lang_code="fr", petition_id=petition.id, slug=petition.slug)


def view(client, petition):
    """(page text, SQL statements the view ran)."""
    with QueryCounter(db.engine) as counter:
        response = client.get(page_url(petition))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.get_data(as_text=True), counter.count


def stored_fragments(app):
    return [value.decode() for _, value in app.extensions["page_cache"].store.entries.values()]


def test_readers_share_fragments_and_keep_their_own_parts(app, world, monkeypatch):
    petition, signers = deposited(signers=2)
    signer, other = signers[0], citizen(display_name="Nadia Lectrice")
    officer = addressee_officer(petition)
    processing.follow_petition(other, petition)
    db.session.commit()
    readers = {
        "signer": reader(app, signer),
        "other": reader(app, other),
        "officer": reader(app, officer),
    }
    page_cache.clear()
    pages, statements = {}, {}
    for name, client in readers.items():
        pages[name], statements[name] = view(client, petition)

    # Each reader's own parts, and only theirs.
    assert "Vous avez signé cette pétition." in pages["signer"]
    assert "Vous avez signé" not in pages["other"] + pages["officer"]
    assert "Ne plus suivre cette pétition" in pages["other"]
    assert "Ne plus suivre" not in pages["signer"] + pages["officer"]
    processing_link = url_for("petition_officer.process", lang_code="fr", petition_id=petition.id)
    assert processing_link in pages["officer"]
    assert processing_link not in pages["signer"] + pages["other"]
    tokens = {name: TOKEN.search(page).group(0) for name, page in pages.items()}
    assert len(set(tokens.values())) == 3

    # The first reader rendered the fragments, the others were given them.
    assert statements["other"] < statements["signer"]
    assert statements["officer"] < statements["signer"]
    fragments = stored_fragments(app)
    shared = [f for f in fragments if "Rapprochement du décompte" in f]
    assert len(shared) == 1
    html = shared[0].partition("\n")[2]
    assert all(html in page for page in pages.values())

    # Nothing personal in what is stored: no token, no reader's state, no control.
    for fragment in fragments:
        assert not any(token.split('value="')[1] in fragment for token in tokens.values())
        for personal in (
            "Vous avez signé",
            "suivre cette pétition",
            processing_link,
            "Nadia Lectrice",
            signer.email,
            "csrf_token",
        ):
            assert personal not in fragment, personal

    # And each page is byte for byte the page rendered without any cache (tokens aside).
    monkeypatch.setattr(app.extensions["page_cache"], "page_seconds", 0)
    for name, client in readers.items():
        rendered, _ = view(client, petition)
        assert TOKEN.sub(r"\1", rendered) == TOKEN.sub(r"\1", pages[name]), name


def test_signer_and_non_signer_of_an_open_petition(app, world):
    petition, _initiator, _members = open_petition()
    signer, other = citizen(), citizen()
    signing.sign_petition(signer, petition, consent=True)
    db.session.commit()
    signed_page, _ = view(reader(app, signer), petition)
    other_page, _ = view(reader(app, other), petition)
    assert "Vous avez signé cette pétition." in signed_page
    assert "Retirer ma signature" in signed_page
    assert "Signer la pétition" not in signed_page
    assert "Signer la pétition" in other_page and "Vous avez signé" not in other_page
    assert COUNT.format(1) in signed_page and COUNT.format(1) in other_page


def test_an_edit_and_a_state_change_show_at_once(app, world):
    petition, _initiator, _members = open_petition()
    client = reader(app, citizen())
    page, _ = view(client, petition)
    assert "Ouvrir jusqu&#39;à 21 h." in page
    petition.demands = {"fr": "Ouvrir aussi le dimanche."}
    db.session.commit()
    page, _ = view(client, petition)
    assert "Ouvrir aussi le dimanche." in page and "21 h" not in page

    petition.signatures_required = 0
    services.deposit_petition(petition.agent.user, petition)
    db.session.commit()
    page, _ = view(client, petition)
    assert "badge--deposited" in page and "badge--open" not in page
    assert "Traitement par le destinataire" in page  # the processing timeline


def test_a_signature_shows_when_the_count_fragments_age_out(app, world, cache_clock):
    petition, _initiator, _members = open_petition()
    client = reader(app, citizen())
    page, _ = view(client, petition)
    assert COUNT.format(0) in page
    signing.sign_petition(citizen(), petition, consent=True)
    db.session.commit()
    # Signing writes nothing to the cache: the stored count is shown until it ages out...
    page, _ = view(client, petition)
    assert COUNT.format(0) in page
    cache_clock.now += app.config["PAGE_CACHE_SECONDS"]
    # ... after PAGE_CACHE_SECONDS, the same freshness as the anonymous page.
    page, _ = view(client, petition)
    assert COUNT.format(1) in page
    assert "<td><bdi>1</bdi></td>" in page  # the reconciliation counts it too


def test_a_warm_page_runs_a_bounded_number_of_statements(app, world):
    petition, signers = deposited(signers=2)
    client = reader(app, signers[0])
    page_cache.clear()
    _, cold = view(client, petition)
    _, warm = view(client, petition)
    # Warm: the petition and its committee, the reader's account, roles, signature, follow and
    # notifications, the switches, the comment thread (statements, not timings: counts only).
    assert warm <= 15
    assert 2 * warm < cold

"""The administrator's message of a pause switch reaches the people the pause stops (issue 16,
item 9): under the refusal on the petition page, on the form and the list where petitions are
started, and on the switches page itself; escaped, in its own language and direction."""

import pytest

from participation.auth.models import Role
from participation.core.switches import SiteSwitch, switch_message
from participation.extensions import db
from tests.factories import make_user
from tests.petition_world import citizen, open_petition, world  # noqa: F401 (fixture)

HOSTILE = '<script>alert("x")</script> <a href="https://evil.example">ici</a>'
ARABIC = "توقف التوقيع للصيانة حتى الساعة العاشرة ليلا."


def set_switch(key, message, enabled=True):
    switch = db.session.get(SiteSwitch, key) or SiteSwitch(key=key)
    switch.enabled, switch.message = enabled, message
    db.session.add(switch)
    db.session.commit()


def test_the_message_is_the_pages_language_or_another_one_marked(app):
    set_switch("pause_signing", {"ar": ARABIC, "fr": "Signature suspendue."})
    with app.test_request_context("/fr/"):
        from flask import g

        g.lang_code = "zgh"
        assert switch_message("pause_signing") == ("Signature suspendue.", "fr")
        g.lang_code = "ar"
        assert switch_message("pause_signing") == (ARABIC, "ar")
    set_switch("pause_signing", {"ar": ARABIC}, enabled=False)
    assert switch_message("pause_signing") is None  # off: nothing to say
    set_switch("pause_signing", {}, enabled=True)
    assert switch_message("pause_signing") is None  # on without a message: only the sentence


@pytest.mark.parametrize("lang", ["fr", "zgh"])
def test_the_petition_page_shows_the_pause_message_under_the_refusal(client, login, world, lang):
    petition, _initiator, _members = open_petition()
    set_switch("pause_signing", {"ar": ARABIC})
    login(citizen())
    html = client.get(f"/{lang}/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert 'action="/' + lang + f'/petitions/{petition.id}/sign"' not in html  # no signing form
    message = html.split('class="switch-message"')[1].split("</div>")[0]
    assert ' lang="ar" dir="rtl"' in message and ARABIC in message
    assert "language-mark" in message  # "(in Arabic)" in the page's language


def test_the_message_is_escaped(client, world):
    petition, _initiator, _members = open_petition()
    set_switch("pause_signing", {"fr": HOSTILE})
    html = client.get(f"/fr/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert "<script>alert" not in html and 'href="https://evil.example"' not in html
    assert "&lt;script&gt;alert" in html


def test_a_refused_signature_comes_back_to_the_message(client, login, post_form, world):
    petition, _initiator, _members = open_petition()
    login(citizen())
    page = f"/fr/petitions/{petition.id}-{petition.slug}"
    set_switch("pause_signing", {"fr": "Reprise lundi à 9 h."})
    response = post_form(
        f"/fr/petitions/{petition.id}/sign",
        {"consent": "y"},
        form_page=page,
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert response.request.path == page
    assert "Reprise lundi à 9 h." in html.split('class="switch-message"')[1]


def test_starting_a_petition_announces_the_pause_before_the_form(client, login, world):
    login(citizen())
    assert "Reprise" not in client.get("/fr/petitions/new").get_data(as_text=True)
    set_switch("pause_petition_creation", {"fr": "Reprise lundi à 9 h."})
    for path in ("/fr/petitions/new", "/fr/petitions/"):
        html = client.get(path).get_data(as_text=True)
        notice = html.split('class="flash flash--warning" role="note"')[1].split("</div>\n</div>")[
            0
        ]
        assert "Reprise lundi à 9 h." in notice


def test_the_switches_page_shows_what_visitors_see(client, login):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    set_switch("pause_signing", {"ar": ARABIC})
    set_switch("pause_petition_creation", {})
    html = client.get("/fr/admin/switches").get_data(as_text=True)
    cards = html.split('<section class="card">')[1:]
    signing, creation, banner = (
        next(card for card in cards if f'name="key" value="{key}"' in card)
        for key in ("pause_signing", "pause_petition_creation", "banner")
    )
    assert ARABIC in signing.split("<form")[0] and 'lang="ar" dir="rtl"' in signing
    assert 'class="flash flash--warning"' in creation and "switch-message" not in creation
    assert 'class="flash flash--warning"' not in banner  # off


def test_the_banner_keeps_its_language_and_direction(client):
    set_switch("banner", {"ar": ARABIC})
    html = client.get("/fr/").get_data(as_text=True)
    banner = html.split('class="site-banner"')[1].split("</div>")[0]
    assert ' lang="ar" dir="rtl"' in banner and ARABIC in banner

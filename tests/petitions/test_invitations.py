"""A committee invitation (issue 13, item 10): to an address with no account it goes in the language
of the page the inviter used, with the petition's title in that language (else the usual fallback)
and a link to that language's site; a registered invitee gets it in their own language. It went out
in the inviter's saved language (Amazigh) with the French title of an Arabic petition."""

import re

import pytest
import sqlalchemy as sa

from participation.extensions import db
from participation.petitions import services
from participation.petitions.models import PetitionKind
from participation.petitions.rules import load_petition_kinds
from participation.institutions.models import InstitutionKind
from tests.factories import make_identity, make_institution, make_user

TITLES = {"ar": "من أجل مكتبات مفتوحة في المساء", "fr": "Pour des bibliothèques ouvertes le soir"}


@pytest.fixture
def petition(app, territories):
    from participation.institutions.models import Province

    make_institution(kind=InstitutionKind.HEAD_OF_GOVERNMENT, name={"fr": "Chef du gouvernement"})
    load_petition_kinds()
    db.session.commit()
    initiator = make_user(language="zgh")  # saved language: not the page the inviter uses
    make_identity(initiator, cin="AB123456", province=db.session.scalar(sa.select(Province)))
    kind = db.session.scalar(
        sa.select(PetitionKind).where(PetitionKind.key == "petition_head_of_government")
    )
    petition = services.create_petition(
        initiator,
        kind,
        services.PetitionData(
            title=dict(TITLES), demands={"ar": "فتحها حتى التاسعة"}, memorandum={"ar": "مذكرة"}
        ),
    )
    db.session.commit()
    return petition


def _invite(client, login, post_form, petition, lang, email):
    login(petition.initiator)
    page = f"/{lang}/petitions/{petition.id}/committee"
    response = post_form(page, {"action": "invite", "invite-email": email})
    assert response.status_code == 302, response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_an_invitation_to_a_new_address_is_in_the_inviters_page_language(
    client, login, post_form, outbox, petition, lang
):
    _invite(client, login, post_form, petition, lang, "newcomer@example.org")
    (mail,) = outbox(to_address="newcomer@example.org")
    assert mail.language == lang
    other = "fr" if lang == "ar" else "ar"
    for text in (mail.subject, mail.body_text):
        assert TITLES[lang] in text
        assert TITLES[other] not in text
    links = re.findall(r"https?://\S+", mail.body_text)
    assert links and all(f"/{lang}/petitions/invitation/" in link for link in links)
    script = re.compile("[\u0600-\u06ff]") if lang == "ar" else re.compile("[À-ÿ]")
    assert script.search(mail.subject.replace(TITLES[lang], ""))


def test_an_invitation_in_amazigh_falls_back_to_another_title_and_links_to_the_amazigh_site(
    client, login, post_form, outbox, petition
):
    _invite(client, login, post_form, petition, "zgh", "newcomer@example.org")
    (mail,) = outbox(to_address="newcomer@example.org")
    assert mail.language == "zgh"
    assert re.search("[\u2d30-\u2d7f]", mail.body_text)
    shown = [title for title in TITLES.values() if title in mail.body_text]
    assert len(shown) == 1
    assert "/zgh/petitions/invitation/" in mail.body_text


def test_a_registered_invitee_gets_the_invitation_in_their_own_language(
    client, login, post_form, outbox, petition
):
    make_user(email="member@example.org", language="fr")
    _invite(client, login, post_form, petition, "ar", "member@example.org")
    (mail,) = outbox(to_address="member@example.org")
    assert mail.language == "fr"
    assert TITLES["fr"] in mail.subject
    assert "/fr/petitions/invitation/" in mail.body_text

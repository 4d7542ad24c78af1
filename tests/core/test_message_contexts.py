"""One msgid, one meaning (issue 13, item 5): a short message used in several senses carries a
context (pgettext) per sense. "On" was one message for the audit log's column (what an action was
done on: "Objet"), the two-factor status and the site-switch toggles, which all read "Subject"."""

import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, pgettext

from participation.auth.models import Role
from participation.core.i18n import FORMAT_LOCALES
from participation.extensions import db
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("ar", "fr", "zgh")
# What "On" said on these pages before: the audit column's sense, and the English.
SUBJECT = {"On", "الموضوع", "Objet", "ⴰⵙⵏⵜⵍ"}


def _word(lang, context, msgid):
    with force_locale(FORMAT_LOCALES[lang]):
        return pgettext(context, msgid)


def _main(response):
    assert response.status_code == 200
    return unescape(re.search(r"<main.*</main>", response.get_data(as_text=True), re.S).group(0))


def _two_factor_status(page):
    return re.search(r'<dd>([^<]*?) · <a href="[^"]*/account/two-factor"', page).group(1).strip()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_two_factor_status_says_on_and_off_in_the_page_language(client, login, lang):
    from participation.auth.services import confirm_two_factor, start_two_factor_setup
    from participation.core import totp

    user = make_user()
    login(user)
    off = _two_factor_status(_main(client.get(f"/{lang}/account/")))
    assert off == _word(lang, "two-factor authentication status", "Off")
    assert off != "Off"

    secret = start_two_factor_setup(user, user)
    confirm_two_factor(user, user, code=totp.code_for(secret, totp.current_step() - 1))
    db.session.commit()
    on = _two_factor_status(_main(client.get(f"/{lang}/account/")))
    assert on == _word(lang, "two-factor authentication status", "On")
    assert on not in SUBJECT
    assert on != off


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_site_switch_toggle_says_on_in_the_page_language(client, login, lang):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    page = _main(client.get(f"/{lang}/admin/switches"))
    labels = re.findall(r'<label[^>]*for="[^"]*enabled"[^>]*>(.*?)</label>', page, re.S)
    assert labels
    expected = _word(lang, "site switch toggle", "On")
    assert expected not in SUBJECT
    assert {label.strip() for label in labels} == {expected}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_audit_log_column_keeps_its_own_sense(client, login, lang):
    login(make_user(roles=[Role.ADMINISTRATOR]))
    page = _main(client.get(f"/{lang}/admin/audit"))
    headers = re.findall(r'<th scope="col">(.*?)</th>', page)
    column = _word(lang, "audit log column: what the action was done on", "On")
    assert column in headers
    assert _word(lang, "site switch toggle", "On") not in headers


@pytest.mark.parametrize(
    "msgid, contexts",
    [
        (
            "On",
            {
                "audit log column: what the action was done on",
                "two-factor authentication status",
                "site switch toggle",
            },
        ),
        ("Off", {"two-factor authentication status"}),
        ("Number", {"count", "identifier of a commitment"}),
        ("Search", {"button: run the search", "label of the search field"}),
        (
            "Accepted",
            {
                "decision on the proposals about a section",
                "committee member who accepted the invitation",
            },
        ),
    ],
)
def test_an_ambiguous_short_message_is_never_used_without_its_context(msgid, contexts):
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        found = {m.context for m in read_po(handle) if m.id == msgid}
    assert found == contexts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_sense_of_an_ambiguous_message_is_translated_on_its_own(app, lang):
    words = {
        _word(lang, context, "On")
        for context in (
            "audit log column: what the action was done on",
            "two-factor authentication status",
        )
    }
    assert len(words) == 2
    assert _word(lang, "count", "Number") != _word(lang, "identifier of a commitment", "Number")
    # A member accepts an invitation; a section's proposals are accepted (ar: قبِل / مقبول).
    assert _word(lang, "committee member who accepted the invitation", "Accepted") != _word(
        lang, "decision on the proposals about a section", "Accepted"
    )

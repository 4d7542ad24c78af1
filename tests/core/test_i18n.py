import re
from datetime import datetime, timezone

import pytest
from flask_babel import format_date, force_locale

from tests.factories import make_user


@pytest.mark.parametrize("lang, direction", [("ar", "rtl"), ("fr", "ltr"), ("zgh", "ltr")])
def test_pages_declare_language_and_direction(client, lang, direction):
    html = client.get(f"/{lang}/").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_amazigh_pages_are_in_tifinagh(client):
    html = client.get("/zgh/").get_data(as_text=True)
    heading = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert re.search("[\u2d30-\u2d7f]", heading), heading
    assert not re.search("[A-Za-z]", heading), heading


def test_french_pages_are_in_french(client):
    html = client.get("/fr/account/login").get_data(as_text=True)
    assert "Se connecter" in html or "Connexion" in html


def test_arabic_dates_use_moroccan_month_names(app):
    september = datetime(2026, 9, 15, 12, tzinfo=timezone.utc)
    with force_locale("ar_MA"):
        assert "شتنبر" in format_date(september, "long")


def test_home_page_shows_today_with_the_moroccan_month(client, monkeypatch):
    import participation.public.views as views

    class FixedDateTime(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 9, 15, 12, tzinfo=timezone.utc)

    monkeypatch.setattr(views, "datetime", FixedDateTime)
    assert "شتنبر" in client.get("/ar/").get_data(as_text=True)
    assert "septembre" in client.get("/fr/").get_data(as_text=True)


def test_unknown_language_is_not_found(client):
    assert client.get("/en/").status_code == 404


def test_root_redirects_to_arabic_by_default(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/ar/")


def test_root_follows_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    assert response.headers["Location"].endswith("/fr/")


def test_root_prefers_the_saved_language_of_a_signed_in_user(client, login, app):
    user = make_user(language="zgh")
    login(user)
    response = client.get("/", headers={"Accept-Language": "fr"})
    assert response.headers["Location"].endswith("/zgh/")


def test_language_switcher_keeps_the_current_page(client):
    html = client.get("/fr/account/password/forgot?next=/fr/").get_data(as_text=True)
    assert 'href="/ar/account/password/forgot?next=/fr/"' in html
    assert 'href="/zgh/account/password/forgot?next=/fr/"' in html


def test_links_on_a_page_keep_its_language(client):
    html = client.get("/zgh/").get_data(as_text=True)
    assert 'href="/zgh/account/login"' in html
    assert 'href="/ar/account/login"' not in html


def test_plural_forms_follow_arabic_rules(app):
    from flask_babel import ngettext

    with force_locale("ar_MA"):
        forms = {
            n: ngettext(
                "The platform covers %(count)s region.",
                "The platform covers %(count)s regions.",
                n,
                count=n,
            )
            for n in (0, 1, 2, 3, 11, 100)
        }
    # Six categories: zero, one, two, few, many, other; at least four distinct sentences show up here.
    assert len(set(forms.values())) >= 4

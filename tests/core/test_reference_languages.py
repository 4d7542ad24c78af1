"""Every name the platform shows exists in ar, fr and zgh (issue 13, item 3; SPEC §7): the
reference data (regions, prefectures/provinces), the petition and motion kinds with their
addressees, legal bases and admissibility grounds, and the institutions the app and the demo seed.
The Amazigh ones are in Tifinagh. And the Amazigh petition pages of the demo show no Latin word
outside people's names, allow-listed acronyms and user content marked with its own `lang`."""

import json
import re
from importlib import resources

import pytest
import sqlalchemy as sa


from participation.extensions import db
from participation.institutions.models import Institution, Province, Region
from participation.petitions.models import Petition, PetitionKind
from tests.page_text import people_names, stray_latin_words

LANGUAGES = ("ar", "fr", "zgh")
LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ]")
TIFINAGH = re.compile("[\u2d30-\u2d7f]")
# Acronyms and brand names a page may show in Latin letters in every language.
ALLOWED_LATIN = {"API", "CSV", "JSON", "PDF", "CIN", "OGP", "WhatsApp", "Facebook", "X", "LinkedIn"}


def assert_three_languages(what, texts):
    for lang in LANGUAGES:
        assert (texts or {}).get(lang, "").strip(), f"{what}: no {lang} text in {texts!r}"
    assert not LATIN.search(texts["zgh"]), f"{what}: Latin letters in the Amazigh {texts['zgh']!r}"
    assert TIFINAGH.search(texts["zgh"]), f"{what}: the Amazigh {texts['zgh']!r} is not in Tifinagh"


def _data(name):
    with resources.files("participation.data").joinpath(name).open(encoding="utf-8") as handle:
        return json.load(handle)


def test_the_data_files_name_everything_in_three_languages():
    regions = _data("regions.json")["regions"]
    assert len(regions) == 12
    assert sum(len(r["prefectures_provinces"]) for r in regions) == 75
    for region in regions:
        assert_three_languages(region["code"], {lang: region[f"name_{lang}"] for lang in LANGUAGES})
        for province in region["prefectures_provinces"]:
            assert_three_languages(
                province["iso_3166_2"], {lang: province[f"name_{lang}"] for lang in LANGUAGES}
            )
    rules = _data("petition_rules.json")
    for kind in rules["kinds"]:
        for field in ("name", "addressee", "law"):
            assert_three_languages(f"{kind['key']}.{field}", kind[field])
        if kind.get("note"):
            assert_three_languages(f"{kind['key']}.note", kind["note"])
        assert kind["grounds"] in rules["grounds"], kind["key"]
    for set_key, grounds in rules["grounds"].items():
        assert len({g["code"] for g in grounds}) == len(grounds), set_key
        for ground in grounds:
            assert ground["source"], f"{set_key}.{ground['code']} gives no source"
            assert_three_languages(f"{set_key}.{ground['code']}", ground["label"])


def test_what_the_app_and_the_demo_seed_is_named_in_three_languages(demo):
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Region)) == 12
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Province)) == 75
    for region in db.session.scalars(sa.select(Region)):
        assert_three_languages(f"region {region.code}", region.name)
        assert_three_languages(f"capital of {region.code}", region.capital)
    for province in db.session.scalars(sa.select(Province)):
        assert_three_languages(f"province {province.iso_code}", province.name)
    kinds = db.session.scalars(sa.select(PetitionKind)).all()
    assert len(kinds) == 8
    grounds = 0
    for kind in kinds:
        assert_three_languages(f"kind {kind.key}", kind.name)
        assert_three_languages(f"addressee of {kind.key}", kind.addressee)
        assert_three_languages(f"legal basis of {kind.key}", kind.law)
        for ground in kind.grounds:
            assert_three_languages(f"{kind.key}: {ground['code']}", ground["label"])
            grounds += 1
    assert grounds >= 24
    for institution in db.session.scalars(sa.select(Institution)):
        assert_three_languages(f"institution {institution.id}", institution.name)


def test_an_earlier_database_gains_the_amazigh_names_without_losing_edits(app, territories):
    from participation.institutions.services import load_territories
    from participation.petitions.rules import load_petition_kinds

    region = db.session.scalar(sa.select(Region).where(Region.code == "04"))
    region.name = {"ar": "الرباط - سلا - القنيطرة", "fr": "Rabat-Salé-Kénitra (édité)"}
    load_petition_kinds()
    kind = db.session.scalar(sa.select(PetitionKind).where(PetitionKind.key == "regional_petition"))
    kind.name = {"ar": "عريضة جهوية", "fr": "Pétition régionale"}  # an administrator's edit
    db.session.commit()
    load_territories()
    load_petition_kinds()
    assert region.name == {
        "ar": "الرباط - سلا - القنيطرة",
        "fr": "Rabat-Salé-Kénitra (édité)",
        "zgh": "ⵔⴱⴰⵟ-ⵙⵍⴰ-ⵇⵏⵉⵟⵔⴰ",
    }
    assert kind.name == {
        "ar": "عريضة جهوية",
        "fr": "Pétition régionale",
        "zgh": "ⵜⴰⵙⵓⵜⵔⵜ ⵖⵔ ⵓⵙⵇⵇⵉⵎ ⵏ ⵜⵎⵏⴰⴹⵜ",
    }


@pytest.mark.parametrize("language", ["zgh", "ar"])
def test_the_demo_petition_pages_show_no_stray_latin_word(demo, client, language):
    allowed = ALLOWED_LATIN | people_names()
    urls = [f"/{language}/petitions/"]
    urls += [
        f"/{language}/petitions/{p.id}-{p.slug}"
        for p in db.session.scalars(sa.select(Petition).where(Petition.published_at.is_not(None)))
    ]
    assert len(urls) > 5
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert stray_latin_words(response.get_data(as_text=True), language, allowed) == [], url


def test_a_title_in_another_language_is_marked_with_its_language(demo, client):
    petition = db.session.scalar(
        sa.select(Petition).where(Petition.published_at.is_not(None)).order_by(Petition.id.desc())
    )
    petition.title = {"fr": "Un titre seulement en français"}
    db.session.commit()
    html = client.get(f"/zgh/petitions/{petition.id}-{petition.slug}").get_data(as_text=True)
    assert (
        '<span lang="fr" dir="ltr">Un titre seulement en français</span> '
        '<small class="muted language-mark" lang="zgh" dir="ltr">(ⵙ ⵜⴼⵔⴰⵏⵙⵉⵙⵜ)</small>'
    ) in html
    listing = client.get("/ar/petitions/").get_data(as_text=True)
    assert '<span lang="fr" dir="ltr">Un titre seulement en français</span>' in listing
    assert "(بالفرنسية)" in listing

"""The desk reads the catalogs of the app's configured translations directory, and finds where
each message appears by extracting the sources once."""

import shutil

from babel.messages.pofile import read_po, write_po

from participation.translation_review.catalog import (
    entry_key,
    get_catalog_entry,
    list_catalog_entries,
    message_locations,
    read_catalogs,
)
from tests.translation_review.conftest import PLURAL, SINGULAR


def test_every_message_of_the_catalogs_is_an_entry_with_its_three_texts(app):
    entries = list_catalog_entries()
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    with open(f"{directory}/zgh/LC_MESSAGES/messages.po", "rb") as handle:
        zgh = read_po(handle, locale="zgh")
    assert len(entries) == len([m for m in zgh if m.id])
    statistics = get_catalog_entry(entry_key("", SINGULAR))
    assert set(statistics.texts) == {"ar", "fr", "zgh"}
    assert statistics.texts["zgh"] == (zgh.get(SINGULAR).string,)


def test_a_plural_entry_has_one_text_per_plural_form_of_each_language(app):
    entry = get_catalog_entry(entry_key("", PLURAL))
    assert entry.plural
    assert entry.python_format
    counts = read_catalogs().plural_counts
    assert counts["ar"] == 6
    assert {lang: len(entry.texts[lang]) for lang in ("ar", "fr", "zgh")} == counts
    assert read_catalogs().plural_numbers["ar"][:3] == (((0,), False), ((1,), False), ((2,), False))
    assert read_catalogs().plural_numbers["ar"][3] == ((3, 4, 5), True)


def test_the_catalogs_come_from_the_configured_directory(app, tmp_path, monkeypatch):
    source = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    copy = tmp_path / "translations"
    for lang in ("ar", "fr", "zgh"):
        (copy / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(f"{source}/{lang}/LC_MESSAGES/messages.po", copy / lang / "LC_MESSAGES")
    path = copy / "zgh" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale="zgh")
    catalog.get(SINGULAR).string = "ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ"
    with path.open("wb") as handle:
        write_po(handle, catalog)
    monkeypatch.setitem(app.config, "BABEL_TRANSLATION_DIRECTORIES", str(copy))
    assert get_catalog_entry(entry_key("", SINGULAR)).texts["zgh"] == ("ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ",)
    monkeypatch.undo()
    assert get_catalog_entry(entry_key("", SINGULAR)).texts["zgh"] != ("ⵉⵙⵉⴹⵏ ⵉⵎⴰⵢⵏⵓⵜⵏ",)


def test_a_template_message_names_its_template_and_the_page_that_renders_it(app):
    locations = message_locations()[("", "The platform in numbers")]
    assert ("templates/stats/public.html", ("/<lang_code>/stats",)) in [
        (place.path, place.pages) for place in locations
    ]


def test_a_partial_gets_the_pages_of_the_templates_that_include_it(app):
    locations = message_locations()[
        ("", "Messages reviewed, flagged and with a proposed text, per language")
    ]
    pages = {page for place in locations for page in place.pages}
    assert {"/<lang_code>/stats", "/<lang_code>/translations/"} <= pages


def test_a_message_of_a_view_function_names_its_page(app):
    locations = message_locations()[("", "%(num)s message")]
    assert any(
        place.path == "participation/translation_review/views.py"
        and "/<lang_code>/translations/" in place.pages
        for place in locations
    )


def test_a_form_label_names_its_module_without_a_page(app):
    locations = message_locations()[("", "What is wrong with this text?")]
    assert [(place.path, place.pages) for place in locations] == [
        ("participation/translation_review/forms.py", ())
    ]


def test_the_key_of_an_entry_depends_on_its_context(app):
    assert entry_key("", "On") != entry_key("switch", "On")
    assert len(entry_key("", "On")) == 16

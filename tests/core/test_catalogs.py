"""Every interface string is translated in ar, fr and zgh; the .pot and .mo files are current."""

import re
import subprocess
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from participation.cli import extract_messages
from tests.page_text import CATALOG_NAMES, ISOLATED_NAME, LATIN_ALLOWED

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["ar", "fr", "zgh"]


def _catalog(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_not_fuzzy(lang):
    catalog = _catalog(lang)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if len(strings) != (catalog.num_plurals if message.pluralizable else 1) or not all(strings):
            problems.append(f"untranslated: {message.id!r}")
    assert problems == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_msgfmt_accepts_the_catalog(lang):
    po = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def _strings(message):
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_amazigh_catalog_is_written_in_tifinagh():
    latin_words = []
    for message in _catalog("zgh"):
        if not message.id:
            continue
        for text in _strings(message):
            stripped = ISOLATED_NAME.sub("", text)
            stripped = re.sub(
                r"%\(\w+\)[sd]|<[^>]+>|\S+@\S+|https?://\S+|\b(JSON|CIN|OGP|PDF|HTTP|CSV|API|SMS|TOTP)\b",
                "",
                stripped,
            )
            if re.search(r"[A-Za-z]{2,}", stripped):
                latin_words.append(text)
    assert latin_words == []


def test_the_latin_allow_list_is_used_isolated():
    """Each allowed name occurs in the Amazigh catalog, and only inside <bdi> or isolates."""
    texts = [text for message in _catalog("zgh") if message.id for text in _strings(message)]
    for name in CATALOG_NAMES:
        assert any(name in text for text in texts), name
    bare = [
        text for text in texts if any(name in ISOLATED_NAME.sub("", text) for name in LATIN_ALLOWED)
    ]
    assert bare == []


# French typography, one rule: a no-break space (U+00A0) before : ; ! ? and inside « ».
# Two help texts show the syntax an administrator types ("1000000: 300") and keep it as is.
FRENCH_INPUT_SYNTAX = {
    "One line per bracket: “population limit: signatures”; the last line “*: signatures”.",
    "Write each line as “population limit: signatures”, for example “1000000: 300”, and “*: 500” for the last one.",
}


def test_french_puts_a_no_break_space_before_high_punctuation_and_inside_guillemets():
    problems = []
    for message in _catalog("fr"):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for text in _strings(message):
            text = re.sub(r"https?://\S+|&\w+;|&#\d+;", "", text)
            if msgid in FRENCH_INPUT_SYNTAX:
                text = re.sub(r"«\u00a0[^»]*\u00a0»", "«\u00a0»", text)
            wrong_space = re.search(r"[ \u202f][:;!?»]|«[ \u202f]", text)
            no_space = re.search(r"[^\s\u00a0«][;:!?](?:\s|$)|«[^\u00a0]|[^\u00a0]»", text)
            if wrong_space or no_space:
                problems.append(text)
    assert problems == []


def test_arabic_plurals_say_one_and_two_without_the_number():
    """ "حساب واحد", "حسابان", and no "0 تعليق": the zero, one and two forms name no number."""
    problems = []
    for message in _catalog("ar"):
        if not message.id or not message.pluralizable:
            continue
        count = "%(num)d" if "%(num)d" in message.id[0] else "%(count)s"
        if "%(done)s" in message.id[0]:  # "done of total": the total is a value, not a count
            continue
        for index in (0, 1, 2):
            if count in message.string[index]:
                problems.append(message.string[index])
    assert problems == []


# Imperatives and pronouns of the singular address; the interface addresses the reader with the
# polite plural (اختاروا، أدخلوا، يمكنكم) everywhere.
ARABIC_SINGULAR_ADDRESS = re.compile(
    r"(?<!\w)(اختر|أدخل|أضف|استعمل|يمكنك|حدد|اكتب|انظر|ستصلك|لديك|عليك|أنت|شارك هذه|تعد تتبع)(?!\w)"
)


def test_arabic_addresses_the_reader_in_the_polite_plural():
    singular = [
        text
        for message in _catalog("ar")
        if message.id
        for text in _strings(message)
        if ARABIC_SINGULAR_ADDRESS.search(text)
    ]
    assert singular == []


def test_templates_keep_a_label_and_its_colon_in_one_message():
    """`{{ _("Addressee") }}:` leaves the colon to English; each language punctuates itself."""
    outside = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"_\(\"[^\"]*\"\)\s*\}\}\s*:|\{%-?\s*endtrans\s*-?%\}\s*:", text):
            outside.append(f"{template.relative_to(ROOT)}: {match.group(0)}")
    assert outside == []


def test_pot_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract_messages(fresh)

    def ids(path):
        with open(path, "rb") as handle:
            return {(m.context, m.id) for m in read_po(handle) if m.id}

    stale = ids(ROOT / "translations" / "messages.pot") ^ ids(fresh)
    assert stale == set(), "run `flask --app wsgi translate update` and translate the new strings"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_cover_every_message_of_the_pot(lang):
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        pot = {(m.context, m.id) for m in read_po(handle) if m.id}
    assert pot - {(m.context, m.id) for m in _catalog(lang) if m.id} == set()


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po(lang):
    directory = ROOT / "translations" / lang / "LC_MESSAGES"
    with open(directory / "messages.mo", "rb") as handle:
        # Keyed by context too: "On" is three messages (pgettext).
        compiled = {(m.context, _key(m.id)): _key(m.string) for m in read_mo(handle) if m.id}
    source = {(m.context, _key(m.id)): _key(m.string) for m in _catalog(lang) if m.id}
    assert compiled == source, "run `flask --app wsgi translate compile`"

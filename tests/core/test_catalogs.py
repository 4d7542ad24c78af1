"""Every interface string is translated in ar, fr and zgh; the .pot and .mo files are current."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

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


def test_amazigh_catalog_is_written_in_tifinagh():
    import re

    latin_words = []
    for message in _catalog("zgh"):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            stripped = re.sub(
                r"%\(\w+\)[sd]|<[^>]+>|\S+@\S+|https?://\S+|\b(JSON|CIN|OGP|PDF|HTTP|CSV|API|SMS|TOTP)\b",
                "",
                text,
            )
            if re.search(r"[A-Za-z]{2,}", stripped):
                latin_words.append(text)
    assert latin_words == []


def test_pot_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "-k",
            "lazy_pgettext:1c,2",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def ids(path):
        with open(path, "rb") as handle:
            return {m.id if isinstance(m.id, str) else m.id for m in read_po(handle) if m.id}

    stale = ids(ROOT / "translations" / "messages.pot") ^ ids(fresh)
    assert stale == set(), "run `flask --app wsgi translate update` and translate the new strings"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogs_cover_every_message_of_the_pot(lang):
    with open(ROOT / "translations" / "messages.pot", "rb") as handle:
        pot = {m.id for m in read_po(handle) if m.id}
    assert pot - {m.id for m in _catalog(lang) if m.id} == set()


def _key(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_matches_the_po(lang):
    directory = ROOT / "translations" / lang / "LC_MESSAGES"
    with open(directory / "messages.mo", "rb") as handle:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(handle) if m.id}
    source = {_key(m.id): _key(m.string) for m in _catalog(lang) if m.id}
    assert compiled == source, "run `flask --app wsgi translate compile`"

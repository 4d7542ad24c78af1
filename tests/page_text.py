"""What a reader sees of a page, and the Latin words in it that the page's language does not allow
(issue 13: no French or English on Arabic and Amazigh pages). Shared by the catalog tests, the
reference-data tests and the page-level language test (tests/core/test_page_languages.py).

The allow-list is docs/glossary.md's "Names kept in Latin script": proper names isolated in <bdi>
(or between the Unicode isolates U+2068…U+2069 in plain text), and acronyms."""

import re
from html.parser import HTMLParser

import sqlalchemy as sa

# Proper names and the keywords the draft importer reads stay in Latin, isolated from the
# surrounding text: <bdi> where the message is HTML, the Unicode isolates U+2068…U+2069 (what
# <bdi> does) where it is plain text such as a form hint. Nothing else in Latin script.
CATALOG_NAMES = (  # in the catalogs' messages
    "Noto Sans Arabic",
    "Noto Sans Tifinagh",
    "SIL Open Font License 1.1",
    "Article",
    "Chapitre",
    "Markdown",
)
# Standards and formats the open-data page names, passed into its messages by opendata/dumps.py
# and templates/opendata/index.html.
STANDARD_NAMES = (
    "Creative Commons Attribution 4.0 (CC BY 4.0)",
    "OpenAPI 3",
    "ISO 8601, UTC",
    "ISO 3166-2",
    "YYYY-MM-DD",
)
LATIN_ALLOWED = CATALOG_NAMES + STANDARD_NAMES
ISOLATED_NAME = re.compile(
    r"<bdi>(?:{names})</bdi>|\u2068(?:{names})\u2069".format(
        names="|".join(re.escape(name) for name in LATIN_ALLOWED)
    )
)
# Acronyms every language writes in Latin capitals: file formats (CSV, JSON, PDF), the API, the
# national identity card (CIN), the Open Government Partnership (OGP), web and time terms (URL,
# HTTP, UTC), text messages (SMS) and the authenticator codes (TOTP).
ACRONYMS = frozenset(
    {"API", "CSV", "CIN", "HTTP", "JSON", "OGP", "PDF", "SMS", "TOTP", "URL", "UTC"}
)

LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]+(?:['’-][A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ]+)*")
# Addresses are not words of any language: e-mail addresses, URLs and bare domain names.
ADDRESS = re.compile(
    r"\S+@\S+\.\w+|https?://\S+|\b(?:[\w-]+\.)+(?:ma|org|com|net|gov|fr|me|test|io)\b(?:/\S*)?"
)


def people_names():
    """Every word of the names people gave themselves (display names, identity profiles): a
    person's name is theirs, written as they write it."""
    from participation.auth.models import IdentityProfile, User
    from participation.extensions import db

    names = set()
    for user in db.session.scalars(sa.select(User)):
        names.update(user.display_name.split())
    for identity in db.session.scalars(sa.select(IdentityProfile)):
        names.update(f"{identity.first_name} {identity.last_name}".split())
    return names


class VisibleText(HTMLParser):
    """The text runs a reader sees or hears, each with the language it is marked with (the nearest
    `lang`): the title, the body's text, and the attributes read out or shown (title, alt,
    aria-label, placeholder, a button's value). Scripts, styles and <code> are not prose."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "col", "area", "base"}
    NOT_PROSE = {"script", "style", "code", "template"}
    READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
    BUTTON_TYPES = {"submit", "button", "reset"}

    def __init__(self, page_language):
        super().__init__(convert_charrefs=True)
        self.stack = [("html", page_language, False)]
        self.runs = []

    def _push(self, tag, attrs):
        attributes = dict(attrs)
        _parent, parent_lang, parent_skipped = self.stack[-1]
        lang = attributes.get("lang")
        lang = parent_lang if lang is None else lang
        skipped = parent_skipped or tag in self.NOT_PROSE
        if not skipped:
            for name in self.READ_ATTRIBUTES:
                if attributes.get(name):
                    self.runs.append((lang, attributes[name]))
            # An <input> button shows its value as its label; a <button> shows its content, and
            # its value is only sent with the form (a step's name such as "region"), never seen.
            is_input_button = tag == "input" and attributes.get("type") in self.BUTTON_TYPES
            if is_input_button and attributes.get("value"):
                self.runs.append((lang, attributes["value"]))
        return (tag, lang, skipped)

    def handle_starttag(self, tag, attrs):
        entry = self._push(tag, attrs)
        if tag not in self.VOID:
            self.stack.append(entry)

    def handle_startendtag(self, tag, attrs):
        self._push(tag, attrs)

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _, _ in self.stack[1:]):
            return
        while len(self.stack) > 1:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        tag, lang, skipped = self.stack[-1]
        if data.strip() and not skipped and tag not in ("head", "meta"):
            self.runs.append((lang, data.strip()))


# Codes are not words: anything with a digit in it (a CIN "AB123456", "MA-01", "IPv4"), and the
# placeholders of a message shown as such on the translators' desk ("%(count)s").
CODE = re.compile(r"%\(\w+\)[sd]|\S*\d\S*")


def latin_words(text, allowed=frozenset()):
    """The Latin-script words of `text` outside addresses, codes, acronyms and `allowed`."""
    text = CODE.sub(" ", ADDRESS.sub(" ", text))
    return [w for w in LATIN_WORD.findall(text) if w not in ACRONYMS and w not in allowed]


def stray_latin_runs(html, page_language, allowed=frozenset()):
    """[(text run, its Latin words)] that a reader of a `page_language` page (ar or zgh) meets in
    the page's own language: user content marked with its own `lang` ("" when unknown) and
    allow-listed names isolated in <bdi> are left out."""
    parser = VisibleText(page_language)
    parser.feed(ISOLATED_NAME.sub(" ", html))
    parser.close()
    return [
        (text, words)
        for lang, text in parser.runs
        if lang == page_language and (words := latin_words(text, allowed))
    ]


def stray_latin_words(html, page_language, allowed=frozenset()):
    return [
        word for _text, words in stray_latin_runs(html, page_language, allowed) for word in words
    ]

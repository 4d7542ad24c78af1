"""Text normalisation for search that treats Arabic sensibly, on SQLite and PostgreSQL alike.

Both the stored search text and the query go through `normalise_text`, and matching is a plain
LIKE on the normalised column, so the same rules hold on every database:
- Arabic: diacritics (harakat, shadda, sukun, superscript alef) and tatweel are dropped; alef
  forms (أ إ آ ٱ) fold to ا, hamza seats (ؤ ئ) to و ي, alef maqsura ى to ي, taa marbuta ة to ه;
- Latin: case and accents are ignored ("Éducation" finds "education");
- everything else (Tifinagh included) is compared as written, whitespace collapsed.
"""

import re
import unicodedata

import sqlalchemy as sa

_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه"}
)
_SPACES = re.compile(r"\s+")
# C0 and C1 control characters: pasted or typed by mistake, they say nothing in a search (a NUL
# never gets this far: core/security.reject_nul_bytes answers 400).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def normalise_text(text):
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _ARABIC_MARKS.sub("", text).translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in decomposed if not _is_latin_mark(c))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _is_latin_mark(char):
    # Combining marks in U+0300–U+036F are the accents of Latin letters.
    return "\u0300" <= char <= "\u036f"


def clean_query(query):
    """A query as typed, with its control characters turned to spaces, trimmed."""
    return _CONTROLS.sub(" ", query or "").strip()


def search_terms(query, limit=8):
    """The normalised words of a query (at most `limit`, each at least 2 characters)."""
    words = normalise_text(clean_query(query)).split(" ")
    return [term for term in words if len(term) >= 2][:limit]


def _escape_like(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches_all(column, terms):
    """A SQL condition: the normalised column contains every term."""
    return sa.and_(*[column.like(f"%{_escape_like(term)}%", escape="\\") for term in terms])


def joined_text(*values):
    """Normalised text of several {lang: text} mappings or strings, for a search column."""
    parts = []
    for value in values:
        if isinstance(value, dict):
            parts.extend(v for v in value.values() if v)
        elif value:
            parts.append(value)
    return normalise_text(" ".join(parts))

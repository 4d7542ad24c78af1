"""Interface languages, the language part of the URL, and formatting locales.

The language is the first path segment of every HTML page (/ar/, /fr/, /zgh/). Translations are
looked up by language; dates and numbers are formatted with the Moroccan regional locale
(ar_MA gives the Moroccan month names, e.g. "شتنبر", and Latin digits). gettext falls back from
"ar_MA" to the "ar" catalog, so one catalog per language serves both purposes.
"""

from flask import g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter

LANGUAGES = ("ar", "fr", "zgh")
DEFAULT_LANGUAGE = "ar"
FORMAT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "zgh": "zgh_MA"}
# Each language named in itself, for the language switcher.
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ"}
LANGUAGE_LABELS = {"ar": _l("Arabic"), "fr": _l("French"), "zgh": _l("Amazigh (Tifinagh)")}


class LanguageConverter(BaseConverter):
    """Matches only the interface languages, so /en/... is a plain 404."""

    regex = "(?:" + "|".join(LANGUAGES) + ")"


def current_language():
    lang = getattr(g, "lang_code", None)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language_in_path(path):
    """The interface language a path starts with ("/fr/..." gives "fr"), or None."""
    first = path.lstrip("/").partition("/")[0]
    return first if first in LANGUAGES else None


def preferred_language(user=None):
    """Saved preference, then the browser's Accept-Language, then Arabic."""
    if user is not None and getattr(user, "is_authenticated", False) and user.language in LANGUAGES:
        return user.language
    best = request.accept_languages.best_match(LANGUAGES) if request else None
    return best or DEFAULT_LANGUAGE


def select_locale():
    if getattr(g, "lang_code", None) in LANGUAGES:
        return FORMAT_LOCALES[g.lang_code]
    from flask_login import current_user

    return FORMAT_LOCALES[preferred_language(current_user)]


def text_direction():
    return get_locale().text_direction

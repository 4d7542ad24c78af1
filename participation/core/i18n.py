"""Interface languages, the language part of the URL, and formatting locales.

The language is the first path segment of every HTML page (/ar/, /fr/, /zgh/). Translations are
looked up by language; dates and numbers are formatted with the Moroccan regional locale
(ar_MA gives the Moroccan month names, e.g. "شتنبر", and Latin digits). gettext falls back from
"ar_MA" to the "ar" catalog, so one catalog per language serves both purposes.
"""

from flask import g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from werkzeug.routing import BaseConverter

LANGUAGES = ("ar", "fr", "zgh")
DEFAULT_LANGUAGE = "ar"
FORMAT_LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "zgh": "zgh_MA"}
# Each language named in itself, for the language switcher.
LANGUAGE_NAMES = {"ar": "العربية", "fr": "Français", "zgh": "ⵜⴰⵎⴰⵣⵉⵖⵜ"}
LANGUAGE_LABELS = {"ar": _l("Arabic"), "fr": _l("French"), "zgh": _l("Amazigh (Tifinagh)")}
# The small mark after a text people wrote in another language than the page's (SPEC §7).
SHOWN_IN = {"ar": _l("(in Arabic)"), "fr": _l("(in French)"), "zgh": _l("(in Amazigh)")}
DIRECTIONS = {"ar": "rtl", "fr": "ltr", "zgh": "ltr"}


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


def language_mark(language):
    """The translated "(in French)" label when `language` is not the page's; empty otherwise."""
    if language not in LANGUAGES or language == current_language():
        return ""
    # In the page's own language, also when it sits inside the foreign text's element.
    page = current_language()
    return Markup('<small class="muted language-mark" lang="%s" dir="%s">%s</small>') % (
        page,
        DIRECTIONS[page],
        SHOWN_IN[language],
    )


def in_language(text, language):
    """A text people wrote (a title, a note), chosen by core.models.translated(): in the page's
    language it is plain text; in another one it carries its own lang and dir, and the mark
    saying which language it is. Every page shows such texts through this one helper."""
    if not text:
        return ""
    if language not in LANGUAGES or language == current_language():
        return escape(text)
    return Markup('<span lang="%s" dir="%s">%s</span> %s') % (
        language,
        DIRECTIONS[language],
        text,
        language_mark(language),
    )


def user_text(obj, field):
    """in_language() for a translatable field of a model (TranslatedFields.text)."""
    return in_language(*obj.text(field))
